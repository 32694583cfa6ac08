//! The end of the term: the teacher ends it (after the export), and each tablet deletes the
//! class when it next syncs (documents, media, certificate: nothing readable stays on its
//! disk) and is removed from the class; a tablet serving as a hub stops and says so.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use hugme_model::Class;

use crate::*;

const SECRET: &str = "Salainen aihe";

fn wait_for(what: &str, serving: &Serving, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !f() {
        assert!(
            Instant::now() < deadline,
            "waited in vain for {what}: {}",
            serving.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn at_the_end_of_the_term_each_tablet_deletes_the_class_as_it_syncs_and_is_removed() {
    let (class, serving) = Classroom::new();
    let project = class.new_project(&class.kettu, "Kettu", SECRET);
    let photo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/photos/storm.jpg");
    import_media(&class.kettu, &project, &photo);
    assert!(sync(&class.kettu, &serving.addr).0);
    assert!(sync(&class.saukot, &serving.addr).0);
    let (kettu_device, stored) = {
        let kettu = crate::open_app(&class.kettu);
        let blobs = kettu.store().blobs().unwrap();
        assert!(
            !blobs.is_empty(),
            "the photo (and its smaller copies) are stored"
        );
        let largest = blobs.iter().max_by_key(|b| b.size).unwrap();
        (
            kettu.device().unwrap(),
            kettu.store().blob(&largest.hash).unwrap(),
        )
    };
    let saukot_device = crate::open_app(&class.saukot).device().unwrap();
    assert!(
        on_disk(&class.kettu, SECRET.as_bytes()),
        "the test looks where the data is"
    );
    // From the middle of the photo's compressed data: bytes only this photo has.
    let middle = stored.len() / 2;
    let photo_part = &stored[middle..middle + 64];
    assert!(on_disk(&class.kettu, photo_part));

    // A pupil's tablet cannot end the term.
    let out = hugme(&["class", "end", path(&class.kettu)]);
    assert!(!out.status.success());

    // The teacher's laptop, a second teacher device, relays for the class too.
    drop(serving);
    let laptop = class.root.path().join("laptop");
    let invitation = class.root.path().join("laptop.json");
    let addr = free_address();
    ok(&[
        "enrol",
        path(&class.teacher),
        "--teacher",
        "--hub",
        &addr,
        "-o",
        path(&invitation),
    ]);
    let serving = Serving::start_at(&class.teacher, &addr);
    ok(&["join", path(&laptop), "--payload", path(&invitation)]);
    assert!(sync(&laptop, &serving.addr).0);
    assert_eq!(titles(&laptop), vec![SECRET.to_string()]);

    drop(serving);
    let said = ok(&["class", "end", path(&class.teacher)]);
    assert!(said.contains("term has ended"), "{said}");
    let serving = Serving::start(&class.teacher);

    // The laptop keeps the class while a tablet may still need it to get the order.
    let (in_step, said) = sync(&laptop, &serving.addr);
    assert!(in_step && !said.contains("deleted the class"), "{said}");
    assert_eq!(titles(&laptop), vec![SECRET.to_string()]);

    let (in_step, said) = sync(&class.kettu, &serving.addr);
    assert!(in_step, "{said}");
    assert!(said.contains("deleted the class"), "{said}");
    let kettu = crate::open_app(&class.kettu);
    assert_eq!(kettu.device(), None);
    assert!(kettu.store().documents().unwrap().is_empty());
    assert!(kettu.store().blobs().unwrap().is_empty());
    drop(kettu);
    assert!(titles(&class.kettu).is_empty());
    assert!(
        !class.kettu.join("identity").exists(),
        "no certificate or key left"
    );
    assert!(
        !on_disk(&class.kettu, SECRET.as_bytes()),
        "no text left on its disk"
    );
    assert!(
        !on_disk(&class.kettu, photo_part),
        "no photo left on its disk"
    );
    wait_for(
        "the teacher's device to remove Kettu's tablet",
        &serving,
        || serving.log().contains(&format!("removed {kettu_device}")),
    );

    // Saukot's tablet runs as a hub that syncs with the teacher's device: it deletes the
    // class too, and stops.
    let log = class.root.path().join("saukot-hub.log");
    let mut hub = Command::new(env!("CARGO_BIN_EXE_hugme"))
        .args([
            "hub",
            path(&class.saukot),
            "--listen",
            "127.0.0.1:0",
            "--no-discovery",
            "--peer",
            &serving.addr,
        ])
        .stdout(std::fs::File::create(&log).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = hub.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = hub.kill();
            panic!(
                "the hub on Saukot's tablet did not stop: {}",
                std::fs::read_to_string(&log).unwrap()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success());
    let said = std::fs::read_to_string(&log).unwrap();
    assert!(said.contains("deleted the class"), "{said}");
    assert!(titles(&class.saukot).is_empty());
    wait_for(
        "the teacher's device to remove Saukot's tablet",
        &serving,
        || serving.log().contains(&format!("removed {saukot_device}")),
    );

    // Every tablet is out: the laptop deletes the class at its next sync.
    let (in_step, said) = sync(&laptop, &serving.addr);
    assert!(in_step && said.contains("deleted the class"), "{said}");
    assert!(titles(&laptop).is_empty());

    // The teacher's device keeps the class (and its work) until the teacher deletes it
    // there too; both tablets are out of the class.
    drop(serving);
    let teacher = crate::open_app(&class.teacher);
    let id = teacher.store().meta("class_id").unwrap().unwrap();
    let roster = teacher.read::<Class>(&id).unwrap().value;
    assert!(roster.ended_at.is_some());
    for device in [&kettu_device, &saukot_device] {
        assert!(
            roster
                .devices
                .iter()
                .any(|d| d.id.as_str() == device.as_str() && d.revoked),
            "{device} removed"
        );
    }
    drop(teacher);
    assert_eq!(titles(&class.teacher), vec![SECRET.to_string()]);

    // A tablet whose folder was deleted can join a class again (next term).
    assert!(crate::open_app(&class.kettu).device().is_none());
}
