//! Interop: Debian's own mDNS stack (avahi-daemon, with `avahi-browse`) sees our service and
//! its TXT records, so a school's IT person can check the network with tools they know.
//!
//! avahi-daemon runs on a host of the test's LAN, with a D-Bus of its own and, in a mount
//! namespace of its own, its own `/run/avahi-daemon` (so a daemon the machine may run itself
//! is neither disturbed nor in the way).

use std::process::Command;
use std::time::{Duration, Instant};

use crate::class::{path, Class};
use crate::net::Lan;

const BUS_CONFIG: &str = r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=BUS</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_type="method_return"/>
    <allow send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="signal"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
  </policy>
</busconfig>
"#;

const AVAHI_CONFIG: &str = "[server]
use-ipv4=yes
use-ipv6=no
enable-dbus=yes
[wide-area]
enable-wide-area=no
[publish]
publish-hinfo=no
publish-workstation=no
";

#[test]
fn avahi_browse_lists_our_service_with_its_txt_records() {
    let root = tempfile::tempdir().unwrap();
    let mut lan = Lan::new(2);
    let class = Class::enrol(&mut lan, root.path(), &[], &[]);
    let class_id = class.id.as_str();

    // Host 1: a D-Bus system bus and avahi-daemon of the test's own.
    let bus = root.path().join("bus");
    let bus_config = root.path().join("bus.conf");
    std::fs::write(&bus_config, BUS_CONFIG.replace("BUS", path(&bus))).unwrap();
    let avahi_config = root.path().join("avahi-daemon.conf");
    std::fs::write(&avahi_config, AVAHI_CONFIG).unwrap();
    let bus_address = format!("unix:path={}", path(&bus));
    let env = [("DBUS_SYSTEM_BUS_ADDRESS", bus_address.as_str())];
    lan.spawn_program(
        1,
        "dbus-daemon",
        &[
            "--config-file",
            path(&bus_config),
            "--nofork",
            "--nopidfile",
        ],
        &[],
        &root.path().join("dbus.log"),
    );
    assert!(
        within(Duration::from_secs(10), || bus.exists()),
        "the test's D-Bus did not start"
    );
    let avahi = format!(
        "mkdir -p /run/avahi-daemon && mount -t tmpfs tmpfs /run/avahi-daemon && \
         exec avahi-daemon --no-drop-root --no-chroot --no-rlimits -f {}",
        path(&avahi_config)
    );
    lan.spawn_program(
        1,
        "unshare",
        &["--mount", "--propagation", "private", "sh", "-c", &avahi],
        &env,
        &root.path().join("avahi.log"),
    );

    let mut listed = String::new();
    let avahi_log = root.path().join("avahi.log");
    let listed_in_time = within(Duration::from_secs(30), || {
        let out = Command::new("ip")
            .args([
                "netns",
                "exec",
                &lan.ns(1),
                "avahi-browse",
                "-rpt",
                "_hugme._tcp",
            ])
            .envs(env)
            .output()
            .expect("avahi-browse (avahi-utils) runs");
        listed = String::from_utf8_lossy(&out.stdout).into_owned();
        listed.lines().any(|l| l.starts_with('='))
    });
    assert!(
        listed_in_time,
        "avahi-browse did not list us: {listed:?}\navahi-daemon said:\n{}\nthe hub said:\n{}",
        std::fs::read_to_string(&avahi_log).unwrap_or_default(),
        std::fs::read_to_string(root.path().join("hub-0.log")).unwrap_or_default()
    );
    // `=;interface;IPv4;name;type;domain;host;address;port;"txt" "txt" …`
    let resolved = listed
        .lines()
        .find(|l| l.starts_with('='))
        .expect("a resolved line");
    let fields: Vec<&str> = resolved.split(';').collect();
    assert_eq!(fields[4], "_hugme._tcp", "{resolved}");
    assert_eq!(
        fields[7],
        lan.ip(0),
        "the teacher's device's address: {resolved}"
    );
    assert_eq!(fields[8], "7420", "{resolved}");
    let txt = fields[9..].join(";");
    let class_hash = hugme_discovery::class_hash(class_id);
    for record in [
        format!("\"class={class_hash}\""),
        format!("\"device={}\"", fields[3]),
        "\"v=1\"".to_owned(),
    ] {
        assert!(txt.contains(&record), "{record} in {resolved}");
    }
    assert!(
        !txt.contains(class_id),
        "the class id itself is never announced: {resolved}"
    );
}

/// Whether `done` came true within the time given (asked every 200 ms).
fn within(time: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + time;
    while !done() {
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    true
}
