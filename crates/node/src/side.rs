//! The app's network side as one value: it decides when this device serves and syncs. It
//! starts with the app when the device belongs to a class, and again when the device creates
//! or joins one; it stops when the class is deleted here. The shell only forwards calls.

use std::sync::{Arc, Mutex};

use hugme_app::api::enrolment::EnrolmentView;
use hugme_app::api::sync::SyncView;
use hugme_app::App;
use hugme_task::lock;

use crate::enrolment;
use crate::error::Result;
use crate::neighbours::Reach;
use crate::network::Network;
use crate::{membership, term};

/// This device's network side in the app: running or not.
#[derive(Debug)]
pub struct NetworkSide {
    app: Arc<App>,
    reach: Reach,
    /// Where to serve (host:port); every address when none.
    listen: Option<String>,
    running: Mutex<Option<Network>>,
    /// Why the network side last failed to start, for the log (the app works offline).
    failed: Mutex<Option<String>>,
}

impl NetworkSide {
    /// The network side of `app`'s data folder, started at once if it belongs to a class (a
    /// failure leaves the app offline: see [`NetworkSide::failure`]).
    pub fn start(app: Arc<App>, reach: Reach, listen: Option<String>) -> NetworkSide {
        let side = NetworkSide {
            app,
            reach,
            listen,
            running: Mutex::new(None),
            failed: Mutex::new(None),
        };
        side.start_if_in_class();
        side
    }

    /// Starts serving and syncing if the device belongs to a class and the side does not run
    /// (a side that stopped when its class was deleted is replaced).
    fn start_if_in_class(&self) {
        let mut running = lock(&self.running);
        if running.as_ref().is_some_and(|n| !n.has_left_class()) {
            return;
        }
        *running =
            match Network::start(self.app.clone(), self.reach.clone(), self.listen.as_deref()) {
                Ok(network) => network,
                Err(e) => {
                    *lock(&self.failed) = Some(e.to_string());
                    None
                }
            };
    }

    /// Why the network side did not start, if it failed to.
    pub fn failure(&self) -> Option<String> {
        lock(&self.failed).clone()
    }

    /// Creates a class on this device, which becomes its teacher's device and CA, and starts
    /// serving the class's devices ([`enrolment::create_class_as_teacher`]).
    pub fn create_class(&self, name: &str, groups: &[&str]) -> Result<()> {
        enrolment::create_class_as_teacher(&self.app, name, groups)?;
        self.start_if_in_class();
        Ok(())
    }

    /// Joins a class with the short code typed from the teacher's screen, asking `typed`
    /// addresses and (with discovery) the teachers' devices heard; then starts syncing. The
    /// class's name. Blocks on the network: call it off any async runtime.
    pub fn join_by_code(&self, code: &str, typed: &[String]) -> Result<String> {
        let addresses = enrolment::teacher_addresses(typed, self.reach.discovery)?;
        let (_, payload) = enrolment::join_by_code(&self.app, code, &addresses)?;
        self.start_if_in_class();
        Ok(payload.class_name)
    }

    /// Reads a camera frame (8-bit grey, row by row); with the teacher's QR code in it, joins
    /// the class and starts syncing. The class's name, or `None` when the frame shows no
    /// code. Blocks on the network: call it off any async runtime.
    pub fn join_by_qr(&self, width: usize, height: usize, grey: &[u8]) -> Result<Option<String>> {
        let Some(payload) = enrolment::read_qr(width, height, grey)? else {
            return Ok(None);
        };
        enrolment::join(&self.app, &payload)?;
        self.start_if_in_class();
        Ok(Some(payload.class_name))
    }

    /// On the teacher's device: lets in a tablet of `group` (a group's name), or a second
    /// teacher device with none; what the screen shows for it, with the addresses where this
    /// device serves.
    pub fn enrol(&self, group: Option<&str>) -> Result<EnrolmentView> {
        let addresses = lock(&self.running)
            .as_ref()
            .map(Network::reachable_at)
            .unwrap_or_default();
        enrolment::enrol(&self.app, group, group.is_none(), &addresses, None)?.view()
    }

    /// Removes a device from the class ([`enrolment::revoke`]).
    pub fn revoke(&self, device: &str) -> Result<()> {
        enrolment::revoke(&self.app, device)?;
        // Its live sessions here end at once, and every peer is told.
        if let Some(network) = lock(&self.running).as_ref() {
            network.node().revocations_changed();
        }
        Ok(())
    }

    /// Deletes the class from the teacher's own device, last, once its term ended; the
    /// network side stops.
    pub fn leave_class(&self) -> Result<()> {
        term::check_teacher_may_leave(&self.app)?;
        let leaving = lock(&self.running).as_ref().map(Network::leaving);
        match leaving {
            // The running side stays where it is: once it has left the class, the next status
            // look says so and drops it; if deleting fails, it goes on as before.
            Some(leave) => leave(),
            None => membership::leave(&self.app, || {}),
        }
    }

    /// The sync status the UI shows (it reads the roster and the disk: call it off the UI's
    /// thread). Once the class was deleted here it says so once, and the side is dropped.
    pub fn status(&self) -> SyncView {
        let status = {
            let mut running = lock(&self.running);
            if running.as_ref().is_some_and(Network::has_left_class) {
                *running = None;
                return SyncView {
                    left_class: true,
                    ..SyncView::off_for(self.app.store().dir())
                };
            }
            running.as_ref().map(Network::status_reader)
        };
        // Read without the lock: a slow disk does not hold up a pause or an enrolment.
        match status {
            Some(read) => read(),
            None => SyncView::off_for(self.app.store().dir()),
        }
    }

    /// Cancels media transfers under way and fetches none for a while (documents go on).
    pub fn pause_media(&self) {
        if let Some(network) = lock(&self.running).as_ref() {
            network.pause_media();
        }
    }

    pub fn resume_media(&self) {
        if let Some(network) = lock(&self.running).as_ref() {
            network.resume_media();
        }
    }
}
