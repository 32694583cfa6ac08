//! Media paused on the teacher's device (the Wi-Fi is needed for something else) while a
//! tablet's live session begins: the project's text arrives, its photo does not; once media
//! is resumed the photo comes through the same live session, without waiting for a new one.
//! Real devices over loopback TCP and TLS, each network side on its own thread as in the app.

use std::sync::Arc;
use std::time::Duration;

use hugme_app::App;
use hugme_model::{Page, Project};
use hugme_node::enrolment;

mod common;
use common::{enrolment_reach, no_reach, start, teacher, until};

#[test]
fn media_resumed_comes_through_the_live_session_that_began_without_it() {
    let root = tempfile::tempdir().unwrap();
    let teacher = teacher(root.path(), "teacher", "5B", &["Ketut"]);
    let serving = start(teacher.clone(), no_reach());
    serving.pause_media();
    let hub = serving.addr().to_string();

    let invitation = enrolment::enrol(&teacher, Some("Ketut"), false, &[hub], None)
        .unwrap()
        .payload;
    let tablet = Arc::new(App::open(&root.path().join("tablet")).unwrap());
    let device = enrolment::join(&tablet, &invitation).unwrap();
    let class = tablet.classes().unwrap()[0].clone();
    let project = tablet
        .create_project(&class.id, &class.groups[0].id, "Myrsky")
        .unwrap();
    let page = Page::new("Kuvat");
    let page_id = page.id.to_string();
    tablet
        .update_project(&project, |p| {
            p.content.pages.push(page);
            Ok(())
        })
        .unwrap();
    let photo = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../assets/photos/storm.jpg"
    ))
    .unwrap();
    tablet
        .add_media_block(project.as_str(), &page_id, "storm.jpg", &photo)
        .unwrap();
    let stored: Vec<String> = tablet
        .store()
        .blobs()
        .unwrap()
        .into_iter()
        .map(|b| b.hash)
        .collect();
    assert!(
        !stored.is_empty(),
        "the photo (and its thumbnails) on the tablet"
    );

    let _tablet_side = start(tablet.clone(), enrolment_reach());
    until("the tablet live", Duration::from_secs(20), || {
        serving.node().is_live(&device)
    });
    until(
        "the project's text on the teacher's device",
        Duration::from_secs(10),
        || {
            teacher
                .read::<Project>(project.as_str())
                .is_ok_and(|p| p.value.content.pages.len() == 1)
        },
    );
    let held = |hash: &String| teacher.store().has_blob(hash).unwrap();
    // Paused: a few of the session's ticks go by and nothing of the media comes.
    std::thread::sleep(Duration::from_secs(3));
    assert!(!stored.iter().any(held), "media came while paused");

    serving.resume_media();
    let took = until(
        "the photo after media resumed",
        Duration::from_secs(10),
        || stored.iter().all(held),
    );
    eprintln!("the photo came {} ms after media resumed", took.as_millis());
    assert!(
        serving.node().is_live(&device),
        "the same live session went on"
    );
}
