//! The command line beside a running `hugme hub` (the folder it serves is locked to it):
//! enrol, revoke, inspect and doctor are asked of the hub over its control channel and act
//! at once; a hub that was killed leaves a socket nobody answers, and the commands open the
//! folder themselves.

use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use super::{hugme, ok, path, sync, Classroom, Serving};

/// The device id `hugme enrol` printed.
fn device_of(said: &str) -> String {
    said.lines()
        .find_map(|l| l.strip_prefix("device "))
        .expect("the device is printed")
        .to_owned()
}

#[test]
fn with_the_hub_running_a_tablet_is_enrolled_and_removed_and_the_hub_honours_both_at_once() {
    let (class, serving) = Classroom::new();
    let socket = class.teacher.join("hub.sock");
    assert_eq!(
        std::fs::metadata(&socket).unwrap().permissions().mode() & 0o777,
        0o600,
        "only the hub's own user may ask"
    );
    // Enrolled while the hub runs: the payload and its QR code written here.
    let payload = class.root.path().join("third.json");
    let qr = class.root.path().join("third.png");
    let said = ok(&[
        "enrol",
        path(&class.teacher),
        "--group",
        "Kettu",
        "--hub",
        &serving.addr,
        "-o",
        path(&payload),
        "--qr",
        path(&qr),
    ]);
    let third_id = device_of(&said);
    assert!(said.contains("\ncode "), "{said}");
    assert!(std::fs::read(&qr).unwrap().starts_with(b"\x89PNG"));
    // They carry a one-time token: only their user may read them.
    for file in [&payload, &qr] {
        let mode = std::fs::metadata(file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", file.display());
    }
    // The hub lets it in at once, and it syncs.
    let third = class.root.path().join("third");
    ok(&["join", path(&third), "--payload", path(&payload)]);
    let (in_step, text) = sync(&third, &serving.addr);
    assert!(in_step, "{text}");
    // Inspected through the hub: the class counts the new tablet (the teacher's device and
    // three tablets).
    let devices = || {
        let report: serde_json::Value =
            serde_json::from_str(&ok(&["inspect", path(&class.teacher), "--json"])).unwrap();
        report["classes"][0]["devices"].as_u64()
    };
    assert_eq!(devices(), Some(4));

    // The new tablet keeps a live session with the hub; removing it ends that session now.
    let tablet = Serving::start(&third);
    let deadline = Instant::now() + Duration::from_secs(20);
    while !serving.log().contains(&format!("synced with {third_id}")) {
        assert!(
            Instant::now() < deadline,
            "no live session: {}",
            serving.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let said = ok(&["revoke", path(&class.teacher), &third_id]);
    assert!(said.starts_with(&format!("revoked {third_id}")), "{said}");
    let removed = Instant::now();
    let gone = format!("{third_id} has been removed from the class");
    while !serving.log().contains(&gone) {
        assert!(
            removed.elapsed() < Duration::from_secs(3),
            "the session went on: {}",
            serving.log()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    eprintln!("session ended {:?} after the revoke", removed.elapsed());
    drop(tablet);
    let (in_step, text) = sync(&third, &serving.addr);
    // Refused at the TLS handshake: its certificate is on the revocation list.
    assert!(!in_step && text.contains("CertificateRevoked"), "{text}");

    // The doctor looks from the hub's own folder (no "in use").
    let out = hugme(&["doctor", path(&class.teacher), "--no-discovery"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Disk: "),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // A refusal is the command's, told as the folder would tell it.
    let out = hugme(&["revoke", path(&class.teacher), "no-such-device"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-device"));
}

#[test]
fn an_ask_too_long_or_unreadable_is_refused_and_the_hub_answers_the_next() {
    let (class, _serving) = Classroom::new();
    let socket = class.teacher.join("hub.sock");
    let answer = |bytes: &[u8]| {
        let mut stream = UnixStream::connect(&socket).unwrap();
        // The hub stops reading at its limit: the rest may not be taken.
        let _ = stream.write_all(bytes);
        let _ = stream.shutdown(std::net::Shutdown::Write);
        let mut reply = String::new();
        stream.read_to_string(&mut reply).unwrap();
        reply
    };
    let long = vec![b'{'; 1 << 20];
    assert!(answer(&long).contains("longer than"));
    assert!(answer(b"{\"ask\":\"format_disk\"}\n").contains("unreadable"));
    let report = ok(&["inspect", path(&class.teacher)]);
    assert!(report.contains("5B"), "{report}");
}

#[test]
fn a_killed_hubs_socket_is_passed_by_and_the_folder_opened() {
    let (class, serving) = Classroom::new();
    let socket = class.teacher.join("hub.sock");
    drop(serving); // killed: its socket stays, answered by nobody
    assert!(socket.exists());
    let said = ok(&["enrol", path(&class.teacher), "--group", "Saukot"]);
    assert!(said.contains("code "), "{said}");
    let report = ok(&["inspect", path(&class.teacher)]);
    assert!(report.contains("5B"), "{report}");
    // A hub started again answers again; an enrolment that names no address gets the
    // hub's, so the tablet joins by its payload alone.
    let again = Serving::start(&class.teacher);
    let payload = class.root.path().join("fourth.json");
    let said = ok(&[
        "enrol",
        path(&class.teacher),
        "--group",
        "Kettu",
        "-o",
        path(&payload),
    ]);
    assert!(said.contains("code "), "{said}");
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&payload).unwrap()).unwrap();
    assert_eq!(written["hubs"], serde_json::json!([again.addr]));
    let fourth = class.root.path().join("fourth");
    ok(&["join", path(&fourth), "--payload", path(&payload)]);
}

#[test]
fn a_client_that_trickles_its_ask_holds_the_channel_no_longer_than_ten_seconds() {
    let (class, _serving) = Classroom::new();
    let socket = class.teacher.join("hub.sock");
    let slow = std::thread::spawn(move || {
        let mut stream = UnixStream::connect(&socket).unwrap();
        // A byte a second, never a whole line: the hub hangs up on its deadline.
        for _ in 0..30 {
            if stream.write_all(b" ").is_err() {
                return;
            }
            std::thread::sleep(Duration::from_secs(1));
        }
    });
    std::thread::sleep(Duration::from_millis(300));
    let asked = Instant::now();
    let report = ok(&["inspect", path(&class.teacher)]);
    assert!(report.contains("5B"), "{report}");
    assert!(
        asked.elapsed() < Duration::from_secs(20),
        "answered after {:?}",
        asked.elapsed()
    );
    slow.join().unwrap();
}
