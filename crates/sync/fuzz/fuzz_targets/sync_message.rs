//! The Automerge sync message inside a Sync frame, as an enrolled device may send it: decoded,
//! its compressed parts measured (`hugme_sync::inflate`), and only what passes is loaded by
//! Automerge. Nothing panics, and nothing that passes inflates past the limits.
#![no_main]

use automerge::sync;
use hugme_sync::inflate;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let Ok(message) = sync::Message::decode(bytes) else {
        return;
    };
    let Ok(inflated) = inflate::check(message.changes.iter()) else {
        return;
    };
    assert!(inflated <= inflate::MAX_INFLATED);
    let mut doc = automerge::AutoCommit::new();
    for chunk in message.changes.iter() {
        let _ = doc.load_incremental(chunk);
    }
});
