//! The end of the term reaching tablets that are live with the teacher's device: each tablet
//! deletes the class as the order arrives, and the teacher's device removes each one, every
//! time. Real sessions over loopback TCP and TLS, each device's network side on its own thread
//! as in the app.
//!
//! A tablet leaves the moment it holds the order; its last word (that it is in step) must
//! still reach the teacher's device, or the tablet stays in the class list for good.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hugme_app::App;
use hugme_model::Class;
use hugme_node::enrolment;
use hugme_node::neighbours::Reach;
use hugme_node::{membership, Network};

/// Classes the term is ended in, one after another (the fault was a race).
const ROUNDS: usize = 6;
const TABLETS: usize = 2;

fn start(app: Arc<App>, reach: Reach) -> Network {
    // `Network::start` runs its own runtime: from a plain thread, as the app does.
    std::thread::spawn(move || Network::start(app, reach, Some("127.0.0.1:0")))
        .join()
        .unwrap()
        .unwrap()
        .expect("the device is in a class and serves")
}

fn until(what: &str, within: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + within;
    while !done() {
        assert!(Instant::now() < deadline, "waited in vain for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn no_reach() -> Reach {
    Reach {
        discovery: false,
        fallbacks: false,
        typed: Vec::new(),
    }
}

fn one_class(root: &Path, round: usize) {
    let teacher_dir = root.join(format!("teacher-{round}"));
    enrolment::create_class_as_teacher(
        &membership::open(&teacher_dir).unwrap(),
        "5B",
        &["Ketut", "Karhut"],
    )
    .unwrap();
    let teacher = Arc::new(App::open(&teacher_dir).unwrap());
    let class = teacher.store().meta("class_id").unwrap().unwrap();
    let serving = start(teacher.clone(), no_reach());
    let hub = serving.addr().to_string();

    let mut tablets = Vec::new();
    for n in 0..TABLETS {
        let invitation = enrolment::enrol(
            &teacher,
            Some("Ketut"),
            false,
            std::slice::from_ref(&hub),
            None,
        )
        .unwrap()
        .payload;
        let app = App::open(&root.join(format!("tablet-{round}-{n}"))).unwrap();
        let device = enrolment::join(&app, &invitation).unwrap();
        // Found where the invitation said (the enrolment address), as the app finds it.
        let reach = Reach {
            fallbacks: true,
            ..no_reach()
        };
        tablets.push((device, start(Arc::new(app), reach)));
    }
    for (device, _) in &tablets {
        until("each tablet live", Duration::from_secs(20), || {
            serving.node().is_live(device)
        });
    }

    teacher.end_term(&class).unwrap();
    for (device, network) in &tablets {
        until(
            &format!("round {round}: {device} deletes the class"),
            Duration::from_secs(10),
            || network.has_left_class(),
        );
    }
    until(
        &format!("round {round}: the teacher's device removes every tablet"),
        Duration::from_secs(10),
        || {
            let roster = teacher.read::<Class>(&class).unwrap().value;
            tablets.iter().all(|(device, _)| {
                roster
                    .devices
                    .iter()
                    .any(|d| d.id.as_str() == device && d.revoked)
            })
        },
    );
}

#[test]
fn every_live_tablet_leaves_and_is_removed_when_the_teacher_ends_the_term() {
    let root = tempfile::tempdir().unwrap();
    for round in 0..ROUNDS {
        one_class(root.path(), round);
    }
}
