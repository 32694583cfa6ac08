//! What one address may try of the open short codes. Each try is one guess of a code's six
//! secret digits, and a code is void after [`super::MAX_ATTEMPTS`] tries; without a limit per
//! address, anyone on the Wi-Fi could use up the tries of every open code (there are a
//! hundred slots) before the pupils type them. One address may make [`PER_CODE`] tries of a
//! code, fewer than it has, and [`IN_ALL`] tries in all within a code's lifetime.
//!
//! Kept in memory: a restart of the teacher's device forgets it, as it ends every try under
//! way.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use hugme_task::lock;

/// Tries of one code one address may make.
pub const PER_CODE: usize = 3;
/// Tries of any codes one address may make within [`WINDOW`].
pub const IN_ALL: usize = 10;
/// How long a try is remembered: a code's lifetime.
pub const WINDOW: Duration = Duration::from_millis(super::CODE_LIFETIME_MS as u64);

/// The tries each address made, with when.
#[derive(Debug, Default)]
pub struct Tries(Mutex<HashMap<IpAddr, Vec<(String, Instant)>>>);

impl Tries {
    /// Counts a try of the code in `slot` from `from`; `false` (nothing counted) when the
    /// address may try no more.
    pub fn allow(&self, from: IpAddr, slot: &str) -> bool {
        let mut all = lock(&self.0);
        let now = Instant::now();
        all.retain(|_, tries| {
            tries.retain(|(_, at)| now.duration_since(*at) < WINDOW);
            !tries.is_empty()
        });
        let tries = all.entry(from).or_default();
        let of_code = tries.iter().filter(|(s, _)| s == slot).count();
        if of_code >= PER_CODE || tries.len() >= IN_ALL {
            return false;
        }
        tries.push((slot.to_owned(), now));
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_address_cannot_use_up_a_code_nor_scan_the_slots() {
        let tries = Tries::default();
        let stranger = IpAddr::from([10, 0, 0, 66]);
        let tablet = IpAddr::from([10, 0, 0, 7]);
        assert!((0..PER_CODE).all(|_| tries.allow(stranger, "42")));
        assert!(
            !tries.allow(stranger, "42"),
            "a code keeps tries for the tablet"
        );
        assert!(PER_CODE < super::super::MAX_ATTEMPTS as usize);
        assert!(tries.allow(tablet, "42"), "another address still may");
        let scanned = (0..100)
            .filter(|slot| tries.allow(stranger, &format!("{slot:02}")))
            .count();
        assert_eq!(scanned, IN_ALL - PER_CODE, "a few slots, not a hundred");
    }
}
