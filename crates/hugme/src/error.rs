//! The facade's error: what went wrong, in words a teacher can act on.

/// Errors of the App facade and the `hugme` binary.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Store(#[from] hugme_store::Error),
    #[error(transparent)]
    Model(#[from] hugme_model::Error),
    #[error("no project {0} in this data folder")]
    NoSuchProject(String),
    #[error("no class {0} in this data folder")]
    NoSuchClass(String),
    #[error("no group {group:?} in class {class}")]
    NoSuchGroup { class: String, group: String },
    #[error("no research question {0} in this project")]
    NoSuchQuestion(String),
    #[error("document {id} is a {found}, not a {expected}")]
    WrongKind {
        id: String,
        found: hugme_model::DocumentKind,
        expected: hugme_model::DocumentKind,
    },
    #[error("could not make the sample image {name}: {source}")]
    Image {
        name: String,
        #[source]
        source: png::EncodingError,
    },
    #[error("could not write JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error(transparent)]
    Sync(#[from] hugme_sync::Error),
    #[error("{0}")]
    Identity(String),
}

/// Result of the facade.
pub type Result<T> = std::result::Result<T, Error>;
