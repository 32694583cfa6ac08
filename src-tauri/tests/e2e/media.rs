//! Sound as a live recorder writes it, played by the app's own WebView (WebKitGTK): served
//! over the app's loopback server (its media player cannot read `media:`), with the duration
//! the import wrote (a MediaRecorder WebM has none, and then shows no length).

use crate::driver::{App, Driver};

fn field(path: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../assets/field")
        .join(path)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_recording_plays_with_its_length_in_the_app() {
    let data = tempfile::tempdir().unwrap();
    let recording = std::fs::read(field("04-unplayable-recordings/recorder-no-duration.weba"))
        .expect("the field recording");
    {
        let (app, project) = project_with_a_page(data.path());
        // Through the import, as the microphone button hands it over.
        app.add_media_block(project.as_str(), "pg", "recording.weba", &recording)
            .unwrap();
        // And the same bytes as the recorder wrote them, bypassing the import (as before).
        let raw = app.store().put_blob(&recording).unwrap();
        app.update_project(&project, |p| {
            let mut block = p.content.pages[0].blocks[0].fresh_copy();
            block.id = hugme_model::BlockId::random();
            if let hugme_model::BlockKind::Audio { media } = &mut block.kind {
                media.hash = raw.hash.clone();
                media.size = raw.size;
            }
            p.content.pages[0].blocks.push(block);
            Ok(())
        })
        .unwrap();
    }
    let driver = Driver::start();
    let app = driver.launch(data.path()).await;
    open_the_page(&app).await;
    app.find("[data-testid=block-audio]").await;
    app.client
        .execute(
            "document.querySelectorAll('[data-testid=block-audio]').forEach(a => { \
               a.preload = 'metadata'; a.load(); });",
            vec![],
        )
        .await
        .unwrap();
    app.until(
        "the stored recording's length, in the WebView",
        "const a = document.querySelectorAll('[data-testid=block-audio]')[0]; \
         return !!a && isFinite(a.duration) && Math.abs(a.duration - 4) < 0.3;",
    )
    .await;
    app.shot("46-recording-with-length").await;
    // The recorder's own bytes: no length (the fault this fixes), given the same time again.
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let raw = app
        .client
        .execute(
            "const a = document.querySelectorAll('[data-testid=block-audio]')[1]; \
             return isFinite(a.duration) && Math.abs(a.duration - 4) < 0.3;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        raw,
        serde_json::Value::Bool(false),
        "the unfixed recording shows its length too"
    );
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_microphone_button_records_a_sound_that_is_stored_and_plays_with_its_length() {
    let data = tempfile::tempdir().unwrap();
    let project = project_with_a_page(data.path()).1;
    let driver = Driver::start();
    let app = driver.launch(data.path()).await;
    open_the_page(&app).await;
    // WebKit's mock microphone (HUGME_TEST_MOCK_CAPTURE): the real recorder, a real stream.
    app.click("[data-testid=record]").await;
    app.find("[data-testid=record-stop]").await;
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    app.click("[data-testid=record-stop]").await;
    app.find("[data-testid=block-audio]").await;
    app.client
        .execute(
            "const a = document.querySelector('[data-testid=block-audio]'); \
             a.preload = 'metadata'; a.load();",
            vec![],
        )
        .await
        .unwrap();
    app.until(
        "the recording's length, in the WebView",
        "const a = document.querySelector('[data-testid=block-audio]'); \
         return !!a && isFinite(a.duration) && a.duration > 2.5 && a.duration < 10;",
    )
    .await;
    app.shot("47-recorded-with-the-microphone").await;
    app.quit().await;
    // Stored as a sound, through the import (not as the recorder's bytes).
    let stored = crate::headless::open_when_closed(data.path()).await;
    let view = stored.project_view(project.as_str()).unwrap();
    let blocks = &view.pages[0].blocks;
    let [hugme_app::api::view::BlockView::Audio { media, .. }] = &blocks[..] else {
        panic!("one sound block: {blocks:?}");
    };
    assert!(media.mime.starts_with("audio/"), "{media:?}");
    let bytes = stored.store().blob(&media.hash).unwrap();
    assert!(bytes.len() > 1000, "{} bytes", bytes.len());
    println!("recorded: {} ({} bytes)", media.mime, bytes.len());
}

/// A data folder with the sample class and Ketut's project "Äänet" with one empty page.
fn project_with_a_page(data: &std::path::Path) -> (hugme_app::App, hugme_model::ProjectId) {
    let app = hugme_app::App::open(data).unwrap();
    hugme_app::sample::create(&app).unwrap();
    let class = app.classes().unwrap().remove(0);
    let ketut = class
        .groups
        .iter()
        .find(|g| g.name.as_str() == "Ketut")
        .unwrap();
    let project = app.create_project(&class.id, &ketut.id, "Äänet").unwrap();
    app.edit_project(
        project.as_str(),
        &hugme_app::api::edit::Edit::AddPage { id: "pg".into() },
    )
    .unwrap();
    (app, project)
}

/// From the start screen to the page of "Äänet".
async fn open_the_page(app: &App) {
    app.click("[data-testid=group-card][data-group=Ketut]")
        .await;
    app.find("[data-testid=project-card]").await;
    app.client
        .execute(
            "[...document.querySelectorAll('[data-testid=project-card]')] \
               .find(b => b.innerText.includes('Äänet')).click();",
            vec![],
        )
        .await
        .expect("the project's card");
    app.click("[data-testid=step-content]").await;
    app.click("[data-testid=page-card]").await;
}

/// Every sound and video from `assets/field/` that a person expects to work, with the length it
/// was recorded for (s): the phone videos (H.264 + AAC, their place blanked), the voice memos,
/// the recorders' files of every WebView the app ships on, sound whose tags named a child (an
/// Ogg Opus voice note among them, stored as WebM: GStreamer finds no Ogg's length over HTTP).
const FIELD_MEDIA: [(&str, f64); 13] = [
    ("01-video-gps/android-gps.mp4", 2.0),
    ("01-video-gps/ipad-gps.mov", 2.0),
    ("01-video-gps/memo-gps.m4a", 2.0),
    ("02-recorded-sound-refused/recording.m4a", 3.0),
    ("02-recorded-sound-refused/recording.webm", 3.0),
    ("02-recorded-sound-refused/voice-isom.m4a", 3.0),
    ("02-recorded-sound-refused/control-m4a-brand.m4a", 3.0),
    ("04-unplayable-recordings/recorder-no-duration.weba", 4.0),
    ("09-webkit-recorder-fragments/recording.m4a", 3.1),
    ("10-tagged-sound/voice-note.opus", 3.2),
    ("10-tagged-sound/tagged.mp3", 3.47),
    ("10-tagged-sound/tagged.wav", 3.48),
    ("10-tagged-sound/tagged.webm", 3.2),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_field_recording_and_phone_video_plays_in_the_app_with_its_length() {
    let data = tempfile::tempdir().unwrap();
    {
        let (app, project) = project_with_a_page(data.path());
        for (file, _) in FIELD_MEDIA {
            let bytes = std::fs::read(field(file)).unwrap();
            let name = std::path::Path::new(file)
                .file_name()
                .unwrap()
                .to_str()
                .unwrap();
            app.add_media_block(project.as_str(), "pg", name, &bytes)
                .unwrap_or_else(|e| panic!("{file}: {e}"));
        }
    }
    let driver = Driver::start();
    let app = driver.launch(data.path()).await;
    open_the_page(&app).await;
    app.find("[data-testid=block-video]").await;
    app.client
        .execute(
            "document.querySelectorAll('[data-testid=block-audio], [data-testid=block-video]') \
               .forEach(m => { m.preload = 'metadata'; m.load(); });",
            vec![],
        )
        .await
        .unwrap();
    let expected: Vec<f64> = FIELD_MEDIA.iter().map(|(_, s)| *s).collect();
    let script = format!(
        "const want = {expected:?}; \
         const got = [...document.querySelectorAll('[data-testid=block-audio], \
           [data-testid=block-video]')].map(m => m.duration); \
         return got.length === want.length && \
           got.every((d, i) => isFinite(d) && Math.abs(d - want[i]) < 0.25);"
    );
    let durations = "return JSON.stringify([...document.querySelectorAll(\
        '[data-testid=block-audio], [data-testid=block-video]')] \
        .map(m => [m.tagName, m.duration, m.error && m.error.code]));";
    if !app
        .within(std::time::Duration::from_secs(20), &script)
        .await
    {
        let seen = app.client.execute(durations, vec![]).await.unwrap();
        panic!("lengths in the WebView, in the order of {FIELD_MEDIA:?}: {seen}");
    }
    app.client
        .execute(
            "document.querySelector('[data-testid=block-video]').scrollIntoView();",
            vec![],
        )
        .await
        .unwrap();
    app.shot("48-field-media-playing-lengths").await;
    app.quit().await;
}
