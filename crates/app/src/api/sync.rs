//! What the UI shows of sync: this device's peers, media on its way, the disk.

use hugme_store::space::Space;
use serde::Serialize;

/// This device's sync, for the UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct SyncView {
    /// Sync runs on this device (it belongs to a class and was not started offline).
    pub enabled: bool,
    /// A peer was synced with in the last few seconds.
    pub online: bool,
    /// Photos and videos on their way here, if any.
    pub media: Option<MediaTransfer>,
    /// Fetching media is paused (cancelled for a while); documents still sync.
    pub media_paused: bool,
    /// When a session last ended well (ms since the epoch).
    pub last_synced: Option<i64>,
    /// This device's disk is nearly full.
    pub storage_low: bool,
    pub free_bytes: Option<u64>,
    pub peers: Vec<PeerView>,
    /// The class's term ended and this device deleted it: the app starts afresh.
    pub left_class: bool,
}

impl SyncView {
    /// A device that does not sync (no class yet), with the space left in data folder `dir`.
    pub fn off_for(dir: &std::path::Path) -> SyncView {
        SyncView::off(hugme_store::space::space(dir).ok())
    }

    /// A device that does not sync, with `space` left on its disk.
    pub fn off(space: Option<Space>) -> SyncView {
        SyncView {
            enabled: false,
            online: false,
            media: None,
            media_paused: false,
            last_synced: None,
            storage_low: space.is_some_and(|s| s.nearly_full()),
            free_bytes: space.map(|s| s.free),
            peers: Vec::new(),
            left_class: false,
        }
    }
}

/// Media on its way, for a progress bar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct MediaTransfer {
    pub done: u64,
    pub total: u64,
}

/// One peer, for the UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct PeerView {
    pub device: String,
    pub name: String,
    pub last_synced: Option<i64>,
    /// A session with it is open now: changes go both ways as they are made.
    pub live: bool,
    pub in_step: bool,
    /// Documents changed here since the peer last got everything.
    pub pending: usize,
    /// The peer said its disk is nearly full.
    pub storage_low: bool,
    pub error: Option<String>,
}
