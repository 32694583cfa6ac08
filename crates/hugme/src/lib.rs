//! Hug me! Studio's facade: the only API the app shell (and the `hugme` binary) calls.
//!
//! # Layout
//! - [`app`]: [`App`], a data folder's classes, projects and reviews as typed documents, with
//!   every change durable before it returns and a stream of [`DocumentEvent`]s.
//! - [`inspect`]: the report of `hugme inspect` (text, and JSON of a stable shape).
//! - [`demo`]: the sample class of `hugme demo`.
//! - [`media`]: importing files into a project as content blocks.
//! - [`student`]: what the student app does (start screen, a group's projects, edits, media);
//!   [`view`] the plain values it shows, [`edit`] the actions it sends, [`bindings`] their
//!   generated TypeScript; [`teacher`]: the teacher's overview, feedback and devices;
//!   [`term`]: the end of the term, when every device deletes the class.
//! - [`cli`]: the `hugme` command line, parsed with clap; `main.rs` only calls [`cli::run`].
//! - [`replica`]: the open documents, shared by the app's edits and sync sessions.
//! - [`hub`], [`enrolment`], [`network_cli`]: the class's devices and sync from the command
//!   line; [`network`]: the app serving and syncing on the classroom network;
//!   [`neighbours`]: a hub's mDNS announcement and its syncs with the devices it hears
//!   (or reaches by [`addresses`] remembered, enrolled or typed); [`doctor`]: what is wrong
//!   with the network or disk, in plain words; [`sync_status`]: what the UI shows of sync.
//! - [`error`]: the facade's error type.
//!
//! Nothing here knows of Tauri: the shell in `src-tauri` adapts these calls to commands.

pub mod addresses;
pub mod app;
pub mod bindings;
pub mod cli;
pub mod demo;
pub mod doctor;
pub mod edit;
pub mod enrolment;
pub mod error;
pub mod hub;
pub mod inspect;
pub mod media;
pub mod neighbours;
pub mod network;
pub mod network_cli;
pub mod replica;
pub mod student;
pub mod sync_status;
pub mod teacher;
pub mod term;
pub mod view;

pub use app::{App, DocumentEvent};
pub use error::{Error, Result};
