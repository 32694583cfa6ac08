//! The start screen: classes (every class on the device: a cart tablet may be in several),
//! groups, and other groups' projects.

use std::sync::Arc;

use crate::device::Device;
use hugme_app::api::view::{ClassCard, ProjectSummary};
use hugme_app::App;
use tauri::State;

use super::blocking;
use crate::error::CommandResult;

/// The classes on the device, each class's folder read in turn (the shown one's first).
#[tauri::command]
pub async fn classes(device: State<'_, Device>) -> CommandResult<Vec<ClassCard>> {
    let shown = device.app();
    let others: Vec<Arc<App>> = device
        .apps()
        .into_iter()
        .filter(|a| !Arc::ptr_eq(a, &shown))
        .collect();
    blocking(&shown, move |shown| {
        let mut cards = shown.class_cards()?;
        for app in &others {
            cards.extend(app.class_cards()?);
        }
        Ok(cards)
    })
    .await
}

#[tauri::command]
pub async fn open_group(
    device: State<'_, Device>,
    class: String,
    group: String,
    pin: Option<String>,
) -> CommandResult<Vec<ProjectSummary>> {
    // A group of another class on the device: that class is shown from now on (its folder
    // alone is read and served), once the group opened (a wrong PIN switches nothing).
    let (place, app) = device
        .class_app(&class)
        .map_or_else(|| (None, device.app()), |(i, app)| (Some(i), app));
    let opened = blocking(&app, move |app| {
        app.open_group(&class, &group, pin.as_deref())
    })
    .await?;
    if let Some(i) = place {
        device.show(i);
    }
    Ok(opened)
}

#[tauri::command]
pub async fn peer_projects(
    device: State<'_, Device>,
    class: String,
    group: String,
) -> CommandResult<Vec<ProjectSummary>> {
    let app = device.app();
    blocking(&app, move |app| app.peer_projects(&class, &group)).await
}

/// Fills an empty tablet with the sample class, to try the app before enrolment.
#[tauri::command]
pub async fn load_sample_class(device: State<'_, Device>) -> CommandResult<Vec<ClassCard>> {
    let app = device.app();
    blocking(&app, |app| {
        hugme_app::sample::create(app)?;
        app.class_cards()
    })
    .await
}
