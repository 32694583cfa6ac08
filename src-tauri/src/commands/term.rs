//! The end of the term on the teacher's device: end it (every tablet deletes the class as it
//! syncs), and last delete the class from this device too.

use crate::device::Device;
use hugme_node::NetworkSide;
use tauri::State;

use super::{blocking, on_network};
use crate::error::CommandResult;

#[tauri::command]
pub async fn end_term(device: State<'_, Device>, class: String) -> CommandResult<()> {
    let app = device.app();
    blocking(&app, move |app| app.end_term(&class)).await
}

/// Deletes the class from the teacher's own device (after its term ended); the app then
/// starts as a new device.
#[tauri::command]
pub async fn leave_class(device: State<'_, Device>, class: String) -> CommandResult<()> {
    let network = device.class_network(&class);
    on_network(&network, NetworkSide::leave_class).await
}
