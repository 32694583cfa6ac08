//! The one error every command returns: `{ code, message }`, which the UI turns into a
//! translated text by `code` (the `message` is for logs and teachers).

use hugme_app::ErrorCode;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct CommandError {
    pub code: ErrorCode,
    pub message: String,
}

impl From<hugme_app::Error> for CommandError {
    fn from(e: hugme_app::Error) -> Self {
        Self {
            code: e.code(),
            message: e.to_string(),
        }
    }
}

impl From<hugme_node::Error> for CommandError {
    fn from(e: hugme_node::Error) -> Self {
        Self {
            code: e.code(),
            message: e.to_string(),
        }
    }
}

impl From<hugme_speech::Error> for CommandError {
    fn from(e: hugme_speech::Error) -> Self {
        let code = match e {
            hugme_speech::Error::TooLong(_) => ErrorCode::TooLongToRead,
            _ => ErrorCode::NoSpeech,
        };
        Self {
            code,
            message: e.to_string(),
        }
    }
}

impl CommandError {
    /// A failure of the shell itself (a lost worker thread, a malformed request).
    pub fn internal(message: impl std::fmt::Display) -> Self {
        Self {
            code: ErrorCode::Internal,
            message: message.to_string(),
        }
    }
}

pub type CommandResult<T> = Result<T, CommandError>;
