//! Whether a document received from another device is one this build may keep: the checks
//! every receiving peer runs after a sync message's changes are applied to a scratch copy and
//! before anything of them is stored.
//!
//! A change can be signed by its author and allowed by the write policy and still leave a
//! document the app cannot use: a project that reads as nothing, a review named after another
//! project, a schema from the future in the class roster. [`admit`] refuses those.

use automerge::AutoCommit;

use crate::document::{read, Document, DocumentKind, SCHEMA_VERSION};
use crate::{Class, Identities, Project, Review};

/// Why a received document was not admitted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("a {kind} document may not be called {id:?} (class documents carry the class id, reviews \"review-<project>\", identities \"identities-<group>\")")]
    WrongId { kind: DocumentKind, id: String },
    #[error("the {kind} document no longer reads as one: {why}")]
    Unreadable { kind: DocumentKind, why: String },
    #[error("the {kind} document says schema {found}; this app knows {SCHEMA_VERSION}: a newer app's changes are not taken into a shared document")]
    NewerSchema { kind: DocumentKind, found: u64 },
    #[error("the {kind} document names {field} {found:?}, not {expected:?}")]
    Mismatch {
        kind: DocumentKind,
        field: &'static str,
        found: String,
        expected: String,
    },
    #[error("a project's group may not change (from {before:?} to {after:?})")]
    GroupChanged { before: String, after: String },
}

/// What [`admit`] found of a project: its group (to judge the author against).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Admitted {
    pub group: Option<String>,
}

/// Checks a received document `id` of `kind`, in class `class`, as it reads after the
/// received changes (`after`); `before_group` is a held project's group before them.
///
/// # Errors
/// [`Refused`]: the id does not fit the kind (class: the class id; review: `review-` and a
/// project id; project: neither), the document does not read as its type, carries a newer
/// schema, names another id or class, or a project's group changed.
pub fn admit(
    kind: DocumentKind,
    id: &str,
    class: &str,
    before_group: Option<&str>,
    after: &AutoCommit,
) -> Result<Admitted, Refused> {
    let wrong_id = || Refused::WrongId {
        kind,
        id: id.to_owned(),
    };
    let fits = match kind {
        DocumentKind::Class => id == class,
        DocumentKind::Review => id.strip_prefix("review-").is_some_and(|p| !p.is_empty()),
        DocumentKind::Identities => Identities::group_of_id(id).is_some(),
        DocumentKind::Project => {
            id != class
                && !id.starts_with("review-")
                && !id.starts_with(crate::identities::ID_PREFIX)
                && !id.is_empty()
        }
    };
    if !fits {
        return Err(wrong_id());
    }
    let mismatch = |field, found: &str, expected: &str| {
        (found != expected).then(|| Refused::Mismatch {
            kind,
            field,
            found: found.to_owned(),
            expected: expected.to_owned(),
        })
    };
    match kind {
        DocumentKind::Class => {
            let class_doc: Class = typed(after)?;
            if let Some(e) = mismatch("id", class_doc.id.as_str(), class) {
                return Err(e);
            }
            Ok(Admitted::default())
        }
        DocumentKind::Review => {
            let review: Review = typed(after)?;
            if let Some(e) = mismatch("project", review.project_id.as_str(), &id[7..]) {
                return Err(e);
            }
            Ok(Admitted::default())
        }
        DocumentKind::Identities => {
            let list: Identities = typed(after)?;
            let Some(group) = Identities::group_of_id(id) else {
                return Err(wrong_id());
            };
            if let Some(e) = mismatch("group", list.group_id.as_str(), group.as_str())
                .or_else(|| mismatch("class", list.class_id.as_str(), class))
            {
                return Err(e);
            }
            Ok(Admitted {
                group: Some(group.to_string()),
            })
        }
        DocumentKind::Project => {
            let project: Project = typed(after)?;
            if let Some(e) = mismatch("id", project.id.as_str(), id)
                .or_else(|| mismatch("class", project.class_id.as_str(), class))
            {
                return Err(e);
            }
            let group = project.group_id.as_str();
            if let Some(before) = before_group.filter(|b| *b != group) {
                return Err(Refused::GroupChanged {
                    before: before.to_owned(),
                    after: group.to_owned(),
                });
            }
            Ok(Admitted {
                group: Some(group.to_owned()),
            })
        }
    }
}

fn typed<T: Document>(doc: &AutoCommit) -> Result<T, Refused> {
    let kind = T::KIND;
    match read::<T>(doc) {
        Ok(opened) if opened.read_only => Err(Refused::NewerSchema {
            kind,
            found: crate::document::schema_of(doc).unwrap_or_default(),
        }),
        Ok(opened) => Ok(opened.value),
        Err(crate::Error::NewerSchema { found, .. }) => Err(Refused::NewerSchema { kind, found }),
        Err(e) => Err(Refused::Unreadable {
            kind,
            why: e.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ClassId, GroupId};

    fn project_doc(class: &str, group: &str) -> (String, AutoCommit) {
        let project = Project::new(ClassId::from(class), GroupId::from(group), "Vesi", 0);
        let mut doc = AutoCommit::new();
        crate::write(&mut doc, &project).unwrap();
        (project.id.as_str().to_owned(), doc)
    }

    #[test]
    fn a_project_is_admitted_with_its_group() {
        let (id, doc) = project_doc("5b", "kettu");
        let admitted = admit(DocumentKind::Project, &id, "5b", Some("kettu"), &doc).unwrap();
        assert_eq!(admitted.group.as_deref(), Some("kettu"));
    }

    #[test]
    fn a_groups_identities_are_admitted_only_under_that_groups_id() {
        let list = Identities::new(&ClassId::from("5b"), &GroupId::from("kettu"));
        let mut doc = AutoCommit::new();
        crate::write(&mut doc, &list).unwrap();
        use DocumentKind::Identities as Kind;
        let admitted = admit(Kind, "identities-kettu", "5b", None, &doc).unwrap();
        assert_eq!(admitted.group.as_deref(), Some("kettu"));
        // Filed as another group's list (to reach that group's tablets), or another class's.
        assert!(matches!(
            admit(Kind, "identities-saukot", "5b", None, &doc),
            Err(Refused::Mismatch { field: "group", .. })
        ));
        assert!(matches!(
            admit(Kind, "identities-kettu", "6a", None, &doc),
            Err(Refused::Mismatch { field: "class", .. })
        ));
        assert!(matches!(
            admit(Kind, "kettu", "5b", None, &doc),
            Err(Refused::WrongId { .. })
        ));
        // A project may not take an identities id (it would travel as a project).
        let (_, project) = project_doc("5b", "kettu");
        assert!(matches!(
            admit(
                DocumentKind::Project,
                "identities-kettu",
                "5b",
                None,
                &project
            ),
            Err(Refused::WrongId { .. })
        ));
    }

    #[test]
    fn the_ways_a_received_document_is_refused() {
        let (id, doc) = project_doc("5b", "kettu");
        use DocumentKind::*;
        // A project sent as the review of another project, or as the class.
        assert!(matches!(
            admit(Review, &format!("review-{id}"), "5b", None, &doc),
            Err(Refused::Unreadable { .. })
        ));
        assert!(matches!(
            admit(Project, "review-x", "5b", None, &doc),
            Err(Refused::WrongId { .. })
        ));
        assert!(matches!(
            admit(Class, &id, "5b", None, &doc),
            Err(Refused::WrongId { .. })
        ));
        // Its group moved to another group's name.
        assert_eq!(
            admit(Project, &id, "5b", Some("saukot"), &doc),
            Err(Refused::GroupChanged {
                before: "saukot".into(),
                after: "kettu".into()
            })
        );
        // Of another class, or filed under another id.
        assert!(matches!(
            admit(Project, &id, "6a", None, &doc),
            Err(Refused::Mismatch { .. })
        ));
        assert!(matches!(
            admit(Project, "other", "5b", None, &doc),
            Err(Refused::Mismatch { .. })
        ));
        // A schema from the future, and a shape the app cannot read.
        let mut newer = doc.clone();
        automerge::transaction::Transactable::put(&mut newer, automerge::ROOT, "schema", 99u64)
            .unwrap();
        assert!(matches!(
            admit(Project, &id, "5b", None, &newer),
            Err(Refused::NewerSchema { found: 99, .. })
        ));
        let mut broken = doc.clone();
        automerge::transaction::Transactable::put(
            &mut broken,
            automerge::ROOT,
            "pages",
            "nonsense",
        )
        .unwrap();
        automerge::transaction::Transactable::put(&mut broken, automerge::ROOT, "title", 5u64)
            .unwrap();
        assert!(matches!(
            admit(Project, &id, "5b", None, &broken),
            Err(Refused::Unreadable { .. })
        ));
    }
}
