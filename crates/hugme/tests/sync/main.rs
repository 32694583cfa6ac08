//! Sync between real processes over loopback TCP with mutual TLS: the teacher's device serves
//! (`hugme hub`), tablets join with an enrolment payload and sync (`hugme sync`).

mod app;
mod codes;
mod control;
mod flood;
mod forgery;
mod protected;
mod refusals;
mod shared;
mod term;
mod transfer;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

pub fn hugme(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hugme"))
        .args(args)
        .output()
        .expect("hugme runs")
}

pub fn ok(args: &[&str]) -> String {
    let out = hugme(args);
    assert!(
        out.status.success(),
        "hugme {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Opens a data folder in this test process (the store waits out a lock another test's
/// forked child holds for a moment).
pub fn open_app(dir: &Path) -> hugme_app::App {
    hugme_app::App::open(dir).unwrap()
}

pub fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

/// A `hugme hub` process on a loopback port; stopped when dropped.
#[derive(Debug)]
pub struct Serving {
    child: Child,
    pub addr: String,
    log: PathBuf,
}

impl Serving {
    pub fn start(dir: &Path) -> Serving {
        Self::start_at(dir, "127.0.0.1:0")
    }

    pub fn start_at(dir: &Path, addr: &str) -> Serving {
        Self::start_with(dir, addr, &[])
    }

    /// A hub with these environment variables set.
    pub fn start_with(dir: &Path, addr: &str, env: &[(&str, &str)]) -> Serving {
        let log = dir.with_extension("hub.log");
        let mut child = Command::new(env!("CARGO_BIN_EXE_hugme"))
            .args(["hub", path(dir), "--listen", addr, "--no-discovery"])
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).expect("a log file"))
            .spawn()
            .expect("hugme hub starts");
        let stdout = child.stdout.take().expect("piped");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("the hub says where it listens");
        let addr = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        Serving { child, addr, log }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The hub's process id (to read its memory from /proc).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A free loopback address (the teacher's device names it in enrolment payloads before it
/// serves, since a data folder is used by one program at a time).
pub fn free_address() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().to_string()
}

/// A class: the teacher's data folder and two tablets (groups Kettu and Saukot), joined.
#[derive(Debug)]
pub struct Classroom {
    pub root: tempfile::TempDir,
    pub teacher: PathBuf,
    pub kettu: PathBuf,
    pub saukot: PathBuf,
}

impl Classroom {
    pub fn new() -> (Classroom, Serving) {
        let root = tempfile::tempdir().unwrap();
        let teacher = root.path().join("teacher");
        let kettu = root.path().join("kettu");
        let saukot = root.path().join("saukot");
        ok(&[
            "class",
            "create",
            path(&teacher),
            "--name",
            "5B",
            "--group",
            "Kettu",
            "--group",
            "Saukot",
        ]);
        let addr = free_address();
        for group in ["Kettu", "Saukot"] {
            let payload = root.path().join(format!("{group}.json"));
            ok(&[
                "enrol",
                path(&teacher),
                "--group",
                group,
                "--hub",
                &addr,
                "-o",
                path(&payload),
            ]);
        }
        let serving = Serving::start_at(&teacher, &addr);
        for (dir, group) in [(&kettu, "Kettu"), (&saukot, "Saukot")] {
            let payload = root.path().join(format!("{group}.json"));
            let said = ok(&["join", path(dir), "--payload", path(&payload)]);
            assert!(said.starts_with("joined class 5B"), "{said}");
        }
        (
            Classroom {
                root,
                teacher,
                kettu,
                saukot,
            },
            serving,
        )
    }

    pub fn new_project(&self, dir: &Path, group: &str, title: &str) -> String {
        ok(&[
            "project",
            "new",
            path(dir),
            "--group",
            group,
            "--title",
            title,
        ])
        .trim()
        .to_owned()
    }
}

/// Whether any file under `dir` holds `needle` (what a data folder keeps, looked for where it
/// really is: the database, the blobs, the identity files).
pub fn on_disk(dir: &Path, needle: &[u8]) -> bool {
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if std::fs::read(&path)
                .is_ok_and(|b| b.windows(needle.len()).any(|w| w == needle))
            {
                return true;
            }
        }
    }
    false
}

/// Imports a file into a project of the data folder (`hugme media import`).
pub fn import_media(dir: &Path, project: &str, file: &Path) {
    ok(&[
        "media",
        "import",
        path(dir),
        "--project",
        project,
        path(file),
    ]);
}

/// Syncs a data folder with a peer; returns (in step, what it printed).
pub fn sync(dir: &Path, peer: &str) -> (bool, String) {
    let out = hugme(&["sync", path(dir), "--peer", peer]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// The project titles a data folder holds.
pub fn titles(dir: &Path) -> Vec<String> {
    let json = ok(&["inspect", path(dir), "--json"]);
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    let mut titles: Vec<String> = report["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["title"].as_str().unwrap().to_owned())
        .collect();
    titles.sort();
    titles
}

#[test]
fn a_hub_and_two_tablets_that_edit_apart_converge() {
    let (class, serving) = Classroom::new();
    let snow = class.new_project(&class.kettu, "Kettu", "Miksi lumi narisee?");
    class.new_project(&class.saukot, "Saukot", "Where do otters sleep?");
    ok(&[
        "project",
        "set",
        path(&class.kettu),
        &snow,
        "--step",
        "phenomenon",
        "--text",
        "Lumi narisee pakkasella",
    ]);
    let photo = concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/photos/storm.jpg");
    import_media(&class.kettu, &snow, Path::new(photo));

    for dir in [&class.kettu, &class.saukot, &class.kettu] {
        let (in_step, said) = sync(dir, &serving.addr);
        assert!(in_step && said.contains("in step"), "{said}");
    }
    drop(serving); // the hub's data folder is its own while it serves
    let all = vec![
        "Miksi lumi narisee?".to_string(),
        "Where do otters sleep?".to_string(),
    ];
    for dir in [&class.teacher, &class.kettu, &class.saukot] {
        assert_eq!(titles(dir), all, "{}", dir.display());
    }
    let saukot_sees = ok(&["inspect", path(&class.saukot)]);
    assert!(
        saukot_sees.contains("photo "),
        "the photo came along: {saukot_sees}"
    );
    assert!(saukot_sees.contains("3 blobs"), "{saukot_sees}");
}
