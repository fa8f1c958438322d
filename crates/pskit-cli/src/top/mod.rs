//! `pskit top` and `pskit iotop`: interactive process monitors like htop and
//! iotop, and their batch modes (text like `top -b`, or JSON lines).
//!
//! The monitors read everything through a [`Source`]: the system figures (see
//! [`SystemHeader`]) and the process rows. Entry points: [`run_top`] and
//! [`run_iotop`].

mod app;
mod batch;
mod columns;
mod dialogs;
mod header;
mod input;
mod iotop;
mod live;
mod model;
mod render;
mod source;
mod table;
#[cfg(test)]
mod testdata;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_input;
#[cfg(test)]
mod tests_tui;
mod tui;
mod view;

use std::io::{self, IsTerminal};
use std::process::ExitCode;
use std::time::Duration;

pub use iotop::{run_iotop, IotopArgs};
pub use live::LiveSource;
pub use source::Source;

use app::{App, Flavor};
use columns::Column;
use view::Settings;

use crate::fmt::CmdResult;

/// Arguments of `pskit top`.
#[derive(clap::Args, Debug, Clone)]
pub struct TopArgs {
    /// Seconds between refreshes (fractions allowed).
    #[arg(short = 'd', long = "delay", default_value_t = 1.5)]
    pub delay: f64,
    /// Only these pids (comma-separated, repeatable).
    #[arg(short = 'p', long = "pid", value_delimiter = ',')]
    pub pids: Vec<u32>,
    /// Only this user's processes.
    #[arg(short = 'u', long = "user")]
    pub user: Option<String>,
    /// Sort column: pid, user, pr, ni, virt, res, shr, s, cpu, mem, time,
    /// command, ... (or its label, like %CPU).
    #[arg(short = 's', long = "sort")]
    pub sort: Option<String>,
    /// procps top's -o: the sort field by name or label (`%MEM`, `PID`),
    /// highest first, or lowest first with a leading `-`.
    #[arg(short = 'o', long = "sort-override", allow_hyphen_values = true)]
    pub sort_field: Option<String>,
    /// procps top's -w: batch lines are cut at N columns (512 when N is left out).
    #[arg(short = 'w', long = "width", num_args = 0..=1, default_missing_value = "512")]
    pub width: Option<String>,
    /// procps top's -E: the memory summary's unit, k, m (the default), g, t, p or e.
    #[arg(short = 'E', long = "scale-summary-mem")]
    pub scale: Option<String>,
    /// Start in tree view.
    #[arg(short = 't', long = "tree")]
    pub tree: bool,
    /// Show full command lines.
    #[arg(short = 'c', long = "full-command")]
    pub full_command: bool,
    /// Start with this filter (htop -F).
    #[arg(short = 'F', long = "filter")]
    pub filter: Option<String>,
    /// Columns to show, comma-separated (default: PID USER PR NI VIRT RES SHR S
    /// %CPU %MEM TIME+ COMMAND).
    #[arg(long = "columns", value_delimiter = ',')]
    pub columns: Vec<String>,
    /// Batch mode: print snapshots instead of the interactive screen (the
    /// default when stdout is not a terminal).
    /// One row per thread (procps top's -H): PID is the thread id, COMMAND
    /// the thread's name, %CPU and TIME+ the thread's own.
    #[arg(short = 'H', long = "threads-show")]
    pub threads: bool,
    #[arg(short = 'b', long = "batch")]
    pub batch: bool,
    /// Number of snapshots (batch: default endless, like top).
    #[arg(short = 'n', long = "iterations")]
    pub iterations: Option<u64>,
    /// Print each snapshot as one line of JSON.
    #[arg(long)]
    pub json: bool,
}

/// An invalid argument value: `pskit: <msg>` and exit status 2.
fn usage_error(msg: &str) -> CmdResult {
    eprintln!("pskit: {msg}");
    Ok(ExitCode::from(2))
}

/// Checks `-d` and turns it into a duration.
fn delay(secs: f64) -> Result<Duration, String> {
    crate::num::seconds(secs, true)
        .map_err(|_| format!("invalid delay '{secs}': seconds >= 0 expected"))
}

fn sort_column(name: &str) -> Result<Column, String> {
    Column::parse(name).ok_or_else(|| {
        let keys: Vec<&str> = columns::ALL.iter().map(|c| c.key()).collect();
        format!("unknown sort key '{name}' (one of: {})", keys.join(", "))
    })
}

/// procps top's argument errors: its message (`top: …` as `pskit top: …`)
/// and exit status 1.
fn top_error(msg: &str) -> CmdResult {
    eprintln!("{}: {msg}", crate::fmt::prog("top"));
    Ok(ExitCode::FAILURE)
}

/// Checks procps top's -o, -w, -E and -u values into the settings.
fn procps_options(args: &TopArgs, s: &mut Settings) -> Result<(), String> {
    if let Some(f) = &args.sort_field {
        let (low_first, name) = match f.strip_prefix('-') {
            Some(n) => (true, n),
            None => (false, f.strip_prefix('+').unwrap_or(f)),
        };
        let c = Column::parse(name).ok_or_else(|| format!("unrecognized field name '{f}'"))?;
        s.sort = c;
        s.descending = !low_first;
    }
    if let Some(w) = &args.width {
        match w.parse::<usize>() {
            Ok(n) if (1..=512).contains(&n) => s.width = Some(n),
            _ => return Err(format!("bad width arg '{w}'")),
        }
    }
    if let Some(e) = &args.scale {
        s.mem_scale = match e.as_str() {
            "k" => 1,
            "m" => 2,
            "g" => 3,
            "t" => 4,
            "p" => 5,
            "e" => 6,
            _ => return Err(format!("bad memory scaling arg '{e}'")),
        };
    }
    if let Some(u) = &args.user {
        let known = u.parse::<u32>().is_ok()
            || crate::fmt::read_small(&pskit::Root::current().etc().join("passwd"))
                .unwrap_or_default()
                .lines()
                .any(|l| l.split(':').next() == Some(u.as_str()));
        if !known {
            return Err("Invalid user".into());
        }
    }
    Ok(())
}

/// The settings `pskit top` starts with.
fn top_settings(args: &TopArgs) -> Result<Settings, String> {
    let mut s = Settings::top();
    if !args.columns.is_empty() {
        s.columns = args
            .columns
            .iter()
            .map(|c| Column::parse(c).ok_or_else(|| format!("unknown column '{c}'")))
            .collect::<Result<_, _>>()?;
    }
    if let Some(k) = &args.sort {
        let c = sort_column(k)?;
        s.sort = c;
        s.descending = c.descending_by_default();
    }
    s.tree = args.tree;
    s.full_cmd = args.full_command;
    s.user = args.user.clone();
    s.pids = args.pids.clone();
    s.filter = args.filter.clone().unwrap_or_default();
    s.threads = args.threads;
    Ok(s)
}

/// Runs `pskit top` on `source`: the interactive monitor on a terminal, else
/// (or with `-b`) batch output.
pub fn run_top(args: TopArgs, source: Box<dyn Source>) -> CmdResult {
    let mut settings = match top_settings(&args) {
        Ok(s) => s,
        Err(e) => return usage_error(&e),
    };
    if let Err(e) = procps_options(&args, &mut settings) {
        return top_error(&e);
    }
    let delay = match delay(args.delay) {
        Ok(d) => d,
        Err(e) => return usage_error(&e),
    };
    let app = App::new(Flavor::Top, settings);
    run_monitor(app, source, delay, args.iterations, args.batch, args.json)
}

/// The common tail of both monitors.
fn run_monitor(
    mut app: App,
    mut source: Box<dyn Source>,
    delay: Duration,
    iterations: Option<u64>,
    batch_mode: bool,
    json: bool,
) -> CmdResult {
    if batch_mode || json || !io::stdout().is_terminal() {
        let mut out = io::stdout().lock();
        return match run_batch(&mut app, source.as_mut(), delay, iterations, json, &mut out) {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
            Ok(true) => Ok(ExitCode::FAILURE),
            r => r.map(|_| ExitCode::SUCCESS).map_err(Into::into),
        };
    }
    // Interactive refreshes faster than 0.1 s only burn CPU.
    let delay = delay.max(Duration::from_millis(100));
    tui::run(&mut app, source.as_mut(), delay, iterations)?;
    Ok(ExitCode::SUCCESS)
}

/// Batch mode: a first sample to measure against, then `iterations` reports
/// (endless when `None`) `delay` apart. The first report comes after
/// min(delay, 0.5 s), so its rates cover a real interval without a long wait.
/// What a snapshot could not read goes to stderr; the result says whether
/// anything failed (the command then exits 1).
pub(crate) fn run_batch(
    app: &mut App,
    source: &mut dyn Source,
    delay: Duration,
    iterations: Option<u64>,
    json: bool,
    out: &mut dyn io::Write,
) -> io::Result<bool> {
    if iterations == Some(0) {
        return Ok(false);
    }
    let mut failed = false;
    let mut take = |source: &mut dyn Source, app: &mut App| {
        let snap = source.snapshot();
        for e in &snap.errors {
            eprintln!("pskit: {e}");
        }
        failed |= !snap.errors.is_empty();
        app.update(snap);
    };
    take(source, app);
    std::thread::sleep(delay.min(Duration::from_millis(500)));
    let mut done = 0u64;
    loop {
        take(source, app);
        batch::write_report(app, json, out)?;
        done += 1;
        if iterations.is_some_and(|n| done >= n) {
            return Ok(failed);
        }
        std::thread::sleep(delay);
    }
}
