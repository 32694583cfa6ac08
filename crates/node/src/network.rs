//! The app on the classroom network: it serves its peers and syncs with its neighbours (see
//! [`crate::neighbours`]) on a runtime of its own, while pupils edit the same open documents.

use std::net::SocketAddr;
use std::sync::Arc;

use hugme_app::api::sync::SyncView;
use hugme_app::App;

use crate::error::{Error, Result};
use crate::membership;
use crate::neighbours::{self, Reach};
use crate::node::Node;

pub use crate::membership::addresses::PORT;

/// A running network side; it stops with the process, or when the class is deleted here.
#[derive(Debug)]
pub struct Network {
    node: Arc<Node>,
    addr: SocketAddr,
}

impl Network {
    /// Starts serving (at `listen`, or every address on [`PORT`] or any free port) and
    /// syncing the data folder of `app`. `Ok(None)` when the folder belongs to no class
    /// yet: there is nobody to sync with.
    ///
    /// # Errors
    /// [`Error::Network`] when no port can be bound; [`Error::Announce`] when mDNS cannot
    /// start; the identity files'.
    pub fn start(app: Arc<App>, reach: Reach, listen: Option<&str>) -> Result<Option<Network>> {
        if app.device().is_none() || membership::class_id(app.store())?.is_none() {
            return Ok(None);
        }
        let node = Arc::new(Node::of(app)?);
        let runtime = crate::enrolment::runtime()?;
        let listener = runtime.block_on(async {
            if let Some(addr) = listen {
                return tokio::net::TcpListener::bind(addr).await;
            }
            // Another program (a `hugme hub` beside the app) may hold the usual port.
            match tokio::net::TcpListener::bind(("0.0.0.0", PORT)).await {
                Ok(listener) => Ok(listener),
                Err(_) => tokio::net::TcpListener::bind(("0.0.0.0", 0)).await,
            }
        });
        let listener = listener.map_err(Error::Network)?;
        let addr = listener.local_addr().map_err(Error::Network)?;
        runtime.block_on(async { neighbours::start(node.clone(), addr, reach) })?;
        let serving = node.clone();
        let enrolment = node.is_class_authority();
        std::thread::Builder::new()
            .name("hugme-network".into())
            .spawn(move || {
                // Until the class is deleted here (its term ended): then the runtime goes,
                // with the neighbours' syncs on it.
                let stopped = runtime.block_on(async {
                    tokio::select! {
                        served = hugme_sync::net::serve(listener, serving.clone(), enrolment) => {
                            served.err().map(|e| format!("serving stopped: {e}"))
                        }
                        () = serving.left_class() => {
                            Some("stopped: the class was deleted from this device".to_owned())
                        }
                    }
                });
                if let Some(why) = stopped {
                    hugme_sync::net::Host::log(serving.as_ref(), &why);
                }
            })
            .map_err(Error::Network)?;
        Ok(Some(Network { node, addr }))
    }

    /// Whether this device deleted the class (its term ended) and stopped syncing.
    pub fn has_left_class(&self) -> bool {
        self.node.has_left_class()
    }

    /// The node this network side runs.
    pub fn node(&self) -> &Arc<Node> {
        &self.node
    }

    /// Deletes the class from this device ([`Node::leave_class`]) and stops, when called
    /// (later, on another thread).
    pub fn leaving(&self) -> impl FnOnce() -> Result<()> + Send + 'static {
        let node = self.node.clone();
        move || node.leave_class()
    }

    /// Where this device serves.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Where a tablet in the room can reach this device (for the enrolment code): the bound
    /// address, or each network interface's address when bound to all of them.
    pub fn reachable_at(&self) -> Vec<String> {
        reachable_at(self.addr)
    }

    /// Cancels the media transfers under way and fetches no more for a while.
    pub fn pause_media(&self) {
        self.node.pause_media();
    }

    pub fn resume_media(&self) {
        self.node.resume_media();
    }

    /// The sync status the UI shows.
    pub fn status(&self) -> SyncView {
        self.node.status()
    }

    /// Reads the status later, on another thread (it reads the roster and the disk).
    pub fn status_reader(&self) -> impl FnOnce() -> SyncView + Send + 'static {
        let node = self.node.clone();
        move || node.status()
    }
}

/// Where a device listening at `addr` can be reached (`host:port`, for an enrolment code):
/// `addr` itself, or with an unspecified address each interface's, IPv4 first (classroom
/// networks route it best), loopback only when nothing else is up.
pub fn reachable_at(addr: SocketAddr) -> Vec<String> {
    if !addr.ip().is_unspecified() {
        return vec![addr.to_string()];
    }
    let mut ips: Vec<std::net::IpAddr> = if_addrs::get_if_addrs()
        .unwrap_or_default()
        .into_iter()
        .map(|i| i.ip())
        .filter(|ip| !ip.is_loopback() && !ip.is_multicast())
        // A link-local IPv6 address needs its interface named to be reached: no use in a code.
        .filter(|ip| !matches!(ip, std::net::IpAddr::V6(v6) if v6.segments()[0] & 0xffc0 == 0xfe80))
        .collect();
    ips.sort_by_key(|ip| (ip.is_ipv6(), *ip));
    ips.dedup();
    if ips.is_empty() {
        ips.push(std::net::Ipv4Addr::LOCALHOST.into());
    }
    ips.into_iter()
        .map(|ip| SocketAddr::new(ip, addr.port()).to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_bound_to_one_address_is_reached_there_and_one_bound_to_all_at_each() {
        assert_eq!(
            reachable_at("10.0.0.5:7420".parse().unwrap()),
            vec!["10.0.0.5:7420"]
        );
        let all = reachable_at("0.0.0.0:7420".parse().unwrap());
        assert!(!all.is_empty());
        assert!(
            all.iter()
                .all(|a| a.ends_with(":7420") && !a.starts_with("0.0.0.0")),
            "{all:?}"
        );
    }
}
