//! A pupil of protected identity, between real processes: the teacher's device names them,
//! their own group's tablet names them, and another group's tablet never receives the name,
//! whether from the teacher's device or from the named group's tablet.

use std::path::Path;

use hugme_app::api::teacher::ClassEdit;
use hugme_model::document::history_text;

use crate::{ok, path, sync, Classroom, Serving};

/// Everything the documents of a data folder ever said (every change of each, deleted text
/// included), and the names its start screen lists.
fn what_the_folder_holds(dir: &Path) -> (String, Vec<String>) {
    let app = crate::open_app(dir);
    let mut said = String::new();
    for info in app.store().documents().unwrap() {
        let mut doc = app.store().open_document(&info.id).unwrap();
        said.push_str(&history_text(doc.doc_mut()));
    }
    let shown = app
        .class_cards()
        .unwrap()
        .iter()
        .flat_map(|c| &c.groups)
        .flat_map(|g| &g.members)
        .map(|m| m.name.clone())
        .collect();
    (said, shown)
}

#[test]
fn a_protected_pupils_name_never_reaches_another_groups_tablet() {
    let (class, serving) = Classroom::new();
    drop(serving);
    {
        // As the teacher's class editor does it: the pupil is protected from the start.
        let teacher = hugme_node::membership::open(&class.teacher).unwrap();
        let ours = teacher.classes().unwrap().remove(0);
        let kettu = ours
            .groups
            .iter()
            .find(|g| g.name.as_str() == "Kettu")
            .unwrap();
        for (name, protected) in [("Aino", None), ("Salainen", Some(true))] {
            teacher
                .edit_class(
                    ours.id.as_str(),
                    ClassEdit::AddMember {
                        group: kettu.id.to_string(),
                        id: hugme_model::MemberId::random().to_string(),
                        name: name.into(),
                        protected,
                    },
                )
                .unwrap();
        }
    }
    let teacher = Serving::start(&class.teacher);
    for dir in [&class.kettu, &class.saukot] {
        let (in_step, said) = sync(dir, &teacher.addr);
        assert!(in_step, "{said}");
    }
    drop(teacher);
    // The two tablets meet without the teacher: the Kettu tablet serves.
    let kettu = Serving::start(&class.kettu);
    let (in_step, said) = sync(&class.saukot, &kettu.addr);
    assert!(in_step, "{said}");
    drop(kettu);

    let (held, shown) = what_the_folder_holds(&class.kettu);
    assert!(
        held.contains("Salainen") && shown.contains(&"Salainen".to_owned()),
        "{shown:?}"
    );
    let (held, shown) = what_the_folder_holds(&class.saukot);
    assert!(shown.contains(&"Aino".to_owned()), "{shown:?}");
    assert!(
        !held.contains("Salainen") && !shown.contains(&"Salainen".to_owned()),
        "another group's tablet holds the protected name: {shown:?}"
    );
    let inspected = ok(&["inspect", path(&class.saukot), "--json"]);
    assert!(!inspected.contains("Salainen"), "{inspected}");
    let (_, shown) = what_the_folder_holds(&class.teacher);
    assert!(shown.contains(&"Salainen".to_owned()), "{shown:?}");
}
