//! Every value the app's UI receives from Rust or sends to it, and nothing else: the shell
//! passes them through as JSON, and [`bindings`] generates their TypeScript twins.
//!
//! - [`view`]: what the student screens show (classes, a project's steps and pages);
//! - [`edit`]: the changes a group makes to its project, and how each is applied;
//! - [`teacher`]: the overview, feedback and devices list, and the teacher's edits;
//! - [`sync`]: what the UI shows of sync with the class's other devices;
//! - [`enrolment`]: the QR code and short code that let a tablet in;
//! - [`ErrorCode`], [`DocumentEvent`] (this file): why a call failed, what changed.

pub mod bindings;
pub mod edit;
pub mod enrolment;
pub mod sync;
pub mod teacher;
pub mod view;

use hugme_model::DocumentKind;
use serde::Serialize;

/// A document was changed and the change is on disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct DocumentEvent {
    pub id: String,
    pub kind: DocumentKind,
    /// The document's heads after the change, as hex hashes.
    pub heads: Vec<String>,
}

/// Why a call failed, for the app to show a translated message (`error.<code>` in every
/// catalogue of `ui/src/lib/i18n/`) and act on it. Every error of the facade
/// (`hugme_app::Error::code`) and of the class network (`hugme_node::Error::code`) has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorCode {
    NotFound,
    WrongPin,
    Locked,
    /// Something only a teacher's device may do.
    NotTeacher,
    /// A class language the app does not have.
    NoSuchLanguage,
    /// Read-aloud cannot speak here (no speech engine, or it failed).
    NoSpeech,
    /// A text too long to read aloud at once.
    TooLongToRead,
    /// A voice answer that is no sound.
    NotASound,
    /// A group PIN that is not digits.
    BadPin,
    /// A file that is not a photo, sound or video we can read, or is damaged.
    BadMedia,
    /// A template file that is not one, is too big, or is from a newer app.
    BadTemplate,
    DiskFull,
    /// A change not written because an earlier one could not be (a full disk): the text stays
    /// on screen and goes with the next change.
    NotSaved,
    /// Another Hug me! program uses the data folder.
    Busy,
    /// The data folder is damaged or from a newer app.
    Storage,
    /// Someone pressed cancel.
    Cancelled,
    /// An export is already being written (one at a time).
    ExportRunning,
    /// A class with no name.
    ClassNeedsName,
    /// This device is in a class already (it joins or creates one only once).
    AlreadyInClass,
    /// This device is in no class yet.
    NotInClass,
    /// The teacher deletes the class from the teacher's device only after ending its term.
    TermNotEnded,
    /// A tablet is for a group: none was named.
    GroupNeeded,
    /// The enrolment (QR code or short code) is not known to the teacher's device.
    UnknownInvitation,
    /// The enrolment let a tablet in already.
    UsedInvitation,
    /// The enrolment is out of date.
    ExpiredInvitation,
    /// The typed code is not eight digits.
    MistypedCode,
    /// The typed code is wrong, void or was tried too often.
    WrongCode,
    /// A hundred codes are open on the teacher's device at once.
    TooManyCodes,
    /// No teacher's device answered (not found on the network, or unreachable).
    NoTeacherFound,
    /// The QR code, or what the teacher's device sent, cannot be read.
    BadInvitation,
    /// The network side could not start or announce itself.
    Network,
    Internal,
}
