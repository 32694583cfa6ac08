//! The Hug me! documents as Automerge documents with typed Rust access.
//!
//! Four kinds of document make up a class's work, each its own Automerge document so that
//! it syncs, merges and is permitted on its own:
//!
//! - a [`Project`] per group: the eight Hug me! steps (agreement, phenomenon, subjects, goals,
//!   research questions, tools, content pages, sharing and reflection);
//! - the [`Class`] document: the roster (groups and their members by first name or nickname),
//!   enrolled devices and settings;
//! - a [`Review`] per project: the teacher's comments pinned to parts of it, an overall comment
//!   and the approval state;
//! - an [`Identities`] list per group: the names of its pupils of protected identity, kept out
//!   of the class document, which every tablet holds.
//!
//! # Layout
//! - [`ids`]: typed identifiers (`ProjectId`, `GroupId`, …), random v4 UUIDs as strings.
//! - [`project`]: the project document and its steps; [`content`] the pages of blocks.
//! - [`class`]: the class document. [`review`]: the review document. [`identities`]: a group's
//!   protected names.
//! - [`admission`]: whether a document received from another device may be kept.
//! - [`library`]: the starter library shipped with the app (phenomena by age, socio-emotional
//!   activities) in its five languages; [`template`]: templates, their file format, and what a
//!   project keeps of the one it was given.
//! - [`document`]: reading and writing a typed document in an `AutoCommit`, the schema version
//!   check, and the [`DocumentKind`] every stored document is tagged with.
//!
//! Text that people type is [`autosurgeon::Text`], so two tablets typing into the same answer
//! merge character by character; everything else is plain values reconciled by autosurgeon.
//! No I/O happens here: storage lives in `hugme-store`.

pub mod admission;
pub mod class;
pub mod content;
pub mod document;
pub mod identities;
pub mod ids;
pub mod library;
pub mod project;
pub mod review;
pub mod template;

pub use class::{Class, Device, DeviceRole, Group, Member, Settings, Written};
pub use content::{Block, BlockKind, MediaRef, Page};
pub use document::{read, write, DocumentKind, Error, Opened, Result, SCHEMA_VERSION};
pub use identities::{Identities, ProtectedName};
pub use ids::{BlockId, ClassId, DeviceId, GroupId, MemberId, PageId, ProjectId, QuestionId};
pub use project::{
    Agreement, CheckIn, Content, Goal, Goals, PeerFeedback, Phenomenon, Project, Reflection,
    Research, ResearchQuestion, Role, Rule, Sharing, Source, Step, StepState, Subject, Subjects,
    Tool, Tools, VoiceAnswer,
};
pub use review::{Approval, Comment, Pin, Review};
pub use template::{AppliedTemplate, Template, TemplateError};

/// Text as pupils type it: merges character by character.
pub use autosurgeon::Text;
