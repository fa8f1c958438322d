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

/// procps 4.0.2's `uptime -p`. Each unit (decade, year of 365 days, week, day,
/// hour, minute) is taken off what is left of the uptime, only when what is
/// left is strictly more than one unit; a unit that came out 0 is left out,
/// except the minutes, shown also when they are 0 and under a minute is left.
/// So "up 1 hour, 0 minutes" at 1 h 0 min 30 s, "up 60 minutes" at exactly
/// 3600.0 s and "up " at exactly 60.0 s, as the real tool prints (checked
/// beside it on bind-mounted /proc/uptime values).
fn pretty(up: f64) -> String {
    const UNITS: [(f64, &str); 5] = [
        (315_360_000.0, "decade"),
        (31_536_000.0, "year"),
        (604_800.0, "week"),
        (86_400.0, "day"),
        (3_600.0, "hour"),
    ];
    let mut left = up;
    let mut parts = Vec::new();
    // procps truncates what is left to whole seconds before each division.
    let mut take = |unit: f64| -> i64 {
        if left > unit {
            let n = (left as i64) / unit as i64;
            left -= n as f64 * unit;
            n
        } else {
            0
        }
    };
    for (unit, word) in UNITS {
        let n = take(unit);
        if n > 0 {
            parts.push(format!("{n} {word}{}", if n > 1 { "s" } else { "" }));
        }
    }
    let minutes = take(60.0);
    if minutes != 0 || left < 60.0 {
        parts.push(plural(minutes as u64, "minute"));
    }
    format!("up {}", parts.join(", "))
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
        println!("{}", pretty(up));
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
        // What procps 4.0.2's `uptime -p` printed for these /proc/uptime values.
        let cases = [
            (30.5, "up 0 minutes"),
            (59.9, "up 0 minutes"),
            (60.0, "up "),
            (60.5, "up 1 minute"),
            (3599.0, "up 59 minutes"),
            (3600.0, "up 60 minutes"),
            (3600.5, "up 1 hour, 0 minutes"),
            (3659.0, "up 1 hour, 0 minutes"),
            (3660.5, "up 1 hour, 1 minute"),
            (64800.2, "up 18 hours, 0 minutes"),
            (86400.5, "up 1 day, 0 minutes"),
            (86460.5, "up 1 day, 1 minute"),
            (90000.5, "up 1 day, 1 hour, 0 minutes"),
            (604800.5, "up 1 week, 0 minutes"),
            (31449600.5, "up 52 weeks, 0 minutes"),
            (31536000.5, "up 1 year, 0 minutes"),
            (31622400.5, "up 1 year, 1 day, 0 minutes"),
            (315360000.5, "up 1 decade, 0 minutes"),
            (
                9.0 * 86400.0 + 3.0 * 3600.0 + 60.5,
                "up 1 week, 2 days, 3 hours, 1 minute",
            ),
        ];
        for (up, want) in cases {
            assert_eq!(pretty(up), want, "{up}");
        }
    }
}
