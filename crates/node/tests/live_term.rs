//! The end of the term reaching tablets that are live with the teacher's device: each tablet
//! deletes the class as the order arrives, and the teacher's device removes each one, every
//! time. Real sessions over loopback TCP and TLS, each device's network side on its own thread
//! as in the app.
//!
//! A tablet leaves the moment it holds the order; its last word (that it is in step) must
//! still reach the teacher's device, or the tablet stays in the class list for good.

use std::path::Path;
use std::time::Duration;

use hugme_model::Class;

mod common;
use common::{no_reach, start, tablet, teacher, until};

/// Classes the term is ended in, one after another (the fault was a race).
const ROUNDS: usize = 6;
const TABLETS: usize = 2;

fn one_class(root: &Path, round: usize) {
    let teacher = teacher(
        root,
        &format!("teacher-{round}"),
        "5B",
        &["Ketut", "Karhut"],
    );
    let class = teacher.store().meta("class_id").unwrap().unwrap();
    let serving = start(teacher.clone(), no_reach());
    let hub = serving.addr().to_string();

    let mut tablets = Vec::new();
    for n in 0..TABLETS {
        let folder = format!("tablet-{round}-{n}");
        let (device, _, network) = tablet(&teacher, &hub, root, &folder, "Ketut");
        tablets.push((device, network));
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
