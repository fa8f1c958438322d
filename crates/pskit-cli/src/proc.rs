//! `pskit proc PID`: everything about one process, like psutil's
//! scripts/procinfo.py; `--json` prints `Process(pid).as_dict()`.

use std::process::ExitCode;

use pskit::process::Attr;
use serde_json::Value;

use crate::fmt::{bytes2human, print_json, CmdResult};
use crate::proc_common::outln;
use crate::proc_common::{self, cell};

/// Arguments of `pskit proc`.
#[derive(clap::Args)]
pub struct Args {
    /// The process.
    pid: u32,
    /// Print psutil's `Process(pid).as_dict()` (unreadable values are null).
    #[arg(long)]
    json: bool,
}

const RLIMITS: [(&str, i32); 16] = [
    ("cpu", 0),
    ("fsize", 1),
    ("data", 2),
    ("stack", 3),
    ("core", 4),
    ("rss", 5),
    ("nproc", 6),
    ("nofile", 7),
    ("memlock", 8),
    ("as", 9),
    ("locks", 10),
    ("sigpending", 11),
    ("msgqueue", 12),
    ("nice", 13),
    ("rtprio", 14),
    ("rttime", 15),
];

/// One `key value` line; control characters in the value are escaped as
/// procps does (names and command lines come from the process).
fn line(key: &str, value: impl std::fmt::Display) {
    let value = value.to_string();
    outln!("{:<12} {}", format!("{key}"), crate::fmt::printable(&value));
}

/// Runs `pskit proc`.
pub fn run(args: Args) -> CmdResult {
    let p = match proc_common::open(args.pid) {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let d = match p.as_dict([] as [Attr; 0]) {
        Ok(d) => d.info(Value::Null),
        // psutil's as_dict raises NoSuchProcess for a kernel thread (its environ
        // read gives ESRCH); the process is there, so show what can be read.
        Err(e) if e.is_no_such_process() && p.is_running() => {
            let mut d = serde_json::Map::new();
            for attr in Attr::ALL {
                if let Ok(one) = p.as_dict([attr]) {
                    d.extend(one.info(Value::Null));
                } else if attr != Attr::Ionice && attr != Attr::NetConnections {
                    d.insert(attr.name().into(), Value::Null);
                }
            }
            d
        }
        Err(e) => return Ok(proc_common::fail(args.pid, &e)),
    };
    if args.json {
        print_json(&d)?;
        return Ok(ExitCode::SUCCESS);
    }
    let get = |k: &str| d.get(k).cloned().unwrap_or(Value::Null);
    line("pid", args.pid);
    line("name", cell(&get("name")));
    let parent = p.parent().ok().flatten();
    let parent_text = match &parent {
        Some(pp) => format!("{} ({})", pp.pid(), pp.name().unwrap_or_default()),
        None => "-".into(),
    };
    line("parent", parent_text);
    let kids = p.children(false).map(|c| {
        c.iter()
            .map(|k| k.pid().to_string())
            .collect::<Vec<_>>()
            .join(" ")
    });
    line(
        "children",
        kids.ok()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "-".into()),
    );
    line("exe", cell(&get("exe")));
    line("cwd", cell(&get("cwd")));
    line("cmdline", cell(&get("cmdline")));
    if let Some(t) = get("create_time").as_f64() {
        line("started", proc_common::date_time(t));
    }
    line("user", cell(&get("username")));
    line("uids", cell(&get("uids")));
    line("gids", cell(&get("gids")));
    line("terminal", cell(&get("terminal")));
    line("status", cell(&get("status")));
    line("nice", cell(&get("nice")));
    line("cpu-times", cell(&get("cpu_times")));
    line("cpu-num", cell(&get("cpu_num")));
    line("cpu-affinity", cell(&get("cpu_affinity")));
    if let Some(m) = get("memory_full_info")
        .as_object()
        .or(get("memory_info").as_object())
    {
        let parts: Vec<String> = m
            .iter()
            .map(|(k, v)| format!("{k}={}", bytes2human(v.as_u64().unwrap_or(0))))
            .collect();
        line("memory", parts.join(" "));
    }
    if let Some(pct) = get("memory_percent").as_f64() {
        line("memory %", format!("{pct:.2}"));
    }
    line("threads", cell(&get("num_threads")));
    line("fds", cell(&get("num_fds")));
    line("ctx-switches", cell(&get("num_ctx_switches")));
    line("io", cell(&get("io_counters")));
    if let Some(cg) = p.cgroup().ok().flatten() {
        line("cgroup", cg);
    }
    if let Some(files) = get("open_files").as_array() {
        line("open-files", files.len());
        for f in files {
            outln!(
                "{:<12}   [{}] {} ({}, pos {})",
                "",
                f["fd"],
                cell(&f["path"]),
                cell(&f["mode"]),
                f["position"]
            );
        }
    }
    let limits: Vec<String> = RLIMITS
        .iter()
        .filter_map(|(n, r)| {
            p.rlimit(*r)
                .ok()
                .map(|(s, h)| format!("{n}={}/{}", lim(s), lim(h)))
        })
        .collect();
    line("rlimits", limits.join(" "));
    if let Some(env) = get("environ").as_object() {
        line("environ", format!("{} variables", env.len()));
    }
    Ok(ExitCode::SUCCESS)
}

fn lim(v: i64) -> String {
    if v == -1 {
        "unlimited".into()
    } else {
        v.to_string()
    }
}
