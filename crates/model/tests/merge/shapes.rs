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
