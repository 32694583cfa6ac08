//! Room kept aside in every data folder so that pupils' work opens and saves on a full disk.
//!
//! SQLite needs a little room even to read a database in WAL mode (its shared-memory index,
//! 32 KiB) and more to save. A tablet whose disk a video filled to the last byte would open
//! nothing ("disk I/O error"). So the folder holds a file of [`RESERVE_BYTES`] made while there
//! is room; when opening or saving fails for space, the store deletes it and tries again, and
//! the work opens and the pupil's last text is saved. The file is made again only once the disk
//! has plenty of room, so making it never fills a disk that was just freed a little.

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::space::space;

/// The name of the reserve in a data folder.
pub const RESERVE_FILE: &str = "reserve";
/// Bytes kept aside: thousands of saves of text (a keystroke's change is some 100 bytes, a
/// WAL frame 4 KiB), yet nothing on a tablet's disk.
pub const RESERVE_BYTES: u64 = 16 << 20;
/// Free room needed before the reserve is made (again): four times its size.
const MAKE_WHEN_FREE: u64 = 4 * RESERVE_BYTES;

/// The reserve of one data folder.
#[derive(Debug)]
pub(crate) struct Reserve {
    path: PathBuf,
}

impl Reserve {
    pub(crate) fn of(dir: &Path) -> Reserve {
        Reserve {
            path: dir.join(RESERVE_FILE),
        }
    }

    /// Whether the reserve is there, whole.
    pub(crate) fn held(&self) -> bool {
        std::fs::metadata(&self.path).is_ok_and(|m| m.len() >= RESERVE_BYTES)
    }

    /// Makes the reserve if it is missing and the disk has plenty of room. The blocks are
    /// allocated (`posix_fallocate`), not a sparse file that would hold nothing back. Failing
    /// leaves no part of it behind; it is tried again at the next open.
    pub(crate) fn keep(&self) {
        if self.held() {
            return;
        }
        let dir = self.path.parent().unwrap_or(Path::new("."));
        if !space(dir).is_ok_and(|s| s.free >= MAKE_WHEN_FREE) {
            return;
        }
        let made = File::create(&self.path).and_then(|file| {
            nix::fcntl::posix_fallocate(&file, 0, RESERVE_BYTES as i64)
                .map_err(|e| std::io::Error::from_raw_os_error(e as i32))?;
            file.sync_all()
        });
        if made.is_err() {
            let _ = std::fs::remove_file(&self.path);
        }
    }

    /// Gives the reserve's room back to the disk. Whether there was one to give.
    pub(crate) fn release(&self) -> bool {
        let had = self.path.exists();
        had && std::fs::remove_file(&self.path).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reserve_holds_real_blocks_and_goes_when_released() {
        let dir = tempfile::tempdir().unwrap();
        let reserve = Reserve::of(dir.path());
        assert!(!reserve.held());
        reserve.keep();
        assert!(reserve.held());
        let path = dir.path().join(RESERVE_FILE);
        let blocks = std::os::unix::fs::MetadataExt::blocks(&std::fs::metadata(&path).unwrap());
        assert!(
            blocks * 512 >= RESERVE_BYTES,
            "allocated, not sparse: {blocks} blocks"
        );
        assert!(reserve.release());
        assert!(!path.exists() && !reserve.release());
    }
}
