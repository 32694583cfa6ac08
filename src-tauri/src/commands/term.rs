//! The end of the term on the teacher's device: end it (every tablet deletes the class as it
//! syncs), and last delete the class from this device too.

use std::sync::Arc;

use hugme::App;
use tauri::State;

use super::blocking;
use super::sync::SyncSide;
use crate::error::CommandResult;
use crate::options::Options;

#[tauri::command]
pub async fn end_term(app: State<'_, Arc<App>>, class: String) -> CommandResult<()> {
    blocking(&app, move |app| app.end_term(&class)).await
}

/// Deletes the class from the teacher's own device (after its term ended); the app then
/// starts as a new device.
#[tauri::command]
pub async fn leave_class(
    app: State<'_, Arc<App>>,
    options: State<'_, Options>,
    sync: State<'_, SyncSide>,
) -> CommandResult<()> {
    let dir = options.data.clone();
    // The network side stays where it is: once it has left the class, the next status look
    // says so and drops it; if deleting fails, it goes on as before.
    let leaving = sync.leaving();
    blocking(&app, move |app| {
        hugme::term::check_teacher_may_leave(app)?;
        match leaving {
            Some(leave) => leave(),
            None => hugme::term::leave_class(app, &dir),
        }
    })
    .await
}
