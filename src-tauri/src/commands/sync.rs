//! Sync as the UI shows it: online or not, when last synced, each peer, storage warnings.

use std::sync::{Arc, Mutex};

use hugme::network::Network;
use hugme::sync_status::SyncView;
use hugme::App;
use tauri::State;

use crate::error::{CommandError, CommandResult};

/// The app's network side, once it runs (the device belongs to a class; a teacher who
/// creates one in the app starts it then).
#[derive(Debug, Default)]
pub struct SyncSide(pub Mutex<Option<Network>>);

impl SyncSide {
    fn with<T>(&self, f: impl FnOnce(Option<&Network>) -> T) -> T {
        f(self.0.lock().unwrap_or_else(|p| p.into_inner()).as_ref())
    }

    /// Where tablets can reach this device; none while it is offline.
    pub fn reachable_at(&self) -> Vec<String> {
        self.with(|n| n.map(Network::reachable_at).unwrap_or_default())
    }

    /// Starts the network side if it does not run yet (after a class was created or joined;
    /// a network side that stopped when its class was deleted is replaced).
    pub fn start(&self, start: impl FnOnce() -> Option<Network>) {
        let mut network = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if network.as_ref().is_none_or(Network::has_left_class) {
            *network = start();
        }
    }

    /// Whether the network side stopped because the class was deleted here; it is dropped,
    /// so this is said once (the UI starts afresh on hearing it).
    fn take_if_left_class(&self) -> bool {
        let mut network = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let left = network.as_ref().is_some_and(Network::has_left_class);
        if left {
            *network = None;
        }
        left
    }

    /// How to delete the class through the network side (which then stops), if it runs.
    pub fn leaving(&self) -> Option<impl FnOnce() -> hugme::Result<()> + Send + 'static> {
        self.with(|n| n.map(Network::leaving))
    }
}

#[tauri::command]
pub async fn sync_status(
    app: State<'_, Arc<App>>,
    sync: State<'_, SyncSide>,
) -> CommandResult<SyncView> {
    // Reads the class roster and the disk: off the async threads.
    let left_class = sync.take_if_left_class();
    let status = sync.with(|n| n.map(Network::status_reader));
    let dir = app.store().dir().to_path_buf();
    tauri::async_runtime::spawn_blocking(move || match status {
        Some(read) => read(),
        None => SyncView {
            left_class,
            ..SyncView::off_for(&dir)
        },
    })
    .await
    .map_err(CommandError::internal)
}

/// Cancels photos and videos on their way here, and fetches none for a while (documents go
/// on syncing).
#[tauri::command]
pub fn pause_media(sync: State<'_, SyncSide>) {
    sync.with(|n| n.map(Network::pause_media));
}

#[tauri::command]
pub fn resume_media(sync: State<'_, SyncSide>) {
    sync.with(|n| n.map(Network::resume_media));
}
