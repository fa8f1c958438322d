//! `pskit`: the jobs of ps, top, free, df, netstat, who, uptime and friends, on the
//! pskit library. Each subcommand lives in its own module; this file only dispatches.

mod df;
mod dump;
mod fmt;
mod iostat;
mod sensors;

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
    /// Filesystem space, like df -h.
    #[command(disable_help_flag = true)]
    Df(df::Args),
    /// Disk I/O rates per device, like iostat.
    Iostat(iostat::Args),
    /// Temperatures, fans and battery, like sensors and acpi -b.
    Sensors(sensors::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Dump(a) => dump::run(a),
        Command::Df(a) => df::run(a),
        Command::Iostat(a) => iostat::run(a),
        Command::Sensors(a) => sensors::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("pskit: {e}");
            ExitCode::FAILURE
        }
    }
}
