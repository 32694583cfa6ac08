//! Letting a tablet into the class: the teacher's screen shows a QR code and a short code;
//! a tablet scans the one (camera frames read in Rust) or types the other. The network side
//! starts syncing once the tablet is in. A tablet already in a class (a cart's) joins another
//! into a folder of its own ([`Device::join`]).

use crate::device::{Device, Joining};
use hugme_app::api::enrolment::EnrolmentView;
use tauri::ipc::{InvokeBody, Request};
use tauri::State;

use super::on_network;
use crate::error::{CommandError, CommandResult};

/// Runs a join on a plain thread of its own (it may start a tokio runtime: joining talks to
/// the teacher's device), waited for off the async threads.
async fn joining(device: &Device, how: Joining) -> CommandResult<Option<String>> {
    let device = device.clone();
    tauri::async_runtime::spawn_blocking(move || {
        std::thread::spawn(move || device.join(how))
            .join()
            .map_err(|_| CommandError::internal("joining failed unexpectedly"))
    })
    .await
    .map_err(CommandError::internal)??
    .map_err(CommandError::from)
}

/// On the teacher's device: a tablet for `group` (a group's name) of `class`, or a second
/// teacher device; what the screen shows for it.
#[tauri::command]
pub async fn enrol_tablet(
    device: State<'_, Device>,
    class: String,
    group: Option<String>,
) -> CommandResult<EnrolmentView> {
    let network = device.class_network(&class);
    on_network(&network, move |side| side.enrol(group.as_deref())).await
}

/// On a tablet: joins with the short code from the teacher's screen, asking `address` if
/// given (when the network drops multicast) and the teachers' devices heard on the network;
/// then starts syncing. Returns the class's name.
#[tauri::command]
pub async fn join_class(
    device: State<'_, Device>,
    code: String,
    address: Option<String>,
) -> CommandResult<String> {
    let typed: Vec<String> = address.into_iter().collect();
    let name = joining(&device, Joining::Code { code, typed }).await?;
    Ok(name.unwrap_or_default())
}

/// On a tablet: reads a camera frame (headers `x-width`, `x-height`; body one
/// grey byte per pixel). Nothing in it: `null`. The teacher's QR code: joins and starts
/// syncing, and returns the class's name.
#[tauri::command]
pub async fn scan_enrolment(
    device: State<'_, Device>,
    request: Request<'_>,
) -> CommandResult<Option<String>> {
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
    joining(
        &device,
        Joining::Frame {
            width,
            height,
            grey,
        },
    )
    .await
}
