//! Two pupils of one group writing the same answer on two tablets at once: every word typed
//! on either survives on every device. Real devices (SQLite stores, each network side on its
//! own thread) live with the teacher's device over loopback TCP and TLS, as in a lesson.
//!
//! Two ways the edits meet, each for insertions at the start, middle and end, deletions that
//! overlap, and texts with emoji and combining marks:
//! - the peer's words reach this tablet before its pupil's keystroke, which was typed on the
//!   older text (the field showed it): the facade applies the pupil's own changes
//!   (base → typed) to what is stored (`hugme_app::merge`);
//! - both keystrokes are stored before either tablet hears of the other (the teacher's device
//!   they sync through held still meanwhile): Automerge merges the two changes when the
//!   sessions carry them.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hugme_app::api::edit::{Edit, TextField};
use hugme_app::App;
use hugme_model::Project;
use hugme_node::Network;

mod common;
use common::{no_reach, start, tablet, teacher, until};

struct Lesson {
    teacher: Arc<App>,
    tablets: [Arc<App>; 2],
    project: String,
    // Kept running for the test's length.
    _networks: Vec<Network>,
}

/// The teacher's device and two tablets of group Ketut, live, with Ketut's project on both.
fn lesson(root: &Path) -> Lesson {
    let teacher = teacher(root, "teacher", "5B", &["Ketut", "Karhut"]);
    let serving = start(teacher.clone(), no_reach());
    let hub = serving.addr().to_string();
    let mut networks = vec![];
    let mut tablets = Vec::new();
    let mut devices = Vec::new();
    for n in 0..2 {
        let (device, app, network) = tablet(&teacher, &hub, root, &format!("tablet-{n}"), "Ketut");
        devices.push(device);
        networks.push(network);
        tablets.push(app);
    }
    for device in &devices {
        until("each tablet live", Duration::from_secs(20), || {
            serving.node().is_live(device)
        });
    }
    networks.push(serving);
    let class = teacher.store().meta("class_id").unwrap().unwrap();
    let cards = tablets[0].class_cards().unwrap();
    let group = cards[0]
        .groups
        .iter()
        .find(|g| g.name == "Ketut")
        .expect("Ketut")
        .id
        .clone();
    let project = tablets[0]
        .start_project(&class, &group, "Jää")
        .unwrap()
        .id
        .to_string();
    let tablets: [Arc<App>; 2] = [tablets[0].clone(), tablets[1].clone()];
    until(
        "the project on the other tablet",
        Duration::from_secs(10),
        || tablets[1].read::<Project>(&project).is_ok(),
    );
    Lesson {
        teacher,
        tablets,
        project,
        _networks: networks,
    }
}

fn why(app: &App, project: &str) -> String {
    app.read::<Project>(project)
        .map(|p| p.value.phenomenon.why.as_str().to_owned())
        .unwrap_or_default()
}

fn typed(app: &App, project: &str, base: &str, text: &str) {
    let edit = Edit::SetText {
        field: TextField::PhenomenonWhy,
        text: text.into(),
        base: Some(base.into()),
    };
    app.edit_project(project, &edit).unwrap();
}

/// Tablet 0's pupil makes the answer `base` (the field showed `last`); both tablets hold it.
fn start_from(l: &Lesson, last: &str, base: &str) {
    let [a, b] = &l.tablets;
    typed(a, &l.project, last, base);
    until("the starting text on both", Duration::from_secs(10), || {
        why(b, &l.project) == base
    });
}

/// Waits until both tablets hold the same text, one of `both`; returns it.
fn converged(a: &App, b: &App, project: &str, both: &[&str]) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let seen = (why(a, project), why(b, project));
        if seen.0 == seen.1 && both.contains(&seen.0.as_str()) {
            return seen.0;
        }
        assert!(
            Instant::now() < deadline,
            "waited in vain for one of {both:?}: tablets hold {seen:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// (the text both fields showed, what tablet 0's pupil typed, what tablet 1's pupil typed,
/// what both may end with: two insertions at one place come in either order, Automerge's by
/// actor id, the merge's by which arrived first; every word is there either way)
const CASES: &[(&str, &str, &str, &[&str])] = &[
    // Insertions at the start, in the middle, at the end.
    (
        "jäätyy talvella.",
        "Vesi jäätyy talvella.",
        "Miksi jäätyy talvella.",
        &["Vesi Miksi jäätyy talvella.", "Miksi Vesi jäätyy talvella."],
    ),
    (
        "Vesi jäätyy.",
        "Vesi jäätyy aina.",
        "Vesi kylmässä jäätyy.",
        &["Vesi kylmässä jäätyy aina."],
    ),
    (
        "Jää on kovaa.",
        "Jää on kovaa. Se kelluu.",
        "Jää on kovaa ja liukasta.",
        &["Jää on kovaa ja liukasta. Se kelluu."],
    ),
    // Deletions that overlap: each pupil removes words, some the same.
    (
        "Jää on hyvin hyvin kylmää ja kovaa.",
        "Jää on kylmää ja kovaa.",
        "Jää on hyvin kylmää.",
        &["Jää on kylmää."],
    ),
    // Emoji (two UTF-16 units, four UTF-8 bytes), a flag, combining marks (a + U+0308).
    (
        "Lumi ❄️ sataa 🇫🇮 maahan.",
        "Lumi ❄️ sataa 🇫🇮 maahan. Ha\u{308}rma\u{308}!",
        "🌨️ Lumi ❄️ sataa 🇫🇮 maahan.",
        &["🌨️ Lumi ❄️ sataa 🇫🇮 maahan. Ha\u{308}rma\u{308}!"],
    ),
];

#[test]
fn a_peers_words_that_arrive_before_a_keystroke_typed_on_the_older_text_are_kept() {
    let root = tempfile::tempdir().unwrap();
    let l = lesson(root.path());
    let [a, b] = &l.tablets;
    let mut last = why(a, &l.project);
    for (base, ours, theirs, both) in CASES {
        start_from(&l, &last, base);
        // Tablet 1's words arrive on tablet 0 while its field still shows `base`...
        typed(b, &l.project, base, theirs);
        until(
            "the peer's words on tablet 0",
            Duration::from_secs(10),
            || why(a, &l.project) == *theirs,
        );
        // ...then tablet 0's pupil's keystroke, typed on `base`, is stored.
        typed(a, &l.project, base, ours);
        last = converged(a, b, &l.project, both);
    }
}

#[test]
fn keystrokes_stored_on_both_tablets_before_either_hears_of_the_other_are_merged() {
    let root = tempfile::tempdir().unwrap();
    let l = lesson(root.path());
    let [a, b] = &l.tablets;
    let mut last = why(a, &l.project);
    for (base, ours, theirs, both) in CASES {
        start_from(&l, &last, base);
        {
            // The teacher's device, through which the tablets hear of each other, holds still
            // (its documents locked: its sessions wait) while both keystrokes are stored, so
            // neither tablet hears of the other's before its own is stored.
            let _still = hugme_task::lock(l.teacher.documents());
            typed(a, &l.project, base, ours);
            typed(b, &l.project, base, theirs);
            std::thread::sleep(Duration::from_millis(100));
            assert_eq!(
                why(a, &l.project),
                *ours,
                "tablet 0 heard of tablet 1's words"
            );
            assert_eq!(
                why(b, &l.project),
                *theirs,
                "tablet 1 heard of tablet 0's words"
            );
        }
        last = converged(a, b, &l.project, both);
    }
}
