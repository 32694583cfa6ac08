//! `hugme doctor`: what is wrong with this device's network and disk, in plain words, and
//! what to do about it.
//!
//! Two halves: [`gather`] looks (listens for the class on mDNS for a few seconds, tries each
//! address it knows with a real sync, reads the disk's free space), and [`diagnose`], a pure
//! function of what was seen, says what it means. The rules live in `diagnose` and are tested
//! without a network.

use std::time::Duration;

use hugme_discovery::{Discovery, Peer};
use hugme_store::space::Space;

use hugme_sync::net::Host;

use crate::error::Result;
use crate::membership::addresses;
use crate::node::Node;

/// How long to listen for the class on mDNS (devices answer a query within a second).
const LISTEN: Duration = Duration::from_secs(3);
/// How long an address may take to accept the connection.
const CONNECT_WITHIN: Duration = Duration::from_secs(3);
/// How long one sync may take before the doctor stops waiting (it answered: good enough).
const SYNC_WITHIN: Duration = Duration::from_secs(30);
/// A clock further off than this breaks certificates and "last changed" times.
const CLOCK_OFF_MS: u64 = 5 * 60 * 1000;

/// How the doctor looks.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Listen on mDNS (multicast). Off: only the known addresses are tried.
    pub discovery: bool,
    /// Addresses typed by hand (`host:port`), tried too.
    pub typed: Vec<String>,
}

/// Where an address tried came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Mdns,
    Typed,
    LastSeen,
    Enrolment,
}

impl Source {
    fn words(self) -> &'static str {
        match self {
            Source::Mdns => "heard by mDNS",
            Source::Typed => "typed by hand",
            Source::LastSeen => "where a device last answered",
            Source::Enrolment => "the teacher's device, from the enrolment code",
        }
    }
}

/// What came of trying one address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A whole sync: the peer, and how far its clock is ahead of this one's (ms).
    Synced {
        peer: String,
        clock_offset: Option<i64>,
    },
    /// It answered and is still syncing (much to send): reachable, clock not known.
    Slow,
    /// The device is there but nothing listens on the port.
    Refused,
    /// No answer at all.
    NoAnswer,
    /// It answered, but the secure connection or the session failed.
    Failed(String),
}

/// One address tried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub addr: String,
    pub source: Source,
    pub outcome: Outcome,
}

/// Everything the doctor saw.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub space: Option<Space>,
    /// Devices of the class heard by mDNS; `None` when discovery was off.
    pub heard: Option<Vec<Peer>>,
    pub attempts: Vec<Attempt>,
}

/// One thing the doctor says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub problem: bool,
    pub says: String,
    /// What to do about it (problems only).
    pub todo: Option<String>,
}

impl Finding {
    fn fine(says: String) -> Finding {
        Finding {
            problem: false,
            says,
            todo: None,
        }
    }

    fn problem(says: String, todo: &str) -> Finding {
        Finding {
            problem: true,
            says,
            todo: Some(todo.to_owned()),
        }
    }
}

/// Looks at the network and disk of the data folder `node` serves.
pub async fn gather(node: &Node, options: &Options) -> Facts {
    let space = hugme_store::space::space(node.store().dir()).ok();
    let credentials = node.credentials();
    let heard = if options.discovery {
        match Discovery::listen(&credentials.class, &credentials.device) {
            Ok(discovery) => {
                tokio::time::sleep(LISTEN).await;
                let peers = discovery.peers();
                discovery.stop();
                Some(peers)
            }
            Err(_) => Some(Vec::new()),
        }
    } else {
        None
    };
    let mut to_try: Vec<(String, Source)> = Vec::new();
    let mut add = |addr: String, source: Source| {
        if !to_try.iter().any(|(a, _)| *a == addr) {
            to_try.push((addr, source));
        }
    };
    for peer in heard.iter().flatten() {
        if let Some(addr) = peer.addresses.first() {
            add(addr.to_string(), Source::Mdns);
        }
    }
    for addr in &options.typed {
        add(addr.clone(), Source::Typed);
    }
    for (_, seen) in addresses::last_seen(node.store()).unwrap_or_default() {
        add(seen.addr, Source::LastSeen);
    }
    for addr in addresses::enrolment_hubs(node.store()).unwrap_or_default() {
        add(addr, Source::Enrolment);
    }
    let mut attempts = Vec::new();
    for (addr, source) in to_try {
        let outcome = attempt(node, &addr).await;
        attempts.push(Attempt {
            addr,
            source,
            outcome,
        });
    }
    Facts {
        space,
        heard,
        attempts,
    }
}

async fn attempt(node: &Node, addr: &str) -> Outcome {
    let sync = hugme_sync::net::sync_within(addr, node, None, Some(CONNECT_WITHIN));
    match tokio::time::timeout(SYNC_WITHIN, sync).await {
        Err(_) => Outcome::Slow,
        Ok(Ok(ended)) if ended.greeted => Outcome::Synced {
            peer: ended.peer,
            clock_offset: ended.peer_clock_offset,
        },
        Ok(Ok(ended)) => Outcome::Failed(ended.reason),
        Ok(Err(hugme_sync::Error::Io(e))) => match e.kind() {
            std::io::ErrorKind::ConnectionRefused => Outcome::Refused,
            std::io::ErrorKind::TimedOut
            | std::io::ErrorKind::HostUnreachable
            | std::io::ErrorKind::NetworkUnreachable => Outcome::NoAnswer,
            _ => Outcome::Failed(e.to_string()),
        },
        Ok(Err(e)) => Outcome::Failed(e.to_string()),
    }
}

/// What the facts mean, problems first.
pub fn diagnose(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    match facts.space {
        Some(space) if space.nearly_full() => out.push(Finding::problem(
            format!(
                "The disk is nearly full: {} free of {}.",
                size(space.free),
                size(space.total)
            ),
            "Text still saves, but photos and videos may not. Export finished projects, then \
             remove old videos; at the end of a term, wipe last term's class.",
        )),
        Some(space) => out.push(Finding::fine(format!(
            "Disk: {} free of {}.",
            size(space.free),
            size(space.total)
        ))),
        None => out.push(Finding::problem(
            "The free space of the disk could not be read.".into(),
            "Check that the data folder is on a working disk.",
        )),
    }
    let reached: Vec<&Attempt> = facts
        .attempts
        .iter()
        .filter(|a| matches!(a.outcome, Outcome::Synced { .. } | Outcome::Slow))
        .collect();
    match &facts.heard {
        None => out.push(Finding::fine(
            "mDNS was not checked (discovery is off).".into(),
        )),
        Some(heard) if !heard.is_empty() => out.push(Finding::fine(format!(
            "Multicast works: {} device(s) of the class heard by mDNS.",
            heard.len()
        ))),
        Some(_) if !reached.is_empty() => out.push(Finding::problem(
            format!(
                "Multicast seems blocked: no device of the class was heard by mDNS, but {} \
                 answered directly.",
                reached[0].addr
            ),
            "Sync still works through known addresses. So that tablets find each other and \
             the teacher's device by themselves, ask the school's IT to allow mDNS (UDP port \
             5353 to 224.0.0.251) on the classroom Wi-Fi.",
        )),
        Some(_) => {}
    }
    if reached.is_empty() {
        let tried: Vec<&str> = facts.attempts.iter().map(|a| a.addr.as_str()).collect();
        out.push(Finding::problem(
            if tried.is_empty() {
                "No hub: no device of the class was heard, and no address is known.".into()
            } else {
                format!(
                    "No hub: no device of the class answered (tried {}).",
                    tried.join(", ")
                )
            },
            "Check that the teacher's device is switched on, on the same Wi-Fi as this one, \
             and running Hug me! Studio (or `hugme hub`). If mDNS is blocked, type its \
             address: `hugme hub --peer ADDRESS:7420`.",
        ));
    }
    for a in &facts.attempts {
        let at = format!("{} ({})", a.addr, a.source.words());
        match &a.outcome {
            Outcome::Synced { peer, clock_offset } => {
                out.push(Finding::fine(format!("Synced with {peer} at {at}.")));
                if let Some(off) = clock_offset.filter(|o| o.unsigned_abs() > CLOCK_OFF_MS) {
                    let minutes = off.unsigned_abs() / 60_000;
                    let side = if off > 0 { "behind" } else { "ahead of" };
                    out.push(Finding::problem(
                        format!("This device's clock is {minutes} minutes {side} {peer}'s."),
                        "Set this device's date and time (by hand if it has no internet): \
                         secure connections and \"last changed\" times depend on it.",
                    ));
                }
            }
            Outcome::Slow => out.push(Finding::fine(format!(
                "{at} answered and is still syncing (much to send)."
            ))),
            Outcome::Refused => out.push(Finding::problem(
                format!("{at} is there, but refused the connection: Hug me! is not serving on that port."),
                "Start Hug me! Studio (or `hugme hub`) on that device; check the port number.",
            )),
            // A tablet that went home is no news; the teacher's device or a typed address is.
            Outcome::NoAnswer if a.source == Source::LastSeen => {}
            Outcome::NoAnswer => out.push(Finding::problem(
                format!("{at} did not answer within {} s.", CONNECT_WITHIN.as_secs()),
                "That device may be off or on another network, or a firewall blocks TCP port \
                 7420 between the devices: ask the school's IT to allow it.",
            )),
            Outcome::Failed(reason) => out.push(Finding::problem(
                format!("{at} answered, but the connection failed: {reason}"),
                failed_todo(reason),
            )),
        }
    }
    out.sort_by_key(|f| !f.problem);
    out
}

/// What to do about a failed secure connection, by what failed.
fn failed_todo(reason: &str) -> &'static str {
    let reason = reason.to_lowercase();
    if reason.contains("notvalidyet") || reason.contains("expired") || reason.contains("not valid")
    {
        "A certificate's dates do not fit this device's clock: set the date and time, then try \
         again."
    } else if reason.contains("of class") || reason.contains("unknownissuer") {
        "That device belongs to another class: check the address."
    } else if reason.contains("removed from the class") || reason.contains("revoked") {
        "This device was removed from the class: ask the teacher to enrol it again."
    } else {
        "Try again; if it keeps failing, ask the teacher to enrol this device again."
    }
}

fn size(bytes: u64) -> String {
    const GB: f64 = (1u64 << 30) as f64;
    const MB: f64 = (1u64 << 20) as f64;
    if bytes as f64 >= GB {
        format!("{:.1} GB", bytes as f64 / GB)
    } else {
        format!("{:.0} MB", bytes as f64 / MB)
    }
}

/// The findings as the doctor prints them.
pub fn report(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        out.push_str(if f.problem { "PROBLEM  " } else { "ok       " });
        out.push_str(&f.says);
        out.push('\n');
        if let Some(todo) = &f.todo {
            out.push_str("         What to do: ");
            out.push_str(todo);
            out.push('\n');
        }
    }
    out
}

/// Runs the doctor on the data folder of `node`: the report, and whether all is well.
pub fn run(node: &Node, options: &Options) -> Result<(String, bool)> {
    let runtime = crate::enrolment::runtime()?;
    let facts = runtime.block_on(gather(node, options));
    let findings = diagnose(&facts);
    let well = findings.iter().all(|f| !f.problem);
    Ok((report(&findings), well))
}

#[cfg(test)]
#[path = "doctor_tests.rs"]
mod tests;
