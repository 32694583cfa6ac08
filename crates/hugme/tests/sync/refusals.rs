//! Who is kept out: another class, a device with no certificate, a revoked tablet, and a
//! pupil's tablet that writes the class document, a photo with its location.

use hugme_model::{Class, ClassId};

use crate::*;

#[test]
fn a_device_of_another_class_or_without_a_certificate_is_refused_and_learns_nothing() {
    let (class, serving) = Classroom::new();
    class.new_project(&class.kettu, "Kettu", "Salainen aihe");
    assert!(sync(&class.kettu, &serving.addr).0);

    // The teacher's device of another class (its own CA, its own certificate).
    let other = class.root.path().join("other-teacher");
    ok(&[
        "class",
        "create",
        path(&other),
        "--name",
        "6A",
        "--group",
        "Ilves",
    ]);
    let (in_step, said) = sync(&other, &serving.addr);
    assert!(!in_step, "{said}");
    assert!(!said.contains("Salainen"), "{said}");
    assert!(titles(&other).is_empty(), "it holds no project of 5B");

    // A device with no certificate, trying a made-up enrolment code against the real CA.
    let payload = class.root.path().join("forged.json");
    let mut forged: serde_json::Value =
        serde_json::from_slice(&std::fs::read(class.root.path().join("Kettu.json")).unwrap())
            .unwrap();
    forged["token"] = "0".repeat(64).into();
    std::fs::write(&payload, serde_json::to_vec(&forged).unwrap()).unwrap();
    let stranger = class.root.path().join("stranger");
    let out = hugme(&["join", path(&stranger), "--payload", path(&payload)]);
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success());
    assert!(said.contains("not known"), "{said}");
    assert!(!said.contains("Salainen"));
    assert!(titles(&stranger).is_empty());
    let log = serving.log();
    assert!(log.contains("refused enrolment"), "{log}");
}

#[test]
fn a_revoked_tablet_is_refused_by_every_peer_once_the_revocation_reached_it() {
    let (class, serving) = Classroom::new();
    class.new_project(&class.saukot, "Saukot", "Otters");
    assert!(sync(&class.kettu, &serving.addr).0);
    assert!(sync(&class.saukot, &serving.addr).0);
    let kettu_device = crate::open_app(&class.kettu).device().unwrap();

    // The teacher revokes Kettu's tablet (the hub stops while its folder is changed).
    drop(serving);
    let said = ok(&["revoke", path(&class.teacher), &kettu_device]);
    assert!(said.contains("revocation list 1"), "{said}");
    let serving = Serving::start(&class.teacher);
    let (in_step, said) = sync(&class.kettu, &serving.addr);
    assert!(!in_step, "the teacher's device refuses it: {said}");

    // The Otters' tablet gets the list from the hub, and then refuses Kettu too.
    assert!(sync(&class.saukot, &serving.addr).0);
    let otters_serving = Serving::start(&class.saukot);
    let (in_step, said) = sync(&class.kettu, &otters_serving.addr);
    assert!(!in_step, "another tablet refuses it too: {said}");
    assert!(!said.contains("Otters"));
}

#[test]
fn a_pupils_tablet_that_writes_the_class_document_has_that_change_refused_by_every_peer() {
    let (class, serving) = Classroom::new();
    assert!(sync(&class.saukot, &serving.addr).0);
    {
        // A tampered app on Kettu's tablet renames the class.
        let app = crate::open_app(&class.kettu);
        let id: String = app.store().meta("class_id").unwrap().unwrap();
        app.update_class(&ClassId::from(id.as_str()), |c: &mut Class| {
            c.name = hugme_model::Text::with_value("Kettu rules");
            Ok(())
        })
        .unwrap();
    }
    let (in_step, said) = sync(&class.kettu, &serving.addr);
    assert!(!in_step, "{said}");
    assert!(said.contains("1 refused by the peer"), "{said}");
    assert!(sync(&class.saukot, &serving.addr).0);
    drop(serving);
    for dir in [&class.teacher, &class.saukot] {
        let app = crate::open_app(dir);
        let name: Vec<String> = app
            .classes()
            .unwrap()
            .iter()
            .map(|c| c.name.as_str().to_owned())
            .collect();
        assert_eq!(name, ["5B"], "{}", dir.display());
    }
}

/// A pupil with tools stores a photo with its GPS position on their tablet, bypassing the
/// import that strips it, and points their project's photo at it.
#[test]
fn a_photo_with_its_location_from_a_tampered_tablet_is_refused_once_and_never_fetched_again() {
    let (class, serving) = Classroom::new();
    let project = class.new_project(&class.kettu, "Kettu", "Myrsky");
    let assets = concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/photos");
    import_media(
        &class.kettu,
        &project,
        Path::new(&format!("{assets}/storm.jpg")),
    );
    let located = std::fs::read(format!("{assets}/storm-gps.jpg")).unwrap();
    let hash = {
        let app = crate::open_app(&class.kettu);
        let blob = app.store().put_blob(&located).unwrap();
        app.update_project(&project.as_str().into(), |p| {
            for block in p.content.pages.iter_mut().flat_map(|page| &mut page.blocks) {
                if let hugme_model::BlockKind::Photo { media } = &mut block.kind {
                    media.hash = blob.hash.clone();
                    media.size = blob.size;
                }
            }
            Ok(())
        })
        .unwrap();
        app.store().flush().unwrap();
        blob.hash
    };
    for _ in 0..2 {
        let (in_step, said) = sync(&class.kettu, &serving.addr);
        assert!(in_step, "text still syncs: {said}");
    }
    let kept = std::fs::read_dir(class.teacher.join("blobs").join(&hash[..2]))
        .map(|dir| dir.flatten().any(|e| e.file_name() == hash.as_str()))
        .unwrap_or(false);
    assert!(
        !kept,
        "the teacher's device stored a photo with its location"
    );
    let log = serving.log();
    assert_eq!(
        log.matches(&format!("blob {hash}")).count(),
        1,
        "refused once, then never asked for again: {log}"
    );
    assert!(log.contains("EXIF"), "{log}");
    // The project itself arrived.
    drop(serving);
    assert!(titles(&class.teacher).contains(&"Myrsky".to_owned()));
}
