//! The adapter: sessions over TCP with mutual TLS (tokio, rustls), and enrolment.
//!
//! Frames are read with their length checked before the body is read, and the body's memory
//! grows only as its bytes arrive; a device that has not shown a certificate of the class may
//! send only small frames. A bad frame, a failed handshake or a session error ends that
//! connection only, with a logged reason. Connections are let in through a [`Gate`] (limits
//! per address and in total, handshake timeouts). A session runs in [`running`]: reading and
//! writing side by side, documents before media, this device's changes pushed as they happen
//! in a live session, keepalives.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::{TlsAcceptor, TlsConnector};

use crate::code::{self, OpenCode, ShortCode};
use crate::error::{Error, FrameError, Refusal, Result};
use crate::frame::{body_len, with_prefix, Message};
use crate::gate::{Gate, Limits, Ticket};
use crate::identity::{self, Credentials, SERVER_NAME};
use crate::replica::Replica;
use crate::session::{Session, Stats};

mod running;
use running::run;
pub use running::{Mode, IDLE, KEEPALIVE, OUTBOX_BYTES};

/// The largest frame a device that has not shown a certificate of the class may send: an
/// enrolment's messages (a certificate request, a PAKE message, a proof) are a few KB.
pub const PRE_AUTH_FRAME_BYTES: usize = 64 * 1024;
/// What a serving device offers the network.
pub trait Host: Send + Sync + 'static {
    /// The device's data as one connection sees it while it holds it: a guard over data that
    /// all connections share (a connection holds it for one message at a time).
    type Replica<'a>: Replica
    where
        Self: 'a;
    /// This device's certificate, key and class CA.
    fn credentials(&self) -> &Credentials;
    /// The device's data, locked for this connection until the value is dropped.
    fn replica(&self) -> Self::Replica<'_>;
    /// Answers a device that presents an enrolment token (teacher devices only).
    fn enrol(&self, token: &str, request: &[u8]) -> Result<Message>;
    /// The open short code in `slot` (teacher devices only), asked for from `from`; every
    /// call is an attempt (each is one guess of the secret), and the host voids a code tried
    /// too often and limits what one address may try.
    fn open_code(&self, _slot: &str, _from: std::net::IpAddr) -> Result<OpenCode> {
        Err(Error::Enrolment(Refusal::NotEnrolling))
    }
    /// Bytes free on this device's disk, told to every peer (the teacher sees a tablet that
    /// runs out of room).
    fn free_space(&self) -> Option<u64> {
        None
    }
    /// Whether sessions starting now fetch media (documents sync either way).
    fn fetch_media(&self) -> bool {
        true
    }
    /// What the device may still fetch, shared by all its sessions (none: no limit).
    fn media_budget(&self) -> Option<std::sync::Arc<crate::budget::MediaBudget>> {
        None
    }
    /// Media on its way from `peer`: `done` of `total` bytes in this session.
    fn media_progress(&self, _peer: &str, _done: u64, _total: u64) {}
    /// Whether a session still fetching media should go on (false: cancelled here).
    fn keep_fetching_media(&self) -> bool {
        true
    }
    /// Whether a live session that runs without media (it began paused, or with the disk
    /// nearly full) may take it up now: asked every second, so it must be cheap and quiet.
    /// A device should want some room to spare over what [`Host::keep_fetching_media`] asks,
    /// or a session would take media up only to end a moment later.
    fn may_resume_media(&self) -> bool {
        self.keep_fetching_media()
    }
    /// Whether sessions may go on (false: this device left its class; every session ends
    /// within a second).
    fn keep_sessions(&self) -> bool {
        true
    }
    /// Called when a session ends, whichever side started it.
    fn session_ended(&self, _ended: &Ended) {}
    /// Notices of the documents that change on this device (edits, and changes sessions
    /// bring), by id, for a live session to push, and the notices
    /// [`crate::session::BLOBS_INDEXED`] and [`crate::session::REVOCATIONS_CHANGED`]. None: live
    /// sessions push nothing.
    fn local_changes(&self) -> Option<tokio::sync::broadcast::Receiver<String>> {
        None
    }
    /// A session took a newer revocation list from its peer (the host tells its other
    /// sessions: [`crate::session::REVOCATIONS_CHANGED`]).
    fn revocations_changed(&self) {}
    /// Whether the session with `peer` is in step (both sides said they hold the same), each
    /// time that changes; `refused_by_peer`: documents whose changes from this side the peer
    /// refused in the session.
    fn session_in_step(&self, _peer: &str, _in_step: bool, _refused_by_peer: usize) {}
    /// A live session with `peer` was greeted (`dialled`: by this side). False: another one
    /// with the same peer is live and this one is to end (of two, the one dialled by the
    /// device with the smaller id stays).
    fn session_live(&self, _peer: &str, _dialled: bool) -> bool {
        true
    }
    /// Called with every line worth logging.
    fn log(&self, line: &str) {
        eprintln!("{line}");
    }
}

/// How one session ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ended {
    pub peer: String,
    pub stats: Stats,
    /// Both sides said they hold everything the other has.
    pub finished: bool,
    /// The peer was greeted: of this class, this protocol, not removed. A session that
    /// ends before this synced nothing, whatever else it says.
    pub greeted: bool,
    /// It ran as a live session once greeted (the host was told: [`Host::session_live`]).
    pub live: bool,
    /// The peer said goodbye because it deleted its class (`session::LEFT_THE_CLASS`).
    pub peer_left: bool,
    pub reason: String,
    pub bytes_sent: u64,
    pub bytes_received: u64,
    /// How far the peer's clock is ahead of this device's (ms), if it said.
    pub peer_clock_offset: Option<i64>,
    /// Bytes free on the peer's disk, if it said.
    pub peer_free_space: Option<u64>,
}

/// A session with `peer`, knowing this device's clock and free space.
/// `live`: this side keeps the session open and pushes (a one-off sync does not).
fn session_for<H: Host>(host: &H, class: &str, peer: &str, live: bool) -> Session {
    let session = Session::new(&host.credentials().device, class, peer)
        .with_live(live)
        .with_clock(clock_ms())
        .with_free_space(host.free_space())
        .with_media(host.fetch_media());
    match host.media_budget() {
        Some(budget) => session.with_media_budget(budget),
        None => session,
    }
}

/// This device's clock, for the Hello.
fn clock_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

fn newest_revocations<H: Host>(host: &H) -> Result<Option<Vec<u8>>> {
    Ok(host.replica().revocations()?.map(|(_, der)| der))
}

/// Serves sessions (and enrolment, with `enrolment`) for good, with the [`Limits`] of a
/// classroom ([`Limits::from_env`]). A connection that cannot be accepted (out of file
/// descriptors, say) is logged and the device serves on.
pub async fn serve<H: Host>(listener: TcpListener, host: Arc<H>, enrolment: bool) -> Result<()> {
    serve_within(listener, host, enrolment, Limits::from_env()).await
}

/// [`serve`] with other limits.
pub async fn serve_within<H: Host>(
    listener: TcpListener,
    host: Arc<H>,
    enrolment: bool,
    limits: Limits,
) -> Result<()> {
    let gate = Gate::new(limits);
    let mut refused = RefusalLog::default();
    let mut accept_failures = RefusalLog::default();
    loop {
        let (tcp, addr) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of file descriptors (a flood of connections, EMFILE), or a connection
                // gone before it was taken: the device goes on serving. A short pause lets
                // sessions end and give their descriptors back, rather than spinning.
                accept_failures.failed(host.as_ref(), &e);
                tokio::time::sleep(ACCEPT_PAUSE).await;
                continue;
            }
        };
        let ticket = match gate.admit(addr.ip()) {
            Ok(ticket) => ticket,
            Err(why) => {
                // Closed at once, before any TLS work; said in the log now and then, not
                // once per connection of a flood.
                drop(tcp);
                refused.note(host.as_ref(), addr, why);
                continue;
            }
        };
        let id = ticket.id();
        let host = host.clone();
        let task = tokio::spawn(async move {
            if let Err(e) = accept(tcp, addr, host.as_ref(), enrolment, &ticket, limits).await {
                host.log(&format!("connection from {addr} ended: {e}"));
            }
            drop(ticket);
        });
        gate.stopped_by(id, task.abort_handle());
    }
}

/// Refused connections, logged at most once a second with how many there were.
#[derive(Debug, Default)]
struct RefusalLog {
    since: Option<std::time::Instant>,
    count: usize,
}

/// How long a serving device waits after a failed accept before the next.
const ACCEPT_PAUSE: std::time::Duration = std::time::Duration::from_millis(50);

impl RefusalLog {
    /// A refused connection.
    fn note<H: Host>(&mut self, host: &H, addr: SocketAddr, why: crate::gate::Refused) {
        self.tally(host, |n| {
            format!("refused {n} connection(s), the last from {addr}: {why}")
        });
    }

    /// A connection that could not be accepted.
    fn failed<H: Host>(&mut self, host: &H, e: &std::io::Error) {
        self.tally(host, |n| {
            format!("could not accept {n} connection(s): {e}; serving on")
        });
    }

    /// Counts one more, and says `line` (of the count) in the log once a second at most.
    fn tally<H: Host>(&mut self, host: &H, line: impl FnOnce(usize) -> String) {
        self.count += 1;
        if self
            .since
            .is_none_or(|at| at.elapsed() >= std::time::Duration::from_secs(1))
        {
            host.log(&line(self.count));
            self.since = Some(std::time::Instant::now());
            self.count = 0;
        }
    }
}

/// Runs `work` within the handshake time of `limits`, or fails with a timeout.
async fn within<T>(
    limits: Limits,
    what: &str,
    work: impl std::future::Future<Output = Result<T>>,
) -> Result<T> {
    tokio::time::timeout(limits.handshake, work)
        .await
        .map_err(|_| {
            Error::Io(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!("{what} took over {} s", limits.handshake.as_secs()),
            ))
        })?
}

async fn accept<H: Host>(
    tcp: TcpStream,
    addr: SocketAddr,
    host: &H,
    enrolment: bool,
    ticket: &Ticket,
    limits: Limits,
) -> Result<()> {
    tcp.set_nodelay(true)?;
    let revocations = newest_revocations(host)?;
    let config = host
        .credentials()
        .server_config(revocations.as_deref(), enrolment)?;
    let tls = within(limits, "the TLS handshake", async {
        Ok(TlsAcceptor::from(config).accept(tcp).await?)
    })
    .await?;
    let peer_cert = tls
        .get_ref()
        .1
        .peer_certificates()
        .and_then(|c| c.first())
        .map(|c| c.to_vec());
    let Some(peer_cert) = peer_cert else {
        let binding =
            tls.get_ref()
                .1
                .export_keying_material([0u8; 32], code::EXPORTER_LABEL, None)?;
        return answer_enrolment(tls, addr, host, &binding, limits).await;
    };
    let (peer, class) = identity::identity_of(&peer_cert)?;
    if class != host.credentials().class {
        return Err(Error::Certificate(format!("{peer} is of class {class}")));
    }
    if !ticket.authenticated(&peer) {
        return Err(Error::PeerClosed(format!(
            "{peer} holds {} sessions already",
            limits.per_device
        )));
    }
    let mode = Mode::Live { dialled: false };
    let ended = run(
        tls,
        session_for(host, &class, &peer, true),
        host,
        mode,
        None,
        None,
    )
    .await?;
    host.log(&format!(
        "session with {} ({addr}) ended: {}; {} documents changed, {} blobs received, {} refused",
        ended.peer,
        ended.reason,
        ended.stats.documents_changed,
        ended.stats.blobs_received,
        ended.stats.refused
    ));
    Ok(())
}

async fn answer_enrolment<S, H>(
    mut tls: S,
    addr: SocketAddr,
    host: &H,
    binding: &[u8],
    limits: Limits,
) -> Result<()>
where
    S: AsyncRead + AsyncWrite + Unpin,
    H: Host,
{
    let first = within(
        limits,
        "the first frame",
        read_frame_within(&mut tls, PRE_AUTH_FRAME_BYTES),
    )
    .await?;
    let answer = match first {
        Some(Message::CodeJoin { slot, pake }) => {
            answer_code(&mut tls, addr, host, binding, &slot, &pake, limits).await?
        }
        Some(Message::Join { token, request }) => match host.enrol(&token, &request) {
            Ok(welcome) => {
                host.log(&format!("enrolled a device from {addr}"));
                welcome
            }
            Err(e) => {
                host.log(&format!("refused enrolment from {addr}: {e}"));
                Message::Bye {
                    reason: refusal_of(&e).reason(),
                }
            }
        },
        // A device without a certificate learns nothing else, not even that there is a class.
        _ => Message::Bye {
            reason: "no certificate".into(),
        },
    };
    tls.write_all(&with_prefix(&answer.encode())).await?;
    tls.shutdown().await?;
    Ok(())
}

/// The teacher's side of enrolment by short code: the invitation once the tablet proved the
/// code, else a Bye.
async fn answer_code<S, H>(
    tls: &mut S,
    addr: SocketAddr,
    host: &H,
    binding: &[u8],
    slot: &str,
    pake: &[u8],
    limits: Limits,
) -> Result<Message>
where
    S: AsyncRead + AsyncWrite + Unpin,
    H: Host,
{
    let refuse = |why: Refusal| {
        host.log(&format!("refused a typed code from {addr}: {why}"));
        Ok(Message::Bye {
            reason: why.reason(),
        })
    };
    let open = match host.open_code(slot, addr.ip()) {
        Ok(open) => open,
        Err(e) => return refuse(refusal_of(&e)),
    };
    let (teacher, pake, proof) = match code::teacher_answer(&open.secret, pake, binding) {
        Ok(answer) => answer,
        Err(e) => return refuse(refusal_of(&e)),
    };
    tls.write_all(&with_prefix(&Message::CodeReply { pake, proof }.encode()))
        .await?;
    let answer = within(
        limits,
        "the code's proof",
        read_frame_within(tls, PRE_AUTH_FRAME_BYTES),
    )
    .await?;
    match answer {
        Some(Message::CodeProof { proof }) if teacher.accepts(&proof) => {
            host.log(&format!("a tablet at {addr} typed the right code"));
            Ok(Message::Invite {
                invitation: open.invitation,
            })
        }
        _ => refuse(Refusal::WrongCode),
    }
}

/// What to tell a device whose enrolment failed with `e`: the refusal itself, or
/// [`Refusal::Other`] for a failure of this device's own (nothing of it is the tablet's to read).
fn refusal_of(e: &Error) -> Refusal {
    match e {
        Error::Enrolment(refusal) => *refusal,
        _ => Refusal::Other,
    }
}

/// The error of a `Bye` a device answered an enrolment with.
fn refused(reason: &str) -> Error {
    Error::Enrolment(Refusal::from_reason(reason))
}

/// Asks the device at `addr` for the invitation behind a typed short code. Nothing the
/// tablet sends lets a wrong device test guesses; the invitation it gets back names the CA
/// to pin for [`join`].
pub async fn invitation_by_code(addr: &str, typed: &ShortCode) -> Result<Vec<u8>> {
    // An address heard on the network may lead nowhere (a laptop's VPN, say): give up on
    // it soon and try the next.
    tokio::time::timeout(CODE_WITHIN, ask_by_code(addr, typed))
        .await
        .map_err(|_| {
            Error::Io(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!("{addr} did not answer within {} s", CODE_WITHIN.as_secs()),
            ))
        })?
}

/// The largest frame a device handing over what a code stands for may send (bytes): a shared
/// template is at most 64 KiB, an invitation a few hundred bytes.
const HANDED_OVER_BYTES: usize = 128 * 1024;

/// How long asking one address for a code's invitation may take.
const CODE_WITHIN: std::time::Duration = std::time::Duration::from_secs(8);

async fn ask_by_code(addr: &str, typed: &ShortCode) -> Result<Vec<u8>> {
    let config = identity::code_client_config()?;
    let tcp = TcpStream::connect(addr).await?;
    let name = rustls::pki_types::ServerName::try_from(SERVER_NAME)
        .map_err(|e| Error::Certificate(e.to_string()))?;
    let mut tls = TlsConnector::from(config).connect(name, tcp).await?;
    let binding = tls
        .get_ref()
        .1
        .export_keying_material([0u8; 32], code::EXPORTER_LABEL, None)?;
    let (tablet, pake) = code::tablet_start(typed);
    let start = Message::CodeJoin {
        slot: typed.slot.clone(),
        pake,
    };
    tls.write_all(&with_prefix(&start.encode())).await?;
    // What the other device sends before it proved the code is small; what it hands over (an
    // invitation, or a shared template of at most 64 KiB) little more.
    let proof = match read_frame_within(&mut tls, PRE_AUTH_FRAME_BYTES).await? {
        Some(Message::CodeReply { pake, proof }) => tablet.finish(&pake, &proof, &binding)?,
        Some(Message::Bye { reason }) => return Err(refused(&reason)),
        _ => return Err(Error::Enrolment(Refusal::NotEnrolling)),
    };
    tls.write_all(&with_prefix(&Message::CodeProof { proof }.encode()))
        .await?;
    match read_frame_within(&mut tls, HANDED_OVER_BYTES).await? {
        Some(Message::Invite { invitation }) => Ok(invitation),
        Some(Message::Bye { reason }) => Err(refused(&reason)),
        _ => Err(Error::Enrolment(Refusal::Nonsense)),
    }
}

/// Enrols this device with the teacher's device at `addr`, pinned to the CA fingerprint.
pub async fn join(
    addr: &str,
    ca_fingerprint: &str,
    token: &str,
    request: Vec<u8>,
) -> Result<Message> {
    let config = identity::enrolment_client_config(ca_fingerprint)?;
    let tcp = TcpStream::connect(addr).await?;
    let name = rustls::pki_types::ServerName::try_from(SERVER_NAME)
        .map_err(|e| Error::Certificate(e.to_string()))?;
    let mut tls = TlsConnector::from(config).connect(name, tcp).await?;
    let join = Message::Join {
        token: token.into(),
        request,
    };
    tls.write_all(&with_prefix(&join.encode())).await?;
    match read_frame(&mut tls).await? {
        Some(welcome @ Message::Welcome { .. }) => Ok(welcome),
        Some(Message::Bye { reason }) => Err(refused(&reason)),
        _ => Err(Error::Enrolment(Refusal::Nonsense)),
    }
}

/// Syncs once with the peer at `addr`: returns when both sides hold the same, or the
/// connection ends.
/// `max_rate` (bytes per second) keeps a big media sync from filling the classroom's Wi-Fi.
pub async fn sync_once<H: Host>(addr: &str, host: &H, max_rate: Option<u64>) -> Result<Ended> {
    sync_within(addr, host, max_rate, None).await
}

/// [`sync_once`], giving up if the peer has not accepted the connection `within` this long
/// (an address that may lead nowhere: without it, TCP tries for minutes).
pub async fn sync_within<H: Host>(
    addr: &str,
    host: &H,
    max_rate: Option<u64>,
    within: Option<std::time::Duration>,
) -> Result<Ended> {
    dial(addr, host, max_rate, within, Mode::Once, None).await
}

/// A live session with the peer at `addr` (a neighbour): open until the connection ends or
/// the peer goes silent for [`IDLE`], this device's changes pushed as they happen. Gives up if
/// the peer has not accepted the connection `within` this long.
/// `greeted` hears the peer's id as soon as the session is greeted and live (the session goes
/// on; this returns when it ends).
pub async fn live_within<H: Host>(
    addr: &str,
    host: &H,
    within: std::time::Duration,
    greeted: tokio::sync::oneshot::Sender<String>,
) -> Result<Ended> {
    let live = Mode::Live { dialled: true };
    dial(addr, host, None, Some(within), live, Some(greeted)).await
}

async fn dial<H: Host>(
    addr: &str,
    host: &H,
    max_rate: Option<u64>,
    within: Option<std::time::Duration>,
    mode: Mode,
    greeted: Option<tokio::sync::oneshot::Sender<String>>,
) -> Result<Ended> {
    let revocations = newest_revocations(host)?;
    let config = host.credentials().client_config(revocations.as_deref())?;
    let tcp = match within {
        Some(within) => tokio::time::timeout(within, TcpStream::connect(addr))
            .await
            .map_err(|_| {
                Error::Io(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!("{addr} did not answer within {} s", within.as_secs()),
                ))
            })??,
        None => TcpStream::connect(addr).await?,
    };
    tcp.set_nodelay(true)?;
    let name = rustls::pki_types::ServerName::try_from(SERVER_NAME)
        .map_err(|e| Error::Certificate(e.to_string()))?;
    // A peer that accepts the connection but never finishes the handshake (asleep, say)
    // must not hold this side for long.
    let tls = tokio::time::timeout(IDLE, TlsConnector::from(config).connect(name, tcp))
        .await
        .map_err(|_| {
            Error::Io(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!("{addr} did not finish the TLS handshake"),
            ))
        })??;
    let peer_cert = tls
        .get_ref()
        .1
        .peer_certificates()
        .and_then(|c| c.first())
        .map(|c| c.to_vec())
        .ok_or_else(|| Error::Certificate("the peer showed no certificate".into()))?;
    let (peer, class) = identity::identity_of(&peer_cert)?;
    if class != host.credentials().class {
        return Err(Error::Certificate(format!("{peer} is of class {class}")));
    }
    run(
        tls,
        session_for(host, &class, &peer, mode != Mode::Once),
        host,
        mode,
        max_rate,
        greeted,
    )
    .await
}

/// Reads one frame; `None` at a clean end of stream.
async fn read_frame<S: AsyncRead + Unpin>(stream: &mut S) -> Result<Option<Message>> {
    read_frame_within(stream, usize::MAX).await
}

/// A frame of at most `most` bytes (and the protocol's own limit).
async fn read_frame_within<S: AsyncRead + Unpin>(
    stream: &mut S,
    most: usize,
) -> Result<Option<Message>> {
    match read_body(stream, most).await? {
        Some(body) => Ok(Some(Message::decode(&body)?)),
        None => Ok(None),
    }
}

/// A frame's body, its length checked against `most` and the protocol's limit before any
/// of it is read; its buffer grows as the bytes arrive (a length alone reserves nothing).
async fn read_body<S: AsyncRead + Unpin>(stream: &mut S, most: usize) -> Result<Option<Vec<u8>>> {
    let mut prefix = [0u8; 4];
    match stream.read_exact(&mut prefix).await {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e.into()),
    }
    let len = body_len(prefix)?;
    if len > most {
        return Err(FrameError::TooLong { len: len as u64 }.into());
    }
    let mut body = Vec::with_capacity(len.min(64 * 1024));
    (&mut *stream)
        .take(len as u64)
        .read_to_end(&mut body)
        .await?;
    if body.len() < len {
        return Err(Error::Io(std::io::ErrorKind::UnexpectedEof.into()));
    }
    Ok(Some(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_frame_over_the_limit_is_refused_before_its_body_is_read() {
        let (mut near, mut far) = tokio::io::duplex(1024);
        // A stranger says 1 MiB is coming, and sends a little of it.
        near.write_all(&(1u32 << 20).to_be_bytes()).await.unwrap();
        near.write_all(&[7; 100]).await.unwrap();
        let err = read_body(&mut far, PRE_AUTH_FRAME_BYTES).await.unwrap_err();
        assert!(
            matches!(err, Error::Frame(FrameError::TooLong { len }) if len == 1 << 20),
            "{err}"
        );
    }

    #[tokio::test]
    async fn a_frame_cut_off_is_an_error_and_a_whole_one_reads_back() {
        let (mut near, mut far) = tokio::io::duplex(1024);
        near.write_all(&with_prefix(b"hello")).await.unwrap();
        assert_eq!(
            read_body(&mut far, PRE_AUTH_FRAME_BYTES).await.unwrap(),
            Some(b"hello".to_vec())
        );
        // Promises 1,000 bytes, sends 10, hangs up.
        near.write_all(&1000u32.to_be_bytes()).await.unwrap();
        near.write_all(&[1; 10]).await.unwrap();
        drop(near);
        assert!(read_body(&mut far, usize::MAX).await.is_err());
    }
}
