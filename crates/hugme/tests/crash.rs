//! Crash safety with a real process: a child applies edits through the App and reports each
//! acknowledged one; this test kills it with SIGKILL at random moments, 50 times, and after
//! every kill checks that the store opens, passes `PRAGMA integrity_check`, and holds every
//! acknowledged edit.
//!
//! A custom harness (no libtest): the same binary is the child when `HUGME_CRASH_CHILD` is set.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use hugme_app::App;
use hugme_model::{ProjectId, ResearchQuestion};
use rand::Rng;

const KILLS: usize = 50;
const WRITERS: [&str; 2] = ["a", "b"];

fn main() {
    if let Ok(dir) = std::env::var("HUGME_CRASH_CHILD") {
        child(Path::new(&dir));
        return;
    }
    println!("running 1 test");
    crash_safety();
    println!("test crash_safety ... ok");
    println!("1 passed, 0 failed");
}

/// Two threads, one per project, type tokens `a17;` / `b17;` into the phenomenon's answer and
/// add a research question every tenth edit; each edit is printed once `update_project` returns.
fn child(dir: &Path) {
    let app = App::open(dir).expect("open data folder");
    let projects: Vec<ProjectId> = app
        .projects()
        .expect("projects")
        .into_iter()
        .map(|p| p.value.id)
        .collect();
    let from: u64 = std::env::var("HUGME_CRASH_FROM")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    std::thread::scope(|s| {
        for (writer, project) in WRITERS.iter().zip(&projects) {
            let app = &app;
            s.spawn(move || {
                for i in from.. {
                    let token = format!("{writer}{i};");
                    app.update_project(project, |p| {
                        let end = p.phenomenon.why.as_str().len();
                        p.phenomenon.why.splice(end, 0, &token);
                        if i % 10 == 0 {
                            p.research
                                .questions
                                .push(ResearchQuestion::new(&format!("q{writer}{i}")));
                        }
                        Ok(())
                    })
                    .expect("edit");
                    let mut out = std::io::stdout().lock();
                    writeln!(out, "ACK {writer} {i}")
                        .and_then(|()| out.flush())
                        .expect("stdout");
                }
            });
        }
    });
}

fn crash_safety() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let app = App::open(dir.path()).expect("open");
        let class = app
            .create_class_document("Crash", &["A", "B"])
            .expect("class");
        for g in &class.groups {
            app.create_project(&class.id, &g.id, g.name.as_str())
                .expect("project");
        }
    }
    let exe = std::env::current_exe().expect("current exe");
    let mut acked: BTreeSet<(String, u64)> = BTreeSet::new();
    let mut next = 0u64;
    let mut rng = rand::rng();
    for kill in 0..KILLS {
        let mut child = Command::new(&exe)
            .env("HUGME_CRASH_CHILD", dir.path())
            .env("HUGME_CRASH_FROM", next.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn child");
        let stdout = child.stdout.take().expect("stdout");
        let reader = std::thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .filter_map(|line| {
                    let mut parts = line.strip_prefix("ACK ")?.split(' ');
                    Some((parts.next()?.to_owned(), parts.next()?.parse::<u64>().ok()?))
                })
                .collect::<Vec<_>>()
        });
        std::thread::sleep(Duration::from_millis(rng.random_range(30..250)));
        child.kill().expect("SIGKILL"); // Child::kill is SIGKILL on Unix.
        child.wait().expect("reap");
        let this_round = reader.join().expect("reader");
        next = this_round
            .iter()
            .map(|(_, i)| i + 1)
            .max()
            .unwrap_or(next)
            .max(next);
        acked.extend(this_round);
        verify(dir.path(), &acked, kill);
    }
    assert!(
        acked.len() > KILLS,
        "the child must get edits acknowledged between kills"
    );
    println!(
        "crash: {KILLS} kills, {} acknowledged edits, every one present after every kill",
        acked.len()
    );
}

fn verify(dir: &Path, acked: &BTreeSet<(String, u64)>, kill: usize) {
    let app =
        App::open(dir).unwrap_or_else(|e| panic!("after kill {kill} the store does not open: {e}"));
    assert_eq!(
        app.store().integrity_check().expect("integrity_check"),
        "ok",
        "after kill {kill}"
    );
    let projects = app
        .projects()
        .unwrap_or_else(|e| panic!("after kill {kill}: {e}"));
    assert_eq!(projects.len(), 2);
    for (writer, project) in WRITERS.iter().zip(&projects) {
        let p = &project.value;
        let tokens: BTreeSet<&str> = p.phenomenon.why.as_str().split(';').collect();
        let questions: BTreeSet<&str> = p
            .research
            .questions
            .iter()
            .map(|q| q.question.as_str())
            .collect();
        for (w, i) in acked.iter().filter(|(w, _)| w == writer) {
            let token = format!("{w}{i}");
            assert!(
                tokens.contains(token.as_str()),
                "after kill {kill}: acknowledged edit {token} is lost"
            );
            if i % 10 == 0 {
                let q = format!("q{w}{i}");
                assert!(
                    questions.contains(q.as_str()),
                    "after kill {kill}: question {q} is lost"
                );
            }
        }
    }
}
