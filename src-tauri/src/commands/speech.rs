//! Read-aloud: a prompt, a step's title or a pupil's text spoken by the device's offline
//! engine (`hugme-speech`), for the WebViews that have no voices of their own (WebKitGTK).

use tauri::ipc::Response;

use crate::error::{CommandError, CommandResult};

/// `text` spoken in `language` (the UI's), as the bytes of a WAV file for the UI to play.
#[tauri::command]
pub async fn read_aloud(text: String, language: String) -> CommandResult<Response> {
    let wav = tauri::async_runtime::spawn_blocking(move || hugme_speech::speak(&text, &language))
        .await
        .map_err(CommandError::internal)??;
    Ok(Response::new(wav))
}
