//! What a session may say and take ([`policy::may_read`]).
//!
//! A group's identities document (its protected pupils' names) is neither announced nor sent
//! to a peer that may not hold it, and one this device may not hold is not taken. Whether a
//! document is one is read from its id (`identities-…`), never from the kind a peer announces
//! it as (a peer could ask for another group's names announced as a project). The roster is
//! read afresh for each such judgement (the teacher may move a tablet out of a group while a
//! session runs), and every such document is judged again whenever the class document changes
//! in the session (a tablet just enrolled, or given a group, gets its names at once).
//!
//! And a session speaks only of the documents this device listed for the peer's class (and
//! those it took from the peer): a tablet serving several classes holds other classes'
//! documents, which no peer of this class may ask for or write to by naming their ids.

use hugme_model::DocumentKind;

use super::{send, Effect, Session};
use crate::error::Result;
use crate::frame::Message;
use crate::policy;
use crate::replica::Replica;

impl Session {
    /// Whether `device` may hold document `id` (announced as `kind`), by the roster as the
    /// class document says now (not the session's cached copy).
    fn may_read_now(
        &self,
        device: &str,
        id: &str,
        kind: Option<DocumentKind>,
        replica: &mut dyn Replica,
    ) -> Result<bool> {
        if !policy::restricted(id, kind) {
            return Ok(true);
        }
        let roster = super::held_roster(replica, &self.class)?;
        Ok(policy::may_read(&roster, device, id, kind))
    }

    /// Whether the peer may be sent document `id` (announced as `kind`).
    pub(super) fn peer_may_read(
        &self,
        id: &str,
        kind: Option<DocumentKind>,
        replica: &mut dyn Replica,
    ) -> Result<bool> {
        self.may_read_now(&self.peer, id, kind, replica)
    }

    /// Whether this device may hold document `id` (a tablet moved out of a group still holds
    /// its names, and says nothing of them any more).
    pub(super) fn may_hold(
        &self,
        id: &str,
        kind: Option<DocumentKind>,
        replica: &mut dyn Replica,
    ) -> Result<bool> {
        self.may_read_now(&self.me, id, kind, replica)
    }

    /// Whether `id` names a document this device holds but did not list for this peer's
    /// class (another class's, on a tablet serving several): nothing of it is said or taken.
    pub(super) fn unlisted(&mut self, id: &str, replica: &mut dyn Replica) -> Result<bool> {
        Ok(!self.listed.contains(id) && replica.document(id)?.is_some())
    }

    /// Notes the documents the peer announced that this device may not hold: nothing of them
    /// is asked for or taken.
    pub(super) fn announced(
        &mut self,
        list: Vec<(String, DocumentKind)>,
        replica: &mut dyn Replica,
    ) -> Result<()> {
        for (id, kind) in list {
            if !self.may_hold(&id, Some(kind), replica)? || self.unlisted(&id, replica)? {
                self.unreadable.insert(id.clone());
            }
            self.kinds.entry(id).or_insert(kind);
        }
        Ok(())
    }

    /// After the roster changed: documents withheld from the peer that it may now hold are
    /// announced and sent; documents of the peer's this device may now hold are asked for;
    /// and no more is said of those either side may no longer hold.
    pub(super) fn reconsider_reading(
        &mut self,
        replica: &mut dyn Replica,
        out: &mut Vec<Effect>,
    ) -> Result<()> {
        let roster = super::held_roster(replica, &self.class)?;
        let names = Some(DocumentKind::Identities);
        let spoken: Vec<String> = self
            .kinds
            .iter()
            .filter(|(id, kind)| {
                policy::restricted(id, Some(**kind))
                    && !self.unreadable.contains(*id)
                    && !self.withheld.contains(*id)
            })
            .map(|(id, _)| id.clone())
            .collect();
        for id in spoken {
            if !policy::may_read(&roster, &self.me, &id, names) {
                self.unreadable.insert(id);
            } else if !policy::may_read(&roster, &self.peer, &id, names) {
                self.withheld.insert(id);
            }
        }
        let now_ours: Vec<String> = self
            .unreadable
            .iter()
            .filter(|id| {
                policy::restricted(id, None) && policy::may_read(&roster, &self.me, id, names)
            })
            .cloned()
            .collect();
        for id in now_ours {
            self.unreadable.remove(&id);
            self.generate(&id, replica, out)?;
        }
        let now_theirs: Vec<String> = self
            .withheld
            .iter()
            .filter(|id| {
                policy::may_read(&roster, &self.peer, id, names)
                    && policy::may_read(&roster, &self.me, id, names)
            })
            .cloned()
            .collect();
        if !now_theirs.is_empty() {
            send(
                out,
                Message::Documents {
                    list: now_theirs
                        .iter()
                        .map(|id| (id.clone(), DocumentKind::Identities))
                        .collect(),
                },
            );
        }
        for id in now_theirs {
            self.withheld.remove(&id);
            self.kinds.insert(id.clone(), DocumentKind::Identities);
            self.generate(&id, replica, out)?;
        }
        Ok(())
    }
}
