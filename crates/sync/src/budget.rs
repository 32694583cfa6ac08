//! The media a device may still fetch, shared by all its sessions at once.
//!
//! A session reserves a blob's missing bytes before it asks for the first of them, and gives
//! back what did not come or was not kept; thirty sessions at once cannot each fetch up to
//! the quota. The device's own imports are not counted here: the quota bounds what other
//! devices can make it store.

use std::sync::atomic::{AtomicU64, Ordering};

/// Bytes of media a device may still fetch.
#[derive(Debug)]
pub struct MediaBudget(AtomicU64);

impl MediaBudget {
    /// A budget of `bytes`.
    pub fn new(bytes: u64) -> Self {
        Self(AtomicU64::new(bytes))
    }

    /// Takes `bytes` if that many are left (all or nothing).
    pub fn take(&self, bytes: u64) -> bool {
        self.0
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |left| {
                left.checked_sub(bytes)
            })
            .is_ok()
    }

    /// Gives back bytes taken and not used.
    pub fn give_back(&self, bytes: u64) {
        let _ = self
            .0
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |left| {
                Some(left.saturating_add(bytes))
            });
    }

    /// Bytes left.
    pub fn left(&self) -> u64 {
        self.0.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taken_all_or_nothing_and_given_back() {
        let budget = MediaBudget::new(10);
        assert!(budget.take(6));
        assert!(!budget.take(6), "only 4 left");
        assert!(budget.take(4));
        assert_eq!(budget.left(), 0);
        budget.give_back(3);
        assert_eq!(budget.left(), 3);
    }

    #[test]
    fn threads_at_once_never_take_more_than_there_is() {
        let budget = std::sync::Arc::new(MediaBudget::new(1000));
        let taken: u64 = (0..8)
            .map(|_| {
                let budget = budget.clone();
                std::thread::spawn(move || (0..100).filter(|_| budget.take(7)).count() as u64 * 7)
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|t| t.join().unwrap())
            .sum();
        assert!(taken <= 1000 && taken > 1000 - 7, "{taken}");
    }
}
