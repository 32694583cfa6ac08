//! Sync as the UI shows it: online or not, when last synced, each peer, storage warnings.

use std::sync::Arc;

use crate::device::Device;
use hugme_app::api::sync::SyncView;
use tauri::State;

use crate::error::{CommandError, CommandResult};

#[tauri::command]
pub async fn sync_status(device: State<'_, Device>) -> CommandResult<SyncView> {
    let network = device.network();
    // Reads the class roster and the disk: off the async threads.
    let network = Arc::clone(&network);
    tauri::async_runtime::spawn_blocking(move || network.status())
        .await
        .map_err(CommandError::internal)
}

/// Cancels photos and videos on their way here, and fetches none for a while (documents go
/// on syncing).
#[tauri::command]
pub fn pause_media(device: State<'_, Device>) {
    let network = device.network();
    network.pause_media();
}

#[tauri::command]
pub fn resume_media(device: State<'_, Device>) {
    let network = device.network();
    network.resume_media();
}
