//! Live sessions: once two devices are in step, a change made on one reaches the other with
//! its own sync message alone, and a session says nothing when nothing changed; a one-off
//! peer is told nothing after it began.

use hugme_sync::{Effect, Replica, Session};

use crate::{connect_sessions, edit, new_project, pump, school, value, Outcome, Peer, CLASS};

/// Two peers in step, their sessions still open.
fn in_step(a: &mut Peer, b: &mut Peer) -> (Session, Session) {
    let sa = Session::new(&a.id, CLASS, &b.id).with_live(true);
    let sb = Session::new(&b.id, CLASS, &a.id).with_live(true);
    let (outcome, sa, sb) = connect_sessions(a, b, sa, sb, None);
    assert!(outcome.finished, "{:?}", outcome.effects);
    (sa, sb)
}

/// What `a` pushes after `ids` changed on it, carried to `b` and answered until quiet.
fn push(
    a: &mut Peer,
    b: &mut Peer,
    (sa, sb): (&mut Session, &mut Session),
    ids: &[&str],
) -> Outcome {
    let ids: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
    let said = sa.local_changes(&ids, false, &mut a.replica);
    let mut out = Outcome::default();
    pump(a, b, (sa, sb), (said, Vec::new()), None, &mut out);
    out.finished = sa.is_finished() && sb.is_finished();
    out
}

/// What `b` has just said (`said`), carried to `a` and answered until quiet.
fn carry(
    a: &mut Peer,
    b: &mut Peer,
    sessions: (&mut Session, &mut Session),
    said: Vec<Effect>,
) -> Outcome {
    let mut out = Outcome::default();
    pump(a, b, sessions, (Vec::new(), said), None, &mut out);
    out
}

fn sends(effects: &[Effect]) -> usize {
    effects
        .iter()
        .filter(|e| matches!(e, Effect::Send(_)))
        .count()
}

#[test]
fn a_change_made_during_a_session_is_pushed_and_nothing_is_said_when_nothing_changed() {
    let mut s = school();
    new_project(&mut s.kettu, "p-kettu", &s.kettu_group.clone(), "Jää");
    let (mut sk, mut sh) = in_step(&mut s.kettu, &mut s.hub);

    // Nothing changed: not a byte.
    let quiet = sk.local_changes(&["p-kettu".into()], false, &mut s.kettu.replica);
    assert_eq!(sends(&quiet), 0, "{quiet:?}");
    let quiet = sk.local_changes(&[], true, &mut s.kettu.replica);
    assert_eq!(
        sends(&quiet),
        0,
        "a look at everything finds nothing: {quiet:?}"
    );

    edit(&mut s.kettu, "p-kettu", "note", "Vesi jäätyy");
    let pushed = push(&mut s.kettu, &mut s.hub, (&mut sk, &mut sh), &["p-kettu"]);
    assert_eq!(
        value(&mut s.hub, "p-kettu", "note").as_deref(),
        Some("Vesi jäätyy")
    );
    assert!(pushed.finished, "in step again: {:?}", pushed.effects);
    assert!(pushed.frames <= 6, "{} frames", pushed.frames);
    assert!(
        pushed.bytes.0 < 2_000,
        "{} bytes for one change",
        pushed.bytes.0
    );

    // The hub was told of the change by the session that brought it: it has nothing to add.
    let back = sh.local_changes(&["p-kettu".into()], false, &mut s.hub.replica);
    assert_eq!(sends(&back), 0, "{back:?}");
}

#[test]
fn a_document_made_and_a_photo_taken_during_a_session_reach_the_peer() {
    let mut s = school();
    let (mut sk, mut sh) = in_step(&mut s.kettu, &mut s.hub);
    new_project(&mut s.kettu, "p-new", &s.kettu_group.clone(), "Uusi");
    let photo = s.kettu.replica.add_blob(vec![7u8; 200_000]);
    let pushed = push(&mut s.kettu, &mut s.hub, (&mut sk, &mut sh), &["p-new"]);
    assert!(pushed.finished, "{:?}", pushed.effects);
    assert!(
        s.hub.replica.document("p-new").unwrap().is_some(),
        "announced and sent"
    );
    assert_eq!(
        s.hub.replica.blob_size(&photo).unwrap(),
        Some(200_000),
        "offered and fetched"
    );
}

#[test]
fn a_change_brought_by_one_session_is_pushed_on_by_the_others() {
    let mut s = school();
    new_project(&mut s.kettu, "p-kettu", &s.kettu_group.clone(), "Jää");
    let (mut sk, mut shk) = in_step(&mut s.kettu, &mut s.hub);
    let (mut shs, mut ss) = in_step(&mut s.hub, &mut s.saukot);
    assert_eq!(value(&mut s.saukot, "p-kettu", "note"), None);

    edit(&mut s.kettu, "p-kettu", "note", "Lumi");
    push(&mut s.kettu, &mut s.hub, (&mut sk, &mut shk), &["p-kettu"]);
    // The hub's store says the project changed: its session with Saukot's tablet pushes it.
    let on = push(&mut s.hub, &mut s.saukot, (&mut shs, &mut ss), &["p-kettu"]);
    assert!(on.finished, "{:?}", on.effects);
    assert_eq!(
        value(&mut s.saukot, "p-kettu", "note").as_deref(),
        Some("Lumi")
    );
}

/// A memory replica's revocation list: its number, then the removed devices.
fn revocation_list(number: u64, removed: &str) -> Vec<u8> {
    let mut der = number.to_be_bytes().to_vec();
    der.extend_from_slice(removed.as_bytes());
    der
}

#[test]
fn a_newer_revocation_list_goes_to_live_peers_and_ends_the_removed_devices_session() {
    let mut s = school();
    let (mut sk, mut sh) = in_step(&mut s.kettu, &mut s.hub);
    let (mut shs, mut ss) = in_step(&mut s.hub, &mut s.saukot);
    // The teacher removed Saukot's tablet; the hub has just taken the list.
    s.hub.replica.revocations = Some(revocation_list(1, "saukot-tab"));
    let notice = [hugme_sync::session::REVOCATIONS_CHANGED];
    let ended = shs.local_changes(&[notice[0].into()], false, &mut s.hub.replica);
    assert!(
        ended.iter().any(|e| matches!(e, Effect::Close { .. })),
        "the removed tablet's session ends at once: {ended:?}"
    );
    let told = push(&mut s.hub, &mut s.kettu, (&mut sh, &mut sk), &notice);
    assert!(
        told.effects
            .iter()
            .any(|(_, e)| matches!(e, Effect::RevocationsChanged)),
        "Kettu's tablet took the list: {:?}",
        told.effects
    );
    assert!(s.kettu.replica.is_revoked("saukot-tab").unwrap());
    // Told once: the next notice sends no list again (at most the Done it owed).
    let again = sh.local_changes(&[notice[0].into()], false, &mut s.hub.replica);
    let lists = again.iter().filter(|e| match e {
        Effect::Send(body) => {
            matches!(
                hugme_sync::Message::decode(body),
                Ok(hugme_sync::Message::Revocations { .. })
            )
        }
        _ => false,
    });
    assert_eq!(lists.count(), 0, "{again:?}");
    drop(ss.local_changes(&[], false, &mut s.saukot.replica));
}

#[test]
fn a_one_off_peer_is_told_only_of_what_was_there_when_it_began() {
    let mut s = school();
    new_project(&mut s.kettu, "p-kettu", &s.kettu_group.clone(), "Jää");
    // The hub serves live; Kettu's tablet syncs once (`hugme sync`).
    let sk = Session::new(&s.kettu.id, CLASS, &s.hub.id);
    let sh = Session::new(&s.hub.id, CLASS, &s.kettu.id).with_live(true);
    let (outcome, _sk, mut sh) = connect_sessions(&mut s.kettu, &mut s.hub, sk, sh, None);
    assert!(outcome.finished);
    edit(&mut s.hub, "p-kettu", "note", "myöhemmin");
    let said = sh.local_changes(&["p-kettu".into()], false, &mut s.hub.replica);
    assert_eq!(sends(&said), 0, "{said:?}");
}

#[test]
fn a_live_session_begun_without_media_fetches_it_once_media_is_on_again() {
    let mut s = school();
    new_project(&mut s.kettu, "p-kettu", &s.kettu_group.clone(), "Jää");
    let photo = s.kettu.replica.add_blob(vec![9u8; 300_000]);
    // The hub's media is paused (or its disk nearly full) when the session begins.
    let sk = Session::new(&s.kettu.id, CLASS, &s.hub.id).with_live(true);
    let sh = Session::new(&s.hub.id, CLASS, &s.kettu.id)
        .with_live(true)
        .with_media(false);
    let (outcome, mut sk, mut sh) = connect_sessions(&mut s.kettu, &mut s.hub, sk, sh, None);
    assert!(
        outcome.finished,
        "text in step without media: {:?}",
        outcome.effects
    );
    assert!(s.hub.replica.document("p-kettu").unwrap().is_some());
    assert_eq!(s.hub.replica.blob_size(&photo).unwrap(), None, "no media");
    assert!(!sh.is_fetching_media(), "nothing counts as on its way");

    // Media on again: the same session asks for what was offered while it was off.
    let asked = sh.resume_media(&mut s.hub.replica);
    assert!(sends(&asked) >= 1, "{asked:?}");
    let out = carry(&mut s.kettu, &mut s.hub, (&mut sk, &mut sh), asked);
    assert!(!sk.is_closed() && !sh.is_closed(), "{:?}", out.effects);
    assert_eq!(s.hub.replica.blob_size(&photo).unwrap(), Some(300_000));
    assert!(sh.is_finished() && sk.is_finished(), "in step again");
    // Said twice, it asks for nothing more.
    assert_eq!(sends(&sh.resume_media(&mut s.hub.replica)), 0);
}

#[test]
fn a_blob_offered_again_while_media_is_off_is_wanted_and_paid_for_once() {
    let mut s = school();
    let photo = s.kettu.replica.add_blob(vec![3u8; 400_000]);
    let budget = std::sync::Arc::new(hugme_sync::MediaBudget::new(10_000_000));
    let sk = Session::new(&s.kettu.id, CLASS, &s.hub.id).with_live(true);
    let sh = Session::new(&s.hub.id, CLASS, &s.kettu.id)
        .with_live(true)
        .with_media(false)
        .with_media_budget(budget.clone());
    let (outcome, mut sk, mut sh) = connect_sessions(&mut s.kettu, &mut s.hub, sk, sh, None);
    assert!(outcome.finished, "{:?}", outcome.effects);
    // A pupil's tools offer the same blob over and over while the hub's media is off.
    for _ in 0..3 {
        let have = hugme_sync::Message::Have {
            blobs: vec![(photo.clone(), 400_000)],
        };
        let said = sh.receive(&have.encode(), &mut s.hub.replica);
        assert_eq!(
            sends(&said),
            0,
            "nothing asked while media is off: {said:?}"
        );
    }
    let asked = sh.resume_media(&mut s.hub.replica);
    assert_eq!(
        budget.left(),
        10_000_000 - 400_000,
        "the blob's bytes taken from the budget once"
    );
    carry(&mut s.kettu, &mut s.hub, (&mut sk, &mut sh), asked);
    assert_eq!(s.hub.replica.blob_size(&photo).unwrap(), Some(400_000));
    assert!(!sh.is_fetching_media(), "nothing more on its way");
    drop(sh);
    assert_eq!(
        budget.left(),
        10_000_000 - 400_000,
        "kept, and nothing given back twice"
    );
}
