//! A class's devices syncing through the hub: convergence, the write policy, blobs, bad frames.

use hugme_model::{DeviceRole, DocumentKind};
use hugme_sync::{Effect, Replica};

use crate::*;

#[test]
fn tablets_that_never_meet_converge_through_the_hub() {
    let mut s = school();
    new_project(
        &mut s.kettu,
        "p-kettu",
        &s.kettu_group,
        "Miksi lumi narisee?",
    );
    new_project(
        &mut s.saukot,
        "p-saukot",
        &s.saukot_group,
        "Where do otters sleep?",
    );
    edit(&mut s.kettu, "p-kettu", "note", "kuunneltiin lunta");
    edit(&mut s.saukot, "p-saukot", "note", "river walk");

    let first = connect(&mut s.kettu, &mut s.hub, None);
    assert!(first.finished, "{:?}", first.effects);
    connect(&mut s.saukot, &mut s.hub, None);
    connect(&mut s.kettu, &mut s.hub, None);
    connect(&mut s.teacher, &mut s.hub, None);

    let hub = s.hub.replica.heads();
    assert_eq!(hub.len(), 3, "class and two projects");
    assert_eq!(s.kettu.replica.heads(), hub);
    assert_eq!(s.saukot.replica.heads(), hub);
    assert_eq!(s.teacher.replica.heads(), hub);
    assert_eq!(
        value(&mut s.saukot, "p-kettu", "note").as_deref(),
        Some("kuunneltiin lunta")
    );
    assert_eq!(
        value(&mut s.kettu, "p-saukot", "note").as_deref(),
        Some("river walk")
    );
}

#[test]
fn a_reconnect_with_nothing_new_sends_only_a_little() {
    let mut s = school();
    for i in 0..30 {
        let id = format!("p{i}");
        new_project(&mut s.kettu, &id, &s.kettu_group, "aihe");
        for k in 0..20 {
            edit(&mut s.kettu, &id, &format!("k{k}"), "arvo");
        }
    }
    connect(&mut s.kettu, &mut s.hub, None);
    let again = connect(&mut s.kettu, &mut s.hub, None);
    assert!(again.finished);
    let per_document = (again.bytes.0 + again.bytes.1) / 31;
    assert!(per_document < 1024, "{per_document} bytes per document");
    assert_eq!(s.hub.replica.heads(), s.kettu.replica.heads());
}

#[test]
fn a_tablet_cannot_write_the_class_another_groups_project_or_a_review() {
    let mut s = school();
    new_project(&mut s.saukot, "p-saukot", &s.saukot_group, "Otters");
    connect(&mut s.saukot, &mut s.hub, None);
    connect(&mut s.kettu, &mut s.hub, None);
    let class_before = s.hub.replica.document(CLASS).unwrap().unwrap().get_heads();
    let otters_before = s
        .hub
        .replica
        .document("p-saukot")
        .unwrap()
        .unwrap()
        .get_heads();

    // Kettu's tablet makes itself a teacher, scribbles on the Otters' project and forges a review.
    edit(&mut s.kettu, CLASS, "name", "Kettu rules");
    edit(&mut s.kettu, "p-saukot", "title", "hacked");
    new_project(&mut s.kettu, "review-p-saukot", &s.kettu_group, "approved!");
    s.kettu.replica.docs.get_mut("review-p-saukot").unwrap().0 = DocumentKind::Review;

    let outcome = connect(&mut s.kettu, &mut s.hub, None);
    let by_hub = outcome
        .effects
        .iter()
        .filter(|(who, e)| who == "hub" && matches!(e, Effect::Refused { .. }));
    assert_eq!(by_hub.count(), 3, "{:?}", outcome.effects);
    assert!(
        outcome.finished,
        "the rest of the session still ends in agreement"
    );
    assert_eq!(
        s.hub.replica.document(CLASS).unwrap().unwrap().get_heads(),
        class_before
    );
    assert_eq!(
        s.hub
            .replica
            .document("p-saukot")
            .unwrap()
            .unwrap()
            .get_heads(),
        otters_before
    );
    assert!(s.hub.replica.document("review-p-saukot").unwrap().is_none());
    // And so nothing of it reaches the Otters either.
    connect(&mut s.saukot, &mut s.hub, None);
    assert_eq!(value(&mut s.saukot, "p-saukot", "title"), None);
}

#[test]
fn a_teacher_may_write_everything_and_the_hub_passes_it_on() {
    let mut s = school();
    new_project(&mut s.kettu, "p-kettu", &s.kettu_group, "Lumi");
    connect(&mut s.kettu, &mut s.hub, None);
    connect(&mut s.teacher, &mut s.hub, None);
    edit(&mut s.teacher, "p-kettu", "feedback", "Hyvä alku!");
    edit(&mut s.teacher, CLASS, "motto", "Yhdessä");
    let outcome = connect(&mut s.teacher, &mut s.hub, None);
    assert!(outcome.refused().is_empty(), "{:?}", outcome.effects);
    connect(&mut s.kettu, &mut s.hub, None);
    assert_eq!(
        value(&mut s.kettu, "p-kettu", "feedback").as_deref(),
        Some("Hyvä alku!")
    );
    assert_eq!(
        value(&mut s.kettu, CLASS, "motto").as_deref(),
        Some("Yhdessä")
    );
}

#[test]
fn a_newly_enrolled_tablets_work_waits_for_the_roster_then_goes_through() {
    let mut s = school();
    // The teacher enrols a third tablet; the hub has not heard of it yet.
    let mut class: hugme_model::Class = {
        let doc = s.teacher.replica.document(CLASS).unwrap().unwrap();
        hugme_model::read(doc).unwrap().value
    };
    let ilves = class.add_group("Ilves");
    class
        .devices
        .push(device("ilves-tab", DeviceRole::GroupTablet, &[&ilves]));
    {
        let doc = s.teacher.replica.document(CLASS).unwrap().unwrap();
        doc.set_actor(hugme_sync::policy::actor_for("ope"));
        hugme_model::write(doc, &class).unwrap();
        doc.commit();
    }
    let mut ilves_tab = joined(&s.ca, &mut s.teacher, "ilves-tab", "group-tablet");
    new_project(&mut ilves_tab, "p-ilves", &ilves, "Ilvekset");

    let outcome = connect(&mut ilves_tab, &mut s.hub, None);
    assert!(outcome.finished, "{:?}", outcome.effects);
    assert_eq!(
        s.hub.replica.heads(),
        ilves_tab.replica.heads(),
        "the project went through"
    );
}

#[test]
fn a_blob_cut_off_half_way_resumes_without_resending_what_arrived() {
    let mut s = school();
    let video: Vec<u8> = (0..50u32 << 20)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let hash = s.kettu.replica.add_blob(video.clone());

    // About half of the chunks arrive, then the connection breaks.
    let cut = connect(&mut s.kettu, &mut s.hub, Some(400)); // some 25 MiB of 64 KiB chunks
    let kept = s.hub.replica.partial_blob_len(&hash).unwrap();
    assert!(kept > 10 << 20 && kept < 40 << 20, "{kept} bytes kept");
    assert!(
        s.hub.replica.blobs().unwrap().is_empty(),
        "nothing half-visible"
    );
    assert!(!cut.finished);

    let resumed = connect(&mut s.kettu, &mut s.hub, None);
    assert!(resumed.finished, "{:?}", resumed.effects);
    assert_eq!(s.hub.replica.blobs.get(&hash), Some(&video));
    let sent_again = resumed.bytes.0 as u64;
    assert!(
        sent_again < (50 << 20) - kept + (1 << 20),
        "{sent_again} bytes sent again, {kept} had arrived"
    );
}

#[test]
fn a_blob_that_does_not_match_its_hash_is_dropped() {
    let mut s = school();
    let hash = s.kettu.replica.add_blob(b"the real photo".to_vec());
    s.kettu
        .replica
        .blobs
        .insert(hash.clone(), b"something else".to_vec());
    let outcome = connect(&mut s.kettu, &mut s.hub, None);
    assert_eq!(outcome.refused().len(), 1, "{:?}", outcome.effects);
    assert!(s.hub.replica.blobs.is_empty());
    assert!(s.hub.replica.partial.is_empty());
}

#[test]
fn a_malformed_or_out_of_place_frame_closes_only_that_session_with_a_reason() {
    let mut s = school();
    let mut session = hugme_sync::Session::new("hub", CLASS, "kettu-tab");
    session.start(&mut s.hub.replica);
    let effects = session.receive(&[0xEE, 1, 2, 3], &mut s.hub.replica);
    let reason = effects.iter().find_map(|e| match e {
        Effect::Close { reason } => Some(reason.clone()),
        _ => None,
    });
    assert!(
        reason
            .as_deref()
            .is_some_and(|r| r.contains("malformed frame")),
        "{effects:?}"
    );
    assert!(session.is_closed());

    // Documents before hello: refused, and nothing announced back.
    let mut session = hugme_sync::Session::new("hub", CLASS, "kettu-tab");
    session.start(&mut s.hub.replica);
    let body = hugme_sync::Message::Documents { list: vec![] }.encode();
    let effects = session.receive(&body, &mut s.hub.replica);
    assert!(session.is_closed(), "{effects:?}");

    // The hub still serves everyone else.
    let outcome = connect(&mut s.kettu, &mut s.hub, None);
    assert!(outcome.finished);
}

#[test]
fn a_revoked_tablet_is_refused_once_the_revocation_reaches_the_peer() {
    let mut s = school();
    let mut list = 1u64.to_be_bytes().to_vec();
    list.extend(b"kettu-tab");
    s.teacher.replica.offer_revocations(&list).unwrap();
    connect(&mut s.teacher, &mut s.hub, None);
    assert!(
        s.hub.replica.is_revoked("kettu-tab").unwrap(),
        "the list travelled"
    );
    let outcome = connect(&mut s.kettu, &mut s.hub, None);
    assert!(
        outcome
            .closed()
            .iter()
            .any(|r| r.contains("removed from the class")),
        "{:?}",
        outcome.effects
    );
    assert!(s.kettu.replica.docs.len() == 1, "it learnt of no project");
}

#[test]
fn a_session_whose_only_news_is_refused_still_ends() {
    let mut s = school();
    edit(&mut s.kettu, CLASS, "name", "Kettu rules");
    let outcome = connect(&mut s.kettu, &mut s.hub, None);
    assert!(outcome.finished, "{:?}", outcome.effects);
}

#[test]
fn each_side_learns_how_far_the_others_clock_is() {
    let mut s = school();
    // The tablet's clock is 90 s behind the hub's.
    let mut hub = hugme_sync::Session::new("hub", CLASS, "kettu-tab").with_clock(1_000_090_000);
    let mut tablet = hugme_sync::Session::new("kettu-tab", CLASS, "hub").with_clock(1_000_000_000);
    let hello = |effects: Vec<Effect>| match effects.into_iter().next() {
        Some(Effect::Send(body)) => body,
        other => panic!("a hello first, not {other:?}"),
    };
    let from_hub = hello(hub.start(&mut s.hub.replica));
    let from_tablet = hello(tablet.start(&mut s.kettu.replica));
    assert_eq!(hub.peer_clock_offset(), None, "nothing heard yet");
    hub.receive(&from_tablet, &mut s.hub.replica);
    tablet.receive(&from_hub, &mut s.kettu.replica);
    assert_eq!(hub.peer_clock_offset(), Some(-90_000));
    assert_eq!(tablet.peer_clock_offset(), Some(90_000));

    // A side that does not say its clock: nobody guesses.
    let mut quiet = hugme_sync::Session::new("kettu-tab", CLASS, "hub");
    let mut hub = hugme_sync::Session::new("hub", CLASS, "kettu-tab").with_clock(1_000_090_000);
    let from_quiet = hello(quiet.start(&mut s.kettu.replica));
    let from_hub = hello(hub.start(&mut s.hub.replica));
    hub.receive(&from_quiet, &mut s.hub.replica);
    quiet.receive(&from_hub, &mut s.kettu.replica);
    assert_eq!(hub.peer_clock_offset(), None);
    assert_eq!(quiet.peer_clock_offset(), None);
}

#[test]
fn media_progress_is_counted_and_media_can_be_left_for_later() {
    let mut s = school();
    let photo = vec![7u8; 3 * (1 << 20) + 123];
    let hash = s.hub.replica.add_blob(photo.clone());

    // Media paused on the tablet: documents sync, the photo stays where it is.
    let tablet = hugme_sync::Session::new("kettu-tab", CLASS, "hub").with_media(false);
    let hub = hugme_sync::Session::new("hub", CLASS, "kettu-tab");
    let (_, tablet, _) = connect_sessions(&mut s.kettu, &mut s.hub, tablet, hub, None);
    assert!(s.kettu.replica.blobs.is_empty());
    assert_eq!(tablet.media_progress(), (0, 0));

    // Next time it fetches, and counts every byte.
    let tablet = hugme_sync::Session::new("kettu-tab", CLASS, "hub");
    let hub = hugme_sync::Session::new("hub", CLASS, "kettu-tab");
    let (outcome, tablet, _) = connect_sessions(&mut s.kettu, &mut s.hub, tablet, hub, None);
    assert!(outcome.finished);
    assert_eq!(s.kettu.replica.blobs.get(&hash), Some(&photo));
    let size = photo.len() as u64;
    assert_eq!(tablet.media_progress(), (size, size));
    assert!(!tablet.is_fetching_media());
}

#[test]
fn a_session_gone_quiet_while_documents_disagree_starts_them_again_when_idle() {
    // The pupils type while a session runs, after each number of frames in turn; the session
    // is not told. Some of those moments leave it quiet with the hub behind: idle must mend
    // every one of them.
    type Wire = std::collections::VecDeque<(bool, Vec<u8>)>;
    fn sends(effects: Vec<Effect>, to_b: bool, wire: &mut Wire) {
        for e in effects {
            if let Effect::Send(body) = e {
                wire.push_back((to_b, body));
            }
        }
    }
    fn deliver(
        sa: &mut hugme_sync::Session,
        sb: &mut hugme_sync::Session,
        s: &mut School,
        wire: &mut Wire,
        edit_after: Option<usize>,
    ) {
        let mut delivered = 0;
        while let Some((to_b, body)) = wire.pop_front() {
            delivered += 1;
            if to_b {
                sends(sb.receive(&body, &mut s.hub.replica), false, wire);
            } else {
                sends(sa.receive(&body, &mut s.kettu.replica), true, wire);
            }
            if edit_after == Some(delivered) {
                edit(&mut s.kettu, "p-kettu", "typed", "mid-session");
            }
        }
    }
    let heads = |p: &mut Peer| {
        p.replica
            .document("p-kettu")
            .unwrap()
            .map(|d| d.get_heads())
    };
    let mut stalled = 0;
    for k in 1..30 {
        let mut s = school();
        let group = s.kettu_group.clone();
        new_project(&mut s.kettu, "p-kettu", &group, "Lumi");
        let mut sa = hugme_sync::Session::new("kettu-tab", CLASS, "hub");
        let mut sb = hugme_sync::Session::new("hub", CLASS, "kettu-tab");
        let mut wire = Wire::new();
        sends(sa.start(&mut s.kettu.replica), true, &mut wire);
        sends(sb.start(&mut s.hub.replica), false, &mut wire);
        deliver(&mut sa, &mut sb, &mut s, &mut wire, Some(k));
        if sa.is_finished() && sb.is_finished() && heads(&mut s.kettu) != heads(&mut s.hub) {
            // Typed after the session ended: the next session carries it.
            break;
        }
        if heads(&mut s.kettu) != heads(&mut s.hub) {
            stalled += 1;
            // A moment of silence: each side looks again.
            sends(sa.idle(&mut s.kettu.replica), true, &mut wire);
            sends(sb.idle(&mut s.hub.replica), false, &mut wire);
            deliver(&mut sa, &mut sb, &mut s, &mut wire, None);
        }
        assert_eq!(
            heads(&mut s.kettu),
            heads(&mut s.hub),
            "edit after frame {k}"
        );
        assert!(sa.is_finished() && sb.is_finished(), "edit after frame {k}");
        // Once in step, idle says nothing.
        assert!(sa.idle(&mut s.kettu.replica).is_empty());
    }
    assert!(stalled > 0, "no moment left the session quiet out of step");
}

/// The quota is one budget for every session of a device: blobs over it wait (text syncs),
/// and what a cut-off session reserved and did not receive goes back.
#[test]
fn media_beyond_the_devices_budget_waits_and_a_cut_off_session_gives_back_what_did_not_come() {
    use std::sync::Arc;
    let mut s = school();
    // Three chunks each (a chunk is 1 MiB), so that a transfer can be cut off inside one.
    let size = 3u64 << 20;
    for i in 0..3u8 {
        s.kettu.replica.add_blob(vec![i; size as usize]);
    }
    new_project(&mut s.kettu, "p-kettu", &s.kettu_group, "Lumi");
    let budget = Arc::new(hugme_sync::MediaBudget::new(2 * size + size / 2));
    let session = |me: &Peer, peer: &Peer| hugme_sync::Session::new(&me.id, CLASS, &peer.id);
    let hub_side = session(&s.hub, &s.kettu).with_media_budget(budget.clone());
    let kettu_side = session(&s.kettu, &s.hub);
    let (outcome, hub_side, _) =
        connect_sessions(&mut s.hub, &mut s.kettu, hub_side, kettu_side, None);
    assert_eq!(hub_side.stats.blobs_received, 2, "{:?}", outcome.effects);
    assert_eq!(hub_side.stats.over_quota, 1);
    assert!(
        s.hub.replica.document("p-kettu").unwrap().is_some(),
        "text syncs all the same"
    );
    drop(hub_side);
    assert_eq!(budget.left(), size / 2);

    // Room again (say media was deleted): the third comes, but the session is cut off
    // half-way through it (the first cut that falls inside it).
    budget.give_back(size);
    let third = (0..3u8)
        .map(|i| blake3::hash(&vec![i; size as usize]).to_hex().to_string())
        .find(|h| s.hub.replica.blob_size(h).unwrap().is_none())
        .expect("the blob that waited");
    let mut arrived = 0;
    for cut in 1..200 {
        let hub_side = session(&s.hub, &s.kettu).with_media_budget(budget.clone());
        let kettu_side = session(&s.kettu, &s.hub);
        let (_, hub_side, _) =
            connect_sessions(&mut s.hub, &mut s.kettu, hub_side, kettu_side, Some(cut));
        arrived = s.hub.replica.partial_blob_len(&third).unwrap();
        drop(hub_side);
        assert!(
            s.hub.replica.blob_size(&third).unwrap().is_none(),
            "cut {cut} came too late"
        );
        if arrived > 0 {
            break;
        }
        assert_eq!(budget.left(), size / 2 + size, "nothing taken for good");
    }
    assert!(arrived > 0 && arrived < size, "cut off half-way: {arrived}");
    assert_eq!(
        budget.left(),
        size / 2 + size - arrived,
        "what did not come is given back"
    );
}
