//! The `hugme` binary: see `hugme --help`.
//!
//! # Layout
//! - [`cli`]: the command line, parsed with clap (demo, inspect, export, projects, media);
//!   [`error`]: its error; [`network_cli`]: the class network's commands (class, enrol,
//!   join, revoke, hub, sync, doctor) calling `hugme-node`.
//! - [`control`]: the running hub's control channel (a Unix socket in the data folder), by
//!   which enrol, revoke, inspect and doctor reach a folder `hugme hub` holds open.
//! - [`inspect`]: the report of `hugme inspect` (text, and JSON of the stable shape in
//!   `docs/inspect-json.md`).

mod cli;
mod control;
mod error;
mod inspect;
mod network_cli;

fn main() -> std::process::ExitCode {
    cli::run()
}
