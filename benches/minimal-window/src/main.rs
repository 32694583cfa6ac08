//! A Tauri 2 window showing one static page: the reference that the app's start-up time and
//! memory are measured against (`cargo bench -p hugme-studio --bench app`). It prints
//! `ready <ms>` when its page has painted, as the app does with `HUGME_REPORT_READY=1`.

use std::io::Write;
use std::time::Instant;

use tauri::State;

struct Started(Instant);

#[tauri::command]
fn ready(started: State<'_, Started>) {
    let mut out = std::io::stdout();
    let _ = writeln!(out, "ready {}", started.0.elapsed().as_millis());
    let _ = out.flush();
}

fn main() {
    let started = Started(Instant::now());
    tauri::Builder::default()
        .manage(started)
        .invoke_handler(tauri::generate_handler![ready])
        .run(tauri::generate_context!())
        .expect("the minimal window failed");
}
