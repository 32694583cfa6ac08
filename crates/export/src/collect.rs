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

fn review_of(store: &Store, project: &ProjectId) -> Result<Option<Review>> {
    match load::<Review>(store, &Review::document_id(project)) {
        Ok(review) => Ok(Some(review)),
        Err(Error::Store(hugme_store::Error::NoSuchDocument { .. })) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Reads everything the scope covers.
pub fn collect(store: &Store, scope: &Scope) -> Result<Portfolio> {
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
                let project = load::<Project>(store, &id)?;
                if project.class_id.as_str() == class {
                    all.push(project);
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
    Ok(Portfolio { class, works })
}
