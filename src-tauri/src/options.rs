//! How the app was started: its data folder, and whether it may look for peers.

use std::path::PathBuf;

/// Start-up options, from the command line and the environment.
#[derive(Debug, Clone)]
pub struct Options {
    /// `--data DIR`, or `HUGME_DATA`, or the user's data folder.
    pub data: PathBuf,
    /// `--no-discovery` or `HUGME_NO_DISCOVERY=1`: no multicast at all (tests, screenshots).
    pub discovery: bool,
    /// `--open-project ID`: start on that project's home instead of the start screen (a
    /// teacher's demo, the benchmarks).
    pub open_project: Option<String>,
    /// `--exports DIR` or `HUGME_EXPORTS`: where exports are written (default: the user's
    /// documents folder, in "Hug me! Studio").
    pub exports: Option<PathBuf>,
    /// `--listen ADDR` or `HUGME_LISTEN`: where to serve the class's devices (default: every
    /// address, port 7420, or any free port if that one is taken).
    pub listen: Option<String>,
    /// `HUGME_REPORT_READY=1`: print `ready <ms>` on stdout once the first screen has painted
    /// (the start-up benchmark reads it).
    pub report_ready: bool,
}

impl Options {
    pub fn from_env() -> Self {
        let mut args = std::env::args().skip(1);
        let mut data = std::env::var_os("HUGME_DATA").map(PathBuf::from);
        let mut discovery = std::env::var("HUGME_NO_DISCOVERY").map_or(true, |v| v != "1");
        let mut open_project = None;
        let mut exports = std::env::var_os("HUGME_EXPORTS").map(PathBuf::from);
        let mut listen = std::env::var("HUGME_LISTEN").ok();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--data" => data = args.next().map(PathBuf::from),
                "--no-discovery" => discovery = false,
                "--open-project" => open_project = args.next(),
                "--exports" => exports = args.next().map(PathBuf::from),
                "--listen" => listen = args.next(),
                _ => {}
            }
        }
        let data = data.unwrap_or_else(|| {
            let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from);
            home.join(".local/share/hugme-studio")
        });
        let report_ready = std::env::var("HUGME_REPORT_READY").is_ok_and(|v| v == "1");
        Self {
            data,
            discovery,
            open_project,
            exports,
            listen,
            report_ready,
        }
    }
}
