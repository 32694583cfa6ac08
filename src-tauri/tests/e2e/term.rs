//! The end of the term from the teacher's app: the teacher ends it, a headless tablet of the
//! class (the `hugme` facade syncing over TLS on loopback, in this process) deletes the class
//! as its next sync brings the order, the app counts it, and the teacher then deletes the
//! class from the teacher's device too.

use std::sync::Arc;
use std::time::{Duration, Instant};

use hugme_app::App;
use hugme_node::Node;

use crate::driver::Driver;
use crate::headless::{free_address, open_when_closed, Tablet};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_teacher_ends_the_term_and_the_class_leaves_every_device() {
    let root = tempfile::tempdir().unwrap();
    let (teacher, tablet) = (root.path().join("teacher"), root.path().join("tablet"));
    let class = hugme_node::enrolment::create_class_as_teacher(
        &hugme_node::membership::open(&teacher).unwrap(),
        "5B",
        &["Ketut", "Karhut"],
    )
    .unwrap();
    let addr = free_address();
    let payload = hugme_node::enrolment::enrol(
        &hugme_node::membership::open(&teacher).unwrap(),
        Some("Ketut"),
        false,
        std::slice::from_ref(&addr),
        None,
    )
    .unwrap()
    .payload;

    let driver = Driver::start();
    let app = driver.launch_with(&teacher, &["--listen", &addr]).await;
    app.find("[data-testid=dashboard]").await;

    // Ketut's tablet joins and syncs with the teacher's app every couple of seconds.
    let dir = tablet.clone();
    tokio::task::spawn_blocking(move || {
        hugme_node::enrolment::join(&hugme_node::membership::open(&dir).unwrap(), &payload)
    })
    .await
    .unwrap()
    .expect("the tablet joins");
    let pupils = Arc::new(App::open(&tablet).unwrap());
    let project = pupils
        .create_project(&class.id, &class.groups[0].id, "Salainen aihe")
        .unwrap();
    let hub = Arc::new(Node::of(pupils.clone()).unwrap());
    let watching = hub.clone();
    let tablet_side = Tablet::start(hub);
    app.until(
        "Ketut's project on the teacher's screen",
        "return !!document.querySelector('[data-testid=group-overview][data-group=Ketut] [data-testid=project-overview]');",
    )
    .await;

    app.find("[data-testid=end-term]").await;
    app.shot("40-teacher-end-term").await;
    app.click("[data-testid=end-term-go]").await;
    app.client.accept_alert().await.expect("the confirmation");
    let started = Instant::now();
    while !watching.has_left_class() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the tablet did not delete the class"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!(
        "the tablet deleted the class {:?} after the term ended",
        started.elapsed()
    );
    assert_eq!(pupils.device(), None);
    assert!(pupils.store().documents().unwrap().is_empty());
    assert!(pupils.project(&project).is_err());
    assert!(!tablet.join("identity").exists());
    app.until(
        "the tablet counted as having deleted the class",
        "const p = document.querySelector('[data-testid=term-progress]'); \
         return !!p && /\\b1\\D+1\\b/.test(p.innerText);",
    )
    .await;
    app.shot("41-teacher-term-ended").await;

    // Last, the teacher deletes the class here too: the app starts as a new device.
    app.click("[data-testid=leave-class]").await;
    app.client.accept_alert().await.expect("the confirmation");
    app.find("[data-testid=join-class]").await;
    app.shot("42-teacher-class-deleted").await;
    app.quit().await;
    drop(tablet_side);
    let teachers = open_when_closed(&teacher).await;
    assert_eq!(teachers.device(), None);
    assert!(teachers.store().documents().unwrap().is_empty());
    assert!(
        !teacher.join("identity").exists(),
        "the class CA's key is gone too"
    );
}
