//! The review document: the teacher's feedback on one project.
//!
//! Kept apart from the project so that only teacher devices write it while the group writes
//! the project; its id is the project's id.

use autosurgeon::{Hydrate, Reconcile, Text};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::document::{Document, DocumentKind, SCHEMA_VERSION};
use crate::ids::{BlockId, ProjectId, QuestionId};
use crate::project::Step;

/// Teacher feedback and approval for a project.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct Review {
    pub schema: u64,
    pub project_id: ProjectId,
    pub comments: Vec<Comment>,
    pub overall: Text,
    pub approval: Approval,
    /// A locked project is finished: the group's app shows it read-only.
    pub locked: bool,
}

/// Where a project stands with the teacher.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Reconcile, Hydrate, Serialize, Deserialize, TS,
)]
#[serde(rename_all = "kebab-case")]
pub enum Approval {
    #[default]
    NotReviewed,
    ReturnedForRevision,
    Approved,
}

/// A teacher's comment pinned to a part of the project.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct Comment {
    #[key]
    pub id: String,
    pub pin: Pin,
    pub text: Text,
    pub created_at: i64,
    pub resolved: bool,
}

/// The part of a project a comment is pinned to.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub enum Pin {
    Step { step: Step },
    Question { id: QuestionId },
    Block { id: BlockId },
}

impl Review {
    /// The store id of a project's review document.
    pub fn document_id(project: &ProjectId) -> String {
        format!("review-{project}")
    }

    /// An empty review of a project.
    pub fn new(project_id: ProjectId) -> Self {
        Self {
            schema: SCHEMA_VERSION,
            project_id,
            comments: Vec::new(),
            overall: Text::with_value(""),
            approval: Approval::NotReviewed,
            locked: false,
        }
    }
}

impl Document for Review {
    const KIND: DocumentKind = DocumentKind::Review;
    fn schema(&self) -> u64 {
        self.schema
    }
}
