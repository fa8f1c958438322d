//! `pskit`: the jobs of ps, top, free, df, netstat, who, uptime and friends, on the
//! pskit library. Each subcommand lives in its own module; this file only dispatches.

mod df;
mod dump;
mod fmt;
mod free;
mod ifconfig;
mod ionice;
mod iostat;
mod kill;
mod killall;
mod lsof;
mod multicall;
mod netstat;
mod netstat_stats;
mod nice;
mod num;
mod pidof;
mod pmap;
mod prlimit;
mod proc;
mod proc_common;
mod ps;
mod pstree;
mod renice;
mod sensors;
mod serve;
mod signals;
mod summary;
mod taskset;
mod top;
mod tty;
mod uptime;
mod wait;
mod who;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// System and process information, psutil-style. With no subcommand, a summary
/// of the machine.
#[derive(Parser)]
#[command(name = "pskit", version, about, long_about = None)]
struct Cli {
    /// Print the summary as JSON (when no subcommand is given).
    #[arg(long)]
    json: bool,
    /// Create links named ps, top, free, df, kill, … in DIR: invoked through
    /// one, pskit behaves as that tool.
    #[arg(long, value_name = "DIR")]
    install_links: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Every psutil system-level function's result as one JSON object.
    Dump(dump::Args),
    /// Memory and swap usage, like procps `free`.
    Free(free::Args),
    /// How long the system has been running, like `uptime`.
    Uptime(uptime::Args),
    /// Who is logged in, like `who`.
    Who(who::Args),
    /// Filesystem space, like df -h.
    #[command(disable_help_flag = true)]
    Df(df::Args),
    /// Disk I/O rates per device, like iostat.
    #[command(disable_help_flag = true)]
    Iostat(iostat::Args),
    /// Temperatures, fans and battery, like sensors and acpi -b.
    Sensors(sensors::Args),
    #[command(about = TOP_ABOUT)]
    Top(top::TopArgs),
    #[command(about = IOTOP_ABOUT)]
    Iotop(top::IotopArgs),
    /// Send a signal to processes (race-free), like `kill`.
    Kill(kill::Args),
    /// Signal processes by name, like psmisc `killall`.
    Killall(killall::Args),
    /// Run a command with another niceness, like `nice`.
    Nice(nice::Args),
    /// Change the niceness of running processes, like `renice`.
    Renice(renice::Args),
    /// Get or set I/O scheduling class and level, like `ionice`.
    Ionice(ionice::Args),
    /// Get or set CPU affinity, like `taskset`.
    Taskset(taskset::Args),
    /// Get or set resource limits, like `prlimit`.
    Prlimit(Box<prlimit::Args>),
    /// Wait for processes to exit, like `tail --pid`.
    Wait(wait::Args),
    /// Network interfaces: addresses, flags, MTU, speed, duplex and counters.
    Ifconfig(ifconfig::Args),
    /// Sockets with their state and owning process, like `ss -tunap`.
    Netstat(netstat::Args),
    /// The process table, like procps `ps` (`ps aux`, `ps -ef`, `ps -eo pid,comm --sort=-pid`).
    #[command(disable_help_flag = true)]
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
    /// A Prometheus exporter: node_exporter's host metrics and
    /// process-exporter's process groups (`pskit serve --help`).
    #[command(disable_help_flag = true)]
    Serve(serve::Args),
}

const TOP_ABOUT: &str = "Interactive process monitor, like htop (batch mode with -b)";
const IOTOP_ABOUT: &str = "Per-process disk I/O rates, like iotop";

/// `pskit top …` and `pskit iotop …` parsed with only their own parser.
/// Building clap's whole tree (every subcommand's arguments) touches code
/// spread over the binary, and the kernel maps up to 64 KiB of it around
/// every page touched: for a monitor meant to be lighter than htop that was
/// a megabyte of resident memory spent once, at startup.
fn parse_monitor(args: &[std::ffi::OsString]) -> Option<Cli> {
    use clap::{Args, FromArgMatches};
    fn one<A: Args + FromArgMatches>(
        name: &'static str,
        about: &'static str,
        args: &[std::ffi::OsString],
    ) -> A {
        let program = std::path::Path::new(&args[0])
            .file_name()
            .map_or_else(|| "pskit".into(), |n| n.to_string_lossy());
        let cmd = A::augment_args(clap::Command::new(name))
            .bin_name(format!("{program} {name}"))
            .about(about);
        cmd.try_get_matches_from(&args[1..])
            .and_then(|m| A::from_arg_matches(&m))
            .unwrap_or_else(|e| e.exit())
    }
    let command = match args.get(1)?.to_str()? {
        "top" => Command::Top(one("top", TOP_ABOUT, args)),
        "iotop" => Command::Iotop(one("iotop", IOTOP_ABOUT, args)),
        _ => return None,
    };
    Some(Cli {
        json: false,
        install_links: None,
        command: Some(command),
    })
}

fn main() -> ExitCode {
    // SAFETY: called first thing, before any other thread exists; SIG_DFL is a
    // valid disposition. Like C tools, `pskit ps | head` then ends quietly on
    // EPIPE instead of panicking in println!.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let rewritten = multicall::rewrite(args.clone());
    if rewritten.len() != args.len() {
        fmt::set_via_link();
    }
    let cli = parse_monitor(&rewritten).unwrap_or_else(|| Cli::parse_from(rewritten));
    if let Some(dir) = &cli.install_links {
        return multicall::install_links(dir);
    }
    let result = match cli.command {
        None => summary::run(cli.json),
        Some(Command::Dump(a)) => dump::run(a),
        Some(Command::Top(a)) => {
            let source = top::LiveSource::new(false).with_threads(a.threads);
            top::run_top(a, Box::new(source))
        }
        Some(Command::Iotop(a)) => top::run_iotop(a, Box::new(top::LiveSource::new(true))),
        Some(Command::Kill(a)) => kill::run(a),
        Some(Command::Killall(a)) => killall::run(a),
        Some(Command::Nice(a)) => nice::run(a),
        Some(Command::Renice(a)) => renice::run(a),
        Some(Command::Ionice(a)) => ionice::run(a),
        Some(Command::Taskset(a)) => taskset::run(a),
        Some(Command::Prlimit(a)) => prlimit::run(*a),
        Some(Command::Wait(a)) => wait::run(a),
        Some(Command::Free(a)) => free::run(a),
        Some(Command::Uptime(a)) => uptime::run(a),
        Some(Command::Who(a)) => who::run(a),
        Some(Command::Df(a)) => df::run(a),
        Some(Command::Iostat(a)) => iostat::run(a),
        Some(Command::Sensors(a)) => sensors::run(a),
        Some(Command::Ifconfig(a)) => ifconfig::run(a),
        Some(Command::Netstat(a)) => netstat::run(a),
        Some(Command::Ps(a)) => ps::run(a),
        Some(Command::Proc(a)) => proc::run(a),
        Some(Command::Pidof(a)) => pidof::run(a),
        Some(Command::Pstree(a)) => pstree::run(a),
        Some(Command::Lsof(a)) => lsof::run(a),
        Some(Command::Pmap(a)) => pmap::run(a),
        Some(Command::Tty(a)) => tty::run(a),
        Some(Command::Serve(a)) => serve::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("pskit: {e}");
            ExitCode::FAILURE
        }
    }
}
