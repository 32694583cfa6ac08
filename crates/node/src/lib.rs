//! This device on Hug me! Studio's class network, over the documents facade (`hugme-app`,
//! whose open documents the sessions share): who the device is in its class, letting devices
//! in and out, serving and syncing with its neighbours, the end of the term, and what the UI
//! shows of it. Nothing here knows of Tauri.
//!
//! # Layout
//! - [`membership`]: what a device knows about its class (identity files, the class, the
//!   revocation list, invitations and codes, the ways back to peers), typed; [`membership::open`]
//!   opens a data folder.
//! - [`enrolment`]: creating a class as its teacher's device, letting a tablet in (QR code
//!   and short code), joining, removing a device.
//! - [`node`]: [`Node`], the session host on every device of a class (serves sessions and
//!   enrolment, syncs once); [`replica`]: the data folder as the sessions' replica.
//! - [`side`]: [`NetworkSide`], the app's network side, which decides when it runs;
//!   [`network`]: [`Network`], a running one (its runtime, listener and neighbours);
//!   [`neighbours`]: mDNS and the fallback addresses, syncing again and again.
//! - [`shelf`]: the classes on one device (a tablet of several classes), each in a data
//!   folder of its own.
//! - [`media_collection`]: deleting the media files no document refers to any more.
//! - [`templates`]: a template handed to another teacher's device by a short code.
//! - [`term`]: the end of the term, when every device deletes the class.
//! - [`sync_status`]: what the UI shows of sync; [`doctor`]: what is wrong, in plain words.
//! - [`error`]: the network side's error; each has an `ErrorCode` for the UI.

pub mod doctor;
pub mod enrolment;
pub mod error;
pub mod media_collection;
pub mod membership;
pub mod neighbours;
pub mod network;
pub mod node;
pub mod replica;
pub mod shelf;
pub mod side;
pub mod sync_status;
pub mod templates;
pub mod term;

pub use error::{Error, Result};
pub use network::Network;
pub use node::Node;
pub use side::NetworkSide;
