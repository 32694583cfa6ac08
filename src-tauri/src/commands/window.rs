//! Closing the window without losing a keystroke: the close is held until the UI has saved
//! what it was still sending, then the UI calls [`close_now`].

use tauri::{Emitter, Manager, Runtime, Window, WindowEvent};

/// How long a close waits for the UI before it goes ahead anyway (a hung page must not keep
/// the window open).
const GRACE: std::time::Duration = std::time::Duration::from_secs(3);

/// The window's close button: ask the UI to finish saving first.
pub fn on_window_event<R: Runtime>(window: &Window<R>, event: &WindowEvent) {
    if let WindowEvent::CloseRequested { api, .. } = event {
        api.prevent_close();
        let _ = window.emit("close-requested", ());
        let handle = window.app_handle().clone();
        let label = window.label().to_owned();
        std::thread::spawn(move || {
            std::thread::sleep(GRACE);
            if let Some(window) = handle.get_webview_window(&label) {
                let _ = window.destroy();
            }
        });
    }
}

/// The UI has saved everything: close for real.
#[tauri::command]
pub fn close_now<R: Runtime>(window: Window<R>) {
    let _ = window.destroy();
}
