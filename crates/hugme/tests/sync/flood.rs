//! The teacher's device under floods, as anyone on the school's Wi-Fi (no certificate) or a
//! pupil with tools and an enrolled tablet could send them: a real `hugme hub` process, the
//! attackers' connections made here on loopback, and a real tablet that must still sync.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hugme_sync::Message;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::*;

/// Opens `count` TCP connections to `to` from the loopback address `from` and keeps them
/// open, saying nothing; those the hub closes at once are kept too (they cost it nothing).
async fn idle_connections(from: &str, to: SocketAddr, count: usize) -> Vec<tokio::net::TcpStream> {
    let mut held = Vec::new();
    for _ in 0..count {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind(format!("{from}:0").parse().unwrap()).unwrap();
        if let Ok(stream) = socket.connect(to).await {
            held.push(stream);
        }
    }
    held
}

/// Peak resident memory of a process (KiB), from /proc.
fn peak_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap()
}

#[test]
fn idle_strangers_from_one_address_and_from_fifty_do_not_keep_a_tablet_out() {
    let (class, serving) = Classroom::new();
    class.new_project(&class.kettu, "Kettu", "Revontulet");
    let hub: SocketAddr = serving.addr.parse().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    // 500 from one address, then 5 from each of 50 more: far more than the hub's slots (and
    // under the 1,024 open files a process may have by default).
    let held = runtime.block_on(async {
        let mut held = idle_connections("127.0.0.2", hub, 500).await;
        for i in 0..50 {
            held.extend(idle_connections(&format!("127.0.0.{}", 10 + i), hub, 5).await);
        }
        held
    });
    assert!(
        held.len() >= 500,
        "the strangers got {} connections",
        held.len()
    );
    let started = Instant::now();
    let (in_step, said) = sync(&class.kettu, &serving.addr);
    let took = started.elapsed();
    assert!(in_step, "{said}");
    eprintln!(
        "the tablet synced in {took:?} beside {} idle strangers",
        held.len()
    );
    assert!(took < Duration::from_secs(10), "the tablet waited {took:?}");
    drop(held);
    let log = serving.log();
    assert!(log.contains("refused"), "the flood is in the log: {log}");
    assert!(
        log.contains("too many connections from this address"),
        "{log}"
    );
}

/// An enrolled tablet's TLS connection to the hub, with its Hello said.
async fn session_as(
    credentials: &hugme_sync::identity::Credentials,
    hub: &str,
) -> tokio_rustls::client::TlsStream<tokio::net::TcpStream> {
    let config: Arc<rustls::ClientConfig> = credentials.client_config(None).unwrap();
    let tcp = tokio::net::TcpStream::connect(hub).await.unwrap();
    let name = rustls::pki_types::ServerName::try_from(hugme_sync::identity::SERVER_NAME).unwrap();
    let mut tls = tokio_rustls::TlsConnector::from(config)
        .connect(name, tcp)
        .await
        .unwrap();
    let hello = Message::Hello {
        version: hugme_sync::frame::PROTOCOL_VERSION,
        device: credentials.device.clone(),
        class: credentials.class.clone(),
        revocations: 0,
        clock: 0,
        free: 0,
        live: false,
    };
    tls.write_all(&hugme_sync::frame::with_prefix(&hello.encode()))
        .await
        .unwrap();
    tls
}

fn credentials_of(dir: &std::path::Path) -> hugme_sync::identity::Credentials {
    let app = hugme_node::membership::open(dir).unwrap();
    hugme_node::membership::Identity::load(&app)
        .unwrap()
        .credentials
}

#[test]
fn a_compressed_change_that_would_inflate_to_256_mib_ends_that_session_only() {
    let (class, serving) = Classroom::new();
    let credentials = credentials_of(&class.kettu);
    // An Automerge compressed-change chunk (type 2) whose DEFLATE data is 256 MiB of zeros,
    // in a sync message (version 0x42, no heads, needs or haves, one change).
    let mut deflated = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    let mib = vec![0u8; 1 << 20];
    for _ in 0..256 {
        std::io::Write::write_all(&mut deflated, &mib).unwrap();
    }
    let deflated = deflated.finish().unwrap();
    let uleb = |mut n: usize, out: &mut Vec<u8>| loop {
        let byte = (n & 0x7F) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            break;
        }
        out.push(byte | 0x80);
    };
    let mut chunk = vec![0x85, 0x6f, 0x4a, 0x83, 0, 0, 0, 0, 2];
    uleb(deflated.len(), &mut chunk);
    chunk.extend(&deflated);
    let mut message = vec![0x42, 0, 0, 0, 1];
    uleb(chunk.len(), &mut message);
    message.extend(&chunk);
    let before = peak_kib(serving.pid());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(sync_message_to(
        &credentials,
        &serving.addr,
        ("bomb-project", hugme_model::DocumentKind::Project),
        message,
    ));
    closed_that_session_only(&class, &serving, before, "inflates past");
}

/// Says one Automerge sync `message` for `document` to the hub, as the enrolled tablet of
/// `credentials`, and reads on until the hub closes the connection.
async fn sync_message_to(
    credentials: &hugme_sync::identity::Credentials,
    hub: &str,
    (document, kind): (&str, hugme_model::DocumentKind),
    message: Vec<u8>,
) {
    let mut tls = session_as(credentials, hub).await;
    for frame in [
        Message::Documents {
            list: vec![(document.to_owned(), kind)],
        },
        Message::Sync {
            document: document.to_owned(),
            message,
            signatures: Vec::new(),
        },
    ] {
        tls.write_all(&hugme_sync::frame::with_prefix(&frame.encode()))
            .await
            .unwrap();
    }
    until_closed(&mut tls).await;
}

/// Reads what the hub sends until it closes the connection (20 s at most).
async fn until_closed(tls: &mut tokio_rustls::client::TlsStream<tokio::net::TcpStream>) {
    let mut rest = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(20), tls.read_to_end(&mut rest)).await;
}

/// The hub logged `why` for the attacker's session, its peak memory grew by less than
/// 100 MiB since `before` (KiB), and another tablet syncs as ever.
fn closed_that_session_only(class: &Classroom, serving: &Serving, before: u64, why: &str) {
    let log = serving.log();
    assert!(log.contains(why), "{log}");
    // VmHWM is the larger of a high-water mark the kernel updates now and then and the
    // resident size now: read twice, it may go down (the first read saw a resident size the
    // mark never took).
    let grew_mib = peak_kib(serving.pid()).saturating_sub(before) / 1024;
    eprintln!("the hub's peak memory grew by {grew_mib} MiB");
    assert!(grew_mib < 100, "the hub's memory grew by {grew_mib} MiB");
    let (in_step, said) = sync(&class.saukot, &serving.addr);
    assert!(in_step, "{said}");
}

#[test]
fn a_tablet_that_asks_for_blobs_it_never_reads_loses_only_its_own_session() {
    let (class, serving) = Classroom::new();
    let project = class.new_project(&class.kettu, "Kettu", "Myrsky");
    let photo = concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/photos/storm.jpg");
    import_media(&class.kettu, &project, std::path::Path::new(photo));
    let (in_step, said) = sync(&class.kettu, &serving.addr);
    assert!(in_step, "{said}");
    let report: serde_json::Value =
        serde_json::from_str(&ok(&["inspect", path(&class.kettu), "--json"])).unwrap();
    let hash = report["projects"][0]["pages"][0]["blocks"][0]["media"]["hash"]
        .as_str()
        .expect("the photo's hash")
        .to_owned();
    let credentials = credentials_of(&class.kettu);
    let before = peak_kib(serving.pid());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let mut tls = session_as(&credentials, &serving.addr).await;
        // 2,000 asks for the whole photo (about 270 MB of answers), never reading one.
        let want = Message::Want {
            hash: hash.clone(),
            offset: 0,
            len: u64::MAX,
        };
        let frame = hugme_sync::frame::with_prefix(&want.encode());
        for _ in 0..2_000 {
            if tls.write_all(&frame).await.is_err() {
                break; // closed on us: what should happen
            }
        }
        // Now read: the hub closes the session.
        until_closed(&mut tls).await;
    });
    closed_that_session_only(&class, &serving, before, "asked for more than it reads");
}

#[test]
fn blobs_a_tablet_lists_that_no_document_refers_to_are_never_fetched() {
    let (class, serving) = Classroom::new();
    let credentials = credentials_of(&class.kettu);
    // Junk with true hashes: the hub would store it if it asked.
    let junk: Vec<(String, Vec<u8>)> = (0..20u8)
        .map(|i| {
            let bytes = vec![i; 4096];
            (blake3::hash(&bytes).to_hex().to_string(), bytes)
        })
        .collect();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let asked = runtime.block_on(async {
        let mut tls = session_as(&credentials, &serving.addr).await;
        let have = Message::Have {
            blobs: junk
                .iter()
                .map(|(h, b)| (h.clone(), b.len() as u64))
                .collect(),
        };
        tls.write_all(&hugme_sync::frame::with_prefix(&have.encode()))
            .await
            .unwrap();
        // Answer whatever the hub asks for, for three seconds.
        let mut asked = Vec::new();
        let until = tokio::time::Instant::now() + Duration::from_secs(3);
        loop {
            let mut prefix = [0u8; 4];
            let read = tokio::time::timeout_at(until, tls.read_exact(&mut prefix)).await;
            let Ok(Ok(_)) = read else { break };
            let mut body = vec![0u8; u32::from_be_bytes(prefix) as usize];
            tls.read_exact(&mut body).await.unwrap();
            if let Ok(Message::Want { hash, .. }) = Message::decode(&body) {
                if let Some((_, bytes)) = junk.iter().find(|(h, _)| *h == hash) {
                    let chunk = Message::Chunk {
                        hash: hash.clone(),
                        offset: 0,
                        total: bytes.len() as u64,
                        bytes: bytes.clone(),
                    };
                    tls.write_all(&hugme_sync::frame::with_prefix(&chunk.encode()))
                        .await
                        .unwrap();
                    asked.push(hash);
                }
            }
        }
        asked
    });
    assert!(asked.is_empty(), "the hub asked for junk: {asked:?}");
    drop(serving);
    let said = ok(&["inspect", path(&class.teacher)]);
    assert!(said.contains("0 blobs"), "{said}");
}

#[test]
fn past_the_media_quota_or_the_free_space_floor_text_syncs_and_media_waits() {
    for limit in [
        ("HUGME_MEDIA_QUOTA", "1"),
        ("HUGME_MEDIA_FLOOR", "18446744073709551615"),
    ] {
        let (class, serving) = Classroom::new();
        // The teacher's device holds a photo of its own already: over a quota of one byte.
        let addr = serving.addr.clone();
        drop(serving);
        let project = class.new_project(&class.kettu, "Kettu", "Myrsky");
        let photo = concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/photos/storm.jpg");
        import_media(&class.kettu, &project, std::path::Path::new(photo));
        let own = class.new_project(&class.teacher, "Saukot", "Opettajan kuva");
        let other = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../assets/photos/storm-orientation-6.jpg"
        );
        import_media(&class.teacher, &own, std::path::Path::new(other));
        let blobs = |dir: &std::path::Path| {
            let json: serde_json::Value =
                serde_json::from_str(&ok(&["inspect", path(dir), "--json"])).unwrap();
            json["store"]["blobs"].as_u64().unwrap()
        };
        let own_blobs = blobs(&class.teacher);
        assert!(own_blobs > 0 && blobs(&class.kettu) > 0);
        let serving = Serving::start_with(&class.teacher, &addr, &[limit]);
        let (in_step, said) = sync(&class.kettu, &serving.addr);
        assert!(in_step, "{limit:?}: {said}");
        let log = serving.log();
        drop(serving);
        assert!(log.contains("fetching no media"), "{limit:?}: {log}");
        let teacher = ok(&["inspect", path(&class.teacher), "--json"]);
        let report: serde_json::Value = serde_json::from_str(&teacher).unwrap();
        let titles: Vec<&str> = report["projects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["title"].as_str().unwrap())
            .collect();
        assert!(
            titles.contains(&"Myrsky"),
            "{limit:?}: the text came: {titles:?}"
        );
        assert_eq!(
            blobs(&class.teacher),
            own_blobs,
            "{limit:?}: the teacher kept its own media and took none of the tablet's"
        );
    }
}

#[test]
fn a_bloom_filter_of_four_billion_probes_ends_that_session_only() {
    let (class, serving) = Classroom::new();
    let credentials = credentials_of(&class.kettu);
    // A sync message for the class document (which the hub holds, with changes to test
    // against the filter): no heads or needs, one summary whose filter has 1 entry, 8 bits
    // and 4,294,967,295 probes, no changes.
    let mut message = vec![0x42, 0, 0, 1, 0, 8];
    message.extend([1, 8, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0]);
    message.push(0);
    let before = peak_kib(serving.pid());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(sync_message_to(
        &credentials,
        &serving.addr,
        (&credentials.class, hugme_model::DocumentKind::Class),
        message,
    ));
    closed_that_session_only(&class, &serving, before, "Bloom filter");
}

#[test]
fn a_hub_out_of_file_descriptors_serves_on_once_the_flood_is_gone() {
    let (class, serving) = Classroom::new();
    class.new_project(&class.kettu, "Kettu", "Revontulet");
    drop(serving);
    // The teacher's device with only 64 files it may open, and every address allowed many
    // connections: a flood takes every descriptor, and accept() fails with EMFILE.
    let addr = free_address();
    let log = class.root.path().join("low-files.log");
    let mut hub = std::process::Command::new("sh")
        .args([
            "-c",
            &format!(
                "ulimit -n 64 && exec {} hub {} --listen {addr} --no-discovery",
                env!("CARGO_BIN_EXE_hugme"),
                path(&class.teacher)
            ),
        ])
        .env("HUGME_CONNECTIONS_PER_ADDRESS", "1000")
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(&addr).is_err() {
        assert!(Instant::now() < deadline, "the hub does not listen");
        std::thread::sleep(Duration::from_millis(50));
    }
    let target: SocketAddr = addr.parse().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let held = runtime.block_on(idle_connections("127.0.0.3", target, 150));
    // Wait until the hub has run out (it says so), then let the flood go.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !std::fs::read_to_string(&log)
        .unwrap_or_default()
        .contains("could not accept")
    {
        assert!(
            Instant::now() < deadline,
            "the hub never ran out: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(held);
    assert!(
        hub.try_wait().unwrap().is_none(),
        "the hub is still running"
    );
    let (in_step, said) = sync(&class.kettu, &addr);
    assert!(in_step, "a tablet syncs once the flood is gone: {said}");
    let _ = hub.kill();
    let _ = hub.wait();
}

/// Bytes of complete media files in a data folder.
fn media_bytes(dir: &std::path::Path) -> u64 {
    let mut total = 0;
    for shard in std::fs::read_dir(dir.join("blobs")).unwrap().flatten() {
        let name = shard.file_name();
        if name.len() != 2 || !shard.path().is_dir() {
            continue; // partial/, waiting/, tmp/
        }
        for file in std::fs::read_dir(shard.path()).unwrap().flatten() {
            total += file.metadata().unwrap().len();
        }
    }
    total
}

#[test]
fn two_tablets_syncing_at_once_share_one_quota() {
    let (class, serving) = Classroom::new();
    let addr = serving.addr.clone();
    drop(serving);
    let assets = concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/photos");
    for (dir, group, photo) in [
        (&class.kettu, "Kettu", "storm.jpg"),
        (&class.saukot, "Saukot", "storm-orientation-6.jpg"),
    ] {
        let project = class.new_project(dir, group, "Myrsky");
        import_media(dir, &project, &std::path::Path::new(assets).join(photo));
    }
    let (kettu, saukot) = (media_bytes(&class.kettu), media_bytes(&class.saukot));
    assert!(kettu > 0 && saukot > 0);
    // Room for one tablet's photos and half of the other's.
    let quota = kettu.max(saukot) + kettu.min(saukot) / 2;
    let serving = Serving::start_with(
        &class.teacher,
        &addr,
        &[("HUGME_MEDIA_QUOTA", &quota.to_string())],
    );
    let at_once: Vec<_> = [&class.kettu, &class.saukot]
        .into_iter()
        .map(|dir| {
            let (dir, addr) = (dir.clone(), serving.addr.clone());
            std::thread::spawn(move || sync(&dir, &addr))
        })
        .collect();
    for syncing in at_once {
        let (in_step, said) = syncing.join().unwrap();
        assert!(in_step, "text syncs: {said}");
    }
    drop(serving);
    let held = media_bytes(&class.teacher);
    assert!(held > 0, "some media came");
    assert!(
        held <= quota,
        "the teacher's device took {held} bytes of media, over its quota of {quota}"
    );
}
