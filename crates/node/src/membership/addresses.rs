//! Where the class's devices were last reached, and the teacher's addresses an enrolment
//! code named: the ways back to a peer when multicast (mDNS) does not get through. Kept in the data
//! folder's meta table, so they outlive a restart.

use std::collections::BTreeMap;

use hugme_store::{now_ms, Store};
use serde::{Deserialize, Serialize};

use super::Key;
use crate::error::Result;

/// The port devices serve on when it is free (mDNS announces whichever is used), and the
/// one an address typed without a port means.
pub const PORT: u16 = 7420;
/// A device's address is written again only when it changed or after this long, so a
/// session every two seconds does not mean a write every two seconds.
const REWRITE_AFTER_MS: i64 = 60_000;

/// Where a device was reached, and when (ms since the epoch).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seen {
    pub addr: String,
    pub at: i64,
}

/// Every device this one has synced with, by device id.
pub fn last_seen(store: &Store) -> Result<BTreeMap<String, Seen>> {
    // Unreadable (written by a newer version, say): start again rather than fail a sync.
    Ok(Key::LastSeen.get_json(store)?.unwrap_or_default())
}

/// Notes that `device` answered at `addr` just now.
pub fn remember(store: &Store, device: &str, addr: &str) -> Result<()> {
    let mut all = last_seen(store)?;
    let now = now_ms();
    if let Some(seen) = all.get(device) {
        if seen.addr == addr && now - seen.at < REWRITE_AFTER_MS {
            return Ok(());
        }
    }
    all.insert(
        device.to_owned(),
        Seen {
            addr: addr.to_owned(),
            at: now,
        },
    );
    Key::LastSeen.set_json(store, &all)
}

/// The hub addresses of the enrolment code this device joined with.
pub fn enrolment_hubs(store: &Store) -> Result<Vec<String>> {
    Ok(Key::EnrolmentHubs.get_json(store)?.unwrap_or_default())
}

pub(crate) fn set_enrolment_hubs(store: &Store, hubs: &[String]) -> Result<()> {
    Key::EnrolmentHubs.set_json(store, hubs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_outlive_the_store_and_a_moved_device_is_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = Store::open(dir.path()).unwrap();
            assert!(last_seen(&store).unwrap().is_empty());
            remember(&store, "tablet-1", "10.0.0.5:7420").unwrap();
            set_enrolment_hubs(&store, &["10.0.0.2:7420".into()]).unwrap();
        }
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(last_seen(&store).unwrap()["tablet-1"].addr, "10.0.0.5:7420");
        assert_eq!(enrolment_hubs(&store).unwrap(), ["10.0.0.2:7420"]);
        // A new address (the tablet got another lease) replaces the old one at once.
        remember(&store, "tablet-1", "10.0.0.9:7420").unwrap();
        assert_eq!(last_seen(&store).unwrap()["tablet-1"].addr, "10.0.0.9:7420");
    }

    #[test]
    fn unreadable_entries_are_forgotten_not_fatal() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store.set_meta("neighbours", "not json").unwrap();
        assert!(last_seen(&store).unwrap().is_empty());
        remember(&store, "tablet-1", "10.0.0.5:7420").unwrap();
        assert_eq!(last_seen(&store).unwrap().len(), 1);
    }
}
