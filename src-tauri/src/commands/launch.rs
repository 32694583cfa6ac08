//! How the app was started, as far as the UI needs to know, and its "first screen painted".

use std::io::Write;

use crate::device::Device;
use hugme_app::api::view::Launch;
use tauri::State;

use super::blocking;
use crate::error::CommandResult;

use crate::options::Options;
use crate::Started;

#[tauri::command]
pub async fn launch(
    device: State<'_, Device>,
    options: State<'_, Options>,
) -> CommandResult<Launch> {
    let app = device.app();
    let open_project = options.open_project.clone();
    blocking(&app, move |app| {
        Ok(Launch {
            open_project,
            teacher: app.is_teacher()?,
        })
    })
    .await
}

/// The UI's first screen has painted: log how long the start took.
#[tauri::command]
pub fn ui_ready(options: State<'_, Options>, started: State<'_, Started>) {
    let ms = started.0.elapsed().as_millis();
    if options.report_ready {
        let mut out = std::io::stdout();
        let _ = writeln!(out, "ready {ms}");
        let _ = out.flush();
    }
}
