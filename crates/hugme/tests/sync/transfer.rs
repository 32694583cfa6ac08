//! Media transfer that is cut off and resumed, and frames that are corrupt or oversized.

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::*;

/// An MP4 of `len` bytes: ftyp, a large mdat of patterned bytes, and a moov box.
fn video(len: usize) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend(20u32.to_be_bytes());
    out.extend(b"ftypisom\0\0\x02\0mp41");
    out.extend(8u32.to_be_bytes());
    out.extend(b"moov");
    let body = len - out.len() - 8;
    out.extend(((body + 8) as u32).to_be_bytes());
    out.extend(b"mdat");
    out.extend((0..body).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    out
}

fn bytes_sent(said: &str) -> u64 {
    said.split("; ")
        .find_map(|part| part.strip_suffix(" received"))
        .and_then(|part| part.split(" bytes sent").next())
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no byte count in {said:?}"))
}

#[test]
fn a_50_mb_video_cut_off_half_way_resumes_without_resending_what_arrived() {
    let (class, serving) = Classroom::new();
    let project = class.new_project(&class.kettu, "Kettu", "Retki");
    let file = class.root.path().join("retki.mp4");
    let bytes = video(50 << 20);
    std::fs::write(&file, &bytes).unwrap();
    import_media(&class.kettu, &project, &file);
    let hash = blake3::hash(&bytes).to_hex().to_string();
    let partial = class.teacher.join("blobs").join("partial").join(&hash);

    // 10 MB/s, cut off (killed) once about 20 MB have arrived.
    let mut first = Command::new(env!("CARGO_BIN_EXE_hugme"))
        .args([
            "sync",
            path(&class.kettu),
            "--peer",
            &serving.addr,
            "--max-rate",
            "10000000",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::fs::metadata(&partial).map_or(0, |m| m.len()) < 20 << 20 {
        assert!(Instant::now() < deadline, "the transfer never got going");
        std::thread::sleep(Duration::from_millis(5));
    }
    first.kill().unwrap();
    first.wait().unwrap();
    std::thread::sleep(Duration::from_millis(300)); // the hub notices the connection is gone
    let arrived = std::fs::metadata(&partial).unwrap().len();
    assert!(arrived < 50 << 20, "cut off before the end: {arrived}");

    let (in_step, said) = sync(&class.kettu, &serving.addr);
    assert!(in_step, "{said}");
    let resent = bytes_sent(&said);
    let left = (50u64 << 20) - arrived;
    assert!(
        resent < left + (1 << 20),
        "sent {resent} bytes again; {arrived} had arrived, {left} were left"
    );
    assert!(!partial.exists(), "the partial file became the blob");
    drop(serving);
    let teacher = ok(&["inspect", path(&class.teacher)]);
    assert!(teacher.contains(&hash), "{teacher}");
}

#[test]
fn on_a_40_kb_s_link_a_new_projects_text_arrives_within_2_s_and_its_video_after() {
    let (class, serving) = Classroom::new();
    let addr = serving.addr.clone();
    drop(serving);
    // The teacher's device says each frame it receives, as it receives it.
    let serving = Serving::start_with(&class.teacher, &addr, &[("HUGME_TRACE_FRAMES", "1")]);
    let project = class.new_project(&class.kettu, "Kettu", "Retki");
    let file = class.root.path().join("retki.mp4");
    std::fs::write(&file, video(2 << 20)).unwrap();
    import_media(&class.kettu, &project, &file);

    let started = Instant::now();
    let mut syncing = Command::new(env!("CARGO_BIN_EXE_hugme"))
        .args([
            "sync",
            path(&class.kettu),
            "--peer",
            &addr,
            "--max-rate",
            "40000",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // The project's changes: a sync frame that carries signatures (its author's).
    let text = format!("sync {project} (");
    let deadline = Instant::now() + Duration::from_secs(10);
    let arrived = loop {
        let log = serving.log();
        if log
            .lines()
            .any(|l| l.contains(&text) && !l.contains(", 0 signatures"))
        {
            break started.elapsed();
        }
        assert!(Instant::now() < deadline, "the project never came: {log}");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(arrived < Duration::from_secs(2), "took {arrived:?}");
    // The video comes later, at the link's pace (2 MiB at 40 kB/s: some 50 s), whole.
    let deadline = Instant::now() + Duration::from_secs(150);
    let status = loop {
        if let Some(status) = syncing.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            syncing.kill().unwrap();
            panic!("the video never finished: {}", serving.log());
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let whole = started.elapsed();
    assert!(status.success(), "the sync failed: {}", serving.log());
    let log = serving.log();
    let lines: Vec<&str> = log.lines().collect();
    let text_at = lines
        .iter()
        .position(|l| l.contains(&text) && !l.contains(", 0 signatures"))
        .unwrap();
    let chunks: Vec<usize> = (0..lines.len())
        .filter(|i| lines[*i].contains(": chunk "))
        .collect();
    eprintln!(
        "the project's text arrived after {} ms, the video's {} chunks by {} ms",
        arrived.as_millis(),
        chunks.len(),
        whole.as_millis()
    );
    assert!(
        chunks.len() >= 32,
        "2 MiB in 64 KiB chunks: {}",
        chunks.len()
    );
    assert!(
        chunks[0] > text_at,
        "a chunk of the video came before the text"
    );
    assert!(
        whole > Duration::from_secs(30),
        "the link was not slow: {whole:?}"
    );
    let teacher = ok(&["inspect", path(&class.teacher)]);
    let bytes = std::fs::read(&file).unwrap();
    let hash = blake3::hash(&bytes).to_hex().to_string();
    assert!(
        teacher.contains(&hash),
        "the video whole on the teacher's device: {teacher}"
    );
}

#[test]
fn a_corrupt_or_oversized_frame_closes_only_that_connection_with_a_logged_reason() {
    let (class, serving) = Classroom::new();
    let credentials = {
        let app = hugme_node::membership::open(&class.kettu).unwrap();
        hugme_node::membership::Identity::load(&app)
            .unwrap()
            .credentials
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for frame in [
        vec![0xFF, 0xFF, 0xFF, 0xFF],
        vec![0, 0, 0, 3, 0xEE, 0xEE, 0xEE],
    ] {
        runtime.block_on(async {
            let config: Arc<rustls::ClientConfig> = credentials.client_config(None).unwrap();
            let tcp = tokio::net::TcpStream::connect(&serving.addr).await.unwrap();
            let name =
                rustls::pki_types::ServerName::try_from(hugme_sync::identity::SERVER_NAME).unwrap();
            let mut tls = tokio_rustls::TlsConnector::from(config)
                .connect(name, tcp)
                .await
                .unwrap();
            tls.write_all(&frame).await.unwrap();
            // The hub answers what it must and then closes; reading runs to the end.
            let mut rest = Vec::new();
            let _ = tokio::time::timeout(Duration::from_secs(10), tls.read_to_end(&mut rest)).await;
        });
    }
    let log = serving.log();
    assert!(log.contains("over the limit"), "{log}");
    assert!(log.contains("malformed frame"), "{log}");
    // The hub serves on.
    let (in_step, said) = sync(&class.saukot, &serving.addr);
    assert!(in_step, "{said}");
}

/// A pupil deletes a photo: it leaves the project on every device, and each device deletes
/// the file once nothing there refers to it.
#[test]
fn a_deleted_photo_leaves_every_device_and_its_files_go() {
    let (class, serving) = Classroom::new();
    let project = class.new_project(&class.kettu, "Kettu", "Myrsky");
    let photo = concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/photos/storm.jpg");
    import_media(&class.kettu, &project, Path::new(photo));
    for dir in [&class.kettu, &class.saukot] {
        let (in_step, said) = sync(dir, &serving.addr);
        assert!(in_step, "{said}");
    }
    let blob_file = |dir: &Path, hash: &str| dir.join("blobs").join(&hash[..2]).join(hash);
    let hashes: Vec<String> = {
        let app = crate::open_app(&class.kettu);
        let hashes = app
            .store()
            .blobs()
            .unwrap()
            .into_iter()
            .map(|b| b.hash)
            .collect();
        let view = app.project_view(&project).unwrap();
        let page = view.pages[0].id.clone();
        let block = match &view.pages[0].blocks[0] {
            hugme_app::api::view::BlockView::Photo { id, .. } => id.clone(),
            other => panic!("not a photo: {other:?}"),
        };
        app.edit_project(
            &project,
            &hugme_app::api::edit::Edit::RemoveBlock {
                page_id: page,
                id: block,
            },
        )
        .unwrap();
        hashes
    };
    assert_eq!(hashes.len(), 3, "the photo and its two thumbnails");
    drop(serving);
    for dir in [&class.saukot, &class.teacher] {
        assert!(
            hashes.iter().all(|h| blob_file(dir, h).exists()),
            "it had spread"
        );
    }
    let serving = Serving::start(&class.teacher);
    for dir in [&class.kettu, &class.saukot] {
        let (in_step, said) = sync(dir, &serving.addr);
        assert!(in_step, "{said}");
    }
    drop(serving);
    for dir in [&class.kettu, &class.saukot, &class.teacher] {
        let app = hugme_node::membership::open(dir).unwrap();
        let view = app.project_view(&project).unwrap();
        assert!(
            view.pages[0].blocks.is_empty(),
            "the photo is gone from the project"
        );
        // As the next program to open the folder an hour on would.
        let (count, _) =
            hugme_node::media_collection::collect(&app, hugme_store::now_ms() + 1).unwrap();
        assert_eq!(count, 3, "{}", dir.display());
        assert!(hashes.iter().all(|h| !blob_file(dir, h).exists()));
    }
}
