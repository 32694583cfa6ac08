//! A device's neighbours: it announces itself with mDNS, listens for the class's other devices,
//! and keeps a live session open with each it hears (one per pair: after the first meeting,
//! the device with the smaller id dials), so that every change travels as it is made and every
//! device converges through whoever it can reach (store and forward). A session that ends
//! (the peer went silent, the Wi-Fi dropped) is dialled again, sooner after a good session and
//! a little later after each failure in a row ([`backoff`]).
//!
//! School Wi-Fi often drops multicast, so mDNS is only the first way to a peer. Each round
//! the device also tries, for devices it does not hear: addresses typed by hand
//! (`hugme hub --peer`), the address where each was last reached, and the teacher addresses of
//! its enrolment code. Whatever answers is remembered for next time.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hugme_discovery::{Discovery, Peer};
use hugme_sync::net::{self, Host};

use hugme_task::lock;

use crate::error::{Error, Result};
use crate::membership::addresses;
use crate::node::Node;

/// How often a device looks at its neighbours: dials those with no live session that are due.
const ROUND: Duration = Duration::from_secs(2);
/// The longest wait before dialling a neighbour again after failures in a row.
const MOST_BACKOFF: Duration = Duration::from_secs(8);
/// A clock further off than this is worth a line in the log.
const CLOCK_OFF_MS: u64 = 5 * 60 * 1000;
/// How long an address may take to accept a connection: many fallbacks lead nowhere (a
/// tablet that went home), and a round must not wait on them. Long enough for two lost SYNs.
const CONNECT_WITHIN: Duration = Duration::from_secs(5);

/// How a device finds its neighbours.
#[derive(Debug, Clone, Default)]
pub struct Reach {
    /// Announce and listen with mDNS (multicast). Off: only the fallbacks.
    pub discovery: bool,
    /// Also try remembered and enrolment addresses. Off (`hugme hub --mdns-only`): only
    /// what mDNS finds, to see whether multicast gets through.
    pub fallbacks: bool,
    /// Addresses typed by hand (`host:port`), tried every round.
    pub typed: Vec<String>,
}

/// Why an address is being tried, for the log (and `hugme doctor`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Via {
    Mdns,
    LastSeen,
    Enrolment,
    Typed,
}

impl Via {
    fn words(self) -> &'static str {
        match self {
            Via::Mdns => "mDNS",
            Via::LastSeen => "its last address",
            Via::Enrolment => "the enrolment code's hub address",
            Via::Typed => "an address typed by hand",
        }
    }
}

/// Starts syncing with neighbours (and announcing, with discovery), on the current tokio
/// runtime.
pub fn start(node: Arc<Node>, listening: SocketAddr, reach: Reach) -> Result<()> {
    let credentials = node.credentials();
    let discovery = if reach.discovery {
        Some(
            Discovery::start(
                &credentials.class,
                &credentials.device,
                listening.ip(),
                listening.port(),
                node.is_class_authority(),
            )
            .map_err(Error::Announce)?,
        )
    } else {
        None
    };
    let me = credentials.device.clone();
    let started = Instant::now();
    tokio::spawn(async move {
        // When each neighbour (or fallback address) was last synced with by this side, and
        // who is being synced with now: each in a task of its own, so that one that has left
        // the room (its connect hanging until TCP gives up) holds up nobody else.
        let mut last: HashMap<String, Instant> = HashMap::new();
        // Where each neighbour was heard: a new address (back on the Wi-Fi with another
        // lease) is synced with at once, like a newcomer.
        let mut heard_at: HashMap<String, Vec<SocketAddr>> = HashMap::new();
        // Neighbours to sync with at once (just heard, or moved), even if `last` says
        // otherwise; each is logged as discovered once.
        let mut now_due: HashSet<String> = HashSet::new();
        let busy: Arc<Mutex<HashSet<String>>> = Arc::default();
        // Failed sessions in a row, per neighbour or address (reset by a good one).
        let failures: Arc<Mutex<HashMap<String, u32>>> = Arc::default();
        // The first round's fallbacks go at once: a tablet on a network without multicast
        // starts its first sync as soon as it starts.
        let mut fallback_round = Instant::now()
            .checked_sub(ROUND)
            .unwrap_or_else(Instant::now);
        // Blobs indexed here (received whole by a session, or stored by an import) are
        // offered by every live session: the writer indexes them a moment after they arrive.
        let mut blobs_seen = node.store().blob_generation();
        loop {
            let blobs_now = node.store().blob_generation();
            if blobs_now != blobs_seen {
                blobs_seen = blobs_now;
                node.blobs_indexed();
            }
            if node.has_left_class() {
                // The class was deleted here (its term ended): announce and sync no more.
                if let Some(discovery) = discovery {
                    discovery.stop();
                }
                return;
            }
            let heard = discovery.as_ref().map(Discovery::peers).unwrap_or_default();
            for peer in &heard {
                let moved = heard_at
                    .insert(peer.device.clone(), peer.addresses.clone())
                    .is_some_and(|before| before != peer.addresses);
                if moved {
                    node.log(&format!(
                        "heard {} at a new address: at {}",
                        peer.device,
                        listed(&peer.addresses)
                    ));
                    now_due.insert(peer.device.clone());
                }
                let due = match last.get(&peer.device) {
                    // Just heard: sync now, whichever side this is, so that a tablet that
                    // joins the network starts its first sync at once.
                    None => {
                        if now_due.insert(peer.device.clone()) {
                            node.log(&format!(
                                "discovered {} at {}, {} ms after this device started announcing",
                                peer.device,
                                listed(&peer.addresses),
                                started.elapsed().as_millis()
                            ));
                        }
                        true
                    }
                    // Moved: at once too (its session may still be running at the old one).
                    Some(_) if now_due.contains(&peer.device) => true,
                    // Afterwards one side of each pair dials; the other serves.
                    Some(at) => {
                        me < peer.device && at.elapsed() >= backoff(&lock(&failures), &peer.device)
                    }
                };
                if node.is_live(&peer.device) {
                    // A live session (dialled by either side) carries everything.
                    now_due.remove(&peer.device);
                    last.insert(peer.device.clone(), Instant::now());
                    continue;
                }
                if due && lock(&busy).insert(peer.device.clone()) {
                    now_due.remove(&peer.device);
                    last.insert(peer.device.clone(), Instant::now());
                    let addrs = peer.addresses.iter().map(|a| (a.to_string(), Via::Mdns));
                    spawn_session(
                        &node,
                        &busy,
                        &failures,
                        peer.device.clone(),
                        addrs.collect(),
                        started,
                    );
                }
            }
            // Fallbacks once a round (they read the data folder's address book).
            if fallback_round.elapsed() >= ROUND {
                fallback_round = Instant::now();
                for (addr, via) in
                    fallbacks(&node, &heard, reach.fallbacks, &reach.typed, &me, listening)
                {
                    let key = format!("addr {addr}");
                    let waited = last
                        .get(&key)
                        .is_none_or(|at| at.elapsed() >= backoff(&lock(&failures), &key));
                    if waited && lock(&busy).insert(key.clone()) {
                        last.insert(key.clone(), Instant::now());
                        spawn_session(&node, &busy, &failures, key, vec![(addr, via)], started);
                    }
                }
            }
            // Listen often for newcomers; sync with known neighbours every round.
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    Ok(())
}

/// The addresses to try this round besides mDNS, each once, in order: the typed ones, where
/// devices not heard were last reached, the enrolment code's hubs. Never this device's own,
/// nor one of a device heard by mDNS (synced with already).
fn fallbacks(
    node: &Node,
    heard: &[Peer],
    fallbacks: bool,
    typed: &[String],
    me: &str,
    listening: SocketAddr,
) -> Vec<(String, Via)> {
    let heard_devices: HashSet<&str> = heard.iter().map(|p| p.device.as_str()).collect();
    let mut skip: HashSet<String> = heard
        .iter()
        .flat_map(|p| p.addresses.iter().map(SocketAddr::to_string))
        .collect();
    skip.insert(listening.to_string());
    // An unreadable table costs only this round's fallbacks, not the session host.
    let seen = addresses::last_seen(node.store()).unwrap_or_default();
    // A device with a live session is not dialled again at any address it was seen at (an
    // enrolment code's hub address, or one typed by hand, is often one).
    for (device, seen) in &seen {
        if node.is_live(device) {
            skip.insert(seen.addr.clone());
        }
    }
    let mut out = Vec::new();
    let mut add = |addr: String, via: Via| {
        if skip.insert(addr.clone()) {
            out.push((addr, via));
        }
    };
    // Typed first: a teacher who typed an address means that device.
    for addr in typed {
        add(addr.clone(), Via::Typed);
    }
    if fallbacks {
        for (device, seen) in seen {
            if device != me && !heard_devices.contains(device.as_str()) {
                add(seen.addr, Via::LastSeen);
            }
        }
        for addr in addresses::enrolment_hubs(node.store()).unwrap_or_default() {
            add(addr, Via::Enrolment);
        }
    }
    out
}

/// Addresses for the log: `10.0.0.2:7420, 10.0.0.3:7420`.
fn listed(addresses: &[SocketAddr]) -> String {
    addresses
        .iter()
        .map(SocketAddr::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// How long to wait before dialling `key` again: a round after a good session, a round more
/// after each failure in a row, at most [`MOST_BACKOFF`] (a device back on the network, or a
/// hub restarted, is met again within seconds; one gone for the day costs a try every 8 s).
fn backoff(failures: &HashMap<String, u32>, key: &str) -> Duration {
    let n = failures.get(key).copied().unwrap_or(0).min(8);
    (ROUND * (1 + n)).min(MOST_BACKOFF)
}

/// Runs one live session in a task of its own; `key` is busy until it ends, and its failures
/// in a row are counted.
fn spawn_session(
    node: &Arc<Node>,
    busy: &Arc<Mutex<HashSet<String>>>,
    failures: &Arc<Mutex<HashMap<String, u32>>>,
    key: String,
    addrs: Vec<(String, Via)>,
    started: Instant,
) {
    let (node, busy, failures) = (node.clone(), busy.clone(), failures.clone());
    tokio::spawn(async move {
        let device = (!key.starts_with("addr ")).then_some(key.as_str());
        let good = sync_with(&node, device, &addrs, started).await;
        let mut failures = lock(&failures);
        if good {
            failures.remove(&key);
        } else {
            *failures.entry(key.clone()).or_insert(0) += 1;
        }
        drop(failures);
        lock(&busy).remove(&key);
    });
}

/// One live session, at the first of the addresses that answers; once greeted, says so and
/// remembers where that was. Whether the peer was greeted (a good session, however it ended).
async fn sync_with(
    node: &Node,
    device: Option<&str>,
    addrs: &[(String, Via)],
    started: Instant,
) -> bool {
    let began = started.elapsed().as_millis();
    for (addr, via) in addrs {
        let (greeted, mut heard) = tokio::sync::oneshot::channel();
        // An address that does not answer at once (a stale one of a device that moved, a
        // fallback that leads nowhere today) must not hold up the next.
        let session = net::live_within(addr, node, CONNECT_WITHIN, greeted);
        tokio::pin!(session);
        let mut waiting = true;
        let result = loop {
            tokio::select! {
                result = &mut session => break result,
                peer = &mut heard, if waiting => {
                    waiting = false;
                    if let Ok(peer) = peer {
                        node.log(&format!(
                            "synced with {peer} at {addr} (found by {}, began {began} ms after \
                             this device started): live",
                            via.words()
                        ));
                        // Nothing is noted on a device that has just deleted its class.
                        if !node.has_left_class() {
                            if let Err(e) = addresses::remember(node.store(), &peer, addr) {
                                node.log(&format!("could not note where {peer} was: {e}"));
                            }
                        }
                    }
                }
            }
        };
        match result {
            Ok(ended) => {
                node.log(&format!(
                    "session with {} at {addr} ended: {}; {} documents changed, {} blobs \
                     received; {}",
                    ended.peer,
                    ended.reason,
                    ended.stats.documents_changed,
                    ended.stats.blobs_received,
                    if ended.finished {
                        "in step"
                    } else {
                        "not in step"
                    }
                ));
                if let Some(off) = ended
                    .peer_clock_offset
                    .filter(|o| o.unsigned_abs() > CLOCK_OFF_MS)
                {
                    // Certificates and "last changed" depend on clocks: say it where the
                    // teacher looks (`hugme doctor` says what to do).
                    node.log(&format!(
                        "the clock of {} is {} minutes {} this device's",
                        ended.peer,
                        off.unsigned_abs() / 60_000,
                        if off > 0 { "ahead of" } else { "behind" }
                    ));
                }
                return ended.greeted;
            }
            // Fallbacks are tried every round: only an answer is news.
            Err(e) if *via == Via::Mdns => {
                node.log(&format!("could not sync at {addr}: {e}"));
                if let Some(device) = device {
                    node.note_failure(device, &e.to_string());
                }
            }
            Err(_) => {}
        }
    }
    false
}
