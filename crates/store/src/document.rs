//! A document open for editing: the Automerge document and its place in the store.
//!
//! Commits are followed by `save_incremental`, whose bytes are appended to the change log
//! through the group-committing writer, which acknowledges each once it is durable.
//! [`StoredDocument::commit_in_burst`] is for many commits in a row (a replay, a paste): they
//! share a log row, because encoding changes one by one costs the typist more than the disk
//! does; every commit's ticket still answers only once that commit is on disk.
//!
//! When the log outweighs the snapshot [`COMPACTION_FACTOR`] times, [`StoredDocument::compact`]
//! replaces both with a fresh `save()` in one transaction. The factor is there because a logged
//! change carries about a hundred bytes of header for one keystroke that the snapshot stores in
//! under one byte: compacting at 1× would re-save a large document every few hundred keystrokes.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use automerge::AutoCommit;
use hugme_model::DocumentKind;

use crate::writer::{Ack, Job, Ticket};
use crate::Store;

/// Compaction waits until the log is at least this big, so small documents are not re-saved
/// after every few keystrokes.
pub const COMPACT_MIN_LOG_BYTES: u64 = 1024 * 1024;
/// Compaction happens when the log is this many times the size of the snapshot.
pub const COMPACTION_FACTOR: u64 = 16;
/// Most commits that wait before they are written anyway.
pub const MAX_UNFLUSHED: usize = 64;
/// Commits closer together than this share a log row (a burst: a paste, a replay, a merge).
pub const FLUSH_INTERVAL: Duration = Duration::from_millis(1);

/// A document loaded from the store.
#[derive(Debug)]
pub struct StoredDocument {
    pub(crate) id: String,
    pub(crate) kind: DocumentKind,
    pub(crate) doc: AutoCommit,
    pub(crate) next_seq: i64,
    /// Shared with a compaction running in the background, which sets it when it is done.
    pub(crate) snapshot_bytes: Arc<AtomicU64>,
    pub(crate) compacting: Arc<AtomicBool>,
    /// What of this copy is on disk, shared with the writer ([`Durability`]).
    pub(crate) durability: Arc<Durability>,
    /// The heads after each log row handed to the writer and not yet known durable, by seq;
    /// and the heads the snapshot holds (what is on disk when no row is).
    pub(crate) flushed: std::collections::VecDeque<(i64, Vec<automerge::ChangeHash>)>,
    pub(crate) base_heads: Vec<automerge::ChangeHash>,
    pub(crate) log_bytes: u64,
    pub(crate) log_changes: u64,
    /// Tickets of commits not yet handed to the writer.
    pub(crate) unflushed: Vec<Ack>,
    pub(crate) last_flush: Instant,
}

/// What of a document is on disk, told by the writer.
///
/// When a log row cannot be written (a full disk), `unsaved` is set: this copy holds changes
/// the store lacks, and a later row would depend on one that is not on disk, so none is
/// written. The copy is kept (live sessions may have sent its changes to peers already: making
/// them again under the same sequence numbers would split the document between devices), and
/// the next row written is a catch-up: everything after the last durable row's heads.
#[derive(Debug, Default)]
pub(crate) struct Durability {
    pub(crate) unsaved: AtomicBool,
    /// The highest seq of this copy's rows known durable (0: none since load).
    pub(crate) durable_seq: std::sync::atomic::AtomicI64,
}

impl StoredDocument {
    /// The document's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// What kind of document it is.
    pub fn kind(&self) -> DocumentKind {
        self.kind
    }

    /// The Automerge document, to read.
    pub fn doc(&self) -> &AutoCommit {
        &self.doc
    }

    /// The Automerge document, to change. Call [`StoredDocument::commit`] after.
    pub fn doc_mut(&mut self) -> &mut AutoCommit {
        &mut self.doc
    }

    /// Bytes of the snapshot and of the change log, and the number of logged changes.
    pub fn sizes(&self) -> (u64, u64, u64) {
        (
            self.snapshot_bytes.load(Ordering::SeqCst),
            self.log_bytes,
            self.log_changes,
        )
    }

    /// Commits what was changed (locally, or merged in from a peer) and hands it to the
    /// writer. The ticket answers once everything the document holds up to now is durable.
    pub fn commit(&mut self, store: &Store) -> Ticket {
        commit_now(&mut self.doc);
        let (ticket, ack) = Ticket::new();
        self.unflushed.push(ack);
        self.flush(store);
        ticket
    }

    /// Commits one edit of a burst (a replay, a paste, an import). A commit that comes alone
    /// (the writer idle, the last flush over [`FLUSH_INTERVAL`] ago) is written at once; in a
    /// burst, commits wait, at most [`MAX_UNFLUSHED`] of them, and go down as one row.
    ///
    /// The caller must call [`StoredDocument::flush`] when the burst ends: a ticket of a
    /// waiting commit answers only after that.
    pub fn commit_in_burst(&mut self, store: &Store) -> Ticket {
        commit_now(&mut self.doc);
        let (ticket, ack) = Ticket::new();
        self.unflushed.push(ack);
        let writer_ready = store.writer_idle() && self.last_flush.elapsed() >= FLUSH_INTERVAL;
        if writer_ready || self.unflushed.len() >= MAX_UNFLUSHED {
            self.flush(store);
        }
        ticket
    }

    /// Whether a change of this copy could not be written yet (its next row catches up).
    pub fn is_unsaved(&self) -> bool {
        self.durability.unsaved.load(Ordering::SeqCst)
    }

    /// Whether commits wait to be handed to the writer (call [`StoredDocument::flush`] soon).
    pub fn has_unflushed(&self) -> bool {
        !self.unflushed.is_empty()
    }

    /// Hands every waiting commit to the writer as one log row.
    pub fn flush(&mut self, store: &Store) {
        if self.unflushed.is_empty() {
            return;
        }
        let acks = std::mem::take(&mut self.unflushed);
        self.last_flush = Instant::now();
        // Rows known durable need their heads no more.
        let durable = self.durability.durable_seq.load(Ordering::SeqCst);
        while self.flushed.len() > 1 && self.flushed.get(1).is_some_and(|(seq, _)| *seq <= durable)
        {
            self.flushed.pop_front();
        }
        let catch_up = self.is_unsaved();
        let mut bytes = self.doc.save_incremental();
        if catch_up {
            // Everything after the newest durable row (or the snapshot): the row that failed
            // and any refused after it, with this one.
            let since = match self.flushed.front() {
                Some((seq, heads)) if *seq <= durable => heads.clone(),
                _ => self.base_heads.clone(),
            };
            bytes = self.doc.save_after(&since);
        }
        if bytes.is_empty() {
            // Nothing new after all (an empty commit): answer at once.
            store.submit_for(Job::Nothing, acks);
            return;
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        self.log_bytes += bytes.len() as u64;
        self.log_changes += 1;
        self.flushed.push_back((seq, self.doc.get_heads()));
        store.submit_for(
            Job::AppendChange {
                id: self.id.clone(),
                seq,
                bytes,
                catch_up,
                durability: self.durability.clone(),
            },
            acks,
        );
    }

    /// Whether the log outweighs the snapshot [`COMPACTION_FACTOR`] times (and is past
    /// [`COMPACT_MIN_LOG_BYTES`]).
    pub fn needs_compaction(&self) -> bool {
        let snapshot = self.snapshot_bytes.load(Ordering::SeqCst);
        !self.compacting.load(Ordering::SeqCst)
            && self.log_bytes > (snapshot * COMPACTION_FACTOR).max(COMPACT_MIN_LOG_BYTES)
    }

    /// Replaces snapshot and log with one fresh snapshot, in one transaction.
    pub fn compact(&mut self, store: &Store) -> Ticket {
        self.flush(store);
        if self.is_unsaved() {
            return Ticket::refused(crate::Error::Unsaved {
                id: self.id.clone(),
            });
        }
        let (snapshot, through_seq) = (self.doc.save(), self.next_seq - 1);
        self.snapshot_bytes
            .store(snapshot.len() as u64, Ordering::SeqCst);
        self.log_bytes = 0;
        self.log_changes = 0;
        store.submit(Job::Compact {
            id: self.id.clone(),
            snapshot,
            through_seq,
        })
    }

    /// Compacts without making the typist wait for `save()`: a copy of the document (a few
    /// milliseconds even for a long history) is saved on another thread, and the snapshot
    /// replaces exactly the log rows the copy had seen. Rows written meanwhile stay.
    pub fn compact_in_background(&mut self, store: &Store) -> Ticket {
        self.flush(store);
        if self.is_unsaved() {
            return Ticket::refused(crate::Error::Unsaved {
                id: self.id.clone(),
            });
        }
        let (ticket, ack) = Ticket::new();
        let Some(queue) = store.queue() else {
            drop(ack); // the ticket then answers WriterGone
            return ticket;
        };
        let mut copy = self.doc.clone();
        let (id, through_seq) = (self.id.clone(), self.next_seq - 1);
        let (size, compacting) = (self.snapshot_bytes.clone(), self.compacting.clone());
        compacting.store(true, Ordering::SeqCst);
        self.log_bytes = 0;
        self.log_changes = 0;
        let spawned = std::thread::Builder::new()
            .name("hugme-compaction".into())
            .spawn(move || {
                let snapshot = copy.save();
                size.store(snapshot.len() as u64, Ordering::SeqCst);
                queue.submit_for(
                    Job::Compact {
                        id,
                        snapshot,
                        through_seq,
                    },
                    vec![ack],
                );
                compacting.store(false, Ordering::SeqCst);
            });
        if spawned.is_err() {
            self.compacting.store(false, Ordering::SeqCst);
            return self.compact(store);
        }
        ticket
    }
}

/// Commits pending operations stamped with this device's clock (ms since the epoch), so that
/// "last changed" can be read from the document itself (Automerge's default time is 0).
pub fn commit_now(doc: &mut AutoCommit) {
    doc.commit_with(automerge::transaction::CommitOptions::default().with_time(crate::now_ms()));
}

/// When a document was last changed (ms since the epoch, by the clock of the device that
/// changed it), if any of its newest changes says.
pub fn last_changed(doc: &mut AutoCommit) -> Option<i64> {
    let heads = doc.get_heads();
    heads
        .iter()
        .filter_map(|h| doc.get_change_by_hash(h).map(|c| c.timestamp()))
        .filter(|t| *t > 0)
        .max()
}
