//! Reading and writing typed documents, and the schema version rule.
//!
//! Every document has a `schema` field at its root. An app that meets a document from a newer
//! schema opens it read-only (if it can read it at all) and refuses to write it, so an old
//! tablet can never damage what a newer one wrote.

use automerge::{AutoCommit, ReadDoc, ScalarValue, Value, ROOT};
use autosurgeon::{Hydrate, Reconcile};

/// The schema version this build writes.
pub const SCHEMA_VERSION: u64 = 1;

/// Errors of reading and writing documents.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the {kind} document has no schema version: it is not a Hug me! document")]
    MissingSchema { kind: DocumentKind },
    #[error(
        "the {kind} document is from a newer version of Hug me! (schema {found}, this app knows \
         {supported}): update the app to change it"
    )]
    NewerSchema {
        kind: DocumentKind,
        found: u64,
        supported: u64,
    },
    #[error("the {kind} document does not have the expected shape: {source}")]
    Hydrate {
        kind: DocumentKind,
        #[source]
        source: Box<autosurgeon::HydrateError>,
    },
    #[error("could not write the {kind} document: {source}")]
    Reconcile {
        kind: DocumentKind,
        #[source]
        source: Box<autosurgeon::ReconcileError>,
    },
    #[error("unknown step {0:?}: use one of agreement, phenomenon, subjects, goals, research-questions, tools, content, sharing")]
    UnknownStep(String),
    #[error("step {step} has no text field {field:?}: phenomenon has title and why; sharing has presentation, learned, went-well and do-differently")]
    NoTextField {
        step: crate::project::Step,
        field: String,
    },
    #[error("unknown step state {0:?}: use not-started, in-progress or done")]
    UnknownState(String),
    #[error("unknown document kind {0:?}")]
    UnknownKind(String),
}

/// Result of this crate.
pub type Result<T> = std::result::Result<T, Error>;

/// What a stored document is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "kebab-case")]
pub enum DocumentKind {
    Project,
    Class,
    Review,
    /// A group's protected pupils' names (`crate::identities`).
    Identities,
}

impl DocumentKind {
    /// The stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::Project => "project",
            DocumentKind::Class => "class",
            DocumentKind::Review => "review",
            DocumentKind::Identities => "identities",
        }
    }
}

impl std::fmt::Display for DocumentKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for DocumentKind {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "project" => Ok(DocumentKind::Project),
            "class" => Ok(DocumentKind::Class),
            "review" => Ok(DocumentKind::Review),
            "identities" => Ok(DocumentKind::Identities),
            other => Err(Error::UnknownKind(other.to_owned())),
        }
    }
}

/// A typed document kind.
pub trait Document: Reconcile + Hydrate {
    /// Which kind of document this is.
    const KIND: DocumentKind;
    /// The schema version the value carries.
    fn schema(&self) -> u64;
}

/// A document read from Automerge.
#[derive(Debug, Clone, PartialEq)]
pub struct Opened<T> {
    pub value: T,
    /// True when the document comes from a newer schema: show it, do not write it.
    pub read_only: bool,
}

/// The schema version stored in a document, if any.
pub fn schema_of(doc: &AutoCommit) -> Option<u64> {
    match doc.get(ROOT, "schema").ok().flatten() {
        Some((Value::Scalar(s), _)) => match s.as_ref() {
            ScalarValue::Uint(v) => Some(*v),
            ScalarValue::Int(v) => u64::try_from(*v).ok(),
            _ => None,
        },
        _ => None,
    }
}

/// A string at the root of a document, read without its type (`group_id` of a project whose
/// other fields may not read, say).
pub fn root_string(doc: &AutoCommit, key: &str) -> Option<String> {
    match doc.get(ROOT, key).ok()??.0 {
        Value::Scalar(s) => s.as_str().map(str::to_owned),
        _ => None,
    }
}

/// Every string any change of `doc` ever put, in the order of its changes, joined: what a
/// copy of the document reveals to whoever holds it, deleted and overwritten text included
/// (Automerge keeps every change). For checking what a device's store would give away.
pub fn history_text(doc: &mut AutoCommit) -> String {
    let mut out = String::new();
    for change in doc.get_changes(&[]) {
        for op in change.decode().operations {
            if let automerge::legacy::OpType::Put(ScalarValue::Str(s)) = op.action {
                out.push_str(&s);
            }
        }
        out.push('\n');
    }
    out
}

/// Reads a typed document.
pub fn read<T: Document>(doc: &AutoCommit) -> Result<Opened<T>> {
    let kind = T::KIND;
    let found = schema_of(doc).ok_or(Error::MissingSchema { kind })?;
    match autosurgeon::hydrate::<_, T>(doc) {
        Ok(value) => Ok(Opened {
            value,
            read_only: found > SCHEMA_VERSION,
        }),
        Err(_) if found > SCHEMA_VERSION => Err(Error::NewerSchema {
            kind,
            found,
            supported: SCHEMA_VERSION,
        }),
        Err(source) => Err(Error::Hydrate {
            kind,
            source: Box::new(source),
        }),
    }
}

/// Writes a typed document into `doc` (the caller commits). Refuses a newer-schema document.
pub fn write<T: Document>(doc: &mut AutoCommit, value: &T) -> Result<()> {
    let kind = T::KIND;
    if let Some(found) = schema_of(doc) {
        if found > SCHEMA_VERSION {
            return Err(Error::NewerSchema {
                kind,
                found,
                supported: SCHEMA_VERSION,
            });
        }
    }
    autosurgeon::reconcile(doc, value).map_err(|source| Error::Reconcile {
        kind,
        source: Box::new(source),
    })
}
