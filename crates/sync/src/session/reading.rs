//! The read policy in a session ([`policy::may_read`]): a group's identities document (its
//! protected pupils' names) is neither announced nor sent to a peer that may not hold it, and
//! one this device may not hold is not taken. Both are judged by the roster as it stands, and
//! again whenever the class document changes in the session (a tablet just enrolled, or moved
//! to another group, is given its group's names without waiting for the next session).

use hugme_model::DocumentKind;

use super::{send, Effect, Session};
use crate::error::Result;
use crate::frame::Message;
use crate::policy;
use crate::replica::Replica;

impl Session {
    /// Whether the peer may be sent document `id` of `kind`.
    pub(super) fn peer_may_read(
        &mut self,
        id: &str,
        kind: DocumentKind,
        replica: &mut dyn Replica,
    ) -> Result<bool> {
        if kind != DocumentKind::Identities {
            return Ok(true);
        }
        let roster = self.roster(replica)?;
        Ok(policy::may_read(&roster, &self.peer, kind, id))
    }

    /// Whether this device may hold document `id` of `kind` (a tablet moved out of a group
    /// still holds its names, and says nothing of them any more).
    pub(super) fn may_hold(
        &mut self,
        id: &str,
        kind: DocumentKind,
        replica: &mut dyn Replica,
    ) -> Result<bool> {
        if kind != DocumentKind::Identities {
            return Ok(true);
        }
        let roster = self.roster(replica)?;
        Ok(policy::may_read(&roster, &self.me, kind, id))
    }

    /// Notes the documents the peer announced that this device may not hold: nothing of them
    /// is asked for or taken.
    pub(super) fn announced(
        &mut self,
        list: Vec<(String, DocumentKind)>,
        replica: &mut dyn Replica,
    ) -> Result<()> {
        for (id, kind) in list {
            if !self.may_hold(&id, kind, replica)? {
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
        let roster = self.roster(replica)?;
        let names = DocumentKind::Identities;
        let spoken: Vec<String> = self
            .kinds
            .iter()
            .filter(|(id, kind)| {
                **kind == names && !self.unreadable.contains(*id) && !self.withheld.contains(*id)
            })
            .map(|(id, _)| id.clone())
            .collect();
        for id in spoken {
            if !policy::may_read(&roster, &self.me, names, &id) {
                self.unreadable.insert(id);
            } else if !policy::may_read(&roster, &self.peer, names, &id) {
                self.withheld.insert(id);
            }
        }
        let now_ours: Vec<String> = self
            .unreadable
            .iter()
            .filter(|id| policy::may_read(&roster, &self.me, names, id))
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
                policy::may_read(&roster, &self.peer, names, id)
                    && policy::may_read(&roster, &self.me, names, id)
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
