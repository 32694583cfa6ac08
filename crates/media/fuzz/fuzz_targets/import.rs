//! Any bytes, under any of the names a pupil's file might have, through the whole import into
//! a real data folder: the import may refuse them, but must never panic, hang or grow without
//! bound; and an MP4 it stores has no metadata box left and its length needs no second repair
//! (MP4 tracks and blanking, fragment lengths, a WAV's sizes, a live WebM's duration are all on
//! this path).
#![no_main]

use std::sync::OnceLock;

use hugme_media::{import_bytes, thumbnail, Control, Settings};
use hugme_store::Store;
use libfuzzer_sys::fuzz_target;

const NAMES: [&str; 9] = [
    "photo.jpg",
    "drawing.png",
    "clip.mp4",
    "sound.wav",
    "talk.ogg",
    "file",
    "recording.m4a",
    "recording.webm",
    "recording.weba",
];

fn store() -> &'static Store {
    static STORE: OnceLock<(tempfile::TempDir, Store)> = OnceLock::new();
    &STORE
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("a temporary folder");
            let store = Store::open(dir.path()).expect("a data folder");
            (dir, store)
        })
        .1
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    // Small limits keep each run fast; the limits' own checks are what is under test.
    let settings = Settings {
        max_long_edge: 512,
        max_pixels: 4_000_000,
        max_media_bytes: 1 << 20,
        thumbnail_sizes: vec![64, 128],
    };
    let name = NAMES[usize::from(pick) % NAMES.len()];
    if let Ok(done) = import_bytes(store(), name, bytes, &settings, &Control::default()) {
        let stored = store().blob(&done.blob.hash).expect("what was stored reads back");
        if stored.get(4..8) == Some(b"ftyp") {
            let len = stored.len() as u64;
            let boxes = hugme_media::iso::metadata_boxes(&mut std::io::Cursor::new(&stored), len);
            assert!(boxes.map_or(true, |b| b.is_empty()), "stored an MP4 with metadata");
            // A recording's length, once written in, needs nothing more.
            let again = hugme_media::fragments::repair(&mut std::io::Cursor::new(&stored), len);
            assert!(
                again.map_or(true, |r| r == Default::default()),
                "the stored MP4 would be repaired again"
            );
        }
    }
    let _ = thumbnail(name, bytes, 64, &settings);
});
