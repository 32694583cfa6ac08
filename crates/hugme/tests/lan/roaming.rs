//! A tablet whose network changes under it (the Wi-Fi drops, it comes back on a new address)
//! is heard again at its new address and syncs there, by mDNS alone.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::class::{path, Class};
use crate::net::{ip, Lan};

fn wait_for(log: &Path, text: &str, within: Duration) -> Instant {
    let deadline = Instant::now() + within;
    loop {
        if std::fs::read_to_string(log)
            .unwrap_or_default()
            .contains(text)
        {
            return Instant::now();
        }
        assert!(
            Instant::now() < deadline,
            "{} never said {text:?}:\n{}",
            log.display(),
            std::fs::read_to_string(log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_tablet_back_on_the_network_at_a_new_address_is_found_there() {
    let root = tempfile::tempdir().unwrap();
    let mut lan = Lan::new(2);
    let only_mdns = ["--mdns-only".to_owned()];
    let class = Class::enrol(&mut lan, root.path(), &["Ketut"], &only_mdns);
    // The tablet listens on every address it has, so that it announces whichever it gets.
    let tablet_log = root.path().join("hub-1.log");
    lan.spawn(
        1,
        &[
            "hub",
            path(&class.tablets[0]),
            "--listen",
            "0.0.0.0:7420",
            "--mdns-only",
        ],
        &tablet_log,
    );
    let teacher_log = root.path().join("hub-0.log");
    let old = format!("at {}:7420", lan.ip(1));
    wait_for(&teacher_log, &old, Duration::from_secs(30));

    // The Wi-Fi drops; the tablet comes back with another lease.
    let (ns, dev) = (lan.ns(1), lan.dev(1));
    ip(&["-n", &ns, "link", "set", &dev, "down"]);
    ip(&["-n", &ns, "addr", "flush", "dev", &dev]);
    let new_ip = lan.spare_ip();
    ip(&[
        "-n",
        &ns,
        "addr",
        "add",
        &format!("{new_ip}/24"),
        "dev",
        &dev,
    ]);
    std::thread::sleep(Duration::from_secs(2));
    ip(&["-n", &ns, "link", "set", &dev, "up"]);
    ip(&["-n", &ns, "route", "add", "224.0.0.0/4", "dev", &dev]);
    let back = Instant::now();

    // The teacher's device hears the tablet at its new address, and they sync again.
    let synced = count(&teacher_log, "synced with") + count(&tablet_log, "synced with");
    let heard = wait_for(
        &teacher_log,
        &format!("{new_ip}:7420"),
        Duration::from_secs(30),
    );
    eprintln!(
        "the tablet was heard at its new address {} ms after its network came back",
        heard.duration_since(back).as_millis()
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while count(&teacher_log, "synced with") + count(&tablet_log, "synced with") <= synced {
        assert!(
            Instant::now() < deadline,
            "no sync after the network came back"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn count(log: &Path, text: &str) -> usize {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .matches(text)
        .count()
}
