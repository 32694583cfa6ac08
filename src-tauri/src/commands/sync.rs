//! Sync as the UI shows it: online or not, when last synced, each peer, storage warnings.

use std::sync::Arc;

use hugme::network::Network;
use hugme::sync_status::SyncView;
use hugme::App;
use tauri::State;

use crate::error::{CommandError, CommandResult};

/// The app's network side, if it runs (the device belongs to a class).
#[derive(Debug, Default)]
pub struct SyncSide(pub Option<Network>);

#[tauri::command]
pub async fn sync_status(
    app: State<'_, Arc<App>>,
    sync: State<'_, SyncSide>,
) -> CommandResult<SyncView> {
    // Reads the class roster and the disk: off the async threads.
    let status = sync.0.as_ref().map(Network::status_reader);
    let dir = app.store().dir().to_path_buf();
    tauri::async_runtime::spawn_blocking(move || match status {
        Some(read) => read(),
        None => SyncView::off_for(&dir),
    })
    .await
    .map_err(CommandError::internal)
}

/// Cancels photos and videos on their way here, and fetches none for a while (documents go
/// on syncing).
#[tauri::command]
pub fn pause_media(sync: State<'_, SyncSide>) {
    if let Some(network) = &sync.0 {
        network.pause_media();
    }
}

#[tauri::command]
pub fn resume_media(sync: State<'_, SyncSide>) {
    if let Some(network) = &sync.0 {
        network.resume_media();
    }
}
