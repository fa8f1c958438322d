//! `pskit iotop`: per-process disk read and write rates (deltas of the
//! io_counters bytes between snapshots over the interval) and their totals.

use super::app::{App, Flavor};
use super::view::Settings;
use super::{delay, run_monitor, sort_column, usage_error, Source};
use crate::fmt::CmdResult;

/// Arguments of `pskit iotop`.
#[derive(clap::Args, Debug, Clone)]
pub struct IotopArgs {
    /// Only processes doing I/O.
    #[arg(short = 'o', long = "only")]
    pub only: bool,
    /// Batch mode: print reports instead of the interactive screen.
    #[arg(short = 'b', long = "batch")]
    pub batch: bool,
    /// Number of reports (default endless).
    #[arg(short = 'n', long = "iter")]
    pub iterations: Option<u64>,
    /// Seconds between reports.
    #[arg(short = 'd', long = "delay", default_value_t = 1.0)]
    pub delay: f64,
    /// Only these pids (comma-separated, repeatable).
    #[arg(short = 'p', long = "pid", value_delimiter = ',')]
    pub pids: Vec<u32>,
    /// Only this user's processes.
    #[arg(short = 'u', long = "user")]
    pub user: Option<String>,
    /// Sort column: read, write, pid, user, cpu, command, ...
    #[arg(short = 's', long = "sort")]
    pub sort: Option<String>,
    /// Rates in kilobytes per second instead of a human-friendly unit.
    #[arg(short = 'k', long = "kilobytes")]
    pub kilobytes: bool,
    /// Only processes, not threads. pskit iotop always lists processes (a
    /// process's I/O counters include its threads'), so this is its only mode.
    #[arg(short = 'P', long = "processes")]
    pub processes: bool,
    /// Print each report as one line of JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `pskit iotop` on `source`.
pub fn run_iotop(args: IotopArgs, source: Box<dyn Source>) -> CmdResult {
    super::columns::KILOBYTES.store(args.kilobytes, std::sync::atomic::Ordering::Relaxed);
    let mut s = Settings::iotop();
    s.only_active = args.only;
    s.pids = args.pids.clone();
    s.user = args.user.clone();
    if let Some(k) = &args.sort {
        match sort_column(k) {
            Ok(c) => {
                s.sort = c;
                s.descending = c.descending_by_default();
            }
            Err(e) => return usage_error(&e),
        }
    }
    let d = match delay(args.delay) {
        Ok(d) => d,
        Err(e) => return usage_error(&e),
    };
    let app = App::new(Flavor::Iotop, s);
    run_monitor(app, source, d, args.iterations, args.batch, args.json)
}
