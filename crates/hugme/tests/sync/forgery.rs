//! The attacks of a pupil with tools on their own enrolled tablet (issue 16): each edits the
//! tablet's own store file directly — a change appended to a document's log under an
//! Automerge actor of their choosing, or a document of their making — and then runs the
//! unmodified `hugme sync`. Every peer refuses it whole, names the device that sent it, and
//! keeps the victims' data and the innocent tablets' class.

use std::path::Path;

use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, ReadDoc, ROOT};

use crate::*;

/// The attacker's tool: appends to `document`'s log in the store file of `dir` one change
/// made by `write`, under the Automerge actor of device `as_device` (any id it likes).
fn forge(dir: &Path, document: &str, as_device: &str, write: impl FnOnce(&mut AutoCommit)) {
    let db = rusqlite::Connection::open(dir.join("hugme.sqlite")).unwrap();
    let snapshot: Vec<u8> = db
        .query_row(
            "SELECT snapshot FROM documents WHERE id = ?1",
            [document],
            |r| r.get(0),
        )
        .unwrap();
    let mut doc = AutoCommit::load(&snapshot).unwrap();
    let mut log = db
        .prepare("SELECT seq, bytes FROM changes WHERE document_id = ?1 ORDER BY seq")
        .unwrap();
    let mut last = 0i64;
    for row in log
        .query_map([document], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?))
        })
        .unwrap()
    {
        let (seq, bytes) = row.unwrap();
        doc.load_incremental(&bytes).unwrap();
        last = seq;
    }
    let before = doc.get_heads();
    doc.set_actor(ActorId::from(as_device.as_bytes()));
    write(&mut doc);
    doc.commit();
    let bytes = doc.save_after(&before);
    let hash = blake3::hash(&bytes);
    db.execute(
        "INSERT INTO changes (document_id, seq, bytes, hash) VALUES (?1, ?2, ?3, ?4)",
        rusqlite::params![document, last + 1, bytes, &hash.as_bytes()[..16]],
    )
    .unwrap();
}

/// The attacker's tool for a new document: `doc` stored as `id` of `kind` in `dir`.
fn plant(dir: &Path, id: &str, kind: &str, mut doc: AutoCommit) {
    let db = rusqlite::Connection::open(dir.join("hugme.sqlite")).unwrap();
    let snapshot = doc.save();
    db.execute(
        "INSERT INTO documents (id, kind, snapshot, snapshot_hash, created_at) VALUES (?1, ?2, ?3, ?4, 0)",
        rusqlite::params![id, kind, snapshot, blake3::hash(&snapshot).as_bytes().to_vec()],
    )
    .unwrap();
}

/// A fact from a data folder's `meta` table, read from the file (the folder may be serving).
fn meta(dir: &Path, key: &str) -> String {
    let db = rusqlite::Connection::open(dir.join("hugme.sqlite")).unwrap();
    db.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .unwrap()
}

fn device_of(dir: &Path) -> String {
    meta(dir, "device_id")
}

fn class_id(dir: &Path) -> String {
    meta(dir, "class_id")
}

/// A document as a data folder holds it (opened by the app).
fn document(dir: &Path, id: &str) -> AutoCommit {
    let app = crate::open_app(dir);
    let mut documents = app.documents().lock().unwrap();
    let doc = documents.open(id).unwrap().expect("held").doc_mut().fork();
    doc
}

fn root_str(doc: &AutoCommit, key: &str) -> Option<String> {
    hugme_model::document::root_string(doc, key)
}

/// What an attack leaves behind: the attacker's sync refused by the teacher's device, whose
/// log names the attacker; then refused by the other tablet too (serving its own folder).
/// Every folder is free again after.
fn refused_everywhere(class: &Classroom, serving: Serving, attacker: &Path) {
    let attacker_id = device_of(attacker);
    let (in_step, said) = sync(attacker, &serving.addr);
    assert!(!in_step, "{said}");
    assert!(said.contains("refused by the peer"), "{said}");
    let log = serving.log();
    assert!(
        log.contains(&format!("(sent by {attacker_id})")),
        "the teacher's log names the device that tried: {log}"
    );
    drop(serving);
    let innocent = Serving::start(&class.saukot);
    let (in_step, said) = sync(attacker, &innocent.addr);
    assert!(!in_step, "the other tablet refuses it too: {said}");
    assert!(
        innocent.log().contains(&format!("(sent by {attacker_id})")),
        "{said}\n{}",
        innocent.log()
    );
}

/// The innocent tablet (Saukot) syncs with the teacher's device after the attack and still
/// has its class.
fn innocent_keeps_its_class(class: &Classroom) {
    let serving = Serving::start(&class.teacher);
    let (in_step, said) = sync(&class.saukot, &serving.addr);
    assert!(in_step, "{said}");
    drop(serving);
    let app = crate::open_app(&class.saukot);
    assert_eq!(app.classes().unwrap().len(), 1, "the class is still there");
    assert!(app.classes().unwrap()[0].ended_at.is_none());
}

#[test]
fn a_forged_end_of_term_under_the_teachers_id_is_refused_and_no_class_is_deleted() {
    let (class, serving) = Classroom::new();
    class.new_project(&class.saukot, "Saukot", "Saukkojen uni");
    assert!(sync(&class.saukot, &serving.addr).0);
    assert!(sync(&class.kettu, &serving.addr).0);
    let teacher = device_of(&class.teacher);
    let class_doc = class_id(&class.kettu);
    forge(&class.kettu, &class_doc, &teacher, |doc| {
        doc.put(ROOT, "ended_at", 1_700_000_000_000i64).unwrap();
    });
    refused_everywhere(&class, serving, &class.kettu);
    let held = document(&class.teacher, &class_doc);
    assert!(held
        .get(ROOT, "ended_at")
        .unwrap()
        .is_none_or(|(v, _)| v.is_null()));
    innocent_keeps_its_class(&class);
    assert_eq!(titles(&class.saukot), ["Saukkojen uni"]);
}

#[test]
fn another_groups_project_rewritten_under_its_tablets_id_is_refused() {
    let (class, serving) = Classroom::new();
    let otters = class.new_project(&class.saukot, "Saukot", "Saukkojen uni");
    assert!(sync(&class.saukot, &serving.addr).0);
    assert!(sync(&class.kettu, &serving.addr).0);
    let saukot = device_of(&class.saukot);
    forge(&class.kettu, &otters, &saukot, |doc| {
        let title = doc.get(ROOT, "title").unwrap().unwrap().1;
        doc.splice_text(&title, 0, 5, "Ketut voittaa").unwrap();
    });
    refused_everywhere(&class, serving, &class.kettu);
    assert_eq!(titles(&class.teacher), ["Saukkojen uni"]);
    innocent_keeps_its_class(&class);
    assert_eq!(titles(&class.saukot), ["Saukkojen uni"]);
}

/// The roster entry of `device` in a class document, as an Automerge object.
fn roster_entry(doc: &AutoCommit, device: &str) -> automerge::ObjId {
    let (_, devices) = doc.get(ROOT, "devices").unwrap().unwrap();
    (0..doc.length(&devices))
        .map(|i| doc.get(&devices, i).unwrap().unwrap().1)
        .find(|entry| {
            matches!(doc.get(entry, "id").unwrap(), Some((v, _)) if v.as_str() == Some(device))
        })
        .expect("listed")
}

#[test]
fn a_tablet_that_makes_itself_a_teacher_is_refused_and_cannot_end_the_term() {
    let (class, serving) = Classroom::new();
    assert!(sync(&class.kettu, &serving.addr).0);
    let teacher = device_of(&class.teacher);
    let kettu = device_of(&class.kettu);
    let class_doc = class_id(&class.kettu);
    forge(&class.kettu, &class_doc, &teacher, |doc| {
        let entry = roster_entry(doc, &kettu);
        doc.put(&entry, "role", "Teacher").unwrap();
    });
    // Its own app believes the roster; the facade goes by the certificate.
    let out = hugme(&["class", "end", path(&class.kettu)]);
    assert!(
        !out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    refused_everywhere(&class, serving, &class.kettu);
    innocent_keeps_its_class(&class);
    let held = document(&class.teacher, &class_doc);
    let entry = roster_entry(&held, &kettu);
    assert_eq!(
        held.get(&entry, "role").unwrap().unwrap().0.as_str(),
        Some("GroupTablet")
    );
}

fn refused_everywhere_but_the_lost(serving: &Serving, attacker: &Path) {
    let (in_step, said) = sync(attacker, &serving.addr);
    assert!(!in_step && said.contains("refused by the peer"), "{said}");
    let log = serving.log();
    assert!(
        log.contains(&format!("(sent by {})", device_of(attacker))),
        "{log}"
    );
}

#[test]
fn a_lost_tablets_removal_turned_back_by_a_forged_change_stays_removed() {
    let (class, serving) = Classroom::new();
    assert!(sync(&class.kettu, &serving.addr).0);
    assert!(sync(&class.saukot, &serving.addr).0);
    // Saukot's tablet is lost: the teacher removes it.
    drop(serving);
    let lost = device_of(&class.saukot);
    ok(&["revoke", path(&class.teacher), &lost]);
    let serving = Serving::start(&class.teacher);
    assert!(sync(&class.kettu, &serving.addr).0);
    let teacher = device_of(&class.teacher);
    let class_doc = class_id(&class.kettu);
    forge(&class.kettu, &class_doc, &teacher, |doc| {
        let entry = roster_entry(doc, &lost);
        doc.put(&entry, "revoked", false).unwrap();
    });
    refused_everywhere_but_the_lost(&serving, &class.kettu);
    // The teacher removes something else: the list still names the lost tablet.
    drop(serving);
    let kettu = device_of(&class.kettu);
    ok(&["revoke", path(&class.teacher), &kettu]);
    let serving = Serving::start(&class.teacher);
    let (in_step, said) = sync(&class.saukot, &serving.addr);
    assert!(!in_step, "the lost tablet stays out: {said}");
    let log = serving.log();
    assert!(
        log.contains("Revoked") || log.contains("removed from the class"),
        "{log}"
    );
}

#[test]
fn a_class_document_from_a_future_schema_is_refused_and_the_teacher_can_still_enrol() {
    let (class, serving) = Classroom::new();
    assert!(sync(&class.kettu, &serving.addr).0);
    let teacher = device_of(&class.teacher);
    let class_doc = class_id(&class.kettu);
    forge(&class.kettu, &class_doc, &teacher, |doc| {
        doc.put(ROOT, "schema", 99u64).unwrap();
    });
    refused_everywhere(&class, serving, &class.kettu);
    let payload = class.root.path().join("Ilves.json");
    ok(&[
        "enrol",
        path(&class.teacher),
        "--group",
        "Kettu",
        "-o",
        path(&payload),
    ]);
    innocent_keeps_its_class(&class);
}

#[test]
fn a_project_planted_under_a_reviews_name_is_refused_and_the_overview_opens() {
    let (class, serving) = Classroom::new();
    let otters = class.new_project(&class.saukot, "Saukot", "Saukkojen uni");
    assert!(sync(&class.saukot, &serving.addr).0);
    assert!(sync(&class.kettu, &serving.addr).0);
    let mine = class.new_project(&class.kettu, "Kettu", "Lumi");
    // Its own project, copied under the id the teacher's review of the Otters would have.
    let copy = document(&class.kettu, &mine);
    plant(&class.kettu, &format!("review-{otters}"), "project", copy);
    refused_everywhere(&class, serving, &class.kettu);
    let app = crate::open_app(&class.teacher);
    let overview = app
        .dashboard(&class_id(&class.teacher), "2026-11-30")
        .unwrap();
    assert_eq!(
        overview.groups.len(),
        2,
        "the overview opens on every group"
    );
    drop(app);
    innocent_keeps_its_class(&class);
}

#[test]
fn a_project_in_a_shape_the_app_cannot_read_is_refused_and_the_class_exports() {
    let (class, serving) = Classroom::new();
    let mine = class.new_project(&class.kettu, "Kettu", "Lumi");
    assert!(sync(&class.kettu, &serving.addr).0);
    let kettu = device_of(&class.kettu);
    forge(&class.kettu, &mine, &kettu, |doc| {
        doc.put(ROOT, "content", "not pages at all").unwrap();
        doc.put(ROOT, "title", 42u64).unwrap();
    });
    refused_everywhere(&class, serving, &class.kettu);
    let out = class.root.path().join("class.imscc");
    let id = class_id(&class.teacher);
    ok(&[
        "export",
        path(&class.teacher),
        "--class",
        &id,
        "-o",
        path(&out),
    ]);
    assert!(out.exists());
    assert_eq!(titles(&class.teacher), ["Lumi"]);
}

#[test]
fn a_project_moved_to_another_group_is_refused() {
    let (class, serving) = Classroom::new();
    class.new_project(&class.saukot, "Saukot", "Saukkojen uni");
    let mine = class.new_project(&class.kettu, "Kettu", "Lumi");
    assert!(sync(&class.saukot, &serving.addr).0);
    assert!(sync(&class.kettu, &serving.addr).0);
    let kettu = device_of(&class.kettu);
    let saukot_group = root_str(
        &document(&class.kettu, &{
            let app = crate::open_app(&class.kettu);
            let ids = app.ids_of(hugme_model::DocumentKind::Project).unwrap();
            ids.into_iter().find(|id| *id != mine).unwrap()
        }),
        "group_id",
    )
    .unwrap();
    forge(&class.kettu, &mine, &kettu, |doc| {
        doc.put(ROOT, "group_id", saukot_group.as_str()).unwrap();
    });
    refused_everywhere(&class, serving, &class.kettu);
    let held = document(&class.teacher, &mine);
    assert_ne!(
        root_str(&held, "group_id").as_deref(),
        Some(saukot_group.as_str())
    );
    // The victim group's tablet still finishes its syncs.
    innocent_keeps_its_class(&class);
}
