//! The classes on one device: a tablet on a cart serves 5A in the morning and 6B in the
//! afternoon.
//!
//! Each class lives in a data folder of its own: the device's folder holds its first class,
//! and `classes/<slot>/` inside it each further one (`slot` is random: a folder's name says
//! nothing of its class). So classes share nothing by construction: not a key or certificate
//! (each class's CA certifies the device in that class's folder), not a document, a blob, a
//! name or a sync state; a session is always one folder's, on that folder's listener with that
//! class's certificate. The end of a term deletes one folder's class ([`crate::term`]); a
//! teacher's revocation is one folder's revocation list. What the classes do share is the
//! disk: "nearly full" is the disk's, and the media quota is the device's, every class's media
//! counted ([`other_classes_media`]), and every class this program opens fetching within one
//! budget ([`device_budget`]).
//!
//! A further folder left without a class (its term ended, or a join that failed) is removed
//! the next time the classes are opened ([`open_all`]).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use hugme_app::App;
use hugme_sync::MediaBudget;

use crate::error::{Error, FileAction, Result};
use crate::membership;

/// The folder, inside a device's data folder, of its further classes' folders.
pub const CLASSES: &str = "classes";

/// The further class folders of `root` (made or not, in a class or not), in name order.
fn further(root: &Path) -> Result<Vec<PathBuf>> {
    let dir = root.join(CLASSES);
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::file(FileAction::Read, &dir, e)),
    };
    let mut folders: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    folders.sort();
    Ok(folders)
}

/// Opens every class on the device whose data folder is `root`: the root's own (opened even
/// when it belongs to no class, since it is the device's folder: it comes first), then each
/// further folder that belongs to a class. A further folder of no class is removed; one that
/// cannot be opened (damaged, or another program holds it) is left as it is and skipped, so
/// that the other classes still open: `skipped` hears of it.
///
/// # Errors
/// Opening the root ([`membership::open`]: another program uses it, say).
pub fn open_all_or_skip(root: &Path, skipped: &mut dyn FnMut(&Path, Error)) -> Result<Vec<App>> {
    let mut apps = vec![membership::open(root)?];
    for dir in further(root)? {
        let app = match membership::open(&dir) {
            Ok(app) => app,
            Err(e) => {
                skipped(&dir, e);
                continue;
            }
        };
        if membership::class_id(app.store())?.is_some() {
            apps.push(app);
        } else {
            drop(app);
            // What is left of a class whose term ended here, or of a join that failed.
            std::fs::remove_dir_all(&dir).map_err(|e| Error::file(FileAction::Delete, &dir, e))?;
        }
    }
    Ok(apps)
}

/// [`open_all_or_skip`], skipping quietly.
///
/// # Errors
/// Opening the root.
pub fn open_all(root: &Path) -> Result<Vec<App>> {
    open_all_or_skip(root, &mut |_, _| {})
}

/// The data folder a device whose folder is `root` joins a class into (`class`, its id, when
/// known before joining): the root itself while it belongs to no class, or else a new further
/// folder.
///
/// # Errors
/// [`Error::AlreadyInClass`] when a folder of the device already belongs to `class`; opening
/// the folders; [`Error::File`] when the new folder cannot be made.
pub fn folder_to_join(root: &Path, class: Option<&str>) -> Result<PathBuf> {
    let apps = open_all(root)?;
    let mut root_free = false;
    for (i, app) in apps.iter().enumerate() {
        match membership::class_id(app.store())? {
            Some(id) if Some(id.as_str()) == class => return Err(Error::AlreadyInClass),
            None if i == 0 => root_free = true,
            _ => {}
        }
    }
    drop(apps);
    if root_free {
        return Ok(root.to_owned());
    }
    new_folder(root)
}

/// Makes a new further class folder in the device's data folder `root` (to join or create a
/// class into), without opening the others (a program that holds them open may ask).
///
/// # Errors
/// [`Error::File`] when it cannot be made.
pub fn new_folder(root: &Path) -> Result<PathBuf> {
    let slot = uuid::Uuid::new_v4().simple().to_string();
    let dir = root.join(CLASSES).join(&slot[..12]);
    std::fs::create_dir_all(&dir).map_err(|e| Error::file(FileAction::Write, &dir, e))?;
    Ok(dir)
}

/// The open data folder of the class with the id (or, failing that, the name) `class` on the
/// device whose folder is `root`; the root's with none named. The folders are opened once:
/// the one found is handed back open.
///
/// # Errors
/// [`hugme_app::Error::NoSuchClass`] when no folder of the device holds such a class;
/// [`Error::HeldTwice`] when two folders hold a class of that name (name it by its id);
/// opening the folders.
pub fn class_app(root: &Path, class: Option<&str>) -> Result<App> {
    let Some(class) = class else {
        return membership::open(root);
    };
    pick_class(open_all(root)?, class, |app| app)
}

/// Of the open folders `folders` (`app_of` gives each one's app), the one of class `class`
/// (its id, else its name), as [`class_app`] picks it: a running hub asked for a class picks
/// among the folders it holds open the same way.
///
/// # Errors
/// As [`class_app`].
pub fn pick_class<T>(folders: Vec<T>, class: &str, app_of: impl Fn(&T) -> &App) -> Result<T> {
    let (mut by_id, mut by_name) = (Vec::new(), Vec::new());
    for folder in folders {
        let classes = app_of(&folder).classes()?;
        if classes.iter().any(|c| c.id.as_str() == class) {
            by_id.push(folder);
        } else if classes.iter().any(|c| c.name.as_str() == class) {
            by_name.push(folder);
        }
    }
    let mut found = if by_id.is_empty() { by_name } else { by_id };
    match found.len() {
        0 => Err(hugme_app::Error::NoSuchClass(class.to_owned()).into()),
        1 => Ok(found.remove(0)),
        _ => Err(Error::HeldTwice(class.to_owned())),
    }
}

/// The open data folder, of the device whose folder is `root`, that holds document `id` (the
/// root's when none does: its own errors then say so). Opened once, handed back open.
///
/// # Errors
/// [`Error::HeldTwice`] when two folders hold it (a pupil of one class can sync a document
/// of any id into their own: a command must not pick one of the two); opening the folders.
pub fn app_with_document(root: &Path, id: &str) -> Result<App> {
    let mut apps = open_all(root)?;
    let mut holding = Vec::new();
    for (i, app) in apps.iter().enumerate() {
        if app.store().documents()?.iter().any(|d| d.id == id) {
            holding.push(i);
        }
    }
    match holding[..] {
        [] => Ok(apps.swap_remove(0)),
        [i] => Ok(apps.swap_remove(i)),
        _ => Err(Error::HeldTwice(id.to_owned())),
    }
}

/// The device's data folder of a class folder `dir`: itself, or the folder whose `classes/`
/// holds it.
fn device_root(dir: &Path) -> PathBuf {
    match dir.parent() {
        Some(parent) if parent.file_name().is_some_and(|n| n == CLASSES) => parent
            .parent()
            .map_or_else(|| dir.to_owned(), Path::to_owned),
        _ => dir.to_owned(),
    }
}

/// Bytes of media the device's other classes hold (the files in their `blobs/`, transfers
/// under way left out): the media quota is the whole device's, so a class's budget is what
/// the others left. Read from the files, not the other folders' stores (which this program
/// may hold open).
pub fn other_classes_media(dir: &Path) -> u64 {
    fn size(dir: &Path) -> u64 {
        std::fs::read_dir(dir).map_or(0, |entries| {
            entries
                .flatten()
                .map(|e| match e.file_type() {
                    Ok(t) if t.is_dir() && e.file_name() != "tmp" => size(&e.path()),
                    Ok(t) if t.is_file() => e.metadata().map_or(0, |m| m.len()),
                    _ => 0,
                })
                .sum()
        })
    }
    let root = device_root(dir);
    let mut folders = vec![root.clone()];
    folders.extend(further(&root).unwrap_or_default());
    folders
        .iter()
        .filter(|f| f.as_path() != dir)
        .map(|f| size(&f.join("blobs")))
        .sum()
}

/// The media budgets of the devices this program serves, by the device's data folder: every
/// class of a cart tablet that this program opens fetches within one budget.
static BUDGETS: std::sync::Mutex<
    std::collections::BTreeMap<PathBuf, std::sync::Weak<MediaBudget>>,
> = std::sync::Mutex::new(std::collections::BTreeMap::new());

/// The media budget of the device whose class folder is `dir`, shared by every class of the
/// device this program has open (the quota is the whole device's: two classes fetching at
/// once take from one budget). Made when the first class opens: `quota` (bytes) less what
/// `counted` says the device holds (every class's media and transfers under way; asked only
/// then).
///
/// # Errors
/// What `counted` returns.
pub fn device_budget<E>(
    dir: &Path,
    quota: u64,
    counted: impl FnOnce() -> std::result::Result<u64, E>,
) -> std::result::Result<Arc<MediaBudget>, E> {
    let root = budget_key(dir);
    let mut budgets = hugme_task::lock(&BUDGETS);
    if let Some(budget) = budgets.get(&root).and_then(std::sync::Weak::upgrade) {
        return Ok(budget);
    }
    // Devices whose every class closed are forgotten.
    budgets.retain(|_, budget| budget.strong_count() > 0);
    let budget = Arc::new(MediaBudget::new(quota.saturating_sub(counted()?)));
    budgets.insert(root, Arc::downgrade(&budget));
    Ok(budget)
}

/// `bytes` of media left the device's class folder `dir` (a class deleted at the end of its
/// term, media nothing refers to any more): the device's budget, if a class of it is open
/// in this program, may fetch that much more.
pub fn media_deleted(dir: &Path, bytes: u64) {
    let root = budget_key(dir);
    let budget = hugme_task::lock(&BUDGETS)
        .get(&root)
        .and_then(std::sync::Weak::upgrade);
    if let Some(budget) = budget {
        budget.give_back(bytes);
    }
}

/// The device's data folder of a class folder, as the budgets are kept by.
fn budget_key(dir: &Path) -> PathBuf {
    device_root(&dir.canonicalize().unwrap_or_else(|_| dir.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The budget of the device of `dir`, 1,000 bytes less `held` if it is made now.
    fn budget(dir: &Path, held: u64) -> Arc<MediaBudget> {
        device_budget(dir, 1_000, || Ok::<_, Error>(held)).unwrap()
    }

    #[test]
    fn the_classes_of_one_device_fetch_within_one_budget() {
        let device = tempfile::tempdir().unwrap();
        let further = device.path().join(CLASSES).join("a1");
        std::fs::create_dir_all(&further).unwrap();
        let first = budget(device.path(), 100);
        assert_eq!(first.left(), 900);
        let second = device_budget(&further, 1_000, || -> Result<u64> {
            panic!("counted once, by the first")
        })
        .unwrap();
        assert!(Arc::ptr_eq(&first, &second), "one budget for the device");
        assert!(second.take(850));
        assert!(!first.take(100), "what one class took, the other cannot");
        // Another device has its own.
        let other = tempfile::tempdir().unwrap();
        assert_eq!(budget(other.path(), 0).left(), 1_000);
        // Media deleted from one class (its term ended) may be fetched by the other.
        media_deleted(&further, 400);
        assert_eq!(first.left(), 450);
        // Once every class closed, a new opening counts afresh, and a deletion gives back
        // to nobody.
        drop((first, second));
        media_deleted(device.path(), 400);
        assert_eq!(budget(device.path(), 300).left(), 700);
    }

    #[test]
    fn each_class_counts_the_media_of_the_others_on_the_device() {
        let root = tempfile::tempdir().unwrap();
        let second = root.path().join(CLASSES).join("a1");
        let put = |dir: &Path, name: &str, len: usize| {
            let at = dir.join("blobs").join(&name[..2]);
            std::fs::create_dir_all(&at).unwrap();
            std::fs::write(at.join(name), vec![7u8; len]).unwrap();
        };
        put(root.path(), "aa11", 1000);
        put(&second, "bb22", 300);
        put(&second, "bb33", 20);
        // A transfer under way is not counted.
        std::fs::create_dir_all(second.join("blobs/tmp")).unwrap();
        std::fs::write(second.join("blobs/tmp/x"), [0u8; 5000]).unwrap();
        assert_eq!(other_classes_media(root.path()), 320);
        assert_eq!(other_classes_media(&second), 1000);
    }
}
