//! Receiving the peer's sync messages: measured, then who wrote them, the authors' roles and
//! the document they make, each before anything of them is kept; messages held back until
//! the roster or a signed change catches up.

use std::collections::HashSet;

use automerge::sync::{self, SyncDoc};
use automerge::ChangeHash;
use hugme_model::DocumentKind;

use super::authors::Authorship;
use super::{authors_of, send, Effect, Held, Session, MAX_PENDING_BYTES, SESSION_INFLATED};
use crate::authorship::Signature;
use crate::error::Result;
use crate::frame::Message;
use crate::policy::{self, Roster, Verdict};
use crate::replica::Replica;

/// What [`Session::checked`] found.
enum Checked {
    /// Allowed: the copy to keep, the sync state after it, whether the heads moved.
    Taken {
        scratch: Box<automerge::AutoCommit>,
        state: sync::State,
        changed: bool,
    },
    /// An author the roster does not know yet.
    Unknown { device: String },
    /// Refused; `drained`: changes Automerge had held back from earlier messages were applied
    /// with this one.
    Refused {
        device: String,
        why: String,
        drained: bool,
    },
}

impl Session {
    pub(super) fn sync(
        &mut self,
        document: String,
        bytes: &[u8],
        signatures: Vec<Signature>,
        replica: &mut dyn Replica,
        out: &mut Vec<Effect>,
    ) -> Result<()> {
        if !self.kinds.contains_key(&document) {
            out.extend(self.close(format!(
                "{} sent changes to {document}, which it never announced",
                self.peer
            )));
            return Ok(());
        }
        let message = match sync::Message::decode(bytes) {
            Ok(m) => m,
            Err(e) => {
                out.extend(self.close(format!("unreadable sync message for {document}: {e}")));
                return Ok(());
            }
        };
        // Measured before Automerge inflates anything of it: a bomb ends the session.
        let measured = crate::inflate::check_summary(&message)
            .and_then(|()| crate::inflate::check(message.changes.iter()));
        match measured {
            Ok(inflated) => {
                self.inflated = self.inflated.saturating_add(inflated);
                if self.inflated > SESSION_INFLATED {
                    out.extend(self.close(format!(
                        "{} sent more compressed data than a session may inflate ({} MiB)",
                        self.peer,
                        SESSION_INFLATED >> 20
                    )));
                    return Ok(());
                }
            }
            Err(bomb) => {
                out.extend(self.close(format!(
                    "{} sent a sync message for {document} that is refused: {bomb}",
                    self.peer
                )));
                return Ok(());
            }
        }
        if self.refused.contains(&document)
            || self.unreadable.contains(&document)
            || self.unlisted(&document, replica)?
        {
            return Ok(());
        }
        if let Some(queue) = self.pending.get_mut(&document) {
            // Keep the order: this message may build on the ones held back.
            self.pending_bytes += bytes.len();
            queue.push_back((message, signatures));
            return self.check_pending_bound(out);
        }
        self.apply(&document, (message, signatures), bytes.len(), replica, out)
    }

    /// Takes one sync message of the peer's for `document`, or refuses it whole: first who
    /// wrote its changes (signatures), then the message applied to a scratch copy, the
    /// authors' roles ([`policy::judge`]) and the document it makes
    /// ([`hugme_model::admission::admit`]); only then does the held document become the copy.
    fn apply(
        &mut self,
        document: &str,
        (message, signatures): Held,
        size: usize,
        replica: &mut dyn Replica,
        out: &mut Vec<Effect>,
    ) -> Result<()> {
        let kind = self.kinds[document];
        if message.changes.is_empty() && !self.orphans.contains_key(document) {
            return self.take_summary(document, message, replica, out);
        }
        let changes = match policy::parse(&message) {
            Ok(changes) => changes,
            Err(why) => {
                return self.refuse(document, "?", format!("unreadable changes: {why}"), out)
            }
        };
        let roster = self.roster(replica)?;
        let vouched = match self.authorship(document, &changes, &signatures, &roster, replica)? {
            Authorship::Vouched(used) => used,
            Authorship::Waiting { device } => {
                return self.hold(document, (message, signatures), size, &device, out)
            }
            Authorship::Refused { device, why } => return self.refuse(document, &device, why, out),
        };
        let mut base = match replica.document(document)? {
            Some(doc) => doc.clone(),
            None => self.fresh.get(document).cloned().unwrap_or_default(),
        };
        // Changes held back from earlier messages go in first: this one may bring what they
        // lack (if they then fail the checks, they are dropped and this message tried alone).
        let orphans = self.orphans.remove(document).unwrap_or_default();
        if !orphans.is_empty() {
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                base.apply_changes(orphans.clone())
            }));
        }
        let mut checked = self.checked(
            document,
            kind,
            &roster,
            base,
            &message,
            &changes,
            !orphans.is_empty(),
            replica,
        )?;
        if let Checked::Refused { drained: true, .. } = checked {
            // Changes Automerge held back from an earlier message (their dependencies had not
            // come) were applied with this one, and the result fails: they, not this message,
            // may be at fault. This message alone, on the document without them (a held
            // document never keeps held-back changes: they live in the session).
            let clean = match replica.document(document)? {
                Some(doc) => doc.clone(),
                None => self.fresh.get(document).cloned().unwrap_or_default(),
            };
            checked = self.checked(
                document, kind, &roster, clean, &message, &changes, false, replica,
            )?;
        }
        let (mut scratch, state, changed) = match checked {
            Checked::Taken {
                scratch,
                state,
                changed,
            } => (*scratch, state, changed),
            Checked::Unknown { device } => {
                return self.hold(document, (message, signatures), size, &device, out)
            }
            Checked::Refused { device, why, .. } => {
                return self.refuse(document, &device, why, out)
            }
        };
        // What Automerge still holds back stays in this session, not in the document.
        // (No missing dependency at all: nothing waits. The usual case, and a cheap one.)
        let waiting: Vec<automerge::Change> = if scratch.get_missing_deps(&[]).is_empty() {
            Vec::new()
        } else {
            changes
                .iter()
                .chain(&orphans)
                .filter(|c| scratch.get_change_meta_by_hash(&c.hash()).is_none())
                .cloned()
                .collect()
        };
        if !waiting.is_empty() {
            let options = automerge::SaveOptions {
                retain_orphans: false,
                ..Default::default()
            };
            scratch = automerge::AutoCommit::load(&scratch.save_with_options(options))?;
            let mut seen = HashSet::new();
            let kept: Vec<automerge::Change> = waiting
                .into_iter()
                .filter(|c| seen.insert(c.hash()))
                .collect();
            self.orphans.insert(document.to_owned(), kept);
        }
        let has_content = !scratch.get_heads().is_empty();
        // Kept with the document (a signature is stored beside its document), and only a
        // signature whose change is in it: one naming a change Automerge holds back (its
        // dependencies made up, say) would be sent on and vouch for nothing.
        // Signatures checked with an earlier message whose change was held back count too.
        let mut vouched = vouched;
        vouched.extend(self.orphan_signatures.remove(document).unwrap_or_default());
        let named: Vec<ChangeHash> = vouched.iter().map(|s| ChangeHash(s.hash)).collect();
        let present = super::authors::held_of(Some(&mut scratch), &named);
        let (applied, waiting): (Vec<Signature>, Vec<Signature>) = vouched
            .into_iter()
            .filter(|s| !s.signature.is_empty())
            .partition(|s| present.contains(&ChangeHash(s.hash)));
        if self.orphans.contains_key(document) && !waiting.is_empty() {
            self.orphan_signatures.insert(document.to_owned(), waiting);
        }
        match replica.document(document)? {
            Some(doc) => {
                *doc = scratch;
                // Durable before the changes they vouch for, which `save_document` queues
                // after them.
                for signature in &applied {
                    replica.keep_signature(document, signature)?;
                }
            }
            None if has_content => {
                self.fresh.remove(document);
                // Stored in one go: a device killed between a new document and its
                // signatures would hold changes it could pass on but never vouch for, and
                // its peers would hold them back for good.
                replica.insert_document(document, kind, scratch, &applied)?;
                self.listed.insert(document.to_owned());
            }
            None => {
                self.fresh.insert(document.to_owned(), scratch);
            }
        }
        replica.put_sync_state(document, &self.peer, state.encode())?;
        self.states.insert(document.to_owned(), state);
        if changed {
            replica.save_document(document)?;
            self.stats.documents_changed += 1;
            out.push(Effect::DocumentChanged(document.to_owned()));
            // Blobs the peer offered may be referred to now.
            if self.want_referenced(Some(document), replica)? && self.fetch_media {
                self.fetch_more(replica, out)?;
            }
        }
        self.generate(document, replica, out)?;
        if changed && kind == DocumentKind::Class && document == self.class {
            self.roster = None;
            self.retry_pending(replica, out)?;
            self.reconsider_reading(replica, out)?;
        }
        Ok(())
    }

    /// A sync message that carries no change (what the peer has and needs): it cannot change
    /// the document, so it goes to the held copy at once, with no scratch copy to make (most
    /// messages of a session are such, and the document may be large).
    fn take_summary(
        &mut self,
        document: &str,
        message: sync::Message,
        replica: &mut dyn Replica,
        out: &mut Vec<Effect>,
    ) -> Result<()> {
        let mut state = std::mem::take(self.state(document, replica)?);
        let doc = match replica.document(document)? {
            Some(doc) => doc,
            None => self.fresh.entry(document.to_owned()).or_default(),
        };
        let received = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            doc.sync().receive_sync_message(&mut state, message)
        }));
        let taken = matches!(received, Ok(Ok(())));
        if !taken {
            self.states.insert(document.to_owned(), state);
            return self.refuse(document, "?", "Automerge refused its summary".into(), out);
        }
        replica.put_sync_state(document, &self.peer, state.encode())?;
        self.states.insert(document.to_owned(), state);
        self.generate(document, replica, out)
    }

    /// The message applied to `base` (a scratch copy of the document), then judged: the
    /// authors' roles ([`policy::judge`]) and the document it makes
    /// ([`hugme_model::admission::admit`]).
    #[allow(clippy::too_many_arguments)]
    fn checked(
        &mut self,
        document: &str,
        kind: DocumentKind,
        roster: &Roster,
        mut scratch: automerge::AutoCommit,
        message: &sync::Message,
        changes: &[automerge::Change],
        with_orphans: bool,
        replica: &mut dyn Replica,
    ) -> Result<Checked> {
        let mut state = self.state(document, replica)?.clone();
        let before = scratch.get_heads();
        let before_group = policy::group_of(&scratch);
        let received = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            scratch
                .sync()
                .receive_sync_message(&mut state, message.clone())
        }));
        let refused = |device: &str, why: String| Checked::Refused {
            device: device.to_owned(),
            why,
            drained: false,
        };
        match received {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Ok(refused("?", format!("Automerge refused them: {e}"))),
            Err(_) => return Ok(refused("?", "Automerge could not apply them".into())),
        }
        let changed = scratch.get_heads() != before;
        // Changes held back from earlier messages that came in with this one, looked for only
        // when there were such.
        let drained: Vec<automerge::Change> = if changed && with_orphans {
            let ours: HashSet<ChangeHash> = changes.iter().map(|c| c.hash()).collect();
            scratch
                .get_changes(&before)
                .into_iter()
                .filter(|c| !ours.contains(&c.hash()))
                .collect()
        } else {
            Vec::new()
        };
        let group = before_group.clone().or_else(|| policy::group_of(&scratch));
        let verdict = {
            let current = replica.document(document)?.map(|d| &*d);
            policy::judge(roster, kind, current, changes, group.as_ref())
        };
        match verdict {
            Verdict::Allowed => {}
            Verdict::Unknown { device } => return Ok(Checked::Unknown { device }),
            Verdict::Forbidden { device, why } => return Ok(refused(&device, why)),
        }
        if changed && !scratch.get_heads().is_empty() {
            let before_group = before_group.as_ref().map(|g| g.as_str());
            if let Err(why) =
                hugme_model::admission::admit(kind, document, &self.class, before_group, &scratch)
            {
                return Ok(Checked::Refused {
                    device: authors_of(changes.iter().chain(&drained)),
                    why: why.to_string(),
                    drained: !drained.is_empty(),
                });
            }
        }
        Ok(Checked::Taken {
            scratch: Box::new(scratch),
            state,
            changed,
        })
    }

    /// Holds a message back until the roster names its author or a signed change arrives.
    fn hold(
        &mut self,
        document: &str,
        held: Held,
        size: usize,
        device: &str,
        out: &mut Vec<Effect>,
    ) -> Result<()> {
        out.push(Effect::Refused {
            what: format!("changes to {document} by {device}"),
            why: "held back until the class roster names the author and its signed change arrives"
                .into(),
        });
        self.pending_bytes += size;
        self.pending
            .entry(document.to_owned())
            .or_default()
            .push_back(held);
        self.check_pending_bound(out)
    }

    /// Refuses the peer's changes to `document` whole, and tells the peer why.
    fn refuse(
        &mut self,
        document: &str,
        device: &str,
        why: String,
        out: &mut Vec<Effect>,
    ) -> Result<()> {
        self.stats.refused += 1;
        self.refused.insert(document.to_owned());
        send(
            out,
            Message::Refused {
                document: document.to_owned(),
                reason: format!("{device}: {why}"),
            },
        );
        out.push(Effect::Refused {
            what: format!("changes to {document} by {device} (sent by {})", self.peer),
            why,
        });
        Ok(())
    }

    fn roster(&mut self, replica: &mut dyn Replica) -> Result<Roster> {
        if self.roster.is_none() {
            self.roster = Some(super::held_roster(replica, &self.class)?);
        }
        Ok(self.roster.clone().unwrap_or_default())
    }

    pub(super) fn retry_pending(
        &mut self,
        replica: &mut dyn Replica,
        out: &mut Vec<Effect>,
    ) -> Result<()> {
        let held = std::mem::take(&mut self.pending);
        self.pending_bytes = 0;
        for (document, queue) in held {
            for held in queue {
                if self.pending.contains_key(&document) {
                    self.pending
                        .entry(document.clone())
                        .or_default()
                        .push_back(held);
                } else {
                    self.apply(&document, held, 0, replica, out)?;
                }
            }
        }
        Ok(())
    }

    fn check_pending_bound(&mut self, out: &mut Vec<Effect>) -> Result<()> {
        if self.pending_bytes > MAX_PENDING_BYTES {
            out.extend(self.close("too many changes by authors the class does not know".into()));
        }
        Ok(())
    }
}

impl Session {
    /// The changes this side's held-back changes of `document` depend on and it does not hold.
    pub(super) fn missing(
        &mut self,
        document: &str,
        replica: &mut dyn Replica,
    ) -> Result<Vec<ChangeHash>> {
        let Some(orphans) = self.orphans.get(document) else {
            return Ok(Vec::new());
        };
        let waiting: HashSet<ChangeHash> = orphans.iter().map(|c| c.hash()).collect();
        let deps: Vec<ChangeHash> = orphans
            .iter()
            .flat_map(|c| c.deps().iter().copied())
            .filter(|d| !waiting.contains(d))
            .collect();
        let doc = match replica.document(document)? {
            Some(doc) => doc,
            None => self.fresh.entry(document.to_owned()).or_default(),
        };
        let mut missing: Vec<ChangeHash> = deps
            .into_iter()
            .filter(|d| doc.get_change_meta_by_hash(d).is_none())
            .collect();
        missing.sort();
        missing.dedup();
        Ok(missing)
    }
}
