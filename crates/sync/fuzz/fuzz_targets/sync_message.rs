//! The Automerge sync message inside a Sync frame, as an enrolled device may send it: decoded,
//! its summaries and compressed parts measured (`hugme_sync::inflate`), and judged as a new project's and the
//! class's changes (`hugme_sync::policy::parse`, which parses every chunk, and `judge`) as a session does
//! before anything of it reaches a held document. Nothing panics out of these, and nothing that
//! passes the measure inflates past its limits.
#![no_main]

use std::sync::Once;

use automerge::sync;
use hugme_model::DocumentKind;
use hugme_sync::{inflate, policy};
use libfuzzer_sys::fuzz_target;

static QUIET: Once = Once::new();

fuzz_target!(|bytes: &[u8]| {
    // A panic inside Automerge that `judge` catches is its answer, not a crash; one that
    // escapes still ends the run (libFuzzer catches what leaves this closure).
    QUIET.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    let Ok(message) = sync::Message::decode(bytes) else {
        return;
    };
    if inflate::check_summary(&message).is_err() {
        return;
    }
    let Ok(inflated) = inflate::check(message.changes.iter()) else {
        return;
    };
    assert!(inflated <= inflate::MAX_INFLATED);
    let Ok(changes) = policy::parse(&message) else {
        return;
    };
    let roster = policy::Roster::default();
    for kind in [DocumentKind::Project, DocumentKind::Class] {
        let _ = policy::judge(&roster, kind, None, &changes, None);
    }
});
