//! Letting a tablet into the class: the teacher's screen shows a QR code and a short code;
//! a tablet with no class yet scans the one (camera frames read in Rust) or types the other.
//!
//! Joining talks to the teacher's device on a runtime of its own, so it runs on a plain
//! thread (a tokio runtime cannot be started from inside the app's own).

use std::sync::Arc;

use hugme::enrolment::EnrolmentView;
use hugme::App;
use tauri::ipc::{InvokeBody, Request};
use tauri::State;

use super::blocking;
use super::sync::SyncSide;
use crate::error::{CommandError, CommandResult};
use crate::options::Options;

/// On the teacher's device: a tablet for `group` (a group's name), or a second teacher
/// device; what the screen shows for it.
#[tauri::command]
pub async fn enrol_tablet(
    app: State<'_, Arc<App>>,
    options: State<'_, Options>,
    sync: State<'_, SyncSide>,
    group: Option<String>,
) -> CommandResult<EnrolmentView> {
    let dir = options.data.clone();
    let addresses = sync.reachable_at();
    blocking(&app, move |app| {
        let teacher = group.is_none();
        hugme::enrolment::enrol_in(app, &dir, group.as_deref(), teacher, &addresses, None)?.view()
    })
    .await
}

/// On a tablet with no class: joins with the short code from the teacher's screen, asking
/// `address` if given (when the network drops multicast) and the teachers' devices heard on
/// the network; then starts syncing. Returns the class's name.
#[tauri::command]
pub async fn join_class(
    app: State<'_, Arc<App>>,
    options: State<'_, Options>,
    sync: State<'_, SyncSide>,
    code: String,
    address: Option<String>,
) -> CommandResult<String> {
    let (dir, discovery) = (options.data.clone(), options.discovery);
    let typed: Vec<String> = address.into_iter().collect();
    let joined = off_runtime(&app, move |app| {
        let addresses = hugme::enrolment::teacher_addresses(&typed, discovery)?;
        hugme::enrolment::join_by_code_in(app, &dir, &code, &addresses)
    })
    .await?;
    start_syncing(&app, &options, &sync).await?;
    Ok(joined.1.class_name)
}

/// On a tablet with no class: reads a camera frame (headers `x-width`, `x-height`; body one
/// grey byte per pixel). Nothing in it: `null`. The teacher's QR code: joins and starts
/// syncing, and returns the class's name.
#[tauri::command]
pub async fn scan_enrolment(
    app: State<'_, Arc<App>>,
    options: State<'_, Options>,
    sync: State<'_, SyncSide>,
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
    let dir = options.data.clone();
    let joined = off_runtime(&app, move |app| {
        match hugme::enrolment::read_qr(width, height, &grey)? {
            None => Ok(None),
            Some(payload) => {
                hugme::enrolment::join_in(app, &dir, &payload)?;
                Ok(Some(payload.class_name))
            }
        }
    })
    .await?;
    if joined.is_some() {
        start_syncing(&app, &options, &sync).await?;
    }
    Ok(joined)
}

/// Runs `f` on a plain thread, waited for off the async threads.
async fn off_runtime<T: Send + 'static>(
    app: &Arc<App>,
    f: impl FnOnce(&App) -> hugme::Result<T> + Send + 'static,
) -> CommandResult<T> {
    let app = Arc::clone(app);
    tauri::async_runtime::spawn_blocking(move || {
        std::thread::spawn(move || f(&app))
            .join()
            .map_err(|_| CommandError::internal("joining the class failed unexpectedly"))
    })
    .await
    .map_err(CommandError::internal)??
    .map_err(CommandError::from)
}

/// Starts the network side now that this device belongs to a class.
pub(crate) async fn start_syncing(
    app: &Arc<App>,
    options: &Options,
    sync: &SyncSide,
) -> CommandResult<()> {
    let (app, options) = (Arc::clone(app), options.clone());
    let network = off_runtime(&Arc::clone(&app), move |_| {
        Ok(crate::start_network(&app, &options))
    })
    .await?;
    sync.start(move || network);
    Ok(())
}
