//! What work running on several threads shares across Hug me! Studio's crates.
//!
//! # Layout
//! - [`lock`] (this file): a mutex lock that a panic in another holder does not make unusable.
//! - [`Progress`] (this file): how far a long task is, and its cancel (an export's bytes, a
//!   media import's stage).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// Locks `m`; a panic in another holder does not make the data unusable here.
///
/// Every value the project keeps behind a mutex (open documents, peers' states, an export
/// under way) stays consistent between statements, so a panic elsewhere leaves nothing half
/// done that a later holder could trip on, and the app keeps working instead of failing every
/// call after one bug.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

type Listener<R> = Box<dyn Fn(R) + Send + Sync>;

struct Shared<R> {
    cancelled: AtomicBool,
    last: Mutex<R>,
    listener: Option<Listener<R>>,
}

/// How far a long task is, and a way to stop it, shared by the task (which reports and looks
/// at the cancel flag between its steps) and whoever shows it (which reads the last report,
/// or listens, and may cancel). Cloning shares it.
///
/// `R` is what the task reports: an export its bytes done and to do, a media import its stage
/// and the fraction done. Each report replaces the last whole, so a reader never sees half of
/// one.
pub struct Progress<R>(Arc<Shared<R>>);

impl<R> Clone for Progress<R> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<R: Default> Default for Progress<R> {
    fn default() -> Self {
        Self(Arc::new(Shared {
            cancelled: AtomicBool::new(false),
            last: Mutex::new(R::default()),
            listener: None,
        }))
    }
}

impl<R: Copy + std::fmt::Debug> std::fmt::Debug for Progress<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Progress")
            .field("last", &self.last())
            .field("cancelled", &self.is_cancelled())
            .finish()
    }
}

impl<R: Copy> Progress<R> {
    /// Progress that also calls `listener` with every report, from the task's thread.
    pub fn with_listener(listener: impl Fn(R) + Send + Sync + 'static) -> Self
    where
        R: Default,
    {
        Self(Arc::new(Shared {
            cancelled: AtomicBool::new(false),
            last: Mutex::new(R::default()),
            listener: Some(Box::new(listener)),
        }))
    }

    /// Asks the task to stop at its next check.
    pub fn cancel(&self) {
        self.0.cancelled.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.cancelled.load(Ordering::SeqCst)
    }

    /// Whether `other` is this same task's progress (not just an equal-looking one).
    pub fn is(&self, other: &Progress<R>) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    /// The last report (the default before the first).
    pub fn last(&self) -> R {
        *lock(&self.0.last)
    }

    /// Reports how far the task is: kept as the last report, and told to the listener.
    pub fn report(&self, report: R) {
        *lock(&self.0.last) = report;
        if let Some(listener) = &self.0.listener {
            listener(report);
        }
    }

    /// Changes the last report with `f` and reports the result (a task that counts up).
    pub fn update(&self, f: impl FnOnce(R) -> R) {
        let report = {
            let mut last = lock(&self.0.last);
            *last = f(*last);
            *last
        };
        if let Some(listener) = &self.0.listener {
            listener(report);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_and_a_cancel_are_seen_by_every_clone_and_the_listener() {
        let heard = Arc::new(Mutex::new(Vec::new()));
        let to = heard.clone();
        let progress = Progress::<(u64, u64)>::with_listener(move |r| to.lock().unwrap().push(r));
        let seen_by_task = progress.clone();
        seen_by_task.report((0, 10));
        seen_by_task.update(|(done, total)| (done + 4, total));
        assert_eq!(progress.last(), (4, 10));
        assert_eq!(*heard.lock().unwrap(), [(0, 10), (4, 10)]);
        assert!(!seen_by_task.is_cancelled());
        progress.cancel();
        assert!(seen_by_task.is_cancelled());
        assert!(progress.is(&seen_by_task));
        assert!(!progress.is(&Progress::default()));
    }

    #[test]
    fn a_mutex_whose_holder_panicked_is_still_usable() {
        let m = std::sync::Arc::new(Mutex::new(1));
        let held = m.clone();
        let _ = std::thread::spawn(move || {
            let _guard = held.lock().unwrap();
            panic!("a bug while holding the lock");
        })
        .join();
        assert!(m.is_poisoned());
        *lock(&m) += 1;
        assert_eq!(*lock(&m), 2);
    }
}
