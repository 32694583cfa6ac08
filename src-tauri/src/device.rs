//! The device's classes as the app holds them: one open data folder and network side per
//! class (`hugme_node::shelf`: a cart tablet of 5A and 6B keeps each in a folder of its own),
//! all syncing, and the one the window shows. Every command works on the shown class's
//! folder only, so nothing of another class is read, served (`media://`) or shown while a
//! class is open: choosing a group of another class shows that class instead.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use hugme_app::App;
use hugme_node::NetworkSide;

/// The lock's value even if a thread panicked holding it (an index stays an index).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// One class on the device: its open data folder and its network side.
#[derive(Debug)]
struct ClassOnDevice {
    app: Arc<App>,
    network: Arc<NetworkSide>,
}

/// Every class on the device, and which one the window shows (a handle: clones share it).
#[derive(Debug, Clone)]
pub struct Device(Arc<Classes>);

#[derive(Debug)]
struct Classes {
    root: PathBuf,
    classes: Vec<ClassOnDevice>,
    shown: Mutex<usize>,
}

impl Device {
    /// The classes of the device whose data folder is `root`, `apps` as
    /// `hugme_node::shelf::open_all` opened them (the root's first), each with its network
    /// side made by `network` (given the class's place in `apps`). The first is shown.
    pub fn new(
        root: PathBuf,
        apps: Vec<Arc<App>>,
        network: impl Fn(usize, &Arc<App>) -> NetworkSide,
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
            classes,
            shown: Mutex::new(0),
        }))
    }

    /// The device's data folder.
    pub fn root(&self) -> &std::path::Path {
        &self.0.root
    }

    /// The shown class's open data folder.
    pub fn app(&self) -> Arc<App> {
        Arc::clone(&self.0.classes[*lock(&self.0.shown)].app)
    }

    /// The shown class's network side.
    pub fn network(&self) -> Arc<NetworkSide> {
        Arc::clone(&self.0.classes[*lock(&self.0.shown)].network)
    }

    /// Every class's open data folder, the shown one among them.
    pub fn apps(&self) -> impl Iterator<Item = &Arc<App>> {
        self.0.classes.iter().map(|c| &c.app)
    }

    /// The open data folder that holds class document `class` (its place among the
    /// device's classes, and the folder), if any does.
    pub fn class_app(&self, class: &str) -> Option<(usize, Arc<App>)> {
        self.0
            .classes
            .iter()
            .position(|c| {
                c.app
                    .classes()
                    .is_ok_and(|cs| cs.iter().any(|k| k.id.as_str() == class))
            })
            .map(|i| (i, Arc::clone(&self.0.classes[i].app)))
    }

    /// Shows the class at place `i` among the device's classes (from [`Device::class_app`]).
    pub fn show(&self, i: usize) {
        if i < self.0.classes.len() {
            *lock(&self.0.shown) = i;
        }
    }
}
