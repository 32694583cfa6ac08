//! The read policy: a group's protected pupils' names (its identities document) reach the
//! teacher's devices, hubs and that group's tablets, and no other tablet, whichever way round.

use automerge::AutoCommit;
use hugme_model::document::history_text;
use hugme_model::{DocumentKind, GroupId, Identities, MemberId};
use hugme_sync::policy::actor_for;
use hugme_sync::{Effect, Replica};

use crate::*;

/// The teacher writes a group's protected names, as the app's class editor does.
fn protect(teacher: &mut Peer, group: &GroupId, name: &str) -> String {
    let mut list = Identities::new(&CLASS.into(), group);
    list.set(&MemberId::random(), name);
    let mut doc = AutoCommit::new().with_actor(actor_for(&teacher.id));
    hugme_model::write(&mut doc, &list).unwrap();
    doc.commit();
    let id = Identities::document_id(group);
    teacher
        .replica
        .insert_document(&id, DocumentKind::Identities, doc, &[])
        .unwrap();
    id
}

/// Everything a device's copies of all its documents ever said.
fn everything_held(peer: &mut Peer) -> String {
    let ids: Vec<String> = peer
        .replica
        .documents()
        .unwrap()
        .into_iter()
        .map(|d| d.id)
        .collect();
    ids.iter()
        .map(|id| history_text(peer.replica.document(id).unwrap().unwrap()))
        .collect()
}

fn holds(peer: &mut Peer, id: &str) -> bool {
    peer.replica.document(id).unwrap().is_some()
}

#[test]
fn another_groups_protected_names_reach_no_tablet_from_the_teacher_or_through_the_hub() {
    let mut s = school();
    let kettu_names = protect(&mut s.teacher, &s.kettu_group, "Salainen");
    let saukot_names = protect(&mut s.teacher, &s.saukot_group, "Piilonen");
    for (a, b) in [("teacher", "hub"), ("hub", "kettu"), ("hub", "saukot")] {
        let outcome = match (a, b) {
            ("teacher", "hub") => connect(&mut s.teacher, &mut s.hub, None),
            ("hub", "kettu") => connect(&mut s.hub, &mut s.kettu, None),
            _ => connect(&mut s.hub, &mut s.saukot, None),
        };
        assert!(outcome.finished, "{a}-{b}: {:?}", outcome.effects);
        assert!(outcome.refused().is_empty(), "{:?}", outcome.refused());
    }
    for outcome in [
        connect(&mut s.teacher, &mut s.kettu, None),
        connect(&mut s.saukot, &mut s.teacher, None),
        connect(&mut s.kettu, &mut s.saukot, None),
    ] {
        assert!(outcome.finished, "{:?}", outcome.effects);
        assert!(outcome.refused().is_empty(), "{:?}", outcome.refused());
    }
    // The hub passes both on; each tablet has its own group's names only.
    assert!(holds(&mut s.hub, &kettu_names) && holds(&mut s.hub, &saukot_names));
    assert!(holds(&mut s.kettu, &kettu_names) && !holds(&mut s.kettu, &saukot_names));
    assert!(holds(&mut s.saukot, &saukot_names) && !holds(&mut s.saukot, &kettu_names));
    let kettu = everything_held(&mut s.kettu);
    assert!(kettu.contains("Salainen") && !kettu.contains("Piilonen"));
    let saukot = everything_held(&mut s.saukot);
    assert!(saukot.contains("Piilonen") && !saukot.contains("Salainen"));
    // The documents every device holds agree all the same.
    assert_eq!(
        s.teacher.replica.heads().get(CLASS),
        s.saukot.replica.heads().get(CLASS)
    );
}

#[test]
fn a_tablet_that_asks_for_another_groups_names_is_sent_nothing_of_them() {
    let mut s = school();
    let saukot_names = protect(&mut s.teacher, &s.saukot_group, "Piilonen");
    connect(&mut s.teacher, &mut s.hub, None);
    // A pupil with tools edits the Kettu tablet's own copy of the roster: the tablet now
    // believes it serves the Saukot too, so its session announces and asks for their names.
    {
        let doc = s.kettu.replica.document(CLASS).unwrap().unwrap();
        let mut class = hugme_model::read::<hugme_model::Class>(doc).unwrap().value;
        let entry = class
            .devices
            .iter_mut()
            .find(|d| d.id.as_str() == "kettu-tab")
            .unwrap();
        entry.groups.push(s.saukot_group.clone());
        doc.set_actor(actor_for("kettu-tab"));
        hugme_model::write(doc, &class).unwrap();
        doc.commit();
    }
    // …and makes it hold a document of that id, so that its session announces it and asks.
    let mut bait = AutoCommit::new().with_actor(actor_for("kettu-tab"));
    automerge::transaction::Transactable::put(&mut bait, automerge::ROOT, "schema", 1u64).unwrap();
    bait.commit();
    s.kettu
        .replica
        .insert_document(&saukot_names, DocumentKind::Identities, bait, &[])
        .unwrap();
    for peer in [&mut s.hub, &mut s.teacher] {
        let outcome = connect(&mut s.kettu, peer, None);
        let refused = outcome.refused();
        assert!(
            !refused.is_empty()
                && refused
                    .iter()
                    .all(|r| matches!(r, Effect::Refused { what, .. }
                        if what.contains(CLASS) || what.contains(&saukot_names))),
            "its own changes are refused, and nothing else happens: {:?}",
            outcome.effects
        );
    }
    assert!(
        !everything_held(&mut s.kettu).contains("Piilonen"),
        "another group's protected name reached the tablet"
    );
}

#[test]
fn a_tablet_given_a_second_group_gets_its_names_in_the_same_session() {
    let mut s = school();
    let saukot_names = protect(&mut s.teacher, &s.saukot_group, "Piilonen");
    // The teacher makes the Kettu tablet serve the Saukot too; the tablet's roster is older.
    {
        let doc = s.teacher.replica.document(CLASS).unwrap().unwrap();
        let mut class = hugme_model::read::<hugme_model::Class>(doc).unwrap().value;
        let tablet = class
            .devices
            .iter_mut()
            .find(|d| d.id.as_str() == "kettu-tab")
            .unwrap();
        tablet.groups.push(s.saukot_group.clone());
        doc.set_actor(actor_for("ope"));
        hugme_model::write(doc, &class).unwrap();
        doc.commit();
    }
    let outcome = connect(&mut s.teacher, &mut s.kettu, None);
    assert!(outcome.finished, "{:?}", outcome.effects);
    assert!(
        holds(&mut s.kettu, &saukot_names),
        "asked for once the roster said so"
    );
    assert!(everything_held(&mut s.kettu).contains("Piilonen"));
}

/// What a hub says to a tablet that speaks the protocol by hand: Hello; the documents it
/// announces; then `between` runs (the hub's replica may change, as by another session); then
/// it asks for everything of `asked`, twice, and the session idles. Returns the frames the hub
/// sent.
fn asked_by_hand(
    hub: &mut Peer,
    announced: Vec<(String, DocumentKind)>,
    asked: &str,
    between: impl FnOnce(&mut Peer),
) -> Vec<hugme_sync::Message> {
    use automerge::sync::SyncDoc;
    use hugme_sync::frame::PROTOCOL_VERSION;
    use hugme_sync::{Message, Session};
    let mut session = Session::new("hub", CLASS, "kettu-tab");
    let mut said = session.start(&mut hub.replica);
    let hello = Message::Hello {
        version: PROTOCOL_VERSION,
        device: "kettu-tab".into(),
        class: CLASS.into(),
        revocations: 0,
        clock: 0,
        free: 0,
        live: false,
    };
    said.extend(session.receive(&hello.encode(), &mut hub.replica));
    let list = Message::Documents { list: announced };
    said.extend(session.receive(&list.encode(), &mut hub.replica));
    between(hub);
    let request = AutoCommit::new()
        .sync()
        .generate_sync_message(&mut automerge::sync::State::new())
        .expect("a first message")
        .encode();
    let ask = Message::Sync {
        document: asked.to_owned(),
        message: request,
        signatures: Vec::new(),
    };
    for frame in [ask.clone(), Message::Done, ask] {
        said.extend(session.receive(&frame.encode(), &mut hub.replica));
    }
    for _ in 0..5 {
        said.extend(session.idle(&mut hub.replica));
    }
    said.iter()
        .filter_map(|e| match e {
            Effect::Send(body) => Some(Message::decode(body).unwrap()),
            _ => None,
        })
        .collect()
}

/// Whether the hub said anything of document `id`.
fn spoke_of(frames: &[hugme_sync::Message], id: &str) -> bool {
    use hugme_sync::Message;
    frames.iter().any(|m| match m {
        Message::Sync { document, .. } => document == id,
        Message::Documents { list } => list.iter().any(|(d, _)| d == id),
        _ => false,
    })
}

/// A tablet announces another group's identities document as a project and asks for all
/// of it; the names reach the hub (from the teacher) while the session runs.
#[test]
fn another_groups_names_asked_for_under_another_kind_are_never_sent() {
    let mut s = school();
    let saukot_names = Identities::document_id(&s.saukot_group);
    let mut teacher = std::mem::replace(&mut s.teacher, enrolled(&s.ca, "spare", "teacher"));
    let frames = asked_by_hand(
        &mut s.hub,
        vec![(saukot_names.clone(), DocumentKind::Project)],
        &saukot_names,
        |hub| {
            protect(&mut teacher, &s.saukot_group, "Piilonen");
            connect(&mut teacher, hub, None);
            assert!(holds(hub, &saukot_names));
        },
    );
    assert!(
        !spoke_of(&frames, &saukot_names),
        "the hub spoke of the Saukot names"
    );
}

/// A tablet serving two classes holds the other class's documents; a peer of this class that
/// names one of their ids is told nothing of it.
#[test]
fn a_document_of_another_class_on_the_same_device_is_never_spoken_of() {
    let mut s = school();
    let mut other = AutoCommit::new().with_actor(actor_for("ope"));
    automerge::transaction::Transactable::put(&mut other, automerge::ROOT, "secret", "Piilonen")
        .unwrap();
    other.commit();
    s.hub
        .replica
        .insert_document("other-class-project", DocumentKind::Project, other, &[])
        .unwrap();
    s.hub.replica.unlist("other-class-project");
    let frames = asked_by_hand(
        &mut s.hub,
        vec![("other-class-project".into(), DocumentKind::Project)],
        "other-class-project",
        |_| {},
    );
    assert!(!spoke_of(&frames, "other-class-project"), "{frames:?}");
}
