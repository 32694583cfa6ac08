//! The teacher's device: the class overview, feedback on a project, goals for all groups,
//! and removing a tablet from the class.

use std::sync::Arc;

use hugme_app::api::teacher::{ClassEdit, DashboardView, FeedbackView, ReviewEdit};
use hugme_app::App;
use hugme_node::NetworkSide;
use tauri::State;

use super::{blocking, on_network};
use crate::error::CommandResult;

/// Every group of a class; `today` is the tablet's local date, for the day's check-ins.
#[tauri::command]
pub async fn dashboard(
    app: State<'_, Arc<App>>,
    class: String,
    today: String,
) -> CommandResult<DashboardView> {
    blocking(&app, move |app| app.dashboard(&class, &today)).await
}

/// The teacher's feedback on a project (the group's tablet shows it too).
#[tauri::command]
pub async fn feedback(app: State<'_, Arc<App>>, project: String) -> CommandResult<FeedbackView> {
    blocking(&app, move |app| app.feedback(&project)).await
}

#[tauri::command]
pub async fn review_project(
    app: State<'_, Arc<App>>,
    project: String,
    edit: ReviewEdit,
) -> CommandResult<()> {
    blocking(&app, move |app| app.review_project(&project, edit)).await
}

/// Adds a goal to every group's project; returns how many got it.
#[tauri::command]
pub async fn add_goal_to_all(
    app: State<'_, Arc<App>>,
    class: String,
    text: String,
) -> CommandResult<usize> {
    blocking(&app, move |app| app.add_goal_to_all(&class, &text)).await
}

/// Removes a device from the class: its certificate is revoked, so no peer syncs with it.
#[tauri::command]
pub async fn revoke_device(
    network: State<'_, Arc<NetworkSide>>,
    device: String,
) -> CommandResult<()> {
    on_network(&network, move |side| side.revoke(&device)).await
}

/// Changes the class's groups and pupils (names, PINs, protected identity).
#[tauri::command]
pub async fn edit_class(
    app: State<'_, Arc<App>>,
    class: String,
    edit: ClassEdit,
) -> CommandResult<()> {
    blocking(&app, move |app| app.edit_class(&class, edit)).await
}

/// Creates a class on this device, which becomes its teacher's device (and class CA), and
/// starts serving the class's devices.
#[tauri::command]
pub async fn create_class<R: tauri::Runtime>(
    handle: tauri::AppHandle<R>,
    network: State<'_, Arc<NetworkSide>>,
    name: String,
    groups: Vec<String>,
) -> CommandResult<()> {
    on_network(&network, move |side| {
        let groups: Vec<&str> = groups
            .iter()
            .map(|g| g.trim())
            .filter(|g| !g.is_empty())
            .collect();
        side.create_class(name.trim(), &groups)
    })
    .await?;
    // This device now holds the class CA and a teacher's certificate.
    crate::grant_teacher_commands(&handle).map_err(crate::error::CommandError::internal)
}
