//! The `hugme` binary: see `hugme --help`.

fn main() -> std::process::ExitCode {
    hugme::cli::run()
}
