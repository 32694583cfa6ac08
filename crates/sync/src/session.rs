//! One sync session with one peer, as a state machine: frame bodies in, [`Effect`]s out.
//!
//! It touches no socket and no clock; the device's data comes through a [`Replica`]. The same
//! code runs over TLS between processes and over the in-memory network of the tests.
//!
//! The conversation: each side sends Hello; once the other's Hello is checked (same class and
//! protocol, not revoked), each sends its newer revocation list if the other's is older, the
//! documents it holds (the class document first, so the roster is current before any project
//! change is judged), the blobs it holds, and one Automerge sync message per document, with
//! the signatures of the document's authors (and, once per session, their certificates). From
//! then on every Sync is answered per document until Automerge has nothing more to say;
//! missing blobs are fetched a window at a time, resuming from what a previous session left
//! (`session/media.rs`). When a session goes quiet out of step, [`Session::idle`] starts the
//! disagreeing documents afresh.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use automerge::sync::{self, SyncDoc};
use automerge::AutoCommit;
use hugme_model::DocumentKind;

use crate::authorship::{Certified, Signature};
use crate::error::{Error, Result};
use crate::frame::{Message, CHUNK, PROTOCOL_VERSION};
use crate::policy::{self, Roster};
use crate::replica::Replica;

mod authors;
mod live;
mod media;
pub use live::{BLOBS_INDEXED, REVOCATIONS_CHANGED};

/// The goodbye of a device that has just deleted its class (the end of the term): its peer,
/// the teacher's device, then knows the device left even if the session never looked in step
/// from its side (a change it pushed crossed the device's last Done). Only the device itself
/// can say it of itself: a session's peer is its certificate's device.
pub const LEFT_THE_CLASS: &str = "this device left the class";
mod reading;
mod receive;

/// A sync message held back until the roster names its authors or a signed change arrives,
/// with the signatures it came with.
type Held = (sync::Message, Vec<Signature>);

/// The most a session's received sync messages may inflate to in all (bytes): a new tablet
/// catching up a whole class receives a few dozen documents of a few megabytes.
pub const SESSION_INFLATED: u64 = 1 << 30;
/// Bytes of a blob asked for in one Want; the next window is asked for when one arrives.
pub const WINDOW: u64 = 8 << 20;
/// Blobs fetched at once from one peer.
const ACTIVE_BLOBS: usize = 2;
/// Sync messages held back (authors not yet in the roster), in bytes.
const MAX_PENDING_BYTES: usize = 32 << 20;
/// Largest blob accepted from a peer (the media limit, with room).
const MAX_BLOB: u64 = 1 << 30;
/// Most documents a session speaks of (a class's term holds a few hundred).
const MAX_DOCUMENTS: usize = 20_000;

/// What the adapter must do after an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Send this frame body.
    Send(Vec<u8>),
    /// Close the connection; the reason is logged.
    Close { reason: String },
    /// A document changed with what the peer sent (the UI should refresh it).
    DocumentChanged(String),
    /// A blob arrived whole and matched its hash.
    BlobStored(String),
    /// Something the peer sent was refused; nothing of it was kept.
    Refused { what: String, why: String },
    /// A newer revocation list was taken: connections to revoked devices must end.
    RevocationsChanged,
}

#[derive(Debug)]
struct Incoming {
    total: u64,
    next: u64,
    window_end: u64,
}

/// Counts, for the summary a one-off sync prints.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Stats {
    pub documents_changed: usize,
    pub blobs_received: usize,
    /// Changes and blobs from the peer this side refused.
    pub refused: usize,
    /// Documents whose changes from this side the peer refused.
    pub refused_by_peer: usize,
    /// Blobs not fetched because the device's media budget (its quota) had no room.
    pub over_quota: usize,
}

/// How often a session starts a document's exchange afresh when it goes quiet out of step.
const MAX_RESTARTS: u32 = 3;
/// Every this many frames (and when idle), a session looks whether its peer was removed.
const REVOCATION_CHECK: u64 = 64;

/// A session with one peer.
#[derive(Debug)]
pub struct Session {
    me: String,
    class: String,
    peer: String,
    greeted: bool,
    closed: bool,
    kinds: HashMap<String, DocumentKind>,
    states: HashMap<String, sync::State>,
    /// Documents the peer holds that this replica does not yet: an empty copy to ask from.
    fresh: HashMap<String, AutoCommit>,
    roster: Option<Roster>,
    pending: BTreeMap<String, VecDeque<Held>>,
    /// Certificates checked in this session (passed on by the peer, or held), by device.
    certified: HashMap<String, Certified>,
    /// Devices whose certificate this side has sent in this session.
    certificates_sent: HashSet<String>,
    /// Per document, the peer's changes whose dependencies have not come yet. They are kept
    /// here, never in the held document (Automerge would save them with it and send them on
    /// unchecked), applied again with each later message, their missing dependencies asked
    /// for in this side's next message; a signature naming one of them vouches through it.
    orphans: HashMap<String, Vec<automerge::Change>>,
    /// Per document, checked signatures naming changes among its `orphans`: kept with the
    /// document once their change is in it (a later message may bring its dependency with
    /// only its own author's signatures), dropped with the orphans.
    orphan_signatures: HashMap<String, Vec<crate::authorship::Signature>>,
    pending_bytes: usize,
    /// Bytes the compressed parts of this session's sync messages inflated to, in all.
    inflated: u64,
    /// Documents whose changes from this peer were refused: no more is said of them in this
    /// session (Automerge would otherwise offer the refused changes again and again).
    refused: HashSet<String>,
    /// Documents the peer announced that this device may not hold (another group's
    /// protected names): never asked for, never taken (`session/reading.rs`).
    unreadable: HashSet<String>,
    /// Documents of this device's that the peer may not hold: never announced or sent.
    withheld: HashSet<String>,
    /// The documents this device listed for the peer's class, and those it took from the
    /// peer: the only held documents a session speaks of (`session/reading.rs`).
    listed: HashSet<String>,
    wanted: VecDeque<(String, u64)>,
    /// The hashes in `wanted`: each blob is wanted once.
    wanted_hashes: HashSet<String>,
    /// The blobs this replica's documents refer to, read once for the peer's offers and
    /// forgotten when a document changes (`session/media.rs`).
    referenced: Option<HashSet<String>>,
    /// Blobs the peer holds that no document here refers to (yet): fetched once one does.
    offered: BTreeMap<String, u64>,
    incoming: HashMap<String, Incoming>,
    peer_done: bool,
    said_done: bool,
    /// The peer said goodbye with [`LEFT_THE_CLASS`].
    peer_left: bool,
    /// How often each document's exchange was started afresh in this session (`idle`).
    restarts: HashMap<String, u32>,
    /// Frames received, to look at the revocation list every so often.
    frames: u64,
    /// This device's clock when the session began (ms since the epoch; 0: not told).
    clock: u64,
    /// The peer's clock minus this one's, from the two Hellos (ms).
    peer_clock_offset: Option<i64>,
    /// Bytes free on this device's disk, to say in the Hello (0: not told).
    free_space: u64,
    /// …and on the peer's, from its Hello.
    peer_free_space: Option<u64>,
    /// Ask the peer for media it has and this side lacks (off while media is paused).
    fetch_media: bool,
    /// What this device may still fetch, shared with its other sessions (none: no limit).
    budget: Option<std::sync::Arc<crate::budget::MediaBudget>>,
    /// Bytes taken from the budget per blob on its way (given back if not kept).
    reserved: HashMap<String, u64>,
    /// Bytes of media asked for in this session, and how many have arrived (for a progress
    /// bar).
    media_total: u64,
    media_done: u64,
    /// The blobs this side has offered the peer, and the replica's blob generation then
    /// (`session/live.rs`).
    blobs_offered: HashSet<String>,
    blob_generation: u64,
    /// The number of the newest revocation list the peer holds (its Hello, and what this
    /// side sent it since).
    peer_revocations: u64,
    /// This side keeps the session open and pushes its changes (a live session), and whether
    /// the peer said it does: a one-off peer is told only of what was here when it began.
    live: bool,
    peer_live: bool,
    pub stats: Stats,
}

impl Session {
    /// A session of device `me` in class `class` with `peer`, whose identity the transport
    /// has established (its certificate).
    pub fn new(me: &str, class: &str, peer: &str) -> Self {
        Session {
            me: me.into(),
            class: class.into(),
            peer: peer.into(),
            greeted: false,
            closed: false,
            kinds: HashMap::new(),
            states: HashMap::new(),
            fresh: HashMap::new(),
            roster: None,
            pending: BTreeMap::new(),
            certified: HashMap::new(),
            certificates_sent: HashSet::new(),
            orphans: HashMap::new(),
            orphan_signatures: HashMap::new(),
            pending_bytes: 0,
            inflated: 0,
            refused: HashSet::new(),
            unreadable: HashSet::new(),
            withheld: HashSet::new(),
            listed: HashSet::new(),
            wanted: VecDeque::new(),
            wanted_hashes: HashSet::new(),
            referenced: None,
            offered: BTreeMap::new(),
            incoming: HashMap::new(),
            peer_done: false,
            said_done: false,
            peer_left: false,
            restarts: HashMap::new(),
            frames: 0,
            clock: 0,
            peer_clock_offset: None,
            free_space: 0,
            peer_free_space: None,
            fetch_media: true,
            budget: None,
            reserved: HashMap::new(),
            media_total: 0,
            media_done: 0,
            blobs_offered: HashSet::new(),
            blob_generation: 0,
            peer_revocations: 0,
            live: false,
            peer_live: false,
            stats: Stats::default(),
        }
    }

    /// Tells the session this device's clock (ms since the epoch), to send in its Hello; the
    /// caller reads the clock, so the session stays free of I/O.
    pub fn with_clock(mut self, now_ms: u64) -> Self {
        self.clock = now_ms;
        self
    }

    /// Tells the session how many bytes are free on this device's disk, to say in its Hello.
    pub fn with_free_space(mut self, bytes: Option<u64>) -> Self {
        self.free_space = bytes.unwrap_or(0);
        self
    }

    /// A live session: it stays open and pushes this device's changes
    /// ([`Session::local_changes`]), and says so in its Hello.
    pub fn with_live(mut self, live: bool) -> Self {
        self.live = live;
        self
    }

    /// Whether to fetch the peer's media in this session (documents sync either way).
    pub fn with_media(mut self, fetch: bool) -> Self {
        self.fetch_media = fetch;
        self
    }

    /// Fetches media only within this budget (shared with the device's other sessions): a
    /// blob's missing bytes are taken from it before they are asked for.
    pub fn with_media_budget(mut self, budget: std::sync::Arc<crate::budget::MediaBudget>) -> Self {
        self.budget = Some(budget);
        self
    }

    /// Bytes free on the peer's disk, once its Hello said.
    pub fn peer_free_space(&self) -> Option<u64> {
        self.peer_free_space
    }

    /// How far the peer's clock is ahead of this one's (ms; negative: behind), once both
    /// Hellos said their clocks. Includes the network's delay (well under a second on a LAN).
    pub fn peer_clock_offset(&self) -> Option<i64> {
        self.peer_clock_offset
    }

    pub fn peer(&self) -> &str {
        &self.peer
    }

    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// The first frame: Hello.
    pub fn start(&mut self, replica: &mut dyn Replica) -> Vec<Effect> {
        let mut out = Vec::new();
        let revocations = match replica.revocations() {
            Ok(r) => r.map_or(0, |(n, _)| n),
            Err(e) => return self.fail(e),
        };
        send(
            &mut out,
            Message::Hello {
                version: PROTOCOL_VERSION,
                device: self.me.clone(),
                class: self.class.clone(),
                revocations,
                clock: self.clock,
                free: self.free_space,
                live: self.live,
            },
        );
        out
    }

    /// A frame body from the peer.
    pub fn receive(&mut self, body: &[u8], replica: &mut dyn Replica) -> Vec<Effect> {
        if self.closed {
            return Vec::new();
        }
        let message = match Message::decode(body) {
            Ok(m) => m,
            Err(e) => return self.close(format!("malformed frame from {}: {e}", self.peer)),
        };
        // A peer removed from the class while its session runs (a long media transfer)
        // is let go within a few frames, not when it happens to finish.
        self.frames += 1;
        if self.greeted && self.frames.is_multiple_of(REVOCATION_CHECK) {
            if let Some(out) = self.close_if_revoked(replica) {
                return out;
            }
        }
        // A keepalive says nothing: no work for it (a flood of them costs a decode each).
        if message == Message::Ping && self.greeted {
            return Vec::new();
        }
        let mut out = Vec::new();
        if let Err(e) = self.handle(message, replica, &mut out) {
            out.extend(self.fail(e));
            return out;
        }
        if !self.closed {
            self.maybe_say_done(replica, &mut out);
        }
        out
    }

    /// Closes the session if the revocation list held now removes the peer (the adapter
    /// asks every second, whatever the traffic).
    pub fn check_revoked(&mut self, replica: &mut dyn Replica) -> Vec<Effect> {
        if !self.greeted || self.closed {
            return Vec::new();
        }
        self.close_if_revoked(replica).unwrap_or_default()
    }

    /// Sends the peer this device's revocation list if it is newer than the peer's.
    fn send_newer_revocations(
        &mut self,
        replica: &mut dyn Replica,
        out: &mut Vec<Effect>,
    ) -> Result<()> {
        if let Some((ours, der)) = replica.revocations()? {
            if ours > self.peer_revocations {
                self.peer_revocations = ours;
                send(out, Message::Revocations { der });
            }
        }
        Ok(())
    }

    fn close_if_revoked(&mut self, replica: &mut dyn Replica) -> Option<Vec<Effect>> {
        match replica.is_revoked(&self.peer) {
            Ok(true) => Some(self.close(format!("{} has been removed from the class", self.peer))),
            Ok(false) => None,
            Err(e) => Some(self.fail(e)),
        }
    }

    /// Where the session stands, for tracing.
    pub fn describe(&self) -> String {
        format!(
            "greeted {} said_done {} peer_done {} incoming {} wanted {} pending {} refused {}",
            self.greeted,
            self.said_done,
            self.peer_done,
            self.incoming.len(),
            self.wanted.len(),
            self.pending.len(),
            self.refused.len()
        )
    }

    /// Both Hellos were exchanged and checked: the peer is of this class and speaks this
    /// protocol (a session that fails before this reached nobody).
    pub fn is_greeted(&self) -> bool {
        self.greeted
    }

    /// Whether the peer said goodbye because it deleted its class ([`LEFT_THE_CLASS`]).
    pub fn peer_left(&self) -> bool {
        self.peer_left
    }

    /// Whether this side holds everything the peer has told it of, has no blob on the way and
    /// the peer has said the same: a one-off sync may end.
    pub fn is_finished(&self) -> bool {
        self.said_done && self.peer_done
    }

    fn close(&mut self, reason: String) -> Vec<Effect> {
        self.closed = true;
        vec![
            Effect::Send(
                Message::Bye {
                    reason: reason.clone(),
                }
                .encode(),
            ),
            Effect::Close { reason },
        ]
    }

    fn fail(&mut self, e: Error) -> Vec<Effect> {
        self.close(format!("session with {} failed: {e}", self.peer))
    }

    fn handle(
        &mut self,
        message: Message,
        replica: &mut dyn Replica,
        out: &mut Vec<Effect>,
    ) -> Result<()> {
        if !self.greeted && !matches!(message, Message::Hello { .. } | Message::Bye { .. }) {
            out.extend(self.close("the peer spoke before saying hello".into()));
            return Ok(());
        }
        // Anything but Done (or the goodbye after it, or a keepalive) may bring news: not in
        // step any more.
        if !matches!(message, Message::Done | Message::Bye { .. } | Message::Ping) {
            self.peer_done = false;
        }
        match message {
            Message::Hello {
                version,
                device,
                class,
                revocations,
                clock,
                free,
                live,
            } => {
                self.peer_live = live;
                if clock != 0 && self.clock != 0 {
                    // Any u64 may come from the peer: no overflow, whatever it says.
                    let offset = i128::from(clock) - i128::from(self.clock);
                    self.peer_clock_offset =
                        Some(offset.clamp(i128::from(i64::MIN + 1), i128::from(i64::MAX)) as i64);
                }
                self.peer_free_space = (free != 0).then_some(free);
                self.hello(version, &device, &class, revocations, replica, out)
            }
            Message::Revocations { der } => {
                if replica.offer_revocations(&der)? {
                    out.push(Effect::RevocationsChanged);
                    if replica.is_revoked(&self.peer)? {
                        out.extend(
                            self.close(format!("{} has been removed from the class", self.peer)),
                        );
                    }
                }
                Ok(())
            }
            Message::Documents { list } => {
                // A class holds a few hundred documents; a peer that names more is not
                // syncing one (each named id is looked at again and again in a live session).
                if self.kinds.len().saturating_add(list.len()) > MAX_DOCUMENTS {
                    out.extend(self.close(format!(
                        "{} named more than {MAX_DOCUMENTS} documents",
                        self.peer
                    )));
                    return Ok(());
                }
                self.announced(list, replica)
            }
            Message::Sync {
                document,
                message,
                signatures,
            } => self.sync(document, &message, signatures, replica, out),
            Message::Certificate { der } => self.take_certificate(&der, replica, out),
            Message::Have { blobs } => {
                // Kept while media is off too: fetched once it is on again (`resume_media`).
                self.offered_blobs(blobs, replica)?;
                if self.fetch_media {
                    self.fetch_more(replica, out)?;
                }
                Ok(())
            }
            Message::Want { hash, offset, len } => {
                let Some(total) = replica.blob_size(&hash)? else {
                    return Ok(()); // not held (any more): the peer's transfer stays unfinished
                };
                let end = total.min(offset.saturating_add(len.min(WINDOW)));
                let mut at = offset.min(end);
                while at < end {
                    let n = (end - at).min(CHUNK as u64) as usize;
                    let bytes = replica.read_blob(&hash, at, n)?;
                    if bytes.is_empty() {
                        break;
                    }
                    let sent = bytes.len() as u64;
                    send(
                        out,
                        Message::Chunk {
                            hash: hash.clone(),
                            offset: at,
                            total,
                            bytes,
                        },
                    );
                    at += sent;
                }
                Ok(())
            }
            Message::Chunk {
                hash,
                offset,
                total,
                bytes,
            } => self.chunk(hash, offset, total, &bytes, replica, out),
            Message::Bye { reason } => {
                self.closed = true;
                self.peer_left = reason == LEFT_THE_CLASS;
                out.push(Effect::Close {
                    reason: format!("{} said goodbye: {reason}", self.peer),
                });
                Ok(())
            }
            Message::Done => {
                self.peer_done = true;
                Ok(())
            }
            Message::Ping => Ok(()),
            Message::Refused { document, reason } => {
                if self.refused.insert(document.clone()) {
                    self.stats.refused_by_peer += 1;
                }
                out.push(Effect::Refused {
                    what: format!("{} refused this device's changes to {document}", self.peer),
                    why: reason,
                });
                Ok(())
            }
            Message::Join { .. }
            | Message::Welcome { .. }
            | Message::CodeJoin { .. }
            | Message::CodeReply { .. }
            | Message::CodeProof { .. }
            | Message::Invite { .. } => {
                out.extend(self.close("enrolment messages in a sync session".into()));
                Ok(())
            }
        }
    }

    fn hello(
        &mut self,
        version: u16,
        device: &str,
        class: &str,
        revocations: u64,
        replica: &mut dyn Replica,
        out: &mut Vec<Effect>,
    ) -> Result<()> {
        if self.greeted {
            out.extend(self.close("a second hello".into()));
            return Ok(());
        }
        if version != PROTOCOL_VERSION {
            out.extend(self.close(format!(
                "{device} speaks protocol {version}, this device {PROTOCOL_VERSION}: update the older app"
            )));
            return Ok(());
        }
        if class != self.class || device != self.peer {
            out.extend(self.close(format!(
                "{device} of class {class} is not who its certificate says ({} of class {})",
                self.peer, self.class
            )));
            return Ok(());
        }
        if replica.is_revoked(device)? {
            out.extend(self.close(format!("{device} has been removed from the class")));
            return Ok(());
        }
        self.greeted = true;
        self.peer_revocations = revocations;
        self.send_newer_revocations(replica, out)?;
        let mut docs = replica.documents()?;
        // The class document first: its roster judges every other document's changes.
        docs.sort_by_key(|d| (d.kind != DocumentKind::Class, d.id.clone()));
        self.listed = docs.iter().map(|d| d.id.clone()).collect();
        let mut readable = Vec::with_capacity(docs.len());
        for doc in docs {
            if self.peer_may_read(&doc.id, Some(doc.kind), replica)?
                && self.may_hold(&doc.id, Some(doc.kind), replica)?
            {
                readable.push(doc);
            } else {
                self.withheld.insert(doc.id);
            }
        }
        let docs = readable;
        send(
            out,
            Message::Documents {
                list: docs.iter().map(|d| (d.id.clone(), d.kind)).collect(),
            },
        );
        // The generation first: a blob indexed while the list is read is offered again later.
        self.blob_generation = replica.blob_generation()?;
        let blobs = replica.blobs()?;
        self.blobs_offered = blobs.iter().map(|(hash, _)| hash.clone()).collect();
        send(out, Message::Have { blobs });
        for doc in docs {
            self.kinds.insert(doc.id.clone(), doc.kind);
            self.generate(&doc.id, replica, out)?;
        }
        Ok(())
    }

    fn state(&mut self, document: &str, replica: &mut dyn Replica) -> Result<&mut sync::State> {
        if !self.states.contains_key(document) {
            let state = replica
                .sync_state(document, &self.peer)?
                .and_then(|bytes| sync::State::decode(&bytes).ok())
                .unwrap_or_default();
            self.states.insert(document.to_owned(), state);
        }
        Ok(self.states.entry(document.to_owned()).or_default())
    }

    /// Sends this side's next sync message for a document, if Automerge has one.
    fn generate(
        &mut self,
        id: &str,
        replica: &mut dyn Replica,
        out: &mut Vec<Effect>,
    ) -> Result<()> {
        if self.unreadable.contains(id) || self.withheld.contains(id) {
            return Ok(());
        }
        if self.unlisted(id, replica)? {
            return Ok(());
        }
        let kind = self.kinds.get(id).copied();
        if !self.peer_may_read(id, kind, replica)? {
            self.withheld.insert(id.to_owned());
            return Ok(());
        }
        let mut state = std::mem::take(self.state(id, replica)?);
        let message = match replica.document(id)? {
            Some(doc) => doc.sync().generate_sync_message(&mut state),
            None => self
                .fresh
                .entry(id.to_owned())
                .or_default()
                .sync()
                .generate_sync_message(&mut state),
        };
        self.states.insert(id.to_owned(), state);
        if let Some(mut message) = message {
            // Automerge asks for what its held-back changes lack; they are held here instead.
            let missing = self.missing(id, replica)?;
            if !missing.is_empty() {
                message.need.extend(missing);
                // Automerge's encoding wants them sorted, once each.
                message.need.sort();
                message.need.dedup();
            }
            let signatures = if message.changes.is_empty() {
                Vec::new()
            } else {
                self.outgoing_signatures(id, replica, out)?
            };
            send(
                out,
                Message::Sync {
                    document: id.to_owned(),
                    message: message.encode(),
                    signatures,
                },
            );
        }
        Ok(())
    }

    /// Tells the peer once whenever this side has caught up with everything it heard of.
    fn maybe_say_done(&mut self, replica: &mut dyn Replica, out: &mut Vec<Effect>) {
        let sending = out.iter().any(|e| matches!(e, Effect::Send(_)));
        let caught_up = self.quiet() && !sending && self.disagreeing(replica).is_empty();
        if caught_up && !self.said_done {
            send(out, Message::Done);
        }
        self.said_done = caught_up;
    }

    /// Greeted, and nothing on its way in (media waiting while media is off does not count:
    /// a one-off sync without media ends once the documents are in step).
    fn quiet(&self) -> bool {
        self.greeted
            && self.incoming.is_empty()
            && (self.wanted.is_empty() || !self.fetch_media)
            && self.pending.is_empty()
    }

    /// The connection has been silent for a while (the driver calls this). If some documents
    /// still disagree, Automerge believes the peer was sent what it needs (a message built on
    /// a state that moved on while it travelled) and neither side would speak again: each
    /// such document starts its exchange afresh, so a session never waits for good.
    pub fn idle(&mut self, replica: &mut dyn Replica) -> Vec<Effect> {
        let mut out = Vec::new();
        if self.closed {
            return out;
        }
        if self.greeted {
            if let Some(out) = self.close_if_revoked(replica) {
                return out;
            }
        }
        if !self.quiet() || self.is_finished() {
            return out;
        }
        for id in self.disagreeing(replica) {
            // A document the peer cannot take yet (held back, say) would be re-sent every
            // second for the whole session: a few fresh starts, then it waits for the next.
            let restarts = self.restarts.entry(id.clone()).or_insert(0);
            if *restarts >= MAX_RESTARTS {
                continue;
            }
            *restarts += 1;
            self.states.insert(id.clone(), sync::State::new());
            // A document that cannot be read now is left to the next session.
            let _ = self.generate(&id, replica, &mut out);
        }
        out
    }

    /// Documents whose heads this side and the peer do not (yet) agree on.
    fn disagreeing(&mut self, replica: &mut dyn Replica) -> Vec<String> {
        let ids: Vec<String> = self
            .kinds
            .keys()
            .filter(|id| {
                !self.refused.contains(*id)
                    && !self.unreadable.contains(*id)
                    && !self.withheld.contains(*id)
            })
            .cloned()
            .collect();
        ids.into_iter()
            .filter(|id| {
                let ours = match replica.document(id) {
                    Ok(Some(doc)) => doc.get_heads(),
                    Ok(None) => Vec::new(),
                    Err(_) => return true,
                };
                self.states.get(id).and_then(|s| s.their_heads.clone()) != Some(ours)
            })
            .collect()
    }
}

/// However a session ends (finished, cut off, failed), what it reserved of the media budget
/// and did not receive goes back (a later session asks again for the rest; what did arrive
/// stays on disk, counted).
impl Drop for Session {
    fn drop(&mut self) {
        if let Some(budget) = &self.budget {
            for (hash, incoming) in &self.incoming {
                if self.reserved.contains_key(hash) {
                    budget.give_back(incoming.total - incoming.next);
                }
            }
        }
    }
}

/// The roster of class `class` as `replica` holds it now (empty if it holds none).
fn held_roster(replica: &mut dyn Replica, class: &str) -> Result<Roster> {
    Ok(replica
        .document(class)?
        .map(|d| Roster::of_class(d))
        .unwrap_or_default())
}

/// The devices that wrote `changes`, for the log.
fn authors_of<'a>(changes: impl IntoIterator<Item = &'a automerge::Change>) -> String {
    let mut authors: Vec<String> = changes
        .into_iter()
        .map(|c| policy::device_of(c.actor_id()))
        .collect();
    authors.sort();
    authors.dedup();
    authors.join(", ")
}

fn send(out: &mut Vec<Effect>, message: Message) {
    out.push(Effect::Send(message.encode()));
}
