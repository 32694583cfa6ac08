//! Letting a tablet into the class: the teacher's screen shows a QR code and a short code;
//! a tablet with no class yet scans the one (camera frames read in Rust) or types the other.
//! The network side starts syncing once the tablet is in.

use crate::device::Device;
use hugme_app::api::enrolment::EnrolmentView;
use tauri::ipc::{InvokeBody, Request};
use tauri::State;

use super::on_network;
use crate::error::{CommandError, CommandResult};

/// On the teacher's device: a tablet for `group` (a group's name), or a second teacher
/// device; what the screen shows for it.
#[tauri::command]
pub async fn enrol_tablet(
    device: State<'_, Device>,
    group: Option<String>,
) -> CommandResult<EnrolmentView> {
    let network = device.network();
    on_network(&network, move |side| side.enrol(group.as_deref())).await
}

/// On a tablet with no class: joins with the short code from the teacher's screen, asking
/// `address` if given (when the network drops multicast) and the teachers' devices heard on
/// the network; then starts syncing. Returns the class's name.
#[tauri::command]
pub async fn join_class(
    device: State<'_, Device>,
    code: String,
    address: Option<String>,
) -> CommandResult<String> {
    let network = device.network();
    let typed: Vec<String> = address.into_iter().collect();
    on_network(&network, move |side| side.join_by_code(&code, &typed)).await
}

/// On a tablet with no class: reads a camera frame (headers `x-width`, `x-height`; body one
/// grey byte per pixel). Nothing in it: `null`. The teacher's QR code: joins and starts
/// syncing, and returns the class's name.
#[tauri::command]
pub async fn scan_enrolment(
    device: State<'_, Device>,
    request: Request<'_>,
) -> CommandResult<Option<String>> {
    let network = device.network();
    let size = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok())
            .ok_or_else(|| CommandError::internal(format!("the frame has no {name}")))
    };
    let (width, height) = (size("x-width")?, size("x-height")?);
    let InvokeBody::Raw(grey) = request.body() else {
        return Err(CommandError::internal("the frame must come as raw bytes"));
    };
    let grey = grey.clone();
    on_network(&network, move |side| side.join_by_qr(width, height, &grey)).await
}
