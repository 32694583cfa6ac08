//! One SQLite database per data folder, and the folder of media blobs beside it.
//!
//! A data folder holds `hugme.sqlite` (with its WAL), `blobs/` and a `lock` file that keeps a
//! second program from writing the same folder. A document is a snapshot plus an append-only
//! log of incremental saves; a write is acknowledged only once it is on disk, and writes that
//! arrive together share one commit.
//!
//! # Layout
//! - [`Store`] (this file): opening a data folder; documents, sync states, signatures and
//!   certificates, blobs, meta.
//! - [`document`]: [`StoredDocument`], an open Automerge document with its log and compaction.
//! - `writer`: the writer thread that commits in groups and answers [`Ticket`]s.
//! - `db`: the header check, per-connection PRAGMAs and migrations (`migrations/*.sql`).
//! - `table/*`: one module per table with the SQL that touches it.
//! - `blob_folder`: files named by BLAKE3 hash, written via temp file, fsync and rename.
//! - [`partial`]: a blob received a piece at a time from a peer, hashed as it arrives.
//! - [`error`]: the one error type; each error names the file, document, change or blob.
//! - [`space`]: how much room is left on the data folder's disk.
//! - [`reserve`]: room kept aside so that work opens and saves on a full disk.

mod blob_folder;
mod db;
pub mod document;
pub mod error;
pub mod partial;
pub mod reserve;
pub mod space;
mod table;
mod writer;

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use automerge::AutoCommit;
use hugme_model::DocumentKind;
use rusqlite::Connection;

use blob_folder::BlobFolder;
pub use blob_folder::BlobRef;
pub use db::supported_version;
pub use document::StoredDocument;
pub use error::{Error, Result};
pub use partial::PartialBlob;
pub use table::documents::DocumentInfo;
pub use table::signatures::StoredSignature;
pub use writer::Ticket;
use writer::{Job, Writer};

/// The database file inside a data folder.
pub const DATABASE_FILE: &str = "hugme.sqlite";

/// An open data folder.
#[derive(Debug)]
pub struct Store {
    dir: PathBuf,
    db_path: PathBuf,
    /// Its own connection, or the writer's when the disk was too full to open two.
    reader: Arc<Mutex<Connection>>,
    writer: Writer,
    blobs: BlobFolder,
    /// Set by [`Store::wipe`]: no document or media is taken until [`Store::resume`] (a
    /// pupil's photo arriving a moment after the class was deleted must not stay behind).
    wiped: std::sync::atomic::AtomicBool,
    /// Blobs indexed since the folder opened ([`Store::blob_generation`]).
    blobs_indexed: Arc<AtomicU64>,
    _lock: File,
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Makes `dir` and its missing parents, the folder itself its user's only (0700 on Unix).
fn private_folder(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    if !dir.exists() {
        use std::os::unix::fs::DirBuilderExt;
        return std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir);
    }
    std::fs::create_dir_all(dir)
}

/// Makes an existing data folder of this process's user that others may enter its user's
/// only (made by an older version, or by hand). `ours` is a file this process made in it:
/// its owner is this process's user. Another user's folder (a school's shared setup) is
/// left as it is.
fn keep_private(dir: &Path, ours: &File) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let folder = std::fs::metadata(dir)?;
        if ours.metadata()?.uid() == folder.uid() && folder.mode() & 0o077 != 0 {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        }
    }
    let _ = (dir, ours);
    Ok(())
}

/// How long [`Store::open`] waits for a folder's lock before calling it busy: a lock is
/// also held, for a moment, by a child process another thread of the holder forked and has
/// not yet exec'd (the lock's file is closed on exec) and by a program that is exiting.
const LOCK_PATIENCE: std::time::Duration = std::time::Duration::from_secs(2);

/// Takes the folder's lock, waiting up to [`LOCK_PATIENCE`] for one held for a moment.
fn take_lock(lock: &File, dir: &Path, lock_path: &Path) -> Result<()> {
    let deadline = std::time::Instant::now() + LOCK_PATIENCE;
    loop {
        match lock.try_lock() {
            Ok(()) => return Ok(()),
            Err(std::fs::TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(10))
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(Error::Busy {
                    path: dir.to_path_buf(),
                })
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(lock_path, e)),
        }
    }
}

impl Store {
    /// Opens the data folder `dir`, creating it if needed. The folder is its user's only
    /// (0700 on Unix; one of ours that others could read is made so): it holds children's
    /// names and the class's keys.
    pub fn open(dir: &Path) -> Result<Store> {
        private_folder(dir).map_err(|e| Error::io(dir, e))?;
        let lock_path = dir.join("lock");
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| Error::io(&lock_path, e))?;
        take_lock(&lock, dir, &lock_path)?;
        keep_private(dir, &lock).map_err(|e| Error::io(dir, e))?;
        let db_path = dir.join(DATABASE_FILE);
        let reserve = reserve::Reserve::of(dir);
        let (writer, reader) = open_connections(dir, &db_path, &reserve)?;
        reserve.keep();
        let blobs = BlobFolder::open(dir.join("blobs"))?;
        let blobs_indexed = Arc::new(AtomicU64::new(0));
        Ok(Store {
            dir: dir.to_path_buf(),
            writer: Writer::start(writer, db_path.clone(), reserve, blobs_indexed.clone()),
            blobs_indexed,
            db_path,
            reader,
            blobs,
            wiped: std::sync::atomic::AtomicBool::new(false),
            _lock: lock,
        })
    }

    /// A number that grows whenever a blob is indexed (stored here, or received whole): a
    /// session that offered its peer the blobs held at one value offers again once it moved.
    pub fn blob_generation(&self) -> u64 {
        self.blobs_indexed.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Whether the folder's room for a full disk has been used: the disk was or is full
    /// (see [`reserve`]); it is kept again at an open once the disk has room.
    pub fn reserve_used(&self) -> bool {
        !reserve::Reserve::of(&self.dir).held()
    }

    /// The data folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub(crate) fn submit(&self, job: Job) -> Ticket {
        self.writer.submit(job)
    }

    pub(crate) fn submit_for(&self, job: Job, acks: Vec<writer::Ack>) {
        self.writer.submit_for(job, acks)
    }

    pub(crate) fn queue(&self) -> Option<writer::Queue> {
        self.writer.queue()
    }

    /// Waits until everything handed to the writer so far is on disk (blobs adopted in the
    /// background included).
    pub fn flush(&self) -> Result<()> {
        self.submit(Job::Nothing).wait()
    }

    /// Deletes everything this data folder holds (documents and their logs, sync states,
    /// media, settings) and gives the space back, so nothing of it stays readable on the
    /// disk: the end of a class's term on a shared tablet. The rows go in one transaction
    /// (a process killed midway leaves all or nothing), then the media files.
    ///
    /// Everything is tried even when a step fails (a full disk cannot vacuum; the deleted
    /// rows are zeroed in place regardless); the first failure is returned.
    pub fn wipe(&self) -> Result<()> {
        self.wiped.store(true, std::sync::atomic::Ordering::SeqCst);
        let rows = self.submit(Job::Wipe).wait();
        let files = self.blobs.clear();
        rows.and(files)
    }

    /// Takes documents and media again after a [`Store::wipe`] (the device joined a class).
    pub fn resume(&self) {
        self.wiped.store(false, std::sync::atomic::Ordering::SeqCst);
    }

    fn refuse_if_wiped(&self) -> Result<()> {
        if self.wiped.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(Error::Wiped(
                "this data folder's class was deleted: nothing more is kept".into(),
            ));
        }
        Ok(())
    }

    /// Whether the writer has nothing queued: a write now would reach disk at once.
    pub fn writer_idle(&self) -> bool {
        self.writer.idle()
    }

    fn read<T>(&self, f: impl FnOnce(&Connection, &Path) -> Result<T>) -> Result<T> {
        // A panic elsewhere cannot leave a connection half-used: recover the guard.
        let conn = hugme_task::lock(&self.reader);
        f(&conn, &self.db_path)
    }

    /// Stores a new document (its first snapshot) durably and returns it open for editing.
    pub fn create_document(
        &self,
        id: &str,
        kind: DocumentKind,
        doc: AutoCommit,
    ) -> Result<StoredDocument> {
        self.create_signed_document(id, kind, doc, Vec::new())
    }

    /// [`Store::create_document`] with the checked signatures that vouch for its changes,
    /// in the same transaction: a device killed in between never holds a peer's changes
    /// without what vouches for them (which it could not pass on).
    pub fn create_signed_document(
        &self,
        id: &str,
        kind: DocumentKind,
        mut doc: AutoCommit,
        signatures: Vec<StoredSignature>,
    ) -> Result<StoredDocument> {
        self.refuse_if_wiped()?;
        document::commit_now(&mut doc);
        let snapshot = doc.save();
        let snapshot_bytes = snapshot.len() as u64;
        self.submit(Job::CreateDocument {
            id: id.into(),
            kind: kind.as_str(),
            snapshot,
            created_at: now_ms(),
            signatures,
        })
        .wait()?;
        let base_heads = doc.get_heads();
        Ok(StoredDocument {
            id: id.into(),
            kind,
            doc,
            next_seq: 1,
            snapshot_bytes: Arc::new(AtomicU64::new(snapshot_bytes)),
            compacting: Arc::new(AtomicBool::new(false)),
            durability: Arc::default(),
            flushed: std::collections::VecDeque::new(),
            base_heads,
            log_bytes: 0,
            log_changes: 0,
            unflushed: Vec::new(),
            last_flush: std::time::Instant::now(),
        })
    }

    /// Loads a document: its snapshot and every logged change.
    pub fn open_document(&self, id: &str) -> Result<StoredDocument> {
        let (row, changes) = self.read(|conn, path| {
            Ok((
                table::documents::get(conn, path, id)?,
                table::changes::list(conn, path, id)?,
            ))
        })?;
        let kind = row
            .kind
            .parse()
            .map_err(|_| Error::CorruptSnapshot { id: id.into() })?;
        let snapshot_bytes = row.snapshot.len() as u64;
        let log_bytes: u64 = changes.iter().map(|c| c.bytes.len() as u64).sum();
        let mut all = row.snapshot;
        all.reserve(log_bytes as usize);
        for change in &changes {
            all.extend_from_slice(&change.bytes);
        }
        let mut doc = match AutoCommit::load(&all) {
            Ok(doc) => doc,
            Err(_) => return Err(diagnose(id, &all[..snapshot_bytes as usize], &changes)),
        };
        let base_heads = doc.get_heads();
        Ok(StoredDocument {
            id: id.into(),
            kind,
            doc,
            next_seq: changes.last().map_or(1, |c| c.seq + 1),
            snapshot_bytes: Arc::new(AtomicU64::new(snapshot_bytes)),
            compacting: Arc::new(AtomicBool::new(false)),
            durability: Arc::default(),
            flushed: std::collections::VecDeque::new(),
            base_heads,
            log_bytes,
            log_changes: changes.len() as u64,
            unflushed: Vec::new(),
            last_flush: std::time::Instant::now(),
        })
    }

    /// Every document with its sizes.
    pub fn documents(&self) -> Result<Vec<DocumentInfo>> {
        self.read(table::documents::list)
    }

    /// The persisted sync state of a document with a peer.
    pub fn sync_state(&self, document_id: &str, peer_id: &str) -> Result<Option<Vec<u8>>> {
        self.read(|conn, path| table::sync_states::get(conn, path, document_id, peer_id))
    }

    /// Persists the sync state of a document with a peer.
    pub fn put_sync_state(&self, document_id: &str, peer_id: &str, state: Vec<u8>) -> Ticket {
        self.submit(Job::PutSyncState {
            document_id: document_id.into(),
            peer_id: peer_id.into(),
            state,
            at: now_ms(),
        })
    }

    /// The newest checked signature of each author of a document (by signer).
    pub fn signatures(&self, document_id: &str) -> Result<Vec<StoredSignature>> {
        self.read(|conn, path| table::signatures::of_document(conn, path, document_id))
    }

    /// Keeps a checked signature unless one naming a later change of its signer is held.
    pub fn keep_signature(&self, document_id: &str, signature: StoredSignature) -> Ticket {
        self.submit(Job::KeepSignature {
            document_id: document_id.into(),
            signature,
        })
    }

    /// A device certificate kept here (DER).
    pub fn certificate(&self, device: &str) -> Result<Option<Vec<u8>>> {
        self.read(|conn, path| table::signatures::certificate(conn, path, device))
    }

    /// Keeps a device certificate checked against the class CA (durable once the ticket is).
    pub fn keep_certificate(&self, device: &str, der: &[u8]) -> Ticket {
        self.submit(Job::KeepCertificate {
            device: device.into(),
            der: der.to_vec(),
        })
    }

    /// A value from the folder's `meta` table.
    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        self.read(|conn, path| table::meta::get(conn, path, key))
    }

    /// Sets a value in the folder's `meta` table, durably.
    pub fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        self.submit(Job::SetMeta {
            key: key.into(),
            value: value.into(),
        })
        .wait()
    }

    /// Stores bytes as a blob (once, however often they are stored) and returns its reference.
    pub fn put_blob(&self, bytes: &[u8]) -> Result<BlobRef> {
        self.refuse_if_wiped()?;
        let hash = blake3::hash(bytes).to_hex().to_string();
        if self.has_blob(&hash)? {
            return Ok(BlobRef {
                hash,
                size: bytes.len() as u64,
            });
        }
        self.put_blob_from(&mut &bytes[..])
    }

    /// Streams a blob in from a reader, so large media never sits whole in memory.
    pub fn put_blob_from(&self, source: &mut dyn Read) -> Result<BlobRef> {
        self.refuse_if_wiped()?;
        let blob = self.blobs.write(source)?;
        let indexed = self
            .submit(Job::IndexBlob {
                hash: blob.hash.clone(),
                size: blob.size,
                at: now_ms(),
            })
            .wait();
        if let Err(e) = indexed {
            // No file without its row (a full disk, say), unless the row was there before.
            if !self.has_blob(&blob.hash).unwrap_or(true) {
                if let Ok(path) = self.blobs.path_of(&blob.hash) {
                    let _ = std::fs::remove_file(path);
                }
            }
            return Err(e);
        }
        Ok(blob)
    }

    /// A blob being received (resumed if an earlier transfer left part of it).
    pub fn partial_blob(&self, hash: &str) -> Result<PartialBlob> {
        self.refuse_if_wiped()?;
        PartialBlob::open(self, hash)
    }

    /// Bytes of blobs being received (partial files a cut-off transfer left), in all.
    pub fn partial_bytes(&self) -> u64 {
        std::fs::read_dir(self.blobs.partial_dir())
            .map(|dir| {
                dir.flatten()
                    .filter_map(|e| e.metadata().ok())
                    .map(|m| m.len())
                    .sum()
            })
            .unwrap_or(0)
    }

    /// Whether a complete blob with this hash is stored.
    pub fn has_blob(&self, hash: &str) -> Result<bool> {
        Ok(self.blob_size(hash)?.is_some())
    }

    /// The size of a complete stored blob, if there is one with this hash.
    pub fn blob_size(&self, hash: &str) -> Result<Option<u64>> {
        blob_folder::check_hash(hash)?;
        self.read(|conn, path| table::blobs::size(conn, path, hash))
    }

    /// A blob's bytes, checked against its hash.
    pub fn blob(&self, hash: &str) -> Result<Vec<u8>> {
        if !self.has_blob(hash)? {
            return Err(Error::BlobMissing {
                hash: hash.into(),
                path: self.blobs.path_of(hash)?,
            });
        }
        self.blobs.read(hash)
    }

    /// The file of a stored blob (for the UI to show it without copying).
    pub fn blob_path(&self, hash: &str) -> Result<PathBuf> {
        self.blobs.path_of(hash)
    }

    /// Every indexed blob and its size.
    pub fn blobs(&self) -> Result<Vec<BlobRef>> {
        Ok(self
            .read(table::blobs::list)?
            .into_iter()
            .map(|(hash, size)| BlobRef { hash, size })
            .collect())
    }

    /// Deletes the blobs stored before `before` (ms since the epoch) whose hashes are not in
    /// `keep`: out of the index first, then their files. Returns (blobs, bytes) deleted.
    ///
    /// The caller says what is still referred to; it must be the only user of the folder
    /// while this runs (an import or a transfer writing one of these blobs again would race
    /// the file's deletion), which is why it runs as a program opens the folder.
    ///
    /// # Errors
    /// The database's, or a file that could not be deleted.
    pub fn collect_blobs(
        &self,
        keep: &std::collections::HashSet<String>,
        before: i64,
    ) -> Result<(usize, u64)> {
        self.refuse_if_wiped()?;
        let unreferenced: Vec<(String, u64)> = self
            .read(|conn, path| table::blobs::stored_before(conn, path, before))?
            .into_iter()
            .filter(|(hash, _)| !keep.contains(hash))
            .collect();
        if unreferenced.is_empty() {
            return Ok((0, 0));
        }
        self.submit(Job::ForgetBlobs {
            hashes: unreferenced.iter().map(|(h, _)| h.clone()).collect(),
            before,
        })
        .wait()?;
        let mut bytes = 0;
        for (hash, size) in &unreferenced {
            if self.has_blob(hash)? {
                continue; // indexed again since it was listed
            }
            let file = self.blobs.path_of(hash)?;
            match std::fs::remove_file(&file) {
                Ok(()) => bytes += size,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::io(&file, e)),
            }
        }
        Ok((unreferenced.len(), bytes))
    }

    /// SQLite's `PRAGMA integrity_check`: `"ok"` when the database is sound.
    pub fn integrity_check(&self) -> Result<String> {
        self.read(|conn, path| {
            conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))
                .map_err(|e| Error::sqlite(path, e))
        })
    }
}

/// A connection the writer thread and readers may share.
type Shared = Arc<Mutex<Connection>>;

/// The writer's and the reader's connections. On a disk too full to open the database (SQLite
/// cannot even make its shared-memory index), the reserve is given back and the open tried
/// again; if even that fails, one connection in exclusive mode (its index in memory, no
/// shared file) serves both: the work reads, and saves when room comes back.
fn open_connections(
    dir: &Path,
    db_path: &Path,
    reserve: &reserve::Reserve,
) -> Result<(Shared, Shared)> {
    let two = || -> Result<_> {
        let writer = db::open(db_path, db::Locking::Shared)?;
        let reader = db::connect(db_path)?;
        Ok((Arc::new(Mutex::new(writer)), Arc::new(Mutex::new(reader))))
    };
    let out_of_room = |e: &Error| match e {
        Error::DiskFull { .. } => true,
        Error::Sqlite { source, .. } => {
            source.sqlite_error_code() == Some(rusqlite::ErrorCode::SystemIoFailure)
                && space::space(dir).is_ok_and(|s| s.free < reserve::RESERVE_BYTES)
        }
        _ => false,
    };
    match two() {
        Err(e) if out_of_room(&e) => {}
        opened => return opened,
    }
    if reserve.release() {
        match two() {
            Err(e) if out_of_room(&e) => {}
            opened => return opened,
        }
    }
    let one = Arc::new(Mutex::new(db::open(db_path, db::Locking::Exclusive)?));
    Ok((one.clone(), one))
}

/// Finds which part of a document Automerge could not load: the snapshot or a change.
///
/// Loading stops being possible at the first bad row, so a binary search over how many rows
/// follow the snapshot finds it in a few loads (this runs only when a document is damaged).
fn diagnose(id: &str, snapshot: &[u8], changes: &[table::changes::Change]) -> Error {
    if let Err(source) = AutoCommit::load(snapshot) {
        return Error::Automerge {
            id: id.into(),
            source: Box::new(source),
        };
    }
    let loads = |rows: usize| {
        let mut bytes = snapshot.to_vec();
        changes[..rows]
            .iter()
            .for_each(|c| bytes.extend_from_slice(&c.bytes));
        AutoCommit::load(&bytes).map(|_| ())
    };
    // Invariant: `good` rows load, `bad` rows do not.
    let (mut good, mut bad) = (0, changes.len());
    let mut why = match loads(bad) {
        Ok(()) => return Error::CorruptSnapshot { id: id.into() },
        Err(e) => e.to_string(),
    };
    while bad - good > 1 {
        let mid = good + (bad - good) / 2;
        match loads(mid) {
            Ok(()) => good = mid,
            Err(e) => {
                why = e.to_string();
                bad = mid;
            }
        }
    }
    Error::CorruptChange {
        id: id.into(),
        seq: changes[bad - 1].seq,
        why,
    }
}
