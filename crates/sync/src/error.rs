//! Errors of sync: malformed frames, refused peers and changes, and the replica underneath.

/// A frame body that cannot be read. The connection it came on is closed; nothing else is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("frame of {len} bytes is over the limit")]
    TooLong { len: u64 },
    #[error("frame is cut off")]
    Truncated,
    #[error("frame has {len} bytes after its message")]
    Trailing { len: usize },
    #[error("frame has unknown message tag {tag}")]
    UnknownTag { tag: u8 },
    #[error("frame names unknown document kind {tag}")]
    UnknownKind { tag: u8 },
    #[error("frame lists {count} entries, over the limit")]
    TooMany { count: usize },
    #[error("frame has a name of {len} bytes, over the limit")]
    TextTooLong { len: usize },
    #[error("frame has text that is not UTF-8")]
    NotUtf8,
}

/// Errors of sync.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("malformed frame: {0}")]
    Frame(#[from] FrameError),
    #[error("automerge: {0}")]
    Automerge(#[from] automerge::AutomergeError),
    #[error("sync message for {document} cannot be read: {why}")]
    BadSyncMessage { document: String, why: String },
    #[error("the replica failed: {0}")]
    Replica(Box<dyn std::error::Error + Send + Sync>),
    #[error("certificate: {0}")]
    Certificate(String),
    #[error("enrolment refused: {0}")]
    Enrolment(String),
    #[error("network: {0}")]
    Io(#[from] std::io::Error),
    #[error("TLS: {0}")]
    Tls(#[from] rustls::Error),
    #[error("the peer closed the session: {0}")]
    PeerClosed(String),
}

impl Error {
    /// Wraps an error of a replica implementation (the store, say).
    pub fn replica(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        Error::Replica(Box::new(e))
    }
}

/// Result of this crate.
pub type Result<T> = std::result::Result<T, Error>;
