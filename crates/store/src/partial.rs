//! A blob being received from a peer, a piece at a time, possibly over several sessions.
//!
//! The bytes go to `blobs/partial/<hash>` and through a BLAKE3 hasher as they arrive, so the
//! check at the end reads nothing again; a transfer resumed by a later process hashes what is
//! already there once. Only a file whose hash matches is moved into the blob folder and
//! indexed; anything else is deleted. Partial files are not fsynced: after a power cut one may
//! be short or end in junk, which the final check catches (the blob is then fetched again).

use std::fs::{File, OpenOptions};
use std::io::{Seek, SeekFrom, Write};
use std::path::PathBuf;

use crate::blob_folder::{check_hash, BlobRef};
use crate::error::{Error, Result};
use crate::writer::Job;
use crate::{now_ms, Store};

/// A blob on its way in.
#[derive(Debug)]
pub struct PartialBlob {
    hash: String,
    path: PathBuf,
    file: File,
    hasher: blake3::Hasher,
    len: u64,
}

impl PartialBlob {
    pub(crate) fn open(store: &Store, hash: &str) -> Result<PartialBlob> {
        check_hash(hash)?;
        let dir = store.blobs.partial_dir();
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        let path = dir.join(hash);
        let mut file = OpenOptions::new()
            .create(true)
            .read(true)
            .append(false)
            .write(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        let mut hasher = blake3::Hasher::new();
        hasher
            .update_reader(&mut file)
            .map_err(|e| Error::io(&path, e))?;
        let len = file
            .seek(SeekFrom::End(0))
            .map_err(|e| Error::io(&path, e))?;
        Ok(PartialBlob {
            hash: hash.into(),
            path,
            file,
            hasher,
            len,
        })
    }

    /// Bytes received so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether the bytes received so far are those the hash names (the whole blob).
    pub fn matches_hash(&self) -> bool {
        self.hasher.finalize().to_hex().as_str() == self.hash
    }

    /// The bytes received so far, read from the start (to judge a whole blob's content before
    /// it is kept).
    ///
    /// # Errors
    /// [`Error::Io`] when the partial file cannot be opened.
    pub fn open_received(&self) -> Result<File> {
        File::open(&self.path).map_err(|e| Error::io(&self.path, e))
    }

    /// Appends the next bytes.
    pub fn append(&mut self, bytes: &[u8]) -> Result<()> {
        self.file
            .write_all(bytes)
            .map_err(|e| Error::io(&self.path, e))?;
        self.hasher.update(bytes);
        self.len += bytes.len() as u64;
        Ok(())
    }

    /// Ends the transfer: the blob is stored and indexed if its bytes match its hash
    /// (`Some`), deleted if not (`None`).
    pub fn finish(self, store: &Store) -> Result<Option<BlobRef>> {
        if self.hasher.finalize().to_hex().as_str() != self.hash {
            drop(self.file);
            std::fs::remove_file(&self.path).map_err(|e| Error::io(&self.path, e))?;
            return Ok(None);
        }
        store.blobs.adopt(&self.file, &self.path, &self.hash)?;
        store
            .submit(Job::IndexBlob {
                hash: self.hash.clone(),
                size: self.len,
                at: now_ms(),
            })
            .wait()?;
        Ok(Some(BlobRef {
            hash: self.hash,
            size: self.len,
        }))
    }

    /// Ends the transfer without waiting for the disk: the bytes are checked against the hash
    /// now (`None`: they do not match and are deleted); a matching blob is handed to the
    /// writer, which moves it into place and indexes it with whatever else is being written.
    /// It becomes visible only then; [`Store::flush`] waits for it. A power cut before that
    /// loses the blob, which a peer then sends again.
    pub fn finish_later(self, store: &Store) -> Result<Option<BlobRef>> {
        if self.hasher.finalize().to_hex().as_str() != self.hash {
            drop(self.file);
            std::fs::remove_file(&self.path).map_err(|e| Error::io(&self.path, e))?;
            return Ok(None);
        }
        // Off the partial name at once: a new transfer of the same hash must start a file of
        // its own, not append to this one while it waits to be adopted.
        let waiting = store.blobs.waiting_path(&self.hash);
        std::fs::rename(&self.path, &waiting).map_err(|e| Error::io(&waiting, e))?;
        let to = store.blobs.path_of(&self.hash)?;
        drop(store.submit(Job::AdoptBlob {
            file: self.file,
            from: waiting,
            to,
            hash: self.hash.clone(),
            size: self.len,
            at: now_ms(),
        }));
        Ok(Some(BlobRef {
            hash: self.hash,
            size: self.len,
        }))
    }

    /// Drops what was received (a transfer that will start again from nothing).
    pub fn discard(self) -> Result<()> {
        drop(self.file);
        std::fs::remove_file(&self.path).map_err(|e| Error::io(&self.path, e))
    }
}
