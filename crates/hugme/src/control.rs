//! The running hub's control channel: `hugme enrol`, `revoke`, `inspect` and `doctor` on a
//! data folder that `hugme hub` serves (and so holds locked) are asked of that hub, which
//! answers from the folders it has open. So they act at once: an enrolment's code works on
//! the tablet's next join, a removed device's live sessions end as the list changes.
//!
//! The channel is a Unix socket in the device's data folder ([`SOCKET`]), made only its
//! owner's (mode 0600 before it takes that name): whoever may ask could open the folder
//! anyway. One JSON line each way ([`Ask`], [`Answer`]); an ask is at most [`ASK_BYTES`], read
//! no further. With no hub answering (none runs, or one was killed and left its socket), the
//! command opens the folder itself, as before ([`run`]).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use hugme_app::App;
use hugme_node::enrolment::{self, Payload};
use hugme_node::{shelf, Error, Node};
use serde::{Deserialize, Serialize};

use crate::error::CliError;

/// The socket's name in the device's data folder.
pub const SOCKET: &str = "hub.sock";
/// The longest ask a hub reads (bytes): every ask is a few hundred.
pub const ASK_BYTES: u64 = 64 << 10;
/// The longest answer read (bytes): `inspect --json` of a large class is a few MB.
const ANSWER_BYTES: u64 = 64 << 20;
/// How long the hub gives an ask to arrive whole, and an answer to be taken: a stuck or
/// trickling client must not hold the channel.
const ASK_WITHIN: std::time::Duration = std::time::Duration::from_secs(10);
/// How long the command line waits for the hub's answer (the doctor listens and dials for
/// up to half a minute): a hung hub is told as such, not waited on for ever.
const ANSWER_WITHIN: std::time::Duration = std::time::Duration::from_secs(90);

/// A command asked of the hub (its arguments as on the command line, less the folder).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "ask", rename_all = "snake_case")]
pub enum Ask {
    Enrol {
        class: Option<String>,
        group: Option<String>,
        teacher: bool,
        hubs: Vec<String>,
        name: Option<String>,
    },
    Revoke {
        class: Option<String>,
        device: String,
    },
    Inspect {
        json: bool,
    },
    Doctor {
        discovery: bool,
        peers: Vec<String>,
    },
}

/// What a command did: what it prints, whether all is well (the exit status), and for an
/// enrolment its payload (the asking side writes the files it was told to).
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Answer {
    pub printed: String,
    pub well: bool,
    pub payload: Option<Payload>,
    /// The error's message, when the command failed.
    pub failed: Option<String>,
}

/// The folders an ask is answered from.
pub enum Folders<'a> {
    /// No hub runs: each command opens what it needs (the device's folder `.0`).
    Closed(&'a Path),
    /// A hub's: what it holds open.
    Served(&'a Served),
}

/// What a running hub holds open: every class folder of the device (the device's own first,
/// in a class or not) and the network side of each in a class, with where it listens.
pub struct Served {
    pub apps: Vec<Arc<App>>,
    pub nodes: Vec<(Arc<Node>, std::net::SocketAddr)>,
}

impl Folders<'_> {
    /// The open folder of class `class` (the device's own with none named), as `--class`
    /// picks it ([`shelf::class_app`]).
    fn class(&self, class: Option<&str>) -> Result<Arc<App>, CliError> {
        Ok(match (self, class) {
            (Folders::Closed(dir), class) => Arc::new(shelf::class_app(dir, class)?),
            (Folders::Served(served), None) => served.own()?,
            (Folders::Served(served), Some(class)) => {
                shelf::pick_class(served.apps.clone(), class, |app| app)?
            }
        })
    }

    /// The device's own folder on the network.
    fn node(&self) -> Result<Arc<Node>, CliError> {
        match self {
            Folders::Closed(dir) => Ok(Arc::new(Node::open(dir)?)),
            Folders::Served(served) => {
                let own = served.own()?;
                served
                    .node_of(&own)
                    .map(|(node, _)| node.clone())
                    .ok_or_else(|| Error::NotInClass.into())
            }
        }
    }

    /// Where the hub serves `app`'s class (for an enrolment that names no address): none
    /// when no hub runs.
    fn reachable(&self, app: &Arc<App>) -> Vec<String> {
        match self {
            Folders::Closed(_) => Vec::new(),
            Folders::Served(served) => served
                .node_of(app)
                .map(|(_, addr)| hugme_node::network::reachable_at(*addr))
                .unwrap_or_default(),
        }
    }

    /// Tells the network side of `app`'s class that its revocation list changed: its live
    /// sessions with the removed device end now, and every peer is told.
    fn revoked(&self, app: &Arc<App>) {
        if let Folders::Served(served) = self {
            if let Some((node, _)) = served.node_of(app) {
                node.revocations_changed();
            }
        }
    }
}

impl Served {
    fn node_of(&self, app: &Arc<App>) -> Option<&(Arc<Node>, std::net::SocketAddr)> {
        self.nodes.iter().find(|(n, _)| Arc::ptr_eq(n.app(), app))
    }

    fn own(&self) -> Result<Arc<App>, CliError> {
        self.apps
            .first()
            .cloned()
            .ok_or_else(|| Error::NotInClass.into())
    }
}

/// Runs `ask` on the device whose data folder is `dir`: by the hub serving it, if one
/// answers, else on the folder opened here.
///
/// # Errors
/// The command's own; [`CliError::Hub`] when the hub failed it or answered nothing readable.
pub fn run(dir: &Path, ask: Ask) -> Result<Answer, CliError> {
    if let Some(answered) = ask_hub(dir, &ask) {
        let answer = answered?;
        return match answer.failed {
            Some(message) => Err(CliError::Hub(message)),
            None => Ok(answer),
        };
    }
    answer(&Folders::Closed(dir), ask)
}

/// Does what `ask` says with `folders`.
///
/// # Errors
/// The command's own.
pub fn answer(folders: &Folders, ask: Ask) -> Result<Answer, CliError> {
    let mut answer = Answer {
        well: true,
        ..Answer::default()
    };
    match ask {
        Ask::Enrol {
            class,
            group,
            teacher,
            hubs,
            name,
        } => {
            let app = folders.class(class.as_deref())?;
            // Named none: where the running hub serves the class, as the app's code says.
            let hubs = match hubs.is_empty() {
                true => folders.reachable(&app),
                false => hubs,
            };
            let enrolment =
                enrolment::enrol(&app, group.as_deref(), teacher, &hubs, name.as_deref())?;
            let minutes = (enrolment.code_expires_at - hugme_store::now_ms()) / 60_000;
            answer.printed = format!(
                "device {}\ncode {} (for {minutes} minutes)\n",
                enrolment.payload.device, enrolment.code
            );
            answer.payload = Some(enrolment.payload);
        }
        Ask::Revoke { class, device } => {
            let app = folders.class(class.as_deref())?;
            let number = enrolment::revoke(&app, &device)?;
            folders.revoked(&app);
            answer.printed = format!("revoked {device} (revocation list {number})\n");
        }
        Ask::Inspect { json } => {
            let app = match folders {
                Folders::Closed(dir) => Arc::new(open_existing(dir)?),
                Folders::Served(served) => served.own()?,
            };
            let report = crate::inspect::report(&app)?;
            answer.printed = if json {
                let mut text =
                    serde_json::to_string_pretty(&report).map_err(std::io::Error::from)?;
                text.push('\n');
                text
            } else {
                crate::inspect::to_text(&report)
            };
        }
        Ask::Doctor { discovery, peers } => {
            let node = folders.node()?;
            let options = hugme_node::doctor::Options {
                discovery,
                typed: peers,
            };
            let (report, well) = hugme_node::doctor::run(&node, &options)?;
            answer.printed = report;
            answer.well = well;
        }
    }
    Ok(answer)
}

/// Asks the hub serving `dir`; `None` when none runs there (no socket, or one a killed hub
/// left, which nobody answers).
#[cfg(unix)]
fn ask_hub(dir: &Path, ask: &Ask) -> Option<Result<Answer, CliError>> {
    use std::io::ErrorKind;
    let socket = dir.join(SOCKET);
    let mut stream = match std::os::unix::net::UnixStream::connect(&socket) {
        Ok(stream) => stream,
        Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::ConnectionRefused) => {
            return None
        }
        // A hub runs, as another user: opening its folder would fail too.
        Err(e) if e.kind() == ErrorKind::PermissionDenied => {
            return Some(Err(CliError::Hub(format!(
                "the hub serving {} runs as another user: run this as that user \
                 (sudo -u hugme for the service)",
                dir.display()
            ))))
        }
        Err(_) => return None,
    };
    Some((|| {
        stream.set_read_timeout(Some(ANSWER_WITHIN))?;
        stream.set_write_timeout(Some(ASK_WITHIN))?;
        let mut line = serde_json::to_vec(ask).map_err(std::io::Error::from)?;
        line.push(b'\n');
        stream.write_all(&line)?;
        stream.shutdown(std::net::Shutdown::Write)?;
        let mut reply = Vec::new();
        match stream.take(ANSWER_BYTES).read_to_end(&mut reply) {
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return Err(CliError::Hub(format!(
                    "the hub serving {} does not answer: restart it",
                    dir.display()
                )))
            }
            other => other?,
        };
        serde_json::from_slice(&reply)
            .map_err(|e| CliError::Hub(format!("the running hub's answer is unreadable: {e}")))
    })())
}

/// No Unix sockets: the folder is opened here (stop the hub first).
#[cfg(not(unix))]
fn ask_hub(_dir: &Path, _ask: &Ask) -> Option<Result<Answer, CliError>> {
    None
}

/// The hub's end of the channel: answers asks until dropped (the socket is removed then).
pub struct Channel {
    path: PathBuf,
}

impl Drop for Channel {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Opens the channel in the device's data folder `dir` and answers every ask from
/// `served`, one at a time, in a thread of its own.
///
/// # Errors
/// When the socket cannot be made (a folder path too long for a socket's name, say).
#[cfg(unix)]
pub fn open(dir: &Path, served: Arc<Served>) -> std::io::Result<Channel> {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::net::UnixListener;
    // Made under a name nobody knows, then made the owner's, then given its name: nobody
    // else ever connects.
    // (A short name: a socket's path is at most 107 bytes, the folder's included.)
    let hidden = dir.join(format!(
        ".hs{}",
        &uuid::Uuid::new_v4().simple().to_string()[..10]
    ));
    let listener = UnixListener::bind(&hidden)?;
    let path = dir.join(SOCKET);
    let made = std::fs::set_permissions(&hidden, std::fs::Permissions::from_mode(0o600))
        .and_then(|()| std::fs::rename(&hidden, &path));
    if let Err(e) = made {
        let _ = std::fs::remove_file(&hidden);
        return Err(e);
    }
    std::thread::Builder::new()
        .name("hugme-control".into())
        .spawn(move || {
            for stream in listener.incoming().flatten() {
                // One ask's failure (even a panic) costs that ask only, not the channel.
                let replied = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    reply(stream, &served)
                }));
                if replied.is_err() {
                    eprintln!("an ask of this hub failed; the hub answers the next");
                }
            }
        })?;
    Ok(Channel { path })
}

/// No Unix sockets: no channel (the commands say the folder is in use).
#[cfg(not(unix))]
pub fn open(_dir: &Path, _served: Arc<Served>) -> std::io::Result<Channel> {
    Err(std::io::Error::other("no control channel on this system"))
}

/// Reads one ask from `stream` and writes its answer.
#[cfg(unix)]
fn reply(stream: std::os::unix::net::UnixStream, served: &Served) -> std::io::Result<()> {
    stream.set_write_timeout(Some(ASK_WITHIN))?;
    // The whole ask within ASK_WITHIN, however it trickles in; no more than ASK_BYTES kept.
    let deadline = std::time::Instant::now() + ASK_WITHIN;
    let mut line = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            return Ok(());
        }
        stream.set_read_timeout(Some(left))?;
        let n = (&stream).read(&mut chunk)?;
        line.extend_from_slice(&chunk[..n]);
        if n == 0 || line.contains(&b'\n') || line.len() as u64 > ASK_BYTES {
            break;
        }
    }
    if let Some(end) = line.iter().position(|&b| b == b'\n') {
        line.truncate(end);
    }
    let answer = if line.len() as u64 > ASK_BYTES {
        failed(format!("an ask longer than {ASK_BYTES} bytes"))
    } else {
        match serde_json::from_slice::<Ask>(&line) {
            Ok(ask) => answer(&Folders::Served(served), ask).unwrap_or_else(failed),
            Err(e) => failed(format!("an unreadable ask: {e}")),
        }
    };
    let mut bytes = serde_json::to_vec(&answer).map_err(std::io::Error::from)?;
    bytes.push(b'\n');
    (&stream).write_all(&bytes)
}

fn failed(why: impl std::fmt::Display) -> Answer {
    Answer {
        failed: Some(why.to_string()),
        ..Answer::default()
    }
}

/// Opens a data folder that must already exist (inspecting a typo should not create one).
pub(crate) fn open_existing(dir: &Path) -> Result<App, CliError> {
    must_exist(dir)?;
    Ok(hugme_node::membership::open(dir)?)
}

/// A data folder is there (inspecting a typo should not create one).
pub(crate) fn must_exist(dir: &Path) -> Result<(), CliError> {
    if !dir.join(hugme_store::DATABASE_FILE).exists() {
        return Err(hugme_store::Error::Io {
            path: dir.to_path_buf(),
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "no Hug me! data folder here",
            ),
        }
        .into());
    }
    Ok(())
}
