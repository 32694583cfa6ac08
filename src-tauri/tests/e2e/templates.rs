//! The Hug me! way built in: the teacher follows the guide to the phenomenon, picks a
//! phenomenon from the starter library for every group, a group's tablet receives its goals
//! and prompts by sync, the teacher saves a group's project as a template file, and another
//! teacher (another class, another data folder) opens that file and applies it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use hugme_app::App;
use hugme_node::Node;

use crate::driver::Driver;
use crate::headless::{free_address, open_when_closed, Tablet};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_starter_phenomenon_reaches_every_group_and_its_template_another_teacher() {
    let root = tempfile::tempdir().unwrap();
    let (teacher, tablet) = (root.path().join("teacher"), root.path().join("tablet"));
    hugme_node::enrolment::create_class_as_teacher(
        &hugme_node::membership::open(&teacher).unwrap(),
        "2A",
        &["Ketut", "Karhut"],
    )
    .unwrap();
    let addr = free_address();
    let payload = {
        let teachers = hugme_node::membership::open(&teacher).unwrap();
        hugme_node::enrolment::enrol(
            &teachers,
            Some("Ketut"),
            false,
            std::slice::from_ref(&addr),
            None,
        )
        .unwrap()
        .payload
    };
    let library = hugme_model::library::library("fi")
        .template("snow-and-ice", "fi")
        .unwrap();

    // The teacher's app serves the class; Ketut's tablet joins it and syncs with it.
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
    let dir = tablet.clone();
    tokio::task::spawn_blocking(move || {
        hugme_node::enrolment::join(&hugme_node::membership::open(&dir).unwrap(), &payload)
    })
    .await
    .unwrap()
    .expect("the tablet joins the teacher's app");
    let pupils = Arc::new(App::open(&tablet).unwrap());
    let tablet_side = Tablet::start(Arc::new(Node::of(pupils.clone()).unwrap()));

    // The guide's phenomenon part leads to the starter library.
    app.click("[data-testid=show-guide]").await;
    app.click("[data-testid=guide-part][data-part=phenomenon] summary")
        .await;
    app.click("[data-testid=guide-part][data-part=phenomenon] [data-testid=guide-go]")
        .await;
    app.find("[data-testid=library]").await;
    app.until(
        "the library's phenomena, and the keyboard's focus on the library",
        "return document.querySelectorAll('[data-testid=library-phenomenon]').length >= 12 \
           && document.activeElement === document.querySelector('[data-testid=library]');",
    )
    .await;
    app.shot("70-guide-leads-to-the-starter-library").await;
    let card = "[data-testid=library-phenomenon][data-id=snow-and-ice]";
    let shown = app.text_of(card).await;
    assert!(
        shown.contains("Lumi ja jää"),
        "in the class's language: {shown}"
    );
    for question in &library.prompts {
        assert!(shown.contains(question.as_str()), "{question} in {shown}");
    }
    app.client
        .execute(
            &format!("document.querySelector('{card}').scrollIntoView();"),
            vec![],
        )
        .await
        .unwrap();
    app.click(&format!("{card} [data-testid=apply-template]"))
        .await;
    app.until(
        "ready in both groups' projects",
        &format!(
            "const s = document.querySelector('{card} [role=status]'); \
             return !!s && s.textContent.includes('2');"
        ),
    )
    .await;
    app.until(
        "the overview names each group's template",
        "return [...document.querySelectorAll('[data-testid=project-template]')] \
           .filter(e => e.textContent.includes('Lumi ja jää')).length === 2;",
    )
    .await;
    app.shot("71-starter-phenomenon-for-every-group").await;

    // Ketut's tablet receives the goals and the prompts by sync.
    let reached = Instant::now();
    let project = loop {
        let got = pupils.projects().unwrap().into_iter().find(|p| {
            p.value
                .template
                .as_ref()
                .is_some_and(|t| t.prompts == library.prompts)
        });
        if let Some(p) = got {
            break p.value;
        }
        assert!(
            reached.elapsed() < Duration::from_secs(30),
            "the template never reached Ketut's tablet"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let goals: Vec<_> = project
        .goals
        .items
        .iter()
        .map(|g| g.text.as_str())
        .collect();
    assert_eq!(goals, library.goals);
    assert_eq!(project.phenomenon.title.as_str(), "Lumi ja jää");
    drop(tablet_side);
    drop(pupils);

    // The teacher saves Ketut's project as a template file.
    app.click(
        "[data-testid=group-overview][data-group=Ketut] [data-testid=project-overview] button.open",
    )
    .await;
    app.click("[data-testid=make-template]").await;
    let preview = app.text_of("[data-testid=template-preview]").await;
    assert!(preview.contains(library.goals[0].as_str()), "{preview}");
    app.click("[data-testid=save-template]").await;
    app.find("[data-testid=template-saved]").await;
    let saved = app.text_of("[data-testid=template-saved]").await;
    // And shares it with another teacher's device by a code.
    app.click("[data-testid=share-template]").await;
    app.find("[data-testid=share-code]").await;
    let shown = app.text_of("[data-testid=share-code]").await;
    let code: String = shown
        .split(':')
        .nth(1)
        .unwrap_or_default()
        .chars()
        .take_while(|c| *c != '.')
        .filter(char::is_ascii_digit)
        .collect();
    assert_eq!(code.len(), 8, "{shown}");
    app.shot("72-project-saved-and-shared-as-a-template").await;
    app.quit().await;
    let file = std::fs::read_dir(exports.path())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "hugme-template"))
        .unwrap_or_else(|| panic!("no template file beside the exports; the app said {saved}"));
    assert!(saved.contains(file.to_str().unwrap()), "{saved}");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        !text.contains("Ketut"),
        "no group's name in a template: {text}"
    );

    // On Ketut's tablet the pupils see the teacher's questions in step 5 and take one.
    let app = driver.launch(&tablet).await;
    app.click("[data-testid=group-card][data-group=Ketut]")
        .await;
    app.click("[data-testid=project-card]").await;
    app.click("[data-testid=step-research-questions]").await;
    let prompts = app.text_of("[data-testid=template-prompts]").await;
    for question in &library.prompts {
        assert!(
            prompts.contains(question.as_str()),
            "{question} in {prompts}"
        );
    }
    app.click("[data-testid=template-prompts] li:first-child button")
        .await;
    app.until(
        "the teacher's first question taken as the group's",
        &format!(
            "return [...document.querySelectorAll('[data-testid=question-text]')] \
               .some(e => e.value === {:?});",
            library.prompts[0]
        ),
    )
    .await;
    app.shot("74-teachers-questions-on-the-tablet").await;
    // The agreement offers the library's role cards and rule starters; one begins a rule.
    app.click("[data-testid=back-home]").await;
    app.click("[data-testid=step-agreement]").await;
    app.find("[data-testid=role-cards]").await;
    let starter = hugme_model::library::library("fi").agreement_starters[0]
        .text
        .clone();
    app.click("[data-testid=rule-starters] button").await;
    app.until(
        "a rule begun with the first starter",
        &format!(
            "return [...document.querySelectorAll('[data-testid=rule]')] \
               .some(e => e.value.startsWith({starter:?}));"
        ),
    )
    .await;
    app.quit().await;

    // Another teacher, another class and data folder, opens the file and applies it.
    let other = root.path().join("other-teacher");
    hugme_node::enrolment::create_class_as_teacher(
        &hugme_node::membership::open(&other).unwrap(),
        "3B",
        &["Pöllöt", "Siilit", "Ilvekset"],
    )
    .unwrap();
    let app = driver.launch(&other).await;
    app.click("[data-testid=show-library]").await;
    app.find("[data-testid=template-file]")
        .await
        .send_keys(file.to_str().unwrap())
        .await
        .unwrap();
    let opened = "[data-testid=template-from-file]";
    app.find(opened).await;
    let shown = app.text_of(opened).await;
    assert!(shown.contains(library.goals[0].as_str()), "{shown}");
    app.click(&format!("{opened} [data-testid=apply-template]"))
        .await;
    app.until(
        "ready in the other class's three groups",
        &format!(
            "const s = document.querySelector('{opened} [role=status]'); \
             return !!s && s.textContent.includes('3');"
        ),
    )
    .await;
    app.shot("73-template-file-on-another-teachers-device")
        .await;

    // The shared one arrives by its code from the first teacher's device, serving again.
    let sharing = Arc::new(open_when_closed(&teacher).await);
    let reach = hugme_node::neighbours::Reach {
        discovery: false,
        fallbacks: false,
        typed: Vec::new(),
    };
    let serving =
        std::thread::spawn(move || hugme_node::Network::start(sharing, reach, Some("127.0.0.1:0")))
            .join()
            .unwrap()
            .unwrap()
            .expect("the first teacher's device serves");
    app.type_into("[data-testid=receive-code]", &code).await;
    app.click("[data-testid=receive-template-form] summary")
        .await;
    app.type_into("[data-testid=receive-address]", &serving.addr().to_string())
        .await;
    app.click("[data-testid=receive-template]").await;
    app.until(
        "the template from the other teacher, shown to accept",
        &format!(
            "const t = document.querySelector('{opened}'); \
             return !!t && t.textContent.includes({:?});",
            library.goals[0]
        ),
    )
    .await;
    app.client
        .execute(
            &format!(
                "const s = document.querySelector('{opened} [data-testid=apply-to]'); \
                 s.value = [...s.options].find(o => o.text.trim() === 'Pöllöt').value; \
                 s.dispatchEvent(new Event('change', {{ bubbles: true }}));"
            ),
            vec![],
        )
        .await
        .unwrap();
    app.click(&format!("{opened} [data-testid=apply-template]"))
        .await;
    let status = format!("{opened} [role=status]");
    if !app
        .within(
            std::time::Duration::from_secs(10),
            &format!(
                "const s = document.querySelector('{status}'); \
                 return !!s && s.textContent.includes('1');"
            ),
        )
        .await
    {
        let body = app.body_text().await;
        panic!("not applied to Pöllöt: {body}");
    }
    app.shot("75-template-from-another-teachers-device").await;
    drop(serving);
    app.quit().await;
    let theirs = open_when_closed(&other).await;
    let projects = theirs.projects().unwrap();
    assert_eq!(projects.len(), 3);
    for p in projects {
        let goals: Vec<_> = p
            .value
            .goals
            .items
            .iter()
            .map(|g| g.text.as_str())
            .collect();
        assert_eq!(goals, library.goals);
        let applied = p.value.template.unwrap();
        assert_eq!(applied.prompts, library.prompts);
    }
}
