//! The blob folder: media files named by their BLAKE3 hash.
//!
//! A blob is written to `blobs/tmp/`, fsynced, renamed to `blobs/<2 hex>/<64 hex>`, the folder
//! fsynced, and only then entered in the `blobs` index, so a blob is never half-visible: after a
//! crash there may be a stray temp file or an unindexed complete file, never an indexed partial one.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A stored blob: its hash (lowercase hex) and size in bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobRef {
    pub hash: String,
    pub size: u64,
}

/// The folder that holds the blob files.
#[derive(Debug)]
pub(crate) struct BlobFolder {
    root: PathBuf,
}

impl BlobFolder {
    pub(crate) fn open(root: PathBuf) -> Result<Self> {
        let tmp = root.join("tmp");
        std::fs::create_dir_all(&tmp).map_err(|e| Error::io(&tmp, e))?;
        // Temp files left by a crash are never referenced: clear them.
        if let Ok(entries) = std::fs::read_dir(&tmp) {
            for entry in entries.flatten() {
                let _ = std::fs::remove_file(entry.path());
            }
        }
        Ok(Self { root })
    }

    /// Deletes every blob file, whole or partly received (the end of a class's term here).
    /// Every file is tried; the first failure is returned.
    pub(crate) fn clear(&self) -> Result<()> {
        let entries = std::fs::read_dir(&self.root).map_err(|e| Error::io(&self.root, e))?;
        let mut first = None;
        for entry in entries.flatten() {
            let path = entry.path();
            let removed = if path.is_dir() {
                std::fs::remove_dir_all(&path)
            } else {
                std::fs::remove_file(&path)
            };
            if let Err(e) = removed {
                first.get_or_insert(Error::io(&path, e));
            }
        }
        let tmp = self.root.join("tmp");
        let made = std::fs::create_dir_all(&tmp).map_err(|e| Error::io(&tmp, e));
        match first {
            Some(e) => Err(e),
            None => made,
        }
    }

    /// Moves a complete file, already checked against `hash`, into place: fsync, rename, fsync
    /// the folder. The caller indexes it.
    pub(crate) fn adopt(&self, file: &File, from: &Path, hash: &str) -> Result<()> {
        file.sync_all().map_err(|e| Error::io(from, e))?;
        let final_path = self.path_of(hash)?;
        let parent = final_path.parent().unwrap_or(&self.root).to_path_buf();
        std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
        std::fs::rename(from, &final_path).map_err(|e| Error::io(&final_path, e))?;
        File::open(&parent)
            .and_then(|d| d.sync_all())
            .map_err(|e| Error::io(&parent, e))
    }

    /// A unique name in `tmp/` for a received blob waiting to be adopted (cleared at open,
    /// like every temp file: a crash forgets it).
    pub(crate) fn waiting_path(&self, hash: &str) -> PathBuf {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.root
            .join("tmp")
            .join(format!("{hash}.{}.{n}", std::process::id()))
    }

    /// Where blobs being received are kept until they are whole.
    pub(crate) fn partial_dir(&self) -> PathBuf {
        self.root.join("partial")
    }

    /// Where the blob with this hash lives.
    pub(crate) fn path_of(&self, hash: &str) -> Result<PathBuf> {
        check_hash(hash)?;
        Ok(self.root.join(&hash[..2]).join(hash))
    }

    /// Streams `source` into a complete, fsynced file and returns its hash and size. The caller
    /// indexes it.
    pub(crate) fn write(&self, source: &mut dyn Read) -> Result<BlobRef> {
        let tmp_path = self.root.join("tmp").join(uuid::Uuid::new_v4().to_string());
        let result = self.write_via(&tmp_path, source);
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp_path);
        }
        result
    }

    fn write_via(&self, tmp_path: &Path, source: &mut dyn Read) -> Result<BlobRef> {
        let mut file = File::create(tmp_path).map_err(|e| Error::io(tmp_path, e))?;
        let mut hasher = blake3::Hasher::new();
        let mut size = 0u64;
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = match source.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::io(tmp_path, e)),
            };
            hasher.update(&buf[..n]);
            file.write_all(&buf[..n])
                .map_err(|e| Error::io(tmp_path, e))?;
            size += n as u64;
        }
        file.sync_all().map_err(|e| Error::io(tmp_path, e))?;
        drop(file);
        let hash = hasher.finalize().to_hex().to_string();
        let final_path = self.path_of(&hash)?;
        let parent = final_path.parent().unwrap_or(&self.root).to_path_buf();
        std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
        std::fs::rename(tmp_path, &final_path).map_err(|e| Error::io(&final_path, e))?;
        File::open(&parent)
            .and_then(|d| d.sync_all())
            .map_err(|e| Error::io(&parent, e))?;
        Ok(BlobRef { hash, size })
    }

    /// Reads a blob and checks it against its hash.
    pub(crate) fn read(&self, hash: &str) -> Result<Vec<u8>> {
        let path = self.path_of(hash)?;
        let bytes = std::fs::read(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::BlobMissing {
                hash: hash.into(),
                path: path.clone(),
            },
            _ => Error::io(&path, e),
        })?;
        if blake3::hash(&bytes).to_hex().as_str() != hash {
            return Err(Error::BlobCorrupt {
                hash: hash.into(),
                path,
            });
        }
        Ok(bytes)
    }
}

/// Refuses anything but 64 lowercase hex digits, so a hash from the network can never name a
/// path outside the folder.
pub(crate) fn check_hash(hash: &str) -> Result<()> {
    if hash.len() == 64
        && hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        Ok(())
    } else {
        Err(Error::BadHash(hash.into()))
    }
}
