//! Reading what an export holds from the store: the class, its projects (one, or all of the
//! class), each project's review and group.

use hugme_model::{read, Class, DocumentKind, Group, Project, ProjectId, Review};
use hugme_store::Store;

use crate::error::{Error, Result};

/// What to export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// One project, by id.
    Project(String),
    /// Every project of a class, by class id.
    Class(String),
}

/// A class and the projects to export, in the class's group order.
#[derive(Debug)]
pub struct Portfolio {
    pub class: Class,
    pub works: Vec<Work>,
    /// Projects of the class that could not be read (damaged, say), by group name where the
    /// document still says its group: listed in the export, not included. One unreadable
    /// project never stops a class's export.
    pub unreadable: Vec<Unreadable>,
}

/// A project that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    pub id: String,
    /// Its group's name, if the document still names a group of the class.
    pub group: Option<String>,
}

/// One project with what belongs to it.
#[derive(Debug)]
pub struct Work {
    pub project: Project,
    pub review: Option<Review>,
    pub group: Option<Group>,
}

fn load<T: hugme_model::document::Document>(store: &Store, id: &str) -> Result<T> {
    let doc = store.open_document(id)?;
    Ok(read::<T>(doc.doc())?.value)
}

fn ids_of(store: &Store, kind: DocumentKind) -> Result<Vec<String>> {
    Ok(store
        .documents()?
        .into_iter()
        .filter(|d| d.kind == kind.as_str())
        .map(|d| d.id)
        .collect())
}

/// The review of a project; an unreadable one is left out (the work goes without feedback).
fn review_of(store: &Store, project: &ProjectId) -> Result<Option<Review>> {
    match load::<Review>(store, &Review::document_id(project)) {
        Ok(review) => Ok(Some(review)),
        Err(Error::Store(hugme_store::Error::NoSuchDocument { .. }) | Error::Model(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The group id a project document names at its root, read without its type.
fn group_named(store: &Store, id: &str) -> Option<String> {
    let doc = store.open_document(id).ok()?;
    hugme_model::document::root_string(doc.doc(), "group_id")
}

/// Reads everything the scope covers.
pub fn collect(store: &Store, scope: &Scope) -> Result<Portfolio> {
    let mut unreadable_ids = Vec::new();
    let projects: Vec<Project> = match scope {
        Scope::Project(id) => {
            let project = load::<Project>(store, id).map_err(|e| match e {
                Error::Store(hugme_store::Error::NoSuchDocument { .. }) => {
                    Error::NoSuchProject(id.clone())
                }
                e => e,
            })?;
            vec![project]
        }
        Scope::Class(class) => {
            let mut all = Vec::new();
            for id in ids_of(store, DocumentKind::Project)? {
                match load::<Project>(store, &id) {
                    Ok(project) if project.class_id.as_str() == class => all.push(project),
                    Ok(_) => {}
                    Err(Error::Model(_)) => unreadable_ids.push(id),
                    Err(e) => return Err(e),
                }
            }
            all
        }
    };
    let class_id = match scope {
        Scope::Class(class) => class.clone(),
        Scope::Project(_) => projects[0].class_id.to_string(),
    };
    let class = load::<Class>(store, &class_id).map_err(|e| match e {
        Error::Store(hugme_store::Error::NoSuchDocument { .. }) => {
            Error::NoSuchClass(class_id.clone())
        }
        e => e,
    })?;
    if projects.is_empty() {
        return Err(Error::Empty(class.name.as_str().to_owned()));
    }
    let unreadable = unreadable_ids
        .into_iter()
        .map(|id| Unreadable {
            group: group_named(store, &id).and_then(|g| {
                class
                    .group(&hugme_model::GroupId::from(g.as_str()))
                    .map(|g| g.name.as_str().to_owned())
            }),
            id,
        })
        .collect();
    let mut works = Vec::new();
    for project in projects {
        works.push(Work {
            review: review_of(store, &project.id)?,
            group: class.group(&project.group_id).cloned(),
            project,
        });
    }
    // Group order as the teacher set it, then oldest project first.
    let position = |w: &Work| {
        class
            .groups
            .iter()
            .position(|g| g.id == w.project.group_id)
            .unwrap_or(usize::MAX)
    };
    works.sort_by_key(|w| (position(w), w.project.created_at));
    Ok(Portfolio {
        class,
        works,
        unreadable,
    })
}
