//! A class set up on a [`Lan`]: the teacher's device creates it and enrols one tablet per
//! group, which joins by its enrolment code and works apart (a project and a question)
//! before going on the network. Also what the tests read back from a data folder.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::net::Lan;

pub fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

/// The projects a data folder holds, as (title, question texts), sorted.
pub fn projects(lan: &Lan, host: usize, dir: &Path) -> Vec<(String, Vec<String>)> {
    let json = lan.run(host, &["inspect", path(dir), "--json"]);
    let report: serde_json::Value = serde_json::from_str(&json).expect("inspect prints JSON");
    let mut out: Vec<(String, Vec<String>)> = report["projects"]
        .as_array()
        .expect("a projects array")
        .iter()
        .map(|p| {
            let questions = p["research_questions"]
                .as_array()
                .map(|qs| {
                    qs.iter()
                        .filter_map(|q| q["question"].as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            (
                p["title"].as_str().unwrap_or_default().to_owned(),
                questions,
            )
        })
        .collect();
    out.sort();
    out
}

/// The class's data folders and the teacher's device's serving command line.
pub struct Class {
    pub id: String,
    pub teacher: PathBuf,
    /// `hugme hub …` as the teacher's device runs it (to start it again).
    pub teacher_hub: Vec<String>,
    /// Tablet `i` (on host `i + 1`) belongs to `groups[i]`.
    pub tablets: Vec<PathBuf>,
}

impl Class {
    /// Creates the class on host 0 (which then serves with `hub_args`, logging to
    /// `root/hub-0.log`) and a tablet per group on hosts 1, 2, …
    pub fn enrol(lan: &mut Lan, root: &Path, groups: &[&str], hub_args: &[String]) -> Class {
        let teacher = root.join("teacher");
        let hub_addr = format!("{}:7420", lan.ip(0));
        let mut create = vec!["class", "create", path(&teacher), "--name", "5B"];
        for group in groups {
            create.extend(["--group", group]);
        }
        // "class 5B (<id>)"
        let created = lan.run(0, &create);
        let id = created
            .trim()
            .rsplit_once('(')
            .and_then(|(_, id)| id.strip_suffix(')'))
            .expect("class create prints the class id")
            .to_owned();
        let mut joining = Vec::new();
        for (i, group) in groups.iter().enumerate() {
            let payload = root.join(format!("payload-{i}.json"));
            lan.run(
                0,
                &[
                    "enrol",
                    path(&teacher),
                    "--group",
                    group,
                    "--hub",
                    &hub_addr,
                    "-o",
                    path(&payload),
                ],
            );
            joining.push((root.join(format!("tablet-{i}")), payload));
        }
        // The teacher's device serves (and announces itself); the tablets join it.
        let teacher_hub: Vec<String> = ["hub", path(&teacher), "--listen", &hub_addr]
            .into_iter()
            .map(str::to_owned)
            .chain(hub_args.iter().cloned())
            .collect();
        let args: Vec<&str> = teacher_hub.iter().map(String::as_str).collect();
        lan.spawn(0, &args, &root.join("hub-0.log"));
        let deadline = Instant::now() + Duration::from_secs(20);
        for (i, (dir, payload)) in joining.iter().enumerate() {
            loop {
                let out = Command::new("ip")
                    .args(["netns", "exec", &lan.ns(i + 1)])
                    .arg(env!("CARGO_BIN_EXE_hugme"))
                    .args(["join", path(dir), "--payload", path(payload)])
                    .output()
                    .unwrap();
                if out.status.success() {
                    break;
                }
                assert!(
                    Instant::now() < deadline,
                    "tablet {i} cannot join: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
                std::thread::sleep(Duration::from_millis(200));
            }
            // Work done apart, before the tablet is on the network.
            let id = lan.run(
                i + 1,
                &[
                    "project",
                    "new",
                    path(dir),
                    "--group",
                    groups[i],
                    "--title",
                    &format!("Projekti {}", groups[i]),
                ],
            );
            lan.run(
                i + 1,
                &[
                    "project",
                    "add-question",
                    path(dir),
                    id.trim(),
                    "--text",
                    &format!("Kysymys ryhmältä {}", groups[i]),
                ],
            );
        }
        Class {
            id,
            teacher,
            teacher_hub,
            tablets: joining.into_iter().map(|(dir, _)| dir).collect(),
        }
    }
}
