//! Property: random edit sequences on two or three copies converge whatever the merge order.

use automerge::{ActorId, AutoCommit};
use hugme_model::{read, write, Block, Page, Project, ResearchQuestion};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Edit {
    TypeWhy { at: usize, text: String },
    DeleteWhy { at: usize, len: usize },
    AddQuestion(String),
    TypeFindings { question: usize, text: String },
    RemoveQuestion(usize),
    AddPage(String),
    AddTextBlock { page: usize, text: String },
    MoveBlock { page: usize },
}

fn edit_strategy() -> impl Strategy<Value = Edit> {
    let text = "[a-zäö ]{1,6}";
    prop_oneof![
        (0usize..40, text).prop_map(|(at, text)| Edit::TypeWhy { at, text }),
        (0usize..40, 1usize..4).prop_map(|(at, len)| Edit::DeleteWhy { at, len }),
        text.prop_map(Edit::AddQuestion),
        (0usize..4, text).prop_map(|(question, text)| Edit::TypeFindings { question, text }),
        (0usize..4).prop_map(Edit::RemoveQuestion),
        text.prop_map(Edit::AddPage),
        (0usize..3, text).prop_map(|(page, text)| Edit::AddTextBlock { page, text }),
        (0usize..3).prop_map(|page| Edit::MoveBlock { page }),
    ]
}

/// The byte offset of the `chars`-th character (clamped to the end).
fn byte_of(s: &str, chars: usize) -> usize {
    s.char_indices().nth(chars).map_or(s.len(), |(i, _)| i)
}

fn apply(doc: &mut AutoCommit, edit: &Edit) {
    let mut p: Project = read(doc).unwrap().value;
    match edit {
        Edit::TypeWhy { at, text } => {
            let at = byte_of(p.phenomenon.why.as_str(), *at);
            p.phenomenon.why.splice(at, 0, text);
        }
        Edit::DeleteWhy { at, len } => {
            let why = p.phenomenon.why.as_str();
            let n = why.chars().count();
            if n > 0 {
                let at = (*at).min(n - 1);
                let len = (*len).min(n - at);
                let (start, end) = (byte_of(why, at), byte_of(why, at + len));
                p.phenomenon.why.splice(start, (end - start) as isize, "");
            }
        }
        Edit::AddQuestion(text) => p.research.questions.push(ResearchQuestion::new(text)),
        Edit::TypeFindings { question, text } => {
            let n = p.research.questions.len();
            if n > 0 {
                p.research.questions[question % n]
                    .findings
                    .splice(0, 0, text);
            }
        }
        Edit::RemoveQuestion(i) => {
            let n = p.research.questions.len();
            if n > 0 {
                p.research.questions.remove(i % n);
            }
        }
        Edit::AddPage(title) => p.content.pages.push(Page::new(title)),
        Edit::AddTextBlock { page, text } => {
            let n = p.content.pages.len();
            if n > 0 {
                p.content.pages[page % n].blocks.push(Block::text(text));
            }
        }
        Edit::MoveBlock { page } => {
            let n = p.content.pages.len();
            if n > 0 {
                let page = &mut p.content.pages[page % n];
                page.move_block(0, usize::MAX);
            }
        }
    }
    write(doc, &p).unwrap();
    doc.commit();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn copies_converge_whatever_the_merge_order(
        copies in 2usize..=3,
        edits in prop::collection::vec((0usize..3, edit_strategy()), 1..30),
        order in Just(()).prop_perturb(|_, mut rng| {
            let mut o = vec![0usize, 1, 2];
            for i in (1..o.len()).rev() { o.swap(i, rng.random_range(0..=i)); }
            o
        }),
    ) {
        let (mut base, _) = super::project_doc();
        let mut docs: Vec<AutoCommit> =
            (0..copies).map(|_| base.fork().with_actor(ActorId::random())).collect();
        for (who, edit) in &edits {
            apply(&mut docs[who % copies], edit);
        }
        // Merge all copies into each copy, each in its own order.
        let order: Vec<usize> = order.into_iter().filter(|i| *i < copies).collect();
        let mut results = Vec::new();
        for start in 0..copies {
            let mut merged = docs[start].fork();
            for &i in order.iter().rev().chain(order.iter()) {
                let mut other = docs[(i + start) % copies].fork();
                merged.merge(&mut other).unwrap();
            }
            results.push(merged);
        }
        let first: Project = read(&results[0]).unwrap().value;
        for r in &mut results[1..] {
            let p: Project = read(r).unwrap().value;
            prop_assert_eq!(&first, &p);
        }
        // And the heads agree, so the documents are the same, not only their views.
        let mut heads: Vec<_> = results.iter_mut().map(|d| { let mut h = d.get_heads(); h.sort(); h }).collect();
        heads.dedup();
        prop_assert_eq!(heads.len(), 1);
    }
}
