//! Sync over loopback TLS, against Kolibri's figures and against a plain TCP copy.
//!
//! `cargo bench -p hugme --bench sync [-- --tablets 30 --photos 20 --changes 2000]` prints:
//! (a) a reconnect with nothing new: bytes per document and time for a class of 30 projects;
//! (b) a new tablet catching up a class of 30 projects of 2,000 changes each, no media;
//! (c) 30 tablets, each with a project of 2,000 changes and 20 photos of about 3 MB, syncing
//!     to the hub at once, against a plain program that copies the same bytes over one TCP
//!     connection and writes them to files with fsync, in the same run; and the bytes on the
//!     loopback interface against the payload;
//! (d) the teacher's class overview while (c) runs;
//! (e) the memory of the teacher's device while the fleet of (c) syncs: one more round with
//!     the teacher's folder served by a `hugme hub` process (`HUGME_BENCH_HUB` names another
//!     build's binary, for comparing), its peak resident memory (VmHWM) against its memory
//!     before the fleet came.
//!
//! Everything else runs in this process: the hub on its own runtime, tablets as tasks.
//! The photos are what a tablet stores: a 12 MP camera JPEG through the app's import (scaled,
//! stripped), made distinct per tablet and photo by its JFIF density (peers refuse a picture
//! carrying any metadata, a comment included).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ReadDoc};
use hugme_app::App;
use hugme_model::{
    Block, BlockId, BlockKind, ClassId, DocumentKind, GroupId, MediaRef, Page, Project, Text,
};
use hugme_node::enrolment::{self, Payload};
use hugme_node::Node;
use hugme_sync::net;

mod common;
use common::{arg, free_address, loopback_bytes};

struct Options {
    tablets: usize,
    photos: usize,
    changes: usize,
    projects: usize,
    rounds: usize,
}

fn options() -> Options {
    Options {
        tablets: arg("--tablets", 30),
        photos: arg("--photos", 20),
        changes: arg("--changes", 2000),
        projects: arg("--projects", 30),
        rounds: arg("--rounds", 3usize).max(1),
    }
}

/// New tablets that catch up the class one after another in (b).
const NEWCOMERS: usize = 5;

/// A project of `group` written by `device` with `changes` commits (a pupil typing the
/// phenomenon, a word at a time).
/// A project of `changes` changes written by `device`, with a page showing `photos` (as the
/// app writes a page of imported photos: a device fetches only the media its documents show).
fn project_doc(
    class: &str,
    group: &GroupId,
    device: &str,
    changes: usize,
    photos: Vec<MediaRef>,
) -> (String, AutoCommit) {
    let mut project = Project::new(
        ClassId::from(class),
        group.clone(),
        "Miksi lumi narisee?",
        0,
    );
    if !photos.is_empty() {
        let mut page = Page::new("Kuvat");
        page.blocks = photos
            .into_iter()
            .map(|media| Block {
                id: BlockId::random(),
                kind: BlockKind::Photo { media },
            })
            .collect();
        project.content.pages.push(page);
    }
    let mut doc = AutoCommit::new().with_actor(automerge::ActorId::from(device.as_bytes()));
    hugme_model::write(&mut doc, &project).expect("writes");
    doc.commit();
    let notes = doc
        .put_object(automerge::ROOT, "bench_notes", ObjType::Text)
        .expect("a text");
    for i in 0..changes.saturating_sub(2) {
        let len = doc.length(&notes);
        doc.splice_text(&notes, len, 0, if i % 5 == 4 { "lumi. " } else { "lumi " })
            .expect("typing");
        doc.commit();
    }
    (project.id.to_string(), doc)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

struct Class {
    teacher: PathBuf,
    addr: String,
    payloads: Vec<(PathBuf, Payload)>,
    groups: Vec<GroupId>,
    id: String,
}

/// A class with `tablets` tablets enrolled (one group each), the teacher's folder not yet
/// serving.
fn class(root: &Path, name: &str, tablets: usize) -> Class {
    let teacher = root.join(format!("{name}-teacher"));
    let names: Vec<String> = (0..tablets.max(1)).map(|i| format!("Ryhmä {i}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let created = enrolment::create_class_as_teacher(
        &hugme_node::membership::open(&teacher).unwrap(),
        name,
        &refs,
    )
    .expect("a class");
    let addr = free_address();
    let payloads = (0..tablets)
        .map(|i| {
            let dir = root.join(format!("{name}-tablet-{i}"));
            let payload = enrolment::enrol(
                &hugme_node::membership::open(&teacher).unwrap(),
                Some(&names[i]),
                false,
                std::slice::from_ref(&addr),
                None,
            )
            .expect("enrols")
            .payload;
            (dir, payload)
        })
        .collect();
    Class {
        teacher,
        addr,
        payloads,
        groups: created.groups.iter().map(|g| g.id.clone()).collect(),
        id: created.id.to_string(),
    }
}

/// Starts serving the teacher's folder on its own runtime.
fn serve(class: &Class) -> (tokio::runtime::Runtime, Arc<Node>) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let hub = Arc::new(Node::open(&class.teacher).expect("the hub opens"));
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(&class.addr))
        .expect("listens");
    runtime.spawn(net::serve(listener, hub.clone(), true));
    (runtime, hub)
}

fn main() {
    // Every tablet here connects from loopback: one address for the whole fleet (the hub in
    // this process reads it).
    std::env::set_var("HUGME_CONNECTIONS_PER_ADDRESS", "256");
    let o = options();
    let root = tempfile::tempdir().expect("a temporary folder");
    println!(
        "{} projects and tablets, {} changes per project, {} photos per tablet",
        o.projects, o.changes, o.photos
    );

    // (a) and (b): a class whose hub holds 30 projects; a new tablet joins and catches up.
    let big = class(root.path(), "5B", NEWCOMERS);
    {
        let app = App::open(&big.teacher).expect("opens");
        let device = app.device().expect("the teacher's device");
        for i in 0..o.projects {
            let group = &big.groups[i % big.groups.len()];
            let (id, doc) = project_doc(&big.id, group, &device, o.changes, Vec::new());
            app.store()
                .create_document(&id, DocumentKind::Project, doc)
                .expect("stored");
        }
    }
    let (runtime, _hub) = serve(&big);
    // Several new tablets, one after another: one catch-up is too noisy a figure to compare.
    let mut catch_ups = Vec::new();
    let mut newcomers = Vec::new();
    for (dir, payload) in &big.payloads {
        enrolment::join(&hugme_node::membership::open(dir).unwrap(), payload).expect("joins");
        let newcomer = Node::open(dir).expect("opens");
        let start = Instant::now();
        let first = runtime
            .block_on(net::sync_once(&big.addr, &newcomer, None))
            .expect("syncs");
        catch_ups.push(start.elapsed());
        assert!(first.finished, "{first:?}");
        assert_eq!(first.stats.documents_changed, o.projects);
        newcomers.push((newcomer, first.bytes_received));
    }
    // The last one reconnects in (a): the others' enrolments changed the class after theirs.
    let (newcomer, received) = newcomers.pop().expect("a new tablet");
    drop(newcomers);
    catch_ups.sort();
    println!(
        "(b) new tablet catches up {} projects of {} changes: {:.0} ms (median of {}, {:.0}–{:.0} ms; {} bytes received)",
        o.projects,
        o.changes,
        ms(catch_ups[catch_ups.len() / 2]),
        catch_ups.len(),
        ms(catch_ups[0]),
        ms(catch_ups[catch_ups.len() - 1]),
        received
    );
    let mut times = Vec::new();
    let mut bytes = 0;
    for _ in 0..5 {
        let start = Instant::now();
        let again = runtime
            .block_on(net::sync_once(&big.addr, &newcomer, None))
            .expect("syncs");
        times.push(start.elapsed());
        assert!(
            again.finished && again.stats.documents_changed == 0,
            "{again:?}"
        );
        bytes = again.bytes_sent + again.bytes_received;
    }
    times.sort();
    let documents = o.projects + 1;
    println!(
        "(a) reconnect with nothing new: {:.1} ms for {} documents (median of 5), {} bytes = {} bytes per document",
        ms(times[2]),
        documents,
        bytes,
        bytes / documents as u64
    );
    drop(newcomer);
    drop(runtime);

    // (c): 30 tablets with a project and 20 photos each sync to the hub at once, in rounds
    // of fresh classes (disk timing varies from run to run; the median is the figure).
    let photo = imported_photo(root.path());
    let mut ratios: Vec<f64> = (0..o.rounds)
        .map(|round| fleet_round(&o, root.path(), &photo, round))
        .collect();
    ratios.sort_by(f64::total_cmp);
    println!(
        "(c) median ours/plain over {} rounds: {:.2}",
        ratios.len(),
        ratios[ratios.len() / 2]
    );
    fleet_memory(&o, root.path(), &photo);
}

/// The bench's camera photo as a tablet stores it: through the app's import.
fn imported_photo(root: &Path) -> Vec<u8> {
    let camera = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/bench/photos/photo-12mp.jpg"),
    )
    .expect("the bench photo");
    let app = App::open(&root.join("import")).expect("opens");
    let block = app.import_block("photo.jpg", &camera).expect("imports");
    let hash = block.media().expect("a photo").hash.clone();
    let stored = app.store().blob(&hash).expect("stored");
    assert_eq!(
        &stored[6..11],
        b"JFIF\0",
        "the import writes a bare JFIF header"
    );
    stored
}

/// `photo` made distinct by its JFIF pixel density (bytes 14–17: X and Y density), which no
/// viewer shows: the same picture, another blob.
fn distinct(photo: &[u8], tablet: usize, number: usize) -> Vec<u8> {
    let mut bytes = photo.to_vec();
    bytes[14..16].copy_from_slice(&(tablet as u16 + 1).to_be_bytes());
    bytes[16..18].copy_from_slice(&(number as u16 + 1).to_be_bytes());
    bytes
}

/// A fleet's tablets, each with its project and photos stored: the nodes to sync, what a
/// plain copy would send, and the payload's bytes.
fn prepare_fleet(o: &Options, fleet: &Class, photo: &[u8]) -> (Vec<Arc<Node>>, Vec<Vec<u8>>, u64) {
    let mut items: Vec<Vec<u8>> = Vec::new(); // what the plain copy sends
    let mut hosts = Vec::new();
    for (i, (dir, payload)) in fleet.payloads.iter().enumerate() {
        enrolment::join(&hugme_node::membership::open(dir).unwrap(), payload).expect("joins");
        let app = App::open(dir).expect("opens");
        let device = app.device().expect("a device");
        let mut photos = Vec::new();
        for p in 0..o.photos {
            let bytes = distinct(photo, i, p);
            let blob = app.store().put_blob(&bytes).expect("stored");
            photos.push(MediaRef {
                hash: blob.hash,
                mime: "image/jpeg".into(),
                size: blob.size,
                width: None,
                height: None,
                caption: Text::with_value(format!("tablet {i} photo {p}")),
                thumbnail: None,
                preview: None,
            });
            items.push(bytes);
        }
        let (id, doc) = project_doc(&fleet.id, &fleet.groups[i], &device, o.changes, photos);
        let mut saved = doc.clone();
        items.push(saved.save());
        app.store()
            .create_document(&id, DocumentKind::Project, doc)
            .expect("stored");
        drop(app);
        hosts.push(Arc::new(Node::open(dir).expect("opens")));
    }
    let payload_bytes = items.iter().map(|i| i.len() as u64).sum::<u64>();
    (hosts, items, payload_bytes)
}

/// Every tablet syncs once with the hub at `addr`, all at once; each ends when its received
/// media is durable (its store's writer has it).
fn sync_all(runtime: &tokio::runtime::Runtime, hosts: &[Arc<Node>], addr: &str) -> Vec<net::Ended> {
    runtime.block_on(async {
        let sessions: Vec<_> = hosts
            .iter()
            .map(|host| {
                let (host, addr) = (host.clone(), addr.to_owned());
                tokio::spawn(async move {
                    let ended = net::sync_once(&addr, host.as_ref(), None).await;
                    host.flush().expect("the tablet's store flushes");
                    ended
                })
            })
            .collect();
        let mut out = Vec::new();
        for session in sessions {
            out.push(session.await.expect("the task ends").expect("syncs"));
        }
        out
    })
}

/// Deletes a fleet's folders (each round is some 4 GB on disk: the next needs the room).
fn remove(fleet: &Class) {
    let _ = std::fs::remove_dir_all(&fleet.teacher);
    for (dir, _) in &fleet.payloads {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// (e): the fleet syncs to a `hugme hub` process serving the teacher's folder; its memory.
fn fleet_memory(o: &Options, root: &Path, photo: &[u8]) {
    let fleet = class(root, "6A-memory", o.tablets);
    let binary =
        std::env::var("HUGME_BENCH_HUB").unwrap_or_else(|_| env!("CARGO_BIN_EXE_hugme").to_owned());
    let mut hub = std::process::Command::new(&binary)
        .args([
            "hub",
            &fleet.teacher.to_string_lossy(),
            "--listen",
            &fleet.addr,
            "--no-discovery",
        ])
        .env("HUGME_CONNECTIONS_PER_ADDRESS", "256")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the hub starts");
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(hub.stdout.take().expect("piped")),
        &mut line,
    )
    .expect("the hub says where it listens");
    // The tablets join through the hub, then their projects and photos are stored.
    let (hosts, _, payload_bytes) = prepare_fleet(o, &fleet, photo);
    // Its peak so far (the joins) is not the figure: reset, as the kernel allows.
    std::fs::write(format!("/proc/{}/clear_refs", hub.id()), "5").expect("peak reset");
    let resident = |key: &str| -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", hub.id()))
            .unwrap_or_default()
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    };
    let at_start = resident("VmRSS:");
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let start = Instant::now();
    let ended = sync_all(&runtime, &hosts, &fleet.addr);
    let took = start.elapsed();
    let peak = resident("VmHWM:");
    let _ = hub.kill();
    let _ = hub.wait();
    assert!(
        ended.iter().all(|e| e.finished),
        "every tablet ends in step"
    );
    println!(
        "(e) the teacher's device (a hub process) while {} tablets synced {:.1} MB in {:.1} s: peak resident {:.0} MB ({:.0} MB before they came, {:.0} MB of growth)",
        o.tablets,
        payload_bytes as f64 / 1e6,
        took.as_secs_f64(),
        peak as f64 / 1024.0,
        at_start as f64 / 1024.0,
        peak.saturating_sub(at_start) as f64 / 1024.0
    );
    remove(&fleet);
}

/// One round of (c) in a class of its own; returns ours/plain.
fn fleet_round(o: &Options, root: &Path, photo: &[u8], round: usize) -> f64 {
    let fleet = class(root, &format!("6A-{round}"), o.tablets);
    let (runtime, hub) = serve(&fleet);
    let (hosts, items, payload_bytes) = prepare_fleet(o, &fleet, photo);
    // (d): the teacher looks at the class overview again and again while the fleet syncs.
    let looking = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let watcher = {
        let (hub, looking, class_id) = (hub.clone(), looking.clone(), fleet.id.clone());
        std::thread::spawn(move || {
            let mut times = Vec::new();
            while looking.load(std::sync::atomic::Ordering::Relaxed) {
                let start = Instant::now();
                hub.app()
                    .dashboard(&class_id, "2026-11-25")
                    .expect("the overview");
                times.push(ms(start.elapsed()));
                // As often as the app's overview reloads while changes stream in (once per
                // 250 ms burst: `ui/src/lib/teacher/Dashboard.svelte`). Every 20 ms, as this
                // looked before, kept most of a core busy on a two-core machine and charged it
                // to (c)'s time, which the plain copy it is compared with never pays.
                std::thread::sleep(Duration::from_millis(250));
            }
            times
        })
    };
    let lo_before = loopback_bytes();
    let start = Instant::now();
    let ended = sync_all(&runtime, &hosts, &fleet.addr);
    // The clock stops when everything the hub received is on its disk.
    hub.flush().expect("the hub's store flushes");
    let ours = start.elapsed();
    looking.store(false, std::sync::atomic::Ordering::Relaxed);
    let mut overviews = watcher.join().expect("the watcher");
    overviews.sort_by(f64::total_cmp);
    let wire = loopback_bytes() - lo_before;
    let downloaded: usize = ended.iter().map(|e| e.stats.blobs_received).sum();
    let unfinished: Vec<_> = ended.iter().filter(|e| !e.finished).collect();
    assert!(
        unfinished.is_empty(),
        "every tablet ends in step: {unfinished:?}"
    );
    drop(runtime);
    drop(hub);
    // The overview opened afresh once everything has arrived: the app's start on the
    // teacher's device (open the data folder, read every project of the class).
    let start = Instant::now();
    let teacher = App::open(&fleet.teacher).expect("opens");
    let view = teacher
        .dashboard(&fleet.id, "2026-11-25")
        .expect("the overview");
    let cold = start.elapsed();
    let projects: usize = view.groups.iter().map(|g| g.projects.len()).sum();
    assert_eq!(
        projects, o.tablets,
        "every tablet's project is on the overview"
    );
    drop(teacher);
    let pct = |p: f64| overviews[((overviews.len() - 1) as f64 * p) as usize];
    println!(
        "(d) overview of {} groups: opened afresh in {:.0} ms; while the fleet synced, {} overviews: median {:.0} ms, p95 {:.0} ms, max {:.0} ms (target <= 500 ms)",
        view.groups.len(),
        ms(cold),
        overviews.len(),
        pct(0.5),
        pct(0.95),
        pct(1.0)
    );

    // The physical limit: the same bytes over one TCP connection, each written with fsync.
    let sink = root.join(format!("plain-copy-{round}"));
    std::fs::create_dir_all(&sink).expect("a folder");
    let lo_before = loopback_bytes();
    let start = Instant::now();
    plain_copy(&items, &sink);
    let plain = start.elapsed();
    let plain_wire = loopback_bytes() - lo_before;
    std::fs::remove_dir_all(&sink).expect("cleaned up");
    remove(&fleet);
    let ratio = ours.as_secs_f64() / plain.as_secs_f64();
    println!(
        "(c) round {round}: {} tablets x ({} changes + {} photos) = {:.1} MB of payload: ours {:.2} s, plain TCP + fsync {:.2} s, ours/plain = {:.2}",
        o.tablets,
        o.changes,
        o.photos,
        payload_bytes as f64 / 1e6,
        ours.as_secs_f64(),
        plain.as_secs_f64(),
        ours.as_secs_f64() / plain.as_secs_f64()
    );
    println!(
        "    bytes on the loopback interface: ours {:.1} MB = {:.3} x payload (TLS, frames, TCP/IP headers); plain {:.1} MB = {:.3} x; {} photos went to tablets as well",
        wire as f64 / 1e6,
        wire as f64 / payload_bytes as f64,
        plain_wire as f64 / 1e6,
        plain_wire as f64 / payload_bytes as f64,
        downloaded
    );
    ratio
}

/// Sends every item, length-prefixed, over one TCP connection; the receiver writes each to
/// its own file and fsyncs it.
fn plain_copy(items: &[Vec<u8>], sink: &Path) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("listens");
    let addr = listener.local_addr().expect("an address");
    let sink = sink.to_path_buf();
    let receiver = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().expect("accepts");
        let mut n = 0;
        let mut prefix = [0u8; 8];
        while stream.read_exact(&mut prefix).is_ok() {
            let len = u64::from_be_bytes(prefix) as usize;
            let mut body = vec![0u8; len];
            stream.read_exact(&mut body).expect("reads");
            let mut file = std::fs::File::create(sink.join(n.to_string())).expect("a file");
            file.write_all(&body).expect("writes");
            file.sync_all().expect("fsync");
            n += 1;
        }
    });
    let mut stream = TcpStream::connect(addr).expect("connects");
    for item in items {
        stream
            .write_all(&(item.len() as u64).to_be_bytes())
            .expect("sends");
        stream.write_all(item).expect("sends");
    }
    drop(stream);
    receiver.join().expect("the receiver ends");
}
