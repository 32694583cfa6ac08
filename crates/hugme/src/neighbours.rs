//! A hub's neighbours: it announces itself with mDNS, listens for the class's other devices,
//! and syncs with each it hears, again and again, so that every device converges through
//! whoever it can reach (store and forward).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hugme_discovery::Discovery;
use hugme_sync::net::{self, Host};

use crate::error::{Error, Result};
use crate::hub::Hub;

/// How often a hub syncs with each neighbour it hears.
const ROUND: Duration = Duration::from_secs(2);

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
    tokio::spawn(async move {
        let mut known = std::collections::HashSet::new();
        loop {
            for peer in discovery.peers() {
                if known.insert(peer.device.clone()) {
                    hub.log(&format!(
                        "discovered {} at {:?}",
                        peer.device, peer.addresses
                    ));
                }
                // One side of each pair starts the session; the other serves it.
                if me > peer.device {
                    continue;
                }
                for addr in &peer.addresses {
                    match net::sync_once(&addr.to_string(), hub.as_ref(), None).await {
                        Ok(ended) => {
                            hub.log(&format!(
                                "synced with {} at {addr}: {} documents changed, {} blobs received; {}",
                                peer.device,
                                ended.stats.documents_changed,
                                ended.stats.blobs_received,
                                if ended.finished { "in step" } else { "not in step" }
                            ));
                            break;
                        }
                        Err(e) => hub.log(&format!(
                            "could not sync with {} at {addr}: {e}",
                            peer.device
                        )),
                    }
                }
            }
            tokio::time::sleep(ROUND).await;
        }
    });
    Ok(())
}
