//! Stripping a 100 MB phone video against a plain copy of the same bytes, in one run.
//!
//! `cargo bench -p hugme-media --bench strip [-- --runs N]` prints:
//! - time to import the video into a real data folder (its place and other metadata blanked,
//!   hashed, written, fsynced, indexed) against a plain copy of the file with an fsync, runs
//!   alternated, medians; the target is ours at ≥ 0.5× the copy's speed;
//! - the import's peak memory above the process at rest (VmHWM after `clear_refs`, in a fresh
//!   process); the target is ≤ 32 MB.
//!
//! The video is `assets/field/01-video-gps/android-gps.mp4` (an Android H.264/AAC MP4 with its
//! place in `moov/udta`) with its `mdat` grown to 100 MB of pseudo-random bytes, so the file is
//! laid out as a phone's and no compression or page sharing flatters either side.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use hugme_media::{import_file, Control, Settings};
use hugme_store::Store;

mod common;
use common::{ms, status_kb};

const CHILD: &str = "HUGME_BENCH_CHILD";
const VIDEO_BYTES: u64 = 100_000_000;

fn main() {
    if let Ok(video) = std::env::var(CHILD) {
        return child_import(Path::new(&video));
    }
    let args: Vec<String> = std::env::args().collect();
    let runs = args
        .iter()
        .position(|a| a == "--runs")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(7usize);
    let work = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("a temporary folder");
    let video = work.path().join("android-100mb.mp4");
    make_video(&video);
    let len = std::fs::metadata(&video).expect("written").len();
    println!("video: {len} bytes (MP4, place in moov/udta); {runs} runs each, alternated");

    let (mut copies, mut imports) = (Vec::new(), Vec::new());
    let copy_to = work.path().join("copy.mp4");
    let settings = Settings::default();
    for run in 0..=runs {
        let start = Instant::now();
        plain_copy(&video, &copy_to);
        let copy = start.elapsed();
        let _ = std::fs::remove_file(&copy_to);

        let data = work.path().join(format!("data-{run}"));
        let store = Store::open(&data).expect("a data folder");
        let start = Instant::now();
        let imported =
            import_file(&store, &video, &settings, &Control::default()).expect("imports");
        let import = start.elapsed();
        assert!(
            imported.blob.size >= len - 4096,
            "the whole video was stored"
        );
        drop(store);
        let _ = std::fs::remove_dir_all(&data);
        if run > 0 {
            // The first pair warms the page cache and the code.
            copies.push(copy);
            imports.push(import);
        }
    }
    let (copy, import) = (median(&mut copies), median(&mut imports));
    let speed = copy.as_secs_f64() / import.as_secs_f64();
    println!(
        "plain copy + fsync:           {:>8.1} ms  {:>7.1} MB/s",
        ms(copy),
        mb_s(len, copy)
    );
    println!(
        "import (strip, hash, store):  {:>8.1} ms  {:>7.1} MB/s",
        ms(import),
        mb_s(len, import)
    );
    println!("import speed / copy speed = {speed:.2} (target >= 0.50)");

    let me = std::env::current_exe().expect("this program's path");
    let output = std::process::Command::new(me)
        .env(CHILD, &video)
        .output()
        .expect("runs");
    assert!(output.status.success(), "{output:?}");
    let report = String::from_utf8_lossy(&output.stdout);
    let field = |name: &str| -> f64 {
        report
            .split_whitespace()
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('=')?.parse().ok())
            .expect("the child reports its memory")
    };
    let (idle, peak) = (field("idle_kb") / 1024.0, field("peak_kb") / 1024.0);
    println!(
        "peak memory of the import: {:.1} MiB above the process at rest ({idle:.1} MiB at rest, \
         {peak:.1} MiB at most) (target <= 32)",
        peak - idle
    );
}

/// In a fresh process: the store open, memory at rest measured, the high-water mark reset to
/// it, then one import.
fn child_import(video: &Path) {
    let data = tempfile::tempdir_in(video.parent().expect("a folder")).expect("a data folder");
    let store = Store::open(data.path()).expect("a data folder");
    std::fs::write("/proc/self/clear_refs", "5").expect("VmHWM reset (Linux)");
    let idle = status_kb("VmHWM:");
    import_file(&store, video, &Settings::default(), &Control::default()).expect("imports");
    println!("idle_kb={idle} peak_kb={}", status_kb("VmHWM:"));
}

/// The field video with its `mdat` grown to make the file [`VIDEO_BYTES`] long.
fn make_video(to: &Path) {
    let field = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../assets/field/01-video-gps/android-gps.mp4");
    let bytes = std::fs::read(field).expect("assets/field/01-video-gps/android-gps.mp4");
    let mdat = top_box(&bytes, b"mdat").expect("the field video has an mdat");
    assert_eq!(mdat.1, bytes.len(), "mdat is the last box");
    let grow = VIDEO_BYTES - bytes.len() as u64;
    let mut out = bytes.clone();
    let size = u32::from_be_bytes(out[mdat.0..mdat.0 + 4].try_into().expect("4 bytes"));
    let size = u32::try_from(u64::from(size) + grow).expect("under 4 GB");
    out[mdat.0..mdat.0 + 4].copy_from_slice(&size.to_be_bytes());
    let mut file = std::io::BufWriter::new(std::fs::File::create(to).expect("created"));
    file.write_all(&out).expect("written");
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut block = vec![0u8; 1 << 20];
    let mut left = grow;
    while left > 0 {
        for chunk in block.chunks_exact_mut(8) {
            // xorshift64: bytes no file system or page cache can compress or share.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            chunk.copy_from_slice(&state.to_le_bytes());
        }
        let n = left.min(block.len() as u64) as usize;
        file.write_all(&block[..n]).expect("written");
        left -= n as u64;
    }
    file.into_inner()
        .expect("flushed")
        .sync_all()
        .expect("synced");
}

/// (start, end) of the first top-level box of this type.
fn top_box(bytes: &[u8], kind: &[u8; 4]) -> Option<(usize, usize)> {
    let mut at = 0;
    while at + 8 <= bytes.len() {
        let size = u32::from_be_bytes(bytes[at..at + 4].try_into().ok()?) as usize;
        if size < 8 {
            return None;
        }
        if &bytes[at + 4..at + 8] == kind {
            return Some((at, at + size));
        }
        at += size;
    }
    None
}

/// What a person's file manager does: read, write, fsync.
fn plain_copy(from: &Path, to: &PathBuf) {
    let mut source = std::fs::File::open(from).expect("opened");
    let mut target = std::fs::File::create(to).expect("created");
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = source.read(&mut buf).expect("read");
        if n == 0 {
            break;
        }
        target.write_all(&buf[..n]).expect("written");
    }
    target.sync_all().expect("synced");
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn mb_s(bytes: u64, d: Duration) -> f64 {
    bytes as f64 / 1e6 / d.as_secs_f64()
}
