//! Finished projects to the school's LMS, with no internet: IMS Common Cartridge 1.1 (what
//! Moodle imports) and 1.3, and a self-contained HTML portfolio that opens in any browser.
//!
//! One project or a whole class becomes a zip: a readable, printable HTML page per project
//! (phenomenon, research questions with findings, content pages with photos, drawings, sound
//! and video, reflection), in a module per group. Teacher feedback goes in only when the
//! teacher asks; a pupil marked "protected identity" appears by group name only.
//!
//! # Layout
//! - [`package`]: [`export`] — plan the files, then stream them into `<out>.partial` and
//!   rename it into place; [`Format`], [`Options`], [`Summary`].
//! - [`collect`]: reading the class, projects, reviews and groups from the store.
//! - [`html`]: a project's page and the first page; every typed text escaped ([`lms`]).
//! - [`lms`]: typed text that stays text in an LMS that decodes pages once more, and
//!   titles every LMS takes.
//! - [`cartridge`]: the `imsmanifest.xml` of CC 1.1 and 1.3; [`moodle`]: a Moodle course
//!   backup (`.mbz`), whose sections are named by the groups.
//! - [`labels`]: the page's words in Finnish and English.
//! - [`progress`]: [`Progress`], bytes done of total ([`Bytes`]), and cancel.
//! - [`error`]: the crate's error type.
//!
//! `schemas/` holds the IMS schemas (unchanged copies, see `schemas/SOURCES.md`) that the
//! tests validate every cartridge against, offline.

pub mod cartridge;
pub mod collect;
pub mod error;
pub mod html;
pub mod labels;
pub mod lms;
pub mod moodle;
pub mod package;
pub mod progress;

pub use collect::Scope;
pub use error::{Error, Result};
pub use package::{export, Format, MediaKind, Missing, Options, Summary};
pub use progress::{Bytes, Progress};
