//! Progress and cancelling of an export that runs off the UI thread: the export counts the
//! bytes it has written against the bytes it will write, and stops at the next chunk once
//! cancelled.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

type Listener = Box<dyn Fn(u64, u64) + Send + Sync>;

#[derive(Default)]
struct Shared {
    cancelled: AtomicBool,
    done: AtomicU64,
    total: AtomicU64,
    listener: Option<Listener>,
}

/// Shared progress and cancel flag of one export. Cloning shares it.
#[derive(Clone, Default)]
pub struct Progress(Arc<Shared>);

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (done, total) = self.bytes();
        f.debug_struct("Progress")
            .field("done", &done)
            .field("total", &total)
            .field("cancelled", &self.is_cancelled())
            .finish()
    }
}

impl Progress {
    /// Progress that also calls `listener(done, total)` (in bytes) from the export's thread.
    pub fn with_listener(listener: impl Fn(u64, u64) + Send + Sync + 'static) -> Self {
        Self(Arc::new(Shared {
            listener: Some(Box::new(listener)),
            ..Shared::default()
        }))
    }

    /// Asks the export to stop; it removes what it had written.
    pub fn cancel(&self) {
        self.0.cancelled.store(true, Ordering::SeqCst);
    }

    /// Whether `other` is this same export's progress (not just an equal-looking one).
    pub fn is(&self, other: &Progress) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.cancelled.load(Ordering::SeqCst)
    }

    /// (bytes written, bytes to write).
    pub fn bytes(&self) -> (u64, u64) {
        (
            self.0.done.load(Ordering::Relaxed),
            self.0.total.load(Ordering::Relaxed),
        )
    }

    pub(crate) fn set_total(&self, total: u64) {
        self.0.total.store(total, Ordering::Relaxed);
        self.report();
    }

    pub(crate) fn advance(&self, bytes: u64) {
        self.0.done.fetch_add(bytes, Ordering::Relaxed);
        self.report();
    }

    fn report(&self) {
        if let Some(listener) = &self.0.listener {
            let (done, total) = self.bytes();
            listener(done, total);
        }
    }
}
