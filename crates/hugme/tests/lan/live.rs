//! Live sessions on a real network (network namespaces, mDNS): a tablet whose Wi-Fi is gone
//! for a minute, and a teacher's device killed and started again, are live again within 20 s
//! of coming back.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::class::{path, Class};
use crate::net::{ip, Lan};

/// Lines of `log` that contain `text`.
fn count(log: &Path, text: &str) -> usize {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .matches(text)
        .count()
}

/// Waits until `f` is true; how long that took.
fn within(what: &str, limit: Duration, f: impl Fn() -> bool) -> Duration {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < limit, "not within {limit:?}: {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
    start.elapsed()
}

#[test]
fn a_tablet_off_the_wifi_for_a_minute_and_a_restarted_teachers_device_are_live_again_within_20_s() {
    let root = tempfile::tempdir().unwrap();
    let mut lan = Lan::new(3);
    let class = Class::enrol(&mut lan, root.path(), &["Ketut", "Karhut"], &[]);
    let logs: Vec<_> = (0..3)
        .map(|i| root.path().join(format!("hub-{i}.log")))
        .collect();
    for (i, dir) in class.tablets.iter().enumerate() {
        let listen = format!("{}:7420", lan.ip(i + 1));
        lan.spawn(
            i + 1,
            &["hub", path(dir), "--listen", &listen],
            &logs[i + 1],
        );
    }
    // "synced with" is said once per live session, by both sides.
    let sessions = |log: &Path| count(log, "synced with");
    within(
        "both tablets live with the teacher's device",
        Duration::from_secs(30),
        || sessions(&logs[0]) >= 2,
    );

    // Tablet 1's Wi-Fi goes for a minute, then comes back.
    let (ns, dev) = (lan.ns(1), lan.dev(1));
    ip(&["-n", &ns, "link", "set", &dev, "down"]);
    let down = Instant::now();
    // Both sides notice within the keepalive bound that the other is gone: 15 s (at most
    // 13 s of silence and a tick of 1 s after the last byte heard; a second to spare for this
    // test's own look every 50 ms, the log's write and a loaded machine's late tick).
    let noticed = within(
        "both sides noticing the other gone",
        Duration::from_secs(15),
        || {
            logs[..2]
                .iter()
                .all(|log| count(log, "said nothing for 13 s") >= 1)
        },
    );
    eprintln!(
        "both sides noticed tablet 1 was gone {} ms after its Wi-Fi went",
        noticed.as_millis()
    );
    std::thread::sleep(Duration::from_secs(60).saturating_sub(down.elapsed()));
    let before = sessions(&logs[0]) + sessions(&logs[1]);
    ip(&["-n", &ns, "link", "set", &dev, "up"]);
    ip(&["-n", &ns, "route", "add", "224.0.0.0/4", "dev", &dev]);
    let back = within(
        "tablet 1 live again after its Wi-Fi came back",
        Duration::from_secs(20),
        || sessions(&logs[0]) + sessions(&logs[1]) > before,
    );
    eprintln!(
        "tablet 1 was live again {} ms after its Wi-Fi came back",
        back.as_millis()
    );

    // The teacher's device is killed and started again (its log begins anew).
    lan.kill(0);
    let hub: Vec<&str> = class.teacher_hub.iter().map(String::as_str).collect();
    lan.spawn(0, &hub, &logs[0]);
    let again = within(
        "both tablets live with the restarted teacher's device",
        Duration::from_secs(20),
        || sessions(&logs[0]) >= 2,
    );
    eprintln!(
        "both tablets were live with the restarted teacher's device {} ms after it started",
        again.as_millis()
    );
    lan.stop_all();
}
