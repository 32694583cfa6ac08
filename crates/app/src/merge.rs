//! Merging a pupil's edit of a text with what arrived from peers while they typed.
//!
//! The app sends a text field's whole new value, and the value it was typed on (`base`: what
//! the field showed). When the stored text is no longer the base (a groupmate's sentence came
//! in meanwhile), the pupil's own changes — base to new, character by character — are applied
//! to the stored text instead of replacing it: the peer's words stay, the pupil's land where
//! they were typed. This is a three-way merge (diff3's idea, per character), with `similar`'s
//! Myers diff: the same library autosurgeon uses to store a text's change as splices.

use std::time::{Duration, Instant};

use similar::{capture_diff_slices_deadline, Algorithm, DiffOp};

/// Longest a diff may take before it settles for a coarser one (still a correct diff).
const DIFF_TIME: Duration = Duration::from_millis(100);

fn diff(old: &[char], new: &[char]) -> Vec<DiffOp> {
    capture_diff_slices_deadline(Algorithm::Myers, old, new, Some(Instant::now() + DIFF_TIME))
}

/// `theirs` (the stored text) with the changes that turn `base` into `ours` applied to it.
/// Per character, as Automerge merges text: the same typo fixed on both devices while other
/// text changed may come out with a letter twice (a person fixes it; nothing is lost).
/// Characters both deleted stay deleted; text both inserted at one place appears once each
/// (ours before the base character that follows the place, or after the one before it at the
/// end); a deletion of ours never takes text they inserted inside it.
pub fn three_way(base: &str, theirs: &str, ours: &str) -> String {
    let (b, t, o): (Vec<char>, Vec<char>, Vec<char>) = (
        base.chars().collect(),
        theirs.chars().collect(),
        ours.chars().collect(),
    );
    // Where each base character is in theirs (None: they deleted it).
    let mut kept = vec![None; b.len()];
    for op in diff(&b, &t) {
        if let DiffOp::Equal {
            old_index,
            new_index,
            len,
        } = op
        {
            for k in 0..len {
                kept[old_index + k] = Some(new_index + k);
            }
        }
    }
    // A position between base characters, as a position in theirs: before the next base
    // character they kept, else after the last one before it, else at their end.
    let place = |at: usize| -> usize {
        kept[at..]
            .iter()
            .find_map(|k| *k)
            .or_else(|| kept[..at].iter().rev().find_map(|k| k.map(|j| j + 1)))
            .unwrap_or(t.len())
    };
    let mut deleted = vec![false; t.len()];
    let mut inserted: Vec<Vec<char>> = vec![Vec::new(); t.len() + 1];
    for op in diff(&b, &o) {
        let (old_index, old_len, new_index, new_len) = match op {
            DiffOp::Equal { .. } => continue,
            DiffOp::Delete {
                old_index,
                old_len,
                new_index,
            } => (old_index, old_len, new_index, 0),
            DiffOp::Insert {
                old_index,
                new_index,
                new_len,
            } => (old_index, 0, new_index, new_len),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => (old_index, old_len, new_index, new_len),
        };
        for k in kept[old_index..old_index + old_len].iter().flatten() {
            deleted[*k] = true;
        }
        if new_len > 0 {
            inserted[place(old_index)].extend_from_slice(&o[new_index..new_index + new_len]);
        }
    }
    let mut out = String::with_capacity(theirs.len() + ours.len());
    for (j, c) in t.iter().enumerate() {
        out.extend(&inserted[j]);
        if !deleted[j] {
            out.push(*c);
        }
    }
    out.extend(&inserted[t.len()]);
    out
}

#[cfg(test)]
mod tests {
    use super::three_way;

    #[test]
    fn a_peers_words_and_the_pupils_both_survive_wherever_they_are() {
        let base = "Miksi jää sulaa";
        // They added at the end, we at the start, the middle, the end.
        let theirs = "Miksi jää sulaa keväällä?";
        assert_eq!(
            three_way(base, theirs, "Ja miksi jää sulaa"),
            "Ja miksi jää sulaa keväällä?"
        );
        assert_eq!(
            three_way(base, theirs, "Miksi järven jää sulaa"),
            "Miksi järven jää sulaa keväällä?"
        );
        assert_eq!(
            three_way(base, theirs, "Miksi jää sulaa nopeasti"),
            "Miksi jää sulaa nopeasti keväällä?"
        );
        // Nothing changed meanwhile: ours as typed.
        assert_eq!(three_way(base, base, "Miksi?"), "Miksi?");
    }

    #[test]
    fn overlapping_deletions_and_their_insertion_inside_our_deletion() {
        let base = "yksi kaksi kolme neljä";
        // Both delete "kaksi " (overlapping), they also delete "neljä", we "kolme ".
        assert_eq!(three_way(base, "yksi kolme ", "yksi neljä"), "yksi ");
        // They insert inside the words we delete: their words stay.
        assert_eq!(
            three_way(base, "yksi kaksi ja kolme neljä", "yksi neljä"),
            "yksi ja neljä"
        );
    }

    #[test]
    fn emoji_and_combining_marks_stay_whole() {
        let base = "Hyvä 👍";
        assert_eq!(
            three_way(base, "Hyvä 👍 🌲", "Oikein hyvä 👍"),
            "Oikein hyvä 👍 🌲"
        );
        // An e with a combining acute (two chars): kept as typed by either side.
        let base = "cafe\u{301}";
        assert_eq!(
            three_way(base, "cafe\u{301}!", "Le cafe\u{301}"),
            "Le cafe\u{301}!"
        );
    }
}
