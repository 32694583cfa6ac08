//! Random edits, connections and cut connections: once everyone has synced with the hub,
//! everyone holds the same documents.

use proptest::prelude::*;

use crate::*;

#[derive(Debug, Clone)]
enum Step {
    /// Device `who` edits the project `which` (if it may and holds it).
    Edit { who: usize, which: usize, key: u8 },
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
        (0..4usize, 0..4usize, proptest::option::of(0..12usize))
            .prop_map(|(a, b, cut)| Step::Sync { a, b, cut }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn everyone_converges_whatever_the_order(steps in proptest::collection::vec(step(), 1..40)) {
        let s = school();
        let (kettu, saukot) = (s.kettu_group.clone(), s.saukot_group.clone());
        let mut peers = [s.teacher, s.hub, s.kettu, s.saukot];
        new_project(&mut peers[2], "p-kettu", &kettu, "Lumi");
        new_project(&mut peers[3], "p-saukot", &saukot, "Otters");
        for (n, step) in steps.into_iter().enumerate() {
            match step {
                Step::Edit { who, which, key } => {
                    let doc = ["p-kettu", "p-saukot"][which];
                    // Tablets write only their own group's project; the teacher writes any.
                    let may = who == 0 || (who == 2 && which == 0) || (who == 3 && which == 1);
                    if may && peers[who].replica.docs.contains_key(doc) {
                        edit(&mut peers[who], doc, &format!("k{key}"), &format!("{who}-{n}"));
                    }
                }
                Step::Sync { a, b, cut } if a != b => {
                    let (x, y) = pair(&mut peers, a, b);
                    let outcome = connect(x, y, cut);
                    prop_assert!(outcome.refused().is_empty(), "{:?}", outcome.effects);
                }
                Step::Sync { .. } => {}
            }
        }
        // Everyone syncs with the hub, twice round.
        for _ in 0..2 {
            for i in [0, 2, 3] {
                let (x, y) = pair(&mut peers, i, 1);
                connect(x, y, None);
            }
        }
        let hub = peers[1].replica.heads();
        prop_assert_eq!(hub.len(), 3);
        for peer in &mut peers {
            prop_assert_eq!(&peer.replica.heads(), &hub);
        }
    }
}

/// Found by the property above: concurrent edits by the teacher and the group reach the hub as
/// a V2 message whose one chunk is several storage chunks back to back; each must be judged.
#[test]
fn concurrent_teacher_and_group_edits_pass_the_write_policy_and_converge() {
    let s = school();
    let saukot = s.saukot_group.clone();
    let mut peers = [s.teacher, s.hub, s.kettu, s.saukot];
    new_project(&mut peers[3], "p-saukot", &saukot, "Otters");
    let (x, y) = pair(&mut peers, 0, 3);
    connect(x, y, None);
    for (who, value) in [(3, "a"), (0, "b"), (3, "c"), (0, "d"), (0, "e")] {
        edit(&mut peers[who], "p-saukot", "k0", value);
    }
    for _ in 0..2 {
        for i in [0, 2, 3] {
            let (x, y) = pair(&mut peers, i, 1);
            let outcome = connect(x, y, None);
            assert!(outcome.refused().is_empty(), "{:?}", outcome.effects);
            assert!(outcome.finished);
        }
    }
    let hub = peers[1].replica.heads();
    assert_eq!(hub["p-saukot"].len(), 2, "both branches are kept");
    for peer in &mut peers {
        assert_eq!(peer.replica.heads(), hub);
    }
}
