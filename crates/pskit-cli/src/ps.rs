//! `pskit ps`: the process table, like `ps aux` (USER PID %CPU %MEM VSZ RSS TTY STAT
//! START TIME COMMAND), with `-o` columns named by psutil attribute, `--sort`, `-p`,
//! `-u` and `--forest` (psutil's scripts/ps.py and pstree.py).

use std::collections::{BTreeMap, HashSet};
use std::process::ExitCode;

use serde_json::{Map, Value};

use crate::fmt::{print_json, CmdResult};
use crate::proc_common::outln;
use crate::proc_common::{self, cell};

/// Arguments of `pskit ps`.
#[derive(clap::Args)]
pub struct Args {
    /// Columns to show, as psutil attribute names (e.g. `pid,name,memory_info`).
    #[arg(short = 'o', long = "format", value_delimiter = ',')]
    columns: Vec<String>,
    /// Sort by a column (a psutil attribute or one of user, pid, cpu, mem, vsz, rss,
    /// time, start, command); prefix with '-' for descending.
    #[arg(long, allow_hyphen_values = true)]
    sort: Option<String>,
    /// Only these pids (comma separated).
    #[arg(short = 'p', long = "pid", value_delimiter = ',')]
    pids: Vec<u32>,
    /// Only processes of this user (name or uid).
    #[arg(short = 'u', long = "user")]
    user: Option<String>,
    /// Show the tree of parents and children (COMMAND indented).
    #[arg(long)]
    forest: bool,
    /// Print a JSON list of objects.
    #[arg(long)]
    json: bool,
}

/// A process's psutil attributes, and its ps-aux columns.
type Row = (Map<String, Value>, Map<String, Value>);

const AUX_ATTRS: [&str; 10] = [
    "username",
    "ppid",
    "name",
    "status",
    "cpu_times",
    "memory_info",
    "terminal",
    "create_time",
    "cmdline",
    "uids",
];

/// The ps-aux derived fields of one process.
fn aux_row(info: &Map<String, Value>, now: f64, total_mem: u64) -> Map<String, Value> {
    let mut r = Map::new();
    let f = |v: &Value, k: &str| v.get(k).and_then(Value::as_f64).unwrap_or(0.0);
    let times = info.get("cpu_times").cloned().unwrap_or(Value::Null);
    let cpu_secs = f(&times, "user") + f(&times, "system");
    let created = info
        .get("create_time")
        .and_then(Value::as_f64)
        .unwrap_or(now);
    let mem = info.get("memory_info").cloned().unwrap_or(Value::Null);
    let rss = mem.get("rss").and_then(Value::as_u64).unwrap_or(0);
    let vms = mem.get("vms").and_then(Value::as_u64).unwrap_or(0);
    // ps's %CPU: CPU time over lifetime.
    let elapsed = now - created;
    let cpu_pct = if elapsed > 0.0 {
        cpu_secs / elapsed * 100.0
    } else {
        0.0
    };
    let mem_pct = if total_mem > 0 {
        rss as f64 / total_mem as f64 * 100.0
    } else {
        0.0
    };
    let user = match info.get("username") {
        Some(Value::String(s)) => s.clone(),
        _ => "?".into(),
    };
    let tty = match info.get("terminal") {
        Some(Value::String(t)) => t.trim_start_matches("/dev/").to_string(),
        _ => "?".into(),
    };
    let name = info.get("name").and_then(Value::as_str).unwrap_or("?");
    let command = match info.get("cmdline").and_then(Value::as_array) {
        Some(c) if !c.is_empty() => cell(&Value::Array(c.clone())),
        _ => format!("[{name}]"),
    };
    r.insert("user".into(), user.into());
    r.insert(
        "pid".into(),
        info.get("pid").cloned().unwrap_or(Value::Null),
    );
    r.insert("cpu".into(), ((cpu_pct * 10.0).round() / 10.0).into());
    r.insert("mem".into(), ((mem_pct * 10.0).round() / 10.0).into());
    r.insert("vsz".into(), (vms / 1024).into());
    r.insert("rss".into(), (rss / 1024).into());
    r.insert("tty".into(), tty.into());
    let stat = info
        .get("status")
        .and_then(Value::as_str)
        .map(proc_common::status_letter)
        .unwrap_or('?');
    r.insert("stat".into(), stat.to_string().into());
    r.insert("start".into(), proc_common::start_time(created).into());
    r.insert("start_epoch".into(), created.into());
    r.insert("time".into(), proc_common::cpu_time(cpu_secs).into());
    r.insert("time_secs".into(), cpu_secs.into());
    r.insert("command".into(), command.into());
    r
}

fn cmp_values(a: &Value, b: &Value) -> std::cmp::Ordering {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        _ => cell(a).cmp(&cell(b)),
    }
}

/// Orders pids depth-first from the roots, with their depth.
fn forest_order(rows: &[(u32, u32)]) -> Vec<(u32, usize)> {
    let present: HashSet<u32> = rows.iter().map(|r| r.0).collect();
    let mut kids: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    let mut roots = Vec::new();
    for &(pid, ppid) in rows {
        if ppid != pid && present.contains(&ppid) {
            kids.entry(ppid).or_default().push(pid);
        } else {
            roots.push(pid);
        }
    }
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut stack: Vec<(u32, usize)> = roots.into_iter().rev().map(|r| (r, 0)).collect();
    while let Some((pid, depth)) = stack.pop() {
        if !seen.insert(pid) {
            continue;
        }
        out.push((pid, depth));
        for &k in kids.get(&pid).into_iter().flatten().rev() {
            stack.push((k, depth + 1));
        }
    }
    out
}

/// Runs `pskit ps`.
pub fn run(args: Args) -> CmdResult {
    let custom: Vec<&str> = args
        .columns
        .iter()
        .map(String::as_str)
        .filter(|c| !c.is_empty())
        .collect();
    for c in &custom {
        if !pskit::process::ATTRS.contains(c)
            && !["page_faults", "memory_info_ex", "cgroup"].contains(c)
        {
            eprintln!("pskit: unknown column {c:?} (use psutil attribute names)");
            return Ok(ExitCode::from(2));
        }
    }
    let mut attrs: Vec<&str> = AUX_ATTRS.to_vec();
    for c in &custom {
        if !attrs.contains(c) {
            attrs.push(c);
        }
    }
    let total_mem = pskit::virtual_memory().map(|m| m.total).unwrap_or(0);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0);
    let want_pids: HashSet<u32> = args.pids.iter().copied().collect();
    let mut rows: Vec<Row> = Vec::new();
    let (procs, failed) = crate::proc_common::scan(&attrs)?;
    for p in procs {
        if !want_pids.is_empty() && !want_pids.contains(&p.pid()) {
            continue;
        }
        let mut info = p.info(Value::Null);
        info.insert("pid".into(), p.pid().into());
        if let Some(u) = &args.user {
            let name_ok = info.get("username").and_then(Value::as_str) == Some(u.as_str());
            let uid_ok = p.uids.map(|x| x.real.to_string() == *u).unwrap_or(false);
            if !name_ok && !uid_ok {
                continue;
            }
        }
        let aux = aux_row(&info, now, total_mem);
        rows.push((info, aux));
    }
    for pid in &args.pids {
        if !rows
            .iter()
            .any(|r| r.0.get("pid").and_then(Value::as_u64) == Some(*pid as u64))
        {
            eprintln!("pskit: no process with pid {pid}");
            if rows.is_empty() {
                return Ok(ExitCode::FAILURE);
            }
        }
    }
    if let Some(key) = &args.sort {
        let (desc, key) = match key.strip_prefix('-') {
            Some(k) => (true, k.to_string()),
            None => (false, key.clone()),
        };
        let key = match key.as_str() {
            "start" => "start_epoch".to_string(),
            "time" => "time_secs".to_string(),
            k => k.to_string(),
        };
        let val = |r: &Row| {
            r.1.get(&key)
                .or_else(|| r.0.get(&key))
                .cloned()
                .unwrap_or(Value::Null)
        };
        if !rows.is_empty()
            && rows.iter().all(|r| val(r).is_null())
            && !attrs.contains(&key.as_str())
        {
            eprintln!("pskit: unknown sort key {key:?}");
            return Ok(ExitCode::from(2));
        }
        rows.sort_by(|a, b| {
            let o = cmp_values(&val(a), &val(b));
            if desc {
                o.reverse()
            } else {
                o
            }
        });
    }
    let mut depth_of: BTreeMap<u64, usize> = BTreeMap::new();
    if args.forest {
        let pairs: Vec<(u32, u32)> = rows
            .iter()
            .map(|r| {
                let pid = r.0.get("pid").and_then(Value::as_u64).unwrap_or(0) as u32;
                let ppid = r.0.get("ppid").and_then(Value::as_u64).unwrap_or(0) as u32;
                (pid, ppid)
            })
            .collect();
        let order = forest_order(&pairs);
        let mut by_pid: BTreeMap<u64, Row> = rows
            .into_iter()
            .map(|r| (r.0.get("pid").and_then(Value::as_u64).unwrap_or(0), r))
            .collect();
        rows = Vec::new();
        for (pid, depth) in order {
            if let Some(r) = by_pid.remove(&(pid as u64)) {
                depth_of.insert(pid as u64, depth);
                rows.push(r);
            }
        }
    }
    if args.json {
        let out: Vec<Value> = rows
            .iter()
            .map(|(info, _)| {
                let keys: Vec<&str> = if custom.is_empty() {
                    attrs.clone()
                } else {
                    custom.clone()
                };
                let mut m = Map::new();
                m.insert(
                    "pid".into(),
                    info.get("pid").cloned().unwrap_or(Value::Null),
                );
                for k in keys {
                    m.insert(k.into(), info.get(k).cloned().unwrap_or(Value::Null));
                }
                Value::Object(m)
            })
            .collect();
        print_json(&out)?;
        return Ok(crate::proc_common::unless_failed(ExitCode::SUCCESS, failed));
    }
    if !custom.is_empty() {
        outln!(
            "{}",
            custom
                .iter()
                .map(|c| c.to_uppercase())
                .collect::<Vec<_>>()
                .join("  ")
        );
        for (info, _) in &rows {
            let cells: Vec<String> = custom
                .iter()
                .map(|c| cell(info.get(*c).unwrap_or(&Value::Null)))
                .collect();
            outln!("{}", cells.join("  "));
        }
        return Ok(crate::proc_common::unless_failed(ExitCode::SUCCESS, failed));
    }
    outln!(
        "{:<10} {:>7} {:>4} {:>4} {:>9} {:>8} {:<8} {:<4} {:<5} {:>6} COMMAND",
        "USER",
        "PID",
        "%CPU",
        "%MEM",
        "VSZ",
        "RSS",
        "TTY",
        "STAT",
        "START",
        "TIME"
    );
    for (info, r) in &rows {
        let pid = info.get("pid").and_then(Value::as_u64).unwrap_or(0);
        let indent = depth_of
            .get(&pid)
            .map(|&d| format!("{}\\_ ", "    ".repeat(d.saturating_sub(1))))
            .filter(|_| depth_of.get(&pid) > Some(&0));
        let mut user = cell(&r["user"]);
        user.truncate(10);
        outln!(
            "{:<10} {:>7} {:>4.1} {:>4.1} {:>9} {:>8} {:<8} {:<4} {:<5} {:>6} {}{}",
            user,
            pid,
            r["cpu"].as_f64().unwrap_or(0.0),
            r["mem"].as_f64().unwrap_or(0.0),
            r["vsz"].as_u64().unwrap_or(0),
            r["rss"].as_u64().unwrap_or(0),
            cell(&r["tty"]),
            cell(&r["stat"]),
            cell(&r["start"]),
            cell(&r["time"]),
            indent.unwrap_or_default(),
            cell(&r["command"])
        );
    }
    Ok(crate::proc_common::unless_failed(ExitCode::SUCCESS, failed))
}
