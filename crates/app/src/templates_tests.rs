use super::*;
use hugme_model::ResearchQuestion;

/// A teacher's device with the sample class (created here, so this device is its teacher).
fn teacher() -> (tempfile::TempDir, App, Class) {
    let dir = tempfile::tempdir().unwrap();
    let (app, class) = crate::sample::teacher_device(dir.path(), &["Ketut", "Karhut"]);
    (dir, app, class)
}

#[test]
fn a_starter_phenomenon_applied_to_every_group_reaches_each_project_once() {
    let (_dir, app, class) = teacher();
    let ketut = &class.groups[0];
    let existing = app
        .create_project(&class.id, &ketut.id, "Meidän projekti")
        .unwrap();
    let template = app.library_template("snow-and-ice", "fi").unwrap();
    assert_eq!(template.language, "fi");
    assert_eq!(template.phenomenon, "Lumi ja jää");
    // Karhut has no project yet: it gets one, ready when the group starts.
    assert_eq!(
        app.apply_template(class.id.as_str(), &template, None)
            .unwrap(),
        2
    );
    // Applying again adds nothing twice.
    assert_eq!(
        app.apply_template(class.id.as_str(), &template, None)
            .unwrap(),
        2
    );
    let projects = app.projects().unwrap();
    assert_eq!(projects.len(), 2);
    for p in &projects {
        let p = &p.value;
        assert_eq!(p.phenomenon.title.as_str(), "Lumi ja jää");
        let goals: Vec<_> = p.goals.items.iter().map(|g| g.text.as_str()).collect();
        assert_eq!(goals, template.goals, "{}", p.title.as_str());
        assert!(p.goals.items.iter().all(|g| g.set_by_teacher));
        let subjects: Vec<_> = p.subjects.items.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(subjects, template.subjects);
        let applied = p.template.as_ref().expect("the template is kept");
        assert_eq!(applied.prompts, template.prompts);
        assert_eq!(applied.library_id.as_deref(), Some("snow-and-ice"));
    }
    let kept = projects.iter().find(|p| p.value.id == existing).unwrap();
    assert_eq!(
        kept.value.title.as_str(),
        "Meidän projekti",
        "its own title stays"
    );
    // What the group's tablet shows, and the overview.
    let view = app.project_view(existing.as_str()).unwrap();
    assert_eq!(view.template.unwrap().prompts, template.prompts);
    let overview = app.dashboard(class.id.as_str(), "2026-11-30").unwrap();
    for g in &overview.groups {
        assert_eq!(g.projects[0].template.as_deref(), Some("Lumi ja jää"));
        assert_eq!(g.projects[0].phenomenon, "Lumi ja jää");
    }
}

#[test]
fn a_template_for_one_group_leaves_the_others_alone() {
    let (_dir, app, class) = teacher();
    let template = app.library_template("screen-time", "en").unwrap();
    let karhut = class.groups[1].id.as_str();
    assert_eq!(
        app.apply_template(class.id.as_str(), &template, Some(karhut))
            .unwrap(),
        1
    );
    let projects = app.projects().unwrap();
    assert_eq!(projects.len(), 1);
    assert_eq!(projects[0].value.group_id.as_str(), karhut);
    let err = app
        .apply_template(class.id.as_str(), &template, Some("no-such-group"))
        .unwrap_err();
    assert!(matches!(err, Error::NoSuchGroup { .. }), "{err}");
}

#[test]
fn a_template_made_of_a_project_carries_no_pupils_work_or_names() {
    let (_dir, app, class) = teacher();
    let ketut = &class.groups[0];
    let pupil = "Veeti".to_owned();
    for (id, name, protected) in [("m1", "Veeti", false), ("m2", "Salainen", true)] {
        let edit = crate::api::teacher::ClassEdit::AddMember {
            group: ketut.id.to_string(),
            id: id.into(),
            name: name.into(),
            protected: Some(protected),
        };
        app.edit_class(class.id.as_str(), edit).unwrap();
    }
    let template = app.library_template("forest-and-us", "fi").unwrap();
    app.apply_template(class.id.as_str(), &template, Some(ketut.id.as_str()))
        .unwrap();
    let id = app.projects().unwrap()[0].value.id.clone();
    app.update_project(&id, |p| {
        p.phenomenon.why.update("Koska Aino asuu metsän vieressä");
        p.goals.items.push(Goal {
            id: "pupils".into(),
            text: Text::with_value("Oppilaiden oma tavoite"),
            set_by_teacher: false,
            reached: false,
        });
        p.goals.items.push(Goal {
            id: "named".into(),
            text: Text::with_value(format!("{pupil} kuvaa kaikki puut")),
            set_by_teacher: true,
            reached: false,
        });
        let mut q = ResearchQuestion::new("Mitä oppilas kysyi itse?");
        q.notes.update("Muistiinpanot");
        q.findings.update("Löydökset");
        p.research.questions.push(q);
        p.content.pages.push(Page::new(&format!("{pupil}n sivu")));
        p.content.pages.push(Page::new("Salainen kirjoitti"));
        let mut page = Page::new("Havainnot");
        page.blocks
            .push(hugme_model::Block::text("Oppilaan teksti sivulla"));
        p.content.pages.push(page);
        Ok(())
    })
    .unwrap();
    let made = app
        .template_of_project(id.as_str(), "Metsä ja me, 8B")
        .unwrap();
    let file = String::from_utf8(made.to_file().unwrap()).unwrap();
    for pupils in [
        "Aino",
        pupil.as_str(),
        "Salainen",
        "Oppilaiden oma tavoite",
        "Mitä oppilas kysyi itse",
        "Muistiinpanot",
        "Löydökset",
        "Oppilaan teksti",
    ] {
        assert!(
            !file.contains(pupils),
            "the template carries {pupils:?}: {file}"
        );
    }
    assert_eq!(made.goals, template.goals, "the teacher's goals");
    assert_eq!(made.prompts, template.prompts);
    assert_eq!(made.pages, ["Havainnot"]);
    assert_eq!(made.name, "Metsä ja me, 8B");
    // And it opens on another teacher's device as it was saved.
    let folder = tempfile::tempdir().unwrap();
    let path = app.save_template(&made, folder.path()).unwrap();
    assert!(path.ends_with("Metsä ja me_ 8B.hugme-template"), "{path:?}");
    assert_eq!(App::read_template_file(&path).unwrap(), made);
    let second = app.save_template(&made, folder.path()).unwrap();
    assert_ne!(second, path, "a saved template is never overwritten");
}

#[test]
fn an_oversized_or_malformed_template_file_changes_nothing() {
    let (_dir, app, class) = teacher();
    let folder = tempfile::tempdir().unwrap();
    let huge = folder.path().join("huge.hugme-template");
    std::fs::write(&huge, vec![b' '; 50 << 20]).unwrap();
    let err = App::read_template_file(&huge).unwrap_err();
    assert!(matches!(
        err,
        Error::Template(hugme_model::TemplateError::TooBig { .. })
    ));
    assert_eq!(err.code(), crate::ErrorCode::BadTemplate);
    let future = folder.path().join("future.hugme-template");
    std::fs::write(
        &future,
        br#"{"format":"hugme-template","version":7,"template":{}}"#,
    )
    .unwrap();
    let err = App::read_template_file(&future).unwrap_err();
    assert!(err.to_string().contains("newer"), "{err}");
    let mut bad = app.library_template("snow-and-ice", "en").unwrap();
    bad.goals = vec!["x".repeat(hugme_model::template::MAX_TEXT + 1)];
    assert!(app.apply_template(class.id.as_str(), &bad, None).is_err());
    assert!(app.projects().unwrap().is_empty(), "nothing was written");
}

#[test]
fn a_tablet_may_not_apply_or_make_templates() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).unwrap();
    let demo = crate::sample::create(&app).unwrap();
    let template = app.library_template("snow-and-ice", "fi").unwrap();
    let err = app
        .apply_template(demo.class.id.as_str(), &template, None)
        .unwrap_err();
    assert!(matches!(err, Error::NotTeacher), "{err}");
    let err = app
        .template_of_project(demo.projects[0].as_str(), "x")
        .unwrap_err();
    assert!(matches!(err, Error::NotTeacher), "{err}");
}
