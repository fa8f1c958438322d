//! `pskit serve`: the Prometheus exporter of the `pskit-serve` crate, with
//! node_exporter's flags (`--web.listen-address`, `--collector.NAME`, …).

use std::ffi::OsString;
use std::process::ExitCode;

/// Arguments of `pskit serve`: everything after `serve`, parsed by
/// pskit-serve as node_exporter parses its own.
#[derive(clap::Args)]
pub struct Args {
    /// node_exporter's flags (`--web.listen-address=:9100`,
    /// `--web.telemetry-path`, `--web.config.file`, `--web.max-requests`,
    /// `--[no-]collector.NAME`, …); `pskit serve --help` lists them.
    #[arg(allow_hyphen_values = true, trailing_var_arg = true, num_args = 0..)]
    raw: Vec<OsString>,
}

/// Runs the exporter until it is stopped (or prints one scrape with `--once`).
pub fn run(a: Args) -> crate::fmt::CmdResult {
    let prog = OsString::from(crate::fmt::prog("serve"));
    let code = pskit_serve::main(std::iter::once(prog).chain(a.raw));
    Ok(ExitCode::from(u8::try_from(code).unwrap_or(1)))
}
