//! How the app was started: its data folder, and whether it may look for peers.

use std::path::PathBuf;

/// Start-up options, from the command line and the environment.
#[derive(Debug, Clone)]
pub struct Options {
    /// `--data DIR`, or `HUGME_DATA`, or the user's data folder.
    pub data: PathBuf,
    /// `--no-discovery` or `HUGME_NO_DISCOVERY=1`: no multicast at all (tests, screenshots).
    pub discovery: bool,
}

impl Options {
    pub fn from_env() -> Self {
        let mut args = std::env::args().skip(1);
        let mut data = std::env::var_os("HUGME_DATA").map(PathBuf::from);
        let mut discovery = std::env::var("HUGME_NO_DISCOVERY").map_or(true, |v| v != "1");
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--data" => data = args.next().map(PathBuf::from),
                "--no-discovery" => discovery = false,
                _ => {}
            }
        }
        let data = data.unwrap_or_else(|| {
            let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from);
            home.join(".local/share/hugme-studio")
        });
        Self { data, discovery }
    }
}
