//! The commands the UI calls, one module per area. Each is a few lines: take the arguments,
//! run the facade call off the main thread, map the error.

pub mod classes;
pub mod enrolment;
pub mod export;
pub mod launch;
pub mod media;
pub mod projects;
pub mod sync;
pub mod teacher;
pub mod term;
pub mod window;

use std::sync::Arc;

use hugme::App;

use crate::error::{CommandError, CommandResult};

/// Runs a facade call on the blocking pool: SQLite commits and image work never stall the
/// window's thread.
pub(crate) async fn blocking<T: Send + 'static>(
    app: &Arc<App>,
    f: impl FnOnce(&App) -> hugme::Result<T> + Send + 'static,
) -> CommandResult<T> {
    let app = Arc::clone(app);
    tauri::async_runtime::spawn_blocking(move || f(&app))
        .await
        .map_err(CommandError::internal)?
        .map_err(CommandError::from)
}
