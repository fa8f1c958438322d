//! `pskit prlimit`: get and set process resource limits, like util-linux
//! `prlimit`: `--nofile` alone shows that line, `--nofile=SOFT:HARD` sets it
//! (and prints nothing), `-p PID`, `-o COLUMNS`, `--noheadings`, `--raw`,
//! `--verbose`, or `prlimit [options] COMMAND` to run a command with the limits.
//! Failures keep the OS's reason, as util-linux prints them.

use std::process::ExitCode;

use pskit::process::RLIM_INFINITY;

use crate::fmt::{print_json, CmdResult};
use crate::proc_common::{os_reason, outln};

/// (name, short option, long option, RLIMIT_* value, description, units) in
/// util-linux's order.
const RESOURCES: &[(&str, char, &str, i32, &str, &str)] = &[
    ("AS", 'v', "as", 9, "address space limit", "bytes"),
    ("CORE", 'c', "core", 4, "max core file size", "bytes"),
    ("CPU", 't', "cpu", 0, "CPU time", "seconds"),
    ("DATA", 'd', "data", 2, "max data size", "bytes"),
    ("FSIZE", 'f', "fsize", 1, "max file size", "bytes"),
    (
        "LOCKS",
        'x',
        "locks",
        10,
        "max number of file locks held",
        "locks",
    ),
    (
        "MEMLOCK",
        'l',
        "memlock",
        8,
        "max locked-in-memory address space",
        "bytes",
    ),
    (
        "MSGQUEUE",
        'q',
        "msgqueue",
        12,
        "max bytes in POSIX mqueues",
        "bytes",
    ),
    (
        "NICE",
        'e',
        "nice",
        13,
        "max nice prio allowed to raise",
        "",
    ),
    (
        "NOFILE",
        'n',
        "nofile",
        7,
        "max number of open files",
        "files",
    ),
    (
        "NPROC",
        'u',
        "nproc",
        6,
        "max number of processes",
        "processes",
    ),
    ("RSS", 'm', "rss", 5, "max resident set size", "bytes"),
    ("RTPRIO", 'r', "rtprio", 14, "max real-time priority", ""),
    (
        "RTTIME",
        'y',
        "rttime",
        15,
        "timeout for real-time tasks",
        "microsecs",
    ),
    (
        "SIGPENDING",
        'i',
        "sigpending",
        11,
        "max number of pending signals",
        "signals",
    ),
    ("STACK", 's', "stack", 3, "max stack size", "bytes"),
];

const COLUMNS: [&str; 5] = ["DESCRIPTION", "RESOURCE", "SOFT", "HARD", "UNITS"];
const DEFAULT_COLUMNS: [&str; 5] = ["RESOURCE", "DESCRIPTION", "SOFT", "HARD", "UNITS"];

/// Arguments of `pskit prlimit` (read by hand: util-linux's resource options take
/// optional attached values, and options stop at the command).
#[derive(clap::Args)]
#[command(disable_help_flag = true)]
pub struct Args {
    /// `[-p PID] [-o COLS] [--noheadings] [--raw] [--verbose] [--json]
    /// [--RESOURCE[=LIMITS]]... [COMMAND [ARG...]]`
    #[arg(
        num_args = 0..,
        allow_hyphen_values = true,
        trailing_var_arg = true,
        value_name = "ARGS"
    )]
    args: Vec<String>,
}

const USAGE: &str = "
Usage:
 prlimit [options] [--<resource>=<limit>] [-p PID]
 prlimit [options] [--<resource>=<limit>] COMMAND

Show or change the resource limits of a process.

Options:
 -p, --pid <pid>        process id
 -o, --output <list>    define which output columns to use
     --noheadings       don't print headings
     --raw              use the raw output format
     --verbose          verbose output
     --json             print the limits as JSON

Resources:
 -c, --core  -d, --data  -e, --nice  -f, --fsize  -i, --sigpending
 -l, --memlock  -m, --rss  -n, --nofile  -q, --msgqueue  -r, --rtprio
 -s, --stack  -t, --cpu  -u, --nproc  -v, --as  -x, --locks  -y, --rttime

<limit> is soft:hard, soft:, :hard or one value for both (unlimited, infinity
or -1 for no limit).
";

#[derive(Debug, Default)]
struct Opts {
    pid: Option<String>,
    columns: Option<String>,
    noheadings: bool,
    raw: bool,
    verbose: bool,
    json: bool,
    help: bool,
    /// (index into RESOURCES, new limits as typed) in command-line order.
    limits: Vec<(usize, Option<String>)>,
    command: Vec<String>,
}

fn parse(args: &[String]) -> Result<Opts, String> {
    let mut o = Opts::default();
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        let next = |i: &mut usize, opt: &str| -> Result<String, String> {
            *i += 1;
            args.get(*i)
                .cloned()
                .ok_or_else(|| format!("option requires an argument -- '{opt}'"))
        };
        if a == "--" {
            i += 1;
            break;
        }
        if !a.starts_with('-') || a == "-" {
            break;
        }
        if let Some(long) = a.strip_prefix("--") {
            let (key, val) = match long.split_once('=') {
                Some((k, v)) => (k, Some(v.to_string())),
                None => (long, None),
            };
            match key {
                "pid" => o.pid = Some(val.map_or_else(|| next(&mut i, "pid"), Ok)?),
                "output" => o.columns = Some(val.map_or_else(|| next(&mut i, "output"), Ok)?),
                "noheadings" => o.noheadings = true,
                "raw" => o.raw = true,
                "verbose" => o.verbose = true,
                "json" => o.json = true,
                "help" => o.help = true,
                _ => match RESOURCES.iter().position(|r| r.2 == key) {
                    Some(r) => o.limits.push((r, val)),
                    None => return Err(format!("unrecognized option '{a}'")),
                },
            }
        } else {
            let flags = &a[1..];
            let c = flags.chars().next().unwrap_or('-');
            let rest = &flags[c.len_utf8()..];
            match c {
                'p' | 'o' => {
                    let v = if rest.is_empty() {
                        next(&mut i, &c.to_string())?
                    } else {
                        rest.to_string()
                    };
                    if c == 'p' {
                        o.pid = Some(v);
                    } else {
                        o.columns = Some(v);
                    }
                }
                'h' => o.help = true,
                _ => match RESOURCES.iter().position(|r| r.1 == c) {
                    // `-n`, `-n1024`, `-n=1024`.
                    Some(r) => o.limits.push((
                        r,
                        (!rest.is_empty()).then(|| rest.trim_start_matches('=').to_string()),
                    )),
                    None => return Err(format!("invalid option -- '{c}'")),
                },
            }
        }
        i += 1;
    }
    o.command = args[i.min(args.len())..].to_vec();
    Ok(o)
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

impl Row {
    fn cell(&self, column: &str) -> String {
        match column {
            "RESOURCE" => self.resource.into(),
            "DESCRIPTION" => self.description.into(),
            "SOFT" => show(self.soft),
            "HARD" => show(self.hard),
            _ => self.units.into(),
        }
    }
}

/// libsmartcols's raw format: whitespace, backslashes and control bytes as \xHH.
fn raw_escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_whitespace() || c.is_control() || c == '\\' {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("\\x{b:02x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The table as libsmartcols prints it: columns as wide as their widest cell,
/// SOFT and HARD on the right, one space between, the last column unpadded.
fn table(columns: &[&str], rows: &[Row], headings: bool, raw: bool) -> Vec<String> {
    // The headings count for the widths even when they are not printed.
    let mut lines: Vec<Vec<String>> = vec![columns.iter().map(|c| c.to_string()).collect()];
    for r in rows {
        lines.push(columns.iter().map(|c| r.cell(c)).collect());
    }
    let skip = usize::from(!headings);
    if raw {
        return lines
            .iter()
            .skip(skip)
            .map(|l| {
                l.iter()
                    .map(|c| raw_escape(c))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
    }
    let widths: Vec<usize> = (0..columns.len())
        .map(|i| {
            lines
                .iter()
                .map(|l| l[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    lines
        .iter()
        .skip(skip)
        .map(|l| {
            let mut cells = Vec::new();
            for (i, cell) in l.iter().enumerate() {
                let w = widths[i];
                let right = matches!(columns[i], "SOFT" | "HARD");
                cells.push(if right {
                    format!("{cell:>w$}")
                } else if i + 1 == l.len() {
                    cell.clone()
                } else {
                    format!("{cell:<w$}")
                });
            }
            cells.join(" ")
        })
        .collect()
}

fn fail(msg: &str) -> CmdResult {
    eprintln!("{}: {msg}", crate::fmt::prog("prlimit"));
    Ok(ExitCode::FAILURE)
}

/// execvp(command), with util-linux's message and statuses (127 not found, else 126).
fn exec(command: &[String]) -> ExitCode {
    use std::os::unix::process::CommandExt;
    let err = std::process::Command::new(&command[0])
        .args(&command[1..])
        .exec();
    eprintln!(
        "{}: failed to execute {}: {}",
        crate::fmt::prog("prlimit"),
        command[0],
        crate::proc_common::strerror(err.raw_os_error().unwrap_or(libc::ENOENT))
    );
    ExitCode::from(if err.kind() == std::io::ErrorKind::NotFound {
        127
    } else {
        126
    })
}

/// Runs `pskit prlimit`.
pub fn run(args: Args) -> CmdResult {
    let raw = crate::proc_common::raw_args_after("prlimit");
    let words = if raw.len() >= args.args.len() {
        raw
    } else {
        args.args
    };
    let o = match parse(&words) {
        Ok(o) => o,
        Err(m) => {
            eprintln!("{}: {m}", crate::fmt::prog("prlimit"));
            eprintln!("Try 'pskit prlimit --help' for more information.");
            return Ok(ExitCode::FAILURE);
        }
    };
    if o.help {
        print!("{USAGE}");
        return Ok(ExitCode::SUCCESS);
    }
    let columns: Vec<&str> = match &o.columns {
        None => DEFAULT_COLUMNS.to_vec(),
        Some(list) => {
            let mut v = Vec::new();
            for name in list.split(',') {
                match COLUMNS.iter().find(|c| c.eq_ignore_ascii_case(name)) {
                    Some(c) => v.push(*c),
                    None => return fail(&format!("unknown column: {name}")),
                }
            }
            v
        }
    };
    if o.pid.is_some() && !o.command.is_empty() {
        return fail("options --pid and COMMAND are mutually exclusive");
    }
    // util-linux reads the pid as a pid_t: 0 is prlimit itself, a negative one
    // is no process.
    let pid: i64 = match &o.pid {
        None => 0,
        Some(p) => match p.parse::<i32>() {
            Ok(n) => i64::from(n),
            Err(_) => return fail(&format!("invalid PID argument: '{p}'")),
        },
    };
    let first = o.limits.first().map_or("AS", |(r, _)| RESOURCES[*r].0);
    let process = match u32::try_from(pid) {
        Ok(0) => pskit::Process::current(),
        Ok(p) => pskit::Process::new(p),
        Err(_) => Err(pskit::Error::NoSuchProcess {
            pid: 0,
            name: None,
            msg: String::new(),
        }),
    };
    let p = match process {
        Ok(p) => p,
        Err(e) => {
            return fail(&format!(
                "failed to get the {first} resource limit: {}",
                os_reason(&e)
            ))
        }
    };
    let shown_pid = if pid == 0 { p.pid() } else { pid as u32 };
    // Set what has a value, in command-line order; what has none is shown.
    let mut show_list = Vec::new();
    for (r, spec) in &o.limits {
        let (name, _, _, res, _, _) = RESOURCES[*r];
        let Some(spec) = spec else {
            show_list.push(*r);
            continue;
        };
        // util-linux reads the current limits only for `SOFT:` and `:HARD`.
        let partial = spec.starts_with(':') || spec.ends_with(':');
        let current = match if partial { p.rlimit(res) } else { Ok((0, 0)) } {
            Ok(c) => c,
            Err(e) => {
                return fail(&format!(
                    "failed to get the {name} resource limit: {}",
                    os_reason(&e)
                ))
            }
        };
        let Some((soft, hard)) = crate::num::parse_limits(spec, current) else {
            return fail(&format!("failed to parse {name} limit"));
        };
        let as_u = |v: i64| {
            if v == RLIM_INFINITY {
                u64::MAX
            } else {
                v as u64
            }
        };
        if as_u(soft) > as_u(hard) {
            return fail(&format!(
                "the soft limit {name} cannot exceed the hard limit"
            ));
        }
        if let Err(e) = p.set_rlimit(res, (soft, hard)) {
            return fail(&format!(
                "failed to set the {name} resource limit: {}",
                os_reason(&e)
            ));
        }
        if o.verbose {
            outln!(
                "New {name} limit for pid {shown_pid}: <{}:{}>",
                show(soft),
                show(hard)
            );
        }
    }
    // util-linux shows what was asked (everything when no resource was named).
    if o.limits.is_empty() {
        show_list = (0..RESOURCES.len()).collect();
    }
    let mut rows = Vec::new();
    for r in show_list.iter().copied() {
        let (resource, _, _, res, description, units) = RESOURCES[r];
        let (soft, hard) = match p.rlimit(res) {
            Ok(v) => v,
            Err(e) => {
                return fail(&format!(
                    "failed to get the {resource} resource limit: {}",
                    os_reason(&e)
                ))
            }
        };
        rows.push(Row {
            resource,
            description,
            soft,
            hard,
            units,
        });
    }
    let lines = if show_list.is_empty() {
        Vec::new()
    } else {
        table(&columns, &rows, !o.noheadings, o.raw)
    };
    if !o.command.is_empty() {
        // util-linux's table sits in stdio's buffer when it execs: a command
        // that starts loses it; one that cannot start sees it after the error.
        let code = exec(&o.command);
        for line in lines {
            outln!("{line}");
        }
        return Ok(code);
    }
    if o.json {
        print_json(&rows)?;
    } else {
        for line in lines {
            outln!("{line}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

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

    #[test]
    fn options_stop_at_the_command() {
        let o = parse(&s(&["-n", "--core=1", "-n5", "sh", "-c", "x"])).unwrap();
        assert_eq!(
            o.limits,
            vec![(9, None), (1, Some("1".into())), (9, Some("5".into()))]
        );
        assert_eq!(o.command, s(&["sh", "-c", "x"]));
        let o = parse(&s(&["--pid", "7", "-o", "soft", "--noheadings", "--raw"])).unwrap();
        assert_eq!(
            (o.pid.as_deref(), o.columns.as_deref()),
            (Some("7"), Some("soft"))
        );
        assert!(o.noheadings && o.raw);
        assert!(parse(&s(&["-Z"])).is_err());
        assert!(parse(&s(&["--bogus"])).is_err());
        assert!(parse(&s(&["-p"])).is_err());
    }

    #[test]
    fn raw_cells_escape_spaces() {
        assert_eq!(raw_escape("a b"), "a\\x20b");
    }
}
