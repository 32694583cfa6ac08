//! This device on the class network: the host that serves sessions and enrolment (the app,
//! `hugme hub`) or syncs once with a peer (`hugme sync`), on every device of a class (the
//! teacher's, a hub's, each group tablet's).
//!
//! A [`Node`] works on an [`App`]'s open documents: in the app, a pupil's edits and the
//! sessions share them; `hugme hub` opens an `App` of its own.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hugme_app::api::sync::SyncView;
use hugme_app::App;
use hugme_model::{Device, DeviceRole};
use hugme_store::{now_ms, Store};
use hugme_sync::error::Refusal;
use hugme_sync::identity::{Authority, Credentials};
use hugme_sync::net::{Ended, Host};
use hugme_sync::policy::role_name;
use hugme_sync::{MediaBudget, Message};
use hugme_task::lock;

use crate::error::{Error, Result};
use crate::membership::invitations::{self, Invitation};
use crate::membership::{self, Identity};
use crate::replica::{ClassReplica, ClassScope};
use crate::sync_status::Neighbourhood;

/// Change notices a live session may fall behind by before it looks at every document.
const CHANGE_NOTICES: usize = 4096;
/// How long media stays paused after a cancel: the lesson's Wi-Fi need has passed by then.
const MEDIA_PAUSE: Duration = Duration::from_secs(10 * 60);
/// The most media a device takes from its peers (bytes of photos, drawings, sound and video
/// in all, every class on it together): a term of a class's work is a few gigabytes. `HUGME_MEDIA_QUOTA` (bytes)
/// sets another.
pub const MEDIA_QUOTA: u64 = 16 << 30;

/// How long live sessions are given, once the class is deleted here, to say their last words
/// and close (ms-scale on a LAN; bounded for a peer that went quiet).
pub const LAST_WORDS: Duration = Duration::from_secs(2);
/// Room over the floor that a live session without media waits for before taking it up.
const RESUME_MARGIN: u64 = 256 << 20;
/// Free room below which no media is fetched (text keeps syncing): the disk's "nearly full"
/// mark. `HUGME_MEDIA_FLOOR` (bytes) sets another.
pub const MEDIA_FLOOR: u64 = hugme_store::space::NEARLY_FULL_BYTES;

/// Why media is not fetched now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NoMedia {
    Paused,
    DiskNearlyFull,
    QuotaReached,
}

/// A limit from the environment, or its default.
fn limit(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

/// A data folder of a class on the network: serving (`hugme hub`, the app) or syncing once
/// (`hugme sync`).
#[derive(Debug)]
pub struct Node {
    app: Arc<App>,
    credentials: Credentials,
    /// The class CA, on the teacher's device that created the class only.
    authority: Option<Authority>,
    /// The class synced, and media being received (the documents are the app's).
    scope: Mutex<ClassScope>,
    neighbourhood: Arc<Mutex<Neighbourhood>>,
    /// Until when fetching media is paused (a teacher or pupil cancelled a transfer).
    media_paused_until: Mutex<Option<Instant>>,
    /// What each address tried of the open short codes (teacher's device).
    code_tries: crate::enrolment::tries::Tries,
    /// Free room (bytes) below which no media is fetched ([`MEDIA_FLOOR`]).
    media_floor: u64,
    /// What the sessions may still fetch together: [`MEDIA_QUOTA`] less what is held.
    media_budget: Arc<MediaBudget>,
    /// Set once this device has deleted the class (the term ended): nothing more to sync.
    left_class: tokio::sync::watch::Sender<bool>,
    /// Ids of documents changed here, for live sessions to push, and the notices of blobs
    /// indexed and revocations (`hugme_sync::session::{BLOBS_INDEXED, REVOCATIONS_CHANGED}`).
    changed: tokio::sync::broadcast::Sender<String>,
}

impl Node {
    /// Opens a data folder that belongs to a class ([`membership::open`]).
    ///
    /// # Errors
    /// [`Error::NotInClass`] when it belongs to none; the store's and the identity files'.
    pub fn open(dir: &Path) -> Result<Node> {
        Node::of(Arc::new(membership::open(dir)?))
    }

    /// The open data folder of `app` on the network: sessions share the app's open
    /// documents, and the app hears of every change they bring.
    ///
    /// # Errors
    /// [`Error::NotInClass`] when the folder belongs to no class; [`Error::File`] when its
    /// identity cannot be read.
    pub fn of(app: Arc<App>) -> Result<Node> {
        let Identity {
            credentials,
            authority,
        } = Identity::load(&app)?;
        let scope = Mutex::new(ClassScope::of(&credentials)?);
        // Sent before this device's signatures, to every peer that has not seen it.
        if app.store().certificate(&credentials.device)?.as_deref()
            != Some(credentials.certificate.as_slice())
        {
            app.store()
                .keep_certificate(&credentials.device, &credentials.certificate)
                .wait()?;
        }
        // What may still be fetched, by every session together: the quota less what is held
        // and what cut-off transfers left.
        let media_quota = limit("HUGME_MEDIA_QUOTA", MEDIA_QUOTA);
        // The device's quota: the other classes on it (a cart tablet's) count too, and every
        // class this program opens fetches within the one budget.
        let store = app.store();
        let media_budget = crate::shelf::device_budget(store.dir(), media_quota, || {
            let held: u64 = store.blobs()?.iter().map(|b| b.size).sum();
            Ok::<_, Error>(
                held + store.partial_bytes() + crate::shelf::other_classes_media(store.dir()),
            )
        })?;
        let neighbourhood: Arc<Mutex<Neighbourhood>> = Arc::default();
        // Every change here (an edit, or one a peer brought) is pending for the others, and
        // goes to every live session at once.
        let changes = app.subscribe();
        let pending = Arc::downgrade(&neighbourhood);
        let (changed, _) = tokio::sync::broadcast::channel(CHANGE_NOTICES);
        let push = changed.clone();
        std::thread::Builder::new()
            .name("hugme-pending".into())
            .spawn(move || {
                for event in changes {
                    let Some(neighbourhood) = pending.upgrade() else {
                        return;
                    };
                    lock(&neighbourhood).changed(&event.id);
                    // No live session: nobody to tell.
                    let _ = push.send(event.id);
                }
            })
            .map_err(Error::Network)?;
        Ok(Node {
            app,
            credentials,
            authority,
            scope,
            neighbourhood,
            media_paused_until: Mutex::new(None),
            code_tries: Default::default(),
            media_floor: limit("HUGME_MEDIA_FLOOR", MEDIA_FLOOR),
            media_budget,
            left_class: tokio::sync::watch::Sender::new(false),
            changed,
        })
    }

    /// Waits until everything received so far is on disk (media is made durable in the
    /// background, in groups).
    pub fn flush(&self) -> Result<()> {
        Ok(self.app.store().flush()?)
    }

    /// Whether this device has deleted the class (its term ended).
    pub fn has_left_class(&self) -> bool {
        *self.left_class.borrow()
    }

    /// Returns once this device has deleted the class and its live sessions have ended by
    /// themselves, their goodbyes written (at most [`LAST_WORDS`] later): whoever stops the
    /// network side then (the app's, a hub's process) cuts nothing off mid-write, and the
    /// teacher's device learns this one left.
    pub async fn left_class(&self) {
        let mut seen = self.left_class.subscribe();
        let _ = seen.wait_for(|left| *left).await;
        self.live_sessions_ended(LAST_WORDS).await;
    }

    /// Deletes the class from this device (everything of it: [`membership`]) and stops its
    /// network side: no session keeps anything from then on.
    pub fn leave_class(&self) -> Result<()> {
        let left = membership::leave(&self.app, || lock(&self.scope).forget());
        // Stopped even when a step failed: nothing of the class is synced again.
        self.left_class.send_replace(true);
        left
    }

    /// The app whose open documents the sessions share.
    pub fn app(&self) -> &Arc<App> {
        &self.app
    }

    /// The data folder's store (shared with the sessions' replica).
    pub fn store(&self) -> &Store {
        self.app.store()
    }

    /// In step with `peer`: whatever the end of the term asks now ([`Node::in_step_with`]).
    fn end_of_term(&self, peer: &str, refused_by_peer: usize) {
        if self.has_left_class() {
            return;
        }
        match self.in_step_with(peer, refused_by_peer) {
            Ok(true) => {
                self.log("the class's term has ended: this device deleted the class");
                self.left_class.send_replace(true);
            }
            Ok(false) => {}
            Err(e) => self.log(&format!("ending the term after a session failed: {e}")),
        }
    }

    /// This device's revocation list changed (a device removed here, or a newer list taken
    /// from a peer): every live session passes it on and ends if its peer is removed.
    pub fn revocations_changed(&self) {
        let _ = self
            .changed
            .send(hugme_sync::session::REVOCATIONS_CHANGED.into());
    }

    /// Blobs were indexed here (stored, or received whole): every live session offers them.
    pub fn blobs_indexed(&self) {
        let _ = self.changed.send(hugme_sync::session::BLOBS_INDEXED.into());
    }

    /// Returns once no live session is open, or after `within`.
    async fn live_sessions_ended(&self, within: std::time::Duration) {
        let deadline = tokio::time::Instant::now() + within;
        // Polled: this runs once, as the device leaves its class.
        while lock(&self.neighbourhood).any_live() && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }

    /// Whether a live session with `device` is open (either side dialled it).
    pub fn is_live(&self, device: &str) -> bool {
        lock(&self.neighbourhood).is_live(device)
    }

    /// A session with `device` could not run (for the status the UI shows).
    pub fn note_failure(&self, device: &str, reason: &str) {
        lock(&self.neighbourhood).failed(device, reason);
    }

    /// Stops fetching photos and videos for a while (the Wi-Fi is needed for something
    /// else): transfers under way end, documents go on syncing.
    pub fn pause_media(&self) {
        *lock(&self.media_paused_until) = Some(Instant::now() + MEDIA_PAUSE);
    }

    pub fn resume_media(&self) {
        *lock(&self.media_paused_until) = None;
    }

    /// Why media is not to be fetched now, if it is not: a pause, a disk with less than
    /// `spare` bytes over the nearly-full floor, or (with `quota`) the media quota reached.
    fn no_media(&self, quota: bool, spare: u64) -> Option<NoMedia> {
        if self.media_paused() {
            return Some(NoMedia::Paused);
        }
        let free = hugme_store::space::space(self.store().dir()).map_or(u64::MAX, |s| s.free);
        if free < self.media_floor.saturating_add(spare) {
            return Some(NoMedia::DiskNearlyFull);
        }
        // The budget is the quota less what is held: nothing left, nothing to ask for.
        if quota && self.media_budget.left() == 0 {
            return Some(NoMedia::QuotaReached);
        }
        None
    }

    fn media_paused(&self) -> bool {
        lock(&self.media_paused_until).is_some_and(|until| Instant::now() < until)
    }

    /// This device's sync with its peers, as the UI shows it.
    pub fn status(&self) -> SyncView {
        let names: Vec<(String, String)> = self
            .app
            .classes()
            .unwrap_or_default()
            .into_iter()
            .flat_map(|c| c.devices)
            .map(|d| (d.id.to_string(), d.name))
            .collect();
        let space = hugme_store::space::space(self.store().dir()).ok();
        let paused = self.media_paused();
        let mut neighbourhood = lock(&self.neighbourhood);
        neighbourhood.media_paused = paused;
        let mut view = neighbourhood.view(space, |device| {
            names
                .iter()
                .find(|(id, _)| id == device)
                .map(|(_, name)| name.clone())
        });
        view.left_class = self.has_left_class();
        view
    }

    /// Whether this is the teacher's device that created the class and holds its CA: the
    /// one that lets devices in and removes them. (Whether a device is a teacher's device at
    /// all is the class roster's to say: `App::is_teacher`.)
    pub fn is_class_authority(&self) -> bool {
        self.authority.is_some()
    }

    fn welcome(&self, token: &str, request: &[u8]) -> Result<Message> {
        let authority = self.authority.as_ref().ok_or(Refusal::NotEnrolling)?;
        // One enrolment at a time: a token is used once, even by two tablets at once.
        static WELCOMING: Mutex<()> = Mutex::new(());
        let _one = lock(&WELCOMING);
        let invitation =
            invitations::invitation(self.store(), token)?.ok_or(Refusal::UnknownInvitation)?;
        if invitation.used {
            return Err(Refusal::UsedInvitation.into());
        }
        if invitation.expires_at < now_ms() {
            return Err(Refusal::ExpiredInvitation.into());
        }
        let role = invitation
            .joins_as
            .as_ref()
            .map_or(DeviceRole::GroupTablet, |j| j.role);
        let certificate = authority.issue(&invitation.device, role_name(role), request)?;
        let class = self.credentials.class.clone();
        if let Some(joining) = &invitation.joins_as {
            let device = invitation.device.clone();
            let joining = joining.clone();
            self.app.update_class(&class.as_str().into(), |c| {
                if !c.devices.iter().any(|d| d.id.as_str() == device) {
                    c.devices.push(Device {
                        id: hugme_model::DeviceId::from(device.as_str()),
                        name: joining.name,
                        role: joining.role,
                        groups: joining.groups,
                        enrolled_at: now_ms(),
                        revoked: false,
                        left_at: None,
                        written_before_removal: Vec::new(),
                    });
                }
                Ok(())
            })?;
        }
        invitations::put_invitation(
            self.store(),
            token,
            &Invitation {
                used: true,
                ..invitation
            },
        )?;
        let mut documents = lock(self.app.documents());
        let class_document = documents
            .open(&class)?
            .map(|d| d.doc_mut().save())
            .ok_or_else(|| hugme_app::Error::NoSuchClass(class.clone()))?;
        let revocations = membership::revocations(documents.store())?.unwrap_or_default();
        drop(documents);
        // What the new device needs to pass the class document on: its authors' signatures
        // (this device's made now, if its newest change is not signed yet) and certificates.
        let (signatures, certificates) = {
            let mut replica = self.replica();
            let mut session = hugme_sync::Session::new(&self.credentials.device, &class, "");
            session.signatures_of(&class, &mut replica)?
        };
        Ok(Message::Welcome {
            certificate,
            authority: self.credentials.authority.clone(),
            class_document,
            revocations,
            signatures,
            certificates,
        })
    }
}

impl Host for Node {
    type Replica<'a> = ClassReplica<'a>;

    fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    fn replica(&self) -> ClassReplica<'_> {
        // The documents first, then the scope: the order of every holder.
        let documents = lock(self.app.documents());
        ClassReplica {
            documents,
            scope: lock(&self.scope),
            signing: Vec::new(),
        }
    }

    fn free_space(&self) -> Option<u64> {
        hugme_store::space::space(self.store().dir())
            .ok()
            .map(|s| s.free)
    }

    fn fetch_media(&self) -> bool {
        match self.no_media(true, 0) {
            None => true,
            Some(NoMedia::Paused) => false,
            Some(why) => {
                self.log(&format!("fetching no media: {why:?}; text keeps syncing"));
                false
            }
        }
    }

    fn media_budget(&self) -> Option<Arc<MediaBudget>> {
        Some(self.media_budget.clone())
    }

    fn may_resume_media(&self) -> bool {
        // The quota too, and room to spare over the floor: a session that took media up at
        // the floor's edge would end at the first blob that crossed it.
        self.no_media(true, RESUME_MARGIN).is_none()
    }

    fn keep_fetching_media(&self) -> bool {
        // The quota when a session starts (a running session's own reservations may have
        // taken the budget to nothing); the pause and the disk at every frame.
        self.no_media(false, 0).is_none()
    }

    fn media_progress(&self, peer: &str, done: u64, total: u64) {
        lock(&self.neighbourhood).progress(peer, done, total);
    }

    fn keep_sessions(&self) -> bool {
        !self.has_left_class()
    }

    fn local_changes(&self) -> Option<tokio::sync::broadcast::Receiver<String>> {
        Some(self.changed.subscribe())
    }

    fn revocations_changed(&self) {
        Node::revocations_changed(self);
    }

    fn session_live(&self, peer: &str, dialled: bool) -> bool {
        let me = &self.credentials.device;
        let dialler = if dialled { me.as_str() } else { peer };
        let live = lock(&self.neighbourhood).live(peer, dialler, me);
        if live && !dialled {
            // (The dialling side says where it found the peer: `neighbours`.)
            self.log(&format!("synced with {peer}: it dialled this device; live"));
        }
        live
    }

    fn session_in_step(&self, peer: &str, in_step: bool, refused_by_peer: usize) {
        lock(&self.neighbourhood).in_step(peer, in_step, now_ms());
        if in_step {
            self.end_of_term(peer, refused_by_peer);
        }
    }

    fn session_ended(&self, ended: &Ended) {
        lock(&self.neighbourhood).ended(ended, now_ms());
        // A live session did this as it came in step.
        if !ended.live && ended.finished && ended.greeted {
            self.end_of_term(&ended.peer, ended.stats.refused_by_peer);
        } else if ended.greeted && ended.peer_left && !self.has_left_class() {
            if let Err(e) = self.after_session(&ended.peer) {
                self.log(&format!("ending the term after a session failed: {e}"));
            }
        }
    }

    fn enrol(&self, token: &str, request: &[u8]) -> hugme_sync::Result<Message> {
        self.welcome(token, request).map_err(|e| {
            let refusal = e.refusal();
            if refusal == Refusal::Other {
                // The tablet hears only that it was refused; the teacher's log says why.
                self.log(&format!("could not let a device in: {e}"));
            }
            hugme_sync::Error::Enrolment(refusal)
        })
    }

    fn open_code(
        &self,
        slot: &str,
        from: std::net::IpAddr,
    ) -> hugme_sync::Result<hugme_sync::code::OpenCode> {
        if self.authority.is_none() {
            return Err(hugme_sync::Error::Enrolment(Refusal::NotEnrolling));
        }
        if !self.code_tries.allow(from, slot) {
            // Not counted against the code: a stranger cannot use up a pupil's code.
            self.log(&format!("{from} tried the open codes too often"));
            return Err(hugme_sync::Error::Enrolment(Refusal::CodeTriedTooOften));
        }
        // A template shared with another teacher's device, else a tablet's invitation.
        let refused = |e: crate::Error| hugme_sync::Error::Enrolment(e.refusal());
        match crate::templates::attempt(self.store(), slot).map_err(refused)? {
            Some(shared) => Ok(shared),
            None => crate::enrolment::attempt_code(self.store(), slot).map_err(refused),
        }
    }
}
