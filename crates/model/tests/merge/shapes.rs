//! Every part of a project survives a write and a read.

use automerge::AutoCommit;
use hugme_model::*;

fn roundtrip(p: &Project) {
    let mut doc = AutoCommit::new();
    write(&mut doc, p).unwrap();
    doc.commit();
    let back: Project = read(&doc).unwrap().value;
    assert_eq!(&back, p);
}

fn project() -> Project {
    Project::new(ClassId::random(), GroupId::random(), "T", 1)
}

#[test]
fn check_ins_with_a_member() {
    let mut p = project();
    p.agreement.check_ins.push(CheckIn {
        id: "c".into(),
        date: "2026-11-23".into(),
        member_id: Some(MemberId::random()),
        mood: "😀".into(),
        note: Text::with_value(""),
    });
    roundtrip(&p);
}

#[test]
fn roles() {
    let mut p = project();
    p.agreement.roles.push(Role {
        member_id: MemberId::random(),
        role: Text::with_value("x"),
    });
    roundtrip(&p);
}

#[test]
fn photo_blocks() {
    let mut p = project();
    let mut page = Page::new("p");
    page.blocks.push(Block::text("# hi"));
    page.blocks.push(Block {
        id: BlockId::random(),
        kind: BlockKind::Photo {
            media: MediaRef {
                hash: "ab".into(),
                mime: "image/png".into(),
                size: 3,
                width: Some(4),
                height: None,
                caption: Text::with_value("c"),
                thumbnail: Some("cd".into()),
                preview: None,
            },
        },
    });
    p.content.pages.push(page);
    roundtrip(&p);
}

#[test]
fn goals_and_subjects_and_tools() {
    let mut p = project();
    p.goals.items.push(Goal {
        id: "g".into(),
        text: Text::with_value("g"),
        set_by_teacher: true,
        reached: false,
    });
    p.subjects.items.push(Subject {
        id: "s".into(),
        name: "Math".into(),
        how: Text::with_value("h"),
    });
    p.tools.items.push(Tool {
        id: "t".into(),
        name: "Cam".into(),
        purpose: Text::with_value("p"),
    });
    p.sharing.reflection.stars = 4;
    p.set_step_state(Step::Goals, StepState::Done);
    roundtrip(&p);
}

#[test]
fn a_raised_hand_and_a_project_written_before_hands_existed() {
    let mut p = project();
    p.hand_raised_at = Some(1_764_000_000_000);
    roundtrip(&p);
    // A document from before the field: no hand raised, and it opens.
    let mut doc = AutoCommit::new();
    write(&mut doc, &project()).unwrap();
    use automerge::transaction::Transactable;
    doc.delete(automerge::ROOT, "hand_raised_at").unwrap();
    let read: Project = read(&doc).unwrap().value;
    assert_eq!(read.hand_raised_at, None);
}

#[test]
fn a_photo_written_before_thumbnails_and_previews_existed_still_opens() {
    let mut p = project();
    let mut page = Page::new("Kuvat");
    page.blocks.push(Block {
        id: BlockId::random(),
        kind: BlockKind::Photo {
            media: MediaRef {
                hash: "ab".repeat(32),
                mime: "image/jpeg".into(),
                size: 10,
                width: Some(4),
                height: Some(3),
                caption: Text::with_value(""),
                thumbnail: Some("cd".repeat(32)),
                preview: Some("ef".repeat(32)),
            },
        },
    });
    p.content.pages.push(page);
    let mut doc = AutoCommit::new();
    write(&mut doc, &p).unwrap();
    // Remove both fields from the stored block, as an older app wrote it.
    use automerge::{transaction::Transactable, ReadDoc};
    let (_, content) = doc.get(automerge::ROOT, "content").unwrap().unwrap();
    let (_, pages) = doc.get(&content, "pages").unwrap().unwrap();
    let (_, page) = doc.get(&pages, 0).unwrap().unwrap();
    let (_, blocks) = doc.get(&page, "blocks").unwrap().unwrap();
    let (_, block) = doc.get(&blocks, 0).unwrap().unwrap();
    let (_, kind) = doc.get(&block, "kind").unwrap().unwrap();
    let media = find_map(&doc, &kind, "media");
    doc.delete(&media, "thumbnail").unwrap();
    doc.delete(&media, "preview").unwrap();
    let read: Project = read(&doc).unwrap().value;
    let BlockKind::Photo { media } = &read.content.pages[0].blocks[0].kind else {
        panic!("a photo block: {:?}", read.content.pages[0].blocks[0]);
    };
    assert_eq!(
        (media.thumbnail.as_deref(), media.preview.as_deref()),
        (None, None)
    );
}

/// The map under `key`, looking through one level of enum variant if needed.
fn find_map(doc: &AutoCommit, at: &automerge::ObjId, key: &str) -> automerge::ObjId {
    use automerge::ReadDoc;
    if let Some((_, id)) = doc.get(at, key).unwrap() {
        return id;
    }
    for k in doc.keys(at) {
        let (_, inner) = doc.get(at, &k).unwrap().unwrap();
        if let Some((_, id)) = doc.get(&inner, key).unwrap() {
            return id;
        }
    }
    panic!("no {key} under {at:?}");
}
