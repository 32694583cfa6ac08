//! Exporting the open project for the school's LMS or as a web portfolio, with progress
//! events and cancel.

use std::path::PathBuf;

use crate::device::Device;
use hugme_app::api::view::{ExportDone, ExportFormat, ExportProgress};
use tauri::{AppHandle, Emitter, Manager, Runtime, State};

use super::blocking;
use crate::error::CommandResult;
use crate::options::Options;

pub(crate) fn folder<R: Runtime>(handle: &AppHandle<R>, options: &Options) -> PathBuf {
    options.exports.clone().unwrap_or_else(|| {
        handle
            .path()
            .document_dir()
            .unwrap_or_else(|_| options.data.join("exports"))
            .join("Hug me! Studio")
    })
}

/// Writes the export of a project and returns its path and what it could not hold;
/// `export-progress` events tell how far it is. One export at a time (the facade refuses a second).
#[tauri::command]
pub async fn export_project<R: Runtime>(
    handle: AppHandle<R>,
    device: State<'_, Device>,
    options: State<'_, Options>,
    project: String,
    format: ExportFormat,
) -> CommandResult<ExportDone> {
    let app = device.app();
    let (folder, emitter) = (folder(&handle, &options), handle.clone());
    blocking(&app, move |app| {
        app.export_project(&project, format, &folder, move |p| emit(&emitter, p))
    })
    .await
}

/// Writes the export of a whole class (the teacher's end of term), with feedback if asked.
#[tauri::command]
pub async fn export_class<R: Runtime>(
    handle: AppHandle<R>,
    device: State<'_, Device>,
    options: State<'_, Options>,
    class: String,
    format: ExportFormat,
    feedback: bool,
) -> CommandResult<ExportDone> {
    let app = device.app();
    let (folder, emitter) = (folder(&handle, &options), handle.clone());
    blocking(&app, move |app| {
        app.export_class(&class, format, feedback, &folder, move |p| {
            emit(&emitter, p)
        })
    })
    .await
}

fn emit<R: Runtime>(handle: &AppHandle<R>, progress: ExportProgress) {
    let _ = handle.emit("export-progress", progress);
}

/// Stops the export under way; it leaves no file behind.
#[tauri::command]
pub fn cancel_export(device: State<'_, Device>) {
    let app = device.app();
    app.cancel_export();
}
