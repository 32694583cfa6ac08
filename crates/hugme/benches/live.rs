//! Live sync in a classroom: what a quiet class costs, and how fast an edit travels.
//!
//! `cargo bench -p hugme --bench live [-- --tablets 30 --quiet 300 --edits 20]` prints:
//! (f) a quiet class: a teacher's device and `--tablets` tablets, each a `hugme hub` process
//!     (real sockets and mutual TLS over loopback), converged and live, nobody typing, for
//!     `--quiet` seconds: the teacher's device's share of a core, the whole class's, and the
//!     bytes per second on the loopback interface (TCP/IP headers included: on the wire), less
//!     what this machine's other programs send there (measured for up to a minute before);
//! (g) latency with the class connected: an edit on tablet A applied on the teacher's device,
//!     and on tablet B through it (the teacher's device, A and B run in this process, so that
//!     the moment each store has the change is seen; the other tablets are processes), p50
//!     and p95 over `--edits` edits.
//!
//! `HUGME_BENCH_HUB` names another build's `hugme` binary for the processes of (f), to compare
//! builds (the commit before live sync dials every neighbour every 2 s); (g) is then skipped.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hugme_app::App;
use hugme_model::{ClassId, GroupId, Project, ProjectId};
use hugme_node::enrolment::{self, Payload};
use hugme_node::neighbours::Reach;
use hugme_node::Node;

mod common;
use common::{arg, free_address, loopback_bytes};

struct Options {
    tablets: usize,
    quiet: u64,
    edits: usize,
}

fn options() -> Options {
    Options {
        tablets: arg("--tablets", 30),
        quiet: arg("--quiet", 60),
        edits: arg("--edits", 20),
    }
}

fn binary() -> String {
    std::env::var("HUGME_BENCH_HUB").unwrap_or_else(|_| env!("CARGO_BIN_EXE_hugme").to_owned())
}

/// A class: the teacher's folder (with a project per group) and enrolled tablets' folders.
struct Class {
    teacher: PathBuf,
    addr: String,
    tablets: Vec<PathBuf>,
    id: ClassId,
    groups: Vec<GroupId>,
}

fn class(root: &Path, tablets: usize) -> (Class, Vec<Payload>) {
    let teacher = root.join("teacher");
    let names: Vec<String> = (0..tablets).map(|i| format!("Ryhmä {i}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let created = enrolment::create_class_as_teacher(
        &hugme_node::membership::open(&teacher).expect("opens"),
        "5B",
        &refs,
    )
    .expect("a class");
    let addr = free_address();
    let app = hugme_node::membership::open(&teacher).expect("opens");
    let payloads = names
        .iter()
        .map(|name| {
            enrolment::enrol(&app, Some(name), false, std::slice::from_ref(&addr), None)
                .expect("enrols")
                .payload
        })
        .collect();
    for group in &created.groups {
        app.create_project(
            &created.id,
            &group.id,
            &format!("Projekti {}", group.name.as_str()),
        )
        .expect("a project");
    }
    drop(app);
    let class = Class {
        teacher,
        addr,
        tablets: (0..tablets)
            .map(|i| root.join(format!("tablet-{i}")))
            .collect(),
        id: created.id.clone(),
        groups: created.groups.iter().map(|g| g.id.clone()).collect(),
    };
    (class, payloads)
}

/// A `hugme hub` process on `dir`, its log lines in `log`.
fn hub(dir: &Path, args: &[&str], log: &Path) -> Child {
    Command::new(binary())
        .arg("hub")
        .arg(dir)
        .args(["--no-discovery"])
        .args(args)
        .env("HUGME_CONNECTIONS_PER_ADDRESS", "256")
        .stdout(std::fs::File::create(log).expect("a log"))
        .stderr(std::fs::File::create(log.with_extension("err")).expect("a log"))
        .spawn()
        .expect("the hub starts")
}

/// Waits until `log` (stdout, and `.err` beside it: stderr) has `n` lines containing `text`.
fn wait_for(log: &Path, text: &str, n: usize, within: Duration) {
    let deadline = Instant::now() + within;
    loop {
        let seen: usize = [log.to_path_buf(), log.with_extension("err")]
            .iter()
            .filter_map(|path| std::fs::File::open(path).ok())
            .map(|file| {
                std::io::BufReader::new(file)
                    .lines()
                    .map_while(Result::ok)
                    .filter(|l| l.contains(text))
                    .count()
            })
            .sum();
        if seen >= n {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{} has {seen} of {n} {text:?}",
            log.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// CPU time a process has used (user + system), from /proc (clock ticks of 10 ms).
fn cpu(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The fields after the command name (which may hold spaces) end its parentheses.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<u64> = after
        .split_whitespace()
        .map(|f| f.parse().unwrap_or(0))
        .collect();
    // utime and stime are fields 14 and 15; here (state is field 3) at 11 and 12.
    let ticks = fields.get(11).unwrap_or(&0) + fields.get(12).unwrap_or(&0);
    Duration::from_millis(ticks * 10)
}

fn main() {
    // Every tablet connects from loopback: one address for the whole class (the teacher's
    // device of (g) runs in this process and reads it).
    std::env::set_var("HUGME_CONNECTIONS_PER_ADDRESS", "256");
    let o = options();
    let root = tempfile::tempdir().expect("a temporary folder");
    let (class, payloads) = class(root.path(), o.tablets);
    println!(
        "{} tablets and a teacher's device, loopback, mutual TLS",
        o.tablets
    );
    quiet_class(&o, root.path(), &class, &payloads);
    // (g) runs this build in this process: it cannot speak with another build's processes.
    if std::env::var_os("HUGME_BENCH_HUB").is_none() {
        latency(&o, root.path(), &class);
    }
}

/// (f): every device a process, converged, nobody typing.
fn quiet_class(o: &Options, root: &Path, class: &Class, payloads: &[Payload]) {
    // This machine's own loopback traffic (other programs), measured first and taken off.
    let idle_for = Duration::from_secs(o.quiet.clamp(10, 60));
    let idle0 = loopback_bytes();
    std::thread::sleep(idle_for);
    let idle = (loopback_bytes() - idle0) as f64 / idle_for.as_secs_f64();
    let teacher_log = root.join("teacher.log");
    let mut teacher = hub(&class.teacher, &["--listen", &class.addr], &teacher_log);
    wait_for(&teacher_log, "listening on", 1, Duration::from_secs(20));
    let mut tablets = Vec::new();
    for (i, (dir, payload)) in class.tablets.iter().zip(payloads).enumerate() {
        enrolment::join(&hugme_node::membership::open(dir).expect("opens"), payload)
            .expect("joins");
        let log = root.join(format!("tablet-{i}.log"));
        let listen = free_address();
        tablets.push(hub(
            dir,
            &["--listen", &listen, "--peer", &class.addr],
            &log,
        ));
    }
    // Every tablet live with the teacher's device and caught up: then quiet.
    // (A build before live sync logs each served session as it ends, every 2 s.)
    let met = if std::env::var_os("HUGME_BENCH_HUB").is_some() {
        "session with"
    } else {
        "synced with"
    };
    wait_for(&teacher_log, met, o.tablets, Duration::from_secs(120));
    std::thread::sleep(Duration::from_secs(10));
    let pids: Vec<u32> = std::iter::once(teacher.id())
        .chain(tablets.iter().map(Child::id))
        .collect();
    let (cpu0, all0, bytes0) = (
        cpu(teacher.id()),
        pids.iter().map(|p| cpu(*p)).sum::<Duration>(),
        loopback_bytes(),
    );
    let all_logs = || -> String {
        std::iter::once(teacher_log.clone())
            .chain((0..tablets.len()).map(|i| root.join(format!("tablet-{i}.log"))))
            .flat_map(|log| [log.with_extension("err"), log])
            .map(|log| std::fs::read_to_string(log).unwrap_or_default())
            .collect()
    };
    let said_before = all_logs().lines().count();
    let start = Instant::now();
    std::thread::sleep(Duration::from_secs(o.quiet));
    let wall = start.elapsed().as_secs_f64();
    let said = all_logs();
    let lines: Vec<&str> = said.lines().collect();
    let said_during = lines.len() - said_before.min(lines.len());
    let teacher_cpu = (cpu(teacher.id()) - cpu0).as_secs_f64() / wall;
    let class_cpu = (pids.iter().map(|p| cpu(*p)).sum::<Duration>() - all0).as_secs_f64() / wall;
    let loopback = (loopback_bytes() - bytes0) as f64 / wall;
    let bytes = (loopback - idle).max(0.0);
    let alive = tablets
        .iter_mut()
        .all(|t| t.try_wait().ok().flatten().is_none());
    for child in tablets.iter_mut().chain(std::iter::once(&mut teacher)) {
        let _ = child.kill();
        let _ = child.wait();
    }
    assert!(alive, "every tablet ran throughout");
    println!(
        "(f) a quiet class for {wall:.0} s: the teacher's device {:.2} % of a core (target <= 1), \
         the whole class {:.2} % of a core, {:.0} bytes/s on the wire (target <= 2048: \
         {loopback:.0} on the loopback less {idle:.0} of this machine's other programs, measured \
         before); {} log lines meanwhile (sessions begun or ended)",
        teacher_cpu * 100.0,
        class_cpu * 100.0,
        bytes,
        said_during
    );
    if std::env::var_os("HUGME_BENCH_SHOW").is_some() {
        println!("{}", lines[said_before.min(lines.len())..].join("\n"));
    }
}

/// (g): an edit on tablet A, seen on the teacher's device and on tablet B through it.
fn latency(o: &Options, root: &Path, class: &Class) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let teacher_app = Arc::new(hugme_node::membership::open(&class.teacher).expect("opens"));
    let teacher = Arc::new(Node::of(teacher_app.clone()).expect("the teacher's node"));
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(&class.addr))
        .expect("listens");
    runtime.spawn(hugme_sync::net::serve(listener, teacher.clone(), false));
    let mut others = Vec::new();
    for (i, dir) in class.tablets.iter().enumerate().skip(2) {
        let log = root.join(format!("tablet-{i}-g.log"));
        let listen = free_address();
        others.push(hub(
            dir,
            &["--listen", &listen, "--peer", &class.addr],
            &log,
        ));
    }
    let reach = Reach {
        discovery: false,
        fallbacks: false,
        typed: vec![class.addr.clone()],
    };
    let open_tablet = |dir: &Path| {
        let app = Arc::new(hugme_node::membership::open(dir).expect("opens"));
        let node = Arc::new(Node::of(app.clone()).expect("a node"));
        let _guard = runtime.enter();
        hugme_node::neighbours::start(node.clone(), free_address().parse().unwrap(), reach.clone())
            .expect("neighbours");
        (app, node)
    };
    let (a, _a_node) = open_tablet(&class.tablets[0]);
    let (b, _b_node) = open_tablet(&class.tablets[1]);
    let project: ProjectId = a
        .ids_of(hugme_model::DocumentKind::Project)
        .expect("projects")
        .into_iter()
        .map(|id| ProjectId::from(id.as_str()))
        .find(|id| {
            a.read::<Project>(id.as_str())
                .is_ok_and(|p| p.value.group_id == class.groups[0] && p.value.class_id == class.id)
        })
        .expect("group 0's project on tablet A");
    // Everyone live: the teacher's device has every tablet.
    let deadline = Instant::now() + Duration::from_secs(120);
    while teacher.status().peers.iter().filter(|p| p.live).count() < class.tablets.len() {
        assert!(Instant::now() < deadline, "not every tablet went live");
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_secs(2));
    let (to_teacher, to_b) = (teacher_app.subscribe(), b.subscribe());
    let (mut at_teacher, mut at_b) = (Vec::new(), Vec::new());
    for n in 0..o.edits {
        let text = format!("Miksi jää kelluu? ({n})");
        let sent = Instant::now();
        a.update_project(&project, |p| {
            p.phenomenon.why.update(&text);
            Ok(())
        })
        .expect("the edit");
        let arrived = |events: &std::sync::mpsc::Receiver<hugme_app::DocumentEvent>, app: &App| loop {
            let event = events
                .recv_timeout(Duration::from_secs(10))
                .expect("the edit arrives within 10 s");
            if event.id == project.as_str()
                && app
                    .read::<Project>(project.as_str())
                    .is_ok_and(|p| p.value.phenomenon.why.as_str() == text)
            {
                return sent.elapsed();
            }
        };
        at_teacher.push(arrived(&to_teacher, &teacher_app));
        at_b.push(arrived(&to_b, &b));
        std::thread::sleep(Duration::from_millis(200));
    }
    for child in &mut others {
        let _ = child.kill();
        let _ = child.wait();
    }
    let pct = |v: &mut Vec<Duration>, q: f64| {
        v.sort();
        v[((v.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1000.0
    };
    println!(
        "(g) an edit on a tablet, {} edits, {} tablets connected: on the teacher's device p50 \
         {:.1} ms, p95 {:.1} ms (targets 100, 300); on another tablet through it p50 {:.1} ms, \
         p95 {:.1} ms",
        o.edits,
        class.tablets.len(),
        pct(&mut at_teacher, 0.5),
        pct(&mut at_teacher, 0.95),
        pct(&mut at_b, 0.5),
        pct(&mut at_b, 0.95)
    );
    drop(runtime);
}
