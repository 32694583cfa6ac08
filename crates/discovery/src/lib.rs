//! Finding the class's devices on the classroom network with mDNS/DNS-SD.
//!
//! Every device (app and hub) registers `_hugme._tcp.local.` with TXT records for a hash of
//! the class id (so a listener on the school's Wi-Fi learns no class id), its device id and the
//! protocol version, and browses for its own class only. What a browser hears is turned into
//! a [`Peer`] by [`peer_of`], a pure function (tested without a network); [`Discovery`] is the
//! adapter that owns the mDNS daemon. Discovery never decides who may sync: a peer found here
//! still has to pass the class's mutual TLS.
//!
//! A teacher's device also says `enrols=1`: a tablet that is not in any class yet, given only
//! the short code from the teacher's screen, looks for such devices ([`teachers`]).
//!
//! Turning it off (`--no-discovery`, `HUGME_NO_DISCOVERY=1`) means no multicast at all: tests
//! and screenshots outside a network namespace of their own must do so.
//!
//! # Layout
//! One file: [`class_hash`], [`Peer`] and [`peer_of`] (what a TXT record says), [`Discovery`]
//! (announcing and browsing), [`teachers`] (a tablet with no class looking for a teacher's
//! device), [`Error`].

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use hugme_task::lock;
use mdns_sd::{ServiceDaemon, ServiceEvent, ServiceInfo};

/// The DNS-SD service type of Hug me! devices.
pub const SERVICE: &str = "_hugme._tcp.local.";
/// The sync protocol version a device announces; peers of another version are ignored.
pub const PROTOCOL: &str = "1";

/// Errors of discovery.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("mDNS is not available on this network: {0}")]
    Mdns(#[from] mdns_sd::Error),
}

pub type Result<T> = std::result::Result<T, Error>;

/// The class as announced: the first 16 hex digits of its id's BLAKE3 hash.
pub fn class_hash(class_id: &str) -> String {
    blake3::hash(format!("hugme-class:{class_id}").as_bytes()).to_hex()[..16].to_owned()
}

/// A device of our class, heard on the network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peer {
    pub device: String,
    pub addresses: Vec<SocketAddr>,
}

/// What we are, for filtering what we hear.
#[derive(Debug, Clone)]
pub struct Identity {
    pub class_hash: String,
    pub device: String,
}

/// A peer from a resolved service's TXT records, addresses and port: `None` for ourselves,
/// another class, another protocol version, or a record without a device id.
pub fn peer_of(
    me: &Identity,
    txt: impl Fn(&str) -> Option<String>,
    addresses: &[IpAddr],
    port: u16,
) -> Option<Peer> {
    if txt("class")? != me.class_hash || txt("v")? != PROTOCOL {
        return None;
    }
    let device = txt("device")?;
    if device == me.device || device.is_empty() || addresses.is_empty() {
        return None;
    }
    Some(Peer {
        device,
        addresses: socket_addresses(addresses, port),
    })
}

/// A service's addresses at its port, IPv4 first: classroom networks route it best.
fn socket_addresses(addresses: &[IpAddr], port: u16) -> Vec<SocketAddr> {
    let mut addresses: Vec<SocketAddr> = addresses
        .iter()
        .map(|ip| SocketAddr::new(*ip, port))
        .collect();
    addresses.sort_by_key(|a| (a.is_ipv6(), *a));
    addresses
}

/// The running announcement and browser.
pub struct Discovery {
    daemon: ServiceDaemon,
    peers: Arc<Mutex<HashMap<String, Peer>>>,
}

impl std::fmt::Debug for Discovery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Discovery")
            .field("peers", &self.peers())
            .finish()
    }
}

impl Discovery {
    /// Announces this device on `ip:port` (every interface's address when `ip` is
    /// unspecified; as a device that enrols tablets with `enrols`) and starts listening for
    /// the class's other devices.
    pub fn start(
        class_id: &str,
        device: &str,
        ip: IpAddr,
        port: u16,
        enrols: bool,
    ) -> Result<Discovery> {
        let me = Identity {
            class_hash: class_hash(class_id),
            device: device.to_owned(),
        };
        let daemon = ServiceDaemon::new()?;
        // A tablet back on the Wi-Fi (or on a new address) is announced and heard again as
        // soon as the daemon notices; its default look every 5 s is most of the wait.
        daemon.set_ip_check_interval(1)?;
        // A DNS label holds 63 bytes: the device id (a UUID) fits, and is unique.
        let host = format!("hugme-{}.local.", &device[..device.len().min(40)]);
        let mut txt = vec![
            ("class", me.class_hash.as_str()),
            ("device", device),
            ("v", PROTOCOL),
        ];
        if enrols {
            txt.push(("enrols", "1"));
        }
        let info = if ip.is_unspecified() {
            ServiceInfo::new(SERVICE, device, &host, "", port, &txt[..])?.enable_addr_auto()
        } else {
            ServiceInfo::new(SERVICE, device, &host, ip, port, &txt[..])?
        };
        daemon.register(info)?;
        Discovery::browse(daemon, me)
    }

    /// Listens for the class's devices without announcing this one (`hugme doctor`: nobody
    /// should try to sync with a program that does not serve).
    pub fn listen(class_id: &str, device: &str) -> Result<Discovery> {
        let me = Identity {
            class_hash: class_hash(class_id),
            device: device.to_owned(),
        };
        Discovery::browse(ServiceDaemon::new()?, me)
    }

    fn browse(daemon: ServiceDaemon, me: Identity) -> Result<Discovery> {
        let events = daemon.browse(SERVICE)?;
        let peers = Arc::new(Mutex::new(HashMap::new()));
        let found = peers.clone();
        std::thread::spawn(move || {
            while let Ok(event) = events.recv() {
                match event {
                    ServiceEvent::ServiceResolved(service) => {
                        let addresses: Vec<IpAddr> =
                            service.addresses.iter().map(|a| a.to_ip_addr()).collect();
                        let txt = |key: &str| {
                            service
                                .txt_properties
                                .get_property_val_str(key)
                                .map(str::to_owned)
                        };
                        if let Some(peer) = peer_of(&me, txt, &addresses, service.port) {
                            lock(&found).insert(peer.device.clone(), peer);
                        }
                    }
                    ServiceEvent::ServiceRemoved(_, fullname) => {
                        lock(&found).retain(|device, _| !fullname.starts_with(device.as_str()));
                    }
                    _ => {}
                }
            }
        });
        Ok(Discovery { daemon, peers })
    }

    /// The class's devices heard so far.
    pub fn peers(&self) -> Vec<Peer> {
        let mut peers: Vec<Peer> = lock(&self.peers).values().cloned().collect();
        peers.sort_by(|a, b| a.device.cmp(&b.device));
        peers
    }

    /// Stops announcing (a goodbye on the network) and listening.
    pub fn stop(self) {
        let _ = self.daemon.shutdown();
    }
}

/// Where a teacher's device that enrols tablets serves, from a resolved service's TXT
/// records: `None` for any other device or protocol version.
pub fn enrolling_teacher(
    txt: impl Fn(&str) -> Option<String>,
    addresses: &[IpAddr],
    port: u16,
) -> Option<Vec<SocketAddr>> {
    if txt("enrols")? != "1" || txt("v")? != PROTOCOL || addresses.is_empty() {
        return None;
    }
    Some(socket_addresses(addresses, port))
}

/// Listens for `wait` for teachers' devices that enrol tablets, of any class (a tablet with
/// only a short code does not know its class yet), without announcing anything.
pub fn teachers(wait: std::time::Duration) -> Result<Vec<SocketAddr>> {
    let daemon = ServiceDaemon::new()?;
    let events = daemon.browse(SERVICE)?;
    let deadline = std::time::Instant::now() + wait;
    let mut found: Vec<SocketAddr> = Vec::new();
    while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
        let Ok(event) = events.recv_timeout(left) else {
            break;
        };
        if let ServiceEvent::ServiceResolved(service) = event {
            let addresses: Vec<IpAddr> = service.addresses.iter().map(|a| a.to_ip_addr()).collect();
            let txt = |key: &str| {
                service
                    .txt_properties
                    .get_property_val_str(key)
                    .map(str::to_owned)
            };
            for addr in enrolling_teacher(txt, &addresses, service.port).unwrap_or_default() {
                if !found.contains(&addr) {
                    found.push(addr);
                }
            }
        }
    }
    let _ = daemon.shutdown();
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn me() -> Identity {
        Identity {
            class_hash: class_hash("5B"),
            device: "me".into(),
        }
    }

    fn txt<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            pairs
                .iter()
                .find(|(key, _)| *key == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn only_other_devices_of_our_class_and_version_are_peers() {
        let ip: IpAddr = "10.0.0.7".parse().unwrap();
        let ours = class_hash("5B");
        let peer = peer_of(
            &me(),
            txt(&[("class", &ours), ("device", "tab"), ("v", "1")]),
            &[ip],
            7000,
        );
        assert_eq!(
            peer,
            Some(Peer {
                device: "tab".into(),
                addresses: vec!["10.0.0.7:7000".parse().unwrap()]
            })
        );
        let other = class_hash("6A");
        assert_eq!(
            peer_of(
                &me(),
                txt(&[("class", &other), ("device", "t"), ("v", "1")]),
                &[ip],
                1
            ),
            None
        );
        assert_eq!(
            peer_of(
                &me(),
                txt(&[("class", &ours), ("device", "me"), ("v", "1")]),
                &[ip],
                1
            ),
            None
        );
        assert_eq!(
            peer_of(
                &me(),
                txt(&[("class", &ours), ("device", "t"), ("v", "2")]),
                &[ip],
                1
            ),
            None
        );
        assert_eq!(
            peer_of(&me(), txt(&[("class", &ours), ("v", "1")]), &[ip], 1),
            None
        );
        assert_eq!(
            peer_of(
                &me(),
                txt(&[("class", &ours), ("device", "t"), ("v", "1")]),
                &[],
                1
            ),
            None
        );
    }

    #[test]
    fn only_a_teachers_device_that_enrols_is_found_by_a_tablet_with_a_code() {
        let ip: IpAddr = "192.168.1.20".parse().unwrap();
        let v6: IpAddr = "fe80::1".parse().unwrap();
        let ours = class_hash("5b");
        assert_eq!(
            enrolling_teacher(
                txt(&[
                    ("class", &ours),
                    ("device", "t"),
                    ("v", "1"),
                    ("enrols", "1")
                ]),
                &[v6, ip],
                7420
            ),
            Some(vec![SocketAddr::new(ip, 7420), SocketAddr::new(v6, 7420)])
        );
        for (records, addresses) in [
            (
                vec![("class", ours.as_str()), ("device", "t"), ("v", "1")],
                vec![ip],
            ),
            (vec![("device", "t"), ("v", "2"), ("enrols", "1")], vec![ip]),
            (vec![("device", "t"), ("v", "1"), ("enrols", "0")], vec![ip]),
            (vec![("device", "t"), ("v", "1"), ("enrols", "1")], vec![]),
        ] {
            assert_eq!(
                enrolling_teacher(txt(&records), &addresses, 1),
                None,
                "{records:?}"
            );
        }
    }

    #[test]
    fn the_class_id_is_not_announced() {
        let hash = class_hash("2dece240-4c1c-4381-a393-b3fa19d68d92");
        assert_eq!(hash.len(), 16);
        assert!(!hash.contains("2dece240"));
    }
}
