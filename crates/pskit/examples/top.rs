//! A clone of top / htop: per-CPU, memory and swap bars, the process count by
//! status, the load average and uptime, then every process sorted by CPU use.
//! A port of psutil's `scripts/top.py`.
//!
//! ```text
//! $ cargo run --example top
//!  CPU0  [||||                                    ]  10.9%
//!  CPU1  [|||||                                   ]  13.1%
//!  Mem   [|||||||||||||||||||||||||||||           ]  73.0%  10.8G / 15.6G
//!  Swap  [                                        ]   1.3% 276.0M / 20.0G
//!  Processes: 347 (sleeping=273, running=1, idle=73)
//!  Load average: 1.10 1.28 1.34  Uptime: 8 days, 21:15:40
//!
//! PID    USER       NI   VIRT    RES  CPU%  MEM%     TIME+  NAME
//! 5368   giampaol    0   7.2G   4.3G  41.8  27.7  56:34.18  VirtualBox
//! 24976  giampaol    0   2.1G 487.2M  18.7   3.1   22:05.1  Web Content
//! ```
//!
//! The bars are green up to 30 %, yellow up to 80 %, red above. The screen
//! refreshes every second; `q` or Ctrl-C quits. The CPU% of a process is
//! measured between two refreshes, so the first screen shows 0.0 for all.
//!
//! Its quirks are the script's: TIME+ is the minutes and seconds of
//! `sum(cpu_times())` (user, system, children and iowait) with the first two
//! digits of the microseconds, and the list stops at the bottom of the screen.
//! When the list does not reach the bottom, the next screen starts where this
//! one ended (the script resets its line counter only on curses' error), and a
//! screen too small for the header ends the program with that error.

#[path = "support/curses.rs"]
mod curses;

use std::cmp::Ordering;
use std::error::Error;
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use curses::{quit_requested, Window};
use pskit::process::{MemoryInfo, ProcessCpuTimes};
use pskit::IndexMap;
use ratatui::style::{Color, Modifier, Style};
use ratatui::DefaultTerminal;

fn main() -> ExitCode {
    let mut terminal = match ratatui::try_init() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("top: cannot set up the terminal: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = run(&mut terminal);
    // Like the script's tear_down(), whatever happened.
    let restored = ratatui::try_restore();
    match result.and(restored.map_err(Into::into)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("top: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The script's main(): wait `interval` (0 the first time, then 1 s), read, show.
fn run(terminal: &mut DefaultTerminal) -> Result<(), Box<dyn Error>> {
    let mut win = Window::new(terminal.size()?.into());
    let mut interval = Duration::ZERO;
    loop {
        if quit_requested(interval, true)? {
            return Ok(());
        }
        let (procs, procs_status) = poll()?;
        win.resize(terminal.size()?.into());
        refresh_window(&mut win, &procs, &procs_status)?;
        terminal.draw(|frame| frame.render_widget(&win, frame.area()))?;
        interval = Duration::from_secs(1);
    }
}

/// What the script's `p.as_dict([...])` keeps of a process: `None` where
/// psutil would put the `ad_value` (access denied, zombie).
struct ProcRow {
    pid: u32,
    username: Option<String>,
    nice: Option<i32>,
    memory_info: Option<MemoryInfo>,
    memory_percent: Option<f64>,
    cpu_percent: Option<f64>,
    cpu_times: Option<ProcessCpuTimes>,
    name: Option<String>,
}

/// Every process, sorted by CPU use (most first), and the number of processes
/// in each status, in the order the statuses were first seen.
fn poll() -> pskit::Result<(Vec<ProcRow>, IndexMap<String, usize>)> {
    let mut procs = Vec::new();
    let mut procs_status: IndexMap<String, usize> = IndexMap::new();
    // The same handles every time, so cpu_percent(None) measures since the last
    // refresh (psutil's process_iter() cache).
    for p in pskit::process::processes()? {
        let row = p.oneshot(|p| -> pskit::Result<(ProcRow, Option<String>)> {
            let row = ProcRow {
                pid: p.pid(),
                username: ad_value(p.username())?,
                nice: ad_value(p.nice())?,
                memory_info: ad_value(p.memory_info())?,
                memory_percent: ad_value(p.memory_percent("rss"))?,
                cpu_percent: ad_value(p.cpu_percent(None))?,
                cpu_times: ad_value(p.cpu_times())?,
                name: ad_value(p.name())?,
            };
            let status = ad_value(p.status())?.map(|s| s.to_string());
            Ok((row, status))
        });
        match row {
            Ok((row, status)) => {
                *procs_status
                    .entry(status.unwrap_or_else(|| "None".into()))
                    .or_default() += 1;
                procs.push(row);
            }
            // Gone meanwhile: left out.
            Err(_) => continue,
        }
    }
    // A stable sort, so equal CPU use keeps pid order.
    procs.sort_by(|a, b| {
        let cpu = |p: &ProcRow| p.cpu_percent.unwrap_or(0.0);
        cpu(b).partial_cmp(&cpu(a)).unwrap_or(Ordering::Equal)
    });
    Ok((procs, procs_status))
}

/// `as_dict()`'s error handling: a process that is gone is an error, a value
/// that cannot be read (or any other failure on one field) is `None`.
fn ad_value<T>(r: pskit::Result<T>) -> pskit::Result<Option<T>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(e @ pskit::Error::NoSuchProcess { .. }) => Err(e),
        Err(_) => Ok(None),
    }
}

/// The bar's colour, as the script's get_color(): curses' colour pairs 3, 4 and
/// 10, that is green, yellow and bright red on the default background.
/// The scripts' printl() colours: `color`, in bold when `bold`.
fn style(color: Option<Color>, bold: bool) -> Style {
    let style = color.map_or(Style::new(), |c| Style::new().fg(c));
    if bold {
        style.add_modifier(Modifier::BOLD)
    } else {
        style
    }
}

fn get_color(perc: f64) -> Color {
    if perc <= 30.0 {
        Color::Green
    } else if perc <= 80.0 {
        Color::Yellow
    } else {
        Color::LightRed
    }
}

/// A 40-character bar: `|` per 2.5 %, then blanks.
fn get_dashes(perc: f64) -> (String, String) {
    let n = (perc / 10.0 * 4.0) as usize;
    ("|".repeat(n), " ".repeat(40usize.saturating_sub(n)))
}

/// System-wide figures, above the process list (the script's print_header()).
fn print_header(
    win: &mut Window,
    procs_status: &IndexMap<String, usize>,
    num_procs: usize,
) -> Result<(), Box<dyn Error>> {
    // cpu usage; psutil's percentages are rounded to one decimal, which
    // `{:.1}` prints as Python's str() does.
    let percs = pskit::cpu_percent_percpu(Some(0.0))?;
    for (cpu_num, perc) in percs.into_iter().enumerate() {
        let (dashes, empty_dashes) = get_dashes(perc);
        let line = format!(
            " CPU{:<2} [{dashes}{empty_dashes}] {:>5}%",
            cpu_num,
            format!("{perc:.1}")
        );
        win.printl_styled(&line, style(Some(get_color(perc)), false), false)?;
    }

    // memory usage
    let mem = pskit::virtual_memory()?;
    let (dashes, empty_dashes) = get_dashes(mem.percent);
    let line = format!(
        " Mem   [{dashes}{empty_dashes}] {:>5}% {:>6} / {}",
        format!("{:.1}", mem.percent),
        pskit::bytes2human(mem.used),
        pskit::bytes2human(mem.total),
    );
    win.printl_styled(&line, style(Some(get_color(mem.percent)), false), false)?;

    // swap usage
    let swap = pskit::swap_memory()?;
    let (dashes, empty_dashes) = get_dashes(swap.percent);
    let line = format!(
        " Swap  [{dashes}{empty_dashes}] {:>5}% {:>6} / {}",
        format!("{:.1}", swap.percent),
        pskit::bytes2human(swap.used),
        pskit::bytes2human(swap.total),
    );
    win.printl_styled(&line, style(Some(get_color(swap.percent)), false), false)?;

    // processes number and status: running and sleeping first (a stable sort),
    // the rest in the order they were seen.
    let mut st: Vec<String> = procs_status
        .iter()
        .filter(|(_, &n)| n > 0)
        .map(|(status, n)| format!("{status}={n}"))
        .collect();
    st.sort_by_key(|s| !(s.starts_with("run") || s.starts_with("sle")));
    win.printl_styled(
        &format!(" Processes: {num_procs} ({})", st.join(", ")),
        style(None, false),
        false,
    )?;

    // load average, uptime
    let (av1, av2, av3) = pskit::getloadavg()?;
    let line = format!(
        " Load average: {av1:.2} {av2:.2} {av3:.2}  Uptime: {}",
        uptime(pskit::boot_time()?)
    );
    win.printl_styled(&line, style(None, false), false)?;
    Ok(())
}

/// `str(datetime.now() - datetime.fromtimestamp(boot_time)).split('.')[0]`:
/// "21:15:40", "1 day, 0:05:03", "8 days, 21:15:40".
fn uptime(boot_time: f64) -> String {
    let now_us = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as i64);
    // fromtimestamp() rounds the fraction to microseconds, half to even.
    let boot_us =
        boot_time.trunc() as i64 * 1_000_000 + (boot_time.fract() * 1e6).round_ties_even() as i64;
    let secs = (now_us - boot_us).div_euclid(1_000_000);
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let hms = format!("{}:{:02}:{:02}", rest / 3600, rest / 60 % 60, rest % 60);
    match days {
        0 => hms,
        1 | -1 => format!("{days} day, {hms}"),
        _ => format!("{days} days, {hms}"),
    }
}

/// The TIME+ column, as the script computes it: the minutes (modulo 60) and
/// seconds of `timedelta(seconds=sum(cpu_times))`, then the first two digits of
/// its microseconds ("56:34.18"; "0:00.0" for none).
fn time_plus(t: &ProcessCpuTimes) -> String {
    let total = t.user + t.system + t.children_user + t.children_system + t.iowait;
    // timedelta() keeps whole microseconds, rounding the fraction half to even.
    let us = total.trunc() as i64 * 1_000_000 + (total.fract() * 1e6).round_ties_even() as i64;
    let (secs, micros) = (us.div_euclid(1_000_000), us.rem_euclid(1_000_000));
    let day_secs = secs.rem_euclid(86_400);
    let micros: String = micros.to_string().chars().take(2).collect();
    format!("{}:{:02}.{micros}", day_secs / 60 % 60, day_secs % 60)
}

/// Prints the results on the window, as the script's refresh_window().
fn refresh_window(
    win: &mut Window,
    procs: &[ProcRow],
    procs_status: &IndexMap<String, usize>,
) -> Result<(), Box<dyn Error>> {
    let row = |cols: [&str; 9]| {
        let [pid, user, ni, virt, res, cpu, mem, time, name] = cols;
        format!(
            "{pid:<6} {user:<8} {ni:>4} {virt:>6} {res:>6} {cpu:>5} {mem:>5} {time:>9}  {name:>2}"
        )
    };
    win.erase();
    let header = row([
        "PID", "USER", "NI", "VIRT", "RES", "CPU%", "MEM%", "TIME+", "NAME",
    ]);
    print_header(win, procs_status, procs.len())?;
    win.printl_styled("", style(None, false), false)?;
    win.printl_styled(&header, style(None, true), true)?;
    for p in procs {
        let username: String = p.username.iter().flat_map(|u| u.chars()).take(8).collect();
        let line = row([
            &p.pid.to_string(),
            &username,
            &p.nice.map(|n| n.to_string()).unwrap_or_default(),
            &pskit::bytes2human(p.memory_info.as_ref().map_or(0, |m| m.vms)),
            &pskit::bytes2human(p.memory_info.as_ref().map_or(0, |m| m.rss)),
            &p.cpu_percent.map(|c| format!("{c:.1}")).unwrap_or_default(),
            &p.memory_percent
                .map(|m| format!("{m:.1}"))
                .unwrap_or_default(),
            &p.cpu_times.as_ref().map(time_plus).unwrap_or_default(),
            p.name.as_deref().unwrap_or(""),
        ]);
        // The end of the screen ends the list.
        if win.printl_styled(&line, style(None, false), false).is_err() {
            break;
        }
    }
    Ok(())
}
