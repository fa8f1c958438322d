//! `pskit prlimit`: get and set process resource limits, like util-linux `prlimit`.

use std::process::ExitCode;

use pskit::process::RLIM_INFINITY;

use crate::fmt::{print_json, CmdResult};
use crate::kill::reason;

/// (option name, RLIMIT_* value, description, units) in util-linux's order.
const RESOURCES: &[(&str, i32, &str, &str)] = &[
    ("AS", 9, "address space limit", "bytes"),
    ("CORE", 4, "max core file size", "bytes"),
    ("CPU", 0, "CPU time", "seconds"),
    ("DATA", 2, "max data size", "bytes"),
    ("FSIZE", 1, "max file size", "bytes"),
    ("LOCKS", 10, "max number of file locks held", "locks"),
    ("MEMLOCK", 8, "max locked-in-memory address space", "bytes"),
    ("MSGQUEUE", 12, "max bytes in POSIX mqueues", "bytes"),
    ("NICE", 13, "max nice prio allowed to raise", ""),
    ("NOFILE", 7, "max number of open files", "files"),
    ("NPROC", 6, "max number of processes", "processes"),
    ("RSS", 5, "max resident set size", "bytes"),
    ("RTPRIO", 14, "max real-time priority", ""),
    ("RTTIME", 15, "timeout for real-time tasks", "microsecs"),
    ("SIGPENDING", 11, "max number of pending signals", "signals"),
    ("STACK", 3, "max stack size", "bytes"),
];

/// Arguments of `pskit prlimit`.
#[derive(clap::Args)]
pub struct Args {
    /// The process to act on (default: the command, or pskit itself).
    #[arg(short = 'p', long = "pid")]
    pid: Option<u32>,
    /// Address space limit (`SOFT:HARD`, `SOFT:`, `:HARD`, `VALUE`, `unlimited`).
    #[arg(long = "as", value_name = "LIMITS")]
    r#as: Option<String>,
    /// Core file size.
    #[arg(long, value_name = "LIMITS")]
    core: Option<String>,
    /// CPU time in seconds.
    #[arg(long, value_name = "LIMITS")]
    cpu: Option<String>,
    /// Data segment size.
    #[arg(long, value_name = "LIMITS")]
    data: Option<String>,
    /// File size.
    #[arg(long, value_name = "LIMITS")]
    fsize: Option<String>,
    /// Number of file locks.
    #[arg(long, value_name = "LIMITS")]
    locks: Option<String>,
    /// Locked memory.
    #[arg(long, value_name = "LIMITS")]
    memlock: Option<String>,
    /// POSIX message queue bytes.
    #[arg(long, value_name = "LIMITS")]
    msgqueue: Option<String>,
    /// Nice ceiling.
    #[arg(long, value_name = "LIMITS")]
    nice: Option<String>,
    /// Open files.
    #[arg(long, value_name = "LIMITS")]
    nofile: Option<String>,
    /// Processes.
    #[arg(long, value_name = "LIMITS")]
    nproc: Option<String>,
    /// Resident set size.
    #[arg(long, value_name = "LIMITS")]
    rss: Option<String>,
    /// Real-time priority.
    #[arg(long, value_name = "LIMITS")]
    rtprio: Option<String>,
    /// Real-time timeout in microseconds.
    #[arg(long, value_name = "LIMITS")]
    rttime: Option<String>,
    /// Pending signals.
    #[arg(long, value_name = "LIMITS")]
    sigpending: Option<String>,
    /// Stack size.
    #[arg(long, value_name = "LIMITS")]
    stack: Option<String>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// A command to run with the limits.
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "COMMAND"
    )]
    command: Vec<String>,
}

impl Args {
    fn requested(&self) -> Vec<(&'static str, &str)> {
        let all: [(&'static str, &Option<String>); 16] = [
            ("AS", &self.r#as),
            ("CORE", &self.core),
            ("CPU", &self.cpu),
            ("DATA", &self.data),
            ("FSIZE", &self.fsize),
            ("LOCKS", &self.locks),
            ("MEMLOCK", &self.memlock),
            ("MSGQUEUE", &self.msgqueue),
            ("NICE", &self.nice),
            ("NOFILE", &self.nofile),
            ("NPROC", &self.nproc),
            ("RSS", &self.rss),
            ("RTPRIO", &self.rtprio),
            ("RTTIME", &self.rttime),
            ("SIGPENDING", &self.sigpending),
            ("STACK", &self.stack),
        ];
        all.iter()
            .filter_map(|(n, v)| v.as_deref().map(|v| (*n, v)))
            .collect()
    }
}

fn show(v: i64) -> String {
    if v == RLIM_INFINITY {
        "unlimited".into()
    } else {
        v.to_string()
    }
}

#[derive(serde::Serialize)]
struct Row {
    resource: &'static str,
    description: &'static str,
    soft: i64,
    hard: i64,
    units: &'static str,
}

fn usage(msg: &str) -> CmdResult {
    eprintln!("pskit prlimit: {msg}");
    Ok(ExitCode::from(2))
}

/// Runs `pskit prlimit`.
pub fn run(args: Args) -> CmdResult {
    if args.pid.is_some() && !args.command.is_empty() {
        return usage("--pid and COMMAND are mutually exclusive");
    }
    let pid = args.pid.unwrap_or_else(std::process::id);
    let p = match pskit::Process::new(pid) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("pskit prlimit: {pid}: {}", reason(&e));
            return Ok(ExitCode::FAILURE);
        }
    };
    let requested = args.requested();
    for (name, spec) in &requested {
        let &(_, res, _, _) = RESOURCES
            .iter()
            .find(|r| r.0 == *name)
            .expect("known resource");
        let current = p.rlimit(res)?;
        let Some(limits) = crate::num::parse_limits(spec, current) else {
            return usage(&format!(
                "failed to parse {} limit: '{spec}'",
                name.to_lowercase()
            ));
        };
        if let Err(e) = p.set_rlimit(res, limits) {
            eprintln!("pskit prlimit: failed to set the {name} resource limit: {e}");
            return Ok(ExitCode::FAILURE);
        }
    }
    if !args.command.is_empty() {
        return Ok(crate::fmt::exec("prlimit", &args.command));
    }
    // Show the requested resources, or all of them, as util-linux does.
    let mut rows = Vec::new();
    for &(name, res, description, units) in RESOURCES {
        if !requested.is_empty() && !requested.iter().any(|(n, _)| *n == name) {
            continue;
        }
        let (soft, hard) = match p.rlimit(res) {
            Ok(v) => v,
            Err(e) => {
                eprintln!("pskit prlimit: {pid}: {}", reason(&e));
                return Ok(ExitCode::FAILURE);
            }
        };
        rows.push(Row {
            resource: name,
            description,
            soft,
            hard,
            units,
        });
    }
    if args.json {
        print_json(&rows)?;
    } else {
        println!(
            "{:<10} {:<35} {:>9} {:>9} UNITS",
            "RESOURCE", "DESCRIPTION", "SOFT", "HARD"
        );
        for r in &rows {
            println!(
                "{:<10} {:<35} {:>9} {:>9} {}",
                r.resource,
                r.description,
                show(r.soft),
                show(r.hard),
                r.units
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    #[test]
    fn limit_forms() {
        assert_eq!(crate::num::parse_limits("10:20", (1, 2)), Some((10, 20)));
        assert_eq!(crate::num::parse_limits("10:", (1, 2)), Some((10, 2)));
        assert_eq!(crate::num::parse_limits(":20", (1, 2)), Some((1, 20)));
        assert_eq!(crate::num::parse_limits("5", (1, 2)), Some((5, 5)));
        assert_eq!(
            crate::num::parse_limits("unlimited", (1, 2)),
            Some((-1, -1))
        );
        assert_eq!(crate::num::parse_limits("x", (1, 2)), None);
        assert_eq!(crate::num::parse_limits(":", (1, 2)), None);
        assert_eq!(crate::num::parse_limits("-5", (1, 2)), None);
    }
}
