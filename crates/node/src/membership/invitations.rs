//! Invitations into the class: what the QR code carries ([`Payload`]), what the teacher's
//! device keeps behind each one-time token ([`Invitation`]) and behind each open short code
//! ([`CodeRecord`]). Kept in the store's meta table, one key each.

use hugme_model::{DeviceRole, GroupId};
use hugme_store::Store;
use serde::{Deserialize, Serialize};

use super::Key;
use crate::error::Result;

/// What the QR code carries: enough for a tablet to find the teacher's device, know it is the
/// right one, and be let in once.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Payload {
    pub class: String,
    pub class_name: String,
    /// BLAKE3 of the class CA certificate.
    pub authority: String,
    /// Addresses where the teacher's device serves (host:port).
    pub hubs: Vec<String>,
    pub token: String,
    pub device: String,
    /// Until when it may be used (ms since the epoch).
    pub expires_at: i64,
}

/// An enrolment a teacher prepared: who the token is for, until when.
#[derive(Debug, Serialize, Deserialize)]
pub struct Invitation {
    pub device: String,
    /// Until when it may be used (ms since the epoch).
    pub expires_at: i64,
    pub used: bool,
    /// The device's entry in the class list, added when it joins: an invitation nobody uses
    /// leaves no trace in the class. None in invitations made before this existed (their
    /// device was listed at once).
    #[serde(default)]
    pub joins_as: Option<Joining>,
}

/// How a device will be listed in the class once it joins.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Joining {
    pub name: String,
    pub role: DeviceRole,
    pub groups: Vec<GroupId>,
}

/// An open short code on the teacher's device: its secret digits, the invitation it hands
/// over, until when, and how often it was tried.
#[derive(Debug, Serialize, Deserialize)]
pub struct CodeRecord {
    pub secret: String,
    pub token: String,
    pub payload: Payload,
    /// Until when it may be used (ms since the epoch).
    pub expires_at: i64,
    pub attempts: u32,
}

/// The invitation behind `token`, if there is one (and it can be read).
pub fn invitation(store: &Store, token: &str) -> Result<Option<Invitation>> {
    Key::Invitation(token).get_json(store)
}

pub(crate) fn put_invitation(store: &Store, token: &str, invitation: &Invitation) -> Result<()> {
    Key::Invitation(token).set_json(store, invitation)
}

/// The short code open in `slot`, if any.
pub fn code(store: &Store, slot: &str) -> Result<Option<CodeRecord>> {
    Key::Code(slot).get_json(store)
}

pub(crate) fn put_code(store: &Store, slot: &str, record: &CodeRecord) -> Result<()> {
    Key::Code(slot).set_json(store, record)
}
