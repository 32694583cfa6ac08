//! The store's errors: each names the file, document, change or blob it is about.

use std::path::PathBuf;
use std::sync::Arc;

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "the database {path} was written by a newer version of Hug me! (schema {found}, this app \
         knows up to {supported}): update the app; nothing was changed"
    )]
    DatabaseTooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error(
        "the database {path} is truncated: its header says {expected} bytes but the file has \
         {actual}; it was left as it is so that it can be recovered"
    )]
    Truncated {
        path: PathBuf,
        expected: u64,
        actual: u64,
    },
    #[error("{path} is not a Hug me! database (it is not an SQLite file); it was left as it is")]
    NotADatabase { path: PathBuf },
    #[error("the database {path} is damaged ({source}); it was left as it is so that it can be recovered")]
    Corrupt {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("the disk holding {path} is full: free some space; the last change was not saved")]
    DiskFull { path: PathBuf },
    #[error("another Hug me! program is using the data folder {path}")]
    Busy { path: PathBuf },
    #[error("no document {id} in the store")]
    NoSuchDocument { id: String },
    #[error("document {id} already exists")]
    DocumentExists { id: String },
    #[error("the snapshot of document {id} is damaged (its hash does not match)")]
    CorruptSnapshot { id: String },
    #[error("change {seq} of document {id} is damaged ({why}); the other changes are intact")]
    CorruptChange { id: String, seq: i64, why: String },
    #[error("document {id} could not be read by Automerge: {source}")]
    Automerge {
        id: String,
        #[source]
        source: Box<automerge::AutomergeError>,
    },
    #[error("blob {hash} is damaged: its bytes no longer match its hash ({path})")]
    BlobCorrupt { hash: String, path: PathBuf },
    #[error("blob {hash} is missing from {path}")]
    BlobMissing { hash: String, path: PathBuf },
    #[error("{0:?} is not a blob hash (64 lowercase hex digits)")]
    BadHash(String),
    #[error("i/o error on {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("database error on {path}: {source}")]
    Sqlite {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("migrating the database {path} failed: {source}")]
    Migration {
        path: PathBuf,
        #[source]
        source: rusqlite_migration::Error,
    },
    #[error(
        "an earlier change of document {id} could not be saved, so this one was not either; \
         both go with the next save that finds room"
    )]
    Unsaved { id: String },
    #[error("the store's writer has stopped")]
    WriterGone,
    #[error("{0}")]
    Wiped(String),
    /// An error shared by every write of one group commit.
    #[error(transparent)]
    Batch(Arc<Error>),
}

/// Result of the store.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// The error itself, out of the [`Error::Batch`] that shares it between several writes.
    pub fn cause(&self) -> &Error {
        match self {
            Error::Batch(shared) => shared.cause(),
            error => error,
        }
    }

    /// Classifies an SQLite error on the database at `path`.
    pub(crate) fn sqlite(path: &std::path::Path, source: rusqlite::Error) -> Error {
        use rusqlite::ErrorCode;
        let path = path.to_path_buf();
        match source.sqlite_error_code() {
            Some(ErrorCode::DatabaseCorrupt) => Error::Corrupt { path, source },
            Some(ErrorCode::NotADatabase) => Error::NotADatabase { path },
            Some(ErrorCode::DiskFull) => Error::DiskFull { path },
            Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => Error::Busy { path },
            _ => Error::Sqlite { path, source },
        }
    }

    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Error {
        if source.kind() == std::io::ErrorKind::StorageFull {
            return Error::DiskFull {
                path: path.to_path_buf(),
            };
        }
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}
