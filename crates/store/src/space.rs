//! Room left on the disk that holds a data folder: a tablet warns its pupils (and the teacher)
//! before the disk is full, while text can still be saved.

use std::path::Path;

use crate::error::{Error, Result};

/// Below this much free room, a data folder's disk is "nearly full": some ten minutes of a
/// tablet's video. A share of the disk would not do: 5 % of a big disk is plenty of room.
pub const NEARLY_FULL_BYTES: u64 = 2 << 30;

/// The disk's size and what is free for this program, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Space {
    pub free: u64,
    pub total: u64,
}

impl Space {
    /// Little room left: pupils should be warned and media kept off this device.
    pub fn nearly_full(&self) -> bool {
        self.free < NEARLY_FULL_BYTES
    }
}

/// The room on the disk that holds `dir`.
pub fn space(dir: &Path) -> Result<Space> {
    let stat = nix::sys::statvfs::statvfs(dir)
        .map_err(|e| Error::io(dir, std::io::Error::from_raw_os_error(e as i32)))?;
    let block = stat.fragment_size() as u64;
    Ok(Space {
        // What an unprivileged program may use, not the root reserve.
        free: stat.blocks_available() as u64 * block,
        total: stat.blocks() as u64 * block,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_disk_is_nearly_full_below_two_gigabytes() {
        let gb = 1u64 << 30;
        let space = |free, total| Space { free, total };
        assert!(!space(10 * gb, 64 * gb).nearly_full());
        assert!(space(gb, 64 * gb).nearly_full());
        // 3 % of a big disk is still a lot of room.
        assert!(!space(8 * gb, 256 * gb).nearly_full());
    }

    #[test]
    fn the_space_of_a_real_folder_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let space = space(dir.path()).unwrap();
        assert!(space.total > 0 && space.free <= space.total, "{space:?}");
        assert!(super::space(&dir.path().join("missing")).is_err());
    }
}
