//! Answer by voice: on a group's tablet the pupils record their phenomenon with the
//! microphone (WebKit's mock microphone: the real recorder, a real stream) instead of typing
//! it; the recording reaches the teacher's device, whose review plays it under the field it
//! answers.

use std::time::{Duration, Instant};

use crate::driver::Driver;
use crate::teacher::serving_teacher;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spoken_phenomenon_recorded_on_the_tablet_plays_in_the_teachers_review() {
    let root = tempfile::tempdir().unwrap();
    let tablet = root.path().join("tablet");
    let (teachers, teacher, addr, network) = serving_teacher(root.path());
    let class_id = teachers.store().meta("class_id").unwrap().unwrap();
    let class = teachers
        .read::<hugme_model::Class>(&class_id)
        .unwrap()
        .value;
    let ketut = class
        .groups
        .iter()
        .find(|g| g.name.as_str() == "Ketut")
        .unwrap();
    let project = teachers
        .create_project(&class.id, &ketut.id, "Lumi")
        .unwrap();
    let enrolment = hugme_node::enrolment::enrol(
        &teachers,
        Some("Ketut"),
        false,
        std::slice::from_ref(&addr),
        None,
    )
    .unwrap();
    // (Joining runs a runtime of its own: on a plain thread, off the test's.)
    let (folder, payload) = (tablet.clone(), enrolment.payload.clone());
    std::thread::spawn(move || {
        hugme_node::enrolment::join(&hugme_node::membership::open(&folder).unwrap(), &payload)
    })
    .join()
    .unwrap()
    .unwrap();

    // The tablet: the group opens its project (synced from the teacher's device) and speaks.
    let driver = Driver::start();
    let app = driver.launch(&tablet).await;
    app.click("[data-testid=group-card][data-group=Ketut]")
        .await;
    app.click("[data-testid=project-card]").await;
    app.click("[data-testid=step-phenomenon]").await;
    let voice = "[data-testid=voice-answer][data-field='phenomenon.title']";
    app.click(&format!("{voice} [data-testid=record]")).await;
    app.find(&format!("{voice} [data-testid=record-stop]"))
        .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    app.click(&format!("{voice} [data-testid=record-stop]"))
        .await;
    app.find(&format!("{voice} [data-testid=voice-audio]"))
        .await;
    app.shot("65-voice-answer-on-the-tablet").await;

    // It reaches the teacher's device: the answer and its sound.
    let reached = Instant::now();
    let spoken = loop {
        let view = teachers.project_view(project.as_str()).unwrap();
        if let Some(answer) = view.voice_answers.first() {
            if teachers.open_media(&answer.audio.hash).unwrap().is_some() {
                break answer.clone();
            }
        }
        assert!(
            reached.elapsed() < Duration::from_secs(30),
            "the spoken answer never reached the teacher's device"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(spoken.field, "phenomenon.title");
    assert!(spoken.audio.mime.starts_with("audio/"), "{spoken:?}");
    app.quit().await;
    // The teacher's network side runs on in this process (it holds the folder): the
    // teacher's app opens a copy of the folder as it is now, everything on disk.
    teachers.store().flush().unwrap();
    let teacher = copy_folder(&teacher, &root.path().join("teacher-app"));
    drop(network);

    // The teacher's review plays it, under the field's name.
    let app = driver.launch(&teacher).await;
    app.click(
        "[data-testid=group-overview][data-group=Ketut] [data-testid=project-overview] button.open",
    )
    .await;
    let played = "[data-testid=review-voice] li[data-field='phenomenon.title'] audio";
    app.find(played).await;
    app.client
        .execute(
            &format!(
                "const a = document.querySelector(\"{played}\"); a.preload = 'metadata'; a.load();"
            ),
            vec![],
        )
        .await
        .unwrap();
    app.until(
        "the spoken answer's length, in the teacher's WebView",
        &format!(
            "const a = document.querySelector(\"{played}\"); \
             return !!a && isFinite(a.duration) && a.duration > 1 && a.duration < 10;"
        ),
    )
    .await;
    app.shot("66-voice-answer-in-the-review").await;
    app.quit().await;
}

/// Copies a data folder (files and subfolders; not its lock) to `to`; returns `to`.
fn copy_folder(from: &std::path::Path, to: &std::path::Path) -> std::path::PathBuf {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let (path, name) = (entry.path(), entry.file_name());
        if name == "lock" {
            continue;
        }
        if path.is_dir() {
            copy_folder(&path, &to.join(&name));
        } else {
            std::fs::copy(&path, to.join(&name)).unwrap();
        }
    }
    to.to_path_buf()
}
