//! What work running on several threads shares across Hug me! Studio's crates.
//!
//! # Layout
//! - [`lock`] (this file): a mutex lock that a panic in another holder does not make unusable.

use std::sync::{Mutex, MutexGuard};

/// Locks `m`; a panic in another holder does not make the data unusable here.
///
/// Every value the project keeps behind a mutex (open documents, peers' states, an export
/// under way) stays consistent between statements, so a panic elsewhere leaves nothing half
/// done that a later holder could trip on, and the app keeps working instead of failing every
/// call after one bug.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

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
