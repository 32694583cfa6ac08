//! A group's project: start it, read it, edit it.

use std::sync::Arc;

use hugme_app::api::edit::Edit;
use hugme_app::api::view::ProjectView;
use hugme_app::App;
use tauri::State;

use super::blocking;
use crate::error::CommandResult;

#[tauri::command]
pub async fn start_project(
    app: State<'_, Arc<App>>,
    class: String,
    group: String,
    title: String,
) -> CommandResult<ProjectView> {
    blocking(&app, move |app| app.start_project(&class, &group, &title)).await
}

#[tauri::command]
pub async fn project(app: State<'_, Arc<App>>, id: String) -> CommandResult<ProjectView> {
    blocking(&app, move |app| app.project_view(&id)).await
}

/// Returns once the edit is on disk: the UI shows "saved" only then.
#[tauri::command]
pub async fn edit_project(app: State<'_, Arc<App>>, id: String, edit: Edit) -> CommandResult<()> {
    blocking(&app, move |app| app.edit_project(&id, &edit)).await
}
