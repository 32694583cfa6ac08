//! Running one session over a connection: its frames read and written side by side, this
//! device's own changes pushed as they happen, and a peer that has gone noticed in seconds.
//!
//! Reading and writing run side by side, so two peers sending large blobs to each other never
//! wait on each other's full buffers; what waits to be sent is bounded ([`OUTBOX_BYTES`]), and
//! a peer that asks for more than it reads is disconnected. Documents go before media: a
//! frame of a document's sync waits at most for the blob chunk being written, never behind the
//! chunks queued after it ([`write_frames`]).
//!
//! A live session (a device's sessions with its neighbours, [`Mode::Live`]) stays open: the
//! host tells it of every document that changed on this device ([`Host::local_changes`]),
//! batched over [`BATCH`], and the session sends their sync messages at once. When nothing has
//! been written for [`KEEPALIVE`] a Ping goes; a peer from which no byte has come for [`IDLE`]
//! is gone (Wi-Fi lost, tablet asleep) and the session ends, to be dialled again.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::sync::{broadcast, mpsc};

use super::{read_body, Ended, Host};
use crate::error::Result;
use crate::frame::{with_prefix, Message};
use crate::session::{Effect, Session};

/// With nothing written for this long, a Ping goes (a quiet class: one small frame each way
/// per pair every 10 s; at 5 s a class of 30 tablets put 3.2 kB/s on the Wi-Fi).
pub const KEEPALIVE: Duration = Duration::from_secs(10);
/// A session from whose peer no byte has come for this long ends: a keepalive missed, with
/// 3 s to spare for a slow link. Looked at every second ([`NUDGE_AFTER`]), so a dead peer
/// (Wi-Fi gone, a tablet asleep) is noticed within 14 s, well inside the 15 s we promise.
pub const IDLE: Duration = Duration::from_secs(13);
/// After this long without a frame, a session looks whether its exchange is stuck.
const NUDGE_AFTER: Duration = Duration::from_secs(1);
/// How often a session fetching media looks whether it should go on.
const MEDIA_LOOK: Duration = Duration::from_millis(250);
/// Changes made here within this long of each other go to the peer together (a burst of
/// keystrokes, a class document and a project changed by one command).
const BATCH: Duration = Duration::from_millis(5);
/// Bytes a session may have waiting to be sent: a peer that asks for more than it reads
/// (blob windows it never takes, say) is disconnected once this is reached.
pub const OUTBOX_BYTES: usize = 16 << 20;

/// How a session runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A one-off sync (`hugme sync`): goodbye as soon as both sides hold the same.
    Once,
    /// A neighbour's session: open until the connection ends, this side's changes pushed.
    /// `dialled`: this side dialled (of two sessions with the same peer, the one dialled by
    /// the device with the smaller id stays).
    Live { dialled: bool },
}

/// When a byte last came from the peer, shared between the read loop and its reader.
struct Heard<R> {
    inner: R,
    base: tokio::time::Instant,
    /// Milliseconds after `base`.
    at: Arc<AtomicU64>,
}

/// How long since the reader last heard a byte (`at`: ms after `base`).
fn silent_for(at: &AtomicU64, base: tokio::time::Instant) -> Duration {
    base.elapsed()
        .saturating_sub(Duration::from_millis(at.load(Ordering::Relaxed)))
}

/// Tells the peer goodbye (`why` is logged on its side); the reason this side ends with.
fn goodbye(tx: &Outbox, why: &str) -> String {
    let _ = tx.send(Message::Bye { reason: why.into() }.encode());
    why.into()
}

impl<R: AsyncRead + Unpin> AsyncRead for Heard<R> {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = std::pin::Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            let now = self.base.elapsed().as_millis() as u64;
            self.at.store(now, Ordering::Relaxed);
        }
        polled
    }
}

/// What changed on this device since the session last looked: document ids, and whether
/// notices were missed (then every document may have).
async fn changed_here(
    changes: &mut broadcast::Receiver<String>,
    first: std::result::Result<String, broadcast::error::RecvError>,
) -> Option<(Vec<String>, bool)> {
    use broadcast::error::{RecvError, TryRecvError};
    let (mut ids, mut everything) = (Vec::new(), false);
    match first {
        Ok(id) => ids.push(id),
        Err(RecvError::Lagged(_)) => everything = true,
        Err(RecvError::Closed) => return None,
    }
    tokio::time::sleep(BATCH).await;
    loop {
        match changes.try_recv() {
            Ok(id) => ids.push(id),
            Err(TryRecvError::Lagged(_)) => everything = true,
            Err(TryRecvError::Empty | TryRecvError::Closed) => break,
        }
    }
    ids.sort();
    ids.dedup();
    Some((ids, everything))
}

/// Runs a session over a stream until it ends: the peer leaves or goes silent, a frame is
/// bad, or (a one-off sync) both sides hold the same.
///
/// `greeted` hears the peer's id once the session is greeted (and, live, counted live).
pub(super) async fn run<S, H>(
    stream: S,
    mut session: Session,
    host: &H,
    mode: Mode,
    max_rate: Option<u64>,
    mut greeted: Option<tokio::sync::oneshot::Sender<String>>,
) -> Result<Ended>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    H: Host,
{
    let (reader, writer) = tokio::io::split(stream);
    let heard_at = Arc::new(AtomicU64::new(0));
    let base = tokio::time::Instant::now();
    let mut reader = Heard {
        inner: reader,
        base,
        at: heard_at.clone(),
    };
    let (documents, documents_rx) = mpsc::unbounded_channel::<Vec<u8>>();
    let (media, media_rx) = mpsc::unbounded_channel::<Vec<u8>>();
    let tx = Outbox::new(documents, media);
    let queued = tx.queued.clone();
    let writing = tokio::spawn(write_frames(
        writer,
        documents_rx,
        media_rx,
        queued,
        max_rate,
    ));
    let mut changes = match mode {
        Mode::Live { .. } => host.local_changes(),
        Mode::Once => None,
    };
    let mut received = 0u64;
    let trace = std::env::var_os("HUGME_TRACE_FRAMES").is_some();
    let mut reason = String::from("the connection closed");
    let mut close = false;
    // Whether the host was asked to count this session live, and whether it did.
    let (mut asked_live, mut told_live) = (false, false);
    let mut in_step = false;
    let mut last_progress = (0, 0);
    let mut media_looked = tokio::time::Instant::now();
    let first = session.start(&mut host.replica());
    close |= dispatch(first, &tx, host, &mut reason);
    // One ticker for the whole session: a steady stream of frames or change notices (a busy
    // class) must not put off the checks for silence, revocation and leaving.
    let mut ticks = tokio::time::interval(NUDGE_AFTER);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticks.reset();
    while !close {
        let outcome = {
            // One read per frame, kept across ticks: a frame half-read at a tick is not lost.
            let mut read = std::pin::pin!(read_body(&mut reader, usize::MAX));
            loop {
                tokio::select! {
                    result = &mut read => break Some(result),
                    first = async { Some(changes.as_mut()?.recv().await) },
                        if changes.is_some() =>
                    {
                        let Some(first) = first else { continue };
                        let Some(receiver) = changes.as_mut() else { continue };
                        match changed_here(receiver, first).await {
                            Some((ids, everything)) => {
                                let effects =
                                    session.local_changes(&ids, everything, &mut host.replica());
                                if trace {
                                    host.log(&format!(
                                        "  {} changed here ({ids:?}, all: {everything}): sends \
                                         {} to {}",
                                        host.credentials().device,
                                        sends(&effects),
                                        session.peer()
                                    ));
                                }
                                if dispatch(effects, &tx, host, &mut reason) {
                                    break None;
                                }
                            }
                            None => changes = None,
                        }
                    }
                    _ = ticks.tick() => {
                        if !host.keep_sessions() {
                            reason = goodbye(&tx, crate::session::LEFT_THE_CLASS);
                            break None;
                        }
                        if silent_for(&heard_at, base) >= IDLE {
                            reason = format!("the peer said nothing for {} s", IDLE.as_secs());
                            break None;
                        }
                        // Silent for a moment: a stuck exchange starts again (`Session::idle`,
                        // which looks at the revocation list too); busy: only the list.
                        let mut effects = if silent_for(&heard_at, base) >= NUDGE_AFTER {
                            session.idle(&mut host.replica())
                        } else {
                            session.check_revoked(&mut host.replica())
                        };
                        // A live session that began without media (paused, the disk nearly
                        // full) takes it up again here once it may, not in a new session.
                        if mode != Mode::Once
                            && session.is_greeted()
                            && !session.fetches_media()
                            && host.may_resume_media()
                        {
                            effects.extend(session.resume_media(&mut host.replica()));
                        }
                        if dispatch(effects, &tx, host, &mut reason) {
                            break None;
                        }
                    }
                }
            }
        };
        let body = match outcome {
            Some(Ok(Some(body))) => body,
            Some(Ok(None)) | None => break,
            Some(Err(e)) => {
                reason = format!("read failed: {e}");
                break;
            }
        };
        received += body.len() as u64 + 4;
        if trace {
            host.log(&format!(
                "{} -> {}: {}",
                session.peer(),
                host.credentials().device,
                describe(&body)
            ));
        }
        let effects = session.receive(&body, &mut host.replica());
        if trace {
            host.log(&format!(
                "  {} sends {}; {}",
                host.credentials().device,
                sends(&effects),
                session.describe()
            ));
        }
        close |= dispatch(effects, &tx, host, &mut reason);
        if session.is_finished() != in_step {
            in_step = session.is_finished();
            host.session_in_step(session.peer(), in_step, session.stats.refused_by_peer);
            // Coming in step may have ended the class here (the end of the term): the session
            // ends now, its last frames (the Done that tells the teacher's device this one
            // holds the order) written before the connection closes.
            if !host.keep_sessions() {
                reason = goodbye(&tx, crate::session::LEFT_THE_CLASS);
                break;
            }
        }
        if let (Mode::Live { dialled }, false, true) = (mode, asked_live, session.is_greeted()) {
            asked_live = true;
            told_live = host.session_live(session.peer(), dialled);
            if told_live {
                if let Some(greeted) = greeted.take() {
                    let _ = greeted.send(session.peer().to_owned());
                }
            } else {
                reason = goodbye(&tx, "a second session with the same device");
                break;
            }
        }
        let progress = session.media_progress();
        if progress.1 > 0 && progress != last_progress {
            host.media_progress(session.peer(), progress.0, progress.1);
            last_progress = progress;
        }
        // Whether to go on fetching (a pause, a disk nearly full) is looked at every quarter
        // second, not at every one of a transfer's chunks (it reads the disk's free room).
        if session.is_fetching_media() && media_looked.elapsed() >= MEDIA_LOOK {
            media_looked = tokio::time::Instant::now();
            if !host.keep_fetching_media() {
                reason = goodbye(&tx, "media cancelled on this device");
                break;
            }
        }
        if mode == Mode::Once && session.is_finished() {
            reason = goodbye(&tx, "finished");
            break;
        }
    }
    drop(tx);
    let sent = writing.await.unwrap_or(0);
    let ended = Ended {
        peer: session.peer().to_owned(),
        finished: session.is_finished(),
        greeted: session.is_greeted(),
        live: told_live,
        peer_left: session.peer_left(),
        stats: session.stats.clone(),
        reason,
        bytes_sent: sent,
        bytes_received: received,
        peer_clock_offset: session.peer_clock_offset(),
        peer_free_space: session.peer_free_space(),
    };
    host.session_ended(&ended);
    Ok(ended)
}

/// How many frames `effects` send, for tracing.
fn sends(effects: &[Effect]) -> usize {
    effects
        .iter()
        .filter(|e| matches!(e, Effect::Send(_)))
        .count()
}

/// A frame in a few words, for tracing (`HUGME_TRACE_FRAMES=1`).
fn describe(body: &[u8]) -> String {
    match Message::decode(body) {
        Ok(Message::Sync {
            document,
            message,
            signatures,
        }) => {
            format!(
                "sync {document} ({} bytes, {} signatures)",
                message.len(),
                signatures.len()
            )
        }
        Ok(Message::Chunk {
            hash,
            offset,
            total,
            bytes,
        }) => {
            format!(
                "chunk {} {offset}+{} of {total}",
                &hash[..8.min(hash.len())],
                bytes.len()
            )
        }
        Ok(Message::Want { hash, offset, len }) => {
            format!("want {} {offset}+{len}", &hash[..8.min(hash.len())])
        }
        Ok(Message::Have { blobs }) => format!("have {} blobs", blobs.len()),
        Ok(Message::Documents { list }) => format!("documents {}", list.len()),
        Ok(other) => format!("{other:?}").chars().take(80).collect(),
        Err(e) => format!("malformed: {e}"),
    }
}

/// Writes the session's frames as they are queued, every waiting document frame before any
/// media frame (blob chunks), flushed whenever nothing more is queued (rustls may keep the end
/// of a record in its buffer, and the last frame of a conversation, Done, must not wait
/// there); paced to `max_rate` bytes per second if given. After [`KEEPALIVE`] with nothing to write, a
/// Ping goes, so that the peer knows this side is there. Returns the bytes written.
async fn write_frames<W: AsyncWrite + Unpin>(
    mut writer: W,
    mut documents: mpsc::UnboundedReceiver<Vec<u8>>,
    mut media: mpsc::UnboundedReceiver<Vec<u8>>,
    queued: Arc<std::sync::atomic::AtomicUsize>,
    max_rate: Option<u64>,
) -> u64 {
    let mut sent = 0u64;
    let started = tokio::time::Instant::now();
    let (mut documents_open, mut media_open) = (true, true);
    let ping = Message::Ping.encode();
    while documents_open || media_open {
        let body = tokio::select! {
            biased;
            body = documents.recv(), if documents_open => match body {
                Some(body) => body,
                None => {
                    documents_open = false;
                    continue;
                }
            },
            body = media.recv(), if media_open => match body {
                Some(body) => body,
                None => {
                    media_open = false;
                    continue;
                }
            },
            () = tokio::time::sleep(KEEPALIVE) => {
                queued.fetch_add(ping.len(), std::sync::atomic::Ordering::Relaxed);
                ping.clone()
            }
        };
        queued.fetch_sub(body.len(), std::sync::atomic::Ordering::Relaxed);
        let frame = with_prefix(&body);
        sent += frame.len() as u64;
        if writer.write_all(&frame).await.is_err() {
            break;
        }
        // Flushed once nothing more waits: a run of blob chunks goes out without a flush after
        // each, and the last frame of a conversation (Done) never stays in rustls' buffer.
        if documents.is_empty() && media.is_empty() && writer.flush().await.is_err() {
            break;
        }
        if let Some(rate) = max_rate.filter(|r| *r > 0) {
            let due = started + std::time::Duration::from_secs_f64(sent as f64 / rate as f64);
            tokio::time::sleep_until(due).await;
        }
    }
    let _ = writer.flush().await;
    let _ = writer.shutdown().await;
    sent
}

/// What waits to be sent, bounded by [`OUTBOX_BYTES`]: documents' frames and media's, apart.
struct Outbox {
    documents: mpsc::UnboundedSender<Vec<u8>>,
    media: mpsc::UnboundedSender<Vec<u8>>,
    /// Bytes queued and not yet taken by the writer.
    queued: Arc<std::sync::atomic::AtomicUsize>,
}

impl Outbox {
    fn new(
        documents: mpsc::UnboundedSender<Vec<u8>>,
        media: mpsc::UnboundedSender<Vec<u8>>,
    ) -> Self {
        Outbox {
            documents,
            media,
            queued: Arc::default(),
        }
    }

    /// Queues `body`; `false` (nothing queued) when that would pass [`OUTBOX_BYTES`].
    fn send(&self, body: Vec<u8>) -> bool {
        use std::sync::atomic::Ordering;
        let len = body.len();
        if self.queued.fetch_add(len, Ordering::Relaxed) + len > OUTBOX_BYTES {
            self.queued.fetch_sub(len, Ordering::Relaxed);
            return false;
        }
        let queue = if crate::frame::is_media(&body) {
            &self.media
        } else {
            &self.documents
        };
        if queue.send(body).is_err() {
            self.queued.fetch_sub(len, Ordering::Relaxed);
        }
        true
    }
}

/// Sends what is to be sent and logs the rest; true if the connection must close.
fn dispatch<H: Host>(effects: Vec<Effect>, tx: &Outbox, host: &H, reason: &mut String) -> bool {
    let mut close = false;
    for effect in effects {
        match effect {
            Effect::Send(body) => {
                if !tx.send(body) {
                    let why = format!(
                        "the peer asked for more than it reads ({} MiB waiting to be sent)",
                        OUTBOX_BYTES >> 20
                    );
                    host.log(&format!("closing: {why}"));
                    *reason = why;
                    return true;
                }
            }
            Effect::Close { reason: why } => {
                host.log(&format!("closing: {why}"));
                *reason = why;
                close = true;
            }
            Effect::Refused { what, why } => host.log(&format!("refused {what}: {why}")),
            Effect::RevocationsChanged => host.revocations_changed(),
            Effect::DocumentChanged(_) | Effect::BlobStored(_) => {}
        }
    }
    close
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_documents_frame_goes_before_the_blob_chunks_queued_ahead_of_it() {
        let (documents, documents_rx) = mpsc::unbounded_channel();
        let (media, media_rx) = mpsc::unbounded_channel();
        let outbox = Outbox::new(documents, media);
        let chunk = |offset| Message::Chunk {
            hash: "a".repeat(64),
            offset,
            total: 3 << 16,
            bytes: vec![7; 1 << 16],
        };
        for offset in [0, 1 << 16, 2 << 16] {
            assert!(outbox.send(chunk(offset).encode()));
        }
        let sync = Message::Sync {
            document: "p-kettu".into(),
            message: vec![0x42, 0, 0, 0, 0],
            signatures: Vec::new(),
        };
        assert!(outbox.send(sync.encode()));
        assert!(outbox.send(Message::Done.encode()));
        let queued = outbox.queued.clone();
        drop(outbox);
        let (near, mut far) = tokio::io::duplex(1 << 20);
        let written = write_frames(near, documents_rx, media_rx, queued.clone(), None).await;
        assert_eq!(
            queued.load(std::sync::atomic::Ordering::Relaxed),
            0,
            "all taken"
        );
        let mut order = Vec::new();
        while let Ok(Some(body)) = read_body(&mut far, usize::MAX).await {
            order.push(match Message::decode(&body).unwrap() {
                Message::Chunk { offset, .. } => format!("chunk {offset}"),
                Message::Sync { document, .. } => format!("sync {document}"),
                other => format!("{other:?}"),
            });
        }
        assert_eq!(
            order,
            [
                "sync p-kettu",
                "Done",
                "chunk 0",
                "chunk 65536",
                "chunk 131072"
            ],
            "{written} bytes"
        );
    }

    #[test]
    fn the_outbox_takes_no_more_than_its_bound() {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let (media, _media_rx) = mpsc::unbounded_channel();
        let outbox = Outbox::new(tx, media);
        let mib = vec![0u8; 1 << 20];
        let taken = (0..40).take_while(|_| outbox.send(mib.clone())).count();
        assert_eq!(taken, OUTBOX_BYTES >> 20);
        // The writer takes one: there is room for one more.
        let body = rx.try_recv().unwrap();
        outbox
            .queued
            .fetch_sub(body.len(), std::sync::atomic::Ordering::Relaxed);
        assert!(outbox.send(mib.clone()));
        assert!(!outbox.send(mib));
    }
}
