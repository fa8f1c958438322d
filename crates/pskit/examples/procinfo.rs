//! Everything about one process: psutil's `scripts/procinfo.py`, ported.
//!
//! ```text
//! $ cargo run -p pskit --example procinfo -- 1 [--verbose]
//! pid         1
//! name        systemd
//! parent      0
//! exe         /usr/lib/systemd/systemd
//! ...
//! ```
//!
//! It shows [`pskit::Process::as_dict`] for every attribute at once (a typed
//! [`pskit::ProcessInfo`]; psutil's `ad_value=''` is a denied field shown
//! blank), walking named tuples' fields with [`pskit::PsutilTuple`], and
//! [`pskit::RLIMITS`] for the resource limits.

#[path = "support/py.rs"]
mod py;

use std::io::IsTerminal;
use std::process::ExitCode;

use pskit::process::{Attr, Field};
use pskit::{PsutilTuple, SOCK_DGRAM, SOCK_STREAM};
use serde_json::Value;

const NON_VERBOSE_ITERATIONS: usize = 4;

/// procinfo.py's short names for the limits.
fn rlimit_label(name: &str) -> &str {
    match name {
        "RLIMIT_AS" => "virtualmem",
        "RLIMIT_CORE" => "coredumpsize",
        "RLIMIT_CPU" => "cputime",
        "RLIMIT_DATA" => "datasize",
        "RLIMIT_FSIZE" => "filesize",
        "RLIMIT_MEMLOCK" => "memlock",
        "RLIMIT_MSGQUEUE" => "msgqueue",
        "RLIMIT_NICE" => "nice",
        "RLIMIT_NOFILE" => "openfiles",
        "RLIMIT_NPROC" => "maxprocesses",
        "RLIMIT_RSS" => "rss",
        "RLIMIT_RTPRIO" => "realtimeprio",
        "RLIMIT_RTTIME" => "rtimesched",
        "RLIMIT_SIGPENDING" => "sigspending",
        "RLIMIT_STACK" => "stack",
        other => other,
    }
}

fn print_(a: &str, b: impl std::fmt::Display) {
    if std::io::stdout().is_terminal() {
        println!("\x1b[1;32m{a:<13}\x1b[0m {b}");
    } else {
        println!("{a:<11} {b}");
    }
}

/// Python's `str()` of one named-tuple value.
fn py_value(v: &Value) -> String {
    match v {
        Value::Number(n) if n.is_f64() => py::float(n.as_f64().unwrap_or(f64::NAN)),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `name=value, …` over the tuple's fields; blank when denied (`ad_value`).
fn str_ntuple<T: PsutilTuple>(nt: &Field<T>, convert_bytes: bool) -> String {
    let Some(nt) = nt.get() else {
        return String::new();
    };
    let fields: Vec<String> = nt
        .fields()
        .iter()
        .map(|(k, v)| match v.as_u64() {
            Some(n) if convert_bytes => format!("{k}={}", pskit::bytes2human(n)),
            _ => format!("{k}={}", py_value(v)),
        })
        .collect();
    fields.join(", ")
}

/// A denied or missing value prints as psutil's `ad_value`, `''`.
fn or_blank<T: std::fmt::Display>(f: &Field<T>) -> String {
    f.get().map(|v| v.to_string()).unwrap_or_default()
}

/// `timedelta(seconds=s)` shown as procinfo.py does: `M:SS.` and the first
/// two digits of the microseconds.
fn cpu_tspent(s: f64) -> String {
    let micros = (s * 1e6).round_ties_even().max(0.0) as u64;
    let seconds = (micros / 1_000_000) % 86_400;
    let us = (micros % 1_000_000).to_string();
    format!(
        "{}:{:02}.{}",
        seconds / 60 % 60,
        seconds % 60,
        py::prefix(&us, 2)
    )
}

fn run(pid: Option<u32>, verbose: bool) -> Result<(), pskit::Error> {
    let proc = match pid {
        Some(pid) => pskit::Process::new(pid)?,
        None => pskit::Process::current()?,
    };
    let pinfo = proc.as_dict(Attr::ALL)?;
    let (parent, children, started) = proc.oneshot(|p| {
        let parent = match p.parent() {
            Ok(Some(pp)) => pp.name().map(|n| format!("({n})")).unwrap_or_default(),
            _ => String::new(),
        };
        let children = p.children(false).unwrap_or_default();
        let started = pinfo
            .create_time
            .get()
            .filter(|&&t| t != 0.0)
            .and_then(|&t| py::local_time(t))
            .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default();
        (parent, children, started)
    });

    print_("pid", proc.pid());
    print_("name", or_blank(&pinfo.name));
    print_("parent", format!("{} {parent}", or_blank(&pinfo.ppid)));
    print_("exe", or_blank(&pinfo.exe));
    print_("cwd", or_blank(&pinfo.cwd));
    print_(
        "cmdline",
        pinfo.cmdline.get().map(|c| c.join(" ")).unwrap_or_default(),
    );
    print_("started", started);

    let total = pinfo
        .cpu_times
        .get()
        .map(|t| t.user + t.system + t.children_user + t.children_system + t.iowait)
        .unwrap_or(0.0);
    print_("cpu-tspent", cpu_tspent(total));
    print_("cpu-times", str_ntuple(&pinfo.cpu_times, false));
    let affinity = match pinfo.cpu_affinity.get() {
        Some(cpus) => {
            let cpus: Vec<String> = cpus.iter().map(|c| c.to_string()).collect();
            format!("[{}]", cpus.join(", "))
        }
        None => String::new(),
    };
    print_("cpu-affinity", affinity);
    print_("cpu-num", or_blank(&pinfo.cpu_num));

    print_("memory", str_ntuple(&pinfo.memory_info, true));
    print_(
        "memory %",
        pinfo
            .memory_percent
            .get()
            .map(|&m| py::float(py::round(m, 2)))
            .unwrap_or_default(),
    );
    print_("user", or_blank(&pinfo.username));
    // The script prints uids twice.
    print_("uids", str_ntuple(&pinfo.uids, false));
    print_("uids", str_ntuple(&pinfo.uids, false));
    print_(
        "terminal",
        pinfo.terminal.get().cloned().flatten().unwrap_or_default(),
    );

    print_("status", or_blank(&pinfo.status));
    print_("nice", or_blank(&pinfo.nice));
    if let Ok(io) = proc.ionice() {
        print_(
            "ionice",
            format!("class={}, value={}", io.ioclass, io.value),
        );
    }

    print_("num-threads", or_blank(&pinfo.num_threads));
    print_("num-fds", or_blank(&pinfo.num_fds));
    print_("I/O", str_ntuple(&pinfo.io_counters, true));
    print_("ctx-switches", str_ntuple(&pinfo.num_ctx_switches, false));

    if !children.is_empty() {
        print_("children", format!("{:<6} {}", "PID", "NAME"));
        for child in &children {
            match child.name() {
                Ok(name) => print_("", format!("{:<6} {}", child.pid(), name)),
                Err(e) if e.is_access_denied() => print_("", format!("{:<6} {}", child.pid(), "")),
                Err(_) => {}
            }
        }
    }

    match pinfo.open_files.get().filter(|f| !f.is_empty()) {
        Some(files) => {
            print_("open-files", "PATH");
            for (i, file) in files.iter().enumerate() {
                if !verbose && i >= NON_VERBOSE_ITERATIONS {
                    print_("", "[...]");
                    break;
                }
                print_("", &file.path);
            }
        }
        None => print_("open-files", ""),
    }

    match pinfo.net_connections.get().filter(|c| !c.is_empty()) {
        Some(conns) => {
            let templ = |a: &str, b: &str, c: &str, d: &str| format!("{a:<5} {b:<25} {c:<25} {d}");
            print_(
                "connections",
                templ("PROTO", "LOCAL ADDR", "REMOTE ADDR", "STATUS"),
            );
            for conn in conns {
                let kind = match conn.r#type {
                    SOCK_STREAM => "TCP",
                    SOCK_DGRAM => "UDP",
                    _ => "UNIX",
                };
                let (lip, lport) = match conn.laddr.inet() {
                    Some(a) => (a.ip.clone(), a.port.to_string()),
                    None => (String::new(), String::new()),
                };
                let (rip, rport) = match conn.raddr.inet() {
                    Some(a) => (a.ip.clone(), a.port.to_string()),
                    None => ("*".to_string(), "*".to_string()),
                };
                let line = templ(
                    kind,
                    &format!("{lip}:{lport}"),
                    &format!("{rip}:{rport}"),
                    conn.status,
                );
                print_("", line);
            }
        }
        None => print_("connections", ""),
    }

    match pinfo.threads.get().filter(|t| t.len() > 1) {
        Some(threads) => {
            print_(
                "threads",
                format!("{:<5} {:>12} {:>12}", "TID", "USER", "SYSTEM"),
            );
            for (i, t) in threads.iter().enumerate() {
                if !verbose && i >= NON_VERBOSE_ITERATIONS {
                    print_("", "[...]");
                    break;
                }
                print_(
                    "",
                    format!(
                        "{:<5} {:>12} {:>12}",
                        t.id,
                        py::float(t.user_time),
                        py::float(t.system_time)
                    ),
                );
            }
            print_("", format!("total={}", threads.len()));
        }
        None => print_("threads", ""),
    }

    // `dir(psutil)` lists the RLIMIT_* names sorted.
    let mut names = pskit::RLIMITS.to_vec();
    names.sort_by_key(|(name, _)| *name);
    let mut resources = Vec::new();
    for (name, res) in names {
        match proc.rlimit(res) {
            Ok((soft, hard)) => resources.push((name, soft, hard)),
            Err(e) if e.is_access_denied() => {}
            Err(e) => return Err(e),
        }
    }
    if !resources.is_empty() {
        let inf = |v: i64| {
            if v == pskit::RLIM_INFINITY {
                "infinity".to_string()
            } else {
                v.to_string()
            }
        };
        print_(
            "res-limits",
            format!("{:<12} {:>15} {:>15}", "RLIMIT", "SOFT", "HARD"),
        );
        for (name, soft, hard) in resources {
            print_(
                "",
                format!(
                    "{:<12} {:>15} {:>15}",
                    rlimit_label(name),
                    inf(soft),
                    inf(hard)
                ),
            );
        }
    }

    if let Some(env) = pinfo.environ.get().filter(|e| !e.is_empty()) {
        print_("environ", format!("{:<25} {}", "NAME", "VALUE"));
        // A BTreeMap iterates sorted, as `sorted(environ)`.
        for (i, (k, v)) in env.iter().enumerate() {
            if !verbose && i >= NON_VERBOSE_ITERATIONS {
                print_("", "[...]");
                break;
            }
            print_("", format!("{k:<25} {v}"));
        }
    }

    if let Some(maps) = pinfo.memory_maps.get().filter(|m| !m.is_empty()) {
        print_("mem-maps", format!("{:<8} {}", "RSS", "PATH"));
        let mut maps: Vec<_> = maps.iter().collect();
        maps.sort_by_key(|m| std::cmp::Reverse(m.rss));
        for (i, region) in maps.iter().enumerate() {
            if !verbose && i >= NON_VERBOSE_ITERATIONS {
                print_("", "[...]");
                break;
            }
            print_(
                "",
                format!("{:<8} {}", pskit::bytes2human(region.rss), region.path),
            );
        }
    }
    Ok(())
}

fn usage() -> &'static str {
    "usage: procinfo [-h] [--verbose] [pid]"
}

fn main() -> ExitCode {
    let mut pid = None;
    let mut verbose = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "-h" | "--help" => {
                println!(
                    "{}\n\nprint information about a process\n\npositional arguments:\n  pid            process pid\n\noptions:\n  -h, --help     show this help message and exit\n  --verbose, -v  print more info",
                    usage()
                );
                return ExitCode::SUCCESS;
            }
            "-v" | "--verbose" => verbose = true,
            _ if pid.is_none() && !arg.starts_with('-') => match arg.trim().parse::<u32>() {
                Ok(n) => pid = Some(n),
                Err(_) => {
                    eprintln!(
                        "{}\nprocinfo: error: argument pid: invalid int value: '{arg}'",
                        usage()
                    );
                    return ExitCode::from(2);
                }
            },
            _ => {
                eprintln!(
                    "{}\nprocinfo: error: unrecognized arguments: {arg}",
                    usage()
                );
                return ExitCode::from(2);
            }
        }
    }
    match run(pid, verbose) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
