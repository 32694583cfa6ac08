//! The commands the UI calls, one module per area. Each is a few lines: take the arguments,
//! run the facade call off the main thread, map the error.

pub mod classes;
pub mod enrolment;
pub mod export;
pub mod launch;
pub mod media;
pub mod projects;
pub mod speech;
pub mod sync;
pub mod teacher;
pub mod term;
pub mod window;

use std::sync::Arc;

use hugme_app::App;
use hugme_node::NetworkSide;

use crate::error::{CommandError, CommandResult};

/// Runs a facade call on the blocking pool: SQLite commits and image work never stall the
/// window's thread.
pub(crate) async fn blocking<T: Send + 'static>(
    app: &Arc<App>,
    f: impl FnOnce(&App) -> hugme_app::Result<T> + Send + 'static,
) -> CommandResult<T> {
    let app = Arc::clone(app);
    tauri::async_runtime::spawn_blocking(move || f(&app))
        .await
        .map_err(CommandError::internal)?
        .map_err(CommandError::from)
}

/// Runs a call of the network side on a plain thread of its own, waited for off the async
/// threads: it may start a tokio runtime (joining talks to the teacher's device), which
/// cannot be done from inside the app's own.
pub(crate) async fn on_network<T: Send + 'static>(
    side: &Arc<NetworkSide>,
    f: impl FnOnce(&NetworkSide) -> hugme_node::Result<T> + Send + 'static,
) -> CommandResult<T> {
    let side = Arc::clone(side);
    on_thread(move || f(&side)).await
}

/// Runs a call of the node (one that may talk to another device, with a runtime of its
/// own) on a plain thread of its own, waited for off the async threads.
pub(crate) async fn on_thread<T: Send + 'static>(
    f: impl FnOnce() -> hugme_node::Result<T> + Send + 'static,
) -> CommandResult<T> {
    tauri::async_runtime::spawn_blocking(move || {
        std::thread::spawn(f)
            .join()
            .map_err(|_| CommandError::internal("the network side failed unexpectedly"))
    })
    .await
    .map_err(CommandError::internal)??
    .map_err(CommandError::from)
}
