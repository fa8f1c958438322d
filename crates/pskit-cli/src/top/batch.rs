//! Batch mode: snapshots printed as text like `top -b` / `iotop -b`, or as one
//! JSON object per line.

use std::io::{self, Write};

use serde::Serialize;

use super::app::{App, Flavor};
use super::columns::scale;
use super::model::{ProcRow, SystemInfo, TaskCounts};
use super::table::{write_labels, write_line};

const MIB: f64 = 1024.0 * 1024.0;

/// top's summary lines.
fn top_summary(app: &App, out: &mut String) {
    let s = &app.snap.system;
    let clock = chrono::DateTime::from_timestamp(s.time as i64, 0)
        .map(|t| {
            t.with_timezone(&chrono::Local)
                .format("%H:%M:%S")
                .to_string()
        })
        .unwrap_or_default();
    out.push_str(&format!("top - {clock}"));
    if let Some(u) = s.uptime {
        out.push_str(&format!(" up {}", crate::fmt::uptime_text(u as u64)));
    }
    if let Some(n) = s.users {
        // procps: "0 user", "1 user", "2 users".
        out.push_str(&format!(",  {n} user{}", if n > 1 { "s" } else { "" }));
    }
    if let Some((a, b, c)) = s.load {
        out.push_str(&format!(",  load average: {a:.2}, {b:.2}, {c:.2}"));
    }
    out.push('\n');
    let c = &app.counts;
    out.push_str(&format!(
        "{}: {:>3} total, {:>3} running, {:>3} sleeping, {:>3} stopped, {:>3} zombie\n",
        if app.settings.threads {
            "Threads"
        } else {
            "Tasks"
        },
        c.total,
        c.running,
        c.sleeping,
        c.stopped,
        c.zombie
    ));
    match &s.cpu_times {
        Some(t) => out.push_str(&format!(
            "%Cpu(s): {:4.1} us, {:4.1} sy, {:4.1} ni, {:4.1} id, {:4.1} wa, {:4.1} hi, {:4.1} si, {:4.1} st\n",
            t.user, t.system, t.nice, t.idle, t.iowait, t.irq, t.softirq, t.steal
        )),
        None => out.push_str(&format!("%Cpu(s): {:4.1} used\n", s.cpu_total)),
    }
    // top's -E: KiB, MiB (the default), GiB, … for the two memory lines.
    let power = app.settings.mem_scale.clamp(1, 6);
    let unit = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"][power as usize - 1];
    let div = 1024f64.powi(power as i32);
    if let Some(m) = &s.memory {
        out.push_str(&format!(
            "{unit} Mem : {:8.1} total, {:8.1} free, {:8.1} used, {:8.1} buff/cache\n",
            m.total as f64 / div,
            m.free as f64 / div,
            m.used as f64 / div,
            m.buffers.saturating_add(m.cached) as f64 / div
        ));
    }
    if let Some(w) = &s.swap {
        let avail = s.memory.as_ref().map_or(0, |m| m.available);
        out.push_str(&format!(
            "{unit} Swap: {:8.1} total, {:8.1} free, {:8.1} used. {:8.1} avail Mem\n",
            w.total as f64 / div,
            w.free as f64 / div,
            w.used as f64 / div,
            avail as f64 / div
        ));
    }
    if let Some(p) = &s.pressure {
        let avg = |r: Option<pskit::pressure::ResourcePressure>| {
            r.and_then(|r| r.some).map_or(0.0, |l| l.avg10)
        };
        out.push_str(&format!(
            "PSI some avg10: cpu {:.2}%, memory {:.2}%, io {:.2}%\n",
            avg(p.cpu),
            avg(p.memory),
            avg(p.io)
        ));
    }
    if s.cpu_limit.is_some() || s.memory_limit.is_some() {
        out.push_str("Container:");
        if let Some(l) = &s.cpu_limit {
            out.push_str(&format!(" {:.2} CPUs", l.cpus));
        }
        if let Some(m) = &s.memory_limit {
            if let Some(limit) = m.limit {
                let usage = m.usage.unwrap_or(0) as f64 / MIB;
                out.push_str(&format!(
                    " memory {usage:.1} of {:.1} MiB",
                    limit as f64 / MIB
                ));
            }
        }
        out.push('\n');
    }
}

fn iotop_summary(app: &App, out: &mut String) {
    let (r, w) = app.io_total;
    let (rv, ru) = scale(r);
    let (wv, wu) = scale(w);
    out.push_str(&format!(
        "Total DISK READ: {rv:>10.2} {ru}/s | Total DISK WRITE: {wv:>10.2} {wu}/s\n"
    ));
    if let Some((r, w)) = app.io_current {
        let (rv, ru) = scale(r);
        let (wv, wu) = scale(w);
        out.push_str(&format!(
            "Current DISK READ: {rv:>8.2} {ru}/s | Current DISK WRITE: {wv:>8.2} {wu}/s\n"
        ));
    }
}

/// The text report of the current snapshot: summary, blank line, labels, rows.
pub fn text_report(app: &mut App, out: &mut String) {
    app.refresh_view();
    match app.flavor {
        Flavor::Top => top_summary(app, out),
        Flavor::Iotop => iotop_summary(app, out),
    }
    out.push('\n');
    let mut line = String::new();
    write_labels(&app.settings.columns, &mut line);
    out.push_str(line.trim_end());
    out.push('\n');
    let mut cell = String::new();
    for v in &app.view {
        line.clear();
        write_line(app, v, &mut cell, &mut line);
        out.push_str(&line);
        out.push('\n');
    }
}

#[derive(Serialize)]
struct TopJson<'a> {
    time: f64,
    system: &'a SystemInfo,
    tasks: TaskCounts,
    processes: Vec<&'a ProcRow>,
}

#[derive(Serialize)]
struct IoJson<'a> {
    pid: u32,
    user: &'a str,
    name: &'a str,
    cmdline: &'a [String],
    read_bytes_per_sec: Option<f64>,
    write_bytes_per_sec: Option<f64>,
    read_bytes: Option<u64>,
    write_bytes: Option<u64>,
}

#[derive(Serialize)]
struct IotopJson<'a> {
    time: f64,
    total_read_bytes_per_sec: f64,
    total_write_bytes_per_sec: f64,
    processes: Vec<IoJson<'a>>,
}

/// The JSON report of the current snapshot (one line), rows in view order.
pub fn json_report(app: &mut App) -> serde_json::Result<String> {
    app.refresh_view();
    let time = app.snap.system.time;
    match app.flavor {
        Flavor::Top => serde_json::to_string(&TopJson {
            time,
            system: &app.snap.system,
            tasks: app.counts,
            processes: app.view.iter().map(|v| app.row(v)).collect(),
        }),
        Flavor::Iotop => serde_json::to_string(&IotopJson {
            time,
            total_read_bytes_per_sec: app.io_total.0,
            total_write_bytes_per_sec: app.io_total.1,
            processes: app
                .view
                .iter()
                .map(|v| {
                    let r = app.row(v);
                    let io = app.io.get(v.idx).copied().unwrap_or_default();
                    IoJson {
                        pid: r.pid,
                        user: &r.user,
                        name: &r.name,
                        cmdline: &r.cmdline,
                        read_bytes_per_sec: io.read,
                        write_bytes_per_sec: io.write,
                        read_bytes: r.read_bytes,
                        write_bytes: r.write_bytes,
                    }
                })
                .collect(),
        }),
    }
}

/// Writes one report (text, with a blank line after it, or one JSON line).
pub fn write_report(app: &mut App, json: bool, out: &mut dyn Write) -> io::Result<()> {
    if json {
        let line = json_report(app).map_err(io::Error::other)?;
        writeln!(out, "{line}")?;
    } else {
        let mut text = String::new();
        text_report(app, &mut text);
        // top's -w: every line cut at that many columns.
        if let Some(w) = app.settings.width {
            text = text
                .lines()
                .map(|l| l.chars().take(w).collect::<String>())
                .collect::<Vec<_>>()
                .join("\n");
            text.push('\n');
        }
        writeln!(out, "{text}")?;
    }
    out.flush()
}
