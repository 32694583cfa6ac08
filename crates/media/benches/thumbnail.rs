//! Photo import against libvips, in one run on one 12-megapixel photograph.
//!
//! `cargo bench -p hugme-media --bench thumbnail [-- --runs N]` prints:
//! - time to a 256 px thumbnail: our `hugme_media::thumbnail` against `vipsthumbnail` (Debian's
//!   libvips-tools), both as a fresh process per thumbnail (what a script or the hub pays), and
//!   ours in-process as well (what the app pays);
//! - whole-import throughput: photos per second for decode, orient, strip, downscale, two
//!   thumbnails and store, into a real data folder;
//! - peak memory of one import, in a fresh process (VmHWM), against the decoded image's size.
//!
//! Figures are medians. Needs `vipsthumbnail` on the PATH (`apt install libvips-tools`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use hugme_media::{import_bytes, thumbnail, Control, Settings};
use hugme_store::Store;

mod common;
use common::{ms, status_kb};

const CHILD: &str = "HUGME_BENCH_CHILD";

fn photo_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/bench/photos/photo-12mp.jpg")
}

fn main() {
    let photo = std::fs::read(photo_path()).expect("assets/bench/photos/photo-12mp.jpg");
    match std::env::var(CHILD).as_deref() {
        Ok("thumbnail") => return child_thumbnail(&photo),
        Ok("import") => return child_import(&photo),
        _ => {}
    }
    let args: Vec<String> = std::env::args().collect();
    let runs = args
        .iter()
        .position(|a| a == "--runs")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(15usize);
    let out_dir = tempfile::tempdir().expect("a temporary folder");
    let vips_out = out_dir.path().join("vips.jpg");
    let (w, h) = image::image_dimensions(photo_path()).expect("the photo's size");
    println!("photo: {w} x {h}, {} bytes; {runs} runs each", photo.len());

    let vips = median(runs, || {
        let status = Command::new("vipsthumbnail")
            .arg(photo_path())
            .args(["--size", "256", "-o"])
            .arg(&vips_out)
            .status();
        match status {
            Ok(s) if s.success() => {}
            Ok(s) => panic!("vipsthumbnail failed: {s}"),
            Err(e) => panic!("vipsthumbnail could not run ({e}): apt install libvips-tools"),
        }
    });
    let me = std::env::current_exe().expect("this program's path");
    let ours_process = median(runs, || {
        let status = Command::new(&me)
            .env(CHILD, "thumbnail")
            .status()
            .expect("runs");
        assert!(status.success());
    });
    let settings = Settings::default();
    let ours_in_process = median(runs, || {
        thumbnail("photo.jpg", &photo, 256, &settings).expect("a thumbnail");
    });
    let (tw, th) = image::image_dimensions(&vips_out).expect("vips wrote a thumbnail");
    let (ours, _) = thumbnail("photo.jpg", &photo, 256, &settings).expect("a thumbnail");
    let ours_size = image::load_from_memory(&ours).expect("decodes").to_rgb8();
    println!(
        "256 px thumbnail (vips {tw}x{th}, ours {}x{}):",
        ours_size.width(),
        ours_size.height()
    );
    println!(
        "  vipsthumbnail, process per thumbnail: {:>8.1} ms",
        ms(vips)
    );
    println!(
        "  ours, process per thumbnail:          {:>8.1} ms   ours/vips = {:.2}",
        ms(ours_process),
        ours_process.as_secs_f64() / vips.as_secs_f64()
    );
    println!(
        "  ours, in-process:                     {:>8.1} ms   ours/vips = {:.2}",
        ms(ours_in_process),
        ours_in_process.as_secs_f64() / vips.as_secs_f64()
    );

    let data = tempfile::tempdir().expect("a temporary folder");
    let store = Store::open(data.path()).expect("a data folder");
    let import = median(runs, || {
        import_bytes(&store, "photo.jpg", &photo, &settings, &Control::default()).expect("imports");
    });
    println!(
        "whole import (decode, orient, strip, re-encode, 2 thumbnails, store): {:.1} ms = {:.1} photos/s",
        ms(import),
        1.0 / import.as_secs_f64()
    );

    let output = Command::new(&me)
        .env(CHILD, "import")
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
    let decoded = f64::from(w) * f64::from(h) * 3.0;
    let (before, peak) = (field("before_kb") * 1024.0, field("peak_kb") * 1024.0);
    println!(
        "peak memory of one import: {:.1} MB resident at most ({:.1} MB before it, with the \
         photo's bytes read); decoded image {:.1} MB; peak / decoded = {:.2} (whole process), \
         {:.2} (the import's own growth)",
        peak / 1e6,
        before / 1e6,
        decoded / 1e6,
        peak / decoded,
        (peak - before) / decoded
    );
}

fn child_thumbnail(photo: &[u8]) {
    let (bytes, _) = thumbnail("photo.jpg", photo, 256, &Settings::default()).expect("thumbnail");
    let out = std::env::temp_dir().join(format!("hugme-thumb-{}.jpg", std::process::id()));
    std::fs::write(&out, bytes).expect("written");
    let _ = std::fs::remove_file(out);
}

fn child_import(photo: &[u8]) {
    let data = tempfile::tempdir().expect("a temporary folder");
    let store = Store::open(data.path()).expect("a data folder");
    let before = status_kb("VmHWM:");
    import_bytes(
        &store,
        "photo.jpg",
        photo,
        &Settings::default(),
        &Control::default(),
    )
    .expect("imports");
    println!("before_kb={before} peak_kb={}", status_kb("VmHWM:"));
}

fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    f(); // warm up: page cache, code, allocator
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}
