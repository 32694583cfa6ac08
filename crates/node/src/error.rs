//! The class network's error: what went wrong with membership, enrolment, the network side
//! or the end of the term, each with the [`ErrorCode`] the UI shows a translated message for.

use std::path::PathBuf;

use hugme_app::ErrorCode;
use hugme_sync::error::Refusal;

/// What was being done to a file of the device's membership (its certificates and keys, the
/// marker of a class being deleted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileAction {
    Read,
    Write,
    Delete,
}

impl std::fmt::Display for FileAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            FileAction::Read => "read",
            FileAction::Write => "write",
            FileAction::Delete => "delete",
        })
    }
}

/// Errors of this device on the class network.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    App(#[from] hugme_app::Error),
    #[error(transparent)]
    Store(#[from] hugme_store::Error),
    #[error(transparent)]
    Sync(#[from] hugme_sync::Error),
    #[error("cannot {action} {}: {source}", path.display())]
    File {
        action: FileAction,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("this data folder belongs to no class: create one or join one")]
    NotInClass,
    #[error("this data folder already belongs to a class")]
    AlreadyInClass,
    #[error("a class needs a name")]
    ClassNeedsName,
    #[error("only the teacher's device that created the class can do that")]
    NotClassAuthority,
    #[error("say which group the tablet is for, or that it is a teacher's device")]
    GroupNeeded,
    #[error("no device {0} in this class")]
    NoSuchDevice(String),
    #[error("end the term first (export the class, then end its term)")]
    TermNotEnded,
    #[error("a hundred enrolment codes are open: wait until some are used")]
    TooManyCodes,
    #[error("no teacher's device found on this network: type its address too")]
    NoTeacherFound,
    #[error("{addr} is not a teacher's device taking codes, or cannot be reached ({source})")]
    Unreachable {
        addr: String,
        /// Boxed: a sync error is large, and would make every result of the crate large.
        #[source]
        source: Box<hugme_sync::Error>,
    },
    /// The QR code or what the teacher's device sent cannot be used.
    #[error("the enrolment cannot be used: {0}")]
    BadInvitation(BadInvitation),
    #[error("cannot announce on the network: {0}")]
    Announce(#[source] hugme_discovery::Error),
    #[error("the network side cannot start: {0}")]
    Network(#[source] std::io::Error),
    #[error("the enrolment QR code cannot be drawn: {0}")]
    QrImage(#[source] png::EncodingError),
    #[error("could not read or write a setting: {0}")]
    Json(#[from] serde_json::Error),
    /// Two classes on this device hold a document of that id (one of them put there by a
    /// pupil's tools, say): a command naming it must name the class too.
    #[error("more than one class on this device holds {0}: name the class")]
    HeldTwice(String),
}

/// Why an enrolment QR code or the teacher's answer cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadInvitation {
    #[error("the picture is {len} bytes, not {width} × {height}")]
    FrameSize {
        width: usize,
        height: usize,
        len: usize,
    },
    #[error("this QR code is not a Hug me! enrolment code")]
    NotOurs,
    #[error("it does not fit a QR code")]
    TooLong,
    #[error("{0} sent an invitation that cannot be read")]
    Unreadable(String),
    #[error("the teacher's device sent a certificate for another device")]
    OtherDevice,
    #[error("the class document it sent is damaged")]
    DamagedClass,
    #[error("the code names no address")]
    NoAddress,
    #[error("{0} answered something else")]
    OtherAnswer(String),
}

impl Error {
    /// The kind of this error, for the UI's translated message.
    pub fn code(&self) -> ErrorCode {
        use hugme_sync::Error as S;
        match self {
            Error::App(e) => e.code(),
            Error::Store(store) => match store.cause() {
                hugme_store::Error::DiskFull { .. } => ErrorCode::DiskFull,
                hugme_store::Error::Unsaved { .. } => ErrorCode::NotSaved,
                hugme_store::Error::Busy { .. } => ErrorCode::Busy,
                _ => ErrorCode::Storage,
            },
            Error::File { source, .. } if is_disk_full(source) => ErrorCode::DiskFull,
            Error::File { .. } => ErrorCode::Storage,
            Error::NotInClass => ErrorCode::NotInClass,
            Error::AlreadyInClass => ErrorCode::AlreadyInClass,
            Error::ClassNeedsName => ErrorCode::ClassNeedsName,
            Error::NotClassAuthority => ErrorCode::NotTeacher,
            Error::GroupNeeded => ErrorCode::GroupNeeded,
            Error::NoSuchDevice(_) => ErrorCode::NotFound,
            // Only the command line names a document by id across classes.
            Error::HeldTwice(_) => ErrorCode::Internal,
            Error::TermNotEnded => ErrorCode::TermNotEnded,
            Error::TooManyCodes => ErrorCode::TooManyCodes,
            Error::NoTeacherFound | Error::Unreachable { .. } => ErrorCode::NoTeacherFound,
            Error::BadInvitation(_) => ErrorCode::BadInvitation,
            Error::Announce(_) | Error::Network(_) => ErrorCode::Network,
            Error::Sync(S::Enrolment(refusal)) => refusal_code(*refusal),
            Error::Sync(S::MistypedCode { .. }) => ErrorCode::MistypedCode,
            Error::Sync(S::Io(_) | S::Tls(_) | S::PeerClosed(_)) => ErrorCode::NoTeacherFound,
            Error::Sync(_) | Error::QrImage(_) | Error::Json(_) => ErrorCode::Internal,
        }
    }

    /// What the teacher's device tells a tablet it refuses because of this error.
    pub fn refusal(&self) -> Refusal {
        match self {
            Error::Sync(hugme_sync::Error::Enrolment(refusal)) => *refusal,
            Error::NotClassAuthority => Refusal::NotEnrolling,
            _ => Refusal::Other,
        }
    }

    /// A failed file operation on `path`.
    pub fn file(action: FileAction, path: &std::path::Path, source: std::io::Error) -> Self {
        Error::File {
            action,
            path: path.to_owned(),
            source,
        }
    }
}

fn is_disk_full(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::StorageFull
}

/// The code the UI shows for a refusal of the teacher's device.
fn refusal_code(refusal: Refusal) -> ErrorCode {
    match refusal {
        Refusal::UnknownInvitation => ErrorCode::UnknownInvitation,
        Refusal::UsedInvitation => ErrorCode::UsedInvitation,
        Refusal::ExpiredInvitation => ErrorCode::ExpiredInvitation,
        Refusal::NoOpenCode | Refusal::CodeTriedTooOften | Refusal::WrongCode => {
            ErrorCode::WrongCode
        }
        Refusal::NotEnrolling => ErrorCode::NoTeacherFound,
        Refusal::Nonsense => ErrorCode::BadInvitation,
        Refusal::Other => ErrorCode::Internal,
    }
}

/// Result of the class network.
pub type Result<T> = std::result::Result<T, Error>;

impl From<Refusal> for Error {
    fn from(refusal: Refusal) -> Self {
        Error::Sync(hugme_sync::Error::Enrolment(refusal))
    }
}
