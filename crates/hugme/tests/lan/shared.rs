//! One tablet of two classes on the classroom network: each class's teacher's device finds it
//! by mDNS alone (no remembered or enrolment address), each through that class's record.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::class::path;
use crate::net::Lan;

fn count(log: &Path, text: &str) -> usize {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .matches(text)
        .count()
}

#[test]
fn a_tablet_of_two_classes_is_found_by_both_teachers_devices_by_mdns_alone() {
    let root = tempfile::tempdir().unwrap();
    let mut lan = Lan::new(3);
    let tablet = root.path().join("tablet");
    let mut devices = Vec::new();
    let mut logs = Vec::new();
    // Hosts 0 and 1: the teachers' devices of 5A and 6B; host 2: the cart's tablet.
    for (host, class, group) in [(0, "5A", "Ketut"), (1, "6B", "Karhut")] {
        let teacher = root.path().join(format!("teacher-{class}"));
        lan.run(
            host,
            &[
                "class",
                "create",
                path(&teacher),
                "--name",
                class,
                "--group",
                group,
            ],
        );
        let hub = format!("{}:7420", lan.ip(host));
        let payload = root.path().join(format!("{class}.json"));
        lan.run(
            host,
            &[
                "enrol",
                path(&teacher),
                "--group",
                group,
                "--hub",
                &hub,
                "-o",
                path(&payload),
            ],
        );
        let log = root.path().join(format!("hub-{class}.log"));
        lan.spawn(
            host,
            &["hub", path(&teacher), "--listen", &hub, "--mdns-only"],
            &log,
        );
        let deadline = Instant::now() + Duration::from_secs(20);
        let joined = loop {
            let (ok, out) = lan.try_run(2, &["join", path(&tablet), "--payload", path(&payload)]);
            if ok {
                break out;
            }
            assert!(Instant::now() < deadline, "the tablet cannot join {class}");
            std::thread::sleep(Duration::from_millis(200));
        };
        devices.push(joined.trim().rsplit(' ').next().unwrap().to_owned());
        logs.push(log);
    }
    let listen = format!("{}:7420", lan.ip(2));
    let tablet_log = root.path().join("tablet.log");
    lan.spawn(
        2,
        &["hub", path(&tablet), "--listen", &listen, "--mdns-only"],
        &tablet_log,
    );
    let started = Instant::now();
    let deadline = started + Duration::from_secs(30);
    // "synced with <device>" is said once a session with it is greeted: each teacher's device
    // must greet the tablet as its own class's device.
    while !(0..2).all(|i| count(&logs[i], &format!("synced with {}", devices[i])) > 0) {
        assert!(
            Instant::now() < deadline,
            "not found by both: {}\n{}\n{}",
            std::fs::read_to_string(&logs[0]).unwrap_or_default(),
            std::fs::read_to_string(&logs[1]).unwrap_or_default(),
            std::fs::read_to_string(&tablet_log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    eprintln!(
        "both teachers' devices were live with the tablet {} ms after it started",
        started.elapsed().as_millis()
    );
    // Neither greeted the other class's device.
    for i in 0..2 {
        assert_eq!(
            count(&logs[i], &format!("synced with {}", devices[1 - i])),
            0
        );
    }
    lan.stop_all();
}
