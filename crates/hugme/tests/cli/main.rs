//! The `hugme` binary as scripts use it, and the App facade's events.

use std::path::Path;
use std::process::Command;

use hugme_app::App;
use hugme_model::Step;
use serde_json::Value;

fn hugme(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_hugme"))
        .args(args)
        .output()
        .expect("run hugme");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn inspect_json(dir: &Path) -> Value {
    let (ok, out, err) = hugme(&["inspect", dir.to_str().unwrap(), "--json"]);
    assert!(ok, "{err}");
    serde_json::from_str(&out).expect("inspect --json prints JSON")
}

#[test]
fn demo_fills_a_class_with_two_groups_and_projects_in_finnish_and_english() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, _, err) = hugme(&["demo", dir.path().to_str().unwrap()]);
    assert!(ok, "{err}");
    let report = inspect_json(dir.path());
    assert_eq!(report["format"], "hugme-inspect/1");
    let groups: Vec<&str> = report["classes"][0]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert_eq!(groups, ["Ketut", "Otters"]);
    let projects = report["projects"].as_array().unwrap();
    assert_eq!(projects.len(), 2);
    assert_eq!(projects[0]["title"], "Metsä talvella");
    assert_eq!(projects[1]["title"], "Water in our town");
    for p in projects {
        assert_eq!(p["steps"].as_array().unwrap().len(), 8);
        assert_eq!(p["steps"][4]["step"], "research-questions");
        assert_eq!(p["research_questions"].as_array().unwrap().len(), 2);
        assert!(!p["research_questions"][0]["findings"]
            .as_str()
            .unwrap()
            .is_empty());
        let blocks = p["pages"][0]["blocks"].as_array().unwrap();
        let photos: Vec<&Value> = blocks.iter().filter(|b| b["kind"] == "photo").collect();
        assert_eq!(photos.len(), 2);
        for photo in photos {
            assert_eq!(photo["media"]["hash"].as_str().unwrap().len(), 64);
            assert_eq!(photo["media"]["stored"], true);
            assert!(photo["media"]["size"].as_u64().unwrap() > 1000);
        }
        assert!(p["storage"]["snapshot_bytes"].as_u64().unwrap() > 0);
    }
    assert_eq!(report["store"]["blobs"], 4);
    assert_eq!(report["errors"].as_array().unwrap().len(), 0);
}

#[test]
fn scripts_can_create_and_edit_a_project_in_an_empty_folder() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let (ok, id, err) = hugme(&["project", "new", d, "--group", "Ketut", "--title", "Linnut"]);
    assert!(ok, "{err}");
    let id = id.trim();
    assert_eq!(id.len(), 36, "prints the new project's id: {id:?}");
    let (ok, _, err) = hugme(&[
        "project",
        "set",
        d,
        id,
        "--step",
        "phenomenon",
        "--text",
        "Miksi linnut muuttavat?",
    ]);
    assert!(ok, "{err}");
    let (ok, _, err) = hugme(&[
        "project",
        "set",
        d,
        id,
        "--step",
        "phenomenon",
        "--field",
        "why",
        "--text",
        "Pääskyt lähtivät.",
    ]);
    assert!(ok, "{err}");
    let (ok, qid, err) = hugme(&[
        "project",
        "add-question",
        d,
        id,
        "--text",
        "Minne pääsky lentää?",
    ]);
    assert!(ok, "{err}");
    let (ok, _, err) = hugme(&[
        "project", "set", d, id, "--step", "goals", "--state", "done",
    ]);
    assert!(ok, "{err}");

    let report = inspect_json(dir.path());
    assert_eq!(report["classes"][0]["groups"][0]["name"], "Ketut");
    let p = &report["projects"][0];
    assert_eq!(p["id"], id);
    assert_eq!(p["group_name"], "Ketut");
    assert_eq!(p["phenomenon"]["title"], "Miksi linnut muuttavat?");
    assert_eq!(p["phenomenon"]["why"], "Pääskyt lähtivät.");
    assert_eq!(p["research_questions"][0]["id"], qid.trim());
    assert_eq!(
        p["research_questions"][0]["question"],
        "Minne pääsky lentää?"
    );
    assert_eq!(p["steps"][1]["state"], "in-progress");
    assert_eq!(p["steps"][3]["state"], "done");
    assert_eq!(p["storage"]["changes"], 4);

    // A second group goes into the same class.
    let (ok, _, err) = hugme(&["project", "new", d, "--group", "Otters", "--title", "Birds"]);
    assert!(ok, "{err}");
    let report = inspect_json(dir.path());
    assert_eq!(report["classes"].as_array().unwrap().len(), 1);
    assert_eq!(report["classes"][0]["groups"].as_array().unwrap().len(), 2);
}

#[test]
fn mistakes_get_a_clear_error_and_a_failing_exit() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let (ok, _, err) = hugme(&["inspect", d]);
    assert!(!ok);
    assert!(err.contains("no Hug me! data folder here"), "{err}");
    let (_, id, _) = hugme(&["project", "new", d, "--group", "Ketut", "--title", "Linnut"]);
    let (ok, _, err) = hugme(&[
        "project",
        "set",
        d,
        id.trim(),
        "--step",
        "feelings",
        "--text",
        "x",
    ]);
    assert!(!ok);
    assert!(err.contains("unknown step \"feelings\""), "{err}");
    let (ok, _, err) = hugme(&["project", "add-question", d, "no-such-id", "--text", "x"]);
    assert!(!ok);
    assert!(err.contains("no project no-such-id"), "{err}");
}

#[test]
fn a_change_is_announced_once_durable_and_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).unwrap();
    let events = app.subscribe();
    let class = app.create_class_document("5B", &["Ketut"]).unwrap();
    let id = app
        .create_project(&class.id, &class.groups[0].id, "Metsä")
        .unwrap();
    while events.try_recv().is_ok() {}
    app.update_project(&id, |p| {
        p.phenomenon.title.update("Kettu");
        p.touch(Step::Phenomenon);
        Ok(())
    })
    .unwrap();
    let event = events
        .try_recv()
        .expect("an event once update_project returns");
    assert_eq!(event.id, id.to_string());
    assert_eq!(event.heads.len(), 1);
    drop(app);
    let app = App::open(dir.path()).unwrap();
    assert_eq!(
        app.project(&id).unwrap().value.phenomenon.title.as_str(),
        "Kettu"
    );
}

#[test]
fn media_import_stores_good_files_as_blocks_and_names_each_refused_one() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let (_, id, _) = hugme(&["project", "new", d, "--group", "Ketut", "--title", "Kuvat"]);
    let photo = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../assets/bench/photos/photo-12mp.jpg"
    );
    let bad = dir.path().join("rikki.jpg");
    std::fs::write(&bad, b"not a photo at all").unwrap();
    let (ok, out, _) = hugme(&[
        "media",
        "import",
        d,
        "--project",
        id.trim(),
        photo,
        bad.to_str().unwrap(),
    ]);
    assert!(!ok, "a refused file makes the exit non-zero");
    assert!(out.contains("stored image/jpeg"), "{out}");
    assert!(
        out.contains("rikki.jpg: refused: rikki.jpg is not a photo"),
        "{out}"
    );
    let report = inspect_json(dir.path());
    let blocks = report["projects"][0]["pages"][0]["blocks"]
        .as_array()
        .unwrap();
    assert_eq!(blocks.len(), 1);
    assert_eq!(blocks[0]["kind"], "photo");
    assert_eq!(blocks[0]["media"]["stored"], true);
    assert_eq!(
        report["store"]["blobs"], 3,
        "the photo and its two thumbnails"
    );
}

#[test]
fn the_teacher_reviews_a_project_from_the_command_line_and_exports_it_with_feedback() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("teacher");
    let (ok, out, err) = hugme(&["demo", data.to_str().unwrap(), "--teacher", "--groups", "2"]);
    assert!(ok, "{err}");
    let project = out
        .lines()
        .find_map(|l| l.strip_prefix("project "))
        .expect("a project id")
        .to_owned();
    let review = [
        "review",
        data.to_str().unwrap(),
        &project,
        "--overall",
        "Hieno työ <3",
        "--approval",
        "approved",
        "--comment",
        "phenomenon=Hyvä ilmiö!",
    ];
    // Twice, as a script retried: the comment is there once.
    for _ in 0..2 {
        let (ok, out, err) = hugme(&review);
        assert!(ok, "{err}");
        assert!(out.contains("approval: approved"), "{out}");
        assert_eq!(out.matches("comment: Hyvä ilmiö!").count(), 1, "{out}");
    }
    {
        let app = App::open(&data).unwrap();
        let feedback = app.feedback(&project).unwrap();
        assert_eq!(feedback.overall, "Hieno työ <3");
        assert_eq!(feedback.comments.len(), 1);
    }
    let (ok, _, err) = hugme(&[
        "review",
        data.to_str().unwrap(),
        &project,
        "--comment",
        "no step here",
    ]);
    assert!(!ok && err.contains("STEP=TEXT"), "{err}");
    let zip = dir.path().join("class.imscc");
    let class = inspect_json(&data)["classes"][0]["id"]
        .as_str()
        .expect("the class's id")
        .to_owned();
    let (ok, out, err) = hugme(&[
        "export",
        data.to_str().unwrap(),
        "--class",
        &class,
        "--feedback",
        "-o",
        zip.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("project(s)"), "{out}");

    // A pupil's tablet cannot review.
    let tablet = dir.path().join("tablet");
    let (ok, out, _) = hugme(&["demo", tablet.to_str().unwrap()]);
    assert!(ok);
    let theirs = out
        .lines()
        .find_map(|l| l.strip_prefix("project "))
        .unwrap();
    let (ok, _, err) = hugme(&["review", tablet.to_str().unwrap(), theirs, "--overall", "x"]);
    assert!(!ok, "a tablet reviewed a project");
    assert!(!err.is_empty());
}
