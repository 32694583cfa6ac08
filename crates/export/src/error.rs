//! Export errors: what failed, and that no half-written file was left behind.

use std::path::PathBuf;

/// Errors of an export.
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
    #[error("class {0} has no projects to export")]
    Empty(String),
    #[error("the export was cancelled; no file was written")]
    Cancelled,
    #[error("writing {path} failed ({source}); no file was left behind")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("writing the zip {path} failed ({source}); no file was left behind")]
    Zip {
        path: PathBuf,
        #[source]
        source: zip::result::ZipError,
    },
}

/// Result of this crate.
pub type Result<T> = std::result::Result<T, Error>;
