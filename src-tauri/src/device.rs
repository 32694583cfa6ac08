//! The device's classes as the app holds them: one open data folder and network side per
//! class (`hugme_node::shelf`: a cart tablet of 5A and 6B keeps each in a folder of its own),
//! all syncing, and the one the window shows. Every command works on the shown class's
//! folder only, so nothing of another class is read, served (`media://`) or shown while a
//! class is open: choosing a group of another class shows that class instead. A device
//! already in a class joins another into a new folder ([`Device::join`]).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use hugme_app::App;
use hugme_node::{enrolment, membership, shelf, NetworkSide};

/// The lock's value even if a thread panicked holding it (a list stays a list).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// One class on the device: its open data folder and its network side.
#[derive(Debug)]
struct ClassOnDevice {
    app: Arc<App>,
    network: Arc<NetworkSide>,
}

/// Makes a class's network side, given its place among the device's classes.
type MakeNetwork = dyn Fn(usize, &Arc<App>) -> NetworkSide + Send + Sync;

/// Every class on the device, and which one the window shows (a handle: clones share it).
#[derive(Clone)]
pub struct Device(Arc<Classes>);

struct Classes {
    root: PathBuf,
    classes: Mutex<Vec<ClassOnDevice>>,
    shown: Mutex<usize>,
    make_network: Box<MakeNetwork>,
    /// Whether a join may look for the teacher's device with mDNS.
    discovery: bool,
    /// Held through a join: two at once could both find the class new and join it twice.
    joining: Mutex<()>,
}

impl std::fmt::Debug for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Device")
            .field("root", &self.0.root)
            .field("classes", &lock(&self.0.classes).len())
            .field("shown", &*lock(&self.0.shown))
            .finish_non_exhaustive()
    }
}

/// How a tablet joins: the code typed from the teacher's screen (and addresses typed), or a
/// camera frame that may show the QR code.
#[derive(Debug)]
pub enum Joining {
    Code {
        code: String,
        typed: Vec<String>,
    },
    Frame {
        width: usize,
        height: usize,
        grey: Vec<u8>,
    },
}

impl Device {
    /// The classes of the device whose data folder is `root`, `apps` as
    /// `hugme_node::shelf::open_all` opened them (the root's first), each with its network
    /// side made by `network` (given the class's place in `apps`). The first is shown.
    pub fn new(
        root: PathBuf,
        apps: Vec<Arc<App>>,
        discovery: bool,
        network: impl Fn(usize, &Arc<App>) -> NetworkSide + Send + Sync + 'static,
    ) -> Device {
        let classes = apps
            .into_iter()
            .enumerate()
            .map(|(i, app)| ClassOnDevice {
                network: Arc::new(network(i, &app)),
                app,
            })
            .collect();
        Device(Arc::new(Classes {
            root,
            classes: Mutex::new(classes),
            shown: Mutex::new(0),
            make_network: Box::new(network),
            discovery,
            joining: Mutex::new(()),
        }))
    }

    /// Whether this device listens for others on the network (mDNS), as started.
    pub fn discovery(&self) -> bool {
        self.0.discovery
    }

    /// The shown class's open data folder.
    pub fn app(&self) -> Arc<App> {
        let shown = *lock(&self.0.shown);
        Arc::clone(&lock(&self.0.classes)[shown].app)
    }

    /// The shown class's network side.
    pub fn network(&self) -> Arc<NetworkSide> {
        let shown = *lock(&self.0.shown);
        Arc::clone(&lock(&self.0.classes)[shown].network)
    }

    /// Every class's open data folder, the shown one among them.
    pub fn apps(&self) -> Vec<Arc<App>> {
        lock(&self.0.classes)
            .iter()
            .map(|c| Arc::clone(&c.app))
            .collect()
    }

    /// The open data folder that holds class document `class` (its place among the
    /// device's classes, and the folder), if any does.
    pub fn class_app(&self, class: &str) -> Option<(usize, Arc<App>)> {
        let apps = self.apps();
        // The overview asks at every reload: one class (most devices) needs no looking, and
        // more are told apart by their stores' document lists, not by reading every class.
        if apps.len() == 1 {
            return apps.into_iter().next().map(|app| (0, app));
        }
        apps.into_iter().enumerate().find(|(_, app)| {
            app.store()
                .documents()
                .is_ok_and(|docs| docs.iter().any(|d| d.id == class))
        })
    }

    /// The network side of the class whose folder holds class document `class`; the shown
    /// one's when none does (a teacher's command names its class: what the screen showed
    /// when the teacher acted, whatever is shown by the time the command runs).
    pub fn class_network(&self, class: &str) -> Arc<NetworkSide> {
        match self.class_app(class) {
            Some((i, _)) => Arc::clone(&lock(&self.0.classes)[i].network),
            None => self.network(),
        }
    }

    /// Shows the class at place `i` among the device's classes (from [`Device::class_app`]).
    pub fn show(&self, i: usize) {
        if i < lock(&self.0.classes).len() {
            *lock(&self.0.shown) = i;
        }
    }

    /// Joins a class: into the device's own folder while it belongs to none (as a new
    /// tablet does), or else into a new folder of its own, which then syncs and is shown.
    /// The class's name; `None` for a frame with no code in it. Blocks on the network: call
    /// it off any async runtime.
    ///
    /// # Errors
    /// The join's ([`enrolment::invitation_by_code`], [`enrolment::join`]);
    /// `hugme_node::Error::AlreadyInClass` when the device is in that class already (asked
    /// before joining: nothing is made, and the class lists no second device).
    pub fn join(&self, joining: Joining) -> hugme_node::Result<Option<String>> {
        let _one_at_a_time = lock(&self.0.joining);
        let (first, in_a_class) = {
            let classes = lock(&self.0.classes);
            let first = Arc::clone(&classes[0].network);
            let in_a_class = classes
                .iter()
                .any(|c| membership::class_id(c.app.store()).ok().flatten().is_some());
            (first, in_a_class)
        };
        if !in_a_class {
            return match joining {
                Joining::Code { code, typed } => first.join_by_code(&code, &typed).map(Some),
                Joining::Frame {
                    width,
                    height,
                    grey,
                } => first.join_by_qr(width, height, &grey),
            };
        }
        // The invitation first: its class says whether this device is in it already, before
        // the device asks to join (and is listed in it).
        let payload = match joining {
            Joining::Frame {
                width,
                height,
                grey,
            } => match enrolment::read_qr(width, height, &grey)? {
                Some(payload) => payload,
                None => return Ok(None),
            },
            Joining::Code { code, typed } => {
                let addresses = enrolment::teacher_addresses(&typed, self.0.discovery)?;
                enrolment::invitation_by_code(&code, &addresses)?
            }
        };
        let held = self.apps().iter().any(|a| {
            membership::class_id(a.store()).ok().flatten().as_deref() == Some(&payload.class)
        });
        if held {
            return Err(hugme_node::Error::AlreadyInClass);
        }
        let dir = shelf::new_folder(&self.0.root)?;
        let joined = (|| {
            let app = Arc::new(membership::open(&dir)?);
            enrolment::join(&app, &payload)?;
            Ok((app, payload.class_name.clone()))
        })();
        let (app, name) = match joined {
            Ok(joined) => joined,
            Err(e) => {
                // Nothing of a class this device did not join stays.
                let _ = std::fs::remove_dir_all(&dir);
                return Err(e);
            }
        };
        // Only a join adds a class, and joins take turns: the place is the new class's.
        let place = lock(&self.0.classes).len();
        // Started before the list is locked: commands and media:// read the list meanwhile.
        let network = Arc::new((self.0.make_network)(place, &app));
        lock(&self.0.classes).push(ClassOnDevice { app, network });
        self.show(place);
        Ok(Some(name))
    }
}
