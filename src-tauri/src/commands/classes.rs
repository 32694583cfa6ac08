//! The start screen: classes, groups, and other groups' projects.

use std::sync::Arc;

use hugme_app::api::view::{ClassCard, ProjectSummary};
use hugme_app::App;
use tauri::State;

use super::blocking;
use crate::error::CommandResult;

#[tauri::command]
pub async fn classes(app: State<'_, Arc<App>>) -> CommandResult<Vec<ClassCard>> {
    blocking(&app, |app| app.class_cards()).await
}

#[tauri::command]
pub async fn open_group(
    app: State<'_, Arc<App>>,
    class: String,
    group: String,
    pin: Option<String>,
) -> CommandResult<Vec<ProjectSummary>> {
    blocking(&app, move |app| {
        app.open_group(&class, &group, pin.as_deref())
    })
    .await
}

#[tauri::command]
pub async fn peer_projects(
    app: State<'_, Arc<App>>,
    class: String,
    group: String,
) -> CommandResult<Vec<ProjectSummary>> {
    blocking(&app, move |app| app.peer_projects(&class, &group)).await
}

/// Fills an empty tablet with the sample class, to try the app before enrolment.
#[tauri::command]
pub async fn load_sample_class(app: State<'_, Arc<App>>) -> CommandResult<Vec<ClassCard>> {
    blocking(&app, |app| {
        hugme_app::sample::create(app)?;
        app.class_cards()
    })
    .await
}
