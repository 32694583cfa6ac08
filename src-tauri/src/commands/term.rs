//! The end of the term on the teacher's device: end it (every tablet deletes the class as it
//! syncs), and last delete the class from this device too.

use std::sync::Arc;

use hugme_app::App;
use hugme_node::NetworkSide;
use tauri::State;

use super::{blocking, on_network};
use crate::error::CommandResult;

#[tauri::command]
pub async fn end_term(app: State<'_, Arc<App>>, class: String) -> CommandResult<()> {
    blocking(&app, move |app| app.end_term(&class)).await
}

/// Deletes the class from the teacher's own device (after its term ended); the app then
/// starts as a new device.
#[tauri::command]
pub async fn leave_class(network: State<'_, Arc<NetworkSide>>) -> CommandResult<()> {
    on_network(&network, NetworkSide::leave_class).await
}
