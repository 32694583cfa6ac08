//! What a device knows of its sync with each peer: the tablet's "synced 2 minutes ago" or
//! "offline, your work is safe here", and the teacher's list of devices with when each was
//! last seen and whether it is running out of room.
//!
//! Live sessions report when they are greeted ([`Neighbourhood::live`]) and come in step;
//! sessions of either side report how they ended ([`Neighbourhood::ended`]); a neighbour that
//! could not be reached is noted too. [`Neighbourhood::view`] is what the UI shows (the
//! values are the app's: `hugme_app::api::sync`).

use std::collections::{BTreeMap, BTreeSet};

use hugme_app::api::sync::{MediaTransfer, PeerView, SyncView};
use hugme_store::now_ms;
use hugme_store::space::{Space, NEARLY_FULL_BYTES};
use hugme_sync::net::Ended;

/// A device that synced within this long counts as "online" for the status line (besides
/// one with a live session): a few of the 2 s rounds.
const ONLINE_WITHIN_MS: i64 = 10_000;

/// What is known of one peer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerState {
    /// When a session with it last ended well (ms since the epoch).
    pub last_synced: Option<i64>,
    /// It ended with both sides holding the same.
    pub in_step: bool,
    pub free_space: Option<u64>,
    pub clock_offset: Option<i64>,
    /// Why the last try failed, if it did (cleared by the next good session).
    pub error: Option<String>,
}

/// Every peer this device has synced with, or tried to, since it started.
#[derive(Debug, Default)]
pub struct Neighbourhood {
    peers: BTreeMap<String, PeerState>,
    /// Live sessions with each peer now (two at most, for a moment, when both dialled).
    live: BTreeMap<String, usize>,
    /// Documents changed here since each peer last ended a session in step.
    pending: BTreeMap<String, BTreeSet<String>>,
    /// Media on its way from each peer: (bytes arrived, bytes asked for).
    media: BTreeMap<String, (u64, u64)>,
    /// Media is paused (cancelled) on this device.
    pub media_paused: bool,
}

impl Neighbourhood {
    /// A session ended: synced if the peer was greeted, failed otherwise (another protocol,
    /// removed from the class).
    pub fn ended(&mut self, ended: &Ended, at: i64) {
        // A second session refused at greeting says nothing of the one that stays.
        if !ended.live && self.live.contains_key(&ended.peer) {
            return;
        }
        if ended.live {
            if let Some(n) = self.live.get_mut(&ended.peer) {
                *n -= 1;
                if *n == 0 {
                    self.live.remove(&ended.peer);
                }
            }
        }
        self.media.remove(&ended.peer);
        if !ended.greeted {
            self.failed(&ended.peer, &ended.reason);
            return;
        }
        let peer = self.peer(&ended.peer);
        peer.last_synced = Some(at);
        peer.in_step = ended.finished;
        peer.free_space = ended.peer_free_space.or(peer.free_space);
        peer.clock_offset = ended.peer_clock_offset.or(peer.clock_offset);
        peer.error = None;
        if ended.finished {
            self.pending.remove(&ended.peer);
        }
    }

    /// A live session with `peer` was greeted; `dialler` is the device that dialled it and
    /// `me` this one. False when another is live already and this one is to end: of two, the
    /// one dialled by the device with the smaller id stays (both sides judge alike).
    pub fn live(&mut self, peer: &str, dialler: &str, me: &str) -> bool {
        let n = self.live.entry(peer.to_owned()).or_insert(0);
        if *n > 0 && dialler == me.max(peer) {
            return false;
        }
        *n += 1;
        let state = self.peer(peer);
        state.error = None;
        true
    }

    /// Whether any live session is open.
    pub fn any_live(&self) -> bool {
        !self.live.is_empty()
    }

    /// Whether a live session with `peer` is open.
    pub fn is_live(&self, peer: &str) -> bool {
        self.live.contains_key(peer)
    }

    /// A live session with `peer` came in step (both sides hold the same) or out of it.
    pub fn in_step(&mut self, peer: &str, in_step: bool, at: i64) {
        let state = self.peer(peer);
        state.in_step = in_step;
        if in_step {
            state.last_synced = Some(at);
            self.pending.remove(peer);
        }
    }

    /// A document changed here (an edit, or a change another peer brought): every peer that
    /// has not had it yet has it pending.
    pub fn changed(&mut self, document: &str) {
        for peer in self.peers.keys() {
            self.pending
                .entry(peer.clone())
                .or_default()
                .insert(document.to_owned());
        }
    }

    /// Media on its way from `peer`.
    pub fn progress(&mut self, peer: &str, done: u64, total: u64) {
        self.media.insert(peer.to_owned(), (done, total));
    }

    /// A session with `device` could not run (or was given up).
    pub fn failed(&mut self, device: &str, reason: &str) {
        self.media.remove(device);
        self.peer(device).error = Some(reason.to_owned());
    }

    fn peer(&mut self, device: &str) -> &mut PeerState {
        self.peers
            .entry(device.to_owned())
            .or_insert_with(|| PeerState {
                last_synced: None,
                in_step: false,
                free_space: None,
                clock_offset: None,
                error: None,
            })
    }

    pub fn peers(&self) -> &BTreeMap<String, PeerState> {
        &self.peers
    }

    /// The status as the UI shows it; `names` gives a device's name from the class roster.
    pub fn view(&self, space: Option<Space>, names: impl Fn(&str) -> Option<String>) -> SyncView {
        let now = now_ms();
        // A peer with a live session is synced now.
        let synced = |device: &str, p: &PeerState| {
            if self.live.contains_key(device) {
                Some(now)
            } else {
                p.last_synced
            }
        };
        let last_synced = self.peers.iter().filter_map(|(d, p)| synced(d, p)).max();
        let (done, total) = self
            .media
            .values()
            .fold((0, 0), |(d, t), (done, total)| (d + done, t + total));
        SyncView {
            enabled: true,
            online: !self.live.is_empty()
                || last_synced.is_some_and(|at| now - at <= ONLINE_WITHIN_MS),
            media: (total > 0).then_some(MediaTransfer { done, total }),
            media_paused: self.media_paused,
            last_synced,
            storage_low: space.is_some_and(|s| s.nearly_full()),
            free_bytes: space.map(|s| s.free),
            peers: self
                .peers
                .iter()
                .map(|(device, p)| PeerView {
                    name: names(device).unwrap_or_else(|| device.clone()),
                    device: device.clone(),
                    last_synced: synced(device, p),
                    live: self.live.contains_key(device),
                    in_step: p.in_step,
                    pending: self.pending.get(device).map_or(0, BTreeSet::len),
                    storage_low: p.free_space.is_some_and(|f| f < NEARLY_FULL_BYTES),
                    error: p.error.clone(),
                })
                .collect(),
            left_class: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hugme_sync::session::Stats;

    fn ended(peer: &str, finished: bool, free: Option<u64>) -> Ended {
        Ended {
            peer: peer.into(),
            stats: Stats::default(),
            finished,
            greeted: true,
            live: false,
            peer_left: false,
            reason: "done".into(),
            bytes_sent: 0,
            bytes_received: 0,
            peer_clock_offset: None,
            peer_free_space: free,
        }
    }

    #[test]
    fn a_recent_session_is_online_and_a_peer_short_of_room_is_flagged() {
        let mut n = Neighbourhood::default();
        let view = n.view(None, |_| None);
        assert!(!view.online && view.last_synced.is_none());
        n.ended(&ended("tab-1", true, Some(NEARLY_FULL_BYTES / 2)), now_ms());
        n.failed("tab-2", "no answer");
        let view = n.view(None, |d| (d == "tab-1").then(|| "Ketut's tablet".into()));
        assert!(view.online);
        assert_eq!(view.peers.len(), 2);
        assert_eq!(view.peers[0].name, "Ketut's tablet");
        assert!(view.peers[0].storage_low && view.peers[0].in_step);
        assert_eq!(view.peers[1].error.as_deref(), Some("no answer"));
        assert_eq!(view.peers[1].last_synced, None);
    }

    #[test]
    fn changes_are_pending_until_a_peer_is_in_step_and_media_shows_while_it_moves() {
        let mut n = Neighbourhood::default();
        n.ended(&ended("tab-1", true, None), now_ms());
        n.ended(&ended("tab-2", true, None), now_ms());
        n.changed("project-a");
        n.changed("project-b");
        n.changed("project-a");
        n.progress("tab-1", 1_000, 4_000);
        n.progress("tab-2", 500, 1_000);
        let view = n.view(None, |_| None);
        assert_eq!(view.peers[0].pending, 2);
        assert_eq!(
            view.media,
            Some(MediaTransfer {
                done: 1_500,
                total: 5_000
            })
        );
        // tab-1 gets everything; tab-2's session ends before it is in step.
        n.ended(&ended("tab-1", true, None), now_ms());
        n.ended(&ended("tab-2", false, None), now_ms());
        let view = n.view(None, |_| None);
        assert_eq!((view.peers[0].pending, view.peers[1].pending), (0, 2));
        assert_eq!(view.media, None);
    }

    #[test]
    fn a_session_refused_at_hello_is_a_failure_not_a_sync() {
        let mut n = Neighbourhood::default();
        let mut refused = ended("tab-1", false, None);
        refused.greeted = false;
        refused.reason = "tab-1 has been removed from the class".into();
        n.ended(&refused, now_ms());
        let view = n.view(None, |_| None);
        assert!(!view.online);
        assert_eq!(view.peers[0].last_synced, None);
        assert_eq!(
            view.peers[0].error.as_deref(),
            Some(refused.reason.as_str())
        );
    }

    #[test]
    fn an_old_session_is_offline_and_a_good_one_clears_the_error() {
        let mut n = Neighbourhood::default();
        n.ended(&ended("tab-1", true, None), now_ms() - 60_000);
        assert!(!n.view(None, |_| None).online);
        n.failed("tab-1", "refused");
        n.ended(&ended("tab-1", false, None), now_ms());
        let view = n.view(None, |_| None);
        assert!(view.online);
        assert_eq!(view.peers[0].error, None);
        assert!(!view.peers[0].in_step);
    }
}

#[cfg(test)]
mod live_tests {
    use super::*;

    #[test]
    fn a_live_peer_is_synced_now_and_of_two_sessions_the_smaller_ids_stays() {
        let mut n = Neighbourhood::default();
        // "b" dialled "a" and "a" dialled "b" at once: "a" (the smaller id) dialled the keeper.
        assert!(n.live("b", "a", "a"));
        assert!(!n.live("b", "b", "a"), "b's dial is the second");
        assert!(n.is_live("b"));
        n.changed("project-1");
        let view = n.view(None, |_| None);
        assert!(view.online && view.peers[0].live);
        assert_eq!(view.peers[0].pending, 1);
        n.in_step("b", true, now_ms());
        assert_eq!(n.view(None, |_| None).peers[0].pending, 0);
        let mut gone = Ended {
            peer: "b".into(),
            stats: hugme_sync::session::Stats::default(),
            finished: false,
            greeted: true,
            live: true,
            peer_left: false,
            reason: "the peer said nothing for 13 s".into(),
            bytes_sent: 0,
            bytes_received: 0,
            peer_clock_offset: None,
            peer_free_space: None,
        };
        n.ended(&gone, now_ms() - 60_000);
        assert!(!n.is_live("b"));
        assert!(!n.view(None, |_| None).online);
        // A session that never counted (the second) ends without touching the count.
        gone.live = false;
        n.ended(&gone, now_ms() - 60_000);
        assert!(!n.is_live("b"));
    }
}
