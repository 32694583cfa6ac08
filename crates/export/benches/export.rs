//! Exporting a class against `zip -0 -r` of the same files, in the same run, and the
//! export's peak memory. Prints medians and ratios; asserts nothing.
//!
//! `cargo bench -p hugme-export --bench export [-- --projects 30 --photos 20 --mb 2.5 --rounds 3]`
//!
//! The class: 30 projects with 20 photos each (600 distinct photos of 2.5 MB, about 1.5 GB),
//! stored as the app stores them. The reference zips the same blob files, uncompressed (as
//! the export stores photos), then we also show it with an fsync, which the export does so
//! that a finished export survives a power cut. Each run is a fresh process (the export's
//! peak resident memory is read from its own /proc/self/status).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use hugme_export::{export, Format, Options, Progress, Scope};
use hugme_model::document::Document;
use hugme_model::{Block, BlockId, BlockKind, Class, MediaRef, Page, Project, Text};
use hugme_store::Store;

/// Stores a new document in `store` (as the app does, without its facade).
fn create<T: Document>(store: &Store, id: &str, value: &T) {
    let mut doc = automerge::AutoCommit::new();
    hugme_model::write(&mut doc, value).expect("cannot write a document");
    store
        .create_document(id, T::KIND, doc)
        .expect("cannot store a document");
}

fn arg<T: std::str::FromStr>(name: &str, default: T) -> T {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--child") {
        return child(Path::new(&args[2]), &args[3], Path::new(&args[4]));
    }
    let projects: usize = arg("--projects", 30);
    let photos: usize = arg("--photos", 20);
    let mb: f64 = arg("--mb", 2.5);
    let rounds: usize = arg("--rounds", 3);
    let data = tempfile::tempdir_in(bench_dir()).expect("no temporary folder");
    let started = Instant::now();
    let class = fill(data.path(), projects, photos, (mb * 1_000_000.0) as usize);
    let blobs = data.path().join("blobs");
    let bytes = du(&blobs);
    println!(
        "class: {projects} projects x {photos} photos of {mb} MB = {:.2} GB of blobs (made in {:.0} s)",
        bytes as f64 / 1e9,
        started.elapsed().as_secs_f64()
    );
    let out = tempfile::tempdir_in(bench_dir()).expect("no temporary folder");
    let ours_path = out.path().join("class.imscc");
    let zip_path = out.path().join("reference.zip");
    let mut ours = Vec::new();
    let mut peaks = Vec::new();
    let mut zip = Vec::new();
    let mut zip_sync = Vec::new();
    for round in 0..rounds {
        // Alternate who goes first, so neither always meets a warmer page cache.
        for turn in 0..2 {
            if (round + turn) % 2 == 0 {
                let t = Instant::now();
                let child = Command::new(std::env::current_exe().expect("own path"))
                    .arg("--child")
                    .arg(data.path())
                    .arg(&class)
                    .arg(&ours_path)
                    .output()
                    .expect("the export child did not run");
                ours.push(t.elapsed().as_secs_f64());
                let report = String::from_utf8_lossy(&child.stdout);
                assert!(
                    child.status.success(),
                    "export failed: {report}{}",
                    String::from_utf8_lossy(&child.stderr)
                );
                let peak: f64 = report
                    .split_whitespace()
                    .nth(1)
                    .and_then(|v| v.parse().ok())
                    .expect("the child reports its peak memory");
                peaks.push(peak / 1024.0);
                std::fs::remove_file(&ours_path).expect("cannot remove the export");
            } else {
                let t = Instant::now();
                let status = Command::new("zip")
                    .args(["-0", "-r", "-q"])
                    .arg(&zip_path)
                    .arg("blobs")
                    .current_dir(data.path())
                    .status()
                    .expect("zip is not installed (apt-get install zip)");
                assert!(status.success());
                zip.push(t.elapsed().as_secs_f64());
                std::fs::File::open(&zip_path)
                    .and_then(|f| f.sync_all())
                    .expect("fsync of the reference zip");
                zip_sync.push(t.elapsed().as_secs_f64());
                std::fs::remove_file(&zip_path).expect("cannot remove the reference zip");
            }
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(|a, b| a.total_cmp(b));
        v[v.len() / 2]
    };
    let (o, z, zs, p) = (
        median(&mut ours),
        median(&mut zip),
        median(&mut zip_sync),
        median(&mut peaks),
    );
    println!(
        "export, CC 1.1, whole class (median of {rounds}): {o:.2} s ({:.0} MB/s)",
        bytes as f64 / 1e6 / o
    );
    println!("zip -0 -r of the same blobs:                       {z:.2} s  -> ours {:.2}x (target <= 1.2x)", o / z);
    println!(
        "zip -0 -r, then fsync of the zip:                  {zs:.2} s  -> ours {:.2}x",
        o / zs
    );
    println!("export peak resident memory (VmHWM):               {p:.1} MB (target <= 100 MB)");
}

/// Big files go where the data folder would be, not to a RAM-backed /tmp.
fn bench_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("export-bench");
    std::fs::create_dir_all(&dir).expect("cannot make the bench folder");
    dir
}

fn du(dir: &Path) -> u64 {
    let mut total = 0;
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            total += du(&path);
        } else {
            total += entry.metadata().map_or(0, |m| m.len());
        }
    }
    total
}

/// The export, alone in its process; prints `peak <kB>`.
fn child(data: &Path, class: &str, out: &Path) {
    let store = hugme_store::Store::open(data).expect("cannot open the data folder");
    let options = Options {
        format: Format::Cc11,
        include_feedback: false,
    };
    export(
        &store,
        &Scope::Class(class.to_owned()),
        &options,
        out,
        &Progress::default(),
    )
    .expect("export failed");
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let peak = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap_or("0");
    println!("peak {peak}");
}

/// A class of `projects` groups, each with a project whose one page holds `photos` photos of
/// `size` bytes (distinct bytes, JPEG-marked: the export copies them as they are).
fn fill(dir: &Path, projects: usize, photos: usize, size: usize) -> String {
    let store = Store::open(dir).expect("cannot open the data folder");
    let mut class = Class::new("5B");
    for i in 1..=projects {
        class.add_group(&format!("Ryhmä {i}"));
    }
    create(&store, class.id.as_str(), &class);
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut bytes = vec![0u8; size];
    for (g, group) in class.groups.iter().enumerate() {
        let mut project = Project::new(
            class.id.clone(),
            group.id.clone(),
            &format!("Projekti {}", g + 1),
            hugme_store::now_ms(),
        );
        let mut page = Page::new("Kuvat");
        for p in 0..photos {
            // xorshift: fast, and every photo different (no deduplication by hash).
            for chunk in bytes.chunks_mut(8) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let le = state.to_le_bytes();
                chunk.copy_from_slice(&le[..chunk.len()]);
            }
            bytes[..4].copy_from_slice(&[0xff, 0xd8, 0xff, 0xe0]);
            let blob = store.put_blob(&bytes).expect("cannot store a photo");
            page.blocks.push(Block {
                id: BlockId::random(),
                kind: BlockKind::Photo {
                    media: MediaRef {
                        hash: blob.hash,
                        mime: "image/jpeg".into(),
                        size: blob.size,
                        width: Some(4000),
                        height: Some(3000),
                        caption: Text::with_value(format!("Kuva {}", p + 1)),
                        thumbnail: None,
                        preview: None,
                    },
                },
            });
        }
        project.content.pages.push(page);
        create(&store, project.id.as_str(), &project);
    }
    store.flush().expect("cannot make the class durable");
    class.id.to_string()
}
