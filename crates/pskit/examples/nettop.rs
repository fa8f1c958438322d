//! Real-time network statistics: the bytes and packets each network interface
//! sent and received, in total and over the last half second, busiest interface
//! first. A port of psutil's `scripts/nettop.py`.
//!
//! ```text
//! $ cargo run --example nettop
//! total bytes:           sent: 1.5G         received: 4.8G
//!
//! wlan0                     TOTAL         PER-SEC
//! bytes-sent                 1.3G        0.0B/s
//! bytes-recv                 3.5G        0.0B/s
//! pkts-sent               7221782               0
//! pkts-recv               6753724               0
//! ```
//!
//! The screen refreshes every 0.5 s; `q` or Ctrl-C quits. As in the script, the
//! "per-sec" figures are the growth over the 0.5 s between two reads, and a
//! screen too small for every interface ends the program with curses' error.

#[path = "support/curses.rs"]
mod curses;

use std::error::Error;
use std::process::ExitCode;
use std::time::Duration;

use curses::{quit_requested, CursesError, Window};
use pskit::{IndexMap, NetIoCounters};
use ratatui::DefaultTerminal;

fn main() -> ExitCode {
    let mut terminal = match ratatui::try_init() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("nettop: cannot set up the terminal: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = run(&mut terminal);
    // Like the script's tear_down(), whatever happened.
    let restored = ratatui::try_restore();
    match result.and(restored.map_err(Into::into)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("nettop: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The script's main(): read, wait, read again, show; every 0.5 s but the first.
fn run(terminal: &mut DefaultTerminal) -> Result<(), Box<dyn Error>> {
    let mut win = Window::new(terminal.size()?.into());
    let mut interval = Duration::ZERO;
    loop {
        // poll(): the counters before and after the interval.
        let pnic_before = pskit::net_io_counters_pernic(true)?;
        if quit_requested(interval, true)? {
            return Ok(());
        }
        let tot_after = total()?;
        let pnic_after = pskit::net_io_counters_pernic(true)?;

        win.resize(terminal.size()?.into());
        refresh_window(&mut win, &tot_after, &pnic_before, &pnic_after)?;
        terminal.draw(|frame| frame.render_widget(&win, frame.area()))?;
        interval = Duration::from_millis(500);
    }
}

/// psutil's `net_io_counters()`: all interfaces summed.
fn total() -> Result<NetIoCounters, Box<dyn Error>> {
    Ok(pskit::net_io_counters(true)?.ok_or("no network interface found")?)
}

/// Prints the stats on the window, as the script's refresh_window().
fn refresh_window(
    win: &mut Window,
    tot_after: &NetIoCounters,
    pnic_before: &IndexMap<String, NetIoCounters>,
    pnic_after: &IndexMap<String, NetIoCounters>,
) -> Result<(), CursesError> {
    // totals
    win.printl(
        &format!(
            "total bytes:           sent: {:<10}   received: {}",
            pskit::bytes2human(tot_after.bytes_sent),
            pskit::bytes2human(tot_after.bytes_recv),
        ),
        false,
    )?;

    // Per-interface details, the interfaces that moved the most first: the
    // script sorts on the sum of all eight counters (a stable sort, so ties keep
    // the kernel's order).
    win.printl("", false)?;
    let mut nic_names: Vec<&String> = pnic_after.keys().collect();
    nic_names.sort_by_key(|name| std::cmp::Reverse(sum(&pnic_after[*name])));
    for name in nic_names {
        let after = &pnic_after[name];
        // An interface that appeared during the interval counts from zero.
        let before = pnic_before.get(name).copied().unwrap_or_default();
        let row = |a: &str, b: &str, c: &str| format!("{a:<15} {b:>15} {c:>15}");
        let per_sec = |after: u64, before: u64| {
            pskit::bytes2human(i128::from(after) - i128::from(before)) + "/s"
        };
        win.printl(&row(name, "TOTAL", "PER-SEC"), true)?;
        win.printl(
            &row(
                "bytes-sent",
                &pskit::bytes2human(after.bytes_sent),
                &per_sec(after.bytes_sent, before.bytes_sent),
            ),
            false,
        )?;
        win.printl(
            &row(
                "bytes-recv",
                &pskit::bytes2human(after.bytes_recv),
                &per_sec(after.bytes_recv, before.bytes_recv),
            ),
            false,
        )?;
        win.printl(
            &row(
                "pkts-sent",
                &after.packets_sent.to_string(),
                &(i128::from(after.packets_sent) - i128::from(before.packets_sent)).to_string(),
            ),
            false,
        )?;
        win.printl(
            &row(
                "pkts-recv",
                &after.packets_recv.to_string(),
                &(i128::from(after.packets_recv) - i128::from(before.packets_recv)).to_string(),
            ),
            false,
        )?;
        win.printl("", false)?;
    }
    win.lineno = 0;
    Ok(())
}

/// Python's `sum(nic)` over the eight fields of the named tuple.
fn sum(n: &NetIoCounters) -> u128 {
    [
        n.bytes_sent,
        n.bytes_recv,
        n.packets_sent,
        n.packets_recv,
        n.errin,
        n.errout,
        n.dropin,
        n.dropout,
    ]
    .iter()
    .map(|&v| u128::from(v))
    .sum()
}
