use super::*;
use hugme_model::StepState;

/// A teacher's device with the sample class (created here, so this device is its teacher).
fn teacher() -> (tempfile::TempDir, App, Class) {
    let dir = tempfile::tempdir().unwrap();
    let (app, class) = crate::sample::teacher_device(dir.path(), &["Ketut", "Karhut"]);
    (dir, app, class)
}

#[test]
fn the_overview_shows_each_groups_steps_hand_moods_and_last_change() {
    let (_dir, app, class) = teacher();
    assert!(app.is_teacher().unwrap());
    let ketut = &class.groups[0];
    let id = app.create_project(&class.id, &ketut.id, "Jää").unwrap();
    app.update_project(&id, |p| {
        p.set_step_state(Step::Phenomenon, StepState::Done);
        p.hand_raised_at = Some(now_ms());
        p.agreement.check_ins.push(hugme_model::CheckIn {
            id: "c1".into(),
            date: "2026-11-25".into(),
            member_id: None,
            mood: "😀".into(),
            note: Text::with_value(""),
        });
        p.agreement.check_ins.push(hugme_model::CheckIn {
            id: "c0".into(),
            date: "2026-11-24".into(),
            member_id: None,
            mood: "😴".into(),
            note: Text::with_value(""),
        });
        Ok(())
    })
    .unwrap();
    let view = app.dashboard(class.id.as_str(), "2026-11-25").unwrap();
    assert_eq!(view.groups.len(), 2);
    assert!(view.groups[1].projects.is_empty());
    let p = &view.groups[0].projects[0];
    assert_eq!(p.steps.len(), 8);
    assert_eq!(p.steps[1], StepState::Done);
    assert!(p.hand_raised);
    assert_eq!(p.moods_today, ["😀"]);
    let changed = p.last_change.expect("a last change");
    assert!((now_ms() - changed).abs() < 60_000, "{changed}");
    assert_eq!(view.devices.len(), 1);
    assert_eq!(view.devices[0].role, "teacher");
}

#[test]
fn feedback_reaches_the_review_and_the_hand_is_lowered() {
    let (_dir, app, class) = teacher();
    let id = app
        .create_project(&class.id, &class.groups[0].id, "Jää")
        .unwrap();
    app.update_project(&id, |p| {
        p.hand_raised_at = Some(1);
        Ok(())
    })
    .unwrap();
    let comment = ReviewEdit::AddComment {
        id: "k1".into(),
        pin: PinView::Step {
            step: Step::Phenomenon,
        },
        text: "Hyvä ilmiö! Mistä se johtuu?".into(),
    };
    app.review_project(id.as_str(), comment.clone()).unwrap();
    // A retried edit adds nothing twice.
    app.review_project(id.as_str(), comment).unwrap();
    app.review_project(
        id.as_str(),
        ReviewEdit::SetOverall {
            text: "Hienoa työtä".into(),
        },
    )
    .unwrap();
    app.review_project(
        id.as_str(),
        ReviewEdit::SetApproval {
            approval: Approval::ReturnedForRevision,
        },
    )
    .unwrap();
    app.review_project(id.as_str(), ReviewEdit::LowerHand)
        .unwrap();
    let feedback = app.feedback(id.as_str()).unwrap();
    assert_eq!(feedback.comments.len(), 1);
    assert_eq!(feedback.overall, "Hienoa työtä");
    assert_eq!(feedback.approval, Approval::ReturnedForRevision);
    assert_eq!(app.project(&id).unwrap().value.hand_raised_at, None);
    let view = app.dashboard(class.id.as_str(), "2026-11-25").unwrap();
    assert_eq!(view.groups[0].projects[0].open_comments, 1);

    app.review_project(id.as_str(), ReviewEdit::ResolveComment { id: "k1".into() })
        .unwrap();
    assert!(app.feedback(id.as_str()).unwrap().comments[0].resolved);
    assert_eq!(
        app.add_goal_to_all(class.id.as_str(), "Kysy yksi kysymys lisää")
            .unwrap(),
        1
    );
    let goals = app.project(&id).unwrap().value.goals.items;
    assert!(goals[0].set_by_teacher);
}

#[test]
fn a_tablet_may_not_review() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).unwrap();
    let demo = crate::sample::create(&app).unwrap();
    let err = app
        .review_project(demo.projects[0].as_str(), ReviewEdit::LowerHand)
        .unwrap_err();
    assert!(matches!(err, Error::NotTeacher), "{err}");
    let err = app
        .dashboard(demo.class.id.as_str(), "2026-11-25")
        .unwrap_err();
    assert!(matches!(err, Error::NotTeacher), "{err}");
}

#[test]
fn the_teacher_exports_the_whole_class_and_a_tablet_may_not() {
    let (dir, app, class) = teacher();
    for group in &class.groups {
        app.create_project(&class.id, &group.id, "Jää").unwrap();
    }
    let out = tempfile::tempdir().unwrap();
    let heard = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let reports = heard.clone();
    let done = app
        .export_class(
            class.id.as_str(),
            ExportFormat::Cc11,
            true,
            out.path(),
            move |p| reports.lock().unwrap().push(p),
        )
        .unwrap();
    let path = std::path::Path::new(&done.path);
    assert!(path.exists(), "{}", path.display());
    assert!(done.path.ends_with(".imscc"));
    assert!(done.missing.is_empty(), "{:?}", done.missing);
    let heard = heard.lock().unwrap();
    let last = heard.last().unwrap();
    assert!(last.total > 0 && last.done == last.total, "{last:?}");
    assert!(
        heard.len() <= 102,
        "{} reports: about a hundred at most",
        heard.len()
    );
    drop(dir);

    let tablet = tempfile::tempdir().unwrap();
    let pupils = App::open(tablet.path()).unwrap();
    let demo = crate::sample::create(&pupils).unwrap();
    let err = pupils
        .export_class(
            demo.class.id.as_str(),
            ExportFormat::Html,
            false,
            out.path(),
            |_| {},
        )
        .unwrap_err();
    assert!(matches!(err, Error::NotTeacher), "{err}");
}

#[test]
fn one_export_runs_at_a_time_and_a_cancel_leaves_no_file() {
    let (_dir, app, class) = teacher();
    // Projects with pictures: an export is cancelled between the files it copies.
    crate::sample::fill_class(&app, &class, "2026-11-25").unwrap();
    let app = std::sync::Arc::new(app);
    let out = tempfile::tempdir().unwrap();
    // While the first export reports its progress, a second is refused; then the first is
    // cancelled from there.
    let second = std::sync::Arc::new(std::sync::Mutex::new(None));
    let (during, seen) = (app.clone(), second.clone());
    let (folder, id) = (out.path().to_owned(), class.id.to_string());
    let err = app
        .export_class(
            class.id.as_str(),
            ExportFormat::Cc11,
            false,
            out.path(),
            move |_| {
                let mut seen = seen.lock().unwrap();
                if seen.is_none() {
                    let refused =
                        during.export_class(&id, ExportFormat::Html, false, &folder, |_| {});
                    *seen = Some(refused.map_err(|e| e.code()));
                    during.cancel_export();
                }
            },
        )
        .unwrap_err();
    assert_eq!(err.code(), crate::ErrorCode::Cancelled, "{err}");
    assert_eq!(
        *second.lock().unwrap(),
        Some(Err(crate::ErrorCode::ExportRunning))
    );
    assert_eq!(
        std::fs::read_dir(out.path()).unwrap().count(),
        0,
        "no file left"
    );
    // Once it ended, the next export runs.
    app.export_class(
        class.id.as_str(),
        ExportFormat::Html,
        false,
        out.path(),
        |_| {},
    )
    .unwrap();
}

#[test]
fn the_teacher_edits_groups_and_pupils_and_protects_an_identity() {
    let (_dir, app, class) = teacher();
    let id = class.id.as_str();
    let edit = |e| app.edit_class(id, e);
    edit(ClassEdit::AddGroup {
        id: "g-new".into(),
        name: " Pöllöt ".into(),
    })
    .unwrap();
    // A retry adds nothing twice.
    edit(ClassEdit::AddGroup {
        id: "g-new".into(),
        name: "Pöllöt".into(),
    })
    .unwrap();
    for (mid, name) in [("m1", "Aino"), ("m2", "Eetu")] {
        edit(ClassEdit::AddMember {
            group: "g-new".into(),
            id: mid.into(),
            name: name.into(),
            protected: None,
        })
        .unwrap();
    }
    edit(ClassEdit::SetProtected {
        group: "g-new".into(),
        id: "m2".into(),
        protected: true,
    })
    .unwrap();
    edit(ClassEdit::SetPin {
        group: "g-new".into(),
        pin: Some("1234".into()),
    })
    .unwrap();
    let err = edit(ClassEdit::SetPin {
        group: "g-new".into(),
        pin: Some("12a4".into()),
    })
    .unwrap_err();
    assert!(matches!(err, Error::BadPin), "{err}");
    edit(ClassEdit::RemoveMember {
        group: "g-new".into(),
        id: "m1".into(),
    })
    .unwrap();
    let cards = app.class_cards().unwrap();
    let group = cards[0].groups.iter().find(|g| g.id == "g-new").unwrap();
    assert_eq!(cards[0].groups.len(), 3);
    assert_eq!(group.name, "Pöllöt");
    assert!(group.has_pin);
    assert_eq!(group.members.len(), 1);
    assert!(group.members[0].protected_identity);
    assert_eq!(
        group.members[0].name, "Eetu",
        "named on the teacher's device"
    );
    let err = edit(ClassEdit::RenameGroup {
        id: "nope".into(),
        name: "x".into(),
    })
    .unwrap_err();
    assert!(matches!(err, Error::NoSuchGroup { .. }), "{err}");
}

#[test]
fn one_damaged_project_leaves_the_overview_and_the_class_export_working() {
    let (_dir, app, class) = teacher();
    let (ketut, karhut) = (&class.groups[0], &class.groups[1]);
    app.create_project(&class.id, &ketut.id, "Jää").unwrap();
    // A project of the Bears whose content is no longer pages (written around the types).
    let damaged = app.create_project(&class.id, &karhut.id, "Karhut").unwrap();
    app.with_doc(damaged.as_str(), |doc| {
        use automerge::transaction::Transactable;
        doc.doc_mut()
            .put(automerge::ROOT, "content", "not pages")
            .unwrap();
        doc.commit(app.store()).wait()?;
        Ok(())
    })
    .unwrap();
    let view = app.dashboard(class.id.as_str(), "2026-11-25").unwrap();
    assert_eq!(view.groups[0].projects.len(), 1, "the Foxes' work is there");
    assert!(view.groups[0].unreadable.is_empty());
    assert!(view.groups[1].projects.is_empty());
    assert_eq!(
        view.groups[1].unreadable,
        [damaged.to_string()],
        "listed with its group"
    );

    let out = tempfile::tempdir().unwrap();
    let path = app
        .export_class(
            class.id.as_str(),
            ExportFormat::Html,
            false,
            out.path(),
            |_| {},
        )
        .unwrap()
        .path;
    let zip = std::fs::read(&path).unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    let mut index = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("index.html").unwrap(), &mut index).unwrap();
    assert!(index.contains("Jää"), "{index}");
    assert!(
        index.contains("Karhut"),
        "the damaged project is named as left out: {index}"
    );
}

#[test]
fn a_protected_name_lives_in_the_groups_identities_document_and_never_in_the_class_document() {
    let (_dir, app, class) = teacher();
    let id = class.id.as_str();
    let group = class.groups[0].id.clone();
    let edit = |e| app.edit_class(id, e);
    // Protected from the start: the name is never written to the class document.
    edit(ClassEdit::AddMember {
        group: group.to_string(),
        id: "m-salla".into(),
        name: " Salla ".into(),
        protected: Some(true),
    })
    .unwrap();
    edit(ClassEdit::RenameMember {
        group: group.to_string(),
        id: "m-salla".into(),
        name: "Sallamaija".into(),
    })
    .unwrap();
    // Marked later: the name moves out of the class document.
    edit(ClassEdit::AddMember {
        group: group.to_string(),
        id: "m-eetu".into(),
        name: "Eetu".into(),
        protected: None,
    })
    .unwrap();
    edit(ClassEdit::SetProtected {
        group: group.to_string(),
        id: "m-eetu".into(),
        protected: true,
    })
    .unwrap();
    let class_doc = app.read::<Class>(id).unwrap().value;
    let members = &class_doc.group(&group).unwrap().members;
    let named = |m: &str| members.iter().find(|x| x.id.as_str() == m).unwrap().clone();
    assert_eq!(named("m-salla").name.as_str(), "");
    assert_eq!(named("m-eetu").name.as_str(), "");
    let history = app
        .with_doc(id, |doc| {
            Ok(hugme_model::document::history_text(doc.doc_mut()))
        })
        .unwrap();
    assert!(
        !history.contains("Salla"),
        "in the class document's history"
    );
    assert!(history.contains("Eetu"), "written before it was protected");
    let list = app.protected_names(&group).unwrap().unwrap();
    assert_eq!(list.name_of(&"m-salla".into()), Some("Sallamaija"));
    assert_eq!(list.name_of(&"m-eetu".into()), Some("Eetu"));
    let card = app.class_cards().unwrap().remove(0);
    let shown: Vec<&str> = card.groups[0]
        .members
        .iter()
        .map(|m| m.name.as_str())
        .collect();
    assert!(
        shown.contains(&"Sallamaija") && shown.contains(&"Eetu"),
        "{shown:?}"
    );

    // No longer protected: back into the class document, off the list.
    edit(ClassEdit::SetProtected {
        group: group.to_string(),
        id: "m-eetu".into(),
        protected: false,
    })
    .unwrap();
    let class_doc = app.read::<Class>(id).unwrap().value;
    let eetu = class_doc
        .group(&group)
        .unwrap()
        .members
        .iter()
        .find(|m| m.id.as_str() == "m-eetu")
        .unwrap()
        .clone();
    assert_eq!(
        (eetu.name.as_str(), eetu.protected_identity),
        ("Eetu", false)
    );
    assert_eq!(
        app.protected_names(&group)
            .unwrap()
            .unwrap()
            .name_of(&"m-eetu".into()),
        None
    );
    // Removed: off the list too.
    edit(ClassEdit::RemoveMember {
        group: group.to_string(),
        id: "m-salla".into(),
    })
    .unwrap();
    assert!(app
        .protected_names(&group)
        .unwrap()
        .unwrap()
        .names
        .is_empty());
}

#[test]
fn a_protected_name_left_in_the_class_document_moves_out_on_the_teachers_device() {
    let (_dir, app, class) = teacher();
    let group = class.groups[0].id.clone();
    // Written as before protected names had documents of their own.
    app.update_class(&class.id, |c| {
        let mut old = Member::new("Vanhanen");
        old.protected_identity = true;
        c.group_mut(&group).unwrap().members.push(old);
        Ok(())
    })
    .unwrap();
    assert_eq!(app.move_protected_names_out().unwrap(), 1);
    let class_doc = app.read::<Class>(class.id.as_str()).unwrap().value;
    let old = class_doc
        .group(&group)
        .unwrap()
        .members
        .iter()
        .find(|m| m.protected_identity)
        .unwrap()
        .clone();
    assert_eq!(old.name.as_str(), "");
    let list = app.protected_names(&group).unwrap().unwrap();
    assert_eq!(list.name_of(&old.id), Some("Vanhanen"));
    assert_eq!(app.move_protected_names_out().unwrap(), 0, "once");
}

#[test]
fn the_class_language_is_one_of_the_apps_five_and_the_overview_shows_it() {
    let (_dir, app, class) = teacher();
    let id = class.id.as_str();
    for language in hugme_model::class::LANGUAGES {
        app.edit_class(
            id,
            ClassEdit::SetLanguage {
                language: language.into(),
            },
        )
        .unwrap();
        assert_eq!(app.dashboard(id, "2026-11-30").unwrap().language, language);
    }
    let refused = app.edit_class(
        id,
        ClassEdit::SetLanguage {
            language: "de".into(),
        },
    );
    assert!(matches!(refused, Err(Error::NoSuchLanguage(l)) if l == "de"));
    assert_eq!(app.dashboard(id, "2026-11-30").unwrap().language, "nb");
}
