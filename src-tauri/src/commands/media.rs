//! Photos, sound and video from a file or the camera, and drawings: the bytes come as the
//! raw body of the call (no JSON, no base64), the rest in headers.

use crate::device::Device;
use hugme_app::api::view::{BlockView, VoiceAnswerView};
use tauri::ipc::{InvokeBody, Request};
use tauri::State;

use super::blocking;
use crate::error::{CommandError, CommandResult};

/// Where sound and video are served to the page (`http://127.0.0.1:<port>/<token>/`; see
/// `media_server`), or none if the loopback server could not start.
#[tauri::command]
pub fn media_base(server: State<'_, Option<crate::media_server::MediaServer>>) -> Option<String> {
    server.as_ref().map(|s| s.base.clone())
}

/// Headers: `x-project`, `x-page`, `x-name` (URI-encoded file name). Body: the file.
#[tauri::command]
pub async fn add_media(
    device: State<'_, Device>,
    request: Request<'_>,
) -> CommandResult<BlockView> {
    let app = device.app();
    let (project, page, name, bytes) = parts(&request, "x-page")?;
    blocking(&app, move |app| {
        app.add_media_block(&project, &page, &name, &bytes)
    })
    .await
}

/// A pupil's spoken answer to a text field. Headers: `x-project`, `x-field` (as
/// `hugme_model::VoiceAnswer` names fields), `x-name`. Body: the recording.
#[tauri::command]
pub async fn add_voice_answer(
    device: State<'_, Device>,
    request: Request<'_>,
) -> CommandResult<VoiceAnswerView> {
    let app = device.app();
    let (project, field, name, bytes) = parts(&request, "x-field")?;
    blocking(&app, move |app| {
        app.add_voice_answer(&project, &field, &name, &bytes)
    })
    .await
}

/// Headers: `x-project`, `x-page`. Body: the drawing as PNG.
#[tauri::command]
pub async fn add_drawing(
    device: State<'_, Device>,
    request: Request<'_>,
) -> CommandResult<BlockView> {
    let app = device.app();
    let (project, page, _, png) = parts(&request, "x-page")?;
    blocking(&app, move |app| {
        app.add_drawing_block(&project, &page, &png)
    })
    .await
}

/// The project, the header `which` (its page, or the field answered), the file's name and its
/// bytes.
fn parts(request: &Request<'_>, which: &str) -> CommandResult<(String, String, String, Vec<u8>)> {
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(decode)
            .ok_or_else(|| CommandError::internal(format!("the call has no {name} header")))
    };
    let InvokeBody::Raw(bytes) = request.body() else {
        return Err(CommandError::internal("the file must come as raw bytes"));
    };
    let name = header("x-name").unwrap_or_else(|_| "file".into());
    Ok((header("x-project")?, header(which)?, name, bytes.clone()))
}

/// Undoes `encodeURIComponent` (file names may hold any character; headers may not).
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).and_then(|&b| hex(b)),
            bytes.get(i + 2).and_then(|&b| hex(b)),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn file_names_are_decoded() {
        assert_eq!(super::decode("J%C3%A4%C3%A4%20kuva.jpg"), "Jää kuva.jpg");
        assert_eq!(super::decode("100%"), "100%");
    }
}
