//! The door of a serving device. Anyone on the school's Wi-Fi can open a TCP connection to
//! it, certificate or not, so connections are counted before any work is done for them: at
//! most [`Limits::per_address`] from one address and [`Limits::total`] in all. When every slot
//! is taken, the oldest connection that has not yet shown a certificate of the class is
//! dropped for the newcomer, so idle strangers cannot keep a tablet out; one device of the
//! class (one certificate) may hold [`Limits::per_device`] sessions, so that a pupil's
//! tablet cannot take every slot with its own certificate; a connection that
//! has not finished its TLS handshake (or, without a certificate, sent its first frame)
//! within [`Limits::handshake`] is closed.
//!
//! Pure bookkeeping over a table of open connections; [`crate::net::serve`] does the I/O.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hugme_task::lock;
use tokio::task::AbortHandle;

/// How many connections a serving device takes, and how long a stranger may take to show
/// who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Connections open at once, in all: a classroom has about 30 tablets.
    pub total: usize,
    /// Connections open at once from one IP address (a device syncs over one or two).
    pub per_address: usize,
    /// Sessions open at once with one device of the class (it may reach this one by two
    /// addresses, and both may start a session at once).
    pub per_device: usize,
    /// The TLS handshake, and an enrolment's first frame, must arrive within this.
    pub handshake: Duration,
}

impl Limits {
    /// The classroom's limits, with `HUGME_CONNECTIONS_PER_ADDRESS` (a number) in place of
    /// [`Limits::per_address`] where it is set: a school whose devices reach the teacher's
    /// through one address (behind a NAT, say), and the benchmarks whose thirty tablets all
    /// connect from loopback, raise it.
    pub fn from_env() -> Self {
        let default = Limits::default();
        Limits {
            per_address: std::env::var("HUGME_CONNECTIONS_PER_ADDRESS")
                .ok()
                .and_then(|v| v.trim().parse().ok())
                .filter(|n| *n > 0)
                .unwrap_or(default.per_address),
            ..default
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            total: 128,
            per_address: 8,
            per_device: 4,
            handshake: Duration::from_secs(10),
        }
    }
}

/// Why a connection was not let in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("too many connections from this address")]
    TooManyFromAddress,
    #[error("every connection slot is taken by devices of the class")]
    Full,
}

#[derive(Debug)]
struct Entry {
    ip: IpAddr,
    /// The device whose certificate of the class it showed: never dropped for a newcomer.
    device: Option<String>,
    /// Stops the connection's task when it is dropped for a newcomer.
    abort: Option<AbortHandle>,
}

#[derive(Debug, Default)]
struct Table {
    next: u64,
    /// By id, which grows with age: the first unauthenticated entry is the oldest.
    open: BTreeMap<u64, Entry>,
}

/// The open connections of a serving device.
#[derive(Debug)]
pub struct Gate {
    limits: Limits,
    table: Mutex<Table>,
}

impl Gate {
    pub fn new(limits: Limits) -> Arc<Gate> {
        Arc::new(Gate {
            limits,
            table: Mutex::default(),
        })
    }

    /// Lets a connection from `ip` in, dropping the oldest unauthenticated one when every
    /// slot is taken; the ticket holds its slot until dropped.
    ///
    /// # Errors
    /// [`Refused::TooManyFromAddress`] when `ip` has [`Limits::per_address`] open already;
    /// [`Refused::Full`] when every slot is taken by connections of the class.
    pub fn admit(self: &Arc<Self>, ip: IpAddr) -> Result<Ticket, Refused> {
        let mut table = lock(&self.table);
        let from_ip = table.open.values().filter(|e| e.ip == ip).count();
        if from_ip >= self.limits.per_address {
            return Err(Refused::TooManyFromAddress);
        }
        if table.open.len() >= self.limits.total {
            let oldest = table
                .open
                .iter()
                .find(|(_, e)| e.device.is_none())
                .map(|(id, _)| *id)
                .ok_or(Refused::Full)?;
            if let Some(entry) = table.open.remove(&oldest) {
                if let Some(abort) = entry.abort {
                    abort.abort();
                }
            }
        }
        let id = table.next;
        table.next += 1;
        table.open.insert(
            id,
            Entry {
                ip,
                device: None,
                abort: None,
            },
        );
        Ok(Ticket {
            gate: Arc::clone(self),
            id,
        })
    }

    /// How to stop the task of connection `id` if it is dropped for a newcomer.
    pub fn stopped_by(&self, id: u64, abort: AbortHandle) {
        match lock(&self.table).open.get_mut(&id) {
            Some(entry) => entry.abort = Some(abort),
            // Dropped for a newcomer before its task was known: stop it now.
            None => abort.abort(),
        }
    }

    /// How many connections are open.
    pub fn open(&self) -> usize {
        lock(&self.table).open.len()
    }
}

/// A connection's slot; given back when dropped.
#[derive(Debug)]
pub struct Ticket {
    gate: Arc<Gate>,
    id: u64,
}

impl Ticket {
    /// The connection's id at the gate ([`Gate::stopped_by`]).
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The connection showed the certificate of `device`, of the class: it keeps its slot,
    /// unless that device holds [`Limits::per_device`] sessions already (`false`: close it).
    pub fn authenticated(&self, device: &str) -> bool {
        let mut table = lock(&self.gate.table);
        let held = table
            .open
            .values()
            .filter(|e| e.device.as_deref() == Some(device))
            .count();
        if held >= self.gate.limits.per_device {
            return false;
        }
        if let Some(entry) = table.open.get_mut(&self.id) {
            entry.device = Some(device.to_owned());
        }
        true
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        lock(&self.gate.table).open.remove(&self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate(total: usize, per_address: usize) -> Arc<Gate> {
        Gate::new(Limits {
            total,
            per_address,
            per_device: 2,
            handshake: Duration::from_secs(1),
        })
    }

    fn ip(n: u8) -> IpAddr {
        IpAddr::from([10, 0, 0, n])
    }

    #[test]
    fn one_address_gets_only_its_share() {
        let gate = gate(10, 2);
        let _a = gate.admit(ip(1)).unwrap();
        let _b = gate.admit(ip(1)).unwrap();
        assert_eq!(gate.admit(ip(1)).unwrap_err(), Refused::TooManyFromAddress);
        let other = gate.admit(ip(2)).unwrap();
        drop(other);
        assert_eq!(gate.open(), 2);
    }

    #[test]
    fn a_newcomer_takes_the_oldest_strangers_slot_never_a_class_devices() {
        let gate = gate(3, 3);
        let tablet = gate.admit(ip(1)).unwrap();
        assert!(tablet.authenticated("kettu"));
        let old_stranger = gate.admit(ip(2)).unwrap();
        let new_stranger = gate.admit(ip(3)).unwrap();
        let newcomer = gate.admit(ip(4)).unwrap();
        assert_eq!(gate.open(), 3);
        let ids: Vec<u64> = lock(&gate.table).open.keys().copied().collect();
        assert_eq!(ids, [tablet.id, new_stranger.id, newcomer.id]);
        drop(old_stranger); // its slot is gone already: nothing else goes with it
        assert_eq!(gate.open(), 3);
        assert!(new_stranger.authenticated("saukot"));
        assert!(newcomer.authenticated("kettu"));
        assert_eq!(gate.admit(ip(5)).unwrap_err(), Refused::Full);
    }

    #[test]
    fn one_certificate_holds_only_its_share_of_sessions() {
        let gate = gate(10, 10);
        let first = gate.admit(ip(1)).unwrap();
        let second = gate.admit(ip(2)).unwrap();
        let third = gate.admit(ip(3)).unwrap();
        assert!(first.authenticated("pupil") && second.authenticated("pupil"));
        assert!(
            !third.authenticated("pupil"),
            "a third session of one device"
        );
        assert!(third.authenticated("teacher"));
        drop(first);
        let again = gate.admit(ip(1)).unwrap();
        assert!(again.authenticated("pupil"), "its slot was given back");
    }

    #[tokio::test]
    async fn a_dropped_strangers_task_is_stopped() {
        let gate = gate(1, 1);
        let stranger = gate.admit(ip(1)).unwrap();
        let id = stranger.id();
        let task = tokio::spawn(async move {
            let _slot = stranger;
            std::future::pending::<()>().await;
        });
        gate.stopped_by(id, task.abort_handle());
        let _newcomer = gate.admit(ip(2)).unwrap();
        assert!(task.await.unwrap_err().is_cancelled());
        assert_eq!(gate.open(), 1);
    }
}
