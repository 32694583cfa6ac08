//! The app on the classroom network: it serves its peers and syncs with its neighbours (see
//! [`crate::neighbours`]) on a runtime of its own, while pupils edit the same open documents.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::hub::Hub;
use crate::neighbours::{self, Reach};
use crate::sync_status::SyncView;
use crate::App;

/// The port devices serve on when it is free (mDNS announces whichever is used).
pub const PORT: u16 = 7420;

/// A running network side; it stops with the process.
#[derive(Debug)]
pub struct Network {
    hub: Arc<Hub>,
    addr: SocketAddr,
}

impl Network {
    /// Starts serving (at `listen`, or every address on [`PORT`] or any free port) and
    /// syncing the data folder `dir` of `app`. `Ok(None)` when the folder belongs to no class
    /// yet: there is nobody to sync with.
    pub fn start(
        app: Arc<App>,
        dir: &Path,
        reach: Reach,
        listen: Option<&str>,
    ) -> Result<Option<Network>> {
        if crate::hub::load_identity(dir, app.store()).is_err() {
            return Ok(None);
        }
        let hub = Arc::new(Hub::of(app, dir)?);
        let runtime = crate::enrolment::runtime()?;
        let listener = runtime.block_on(async {
            if let Some(addr) = listen {
                return tokio::net::TcpListener::bind(addr).await;
            }
            // Another program (a `hugme hub` beside the app) may hold the usual port.
            match tokio::net::TcpListener::bind(("0.0.0.0", PORT)).await {
                Ok(listener) => Ok(listener),
                Err(_) => tokio::net::TcpListener::bind(("0.0.0.0", 0)).await,
            }
        });
        let listener = listener.map_err(|e| Error::Sync(hugme_sync::Error::Io(e)))?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::Sync(hugme_sync::Error::Io(e)))?;
        runtime.block_on(async { neighbours::start(hub.clone(), addr, reach) })?;
        let serving = hub.clone();
        let enrolment = hub.is_teacher_device();
        std::thread::Builder::new()
            .name("hugme-network".into())
            .spawn(move || {
                if let Err(e) =
                    runtime.block_on(hugme_sync::net::serve(listener, serving.clone(), enrolment))
                {
                    hugme_sync::net::Host::log(serving.as_ref(), &format!("serving stopped: {e}"));
                }
            })
            .map_err(|e| Error::Sync(hugme_sync::Error::Io(e)))?;
        Ok(Some(Network { hub, addr }))
    }

    /// Where this device serves.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Cancels the media transfers under way and fetches no more for a while.
    pub fn pause_media(&self) {
        self.hub.pause_media();
    }

    pub fn resume_media(&self) {
        self.hub.resume_media();
    }

    /// The sync status the UI shows.
    pub fn status(&self) -> SyncView {
        self.hub.status()
    }

    /// Reads the status later, on another thread (it reads the roster and the disk).
    pub fn status_reader(&self) -> impl FnOnce() -> SyncView + Send + 'static {
        let hub = self.hub.clone();
        move || hub.status()
    }
}
