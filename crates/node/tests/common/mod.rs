//! What the node's tests with real devices share: a device's network side started as the
//! app starts it, reach settings, and waiting for what should happen.
// Each test binary uses part of it.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use hugme_app::App;
use hugme_node::enrolment;
use hugme_node::neighbours::Reach;
use hugme_node::{membership, Network};

/// The network side of the device whose folder `app` holds, serving on a free loopback port.
/// `Network::start` runs its own runtime: from a plain thread, as the app does.
pub fn start(app: Arc<App>, reach: Reach) -> Network {
    std::thread::spawn(move || Network::start(app, reach, Some("127.0.0.1:0")))
        .join()
        .unwrap()
        .unwrap()
        .expect("the device is in a class and serves")
}

/// No discovery and no fallback addresses: nothing leaves loopback unless dialled.
pub fn no_reach() -> Reach {
    Reach {
        discovery: false,
        fallbacks: false,
        typed: Vec::new(),
    }
}

/// Finds the teacher's device where the enrolment said, as a tablet does (no multicast).
pub fn enrolment_reach() -> Reach {
    Reach {
        fallbacks: true,
        ..no_reach()
    }
}

/// Waits (at most `within`) until `done`; how long it took.
pub fn until(what: &str, within: Duration, mut done: impl FnMut() -> bool) -> Duration {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < within, "waited in vain for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
    started.elapsed()
}

/// A teacher's device in a new class `name` of `groups`, in `root/<folder>`.
pub fn teacher(root: &std::path::Path, folder: &str, name: &str, groups: &[&str]) -> Arc<App> {
    let dir = root.join(folder);
    enrolment::create_class_as_teacher(&membership::open(&dir).unwrap(), name, groups).unwrap();
    Arc::new(App::open(&dir).unwrap())
}

/// A tablet of group `group` enrolled with the teacher's device serving at `hub`, in
/// `root/<folder>`, its network side started (finding the teacher's device where the
/// enrolment said): (its device id, its app, its network side).
pub fn tablet(
    teacher: &App,
    hub: &str,
    root: &std::path::Path,
    folder: &str,
    group: &str,
) -> (String, Arc<App>, Network) {
    let invitation = enrolment::enrol(teacher, Some(group), false, &[hub.to_owned()], None)
        .unwrap()
        .payload;
    let app = Arc::new(App::open(&root.join(folder)).unwrap());
    let device = enrolment::join(&app, &invitation).unwrap();
    let network = start(app.clone(), enrolment_reach());
    (device, app, network)
}
