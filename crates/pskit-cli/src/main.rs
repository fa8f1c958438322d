//! `pskit`: the jobs of ps, top, free, df, netstat, who, uptime and friends, on the
//! pskit library. Each subcommand lives in its own module; this file only dispatches.

mod dump;
mod fmt;
mod lsof;
mod pidof;
mod pmap;
mod proc;
mod proc_common;
mod ps;
mod pstree;
mod tty;

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
    /// The process table, like `ps aux`.
    Ps(ps::Args),
    /// Everything about one process (psutil's procinfo).
    Proc(proc::Args),
    /// Pids of the processes with a name.
    Pidof(pidof::Args),
    /// The process tree.
    Pstree(pstree::Args),
    /// Open files of processes.
    Lsof(lsof::Args),
    /// Memory maps of a process.
    Pmap(pmap::Args),
    /// The controlling terminal.
    Tty(tty::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Dump(a) => dump::run(a),
        Command::Ps(a) => ps::run(a),
        Command::Proc(a) => proc::run(a),
        Command::Pidof(a) => pidof::run(a),
        Command::Pstree(a) => pstree::run(a),
        Command::Lsof(a) => lsof::run(a),
        Command::Pmap(a) => pmap::run(a),
        Command::Tty(a) => tty::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("pskit: {e}");
            ExitCode::FAILURE
        }
    }
}
