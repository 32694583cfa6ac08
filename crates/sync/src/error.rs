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
    #[error("frame has a signature of {len} bytes (a P-256 signature has 64)")]
    SignatureLength { len: usize },
}

/// Why a device was not let into the class (enrolment by QR code or by short code): the same
/// value on the teacher's device that refuses and on the tablet that is refused.
///
/// On the wire it is the `Bye` frame's reason, `"<code>: <words>"` (see [`Refusal::reason`]);
/// a reason without a known code (an older peer's) reads as [`Refusal::Other`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The QR code's one-time token is not one the teacher's device made.
    #[error("this enrolment code is not known here")]
    UnknownInvitation,
    /// The invitation let a device in already.
    #[error("this enrolment code has been used already")]
    UsedInvitation,
    /// The invitation (2 h) or the QR code's payload is out of date.
    #[error("this enrolment code has expired: ask for a new one")]
    ExpiredInvitation,
    /// No short code is open in that slot (never, expired, or its tablet joined).
    #[error("no such code is open: ask the teacher for a new one")]
    NoOpenCode,
    /// The short code was tried too often and is void.
    #[error("this code was tried too often: ask the teacher for a new one")]
    CodeTriedTooOften,
    /// The secret digits did not match (the proof failed).
    #[error("that code is not right (or it was used up): check it, or ask for a new one")]
    WrongCode,
    /// The device asked is not a class's teacher's device that holds its CA.
    #[error("this device enrols nobody")]
    NotEnrolling,
    /// The other side broke the protocol, or stopped answering.
    #[error("the other device answered nonsense")]
    Nonsense,
    /// The teacher's device failed for a reason of its own (its disk, say).
    #[error("the teacher's device could not let the tablet in")]
    Other,
}

impl Refusal {
    const ALL: [Refusal; 9] = [
        Refusal::UnknownInvitation,
        Refusal::UsedInvitation,
        Refusal::ExpiredInvitation,
        Refusal::NoOpenCode,
        Refusal::CodeTriedTooOften,
        Refusal::WrongCode,
        Refusal::NotEnrolling,
        Refusal::Nonsense,
        Refusal::Other,
    ];

    /// The stable code of this refusal on the wire.
    pub fn code(self) -> &'static str {
        match self {
            Refusal::UnknownInvitation => "unknown-invitation",
            Refusal::UsedInvitation => "used-invitation",
            Refusal::ExpiredInvitation => "expired-invitation",
            Refusal::NoOpenCode => "no-open-code",
            Refusal::CodeTriedTooOften => "code-tried-too-often",
            Refusal::WrongCode => "wrong-code",
            Refusal::NotEnrolling => "not-enrolling",
            Refusal::Nonsense => "nonsense",
            Refusal::Other => "other",
        }
    }

    /// The `Bye` frame's reason for this refusal: its code, then words for a log.
    pub fn reason(self) -> String {
        format!("{}: {self}", self.code())
    }

    /// The refusal a `Bye` frame's reason names; [`Refusal::Other`] if it names none.
    pub fn from_reason(reason: &str) -> Refusal {
        let code = reason.split(':').next().unwrap_or_default().trim();
        Refusal::ALL
            .into_iter()
            .find(|r| r.code() == code)
            .unwrap_or(Refusal::Other)
    }
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
    Enrolment(Refusal),
    #[error("a code is {digits} digits; \"{typed}\" is not one")]
    MistypedCode { typed: String, digits: usize },
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

#[cfg(test)]
mod tests {
    use super::Refusal;

    #[test]
    fn a_refusal_reads_back_from_its_reason_and_an_unknown_one_is_other() {
        for refusal in Refusal::ALL {
            assert_eq!(Refusal::from_reason(&refusal.reason()), refusal);
        }
        assert_eq!(Refusal::from_reason("no certificate"), Refusal::Other);
        assert_eq!(Refusal::from_reason(""), Refusal::Other);
    }
}
