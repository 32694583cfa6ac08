//! The `hugme` binary: see `hugme --help`.
//!
//! # Layout
//! - [`cli`]: the command line, parsed with clap (demo, inspect, export, projects, media),
//!   and its error; [`network_cli`]: the class network's commands (class, enrol, join, revoke,
//!   hub, sync, doctor) calling `hugme-node`.
//! - [`inspect`]: the report of `hugme inspect` (text, and JSON of the stable shape in
//!   `docs/inspect-json.md`).

mod cli;
mod inspect;
mod network_cli;

fn main() -> std::process::ExitCode {
    cli::run()
}
