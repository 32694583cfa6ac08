//! The teacher's device: the real app in teacher role, with a class of eight groups, and a
//! headless tablet of group Ketut (the `hugme` facade syncing over TLS on loopback, in this
//! process). A question written on the tablet shows on the teacher's screen; the teacher's
//! comment reaches the tablet; a raised hand shows; removing the tablet stops its sync.

use std::sync::Arc;
use std::time::{Duration, Instant};

use hugme_app::api::edit::Edit;
use hugme_app::App;
use hugme_model::ResearchQuestion;
use hugme_node::neighbours::Reach;
use hugme_node::Network;
use hugme_node::Node;

use crate::driver::Driver;
use crate::headless::{free_address, open_when_closed, Tablet};

const QUESTION: &str = "Missä ketut nukkuvat talvella?";
const LATE_QUESTION: &str = "Tämä ei saa enää tulla perille";
const COMMENT: &str = "Hyvä kysymys! Kenet voisitte haastatella?";

/// Runs `f` until it is true, for at most `within`.
async fn eventually(what: &str, within: Duration, mut f: impl FnMut() -> bool) -> Duration {
    let started = Instant::now();
    while !f() {
        assert!(started.elapsed() < within, "waited in vain for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    started.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_teacher_follows_a_tablet_live_and_can_remove_it() {
    let root = tempfile::tempdir().unwrap();
    let (teacher, tablet) = (root.path().join("teacher"), root.path().join("tablet"));
    let class = hugme_node::enrolment::create_class_as_teacher(
        &hugme_node::membership::open(&teacher).unwrap(),
        "5B",
        &hugme_app::sample::GROUP_NAMES,
    )
    .unwrap();
    let today = hugme_app::sample::iso_date(hugme_store_now() / 86_400_000);
    let ketut_project = {
        let app = App::open(&teacher).unwrap();
        let projects = hugme_app::sample::fill_class(&app, &class, &today).unwrap();
        // Another group's recording that has not reached the teacher's device yet: the
        // export goes on without it and says so.
        app.update_project(&projects[1], |p| {
            if p.content.pages.is_empty() {
                p.content.pages.push(hugme_model::Page::new("Äänet"));
            }
            p.content.pages[0].blocks.push(hugme_model::Block {
                id: hugme_model::BlockId::random(),
                kind: hugme_model::BlockKind::Audio {
                    media: hugme_model::MediaRef {
                        hash: "cd".repeat(32),
                        mime: "audio/mp4".into(),
                        size: 52_000,
                        width: None,
                        height: None,
                        caption: hugme_model::Text::with_value("Tuulen ääni"),
                        thumbnail: None,
                        preview: None,
                    },
                },
            });
            Ok(())
        })
        .unwrap();
        projects[0].clone()
    };
    let addr = free_address();

    // The teacher's app serves the class (and enrolment) at a known address.
    let driver = Driver::start();
    let exports = tempfile::tempdir().unwrap();
    let app = driver
        .launch_with(
            &teacher,
            &[
                "--listen",
                &addr,
                "--exports",
                exports.path().to_str().unwrap(),
            ],
        )
        .await;
    app.find("[data-testid=dashboard]").await;
    app.until(
        "eight groups",
        "return document.querySelectorAll('[data-testid=group-overview]').length === 8;",
    )
    .await;
    app.until(
        "the newest pictures painted",
        "const i = [...document.querySelectorAll('[data-testid=dashboard] img')]; \
         return i.length > 0 && i.every(e => e.complete && e.naturalWidth > 0);",
    )
    .await;
    app.shot("30-teacher-dashboard").await;

    // The teacher lets Ketut's tablet in: the screen shows a QR code and the digits.
    app.click("[data-testid=show-devices]").await;
    app.click("[data-testid=add-tablet]").await;
    app.until(
        "Ketut chosen",
        "return document.querySelector('[data-testid=enrol-group]').value === 'Ketut';",
    )
    .await;
    app.click("[data-testid=enrol-tablet]").await;
    app.find("[data-testid=enrolment-qr] svg").await;
    let code = app.text_of("[data-testid=enrolment-code]").await;
    assert_eq!(code.replace(' ', "").len(), 8, "{code:?}");
    let shown = app.text_of("[data-testid=enrolment]").await;
    assert!(shown.contains(&addr), "the tablet is told where: {shown}");
    app.shot("37-teacher-enrol-tablet").await;
    app.click("[data-testid=enrolment-done]").await;
    app.click("[data-testid=show-devices]").await;

    // The tablet joins with the typed code and syncs with the app every couple of seconds.
    let dir = tablet.clone();
    let at = addr.clone();
    let device = tokio::task::spawn_blocking(move || {
        hugme_node::enrolment::join_by_code(
            &hugme_node::membership::open(&dir).unwrap(),
            &code,
            &[at],
        )
    })
    .await
    .unwrap()
    .expect("the tablet joins the teacher's app with the code")
    .0;
    let pupils = Arc::new(App::open(&tablet).unwrap());
    let hub = Arc::new(Node::of(pupils.clone()).unwrap());
    let tablet_side = Tablet::start(hub);
    eventually(
        "Ketut's project on the tablet",
        Duration::from_secs(20),
        || pupils.project(&ketut_project).is_ok(),
    )
    .await;

    // The teacher opens Ketut's project; the pupils write a question on their tablet.
    app.click(
        "[data-testid=group-overview][data-group=Ketut] [data-testid=project-overview] button.open",
    )
    .await;
    app.find("[data-testid=project-review]").await;
    pupils
        .update_project(&ketut_project, |p| {
            p.research.questions.push(ResearchQuestion::new(QUESTION));
            Ok(())
        })
        .unwrap();
    let written = Instant::now();
    app.until(
        "the tablet's question on the teacher's screen",
        &format!(
            "const q = document.querySelector('[data-testid=review-questions]'); \
             return !!q && q.innerText.includes({QUESTION:?});"
        ),
    )
    .await;
    let mut shown = vec![written.elapsed()];
    // Ten more, one at a time: each shows on the teacher's screen as it is written.
    for n in 1..=10 {
        let question = format!("{QUESTION} ({n})");
        pupils
            .update_project(&ketut_project, |p| {
                p.research.questions.push(ResearchQuestion::new(&question));
                Ok(())
            })
            .unwrap();
        let written = Instant::now();
        app.until(
            "the tablet's next question on the teacher's screen",
            &format!(
                "const q = document.querySelector('[data-testid=review-questions]'); \
                 return !!q && q.innerText.includes({question:?});"
            ),
        )
        .await;
        shown.push(written.elapsed());
    }
    shown.sort();
    let p50 = shown[shown.len() / 2];
    eprintln!(
        "a question typed on the tablet showed on the teacher's screen: p50 {} ms, slowest {} ms \
         of {}",
        p50.as_millis(),
        shown[shown.len() - 1].as_millis(),
        shown.len()
    );
    assert!(p50 < Duration::from_secs(1), "p50 {p50:?}");

    // The teacher's comment on it reaches the tablet.
    app.type_into("[data-testid=comment-text]", COMMENT).await;
    app.click("[data-testid=add-comment]").await;
    app.find("[data-testid=comment]").await;
    app.shot("31-teacher-feedback").await;
    let took = eventually("the comment on the tablet", Duration::from_secs(10), || {
        pupils
            .feedback(ketut_project.as_str())
            .is_ok_and(|f| f.comments.iter().any(|c| c.text == COMMENT))
    })
    .await;
    eprintln!(
        "the teacher's comment reached the tablet after {} ms",
        took.as_millis()
    );

    // The group raises its hand: the overview shows it.
    app.click("[data-testid=back-dashboard]").await;
    pupils
        .edit_project(
            ketut_project.as_str(),
            &Edit::RaiseHand {
                at: Some(hugme_store_now()),
            },
        )
        .unwrap();
    app.until(
        "Ketut's raised hand",
        "return !!document.querySelector('[data-testid=group-overview][data-group=Ketut] [data-testid=hand-raised]');",
    )
    .await;
    // Its tablet's session is open: the group's card says it is live (from the session, not
    // from when it last synced); a group with no tablet says nothing.
    app.until(
        "Ketut's card live, Karhut's not",
        "return !!document.querySelector('[data-testid=group-overview][data-group=Ketut] [data-testid=group-live]') \
         && !document.querySelector('[data-testid=group-overview][data-group=Karhut] [data-testid=group-live]');",
    )
    .await;
    app.shot("32-teacher-hand-raised").await;

    // The teacher removes the tablet: what it writes next never arrives.
    app.click("[data-testid=show-devices]").await;
    app.find(&format!("[data-testid=device][data-device='{device}']"))
        .await;
    app.shot("33-teacher-devices").await;
    app.click(&format!(
        "[data-testid=device][data-device='{device}'] [data-testid=remove-device]"
    ))
    .await;
    app.client.accept_alert().await.expect("the confirmation");
    app.until(
        "the tablet shown removed",
        &format!(
            "const d = document.querySelector(\"[data-testid=device][data-device='{device}']\"); \
             return !!d && d.classList.contains('revoked');"
        ),
    )
    .await;
    // The revocation reaches the tablet with its next session; after that it is refused.
    tokio::time::sleep(Duration::from_secs(3)).await;
    pupils
        .update_project(&ketut_project, |p| {
            p.research
                .questions
                .push(ResearchQuestion::new(LATE_QUESTION));
            Ok(())
        })
        .unwrap();
    app.click(
        "[data-testid=group-overview][data-group=Ketut] [data-testid=project-overview] button.open",
    )
    .await;
    app.find("[data-testid=review-questions]").await;
    tokio::time::sleep(Duration::from_secs(6)).await;
    let text = app.body_text().await;
    assert!(text.contains(QUESTION), "{text}");
    assert!(
        !text.contains(LATE_QUESTION),
        "a removed tablet's change still arrived"
    );

    // The teacher adds a pupil to Ketut with her identity protected from the start (the
    // name then goes only to the group's identities document).
    app.click("[data-testid=back-dashboard]").await;
    app.until(
        "Ketut's card no longer live once its tablet is removed",
        "return !!document.querySelector('[data-testid=group-overview][data-group=Ketut]') \
         && !document.querySelector('[data-testid=group-live]');",
    )
    .await;
    app.click("[data-testid=show-class]").await;
    app.type_into(
        "[data-testid=class-group][data-group=Ketut] [data-testid=new-member]",
        "Lumi",
    )
    .await;
    app.click("[data-testid=class-group][data-group=Ketut] [data-testid=new-member-protected]")
        .await;
    app.click("[data-testid=class-group][data-group=Ketut] form button[type=submit]")
        .await;
    app.until(
        "the new pupil, named on the teacher's device",
        "const g = document.querySelector('[data-testid=class-group][data-group=Ketut]'); \
         return !!g && g.innerText.includes('Lumi');",
    )
    .await;
    app.until(
        "the pupil protected",
        "const c = document.querySelector('[data-testid=class-group][data-group=Ketut] [data-testid=protect-member]'); \
         return !!c && c.checked;",
    )
    .await;
    app.shot("35-teacher-class").await;

    // End of term: the whole class, with feedback, for the school's LMS.
    app.click("[data-testid=export-cc11]").await;
    app.until(
        "the class export",
        "return !!document.querySelector('[data-testid=export-result]');",
    )
    .await;
    let missing = app.text_of("[data-testid=export-missing]").await;
    assert!(
        // (The teacher's app speaks Finnish here.)
        missing.contains("Vie uudelleen") && missing.contains("äänite projektista"),
        "the recording that had not arrived is named: {missing}"
    );
    app.client
        .execute(
            "document.querySelector('[data-testid=export-missing]').scrollIntoView({block: 'center'}); return true;",
            vec![],
        )
        .await
        .unwrap();
    app.shot("34-teacher-export").await;
    let written: Vec<_> = std::fs::read_dir(exports.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(written.len(), 1, "{written:?}");
    let zip = std::fs::read(&written[0]).unwrap();
    assert!(zip.starts_with(b"PK"), "a zip: {}", written[0].display());
    app.quit().await;
    drop(tablet_side);
}

fn hugme_store_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_teacher_creates_a_class_on_a_fresh_device() {
    let data = tempfile::tempdir().unwrap();
    let driver = Driver::start();
    let addr = free_address();
    let app = driver.launch_with(data.path(), &["--listen", &addr]).await;
    app.click("[data-testid=teacher-start]").await;
    app.type_into("[data-testid=new-class-name]", "6C").await;
    app.type_into("[data-testid=new-class-groups]", "Ketut, Karhut")
        .await;
    app.shot("36-teacher-create-class").await;
    app.click("[data-testid=create-class]").await;
    app.until(
        "the new class's overview",
        "return document.querySelectorAll('[data-testid=group-overview]').length === 2;",
    )
    .await;
    // The new teacher's device serves its class at once (enrolment needs it).
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(&addr).is_err() {
        assert!(
            Instant::now() < deadline,
            "the teacher's device does not serve"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_project_shows_as_such_and_the_rest_of_the_overview_works() {
    let root = tempfile::tempdir().unwrap();
    let teacher = root.path().join("teacher");
    let class = hugme_node::enrolment::create_class_as_teacher(
        &hugme_node::membership::open(&teacher).unwrap(),
        "5B",
        &["Ketut", "Karhut"],
    )
    .unwrap();
    {
        let app = App::open(&teacher).unwrap();
        let (ketut, karhut) = (&class.groups[0], &class.groups[1]);
        app.create_project(&class.id, &ketut.id, "Jään kevät")
            .unwrap();
        // A Karhut project whose file no longer reads as a project (its pages are text).
        let mut doc = automerge::AutoCommit::new();
        let mut project =
            hugme_model::Project::new(class.id.clone(), karhut.id.clone(), "Karhut", 0);
        project.id = hugme_model::ProjectId::from("damaged-project");
        hugme_model::write(&mut doc, &project).unwrap();
        automerge::transaction::Transactable::put(&mut doc, automerge::ROOT, "content", "?")
            .unwrap();
        doc.commit();
        app.store()
            .create_document("damaged-project", hugme_model::DocumentKind::Project, doc)
            .unwrap();
    }
    let driver = Driver::start();
    let app = driver.launch(&teacher).await;
    app.until(
        "the overview of both groups",
        "return document.querySelectorAll('[data-testid=group-overview]').length === 2;",
    )
    .await;
    app.find("[data-testid=unreadable-project]").await;
    let text = app.body_text().await;
    assert!(
        text.contains("Jään kevät"),
        "the readable project is there: {text}"
    );
    assert!(
        text.contains("ei voitu lukea"),
        "the damaged one is named as such: {text}"
    );
    app.shot("45-teacher-damaged-project").await;
    app.quit().await;
}

/// A class (Ketut, Karhut) whose teacher's device serves at a loopback address, as its app
/// does (its own runtime, on a plain thread): the teacher's app, its folder, the address and
/// the running network side.
pub(crate) fn serving_teacher(
    root: &std::path::Path,
) -> (Arc<App>, std::path::PathBuf, String, Network) {
    let teacher = root.join("teacher");
    hugme_node::enrolment::create_class_as_teacher(
        &hugme_node::membership::open(&teacher).unwrap(),
        "5B",
        &["Ketut", "Karhut"],
    )
    .unwrap();
    let addr = free_address();
    let teachers = Arc::new(App::open(&teacher).unwrap());
    let reach = Reach {
        discovery: false,
        fallbacks: false,
        typed: Vec::new(),
    };
    let (serving_app, listen) = (teachers.clone(), addr.clone());
    let network =
        std::thread::spawn(move || Network::start(serving_app, reach, Some(listen.as_str())))
            .join()
            .unwrap()
            .unwrap()
            .expect("the teacher's device serves");
    (teachers, teacher, addr, network)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_tablet_joins_by_a_photo_of_the_qr_code() {
    let root = tempfile::tempdir().unwrap();
    let tablet = root.path().join("tablet");
    let (teachers, _teacher, addr, network) = serving_teacher(root.path());
    let enrolment = hugme_node::enrolment::enrol(
        &teachers,
        Some("Ketut"),
        false,
        std::slice::from_ref(&addr),
        None,
    )
    .unwrap();
    // The QR code as a picture on the tablet (a photo of the teacher's screen or a printed
    // enrolment card): the page reads it, Rust finds the code, the tablet joins.
    let picture = root.path().join("koodi.png");
    std::fs::write(
        &picture,
        hugme_node::enrolment::qr_png(&enrolment.payload, 6).unwrap(),
    )
    .unwrap();

    let driver = Driver::start();
    let app = driver.launch(&tablet).await;
    app.find("[data-testid=join-photo]")
        .await
        .send_keys(picture.to_str().unwrap())
        .await
        .expect("the picture chosen");
    app.until(
        "the class's groups",
        "return document.querySelectorAll('[data-testid=group-card]').length === 2;",
    )
    .await;
    app.quit().await;
    let roster = teachers
        .read::<hugme_model::Class>(&teachers.store().meta("class_id").unwrap().unwrap())
        .unwrap()
        .value;
    assert!(
        roster.devices.iter().any(|d| d.name == "Ketut tablet"),
        "the tablet is in the class list"
    );
    drop(network);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_tablet_joins_the_class_by_typing_the_code_from_the_teachers_screen() {
    let root = tempfile::tempdir().unwrap();
    let tablet = root.path().join("tablet");
    let (teachers, _teacher, addr, network) = serving_teacher(root.path());
    // Ketut has a pupil with a protected identity: the Karhut tablet never shows the name.
    let class_id = teachers.store().meta("class_id").unwrap().unwrap();
    let ketut = teachers.classes().unwrap()[0].groups[0].id.to_string();
    for (name, protected) in [("Aino", None), ("Salainen", Some(true))] {
        teachers
            .edit_class(
                &class_id,
                hugme_app::api::teacher::ClassEdit::AddMember {
                    group: ketut.clone(),
                    id: hugme_model::MemberId::random().to_string(),
                    name: name.into(),
                    protected,
                },
            )
            .unwrap();
    }
    let code = hugme_node::enrolment::enrol(&teachers, Some("Karhut"), false, &[], None)
        .unwrap()
        .code;

    let driver = Driver::start();
    let app = driver.launch(&tablet).await;
    app.find("[data-testid=join-class]").await;
    // A mistyped digit first: the teacher's device cannot prove the code, and the pupil reads
    // why in the app's language (the refusal comes typed, not as the teacher's English).
    let mut mistyped: Vec<char> = code.chars().collect();
    let last = mistyped.len() - 1;
    mistyped[last] = char::from(b'0' + (mistyped[last] as u8 - b'0' + 1) % 10);
    let mistyped: String = mistyped.into_iter().collect();
    app.type_into("[data-testid=join-code]", &mistyped).await;
    app.click("[data-testid=join-class] summary").await;
    app.type_into("[data-testid=join-address]", &addr).await;
    app.click("[data-testid=join-go]").await;
    assert_eq!(
        app.text_of("[data-testid=join-problem]").await,
        "Koodi ei ole oikein. Tarkista se tai pyydä opettajalta uusi."
    );
    app.find("[data-testid=join-code]")
        .await
        .clear()
        .await
        .expect("the code field clears");
    app.type_into("[data-testid=join-code]", &code).await;
    app.shot("38-tablet-join-class").await;
    app.click("[data-testid=join-go]").await;
    // The app starts again as the class's tablet: the class's groups to choose from.
    app.until(
        "the class's groups",
        "return document.querySelectorAll('[data-testid=group-card]').length === 2;",
    )
    .await;
    app.shot("39-tablet-joined").await;
    // A group tablet's window cannot call the teacher's commands at all: they are not in its
    // capabilities (the facade would refuse them too).
    let asked = app
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             window.__TAURI_INTERNALS__.invoke('dashboard', {class: arguments[0], today: '2026-11-30'})
               .then(() => done('answered'), (e) => done(JSON.stringify(e)));",
            vec![serde_json::json!(class_id)],
        )
        .await
        .unwrap();
    let asked = asked.as_str().unwrap_or_default().to_owned();
    assert!(
        asked.contains("not allowed"),
        "the tablet's window called dashboard: {asked}"
    );
    let start_screen = app.body_text().await;
    assert!(start_screen.contains("Aino"), "{start_screen}");
    assert!(
        !start_screen.contains("Salainen"),
        "another group's tablet names a protected pupil: {start_screen}"
    );
    let class = teachers.store().meta("class_id").unwrap().unwrap();
    let roster = teachers.read::<hugme_model::Class>(&class).unwrap().value;
    let karhut = roster
        .devices
        .iter()
        .find(|d| d.name == "Karhut tablet")
        .expect("the tablet is in the class list")
        .clone();

    // The term ends: the tablet deletes the class as it next syncs, and says so.
    teachers.end_term(&class).unwrap();
    app.find("[data-testid=left-class]").await;
    app.find("[data-testid=join-class]").await;
    // It stays there: the next status looks (every 3 s) do not start it again.
    app.client
        .execute("window.hugmeStayed = true; return true;", vec![])
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(7)).await;
    app.until("no reload", "return window.hugmeStayed === true;")
        .await;
    app.shot("43-tablet-class-deleted").await;
    app.quit().await;
    let left = open_when_closed(&tablet).await;
    assert_eq!(left.device(), None, "the class is deleted from the tablet");
    assert!(left.store().documents().unwrap().is_empty());
    let roster = teachers.read::<hugme_model::Class>(&class).unwrap().value;
    assert!(
        roster
            .devices
            .iter()
            .any(|d| d.id == karhut.id && d.revoked),
        "the tablet is out of the class"
    );
    drop(network);
}
