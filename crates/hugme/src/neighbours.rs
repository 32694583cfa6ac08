//! A hub's neighbours: it announces itself with mDNS, listens for the class's other devices,
//! and syncs with each it hears, again and again, so that every device converges through
//! whoever it can reach (store and forward).

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hugme_discovery::{Discovery, Peer};
use hugme_sync::net::{self, Host};

use crate::error::{Error, Result};
use crate::hub::Hub;

/// How often a hub syncs with each neighbour it hears.
const ROUND: Duration = Duration::from_secs(2);
/// The longest one session with a neighbour may take (media of a whole project fits).
const GIVE_UP: Duration = Duration::from_secs(600);

/// Starts announcing and syncing with neighbours, on the current tokio runtime.
pub fn start(hub: Arc<Hub>, listening: SocketAddr) -> Result<()> {
    let credentials = hub.credentials();
    let discovery = Discovery::start(
        &credentials.class,
        &credentials.device,
        listening.ip(),
        listening.port(),
    )
    .map_err(|e| Error::Identity(format!("cannot announce on the network: {e}")))?;
    let me = credentials.device.clone();
    let started = Instant::now();
    tokio::spawn(async move {
        // When each neighbour was last synced with (by this side), and who is being synced
        // with now: each neighbour in a task of its own, so that one that has left the room
        // (its connect hanging until TCP gives up) holds up nobody else.
        let mut last: HashMap<String, Instant> = HashMap::new();
        let busy: Arc<Mutex<HashSet<String>>> = Arc::default();
        loop {
            for peer in discovery.peers() {
                let due = match last.get(&peer.device) {
                    // Just heard: sync now, whichever side this is, so that a tablet that
                    // joins the network starts its first sync at once.
                    None => {
                        hub.log(&format!(
                            "discovered {} at {:?}, {} ms after this hub started announcing",
                            peer.device,
                            peer.addresses,
                            started.elapsed().as_millis()
                        ));
                        true
                    }
                    // Afterwards one side of each pair starts the sessions; the other serves.
                    Some(at) => me < peer.device && at.elapsed() >= ROUND,
                };
                if !due || !lock(&busy).insert(peer.device.clone()) {
                    continue;
                }
                last.insert(peer.device.clone(), Instant::now());
                let (hub, busy) = (hub.clone(), busy.clone());
                tokio::spawn(async move {
                    // A device that accepts the connection but never answers (asleep, say)
                    // must not keep this neighbour busy for good.
                    if tokio::time::timeout(GIVE_UP, sync_with(&hub, &peer))
                        .await
                        .is_err()
                    {
                        hub.log(&format!("gave up on a session with {}", peer.device));
                    }
                    lock(&busy).remove(&peer.device);
                });
            }
            // Listen often for newcomers; sync with known neighbours every round.
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    Ok(())
}

/// One session with a neighbour, at the first of its addresses that answers.
async fn sync_with(hub: &Hub, peer: &Peer) {
    for addr in &peer.addresses {
        match net::sync_once(&addr.to_string(), hub, None).await {
            Ok(ended) => {
                hub.log(&format!(
                    "synced with {} at {addr}: {} documents changed, {} blobs received; {}",
                    peer.device,
                    ended.stats.documents_changed,
                    ended.stats.blobs_received,
                    if ended.finished {
                        "in step"
                    } else {
                        "not in step"
                    }
                ));
                return;
            }
            Err(e) => hub.log(&format!(
                "could not sync with {} at {addr}: {e}",
                peer.device
            )),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
