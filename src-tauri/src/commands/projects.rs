//! A group's project: start it, read it, edit it.

use crate::device::Device;
use hugme_app::api::edit::Edit;
use hugme_app::api::view::ProjectView;
use tauri::State;

use super::blocking;
use crate::error::CommandResult;

#[tauri::command]
pub async fn start_project(
    device: State<'_, Device>,
    class: String,
    group: String,
    title: String,
) -> CommandResult<ProjectView> {
    let app = device.app();
    blocking(&app, move |app| app.start_project(&class, &group, &title)).await
}

#[tauri::command]
pub async fn project(device: State<'_, Device>, id: String) -> CommandResult<ProjectView> {
    let app = device.app();
    blocking(&app, move |app| app.project_view(&id)).await
}

/// Returns once the edit is on disk: the UI shows "saved" only then.
#[tauri::command]
pub async fn edit_project(device: State<'_, Device>, id: String, edit: Edit) -> CommandResult<()> {
    let app = device.app();
    blocking(&app, move |app| app.edit_project(&id, &edit)).await
}
