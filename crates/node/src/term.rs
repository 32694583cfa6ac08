//! The end of a class's term: after exporting the class, the teacher ends the term, and every
//! enrolled device deletes the class (documents, media, its certificate), so that pupils'
//! work does not stay on tablets that serve other classes next term.
//!
//! The order is the class document's `ended_at`, which only a teacher's device may write (the
//! sync policy refuses it from anyone else), so it travels like any change. A group tablet
//! deletes the class after a session with a teacher's device that ended in step (that device
//! then knows it holds the order); the teacher's device (the class CA) removes it from the
//! class, marking it `left_at`, and so the devices list tells who has deleted the class. A
//! device that relays for the tablets waits until every tablet is out or got the order from
//! it ([`leaves_after`], [`removes`]). Last, the teacher deletes the class from the teacher's
//! own device too ([`crate::NetworkSide::leave_class`]).
//!
//! Deleting is made to finish: a marker file is written first and removed last, and a program
//! stopped in between finishes at its next start ([`crate::membership::open`]).

use hugme_app::App;
use hugme_model::{Class, DeviceRole};
use hugme_store::now_ms;
use hugme_sync::net::Host;

use crate::error::{Error, Result};
use crate::membership;
use crate::node::Node;

/// When the term of the class this data folder belongs to ended, if it did.
pub fn term_ended(app: &App) -> Result<Option<i64>> {
    let Some(id) = membership::class_id(app.store())? else {
        return Ok(None);
    };
    match app.read::<Class>(&id) {
        Ok(opened) => Ok(opened.value.ended_at),
        Err(hugme_app::Error::Store(hugme_store::Error::NoSuchDocument { .. })) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Whether the teacher may delete the class from the teacher's own device now: last, once its
/// term ended (export first: nothing of it remains anywhere after). The app deletes it with
/// [`crate::NetworkSide::leave_class`].
///
/// # Errors
/// [`hugme_app::Error::NotTeacher`] on another device; [`Error::TermNotEnded`] before the
/// term ends.
pub fn check_teacher_may_leave(app: &App) -> Result<()> {
    if !app.is_teacher()? {
        return Err(hugme_app::Error::NotTeacher.into());
    }
    if term_ended(app)?.is_none() {
        return Err(Error::TermNotEnded);
    }
    Ok(())
}

/// The role `device` has in the class, if the class lists it.
fn role_of(class: &Class, device: &str) -> Option<DeviceRole> {
    class
        .devices
        .iter()
        .find(|d| d.id.as_str() == device)
        .map(|d| d.role)
}

/// Whether this device (`me`, not the teacher's device that holds the class CA) deletes the
/// class after a session with `peer` that ended in step, once the term ended. A group tablet
/// does after such a session with a teacher's device: that device now knows it holds the
/// order (and the teacher's device removes it). A device that relays for the tablets (another
/// teacher device, a hub) does once every group tablet is removed or got the order from it
/// (`handed`): a tablet reaching the teacher only through it still gets the order.
pub fn leaves_after(class: &Class, me: &str, peer: &str, handed: &[String]) -> bool {
    if class.ended_at.is_none() {
        return false;
    }
    match role_of(class, me) {
        Some(DeviceRole::GroupTablet) | None => role_of(class, peer) == Some(DeviceRole::Teacher),
        Some(_) => class
            .devices
            .iter()
            .filter(|d| d.role == DeviceRole::GroupTablet)
            .all(|d| d.revoked || handed.iter().any(|h| h == d.id.as_str())),
    }
}

/// Whether the teacher's device (the class CA) removes `peer` after a session that ended in
/// step once the term ended: the peer then holds the order, and deletes the class by
/// [`leaves_after`].
pub fn removes(class: &Class, peer: &str) -> bool {
    let listed = class
        .devices
        .iter()
        .any(|d| d.id.as_str() == peer && !d.revoked);
    listed
        && class.ended_at.is_some()
        && match role_of(class, peer) {
            Some(DeviceRole::GroupTablet) => true,
            _ => class
                .devices
                .iter()
                .filter(|d| d.role == DeviceRole::GroupTablet)
                .all(|d| d.revoked),
        }
}

/// Whether `ended_at`, as read from the class document, is set (not absent, not null).
fn is_set(
    read: std::result::Result<
        Option<(automerge::Value<'_>, automerge::ObjId)>,
        automerge::AutomergeError,
    >,
) -> bool {
    matches!(
        read,
        Ok(Some((automerge::Value::Scalar(v), _))) if !matches!(*v, automerge::ScalarValue::Null)
    )
}

impl Node {
    /// Whether the class document says its term ended: one key of it read, not the whole
    /// class (a live session asks each time it comes in step, after every pushed keystroke).
    fn term_over(&self) -> bool {
        use automerge::ReadDoc;
        let mut documents = hugme_task::lock(self.app().documents());
        let Ok(Some(class)) = documents.open(&self.credentials().class) else {
            return false;
        };
        is_set(class.doc().get(automerge::ROOT, "ended_at"))
    }

    /// Whether `peer` holds the end of the term: the class document as it stood at the heads
    /// this device knows the peer has (Automerge's sync state with it, `shared_heads`, kept
    /// after every message the peer sent) has `ended_at`. A peer that refused the order never
    /// claims those heads; one that claims them falsely only has itself removed.
    fn peer_holds_order(&self, peer: &str) -> bool {
        use automerge::ReadDoc;
        let class = &self.credentials().class;
        let Ok(Some(bytes)) = self.store().sync_state(class, peer) else {
            return false;
        };
        let Ok(state) = automerge::sync::State::decode(&bytes) else {
            return false;
        };
        if state.shared_heads.is_empty() {
            return false;
        }
        let mut documents = hugme_task::lock(self.app().documents());
        let Ok(Some(doc)) = documents.open(class) else {
            return false;
        };
        is_set(
            doc.doc()
                .get_at(automerge::ROOT, "ended_at", &state.shared_heads),
        )
    }

    /// What the end of the term asks once a session with `peer` is in step (a live one as it
    /// comes in step, a one-off one as it ends): this device deletes the class (`true`: it has
    /// left it), or the teacher's device removes the peer that now holds the order.
    /// `refused_by_peer`: changes of this device's the peer refused in the session.
    pub(crate) fn in_step_with(&self, peer: &str, refused_by_peer: usize) -> Result<bool> {
        // A session in which the peer refused changes of this device's is not in step: the
        // peer may not hold the order (a forged one, say, that it refused).
        if refused_by_peer > 0 || !self.term_over() {
            return Ok(false);
        }
        let class = self.app().read::<Class>(&self.credentials().class)?.value;
        if class.ended_at.is_none() {
            return Ok(false);
        }
        self.handed_to(&class, peer)?;
        if self.is_class_authority() {
            return Ok(false);
        }
        let handed = membership::term_handed(self.app().store())?;
        if leaves_after(&class, &self.credentials().device, peer, &handed) {
            self.leave_class()?;
            return Ok(true);
        }
        Ok(false)
    }

    /// A session with `peer` ended with the peer saying it deleted the class
    /// (`LEFT_THE_CLASS`): if it holds the order, the teacher's device removes it, a relay
    /// notes it handed on. (A tablet deletes the class the moment it comes in step, and its
    /// last Done may cross a change this side had just pushed: this side is then not in step.)
    /// Holding the order alone is not enough: a tablet that has it but is still fetching
    /// media has not deleted anything yet, and once removed it could never sync to do so.
    pub(crate) fn after_session(&self, peer: &str) -> Result<()> {
        if !self.term_over() || !self.peer_holds_order(peer) {
            return Ok(());
        }
        let class = self.app().read::<Class>(&self.credentials().class)?.value;
        self.handed_to(&class, peer)
    }

    /// `peer` holds the order: the teacher's device removes it from the class (marking it
    /// `left_at`); a relay notes the group tablet among those it handed the order to.
    fn handed_to(&self, class: &Class, peer: &str) -> Result<()> {
        if self.is_class_authority() {
            if peer != self.credentials().device && removes(class, peer) {
                crate::enrolment::revoke(self.app(), peer)?;
                self.revocations_changed();
                let at = now_ms();
                self.app().update_class(&class.id, |c| {
                    if let Some(d) = c.devices.iter_mut().find(|d| d.id.as_str() == peer) {
                        d.left_at = Some(at);
                    }
                    Ok(())
                })?;
                self.log(&format!(
                    "removed {} from the class: it holds the end of the term",
                    peer
                ));
            }
            return Ok(());
        }
        let store = self.app().store();
        let mut handed = membership::term_handed(store)?;
        if role_of(class, peer) == Some(DeviceRole::GroupTablet)
            && !handed.iter().any(|h| h == peer)
        {
            handed.push(peer.to_owned());
            membership::set_term_handed(store, &handed)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hugme_model::{Device, DeviceId};

    fn device(id: &str, role: DeviceRole, revoked: bool) -> Device {
        Device {
            id: DeviceId::from(id),
            name: id.into(),
            role,
            groups: Vec::new(),
            enrolled_at: 0,
            revoked,
            left_at: None,
            written_before_removal: Vec::new(),
        }
    }

    fn class() -> Class {
        let mut class = Class::new("5B");
        class.devices = vec![
            device("teacher", DeviceRole::Teacher, false),
            device("laptop", DeviceRole::Teacher, false),
            device("kettu", DeviceRole::GroupTablet, false),
            device("saukot", DeviceRole::GroupTablet, false),
            device("lost", DeviceRole::GroupTablet, true),
        ];
        class
    }

    #[test]
    fn a_tablet_leaves_after_a_session_with_a_teacher_device_once_the_term_ended() {
        let mut class = class();
        assert!(
            !leaves_after(&class, "kettu", "teacher", &[]),
            "not before the term ends"
        );
        class.ended_at = Some(1);
        assert!(leaves_after(&class, "kettu", "teacher", &[]));
        assert!(leaves_after(&class, "kettu", "laptop", &[]));
        assert!(
            !leaves_after(&class, "kettu", "saukot", &[]),
            "from another tablet: it keeps the order until a teacher's device knows"
        );
        assert!(leaves_after(&class, "unlisted", "teacher", &[]));
    }

    #[test]
    fn a_relaying_device_leaves_once_every_tablet_is_out_or_got_the_order_from_it() {
        let mut class = class();
        class.ended_at = Some(1);
        assert!(!leaves_after(&class, "laptop", "teacher", &[]));
        assert!(!leaves_after(&class, "laptop", "kettu", &["kettu".into()]));
        assert!(leaves_after(
            &class,
            "laptop",
            "saukot",
            &["kettu".into(), "saukot".into()]
        ));
        class.devices[2].revoked = true;
        class.devices[3].revoked = true;
        assert!(leaves_after(&class, "laptop", "teacher", &[]));
    }

    #[test]
    fn the_teacher_removes_tablets_at_once_and_relays_once_every_tablet_is_out() {
        let mut class = class();
        assert!(!removes(&class, "kettu"), "not before the term ends");
        class.ended_at = Some(1);
        assert!(removes(&class, "kettu"));
        assert!(!removes(&class, "lost"), "already removed");
        assert!(!removes(&class, "stranger"));
        assert!(!removes(&class, "laptop"), "tablets may still need it");
        class.devices[2].revoked = true;
        class.devices[3].revoked = true;
        assert!(removes(&class, "laptop"));
    }

    #[test]
    fn once_the_class_is_deleted_a_session_still_running_keeps_nothing() {
        use crate::replica::{ClassReplica, ClassScope};
        use hugme_sync::Replica;
        let dir = tempfile::tempdir().unwrap();
        let app = App::open(dir.path()).unwrap();
        let scope = std::sync::Mutex::new(ClassScope::default());
        let mut replica = ClassReplica {
            documents: app.documents().lock().unwrap(),
            scope: scope.lock().unwrap(),
            signing: Vec::new(),
        };
        replica.scope.forget();
        let doc = automerge::AutoCommit::new();
        assert!(replica
            .insert_document("p1", hugme_model::DocumentKind::Project, doc, &[])
            .is_err());
        let hash = blake3::hash(b"x").to_hex().to_string();
        assert!(replica.append_partial_blob(&hash, 0, b"x").is_err());
        assert!(replica.finish_partial_blob(&hash).is_err());
        drop(replica);
        assert!(app.store().documents().unwrap().is_empty());
        assert!(app.store().blobs().unwrap().is_empty());
    }
}
