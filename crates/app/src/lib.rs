//! Hug me! Studio's documents facade: the only API the app shell calls for a data folder's
//! classes, projects, reviews and media. It knows nothing of the network (that is
//! `hugme-node`, which shares its open documents) nor of Tauri (`src-tauri` adapts these calls
//! to commands).
//!
//! # Layout
//! - [`app`]: [`App`], a data folder's documents as typed values, every change durable before
//!   it returns, and a stream of [`DocumentEvent`]s.
//! - [`documents`]: [`OpenDocuments`], the one open copy of each document, shared with sync.
//! - [`student`]: what a group does (start screen, its projects, edits, media, export).
//! - [`teacher`]: the teacher's overview, feedback, class edits, export and end of the term.
//! - [`templates`]: the starter library, templates applied to groups, made of a project and
//!   saved to or read from a `.hugme-template` file.
//! - [`media`]: importing files into a project as content blocks.
//! - [`merge`]: a pupil's text edit merged with what peers wrote meanwhile (three-way).
//! - [`identities`]: protected pupils' names, kept out of the class document.
//! - [`pin`]: a group PIN's salted hash (Argon2id), made and checked here, never in the UI.
//! - [`sample`]: the sample class (`hugme demo`, "load a sample class" in the app).
//! - [`api`]: every type the UI sends or receives, and their generated TypeScript.
//! - [`error`]: the facade's error type; each has an [`api::ErrorCode`].

pub mod api;
pub mod app;
pub mod documents;
pub mod error;
pub mod identities;
pub mod media;
pub mod merge;
pub mod pin;
pub mod sample;
pub mod student;
pub mod teacher;
pub mod templates;

pub use api::{DocumentEvent, ErrorCode};
pub use app::App;
pub use documents::OpenDocuments;
pub use error::{Error, Result};
/// The starter library and templates, as the shell hands them to and from the UI.
pub use hugme_model::{library::Library, Template};
