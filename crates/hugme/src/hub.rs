//! Sync over the network from a data folder: the device's identity files, and the host that
//! serves sessions and enrolment (`hugme hub`, the app) or syncs once with a peer
//! (`hugme sync`).
//!
//! A hub works on an [`App`]'s open documents (its [`StoreReplica`]): in the app, a pupil's
//! edits and the sessions share them; `hugme hub` opens an `App` of its own.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hugme_store::{now_ms, Store};
use hugme_sync::identity::{Authority, Credentials};
use hugme_sync::net::{Ended, Host};
use hugme_sync::{Message, Replica};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::replica::StoreReplica;
use crate::sync_status::{Neighbourhood, SyncView};
use crate::App;

/// How long media stays paused after a cancel: the lesson's Wi-Fi need has passed by then.
const MEDIA_PAUSE: Duration = Duration::from_secs(10 * 60);

/// Meta keys of a data folder that belongs to a class.
pub const CLASS_KEY: &str = "class_id";
const REVOCATIONS_KEY: &str = "revocations";
pub(crate) const TOKEN_PREFIX: &str = "enrolment:";

/// Where a data folder keeps its certificates and keys.
pub fn identity_dir(dir: &Path) -> PathBuf {
    dir.join("identity")
}

fn read_file(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::Identity(format!("cannot read {}: {e}", path.display())))
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| Error::Identity(format!("cannot create {}: {e}", parent.display())))?;
    }
    let mut file = File::create(path)
        .map_err(|e| Error::Identity(format!("cannot write {}: {e}", path.display())))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| Error::Identity(format!("cannot write {}: {e}", path.display())))
}

/// Saves a device's credentials (and the CA, on the teacher's device).
pub fn save_identity(dir: &Path, creds: &Credentials, authority: Option<&Authority>) -> Result<()> {
    let id = identity_dir(dir);
    write_file(&id.join("class-ca.der"), &creds.authority)?;
    write_file(&id.join("device.der"), &creds.certificate)?;
    write_file(&id.join("device.key"), &creds.key)?;
    if let Some(authority) = authority {
        write_file(&id.join("class-ca.key"), &authority.key())?;
    }
    Ok(())
}

/// The device's credentials, from its data folder.
pub fn load_identity(dir: &Path, store: &Store) -> Result<Credentials> {
    let not_enrolled =
        || Error::Identity("this data folder belongs to no class: create one or join one".into());
    let device = store
        .meta(crate::app::DEVICE_KEY)?
        .ok_or_else(not_enrolled)?;
    let class = store.meta(CLASS_KEY)?.ok_or_else(not_enrolled)?;
    let id = identity_dir(dir);
    Ok(Credentials {
        device,
        class,
        authority: read_file(&id.join("class-ca.der"))?,
        certificate: read_file(&id.join("device.der"))?,
        key: read_file(&id.join("device.key"))?,
    })
}

/// The class CA, if this is the teacher's device that holds it.
pub fn load_authority(dir: &Path, creds: &Credentials) -> Result<Option<Authority>> {
    let key = identity_dir(dir).join("class-ca.key");
    if !key.exists() {
        return Ok(None);
    }
    Ok(Some(Authority::from_parts(
        &creds.class,
        &creds.authority,
        &read_file(&key)?,
    )?))
}

/// The newest revocation list a data folder holds.
pub fn revocations(store: &Store) -> Result<Option<Vec<u8>>> {
    Ok(store
        .meta(REVOCATIONS_KEY)?
        .and_then(|hex| hex::decode(hex).ok()))
}

pub fn set_revocations(store: &Store, der: &[u8]) -> Result<()> {
    Ok(store.set_meta(REVOCATIONS_KEY, &hex::encode(der))?)
}

/// An enrolment a teacher prepared: who the token is for, until when.
#[derive(Debug, Serialize, Deserialize)]
pub struct Invitation {
    pub device: String,
    pub expires_at: i64,
    pub used: bool,
    /// The device's entry in the class list, added when it joins: an invitation nobody uses
    /// leaves no trace in the class. None in invitations made before this existed (their
    /// device was listed at once).
    #[serde(default)]
    pub joins_as: Option<Joining>,
}

/// How a device will be listed in the class once it joins.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Joining {
    pub name: String,
    pub role: hugme_model::DeviceRole,
    pub groups: Vec<hugme_model::GroupId>,
}

pub fn put_invitation(store: &Store, token: &str, invitation: &Invitation) -> Result<()> {
    Ok(store.set_meta(
        &format!("{TOKEN_PREFIX}{token}"),
        &serde_json::to_string(invitation)?,
    )?)
}

/// A data folder on the network: serving (`hugme hub`, the app) or syncing once
/// (`hugme sync`).
#[derive(Debug)]
pub struct Hub {
    app: Arc<App>,
    dir: PathBuf,
    credentials: Credentials,
    authority: Option<Authority>,
    neighbourhood: Arc<Mutex<Neighbourhood>>,
    /// Until when fetching media is paused (a teacher or pupil cancelled a transfer).
    media_paused_until: Mutex<Option<Instant>>,
    /// Set once this device has deleted the class (the term ended): nothing more to sync.
    left_class: tokio::sync::watch::Sender<bool>,
}

impl Hub {
    /// Opens a data folder that belongs to a class.
    pub fn open(dir: &Path) -> Result<Hub> {
        Hub::of(Arc::new(App::open(dir)?), dir)
    }

    /// The open data folder `dir` of `app` on the network: sessions share the app's open
    /// documents, and the app hears of every change they bring.
    pub fn of(app: Arc<App>, dir: &Path) -> Result<Hub> {
        let credentials = load_identity(dir, app.store())?;
        let authority = load_authority(dir, &credentials)?;
        lock(app.documents()).set_class(&credentials);
        let neighbourhood: Arc<Mutex<Neighbourhood>> = Arc::default();
        // Every change here (an edit, or one a peer brought) is pending for the others.
        let changes = app.subscribe();
        let pending = Arc::downgrade(&neighbourhood);
        std::thread::Builder::new()
            .name("hugme-pending".into())
            .spawn(move || {
                for event in changes {
                    let Some(neighbourhood) = pending.upgrade() else {
                        return;
                    };
                    lock(&neighbourhood).changed(&event.id);
                }
            })
            .map_err(|e| Error::Sync(hugme_sync::Error::Io(e)))?;
        Ok(Hub {
            app,
            dir: dir.to_path_buf(),
            credentials,
            authority,
            neighbourhood,
            media_paused_until: Mutex::new(None),
            left_class: tokio::sync::watch::Sender::new(false),
        })
    }

    /// Waits until everything received so far is on disk (media is made durable in the
    /// background, in groups).
    pub fn flush(&self) -> Result<()> {
        Ok(self.app.store().flush()?)
    }

    /// The app whose open documents the sessions share.
    /// Whether this device has deleted the class (its term ended).
    pub fn has_left_class(&self) -> bool {
        *self.left_class.borrow()
    }

    /// Returns once this device has deleted the class.
    pub async fn left_class(&self) {
        let mut seen = self.left_class.subscribe();
        let _ = seen.wait_for(|left| *left).await;
    }

    /// Deletes the class from this device and stops its network side.
    pub fn leave_class(&self) -> Result<()> {
        crate::term::leave_class(&self.app, &self.dir)?;
        self.left_class.send_replace(true);
        Ok(())
    }

    /// The data folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn app(&self) -> &Arc<App> {
        &self.app
    }

    /// The data folder's store (shared with the sessions' replica).
    pub fn store(&self) -> &Store {
        self.app.store()
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

    pub fn is_teacher_device(&self) -> bool {
        self.authority.is_some()
    }

    fn welcome(&self, token: &str, request: &[u8]) -> Result<Message> {
        let authority = self
            .authority
            .as_ref()
            .ok_or_else(|| Error::Identity("only the teacher's device enrols tablets".into()))?;
        // One enrolment at a time: a token is used once, even by two tablets at once.
        static WELCOMING: Mutex<()> = Mutex::new(());
        let _one = lock(&WELCOMING);
        let key = format!("{TOKEN_PREFIX}{token}");
        let invitation: Invitation = self
            .store()
            .meta(&key)?
            .and_then(|json| serde_json::from_str(&json).ok())
            .ok_or_else(|| Error::Identity("this enrolment code is not known here".into()))?;
        if invitation.used {
            return Err(Error::Identity(
                "this enrolment code has been used already".into(),
            ));
        }
        if invitation.expires_at < now_ms() {
            return Err(Error::Identity(
                "this enrolment code has expired: make a new one".into(),
            ));
        }
        let certificate = authority.issue(&invitation.device, request)?;
        let class = self.credentials.class.clone();
        if let Some(joining) = &invitation.joins_as {
            let device = invitation.device.clone();
            let joining = joining.clone();
            self.app.update_class(&class.as_str().into(), |c| {
                if !c.devices.iter().any(|d| d.id.as_str() == device) {
                    c.devices.push(hugme_model::Device {
                        id: hugme_model::DeviceId::from(device.as_str()),
                        name: joining.name,
                        role: joining.role,
                        groups: joining.groups,
                        enrolled_at: now_ms(),
                        revoked: false,
                        left_at: None,
                    });
                }
                Ok(())
            })?;
        }
        put_invitation(
            self.store(),
            token,
            &Invitation {
                used: true,
                ..invitation
            },
        )?;
        let mut replica = lock(self.app.documents());
        let class_document = replica
            .document(&class)
            .map_err(Error::Sync)?
            .map(|d| d.save())
            .ok_or_else(|| Error::NoSuchClass(class.clone()))?;
        let revocations = revocations(replica.store())?.unwrap_or_default();
        Ok(Message::Welcome {
            certificate,
            authority: self.credentials.authority.clone(),
            class_document,
            revocations,
        })
    }
}

impl Host for Hub {
    type Replica = StoreReplica;

    fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    fn replica(&self) -> &Mutex<StoreReplica> {
        self.app.documents()
    }

    fn free_space(&self) -> Option<u64> {
        hugme_store::space::space(self.store().dir())
            .ok()
            .map(|s| s.free)
    }

    fn fetch_media(&self) -> bool {
        !self.media_paused()
    }

    fn keep_fetching_media(&self) -> bool {
        !self.media_paused()
    }

    fn media_progress(&self, peer: &str, done: u64, total: u64) {
        lock(&self.neighbourhood).progress(peer, done, total);
    }

    fn session_ended(&self, ended: &Ended) {
        lock(&self.neighbourhood).ended(ended, now_ms());
        if self.has_left_class() {
            return;
        }
        match self.after_session(ended) {
            Ok(true) => {
                self.log("the class's term has ended: this device deleted the class");
                self.left_class.send_replace(true);
            }
            Ok(false) => {}
            Err(e) => self.log(&format!("ending the term after a session failed: {e}")),
        }
    }

    fn enrol(&self, token: &str, request: &[u8]) -> hugme_sync::Result<Message> {
        self.welcome(token, request)
            .map_err(|e| hugme_sync::Error::Enrolment(e.to_string()))
    }

    fn open_code(&self, slot: &str) -> hugme_sync::Result<hugme_sync::code::OpenCode> {
        if self.authority.is_none() {
            return Err(hugme_sync::Error::Enrolment(
                "only the teacher's device enrols tablets".into(),
            ));
        }
        crate::enrolment::attempt_code(self.store(), slot)
            .map_err(|e| hugme_sync::Error::Enrolment(e.to_string()))
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
