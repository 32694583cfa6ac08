//! Any bytes, under any of the names a pupil's file might have, through the whole import into
//! a real data folder: the import may refuse them, but must never panic, hang or grow without
//! bound; an MP4 it stores has no metadata box left and its length needs no second repair, and
//! whatever it stores another device keeps (its own check of received files: no tag left in a
//! sound, pictures only in the form the import writes). MP4 tracks and blanking, fragment
//! lengths, a WAV's sizes and chunks, a live WebM's duration and tags, MP3 and Ogg tags, HEIC
//! and AVIF decoding are all on this path.
#![no_main]

use std::sync::OnceLock;

use hugme_media::{import_bytes, thumbnail, Control, Settings};
use hugme_store::Store;
use libfuzzer_sys::fuzz_target;

const NAMES: [&str; 12] = [
    "photo.jpg",
    "drawing.png",
    "clip.mp4",
    "sound.wav",
    "talk.ogg",
    "file",
    "recording.m4a",
    "recording.webm",
    "recording.weba",
    "voice.mp3",
    "note.opus",
    "iphone.heic",
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
        let kept = hugme_media::received::check(std::io::Cursor::new(&stored), stored.len() as u64);
        assert!(kept.is_ok(), "a peer would refuse what the import stored: {kept:?}");
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
