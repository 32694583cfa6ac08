//! How the app was started, as far as the UI needs to know, and its "first screen painted".

use std::io::Write;

use hugme::view::Launch;
use tauri::State;

use crate::options::Options;
use crate::Started;

#[tauri::command]
pub fn launch(options: State<'_, Options>) -> Launch {
    Launch {
        open_project: options.open_project.clone(),
    }
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
