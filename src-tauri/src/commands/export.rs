//! Exporting the open project for the school's LMS or as a web portfolio, with progress
//! events and cancel.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use hugme::view::{ExportFormat, ExportProgress};
use hugme::App;
use hugme_export::Progress;
use tauri::{AppHandle, Emitter, Manager, Runtime, State};

use super::blocking;
use crate::error::{CommandError, CommandResult};
use crate::options::Options;

/// The export under way, if any (one at a time: it is disk-bound anyway).
#[derive(Debug, Default)]
pub struct Exports(Mutex<Option<Progress>>);

fn folder<R: Runtime>(handle: &AppHandle<R>, options: &Options) -> PathBuf {
    options.exports.clone().unwrap_or_else(|| {
        handle
            .path()
            .document_dir()
            .unwrap_or_else(|_| options.data.join("exports"))
            .join("Hug me! Studio")
    })
}

/// Writes the export of a project and returns its path; `export-progress` events tell how far
/// it is.
#[tauri::command]
pub async fn export_project<R: Runtime>(
    handle: AppHandle<R>,
    app: State<'_, Arc<App>>,
    options: State<'_, Options>,
    exports: State<'_, Exports>,
    project: String,
    format: ExportFormat,
) -> CommandResult<String> {
    run(
        &handle,
        &app,
        &options,
        &exports,
        move |app, folder, progress| app.export_project(&project, format, folder, progress),
    )
    .await
}

/// Writes the export of a whole class (the teacher's end of term), with feedback if asked.
#[tauri::command]
pub async fn export_class<R: Runtime>(
    handle: AppHandle<R>,
    app: State<'_, Arc<App>>,
    options: State<'_, Options>,
    exports: State<'_, Exports>,
    class: String,
    format: ExportFormat,
    feedback: bool,
) -> CommandResult<String> {
    run(
        &handle,
        &app,
        &options,
        &exports,
        move |app, folder, progress| app.export_class(&class, format, feedback, folder, progress),
    )
    .await
}

/// Runs one export (one at a time) with progress events and cancel.
async fn run<R: Runtime>(
    handle: &AppHandle<R>,
    app: &Arc<App>,
    options: &Options,
    exports: &Exports,
    export: impl FnOnce(&App, &std::path::Path, &Progress) -> hugme::Result<PathBuf> + Send + 'static,
) -> CommandResult<String> {
    let emitter = handle.clone();
    // About a hundred events for a whole export, not one per chunk.
    let last = Mutex::new(0u64);
    let progress = Progress::with_listener(move |done, total| {
        let step = (total / 100).max(1);
        let mut last = last.lock().unwrap_or_else(|p| p.into_inner());
        if done == total || done >= *last + step {
            *last = done;
            let _ = emitter.emit("export-progress", ExportProgress { done, total });
        }
    });
    {
        let mut current = exports.0.lock().unwrap_or_else(|p| p.into_inner());
        if current.as_ref().is_some_and(|p| !p.is_cancelled()) {
            return Err(CommandError::internal("an export is already running"));
        }
        *current = Some(progress.clone());
    }
    let folder = folder(handle, options);
    let ours = progress.clone();
    let result = blocking(app, move |app| export(app, &folder, &progress)).await;
    // Forget this export only: after a cancel, a newer one may already be the current one.
    let mut current = exports.0.lock().unwrap_or_else(|p| p.into_inner());
    if current.as_ref().is_some_and(|p| p.is(&ours)) {
        *current = None;
    }
    drop(current);
    Ok(result?.display().to_string())
}

/// Stops the export under way; it leaves no file behind.
#[tauri::command]
pub fn cancel_export(exports: State<'_, Exports>) {
    if let Some(progress) = exports.0.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
        progress.cancel();
    }
}
