//! The `hugme` commands of a class's network: class create, enrol, join, revoke, hub, sync.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use clap::Subcommand;

use hugme_node::enrolment::{self, Payload};
use hugme_node::error::FileAction;
use hugme_node::{membership, shelf, Error, Node};

use crate::control::{self, Ask, Served};
use crate::error::CliError;

type Result<T> = std::result::Result<T, CliError>;

#[derive(Debug, Subcommand)]
pub enum NetworkCommand {
    /// The class this data folder belongs to.
    #[command(subcommand)]
    Class(ClassCommand),
    /// On the teacher's device: enrol a tablet of a group (or a second teacher device) and
    /// write the payload for its QR code.
    Enrol {
        dir: PathBuf,
        /// The class (its name or id), on a device of several classes.
        #[arg(long)]
        class: Option<String>,
        #[arg(long)]
        group: Option<String>,
        /// A second teacher device instead of a group's tablet.
        #[arg(long)]
        teacher: bool,
        /// An address where the teacher's device serves (host:port); repeat for several.
        #[arg(long = "hub")]
        hubs: Vec<String>,
        /// The device's name in the class list.
        #[arg(long)]
        name: Option<String>,
        /// Where to write the payload (the QR code's text); the short code is printed.
        #[arg(short = 'o', long = "output")]
        output: Option<PathBuf>,
        /// Where to write the QR code as a PNG (to print on an enrolment card).
        #[arg(long)]
        qr: Option<PathBuf>,
    },
    /// On a tablet: join the class with an enrolment payload, or with the short code from the
    /// teacher's screen (the teacher's device must be serving).
    Join {
        dir: PathBuf,
        #[arg(long, required_unless_present = "code", conflicts_with = "code")]
        payload: Option<PathBuf>,
        /// The eight digits the teacher's screen shows.
        #[arg(long)]
        code: Option<String>,
        /// With --code: the teacher's device's address (host:port); without it, the teacher's
        /// device is looked for on the network (mDNS) for three seconds.
        #[arg(long = "hub")]
        hubs: Vec<String>,
        /// With --code: do not look for the teacher's device on the network (no multicast);
        /// also `HUGME_NO_DISCOVERY=1`.
        #[arg(long)]
        no_discovery: bool,
    },
    /// On the teacher's device: remove a device from the class.
    Revoke {
        dir: PathBuf,
        device: String,
        /// The class (its name or id), on a device of several classes.
        #[arg(long)]
        class: Option<String>,
    },
    /// Serve the class's sessions (and enrolment, on the teacher's device) until stopped.
    Hub {
        dir: PathBuf,
        #[arg(long, default_value = "0.0.0.0:7420")]
        listen: String,
        /// Do not announce or look for the class's devices on the network (mDNS), and so
        /// send no multicast at all; also `HUGME_NO_DISCOVERY=1`.
        #[arg(long)]
        no_discovery: bool,
        /// A peer's address (`host:port`) to sync with every round, for networks where
        /// mDNS does not get through; repeat for several.
        #[arg(long = "peer")]
        peers: Vec<String>,
        /// Find peers by mDNS only, not at remembered or enrolment addresses: to see
        /// whether multicast gets through this network.
        #[arg(long)]
        mdns_only: bool,
    },
    /// Tell what is wrong with this device's network or disk, in plain words, and what to do
    /// (multicast blocked, no hub, a port unreachable, the clock far off, the disk nearly
    /// full). Exits 0 only when all is well. With `hugme hub` serving DIR, it is asked there
    /// (stop the app on DIR first).
    Doctor {
        dir: PathBuf,
        /// Do not listen for the class on mDNS (no multicast); also `HUGME_NO_DISCOVERY=1`.
        #[arg(long)]
        no_discovery: bool,
        /// Also try this address (`host:port`); repeat for several.
        #[arg(long = "peer")]
        peers: Vec<String>,
    },
    /// Sync everything with one peer once; exits 0 only when both hold the same.
    Sync {
        dir: PathBuf,
        #[arg(long)]
        peer: String,
        /// Send at most this many bytes per second (spare the classroom's Wi-Fi).
        #[arg(long)]
        max_rate: Option<u64>,
    },
}

/// What a device says when it has deleted its class.
const LEFT: &str = "the class's term has ended: this device deleted the class";

#[derive(Debug, Subcommand)]
pub enum ClassCommand {
    /// On the teacher's device, after exporting the class: end its term, so that every other
    /// device deletes the class (documents, media, certificate) when it next syncs.
    End {
        dir: PathBuf,
        /// The class (its name or id), on a device of several classes.
        #[arg(long)]
        class: Option<String>,
    },
    /// Create a class; this device becomes its teacher device and CA (a device already in a
    /// class keeps the new one in a folder of its own).
    Create {
        dir: PathBuf,
        #[arg(long)]
        name: String,
        /// A group of the class; repeat for several.
        #[arg(long = "group")]
        groups: Vec<String>,
        /// The tablets' language (and the exports'): fi, sv, en, et or nb.
        #[arg(long, default_value = "fi")]
        language: String,
    },
}

/// Runs a network command; `Ok(false)` when it ran but did not reach its goal (a sync that
/// did not end in step).
pub fn execute(command: NetworkCommand, out: &mut dyn Write) -> Result<bool> {
    let io = CliError::Output;
    match command {
        NetworkCommand::Class(ClassCommand::End { dir, class }) => {
            let app = shelf::class_app(&dir, class.as_deref())?;
            let id = membership::own_class_id(app.store())?;
            // The class named must be the folder's own (not a sample class kept beside it).
            if let Some(named) = class.as_deref() {
                let own = app.classes()?.into_iter().find(|c| c.id.as_str() == id);
                if !own.is_some_and(|c| c.id.as_str() == named || c.name.as_str() == named) {
                    return Err(hugme_app::Error::NoSuchClass(named.to_owned()).into());
                }
            }
            app.end_term(&id)?;
            writeln!(
                out,
                "the term has ended: every device deletes the class when it next syncs"
            )
            .map_err(io)?;
        }
        NetworkCommand::Class(ClassCommand::Create {
            dir,
            name,
            groups,
            language,
        }) => {
            if !hugme_model::class::LANGUAGES.contains(&language.as_str()) {
                return Err(hugme_app::Error::NoSuchLanguage(language).into());
            }
            let groups: Vec<&str> = groups.iter().map(String::as_str).collect();
            let app = membership::open(&shelf::folder_to_join(&dir, None)?)?;
            let class = enrolment::create_class_as_teacher(&app, &name, &groups)?;
            let edit = hugme_app::api::teacher::ClassEdit::SetLanguage { language };
            app.edit_class(class.id.as_str(), edit)?;
            writeln!(out, "class {} ({})", class.name.as_str(), class.id).map_err(io)?;
        }
        NetworkCommand::Enrol {
            dir,
            class,
            group,
            teacher,
            hubs,
            name,
            output,
            qr,
        } => {
            let ask = Ask::Enrol {
                class,
                group,
                teacher,
                hubs,
                name,
            };
            let answer = control::run(&dir, ask)?;
            let Some(payload) = &answer.payload else {
                return Err(CliError::Hub("the hub's answer has no enrolment".into()));
            };
            // The code first: a file that cannot be written loses the teacher nothing.
            write!(out, "{}", answer.printed).map_err(io)?;
            if let Some(output) = output {
                let json = serde_json::to_vec_pretty(payload).map_err(std::io::Error::from)?;
                membership::write_private(&output, &json)?;
            }
            if let Some(qr) = qr {
                membership::write_private(&qr, &enrolment::qr_png(payload, 8)?)?;
            }
        }
        NetworkCommand::Join {
            dir,
            payload,
            code,
            hubs,
            no_discovery,
        } => {
            // A device already in a class joins another into a folder of its own (`shelf`).
            let (device, payload) = match (payload, code) {
                (Some(file), _) => {
                    let bytes = std::fs::read(&file)
                        .map_err(|e| Error::file(FileAction::Read, &file, e))?;
                    let payload: Payload = serde_json::from_slice(&bytes)
                        .map_err(|e| CliError::Payload(file.clone(), e))?;
                    let app =
                        membership::open(&shelf::folder_to_join(&dir, Some(&payload.class))?)?;
                    (enrolment::join(&app, &payload)?, payload)
                }
                (None, Some(code)) => {
                    let discovery = hubs.is_empty() && discovery_on(no_discovery);
                    let addresses = enrolment::teacher_addresses(&hubs, discovery)?;
                    // The class is known from the code before this device asks to join it.
                    let payload = enrolment::invitation_by_code(&code, &addresses)?;
                    let app =
                        membership::open(&shelf::folder_to_join(&dir, Some(&payload.class))?)?;
                    (enrolment::join(&app, &payload)?, payload)
                }
                (None, None) => return Err(CliError::JoinHow),
            };
            writeln!(
                out,
                "joined class {} as device {device}",
                payload.class_name
            )
            .map_err(io)?;
        }
        NetworkCommand::Revoke { dir, device, class } => {
            let answer = control::run(&dir, Ask::Revoke { class, device })?;
            write!(out, "{}", answer.printed).map_err(io)?;
        }
        NetworkCommand::Hub {
            dir,
            listen,
            no_discovery,
            peers,
            mdns_only,
        } => {
            let discovery = discovery_on(no_discovery);
            serve_every_class(&dir, &listen, discovery, mdns_only, peers, out)?;
        }
        NetworkCommand::Doctor {
            dir,
            no_discovery,
            peers,
        } => {
            let ask = Ask::Doctor {
                discovery: discovery_on(no_discovery),
                peers,
            };
            let answer = control::run(&dir, ask)?;
            write!(out, "{}", answer.printed).map_err(io)?;
            return Ok(answer.well);
        }
        NetworkCommand::Sync {
            dir,
            peer,
            max_rate,
        } => {
            let hub = Node::open(&dir)?;
            let runtime = enrolment::runtime()?;
            let ended = runtime.block_on(hugme_sync::net::sync_once(&peer, &hub, max_rate))?;
            let in_step =
                ended.finished && ended.stats.refused == 0 && ended.stats.refused_by_peer == 0;
            writeln!(
                out,
                "synced with {}: {} documents changed, {} blobs received, {} refused here, \
                 {} refused by the peer; {} bytes sent, {} received; {}",
                ended.peer,
                ended.stats.documents_changed,
                ended.stats.blobs_received,
                ended.stats.refused,
                ended.stats.refused_by_peer,
                ended.bytes_sent,
                ended.bytes_received,
                if in_step {
                    "in step".to_string()
                } else {
                    format!("NOT in step ({})", ended.reason)
                }
            )
            .map_err(io)?;
            if hub.has_left_class() {
                writeln!(out, "{LEFT}").map_err(io)?;
            }
            return Ok(in_step);
        }
    }
    Ok(true)
}

/// Serves each class on the device whose data folder is `dir` (`shelf`), each on its own
/// listener (the first at `listen`, the others at a free port of the same address) with its
/// own class's certificate, until every class is deleted here (or stopped).
fn serve_every_class(
    dir: &std::path::Path,
    listen: &str,
    discovery: bool,
    mdns_only: bool,
    peers: Vec<String>,
    out: &mut dyn Write,
) -> Result<()> {
    let io = CliError::Output;
    let (mut apps, mut nodes) = (Vec::new(), Vec::new());
    let skipped = &mut |folder: &std::path::Path, e: Error| {
        eprintln!("not serving the class in {}: {e}", folder.display());
    };
    for app in shelf::open_all_or_skip(dir, skipped)? {
        let app = Arc::new(app);
        if membership::class_id(app.store())?.is_some() {
            nodes.push(Arc::new(Node::of(app.clone())?));
        }
        apps.push(app);
    }
    if nodes.is_empty() {
        return Err(Error::NotInClass.into());
    }
    let runtime = enrolment::runtime()?;
    runtime.block_on(async {
        let mut listening = Vec::new();
        for (i, node) in nodes.into_iter().enumerate() {
            let at = if i == 0 {
                listen.to_owned()
            } else {
                let ip = listen
                    .parse::<std::net::SocketAddr>()
                    .map_or_else(|_| "0.0.0.0".to_owned(), |a| a.ip().to_string());
                format!("{ip}:0")
            };
            let listener = tokio::net::TcpListener::bind(&at)
                .await
                .map_err(hugme_sync::Error::Io)?;
            let addr = listener.local_addr().map_err(hugme_sync::Error::Io)?;
            let name = node
                .app()
                .classes()?
                .first()
                .map(|c| c.name.as_str().to_owned());
            match (i, name) {
                (0, _) | (_, None) => writeln!(out, "listening on {addr}").map_err(io)?,
                (_, Some(name)) => {
                    writeln!(out, "listening on {addr} for class {name}").map_err(io)?
                }
            }
            out.flush().map_err(io)?;
            listening.push((node, listener, addr));
        }
        // `hugme enrol`, `revoke`, `inspect` and `doctor` on this folder are asked here
        // meanwhile (until this function returns and the channel is dropped).
        let served = Arc::new(Served {
            apps,
            nodes: listening
                .iter()
                .map(|(node, _, addr)| (node.clone(), *addr))
                .collect(),
        });
        let _channel = match control::open(dir, served) {
            Ok(channel) => Some(channel),
            Err(e) => {
                eprintln!(
                    "commands on this machine cannot reach this hub ({e}): stop it to enrol \
                     or remove devices"
                );
                None
            }
        };
        let mut classes = tokio::task::JoinSet::new();
        for (node, listener, addr) in listening {
            let reach = hugme_node::neighbours::Reach {
                discovery,
                fallbacks: !mdns_only,
                typed: peers.clone(),
            };
            hugme_node::neighbours::start(node.clone(), addr, reach)?;
            let enrolment = node.is_class_authority();
            classes.spawn(async move {
                tokio::select! {
                    served = hugme_sync::net::serve(listener, node.clone(), enrolment) => {
                        served.map(|()| false)
                    }
                    () = node.left_class() => Ok(true),
                }
            });
        }
        // Until the last class is deleted here: the others go on serving meanwhile.
        while let Some(ended) = classes.join_next().await {
            match ended {
                Ok(Ok(true)) => {
                    writeln!(out, "{LEFT}").map_err(io)?;
                    out.flush().map_err(io)?;
                }
                Ok(Ok(false)) => {}
                Ok(Err(e)) => return Err(e.into()),
                Err(e) => return Err(CliError::Output(std::io::Error::other(e))),
            }
        }
        Ok::<(), CliError>(())
    })
}

/// Whether mDNS may be used: not with `--no-discovery`, nor with `HUGME_NO_DISCOVERY=1`.
fn discovery_on(no_discovery: bool) -> bool {
    !no_discovery && std::env::var("HUGME_NO_DISCOVERY").map_or(true, |v| v != "1")
}
