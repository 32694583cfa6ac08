//! A session that stays open: this device's own changes pushed as they happen.
//!
//! The adapter hears of every document that changed on this device (a pupil's edit, or a
//! change another peer brought: store and forward) and hands them here a few milliseconds'
//! worth at a time. Each one's sync message goes at once; Automerge sends nothing for a
//! document the peer already holds as it is, so a change that came from this very peer costs
//! nothing. A document new to the session (just created here) is announced first, under the
//! same reading rules as at the start; blobs indexed since the peer was last told are offered.

use hugme_model::DocumentKind;

use super::{send, Effect, Session};

/// The notice that this device's revocation list changed (a device removed here, or a newer
/// list taken from a peer): each live session passes it on and ends if its peer is removed.
pub const REVOCATIONS_CHANGED: &str = "\u{1}revocations";
/// The notice that a blob was indexed here: each live session offers it.
pub const BLOBS_INDEXED: &str = "";
use crate::error::Result;
use crate::frame::Message;
use crate::replica::Replica;

impl Session {
    /// Documents `ids` changed on this device; with `everything`, all of them may have (the
    /// adapter missed some notices). Returns the frames to send.
    pub fn local_changes(
        &mut self,
        ids: &[String],
        everything: bool,
        replica: &mut dyn Replica,
    ) -> Vec<Effect> {
        let mut out = Vec::new();
        // A one-off peer is told only of what was here when it began (it ends once in step).
        if !self.greeted || self.closed || !self.peer_live {
            return out;
        }
        // Documents changed here: what they refer to is read again when the peer offers more.
        self.referenced = None;
        if everything || ids.iter().any(|id| id == REVOCATIONS_CHANGED) {
            if let Some(closed) = self.close_if_revoked(replica) {
                return closed;
            }
            if let Err(e) = self.send_newer_revocations(replica, &mut out) {
                return self.fail(e);
            }
        }
        if let Err(e) = self.push(ids, everything, replica, &mut out) {
            out.extend(self.fail(e));
            return out;
        }
        self.maybe_say_done(replica, &mut out);
        out
    }

    fn push(
        &mut self,
        ids: &[String],
        everything: bool,
        replica: &mut dyn Replica,
        out: &mut Vec<Effect>,
    ) -> Result<()> {
        // The notices are not documents: blobs are offered below, revocations were handled.
        let mut ids: Vec<String> = ids
            .iter()
            .filter(|id| *id != BLOBS_INDEXED && *id != REVOCATIONS_CHANGED)
            .cloned()
            .collect();
        if everything {
            ids.extend(self.kinds.keys().cloned());
        }
        if everything || ids.iter().any(|id| !self.kinds.contains_key(id)) {
            self.announce_new(&mut ids, replica, out)?;
        }
        ids.sort();
        ids.dedup();
        for id in &ids {
            if self.kinds.contains_key(id) {
                self.generate(id, replica, out)?;
            }
        }
        if ids.contains(&self.class) {
            // The roster moved here (a tablet given a group): what each side may hold too.
            self.reconsider_reading(replica, out)?;
        }
        self.offer_new_blobs(replica, out)
    }

    /// Announces the documents of this class that the session has not spoken of yet (made
    /// here since it began), those the peer may hold; adds them to `ids`.
    fn announce_new(
        &mut self,
        ids: &mut Vec<String>,
        replica: &mut dyn Replica,
        out: &mut Vec<Effect>,
    ) -> Result<()> {
        let mut new: Vec<(String, DocumentKind)> = Vec::new();
        for doc in replica.documents()? {
            if self.kinds.contains_key(&doc.id) || self.withheld.contains(&doc.id) {
                continue;
            }
            self.listed.insert(doc.id.clone());
            if self.peer_may_read(&doc.id, Some(doc.kind), replica)?
                && self.may_hold(&doc.id, Some(doc.kind), replica)?
            {
                new.push((doc.id, doc.kind));
            } else {
                self.withheld.insert(doc.id);
            }
        }
        if new.is_empty() {
            return Ok(());
        }
        // The class document first, as at the start: its roster judges the rest.
        new.sort_by_key(|(id, kind)| (*kind != DocumentKind::Class, id.clone()));
        send(out, Message::Documents { list: new.clone() });
        for (id, kind) in new {
            self.kinds.insert(id.clone(), kind);
            ids.push(id);
        }
        Ok(())
    }

    /// Offers the peer the blobs indexed here since it was last told (a photo just taken, or
    /// one that arrived from another peer).
    pub(super) fn offer_new_blobs(
        &mut self,
        replica: &mut dyn Replica,
        out: &mut Vec<Effect>,
    ) -> Result<()> {
        let generation = replica.blob_generation()?;
        if generation == self.blob_generation {
            return Ok(());
        }
        self.blob_generation = generation;
        let new: Vec<(String, u64)> = replica
            .blobs()?
            .into_iter()
            .filter(|(hash, _)| !self.blobs_offered.contains(hash))
            .collect();
        if new.is_empty() {
            return Ok(());
        }
        self.blobs_offered
            .extend(new.iter().map(|(hash, _)| hash.clone()));
        send(out, Message::Have { blobs: new });
        Ok(())
    }
}
