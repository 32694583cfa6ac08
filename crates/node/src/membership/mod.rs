//! What a device knows about its class, as typed values, and where each is kept: the one
//! place that reads and writes them.
//!
//! In the data folder's `identity/` folder: the device's certificate and key, the class CA's
//! certificate, and on the teacher's device that created the class the CA's key
//! ([`Identity`]). In the store's meta table, one key each: the class this device belongs to,
//! the newest revocation list, the invitations and open short codes the teacher's device
//! made ([`invitations`]), the tablets a relaying device handed the end of the term to, and
//! the ways back to peers ([`addresses`]). Beside the database, the marker of a class being
//! deleted ([`open`] finishes what a stopped program left).
//!
//! The device id itself is the app's (`hugme_app::App::device`): every change is written
//! with it as the actor.

pub mod addresses;
pub mod invitations;

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use hugme_app::App;
use hugme_model::DeviceRole;
use hugme_store::Store;
use hugme_sync::identity::{Authority, Credentials};

use crate::error::{Error, FileAction, Result};

/// The meta keys of a device's membership. Their names and value formats are those of the
/// data folders already on tablets: changing one loses what a device knew.
#[derive(Debug, Clone, Copy)]
enum Key<'a> {
    /// The class id, as it is.
    Class,
    /// The newest revocation list, DER in hex.
    Revocations,
    /// An invitation (JSON) by its one-time token ([`invitations`]).
    Invitation(&'a str),
    /// An open short code (JSON) by its slot ([`invitations`]).
    Code(&'a str),
    /// The tablets a relaying device handed the end of the term to (JSON list of ids).
    TermHanded,
    /// Where each device was last reached (JSON, [`addresses`]).
    LastSeen,
    /// The teacher's addresses of the enrolment this device joined with (JSON list).
    EnrolmentHubs,
    /// The devices this teacher's device removed from the class, oldest first (JSON list):
    /// the one source of its revocation lists, only ever added to.
    Removals,
}

impl Key<'_> {
    fn name(self) -> String {
        match self {
            Key::Class => "class_id".into(),
            Key::Revocations => "revocations".into(),
            Key::Invitation(token) => format!("enrolment:{token}"),
            Key::Code(slot) => format!("enrolment_code:{slot}"),
            Key::TermHanded => "term_handed".into(),
            Key::LastSeen => "neighbours".into(),
            Key::EnrolmentHubs => "enrolment_hubs".into(),
            Key::Removals => "removals".into(),
        }
    }

    fn get(self, store: &Store) -> Result<Option<String>> {
        Ok(store.meta(&self.name())?)
    }

    fn set(self, store: &Store, value: &str) -> Result<()> {
        Ok(store.set_meta(&self.name(), value)?)
    }

    /// A JSON value; one that cannot be read (written by a newer version, say) is none.
    fn get_json<T: serde::de::DeserializeOwned>(self, store: &Store) -> Result<Option<T>> {
        Ok(self
            .get(store)?
            .and_then(|json| serde_json::from_str(&json).ok()))
    }

    fn set_json<T: serde::Serialize + ?Sized>(self, store: &Store, value: &T) -> Result<()> {
        self.set(store, &serde_json::to_string(value)?)
    }
}

/// The class this data folder belongs to, if any.
pub fn class_id(store: &Store) -> Result<Option<String>> {
    Key::Class.get(store)
}

/// The class this data folder belongs to.
///
/// # Errors
/// [`Error::NotInClass`] when it belongs to none.
pub fn own_class_id(store: &Store) -> Result<String> {
    class_id(store)?.ok_or(Error::NotInClass)
}

pub(crate) fn set_class_id(store: &Store, class: &str) -> Result<()> {
    Key::Class.set(store, class)
}

/// The newest revocation list this data folder holds (DER), unverified.
pub fn revocations(store: &Store) -> Result<Option<Vec<u8>>> {
    Ok(Key::Revocations
        .get(store)?
        .and_then(|hex| hex::decode(hex).ok()))
}

pub(crate) fn set_revocations(store: &Store, der: &[u8]) -> Result<()> {
    Key::Revocations.set(store, &hex::encode(der))
}

/// The devices this teacher's device removed from the class, oldest first.
pub(crate) fn removals(store: &Store) -> Result<Vec<String>> {
    Ok(Key::Removals.get_json(store)?.unwrap_or_default())
}

/// Adds a device to this teacher's device's record of removals (nothing is ever taken out).
pub(crate) fn add_removal(store: &Store, device: &str) -> Result<Vec<String>> {
    let mut removed = removals(store)?;
    if !removed.iter().any(|d| d == device) {
        removed.push(device.to_owned());
        Key::Removals.set_json(store, &removed)?;
    }
    Ok(removed)
}

/// The tablets a relaying device handed the end of the term to.
pub(crate) fn term_handed(store: &Store) -> Result<Vec<String>> {
    Ok(Key::TermHanded.get_json(store)?.unwrap_or_default())
}

pub(crate) fn set_term_handed(store: &Store, handed: &[String]) -> Result<()> {
    Key::TermHanded.set_json(store, handed)
}

/// A device's certificates and keys, kept in its data folder's `identity/` folder.
#[derive(Debug)]
pub struct Identity {
    pub credentials: Credentials,
    /// The class CA, on the teacher's device that created the class only.
    pub authority: Option<Authority>,
}

/// Where a data folder keeps its certificates and keys.
pub fn identity_dir(dir: &Path) -> PathBuf {
    dir.join("identity")
}

const CA_CERTIFICATE: &str = "class-ca.der";
const CA_KEY: &str = "class-ca.key";
const CERTIFICATE: &str = "device.der";
const KEY: &str = "device.key";

impl Identity {
    /// The identity of the data folder of `app`.
    ///
    /// # Errors
    /// [`Error::NotInClass`] when the folder belongs to no class; [`Error::File`] when a file
    /// of it cannot be read.
    pub fn load(app: &App) -> Result<Identity> {
        let store = app.store();
        let device = app.device().ok_or(Error::NotInClass)?;
        let class = own_class_id(store)?;
        let id = identity_dir(store.dir());
        let credentials = Credentials {
            device,
            class,
            authority: read_file(&id.join(CA_CERTIFICATE))?,
            certificate: read_file(&id.join(CERTIFICATE))?,
            key: read_file(&id.join(KEY))?,
        };
        let key = id.join(CA_KEY);
        let authority = if key.exists() {
            Some(Authority::from_parts(
                &credentials.class,
                &credentials.authority,
                &read_file(&key)?,
            )?)
        } else {
            None
        };
        Ok(Identity {
            credentials,
            authority,
        })
    }

    /// Saves the identity into data folder `dir`, every file durably.
    pub(crate) fn save(&self, dir: &Path) -> Result<()> {
        let id = identity_dir(dir);
        let creds = &self.credentials;
        write_private(&id.join(CA_CERTIFICATE), &creds.authority)?;
        write_private(&id.join(CERTIFICATE), &creds.certificate)?;
        write_private(&id.join(KEY), &creds.key)?;
        if let Some(authority) = &self.authority {
            write_private(&id.join(CA_KEY), &authority.key())?;
        }
        Ok(())
    }
}

fn read_file(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::file(FileAction::Read, path, e))
}

/// Writes a file only its user may read (0600 on Unix), its folder made if missing, and makes
/// it durable: keys, certificates, and the enrolment payloads and QR codes the command line
/// writes (a one-time token that lets a device into the class).
///
/// # Errors
/// [`Error::File`] naming the file or folder that could not be written.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::file(FileAction::Write, parent, e))?;
    }
    let mut options = File::options();
    options.create(true).truncate(true).write(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .map_err(|e| Error::file(FileAction::Write, path, e))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| Error::file(FileAction::Write, path, e))
}

/// The file that says a class is being deleted from the data folder: written (and made
/// durable) first, removed last, so a program stopped in between finishes at its next start.
const LEAVING: &str = "leaving-class";

/// Opens the data folder `dir`, first finishing the deletion of a class that a stopped
/// program left half done (documents, media, identity), and deleting media no document refers
/// to any more (`crate::media_collection`): every program opens a data folder of a class
/// this way.
///
/// # Errors
/// The store's (another program uses the folder, say), or [`Error::File`].
pub fn open(dir: &Path) -> Result<App> {
    let app = App::open(dir)?;
    if dir.join(LEAVING).exists() {
        finish_leaving(&app)?;
    }
    certify(&app);
    // Housekeeping, before anything syncs or writes a blob here: what cannot be done now is
    // done at a later open (the folder opens all the same).
    let _ = app.move_protected_names_out();
    if let Ok((_, bytes)) = crate::media_collection::collect_daily(&app) {
        crate::shelf::media_deleted(dir, bytes);
    }
    Ok(app)
}

/// Tells the app the role this folder's class certificate names, once the certificate checks
/// against the class CA and names this device (none: no class, or no valid certificate). The
/// app's teacher commands need it: a roster edited on a pupil's tablet does not make it a
/// teacher's. Called wherever a folder is opened, created into a class or joins one.
pub(crate) fn certify(app: &App) {
    let role = Identity::load(app).ok().and_then(|identity| {
        let creds = identity.credentials;
        let certified =
            hugme_sync::authorship::certified(&creds.certificate, &creds.authority, &creds.class)
                .ok()?;
        if certified.device != creds.device {
            return None;
        }
        [
            DeviceRole::Teacher,
            DeviceRole::GroupTablet,
            DeviceRole::Hub,
        ]
        .into_iter()
        .find(|r| certified.role.as_deref() == Some(hugme_sync::policy::role_name(*r)))
    });
    app.set_certified_role(role);
}

/// Deletes the class from the data folder of `app`: documents and their history, media, sync
/// states, settings, and the device's certificate and keys. The folder is then like a new
/// device's. `stop` runs under the documents' lock before anything goes (the network side
/// stops syncing there).
pub(crate) fn leave(app: &App, stop: impl FnOnce()) -> Result<()> {
    let dir = app.store().dir().to_owned();
    let marker = dir.join(LEAVING);
    File::create(&marker)
        .and_then(|f| f.sync_all())
        .and_then(|()| File::open(&dir)?.sync_all())
        .map_err(|e| Error::file(FileAction::Write, &marker, e))?;
    finish_leaving_with(app, stop)
}

fn finish_leaving(app: &App) -> Result<()> {
    finish_leaving_with(app, || {})?;
    // Nothing of the old class runs in this new program: the folder takes documents and
    // media again. (After a deletion in a running program it waits for a new class, so
    // that a session still running writes nothing back: `App::set_device`.)
    app.store().resume();
    Ok(())
}

fn finish_leaving_with(app: &App, stop: impl FnOnce()) -> Result<()> {
    let dir = app.store().dir().to_owned();
    let media = app
        .store()
        .blobs()
        .map_or(0, |blobs| blobs.iter().map(|b| b.size).sum::<u64>())
        + app.store().partial_bytes();
    // Each step is tried even when one before failed: as little as possible stays.
    let wiped = app.wipe(stop);
    if wiped.is_ok() {
        // The device's other classes may fetch what this one held.
        crate::shelf::media_deleted(&dir, media);
    }
    let identity = identity_dir(&dir);
    let removed = if identity.exists() {
        std::fs::remove_dir_all(&identity)
            .map_err(|e| Error::file(FileAction::Delete, &identity, e))
    } else {
        Ok(())
    };
    wiped?;
    removed?;
    let marker = dir.join(LEAVING);
    std::fs::remove_file(&marker).map_err(|e| Error::file(FileAction::Delete, &marker, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deletion_cut_off_by_a_stopped_program_is_finished_at_the_next_start() {
        let dir = tempfile::tempdir().unwrap();
        {
            let app = open(dir.path()).unwrap();
            app.add_media(b"kuva luokasta").unwrap();
            set_class_id(app.store(), "class-1").unwrap();
            std::fs::create_dir_all(identity_dir(dir.path())).unwrap();
            std::fs::write(identity_dir(dir.path()).join(KEY), b"key").unwrap();
            // Stopped right after it began.
            std::fs::write(dir.path().join(LEAVING), b"").unwrap();
        }
        let app = open(dir.path()).unwrap();
        assert!(app.store().blobs().unwrap().is_empty());
        assert_eq!(class_id(app.store()).unwrap(), None);
        assert!(!identity_dir(dir.path()).exists());
        assert!(!dir.path().join(LEAVING).exists());
        app.add_media(b"uusi luokka").unwrap();
    }

    #[test]
    fn a_deleted_class_gives_its_media_back_to_the_devices_other_classes() {
        // A cart tablet: 6B's folder inside the device's, 5A's class open with the budget.
        let device = tempfile::tempdir().unwrap();
        let further = device.path().join(crate::shelf::CLASSES).join("b6");
        let app = open(&further).unwrap();
        let photo = app.add_media(&[7u8; 5_000]).unwrap();
        set_class_id(app.store(), "class-6b").unwrap();
        let budget =
            crate::shelf::device_budget(device.path(), 100_000, || Ok::<_, Error>(60_000)).unwrap();
        assert_eq!(budget.left(), 40_000);
        leave(&app, || {}).unwrap();
        assert!(app.store().blob_size(&photo.hash).unwrap().is_none());
        assert_eq!(budget.left(), 45_000, "6B's photo no longer counts");
    }

    #[test]
    fn the_meta_keys_keep_the_names_and_formats_of_the_folders_on_tablets() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        set_class_id(&store, "c-1").unwrap();
        set_revocations(&store, &[1, 2, 255]).unwrap();
        set_term_handed(&store, &["kettu".into()]).unwrap();
        assert_eq!(store.meta("class_id").unwrap().as_deref(), Some("c-1"));
        assert_eq!(
            store.meta("revocations").unwrap().as_deref(),
            Some("0102ff")
        );
        assert_eq!(
            store.meta("term_handed").unwrap().as_deref(),
            Some("[\"kettu\"]")
        );
        assert_eq!(revocations(&store).unwrap(), Some(vec![1, 2, 255]));
        assert_eq!(term_handed(&store).unwrap(), ["kettu"]);
        store.set_meta("term_handed", "not json").unwrap();
        assert!(term_handed(&store).unwrap().is_empty());
    }
}
