//! A whole Sync frame as an enrolled device may send it: the Automerge sync message with the
//! signatures that vouch for its changes (issue 16). Decoded, measured (`hugme_sync::inflate`),
//! its changes parsed (`policy::parse`), each signature checked against a device's real key,
//! who wrote what vouched for (`authorship::vouch`), judged by role, applied to a scratch
//! document and admitted (`hugme_model::admission`) — every step a session takes before
//! anything reaches a held document. Nothing panics out of these.
#![no_main]

use std::sync::{LazyLock, Once};

use automerge::sync::{self, SyncDoc};
use automerge::AutoCommit;
use hugme_model::DocumentKind;
use hugme_sync::authorship::{self, Certified};
use hugme_sync::identity::Authority;
use hugme_sync::{inflate, policy, Message};
use libfuzzer_sys::fuzz_target;

static QUIET: Once = Once::new();

/// A device of a class, certified by its CA: the key signatures are checked against.
static DEVICE: LazyLock<Certified> = LazyLock::new(|| {
    let ca = Authority::create("5b").expect("a CA");
    let creds = ca.credentials_for("kettu-tab", "group-tablet").expect("credentials");
    authorship::certified(&creds.certificate, ca.certificate(), "5b").expect("certified")
});

fuzz_target!(|bytes: &[u8]| {
    QUIET.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    let Ok(Message::Sync {
        document,
        message,
        signatures,
    }) = Message::decode(bytes)
    else {
        return;
    };
    let Ok(message) = sync::Message::decode(&message) else {
        return;
    };
    if inflate::check_summary(&message).is_err() || inflate::check(message.changes.iter()).is_err()
    {
        return;
    }
    let Ok(changes) = policy::parse(&message) else {
        return;
    };
    for signature in &signatures {
        let _ = DEVICE.verifies("5b", &document, signature);
    }
    // As if every signature had verified: the walk itself must hold on any input.
    let _ = authorship::vouch(&changes, |_| false, &[], &signatures);
    let roster = policy::Roster::default();
    let _ = policy::judge(&roster, DocumentKind::Project, None, &changes, None);
    // The session applies to a scratch copy with Automerge's panics caught; so does this.
    let _ = std::panic::catch_unwind(move || {
        let mut scratch = AutoCommit::new();
        let mut state = sync::State::new();
        if scratch
            .sync()
            .receive_sync_message(&mut state, message)
            .is_ok()
        {
            for kind in [DocumentKind::Project, DocumentKind::Class, DocumentKind::Review] {
                let _ = hugme_model::admission::admit(kind, &document, "5b", None, &scratch);
            }
        }
    });
});
