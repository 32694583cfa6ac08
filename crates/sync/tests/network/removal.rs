//! What a pupil with a removed tablet's key, or with tools that speak the protocol, can still
//! try (an attack review of issue 16): changes signed with the key after the removal, a
//! signature naming a change Automerge holds back, and a held-back change that would break the
//! document once its dependency comes from an honest device.

use automerge::sync::{self, ChunkList, MessageVersion};
use automerge::transaction::Transactable;
use automerge::Change;
use hugme_model::{Class, DocumentKind, Written};
use hugme_sync::frame::{Message, PROTOCOL_VERSION};
use hugme_sync::{Effect, Replica, Session};

use crate::*;

/// Frames from `from` straight into a session of `to`: what a device with its own tools says.
fn inject(to: &mut Peer, from: &Peer, frames: Vec<Message>) -> Vec<Effect> {
    let mut session = Session::new(&to.id, CLASS, &from.id);
    let mut effects = session.start(&mut to.replica);
    let hello = Message::Hello {
        version: PROTOCOL_VERSION,
        device: from.id.clone(),
        class: CLASS.into(),
        revocations: 0,
        clock: 0,
        free: 0,
        live: false,
    };
    let certificate = from.replica.keyring.certificates[&from.id].clone();
    let frames = [hello, Message::Certificate { der: certificate }]
        .into_iter()
        .chain(frames);
    for frame in frames {
        effects.extend(session.receive(&frame.encode(), &mut to.replica));
    }
    effects
}

/// A sync message carrying exactly `changes`.
fn carrying(changes: &[Change]) -> Vec<u8> {
    sync::Message {
        heads: changes.iter().map(Change::hash).collect(),
        need: Vec::new(),
        have: Vec::new(),
        changes: ChunkList::from(
            changes
                .iter()
                .map(|c| c.raw_bytes().to_vec())
                .collect::<Vec<_>>(),
        ),
        flags: None,
        version: MessageVersion::V1,
    }
    .encode()
}

/// `peer`'s signature over its change `change` to `document`.
fn signed(peer: &Peer, document: &str, change: &Change) -> hugme_sync::authorship::Signature {
    peer.replica
        .key
        .sign(CLASS, document, change.hash().0, change.seq())
        .unwrap()
}

fn documents(id: &str) -> Message {
    Message::Documents {
        list: vec![(id.into(), DocumentKind::Project)],
    }
}

fn refusals(effects: &[Effect]) -> Vec<String> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Refused { why, .. } => Some(why.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_removed_tablets_work_stays_but_nothing_its_key_signs_after_is_taken() {
    let mut s = school();
    new_project(&mut s.kettu, "p-kettu", &s.kettu_group, "Lumi");
    edit(&mut s.kettu, "p-kettu", "a", "1");
    edit(&mut s.kettu, "p-kettu", "b", "2");
    connect(&mut s.kettu, &mut s.teacher, None);
    // The teacher removes Kettu's tablet (lost): the roster keeps its newest change.
    let newest = {
        let doc = s.teacher.replica.document("p-kettu").unwrap().unwrap();
        let mine = actor_for("kettu-tab");
        let meta = doc.get_changes_meta(&[]);
        let newest = meta
            .iter()
            .filter(|c| *c.actor == mine)
            .max_by_key(|c| c.seq)
            .unwrap();
        (newest.seq, newest.hash.to_string())
    };
    {
        let doc = s.teacher.replica.document(CLASS).unwrap().unwrap();
        let mut class: Class = hugme_model::read(doc).unwrap().value;
        let entry = class
            .devices
            .iter_mut()
            .find(|d| d.id.as_str() == "kettu-tab")
            .unwrap();
        entry.revoked = true;
        entry.written_before_removal = vec![Written {
            document: "p-kettu".into(),
            changes: newest.0,
            hash: newest.1.clone(),
        }];
        doc.set_actor(actor_for("ope"));
        hugme_model::write(doc, &class).unwrap();
        doc.commit();
    }
    // The key is in a pupil's hands: a change after the removal, and a fork of an old one
    // (number 2 again, on top of number 1).
    edit(&mut s.kettu, "p-kettu", "late", "after the removal");
    let fork = {
        let doc = s.kettu.replica.document("p-kettu").unwrap().unwrap();
        let first = doc
            .get_changes(&[])
            .into_iter()
            .find(|c| c.seq() == 1)
            .unwrap();
        let mut fork = doc
            .fork_at(&[first.hash()])
            .unwrap()
            .with_actor(actor_for("kettu-tab"));
        fork.put(automerge::ROOT, "fork", "forged past").unwrap();
        fork.commit();
        fork.get_last_local_change().unwrap()
    };
    // A new tablet gets the class and Kettu's work from the teacher's device...
    let mut ilves = joined(&s.ca, &mut s.teacher, "ilves-tab", "group-tablet");
    let outcome = connect(&mut ilves, &mut s.teacher, None);
    assert!(outcome.refused().is_empty(), "{:?}", outcome.effects);
    assert_eq!(
        value(&mut ilves, "p-kettu", "b").as_deref(),
        Some("2"),
        "the lost tablet's work stays"
    );
    // ...and the pupil with the key offers the late change and the fork, signed with it.
    let late = {
        let doc = s.kettu.replica.document("p-kettu").unwrap().unwrap();
        doc.get_last_local_change().unwrap()
    };
    for change in [late, fork] {
        let signature = signed(&s.kettu, "p-kettu", &change);
        let effects = inject(
            &mut ilves,
            &s.saukot,
            vec![
                documents("p-kettu"),
                Message::Sync {
                    document: "p-kettu".into(),
                    message: carrying(std::slice::from_ref(&change)),
                    signatures: vec![signature],
                },
            ],
        );
        let refused = refusals(&effects);
        assert!(
            refused
                .iter()
                .any(|why| why.contains("did not hold when it removed")),
            "{effects:?}"
        );
    }
    assert_eq!(value(&mut ilves, "p-kettu", "late"), None);
    assert_eq!(value(&mut ilves, "p-kettu", "fork"), None);
}

#[test]
fn a_signature_naming_a_change_held_back_is_not_kept_and_the_project_still_flows() {
    let mut s = school();
    new_project(&mut s.kettu, "p-kettu", &s.kettu_group, "Lumi");
    connect(&mut s.kettu, &mut s.hub, None);
    // Two more changes; the hub is sent only the second, signed: its dependency never comes.
    edit(&mut s.kettu, "p-kettu", "a", "1");
    edit(&mut s.kettu, "p-kettu", "b", "2");
    let (first, second) = {
        let doc = s.kettu.replica.document("p-kettu").unwrap().unwrap();
        let all = doc.get_changes(&[]);
        (all[all.len() - 2].clone(), all[all.len() - 1].clone())
    };
    let signature = signed(&s.kettu, "p-kettu", &second);
    inject(
        &mut s.hub,
        &s.kettu,
        vec![
            documents("p-kettu"),
            Message::Sync {
                document: "p-kettu".into(),
                message: carrying(std::slice::from_ref(&second)),
                signatures: vec![signature],
            },
        ],
    );
    let kept = s.hub.replica.keyring.signatures("p-kettu");
    assert!(
        kept.iter().all(|k| k.hash != second.hash().0),
        "a signature of a change still held back was kept: {kept:?}"
    );
    // A new tablet still gets the project from the hub, and the hub everything from Kettu.
    let mut ilves = joined(&s.ca, &mut s.teacher, "ilves-tab", "group-tablet");
    let outcome = connect(&mut ilves, &mut s.hub, None);
    assert!(
        outcome.finished && outcome.refused().is_empty(),
        "{:?}",
        outcome.effects
    );
    connect(&mut s.kettu, &mut s.hub, None);
    assert_eq!(value(&mut s.hub, "p-kettu", "b").as_deref(), Some("2"));
    let _ = first;
}

#[test]
fn a_held_back_change_that_breaks_the_project_is_dropped_not_blamed_on_the_honest_sender() {
    let mut s = school();
    new_project(&mut s.kettu, "p-kettu", &s.kettu_group, "Lumi");
    connect(&mut s.kettu, &mut s.hub, None);
    connect(&mut s.kettu, &mut s.teacher, None);
    // The teacher writes to the project; Kettu's tablet gets it, the hub not yet.
    edit(&mut s.teacher, "p-kettu", "teacher", "hyvä");
    connect(&mut s.kettu, &mut s.teacher, None);
    // On top of it, Kettu's tools move the project to the Otters, and send the hub only that.
    let poison = {
        let doc = s.kettu.replica.document("p-kettu").unwrap().unwrap();
        doc.set_actor(actor_for("kettu-tab"));
        doc.put(automerge::ROOT, "group_id", s.saukot_group.as_str())
            .unwrap();
        doc.commit();
        doc.get_last_local_change().unwrap()
    };
    let signature = signed(&s.kettu, "p-kettu", &poison);
    let effects = inject(
        &mut s.hub,
        &s.kettu,
        vec![
            documents("p-kettu"),
            Message::Sync {
                document: "p-kettu".into(),
                message: carrying(&[poison]),
                signatures: vec![signature],
            },
        ],
    );
    assert!(
        refusals(&effects).is_empty(),
        "held back, not applied: {effects:?}"
    );
    // The teacher's change reaches the hub: taken, and the project stays the Foxes'.
    let outcome = connect(&mut s.teacher, &mut s.hub, None);
    assert!(
        outcome.refused().is_empty(),
        "the honest sender is not refused: {:?}",
        outcome.effects
    );
    assert_eq!(
        value(&mut s.hub, "p-kettu", "teacher").as_deref(),
        Some("hyvä")
    );
    assert_eq!(
        value(&mut s.hub, "p-kettu", "group_id").as_deref(),
        Some(s.kettu_group.as_str())
    );
}

#[test]
fn a_held_back_change_is_kept_with_its_signature_when_another_authors_dependency_comes() {
    let mut s = school();
    new_project(&mut s.kettu, "p-kettu", &s.kettu_group, "Lumi");
    connect(&mut s.kettu, &mut s.hub, None);
    connect(&mut s.kettu, &mut s.teacher, None);
    // The teacher writes to the project (X); Kettu's tablet writes on top of it (Y).
    edit(&mut s.teacher, "p-kettu", "teacher", "hyvä");
    connect(&mut s.kettu, &mut s.teacher, None);
    edit(&mut s.kettu, "p-kettu", "pupil", "kiitos");
    let (x, y) = {
        let doc = s.kettu.replica.document("p-kettu").unwrap().unwrap();
        let all = doc.get_changes(&[]);
        (all[all.len() - 2].clone(), all[all.len() - 1].clone())
    };
    assert!(y.deps().contains(&x.hash()), "Y builds on X");
    // The hub hears Y first (held back: X has not come), then X with its author's signature
    // alone, as a peer that sends the newest signature of each author of what it sends.
    inject(
        &mut s.hub,
        &s.kettu,
        vec![
            documents("p-kettu"),
            Message::Sync {
                document: "p-kettu".into(),
                message: carrying(std::slice::from_ref(&y)),
                signatures: vec![signed(&s.kettu, "p-kettu", &y)],
            },
            Message::Sync {
                document: "p-kettu".into(),
                message: carrying(std::slice::from_ref(&x)),
                signatures: vec![signed(&s.teacher, "p-kettu", &x)],
            },
        ],
    );
    assert_eq!(
        value(&mut s.hub, "p-kettu", "pupil").as_deref(),
        Some("kiitos")
    );
    let kept = s.hub.replica.keyring.signatures("p-kettu");
    assert!(
        kept.iter().any(|k| k.hash == y.hash().0),
        "Y is held without the signature that vouches for it: {kept:?}"
    );
    // So a device that never met Kettu's tablet takes Y from the hub.
    let mut ilves = joined(&s.ca, &mut s.teacher, "ilves-tab", "group-tablet");
    let outcome = connect(&mut ilves, &mut s.hub, None);
    assert!(
        outcome.finished && outcome.refused().is_empty(),
        "{:?}",
        outcome.effects
    );
    assert_eq!(
        value(&mut ilves, "p-kettu", "pupil").as_deref(),
        Some("kiitos")
    );
}
