//! Any bytes, under any of the names a pupil's file might have, through the whole import into
//! a real data folder: the import may refuse them, but must never panic, hang or grow without
//! bound.
#![no_main]

use std::sync::OnceLock;

use hugme_media::{import_bytes, thumbnail, Control, Settings};
use hugme_store::Store;
use libfuzzer_sys::fuzz_target;

const NAMES: [&str; 6] = ["photo.jpg", "drawing.png", "clip.mp4", "sound.wav", "talk.ogg", "file"];

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
    let _ = import_bytes(store(), name, bytes, &settings, &Control::default());
    let _ = thumbnail(name, bytes, 64, &settings);
});
