//! Two or three copies of a document edited apart merge into one with every edit.

mod convergence;
mod shapes;

use automerge::{transaction::Transactable, ActorId, AutoCommit};
use hugme_model::{
    read, write, Class, GroupId, Member, Project, ResearchQuestion, Step, StepState,
};

fn project_doc() -> (AutoCommit, Project) {
    let mut class = Class::new("5B");
    let group = class.add_group("Ketut");
    let project = Project::new(class.id.clone(), group, "Metsän eläimet", 1_700_000_000_000);
    let mut doc = AutoCommit::new();
    write(&mut doc, &project).unwrap();
    doc.commit();
    (doc, project)
}

fn edit<F: FnOnce(&mut Project)>(doc: &mut AutoCommit, f: F) {
    let mut p: Project = read(doc).unwrap().value;
    f(&mut p);
    write(doc, &p).unwrap();
    doc.commit();
}

#[test]
fn two_tablets_typing_into_the_same_answer_and_adding_questions_merge() {
    let (mut a, _) = project_doc();
    edit(&mut a, |p| {
        p.phenomenon.why.splice(0, 0, "Kettu asuu metsässä.");
        p.touch(Step::Phenomenon);
    });
    let mut b = a.fork().with_actor(ActorId::random());

    // Tablet A types at the end of the answer, tablet B at the start, character by character.
    // Positions are UTF-8 byte offsets (automerge's `utf8-indexing`, as autosurgeon expects).
    for c in " Se syö hiiriä.".chars() {
        edit(&mut a, |p| {
            let end = p.phenomenon.why.as_str().len();
            p.phenomenon.why.splice(end, 0, c.to_string())
        });
    }
    let mut at = 0;
    for c in "Miksi? ".chars() {
        edit(&mut b, |p| p.phenomenon.why.splice(at, 0, c.to_string()));
        at += c.len_utf8();
    }
    edit(&mut a, |p| {
        p.research
            .questions
            .push(ResearchQuestion::new("Mitä kettu syö?"))
    });
    edit(&mut b, |p| {
        p.research
            .questions
            .push(ResearchQuestion::new("Where do foxes sleep?"))
    });
    edit(&mut b, |p| {
        p.set_step_state(Step::Phenomenon, StepState::Done)
    });

    let mut merged_ab = a.fork();
    merged_ab.merge(&mut b).unwrap();
    let mut merged_ba = b.fork();
    merged_ba.merge(&mut a).unwrap();

    let ab: Project = read(&merged_ab).unwrap().value;
    let ba: Project = read(&merged_ba).unwrap().value;
    assert_eq!(ab, ba, "merge order must not matter");
    assert_eq!(
        ab.phenomenon.why.as_str(),
        "Miksi? Kettu asuu metsässä. Se syö hiiriä."
    );
    let questions: Vec<&str> = ab
        .research
        .questions
        .iter()
        .map(|q| q.question.as_str())
        .collect();
    assert_eq!(questions.len(), 2);
    assert!(questions.contains(&"Mitä kettu syö?"));
    assert!(questions.contains(&"Where do foxes sleep?"));
    assert_eq!(ab.step_state(Step::Phenomenon), StepState::Done);
}

#[test]
fn renaming_a_member_on_one_device_merges_with_a_new_member_on_another() {
    let mut class = Class::new("5B");
    let group: GroupId = class.add_group("Ketut");
    class
        .group_mut(&group)
        .unwrap()
        .members
        .push(Member::new("Aino"));
    let mut a = AutoCommit::new();
    write(&mut a, &class).unwrap();
    a.commit();
    let mut b = a.fork().with_actor(ActorId::random());

    let mut ca: Class = read(&a).unwrap().value;
    ca.group_mut(&group).unwrap().members[0]
        .name
        .update("Aino K.");
    write(&mut a, &ca).unwrap();
    a.commit();

    let mut cb: Class = read(&b).unwrap().value;
    cb.group_mut(&group)
        .unwrap()
        .members
        .push(Member::new("Eetu"));
    write(&mut b, &cb).unwrap();
    b.commit();

    a.merge(&mut b).unwrap();
    let merged: Class = read(&a).unwrap().value;
    let names: Vec<&str> = merged
        .group(&group)
        .unwrap()
        .members
        .iter()
        .map(|m| m.name.as_str())
        .collect();
    assert_eq!(names, ["Aino K.", "Eetu"]);
}

#[test]
fn a_document_from_a_newer_schema_opens_read_only_and_refuses_writes() {
    let (mut doc, _) = project_doc();
    doc.put(automerge::ROOT, "schema", hugme_model::SCHEMA_VERSION + 1)
        .unwrap();
    doc.commit();
    let opened = read::<Project>(&doc).unwrap();
    assert!(opened.read_only);
    let err = write(&mut doc, &opened.value).unwrap_err();
    assert!(err.to_string().contains("newer version"), "{err}");
}
