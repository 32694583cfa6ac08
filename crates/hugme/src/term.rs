//! The end of a class's term: after exporting the class, the teacher ends the term, and every
//! enrolled device deletes the class (documents, media, its certificate) the next time it
//! syncs, so that pupils' work does not stay on tablets that serve other classes next term.
//!
//! The order is the class document's `ended_at`, which only a teacher's device may write (the
//! sync policy refuses it from anyone else), so it travels like any change, through the hub or
//! a third device. A tablet deletes the class once a session that brought it is over
//! ([`Hub::after_session`]); its network side stops for good. The teacher's device, once a
//! session with a tablet ended in step (the tablet holds the order), removes that tablet from
//! the class (revokes it), and so the devices list tells who has deleted the class. Last, the
//! teacher may delete the class from the teacher's own device ([`leave_class`]).

use std::path::Path;

use hugme_model::{Class, DeviceRole};
use hugme_store::now_ms;
use hugme_sync::net::{Ended, Host};

use crate::app::App;
use crate::error::{Error, Result};
use crate::hub::{identity_dir, Hub, CLASS_KEY};

impl App {
    /// Ends the class's term: every other device deletes the class when it next syncs.
    /// Teachers only; export the class first.
    pub fn end_term(&self, class: &str) -> Result<()> {
        if !self.is_teacher()? {
            return Err(Error::NotTeacher);
        }
        self.update_class(&class.into(), |c| {
            c.ended_at.get_or_insert(now_ms());
            Ok(())
        })
    }

    /// When the term of the class this data folder belongs to ended, if it did.
    pub fn term_ended(&self) -> Result<Option<i64>> {
        let Some(id) = self.store().meta(CLASS_KEY)? else {
            return Ok(None);
        };
        match self.read::<Class>(&id) {
            Ok(opened) => Ok(opened.value.ended_at),
            Err(Error::Store(hugme_store::Error::NoSuchDocument { .. })) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// The teacher deletes the class from the teacher's own device, last, once its term ended
/// (export first: nothing of it remains anywhere after). Call [`crate::network::Network::leave_class`]
/// instead while the device is on the network.
pub fn check_teacher_may_leave(app: &App) -> Result<()> {
    if !app.is_teacher()? {
        return Err(Error::NotTeacher);
    }
    if app.term_ended()?.is_none() {
        return Err(Error::Identity(
            "end the term first (export the class, then end its term)".into(),
        ));
    }
    Ok(())
}

/// Deletes the class from this data folder: documents and their history, media, sync states,
/// settings and the device's certificate and keys. The folder is then like a new device's.
pub fn leave_class(app: &App, dir: &Path) -> Result<()> {
    {
        // Under the documents' lock: no session or edit writes while the data goes, and none
        // finds anything after (the replica syncs no class from now on).
        let mut replica = app.documents().lock().unwrap_or_else(|p| p.into_inner());
        replica.forget();
        app.store().wipe()?;
    }
    app.forget_device();
    // The rows went in one transaction; the certificate after them: a process killed in
    // between leaves a folder that belongs to no class, with key files nobody reads.
    let identity = identity_dir(dir);
    if identity.exists() {
        std::fs::remove_dir_all(&identity)
            .map_err(|e| Error::Identity(format!("cannot delete {}: {e}", identity.display())))?;
    }
    Ok(())
}

/// Whether `device` deletes the class now, by the class document it holds once the term
/// ended. A group tablet at once (it serves other classes next). A device that may relay for
/// the tablets (another teacher device, a hub) once every group tablet is out of the class, so
/// that a tablet reaching the teacher's device only through it still gets the order.
pub fn deletes_now(class: &Class, device: &str) -> bool {
    if class.ended_at.is_none() {
        return false;
    }
    match class.devices.iter().find(|d| d.id.as_str() == device) {
        Some(d) if d.role != DeviceRole::GroupTablet => class
            .devices
            .iter()
            .filter(|d| d.role == DeviceRole::GroupTablet)
            .all(|d| d.revoked),
        _ => true,
    }
}

impl Hub {
    /// What the end of the term asks after a session: a tablet that now holds the order
    /// deletes the class (`true`: this device has left it); the teacher's device removes a
    /// tablet that the session left holding the order.
    pub(crate) fn after_session(&self, ended: &Ended) -> Result<bool> {
        if self.app().term_ended()?.is_none() {
            return Ok(false);
        }
        if !self.is_teacher_device() {
            return self.leave_if_term_ended();
        }
        if ended.finished && ended.greeted {
            // The peer holds this class document now, so it applies the same rule.
            let class = self.app().read::<Class>(&self.credentials().class)?.value;
            let listed = class
                .devices
                .iter()
                .any(|d| d.id.as_str() == ended.peer && !d.revoked);
            if listed && ended.peer != self.credentials().device && deletes_now(&class, &ended.peer)
            {
                crate::enrolment::revoke_in(self.app(), self.dir(), &ended.peer)?;
                self.log(&format!(
                    "removed {} from the class: it holds the end of the term",
                    ended.peer
                ));
            }
        }
        Ok(false)
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
        }
    }

    #[test]
    fn once_the_class_is_deleted_a_session_still_running_keeps_nothing() {
        use hugme_sync::Replica;
        let dir = tempfile::tempdir().unwrap();
        let app = App::open(dir.path()).unwrap();
        let mut replica = app.documents().lock().unwrap();
        replica.forget();
        let doc = automerge::AutoCommit::new();
        assert!(replica
            .insert_document("p1", hugme_model::DocumentKind::Project, doc)
            .is_err());
        let hash = blake3::hash(b"x").to_hex().to_string();
        assert!(replica.append_partial_blob(&hash, 0, b"x").is_err());
        assert!(replica.finish_partial_blob(&hash).is_err());
        drop(replica);
        assert!(app.store().documents().unwrap().is_empty());
        assert!(app.store().blobs().unwrap().is_empty());
    }

    #[test]
    fn tablets_delete_at_once_and_relaying_devices_once_every_tablet_has() {
        let mut class = Class::new("5B");
        class.devices = vec![
            device("teacher", DeviceRole::Teacher, false),
            device("second-teacher", DeviceRole::Teacher, false),
            device("hub", DeviceRole::Hub, false),
            device("kettu", DeviceRole::GroupTablet, false),
            device("saukot", DeviceRole::GroupTablet, true),
        ];
        assert!(!deletes_now(&class, "kettu"), "not before the term ends");
        class.ended_at = Some(1);
        assert!(deletes_now(&class, "kettu"));
        assert!(
            deletes_now(&class, "unknown"),
            "a device the class does not list"
        );
        assert!(!deletes_now(&class, "hub"), "Kettu may still need the hub");
        assert!(!deletes_now(&class, "second-teacher"));
        class.devices[3].revoked = true;
        assert!(deletes_now(&class, "hub"));
        assert!(deletes_now(&class, "second-teacher"));
    }
}
