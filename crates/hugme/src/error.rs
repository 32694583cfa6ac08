//! The command line's error.

use std::path::PathBuf;

use hugme_app::Error;

/// What can go wrong on the command line: the facade's and the network side's errors, a
/// file that cannot be read or written, or stdout closing.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CliError {
    #[error(transparent)]
    App(#[from] Error),
    #[error(transparent)]
    Node(#[from] hugme_node::Error),
    #[error(transparent)]
    Export(#[from] hugme_export::Error),
    #[error(transparent)]
    Store(#[from] hugme_store::Error),
    #[error(transparent)]
    Sync(#[from] hugme_sync::Error),
    #[error("{0} is not an enrolment payload: {1}")]
    Payload(PathBuf, #[source] serde_json::Error),
    #[error("say --payload FILE or --code DIGITS")]
    JoinHow,
    #[error("could not write the output: {0}")]
    Output(#[from] std::io::Error),
    #[error("say --comment STEP=TEXT, not {0:?}")]
    CommentHow(String),
    #[error("{0} file(s) were not imported")]
    Refused(usize),
    #[error("the sync did not end with both sides holding the same")]
    NotInStep,
    /// Said by the running hub that was asked (`crate::control`).
    #[error("{0}")]
    Hub(String),
}
