//! `pskit`: the jobs of ps, top, free, df, netstat, who, uptime and friends, on the
//! pskit library. Each subcommand lives in its own module; this file only dispatches.

mod dump;
mod fmt;
mod ifconfig;
mod netstat;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// System and process information, psutil-style.
#[derive(Parser)]
#[command(name = "pskit", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Every psutil system-level function's result as one JSON object.
    Dump(dump::Args),
    /// Network interfaces: addresses, flags, MTU, speed, duplex and counters.
    Ifconfig(ifconfig::Args),
    /// Sockets with their state and owning process, like `ss -tunap`.
    Netstat(netstat::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Dump(a) => dump::run(a),
        Command::Ifconfig(a) => ifconfig::run(a),
        Command::Netstat(a) => netstat::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("pskit: {e}");
            ExitCode::FAILURE
        }
    }
}
