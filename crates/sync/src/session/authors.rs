//! Authorship in a session: the certificates and signatures sent with this side's changes,
//! and the check of who wrote the peer's ([`crate::authorship`]) before anything else is
//! looked at.

use std::collections::HashSet;

use automerge::{Change, ChangeHash};

use super::{send, Effect, Session};
use crate::authorship::{self, Certified, Signature, Unvouched};
use crate::error::Result;
use crate::frame::Message;
use crate::policy::{self, actor_for, Roster};
use crate::replica::Replica;

/// Which of `hashes` a held document has. One pass through Automerge's change graph (a held
/// document holds no changes waiting for dependencies: those stay in the session), not a
/// lookup of each change's metadata, which costs as much as the document's history.
pub(super) fn held_of(
    doc: Option<&mut automerge::AutoCommit>,
    hashes: &[ChangeHash],
) -> HashSet<ChangeHash> {
    let Some(doc) = doc else {
        return HashSet::new();
    };
    let missing: HashSet<ChangeHash> = doc.get_missing_deps(hashes).into_iter().collect();
    hashes
        .iter()
        .filter(|h| !missing.contains(h))
        .copied()
        .collect()
}

/// What the authorship check says of a message's changes.
pub(super) enum Authorship {
    /// Every change is its author's; these signatures vouched for them (to keep).
    Vouched(Vec<Signature>),
    /// A signed change is not in hand yet: hold the message back.
    Waiting { device: String },
    /// Refused whole: a change its author did not sign, a signature that does not verify, a
    /// removed device's change made after its removal.
    Refused { device: String, why: String },
}

impl Session {
    /// A certificate the peer passed on: kept once the class CA's signature on it checks; a
    /// forged one ends the session.
    pub(super) fn take_certificate(
        &mut self,
        der: &[u8],
        replica: &mut dyn Replica,
        out: &mut Vec<Effect>,
    ) -> Result<()> {
        match authorship::certified(der, replica.authority(), &self.class) {
            Ok(certified) => {
                if replica.certificate(&certified.device)?.as_deref() != Some(der) {
                    replica.keep_certificate(&certified.device, der)?;
                }
                self.certified.insert(certified.device.clone(), certified);
            }
            Err(e) => out.extend(self.close(format!("{} sent {e}", self.peer))),
        }
        Ok(())
    }

    /// A device's checked certificate: passed on in this session, or held.
    fn certified_of(
        &mut self,
        device: &str,
        replica: &mut dyn Replica,
    ) -> Result<Option<Certified>> {
        if let Some(c) = self.certified.get(device) {
            return Ok(Some(c.clone()));
        }
        let Some(der) = replica.certificate(device)? else {
            return Ok(None);
        };
        let Ok(certified) = authorship::certified(&der, replica.authority(), &self.class) else {
            return Ok(None);
        };
        self.certified.insert(device.to_owned(), certified.clone());
        Ok(Some(certified))
    }

    /// The signatures to send with a sync message of document `id` that carries changes:
    /// this device's over its newest change there (made now if the newest is not signed
    /// yet), and the newest held of every other author. Each signer's certificate goes out
    /// first, once per session.
    pub(super) fn outgoing_signatures(
        &mut self,
        id: &str,
        replica: &mut dyn Replica,
        out: &mut Vec<Effect>,
    ) -> Result<Vec<Signature>> {
        let signatures = self.signed(id, replica)?;
        for signer in signatures
            .iter()
            .map(|s| s.signer.clone())
            .collect::<Vec<_>>()
        {
            if self.certificates_sent.contains(&signer) {
                continue;
            }
            if let Some(der) = replica.certificate(&signer)? {
                send(out, Message::Certificate { der });
                self.certificates_sent.insert(signer);
            }
        }
        Ok(signatures)
    }

    /// The signatures of `document`'s authors a device passes on with it, and their
    /// certificates: enrolment hands them to a new device with the class document.
    pub fn signatures_of(
        &mut self,
        document: &str,
        replica: &mut dyn Replica,
    ) -> Result<(Vec<Signature>, Vec<Vec<u8>>)> {
        let signatures = self.signed(document, replica)?;
        let mut certificates = Vec::new();
        for signature in &signatures {
            certificates.extend(replica.certificate(&signature.signer)?);
        }
        Ok((signatures, certificates))
    }

    /// The newest signature of each author of document `id`; this device's own made now if
    /// its newest change there is not signed yet.
    fn signed(&mut self, id: &str, replica: &mut dyn Replica) -> Result<Vec<Signature>> {
        let mut signatures = replica.signatures(id)?;
        let newest_own = replica.document(id)?.and_then(|doc| {
            // Automerge finds "its own" newest change by the document's actor: the device's.
            doc.set_actor(actor_for(&self.me));
            doc.get_last_local_change().map(|c| (c.hash().0, c.seq()))
        });
        if let Some((hash, seq)) = newest_own {
            let held = signatures
                .iter()
                .any(|s| s.signer == self.me && s.hash == hash);
            if let (false, Some(key)) = (held, replica.signing_key()) {
                let own = key.sign(&self.class, id, hash, seq)?;
                replica.keep_signature(id, &own)?;
                signatures.retain(|s| s.signer != self.me);
                signatures.push(own);
            }
        }
        Ok(signatures)
    }

    /// Who wrote the received `changes` to `document`: each change not held already must be
    /// vouched for by its author's verified signature ([`authorship::vouch`]); a removed
    /// device's change only up to what the teacher's device held of it when removing it.
    pub(super) fn authorship(
        &mut self,
        document: &str,
        changes: &[Change],
        signatures: &[Signature],
        roster: &Roster,
        replica: &mut dyn Replica,
    ) -> Result<Authorship> {
        // The received changes the document has already, and the changes signatures name
        // that it has (a change held is its author's already).
        let stored = replica.signatures(document)?;
        let asked: Vec<ChangeHash> = changes
            .iter()
            .map(Change::hash)
            .chain(signatures.iter().chain(&stored).map(|s| ChangeHash(s.hash)))
            .collect();
        let held = held_of(replica.document(document)?, &asked);
        let mut authors: Vec<String> = changes
            .iter()
            .filter(|c| !held.contains(&c.hash()))
            .map(|c| policy::device_of(c.actor_id()))
            .collect();
        authors.sort();
        authors.dedup();
        // A removed device: what the teacher's device held of it when removing it stays,
        // nothing else. Its own signatures count for nothing any more (its key may be in
        // anyone's hands); the roster's record of its newest change then vouches instead.
        let mut removed = HashSet::new();
        for device in &authors {
            if replica.is_revoked(device)? || roster.device(device).is_some_and(|d| d.revoked) {
                removed.insert(device.clone());
            }
        }
        let cutoffs: Vec<Signature> = removed
            .iter()
            .filter_map(|device| {
                let written = roster
                    .device(device)?
                    .written_before_removal
                    .iter()
                    .find(|w| w.document == document)?;
                Some(Signature {
                    signer: device.clone(),
                    hash: written.hash.parse::<ChangeHash>().ok()?.0,
                    seq: written.changes,
                    // Not a signature: the teacher's signed roster vouches for it.
                    signature: Vec::new(),
                })
            })
            .collect();
        let cutoff_hashes: Vec<ChangeHash> = cutoffs.iter().map(|c| ChangeHash(c.hash)).collect();
        let held_cutoffs = held_of(replica.document(document)?, &cutoff_hashes);
        let held: HashSet<ChangeHash> = held.into_iter().chain(held_cutoffs).collect();
        // Sequence numbers are stored as SQLite integers: a change numbered past them is no
        // change any device made.
        if let Some(c) = changes.iter().find(|c| i64::try_from(c.seq()).is_err()) {
            return Ok(Authorship::Refused {
                device: policy::device_of(c.actor_id()),
                why: format!("change number {} is past any device's", c.seq()),
            });
        }
        let mut verified = Vec::new();
        for device in &authors {
            if removed.contains(device) {
                verified.extend(cutoffs.iter().filter(|c| &c.signer == device).cloned());
                continue;
            }
            let Some(certified) = self.certified_of(device, replica)? else {
                let signed = signatures.iter().any(|s| &s.signer == device);
                return Ok(Authorship::Refused {
                    device: device.clone(),
                    why: if signed {
                        "no certificate of the class names this author".into()
                    } else {
                        "its changes carry no signature of it".into()
                    },
                });
            };
            if certified.role.as_deref().is_some_and(|role| {
                roster
                    .device(device)
                    .is_some_and(|entry| policy::role_name(entry.role) != role)
            }) {
                return Ok(Authorship::Refused {
                    device: device.clone(),
                    why: "the roster gives this device a role its certificate does not".into(),
                });
            }
            for signature in signatures.iter().filter(|s| &s.signer == device) {
                if !certified.verifies(&self.class, document, signature) {
                    return Ok(Authorship::Refused {
                        device: device.clone(),
                        why: "a signature that does not verify".into(),
                    });
                }
                verified.push(signature.clone());
            }
            // Checked when it was kept: it may name a change still waiting for its
            // dependencies in this session.
            verified.extend(stored.iter().filter(|s| &s.signer == device).cloned());
        }
        let earlier = self.orphans.get(document).map_or(&[][..], Vec::as_slice);
        match authorship::vouch(changes, |h| held.contains(h), earlier, &verified) {
            Ok(used) => Ok(Authorship::Vouched(used.into_iter().cloned().collect())),
            Err(Unvouched::Waiting { device }) => Ok(Authorship::Waiting { device }),
            Err(Unvouched::Forged { device, .. }) if removed.contains(&device) => {
                Ok(Authorship::Refused {
                    device,
                    why: "a change the teacher's device did not hold when it removed the device \
                          from the class"
                        .into(),
                })
            }
            Err(Unvouched::Forged { device, why }) => Ok(Authorship::Refused { device, why }),
        }
    }
}
