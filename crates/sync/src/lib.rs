//! Sync of a class between its devices, with no internet: the teacher's device, the hub and
//! the group tablets keep every document and blob of the class in step, and nobody outside
//! the class gets in.
//!
//! The session ([`session`]) is a sans-I/O state machine: frame bodies in, effects out. It
//! multiplexes Automerge's own sync protocol per document (with per-peer sync states persisted
//! by the [`replica::Replica`]), checks every received change's author by signature
//! ([`authorship`]), against the write policy ([`policy`]) and the document model
//! (`hugme_model::admission`) before anything of it is kept, and moves blobs by hash in resumable windows,
//! each checked against its hash before it becomes visible. Store and forward falls out of
//! it: a peer offers everything it holds for the class, whoever wrote it.
//!
//! # Layout
//! - [`frame`]: the messages and their bounded binary encoding.
//! - [`inflate`]: compressed parts of a received sync message, measured before Automerge
//!   inflates them (a DEFLATE bomb ends the session).
//! - [`session`]: the state machine (`session/authors.rs`: the signatures and certificates
//!   sent, and the check of who wrote what is received). [`policy`]: who may write what;
//!   actor ids ↔ devices.
//! - [`authorship`]: signing a device's newest change, verifying certificates passed on, and
//!   vouching for received changes through their dependency hashes.
//! - [`replica`]: what the session needs of a device; [`replica::MemoryReplica`] for tests.
//! - [`identity`]: certificates, the class CA, revocation. [`code`]: enrolment by a typed code.
//! - [`budget`]: the media a device may still fetch, shared by its sessions.
//! - [`gate`]: connection limits of a serving device (per address, in total, handshake time).
//! - [`net`]: the TCP + TLS adapter; its [`net::Host`] is what a device offers the network
//!   (`hugme-node`'s `Node`), handing out its replica as a guard for one message at a time.
//! - [`error`]: typed errors; [`error::Refusal`], why enrolment was refused, travels in the
//!   `Bye` frame's reason as a stable code.

pub mod authorship;
pub mod budget;
pub mod code;
pub mod error;
pub mod frame;
pub mod gate;
pub mod identity;
pub mod inflate;
pub mod net;
pub mod policy;
pub mod replica;
pub mod session;

pub use budget::MediaBudget;
pub use error::{Error, FrameError, Result};
pub use frame::Message;
pub use replica::{DocumentInfo, MemoryReplica, Received, Replica};
pub use session::{Effect, Session, Stats};
