//! Real-time disk I/O per process, a clone of iotop: the bytes each process
//! read from and wrote to storage over the last half second, busiest first,
//! under the system-wide totals. A port of psutil's `scripts/iotop.py`.
//!
//! ```text
//! $ cargo run --example iotop
//! Total DISK READ: 0.0B | Total DISK WRITE: 472.0K
//! PID   USER      DISK READ  DISK WRITE  COMMAND
//! 13155 giampao        0.0B      428.0K  /usr/bin/google-chrome-beta
//! 3260  giampao        0.0B        0.0B  bash
//! ```
//!
//! Linux only; run it as root to see every process (the I/O counters of other
//! users' processes are not readable otherwise, and those processes are left
//! out). The screen refreshes about every second (0.5 s of measure, 0.5 s of
//! pause, as the script does); `q` or Ctrl-C quits.

#[path = "support/curses.rs"]
mod curses;

use std::error::Error;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use curses::{quit_requested, CursesError, Window};
use pskit::Process;
use ratatui::DefaultTerminal;

fn main() -> ExitCode {
    let mut terminal = match ratatui::try_init() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("iotop: cannot set up the terminal: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = run(&mut terminal);
    // Like the script's tear_down(), whatever happened.
    let restored = ratatui::try_restore();
    match result.and(restored.map_err(Into::into)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("iotop: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The script's main(): measure over `interval` (0 the first time), show, pause.
fn run(terminal: &mut DefaultTerminal) -> Result<(), Box<dyn Error>> {
    let mut win = Window::new(terminal.size()?.into());
    let mut interval = Duration::ZERO;
    loop {
        let Some((procs, disks_read, disks_write)) = poll(interval)? else {
            return Ok(());
        };
        win.resize(terminal.size()?.into());
        refresh_window(&mut win, &procs, disks_read, disks_write)?;
        terminal.draw(|frame| frame.render_widget(&win, frame.area()))?;
        win.lineno = 0;
        interval = Duration::from_millis(500);
        if quit_requested(interval, true)? {
            return Ok(());
        }
    }
}

/// One process's I/O over the interval, with what the screen shows of it.
struct ProcIo {
    pid: u32,
    username: String,
    cmdline: String,
    read: i128,
    write: i128,
}

/// Reads every process's I/O counters and the disks' before and after
/// `interval`; the processes come sorted by bytes moved, most first. `None` when
/// the user quit during the wait.
#[allow(clippy::type_complexity)]
fn poll(interval: Duration) -> Result<Option<(Vec<ProcIo>, i128, i128)>, Box<dyn Error>> {
    // First every process's counters (the ones that cannot be read are left
    // out) and the disks' ...
    let before: Vec<(Arc<Process>, pskit::process::IoCounters)> = pskit::process::processes()?
        .into_iter()
        .filter_map(|p| p.io_counters().ok().map(|io| (p, io)))
        .collect();
    let disks_before = disks()?;

    // ... then, after the interval, the same again.
    if quit_requested(interval, true)? {
        return Ok(None);
    }
    let mut procs = Vec::new();
    for (p, io_before) in before {
        let row = p.oneshot(|p| -> pskit::Result<ProcIo> {
            let io_after = p.io_counters()?;
            let mut cmdline = p.cmdline()?.join(" ");
            if cmdline.is_empty() {
                cmdline = p.name()?;
            }
            Ok(ProcIo {
                pid: p.pid(),
                username: p.username()?,
                cmdline,
                read: i128::from(io_after.read_bytes) - i128::from(io_before.read_bytes),
                write: i128::from(io_after.write_bytes) - i128::from(io_before.write_bytes),
            })
        });
        match row {
            Ok(row) => procs.push(row),
            // Gone (or a zombie) meanwhile: left out, as the script does.
            Err(pskit::Error::NoSuchProcess { .. } | pskit::Error::ZombieProcess { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let disks_after = disks()?;

    // A stable sort: equal totals stay in pid order.
    procs.sort_by_key(|p| std::cmp::Reverse(p.read + p.write));
    let disks_read = i128::from(disks_after.read_bytes) - i128::from(disks_before.read_bytes);
    let disks_write = i128::from(disks_after.write_bytes) - i128::from(disks_before.write_bytes);
    Ok(Some((procs, disks_read, disks_write)))
}

/// psutil's `disk_io_counters()`: all disks summed.
fn disks() -> Result<pskit::DiskIoCounters, Box<dyn Error>> {
    Ok(pskit::disk_io_counters(true)?.ok_or("no disk found")?)
}

/// Prints the results on the window, as the script's refresh_window().
fn refresh_window(
    win: &mut Window,
    procs: &[ProcIo],
    disks_read: i128,
    disks_write: i128,
) -> Result<(), CursesError> {
    let row = |pid: &str, user: &str, read: &str, write: &str, command: &str| {
        format!("{pid:<5} {user:<7} {read:>11} {write:>11}  {command}")
    };
    win.erase();
    win.printl(
        &format!(
            "Total DISK READ: {} | Total DISK WRITE: {}",
            pskit::bytes2human(disks_read),
            pskit::bytes2human(disks_write),
        ),
        false,
    )?;
    win.printl(
        &row("PID", "USER", "DISK READ", "DISK WRITE", "COMMAND"),
        true,
    )?;
    for p in procs {
        let user: String = p.username.chars().take(7).collect();
        let line = row(
            &p.pid.to_string(),
            &user,
            &pskit::bytes2human(p.read),
            &pskit::bytes2human(p.write),
            &p.cmdline,
        );
        // The end of the screen ends the list.
        if win.printl(&line, false).is_err() {
            break;
        }
    }
    Ok(())
}
