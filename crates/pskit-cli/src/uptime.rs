//! `pskit uptime`: like procps `uptime` (and `-p`, `-s`).

use std::process::ExitCode;

use chrono::{Local, TimeZone};
use serde::Serialize;

use crate::fmt::{print_json, uptime_text, CmdResult};

/// Arguments of `pskit uptime`.
#[derive(clap::Args)]
pub struct Args {
    /// Show uptime in pretty format ("up 2 days, 3 hours, 4 minutes").
    #[arg(short, long)]
    pretty: bool,
    /// Show the time the system has been up since, yyyy-mm-dd HH:MM:SS.
    #[arg(short, long)]
    since: bool,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct Uptime {
    boot_time: f64,
    uptime_seconds: f64,
    users: usize,
    getloadavg: (f64, f64, f64),
}

fn plural(n: u64, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// procps `uptime -p`: decades, years, weeks, days, hours, minutes; zero parts left
/// out, minutes shown when everything else is zero.
fn pretty(secs: u64) -> String {
    let mins = secs / 60;
    let parts = [
        (mins / (60 * 24 * 365 * 10), "decade"),
        ((mins / (60 * 24 * 365)) % 10, "year"),
        ((mins / (60 * 24 * 7)) % 52, "week"),
        ((mins / (60 * 24)) % 7, "day"),
        ((mins / 60) % 24, "hour"),
    ];
    let mut out: Vec<String> = parts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, w)| plural(*n, w))
        .collect();
    if mins % 60 > 0 || out.is_empty() {
        out.push(plural(mins % 60, "minute"));
    }
    format!("up {}", out.join(", "))
}

/// Runs `pskit uptime`.
pub fn run(args: Args) -> CmdResult {
    let boot = pskit::boot_time()?;
    let now = Local::now();
    // procps reads /proc/uptime (to the hundredth) rather than stat's btime,
    // a whole second.
    let up = crate::fmt::proc_uptime()?;
    let users = pskit::users()?.len();
    let load = pskit::getloadavg()?;
    if args.json {
        print_json(&Uptime {
            boot_time: boot,
            uptime_seconds: up,
            users,
            getloadavg: load,
        })?;
    } else if args.since {
        // procps: (now - uptime) rounded to the second.
        let since_secs = (now.timestamp_micros() as f64 / 1e6 - up + 0.5).floor() as i64;
        let since = Local
            .timestamp_opt(since_secs, 0)
            .single()
            .ok_or("boot time out of range")?;
        println!("{}", since.format("%Y-%m-%d %H:%M:%S"));
    } else if args.pretty {
        println!("{}", pretty(up as u64));
    } else {
        println!(
            " {} up {},  {} user{},  load average: {:.2}, {:.2}, {:.2}",
            now.format("%H:%M:%S"),
            uptime_text(up as u64),
            users,
            if users > 1 { "s" } else { "" },
            load.0,
            load.1,
            load.2
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::pretty;

    #[test]
    fn pretty_like_procps() {
        assert_eq!(pretty(30), "up 0 minutes");
        assert_eq!(pretty(6 * 60 + 5), "up 6 minutes");
        assert_eq!(pretty(3600), "up 1 hour");
        assert_eq!(
            pretty(9 * 86400 + 3 * 3600 + 60),
            "up 1 week, 2 days, 3 hours, 1 minute"
        );
    }
}
