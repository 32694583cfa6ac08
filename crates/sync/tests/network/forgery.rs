//! A pupil's tablet with tools (Kettu's) forges changes under other devices' names, replays
//! signatures it holds and syncs in any order, cut off anywhere: no forged change is ever
//! applied on another device, and the honest devices still converge.

use std::collections::HashSet;

use automerge::ChangeHash;
use proptest::prelude::*;

use crate::*;

#[derive(Debug, Clone)]
enum Step {
    /// Device `who` edits the project `which` honestly (if it may and holds it).
    Edit { who: usize, which: usize, key: u8 },
    /// Kettu's tablet appends a change to document `which` (0: the class, 1: the Otters'
    /// project, 2: its own project) under the actor of device `victim`.
    Forge {
        which: usize,
        victim: usize,
        key: u8,
    },
    /// Devices `a` and `b` sync, perhaps cut off after `cut` frames.
    Sync {
        a: usize,
        b: usize,
        cut: Option<usize>,
    },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0..4usize, 0..2usize, 0..6u8).prop_map(|(who, which, key)| Step::Edit { who, which, key }),
        (0..3usize, 0..4usize, 0..6u8).prop_map(|(which, victim, key)| Step::Forge {
            which,
            victim,
            key
        }),
        (0..4usize, 0..4usize, proptest::option::of(0..12usize))
            .prop_map(|(a, b, cut)| Step::Sync { a, b, cut }),
    ]
}

const IDS: [&str; 4] = ["ope", "hub", "kettu-tab", "saukot-tab"];
const KETTU: usize = 2;

/// Every change hash a document of a peer holds.
fn hashes(peer: &mut Peer) -> HashSet<ChangeHash> {
    peer.replica
        .docs
        .values_mut()
        .flat_map(|(_, doc)| doc.get_changes(&[]).into_iter().map(|c| c.hash()))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn no_forged_change_is_applied_anywhere(steps in proptest::collection::vec(step(), 1..40)) {
        let s = school();
        let (kettu, saukot) = (s.kettu_group.clone(), s.saukot_group.clone());
        let mut peers = [s.teacher, s.hub, s.kettu, s.saukot];
        new_project(&mut peers[2], "p-kettu", &kettu, "Lumi");
        new_project(&mut peers[3], "p-saukot", &saukot, "Otters");
        let mut forged: HashSet<ChangeHash> = HashSet::new();
        for (n, step) in steps.into_iter().enumerate() {
            match step {
                Step::Edit { who, which, key } => {
                    let doc = ["p-kettu", "p-saukot"][which];
                    let may = who == 0 || (who == 2 && which == 0) || (who == 3 && which == 1);
                    if may && peers[who].replica.docs.contains_key(doc) {
                        edit(&mut peers[who], doc, &format!("k{key}"), &format!("{who}-{n}"));
                    }
                }
                Step::Forge { which, victim, key } => {
                    let doc = [CLASS, "p-saukot", "p-kettu"][which];
                    // Its own name on its own project is no forgery.
                    if victim == KETTU && doc == "p-kettu" {
                        continue;
                    }
                    let attacker = &mut peers[KETTU];
                    let Some(held) = attacker.replica.document(doc).unwrap() else {
                        continue;
                    };
                    let before = held.get_heads();
                    held.set_actor(actor_for(IDS[victim]));
                    automerge::transaction::Transactable::put(
                        held, automerge::ROOT, format!("f{key}"), format!("forged {n}"),
                    ).unwrap();
                    held.commit();
                    forged.extend(held.get_changes(&before).iter().map(|c| c.hash()));
                    held.set_actor(actor_for(IDS[KETTU]));
                }
                Step::Sync { a, b, cut } if a != b => {
                    let (x, y) = pair(&mut peers, a, b);
                    connect(x, y, cut);
                }
                Step::Sync { .. } => {}
            }
        }
        for (i, peer) in peers.iter_mut().enumerate().filter(|(i, _)| *i != KETTU) {
            let applied: Vec<_> = hashes(peer).intersection(&forged).copied().collect();
            prop_assert!(applied.is_empty(), "{} applied forged changes {applied:?}", IDS[i]);
        }
        // The honest devices still converge with the hub.
        for _ in 0..2 {
            for i in [0, 3] {
                let (x, y) = pair(&mut peers, i, 1);
                connect(x, y, None);
            }
        }
        let hub = peers[1].replica.heads();
        for i in [0, 3] {
            prop_assert_eq!(&peers[i].replica.heads(), &hub);
        }
    }
}
