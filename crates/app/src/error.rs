//! The facade's error: what went wrong, in words a teacher can act on, and its
//! [`ErrorCode`] for the UI's translated message.

use crate::api::ErrorCode;

/// Errors of the App facade.
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
    #[error("no {what} {id} in this project")]
    NotThere { what: &'static str, id: String },
    #[error("the PIN of group {0} is not that one")]
    WrongPin(String),
    #[error("project {0} is locked: the teacher has marked it finished")]
    Locked(String),
    #[error("only a teacher's device of the class may do that")]
    NotTeacher,
    #[error("a group PIN is digits only")]
    BadPin,
    #[error("the app has no language {0:?}")]
    NoSuchLanguage(String),
    #[error("{0} is not a sound")]
    NotASound(String),
    #[error(transparent)]
    Media(#[from] hugme_media::Error),
    #[error("document {id} is a {found}, not a {expected}")]
    WrongKind {
        id: String,
        found: hugme_model::DocumentKind,
        expected: hugme_model::DocumentKind,
    },
    #[error(transparent)]
    Picture(#[from] hugme_sample::PictureError),
    /// Boxed: the export's error carries zip and I/O details, and would make every result big.
    #[error(transparent)]
    Export(Box<hugme_export::Error>),
    #[error("an export is already being written: wait for it, or cancel it")]
    ExportRunning,
    #[error("the starter library has no phenomenon {0}")]
    NoSuchTemplate(String),
    #[error(transparent)]
    Template(#[from] hugme_model::TemplateError),
    #[error("could not use {path}: {source}")]
    Io {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

impl From<hugme_export::Error> for Error {
    fn from(e: hugme_export::Error) -> Self {
        Error::Export(Box::new(e))
    }
}

/// Result of the facade.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// The kind of this error.
    pub fn code(&self) -> ErrorCode {
        use hugme_store::Error as S;
        match self {
            Error::NoSuchProject(_)
            | Error::NoSuchClass(_)
            | Error::NoSuchGroup { .. }
            | Error::NoSuchQuestion(_)
            | Error::NotThere { .. } => ErrorCode::NotFound,
            Error::Store(store) => match store.cause() {
                S::NoSuchDocument { .. } => ErrorCode::NotFound,
                S::DiskFull { .. } => ErrorCode::DiskFull,
                S::Unsaved { .. } => ErrorCode::NotSaved,
                S::Busy { .. } => ErrorCode::Busy,
                _ => ErrorCode::Storage,
            },
            Error::WrongPin(_) => ErrorCode::WrongPin,
            Error::Locked(_) => ErrorCode::Locked,
            Error::NotTeacher => ErrorCode::NotTeacher,
            Error::BadPin => ErrorCode::BadPin,
            Error::NoSuchLanguage(_) => ErrorCode::NoSuchLanguage,
            Error::NotASound(_) => ErrorCode::NotASound,
            Error::Media(hugme_media::Error::Store { source, .. })
                if matches!(source.cause(), S::DiskFull { .. }) =>
            {
                ErrorCode::DiskFull
            }
            Error::Media(_) => ErrorCode::BadMedia,
            Error::Export(e) if matches!(**e, hugme_export::Error::Cancelled) => {
                ErrorCode::Cancelled
            }
            Error::ExportRunning => ErrorCode::ExportRunning,
            Error::NoSuchTemplate(_) => ErrorCode::NotFound,
            Error::Template(_) => ErrorCode::BadTemplate,
            Error::Io { source, .. } if source.kind() == std::io::ErrorKind::StorageFull => {
                ErrorCode::DiskFull
            }
            Error::Io { .. } => ErrorCode::Storage,
            _ => ErrorCode::Internal,
        }
    }
}
