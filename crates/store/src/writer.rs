//! The one writer: a thread that owns the write connection and commits in groups.
//!
//! Callers queue a [`Job`] and get a [`Ticket`]; the writer drains whatever is queued, applies
//! it in one transaction, commits (with `synchronous=FULL` the commit is on disk when it
//! returns) and only then answers every ticket of the batch. So a pupil's keystroke is
//! acknowledged only once durable, yet a burst of keystrokes costs one fsync, not one each.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use rusqlite::{Connection, Transaction};

use crate::error::{Error, Result};
use crate::reserve::Reserve;
use crate::table;

/// Most jobs applied in one transaction; bounds the latency of the first job in a burst.
const MAX_BATCH: usize = 4096;
/// Most jobs waiting; a caller that outruns the disk waits here instead of growing memory.
const QUEUE_DEPTH: usize = 16_384;

/// A write to make durable.
#[derive(Debug)]
pub(crate) enum Job {
    /// Everything goes: documents, logs, sync states, the blob index, settings (the end of a
    /// class's term on this device). The file is vacuumed after, so nothing of it stays
    /// readable in free pages or the WAL.
    Wipe,
    CreateDocument {
        id: String,
        kind: &'static str,
        snapshot: Vec<u8>,
        created_at: i64,
        /// Kept with it (signatures of its changes).
        signatures: Vec<crate::table::signatures::StoredSignature>,
    },
    AppendChange {
        id: String,
        seq: i64,
        bytes: Vec<u8>,
        /// A catch-up row: every change after the last durable row (written even while the
        /// document is unsaved, and then it is saved again).
        catch_up: bool,
        /// The document's [`crate::document::Durability`]: unsaved is set here when this row
        /// is not written (no later row but a catch-up is), its seq noted when it is.
        durability: Arc<crate::document::Durability>,
    },
    Compact {
        id: String,
        snapshot: Vec<u8>,
        through_seq: i64,
    },
    PutSyncState {
        document_id: String,
        peer_id: String,
        state: Vec<u8>,
        at: i64,
    },
    KeepSignature {
        document_id: String,
        signature: crate::table::signatures::StoredSignature,
    },
    KeepCertificate {
        device: String,
        der: Vec<u8>,
    },
    IndexBlob {
        hash: String,
        size: u64,
        at: i64,
    },
    /// A received blob, already checked against its hash, to move into place (fsync, rename,
    /// folder fsync) and index. Done here so that many blobs arriving at once share the
    /// writer's commits and no receiving session waits for the disk.
    AdoptBlob {
        file: std::fs::File,
        from: PathBuf,
        to: PathBuf,
        hash: String,
        size: u64,
        at: i64,
    },
    SetMeta {
        key: String,
        value: String,
    },
    /// Takes blobs out of the index (their files are deleted after: a file with no row is
    /// never visible), each only if it was indexed before `before` (ms): a blob stored again
    /// since, by an import or a peer, stays.
    ForgetBlobs {
        hashes: Vec<String>,
        before: i64,
    },
    /// Writes nothing: answers its tickets in order with the writes queued before it.
    Nothing,
}

/// What the writer answers: shared, because one write may answer several tickets.
type Answer = std::result::Result<(), Arc<Error>>;

/// Where the writer sends one ticket's answer.
#[derive(Debug)]
pub(crate) struct Ack(Sender<Answer>);

impl Ack {
    pub(crate) fn send(&self, answer: Answer) {
        // The ticket may have been dropped by a caller that does not care: that is fine.
        let _ = self.0.send(answer);
    }
}

/// The answer to one queued write: wait on it to know the write is durable.
#[derive(Debug)]
#[must_use = "a write is only known durable once its ticket is waited on"]
pub struct Ticket(Receiver<Answer>);

impl Ticket {
    pub(crate) fn new() -> (Ticket, Ack) {
        let (tx, rx) = mpsc::channel();
        (Ticket(rx), Ack(tx))
    }

    /// A ticket that answers `error` at once: a write refused before it was queued.
    pub(crate) fn refused(error: Error) -> Ticket {
        let (ticket, ack) = Ticket::new();
        ack.send(Err(Arc::new(error)));
        ticket
    }

    /// Blocks until the write is on disk (or failed).
    pub fn wait(self) -> Result<()> {
        match self.0.recv() {
            Ok(Ok(())) => Ok(()),
            Ok(Err(shared)) => Err(Arc::try_unwrap(shared).unwrap_or_else(Error::Batch)),
            Err(_) => Err(Error::WriterGone),
        }
    }

    /// Whether the write is already durable, without waiting (`None`: not answered yet).
    pub fn try_wait(&self) -> Option<Result<()>> {
        match self.0.try_recv() {
            Ok(Ok(())) => Some(Ok(())),
            Ok(Err(shared)) => Some(Err(Error::Batch(shared))),
            Err(mpsc::TryRecvError::Empty) => None,
            Err(mpsc::TryRecvError::Disconnected) => Some(Err(Error::WriterGone)),
        }
    }
}

struct Request {
    job: Job,
    acks: Vec<Ack>,
}

/// Handle to the writer thread. Dropping it lets the thread finish the queue and stop.
#[derive(Debug)]
pub(crate) struct Writer {
    queue: Option<Queue>,
    thread: Option<JoinHandle<()>>,
}

/// A way to hand jobs to the writer; cloned into threads that finish work in the background
/// (the writer stops only once every clone is gone).
#[derive(Debug, Clone)]
pub(crate) struct Queue {
    sender: SyncSender<Request>,
    in_flight: Arc<AtomicUsize>,
}

impl Queue {
    /// Queues a job whose durability answers several tickets.
    pub(crate) fn submit_for(&self, job: Job, acks: Vec<Ack>) {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        if let Err(mpsc::SendError(request)) = self.sender.send(Request { job, acks }) {
            self.in_flight.fetch_sub(1, Ordering::SeqCst);
            request
                .acks
                .iter()
                .for_each(|a| a.send(Err(Arc::new(Error::WriterGone))));
        }
    }
}

impl Writer {
    /// Starts the writer on `conn` (shared with the reader only when the database had to be
    /// opened in exclusive mode on a full disk). A batch that fails for space is tried once
    /// more after `reserve` is given back.
    ///
    /// `blobs_indexed` counts the batches that indexed a blob (sessions offer their peers what
    /// is new when it moves).
    pub(crate) fn start(
        conn: Arc<Mutex<Connection>>,
        path: PathBuf,
        reserve: Reserve,
        blobs_indexed: Arc<std::sync::atomic::AtomicU64>,
    ) -> Writer {
        let (sender, rx) = mpsc::sync_channel(QUEUE_DEPTH);
        let in_flight = Arc::new(AtomicUsize::new(0));
        let counter = in_flight.clone();
        let thread = std::thread::Builder::new()
            .name("hugme-store-writer".into())
            .spawn(move || run(&conn, &path, &reserve, &rx, &counter, &blobs_indexed))
            .ok();
        Writer {
            queue: Some(Queue { sender, in_flight }),
            thread,
        }
    }

    /// Queues a job; the ticket answers once it is durable.
    pub(crate) fn submit(&self, job: Job) -> Ticket {
        let (ticket, ack) = Ticket::new();
        self.submit_for(job, vec![ack]);
        ticket
    }

    /// Queues a job whose durability answers several tickets.
    pub(crate) fn submit_for(&self, job: Job, acks: Vec<Ack>) {
        match &self.queue {
            Some(queue) => queue.submit_for(job, acks),
            None => acks
                .iter()
                .for_each(|a| a.send(Err(Arc::new(Error::WriterGone)))),
        }
    }

    /// A handle for a background thread.
    pub(crate) fn queue(&self) -> Option<Queue> {
        self.queue.clone()
    }

    /// Whether nothing is queued or being written: a new write would go to disk at once.
    pub(crate) fn idle(&self) -> bool {
        self.queue
            .as_ref()
            .is_none_or(|q| q.in_flight.load(Ordering::SeqCst) == 0)
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.queue.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn run(
    conn: &Mutex<Connection>,
    path: &Path,
    reserve: &Reserve,
    rx: &Receiver<Request>,
    in_flight: &AtomicUsize,
    blobs_indexed: &std::sync::atomic::AtomicU64,
) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(request) => batch.push(request),
                Err(_) => break,
            }
        }
        let compacted = batch.iter().any(|r| matches!(r.job, Job::Compact { .. }));
        let wiped = batch.iter().any(|r| matches!(r.job, Job::Wipe));
        let n = batch.len();
        let mut placed = place_blobs(&batch);
        let mut conn = hugme_task::lock(conn);
        let conn = &mut *conn;
        if wiped {
            // Deleted rows are overwritten with zeros where they lie: nothing stays readable
            // in free pages even when the disk is too full to vacuum.
            let _ = conn.execute_batch("PRAGMA secure_delete = ON;");
        }
        let unplaced: Vec<bool> = placed.iter().map(Option::is_some).collect();
        let mut applied = apply_batch(conn, path, &batch, &unplaced);
        if matches!(applied, Err(Error::DiskFull { .. })) && reserve.release() {
            applied = apply_batch(conn, path, &batch, &unplaced);
        }
        let applied = applied.map(|mut results| {
            for (result, error) in results.iter_mut().zip(placed.iter_mut()) {
                if let Some(error) = error.take() {
                    *result = Err(error);
                }
            }
            results
        });
        for (i, request) in batch.iter().enumerate() {
            let ok = applied.as_ref().is_ok_and(|results| results[i].is_ok());
            match &request.job {
                Job::AppendChange { durability, .. } if !ok => {
                    durability.unsaved.store(true, Ordering::SeqCst);
                }
                Job::AppendChange {
                    durability,
                    seq,
                    catch_up,
                    ..
                } => {
                    durability.durable_seq.fetch_max(*seq, Ordering::SeqCst);
                    if *catch_up {
                        durability.unsaved.store(false, Ordering::SeqCst);
                    }
                }
                Job::IndexBlob { .. } | Job::AdoptBlob { .. } if ok => {
                    blobs_indexed.fetch_add(1, Ordering::SeqCst);
                }
                _ => {}
            }
        }
        match applied {
            Ok(mut results) if wiped => {
                // The wipe is answered once the deleted rows are gone from the file and the
                // WAL (its old frames held them); the vacuum then gives the space back, and
                // may fail on a full disk without harm.
                let erased = conn
                    .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
                    .map_err(|e| Error::sqlite(path, e));
                let _ = conn.execute_batch(
                    "VACUUM; PRAGMA wal_checkpoint(TRUNCATE); PRAGMA secure_delete = OFF;",
                );
                if let Err(e) = erased {
                    let e = Arc::new(e);
                    for (request, result) in batch.iter().zip(results.iter_mut()) {
                        if matches!(request.job, Job::Wipe) {
                            *result = Err(Error::Wiped(format!(
                                "the class's data was deleted, but the database could not be \
                                 rewritten without it: {e}"
                            )));
                        }
                    }
                }
                for (request, result) in batch.into_iter().zip(results) {
                    let answer = result.map_err(Arc::new);
                    request.acks.iter().for_each(|a| a.send(answer.clone()));
                }
            }
            Ok(results) => {
                for (request, result) in batch.into_iter().zip(results) {
                    let answer = result.map_err(Arc::new);
                    request.acks.iter().for_each(|a| a.send(answer.clone()));
                }
            }
            Err(error) => {
                let error = Arc::new(error);
                for request in batch {
                    request.acks.iter().for_each(|a| a.send(Err(error.clone())));
                }
            }
        }
        if compacted {
            give_back_space(conn);
        }
        in_flight.fetch_sub(n, Ordering::SeqCst);
    }
}

/// After a compaction, returns the space of dropped logs to the file system, but only when
/// much is free: free pages are reused by the next log rows anyway, and a vacuum plus a full
/// checkpoint after every compaction would stall the writer.
fn give_back_space(conn: &Connection) {
    let pragma = |name: &str| conn.query_row(&format!("PRAGMA {name}"), [], |r| r.get::<_, i64>(0));
    let (Ok(free), Ok(pages), Ok(page_size)) = (
        pragma("freelist_count"),
        pragma("page_count"),
        pragma("page_size"),
    ) else {
        return;
    };
    if free * page_size > 1 << 20 && free * 4 > pages {
        // Each step frees pages and may report a row: step it to the end.
        if let Ok(mut stmt) = conn.prepare("PRAGMA incremental_vacuum") {
            if let Ok(mut rows) = stmt.query([]) {
                while let Ok(Some(_)) = rows.next() {}
            }
        }
        let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
    }
}

/// Moves the batch's received blobs into place: each file fsynced and renamed, then each
/// folder they landed in fsynced once. Returns, per job, the error of a blob that could not
/// be placed (it is then not indexed).
fn place_blobs(batch: &[Request]) -> Vec<Option<Error>> {
    let mut folders = std::collections::BTreeSet::new();
    let mut placed: Vec<Option<Error>> = batch
        .iter()
        .map(|request| {
            let Job::AdoptBlob { file, from, to, .. } = &request.job else {
                return None;
            };
            let parent = to.parent()?.to_path_buf();
            let result = file
                .sync_all()
                .map_err(|e| Error::io(from, e))
                .and_then(|()| std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e)))
                .and_then(|()| std::fs::rename(from, to).map_err(|e| Error::io(to, e)));
            match result {
                Ok(()) => {
                    folders.insert(parent);
                    None
                }
                Err(e) => {
                    let _ = std::fs::remove_file(from);
                    Some(e)
                }
            }
        })
        .collect();
    for folder in folders {
        if let Err(e) = std::fs::File::open(&folder).and_then(|d| d.sync_all()) {
            // The renames into this folder may not survive a power cut: do not index them.
            for (request, slot) in batch.iter().zip(placed.iter_mut()) {
                if let Job::AdoptBlob { to, .. } = &request.job {
                    if slot.is_none() && to.parent() == Some(folder.as_path()) {
                        *slot = Some(Error::io(
                            &folder,
                            std::io::Error::new(e.kind(), e.to_string()),
                        ));
                    }
                }
            }
        }
    }
    placed
}

/// Applies every job in one transaction, but those marked `skip` (a blob not placed). A job
/// that fails is answered with its error and leaves nothing behind (its savepoint is rolled
/// back); the others still commit.
///
/// Out of space, SQLite may roll the whole transaction back by itself; the statements after
/// would then each commit on their own, answered as if in a batch that failed. So a job that
/// ends the transaction fails the whole batch with its error, and nothing of it is kept.
fn apply_batch(
    conn: &mut Connection,
    path: &Path,
    batch: &[Request],
    skip: &[bool],
) -> Result<Vec<Result<()>>> {
    let tx = conn.transaction().map_err(|e| Error::sqlite(path, e))?;
    let mut results = Vec::with_capacity(batch.len());
    // Documents one of whose changes failed in this try: their later changes are not written.
    let mut failed: Vec<&str> = Vec::new();
    for (request, &skip) in batch.iter().zip(skip) {
        let result = match &request.job {
            _ if skip => Ok(()),
            Job::AppendChange {
                id,
                durability,
                catch_up,
                ..
            } if (!catch_up && durability.unsaved.load(Ordering::SeqCst))
                || failed.contains(&id.as_str()) =>
            {
                Err(Error::Unsaved { id: id.clone() })
            }
            job => apply_one(&tx, path, job),
        };
        if let (Err(_), Job::AppendChange { id, .. }) = (&result, &request.job) {
            failed.push(id);
        }
        if tx.is_autocommit() {
            return Err(result.err().unwrap_or_else(|| Error::DiskFull {
                path: path.to_path_buf(),
            }));
        }
        results.push(result);
    }
    tx.commit().map_err(|e| Error::sqlite(path, e))?;
    Ok(results)
}

fn apply_one(tx: &Transaction<'_>, path: &Path, job: &Job) -> Result<()> {
    match job {
        // Single statements: a failing statement undoes only itself.
        Job::AppendChange { id, seq, bytes, .. } => {
            table::changes::append(tx, path, id, *seq, bytes)
        }
        Job::PutSyncState {
            document_id,
            peer_id,
            state,
            at,
        } => table::sync_states::put(tx, path, document_id, peer_id, state, *at),
        Job::KeepSignature {
            document_id,
            signature,
        } => table::signatures::keep(tx, path, document_id, signature),
        Job::KeepCertificate { device, der } => {
            table::signatures::keep_certificate(tx, path, device, der)
        }
        Job::IndexBlob { hash, size, at } | Job::AdoptBlob { hash, size, at, .. } => {
            table::blobs::insert(tx, path, hash, *size, *at)
        }
        Job::SetMeta { key, value } => table::meta::set(tx, path, key, value),
        Job::ForgetBlobs { hashes, before } => {
            for hash in hashes {
                table::blobs::forget(tx, path, hash, *before)?;
            }
            Ok(())
        }
        Job::Nothing => Ok(()),
        // Children first: the logs and sync states name their documents.
        Job::Wipe => tx
            .execute_batch(
                "DELETE FROM changes; DELETE FROM sync_states; DELETE FROM signatures; \
                 DELETE FROM certificates; DELETE FROM documents; \
                 DELETE FROM blobs; DELETE FROM meta;",
            )
            .map_err(|e| Error::sqlite(path, e)),
        // Several statements: all or nothing.
        Job::CreateDocument {
            id,
            kind,
            snapshot,
            created_at,
            signatures,
        } => all_or_nothing(tx, path, || {
            table::documents::insert(tx, path, id, kind, snapshot, *created_at)?;
            for signature in signatures {
                table::signatures::keep(tx, path, id, signature)?;
            }
            Ok(())
        }),
        Job::Compact {
            id,
            snapshot,
            through_seq,
        } => all_or_nothing(tx, path, || {
            table::documents::replace_snapshot(tx, path, id, snapshot)?;
            table::changes::drop_through(tx, path, id, *through_seq)
        }),
    }
}

/// Runs a job of several statements under a savepoint: a failing one undoes them all (the
/// batch's other jobs still commit).
fn all_or_nothing(
    tx: &Transaction<'_>,
    path: &Path,
    statements: impl FnOnce() -> Result<()>,
) -> Result<()> {
    tx.execute_batch("SAVEPOINT job")
        .map_err(|e| Error::sqlite(path, e))?;
    let result = statements();
    // Out of space, SQLite may have rolled the whole transaction back (savepoint and all):
    // the job's own error (a full disk) is what the batch must hear, not "no such savepoint".
    if tx.is_autocommit() {
        return result;
    }
    let end = if result.is_ok() {
        "RELEASE job"
    } else {
        "ROLLBACK TO job; RELEASE job"
    };
    let ended = tx.execute_batch(end).map_err(|e| Error::sqlite(path, e));
    result.and(ended)
}
