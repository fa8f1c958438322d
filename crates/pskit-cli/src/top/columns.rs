//! The table's columns: labels, widths, sort order and cell text.

use std::cmp::Ordering;
use std::fmt::Write;

use super::model::ProcRow;

/// Read and write rates of one process over the last interval, bytes per second;
/// `None` when not known (unreadable counters, or the first sample of a process).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct IoRate {
    /// Bytes read per second.
    pub read: Option<f64>,
    /// Bytes written per second.
    pub write: Option<f64>,
}

impl IoRate {
    /// Read plus write, when either is known.
    pub fn total(&self) -> Option<f64> {
        match (self.read, self.write) {
            (None, None) => None,
            (r, w) => Some(r.unwrap_or(0.0) + w.unwrap_or(0.0)),
        }
    }

    /// True when the process did any I/O in the interval (iotop's `-o`).
    pub fn active(&self) -> bool {
        self.read.unwrap_or(0.0) > 0.0 || self.write.unwrap_or(0.0) > 0.0
    }
}

/// A column of the process table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    /// PID.
    Pid,
    /// PPID.
    Ppid,
    /// USER.
    User,
    /// PR.
    Priority,
    /// NI.
    Nice,
    /// VIRT.
    Virt,
    /// RES.
    Res,
    /// SHR.
    Shr,
    /// S.
    State,
    /// %CPU.
    Cpu,
    /// %MEM.
    Mem,
    /// TIME+.
    Time,
    /// DISK READ (rate).
    ReadRate,
    /// DISK WRITE (rate).
    WriteRate,
    /// IO: read plus write rate (iotop's default order).
    IoRate,
    /// PRIO: the I/O scheduling class and level (`be/4`, iotop's column).
    Prio,
    /// READ (bytes since start).
    ReadBytes,
    /// WRITE (bytes since start).
    WriteBytes,
    /// NLWP (threads).
    Threads,
    /// P (the CPU last run on).
    Processor,
    /// START (start time).
    Start,
    /// TTY (controlling terminal).
    Tty,
    /// UID (real uid).
    Uid,
    /// VCSW (voluntary context switches).
    VolCtx,
    /// NVCSW (involuntary context switches).
    InvolCtx,
    /// MINFLT (minor page faults).
    MinFlt,
    /// MAJFLT (major page faults).
    MajFlt,
    /// COMMAND (takes the rest of the line).
    Command,
}

/// Every column, in the order of the column chooser.
pub const ALL: [Column; 28] = [
    Column::Pid,
    Column::Ppid,
    Column::User,
    Column::Priority,
    Column::Nice,
    Column::Virt,
    Column::Res,
    Column::Shr,
    Column::State,
    Column::Cpu,
    Column::Mem,
    Column::Time,
    Column::ReadRate,
    Column::WriteRate,
    Column::IoRate,
    Column::Prio,
    Column::ReadBytes,
    Column::WriteBytes,
    Column::Threads,
    Column::Processor,
    Column::Start,
    Column::Tty,
    Column::Uid,
    Column::VolCtx,
    Column::InvolCtx,
    Column::MinFlt,
    Column::MajFlt,
    Column::Command,
];

/// top's default columns.
pub const TOP_DEFAULT: [Column; 12] = [
    Column::Pid,
    Column::User,
    Column::Priority,
    Column::Nice,
    Column::Virt,
    Column::Res,
    Column::Shr,
    Column::State,
    Column::Cpu,
    Column::Mem,
    Column::Time,
    Column::Command,
];

/// iotop's default columns.
pub const IOTOP_DEFAULT: [Column; 7] = [
    Column::Pid,
    Column::Prio,
    Column::User,
    Column::ReadRate,
    Column::WriteRate,
    Column::Cpu,
    Column::Command,
];

impl Column {
    /// The header label.
    pub fn label(self) -> &'static str {
        match self {
            Column::Pid => "PID",
            Column::Ppid => "PPID",
            Column::User => "USER",
            Column::Priority => "PR",
            Column::Nice => "NI",
            Column::Virt => "VIRT",
            Column::Res => "RES",
            Column::Shr => "SHR",
            Column::State => "S",
            Column::Cpu => "%CPU",
            Column::Mem => "%MEM",
            Column::Time => "TIME+",
            Column::ReadRate => "DISK READ",
            Column::IoRate => "IO",
            Column::Prio => "PRIO",
            Column::WriteRate => "DISK WRITE",
            Column::ReadBytes => "READ",
            Column::WriteBytes => "WRITE",
            Column::Threads => "NLWP",
            Column::Processor => "P",
            Column::Start => "START",
            Column::Tty => "TTY",
            Column::Uid => "UID",
            Column::VolCtx => "VCSW",
            Column::InvolCtx => "NVCSW",
            Column::MinFlt => "MINFLT",
            Column::MajFlt => "MAJFLT",
            Column::Command => "COMMAND",
        }
    }

    /// The name used in JSON and on the command line (`-s`, `--columns`).
    pub fn key(self) -> &'static str {
        match self {
            Column::Pid => "pid",
            Column::Ppid => "ppid",
            Column::User => "user",
            Column::Priority => "pr",
            Column::Nice => "ni",
            Column::Virt => "virt",
            Column::Res => "res",
            Column::Shr => "shr",
            Column::State => "s",
            Column::Cpu => "cpu",
            Column::Mem => "mem",
            Column::Time => "time",
            Column::ReadRate => "read",
            Column::IoRate => "io",
            Column::Prio => "prio",
            Column::WriteRate => "write",
            Column::ReadBytes => "read_bytes",
            Column::WriteBytes => "write_bytes",
            Column::Threads => "num_threads",
            Column::Processor => "cpu_num",
            Column::Start => "create_time",
            Column::Tty => "terminal",
            Column::Uid => "uid",
            Column::VolCtx => "ctx_voluntary",
            Column::InvolCtx => "ctx_involuntary",
            Column::MinFlt => "minflt",
            Column::MajFlt => "majflt",
            Column::Command => "command",
        }
    }

    /// Parses a column name: the key, the label, or a few aliases, any case.
    pub fn parse(name: &str) -> Option<Column> {
        let n = name.trim().to_ascii_lowercase();
        let alias = match n.as_str() {
            "%cpu" | "pcpu" | "cpu_percent" => Some(Column::Cpu),
            "%mem" | "pmem" | "memory_percent" => Some(Column::Mem),
            "time+" | "cpu_time" => Some(Column::Time),
            "priority" | "pri" => Some(Column::Priority),
            "nice" => Some(Column::Nice),
            "state" | "status" => Some(Column::State),
            "name" | "comm" | "cmd" | "cmdline" => Some(Column::Command),
            "disk read" => Some(Column::ReadRate),
            "disk write" => Some(Column::WriteRate),
            "rss" => Some(Column::Res),
            "vms" | "vsz" => Some(Column::Virt),
            "username" => Some(Column::User),
            "nlwp" | "threads" | "thcount" => Some(Column::Threads),
            "psr" | "processor" => Some(Column::Processor),
            "start" | "stime" => Some(Column::Start),
            "tty" | "tt" => Some(Column::Tty),
            "uids" | "ruid" => Some(Column::Uid),
            "num_ctx_switches" | "nvcsw_voluntary" => Some(Column::VolCtx),
            "page_faults" | "min_flt" => Some(Column::MinFlt),
            "maj_flt" => Some(Column::MajFlt),
            _ => None,
        };
        alias.or_else(|| {
            ALL.iter()
                .copied()
                .find(|c| c.key() == n || c.label().eq_ignore_ascii_case(&n))
        })
    }

    /// The width in cells, separator included; `Command` takes what is left.
    pub fn width(self) -> u16 {
        match self {
            // procps top: as many digits as pid_max has, at least 5.
            Column::Pid | Column::Ppid => 1 + crate::fmt::pid_digits() as u16,
            Column::User => 9,
            Column::Priority | Column::Nice => 4,
            Column::Virt => 8,
            Column::Res | Column::Shr => 7,
            Column::State => 2,
            Column::Cpu | Column::Mem => 6,
            Column::Time => 10,
            Column::ReadRate | Column::WriteRate | Column::IoRate => 12,
            Column::Prio => 7,
            Column::ReadBytes | Column::WriteBytes => 8,
            Column::Threads => 5,
            Column::Processor => 3,
            Column::Start => 6,
            Column::Tty => 7,
            Column::Uid => 7,
            Column::VolCtx | Column::InvolCtx | Column::MinFlt | Column::MajFlt => 10,
            Column::Command => 0,
        }
    }

    /// Left-aligned columns (text); the others are right-aligned numbers.
    pub fn left_aligned(self) -> bool {
        matches!(
            self,
            Column::User | Column::State | Column::Tty | Column::Command | Column::Prio
        )
    }

    /// Sorting a column first puts the largest values on top, except for names and ids.
    pub fn descending_by_default(self) -> bool {
        !matches!(
            self,
            Column::Pid
                | Column::Ppid
                | Column::User
                | Column::Nice
                | Column::State
                | Column::Processor
                | Column::Tty
                | Column::Uid
                | Column::Command
        )
    }

    /// Compares two rows by this column (ascending); ties are left to the caller.
    pub fn compare(self, a: &ProcRow, ia: IoRate, b: &ProcRow, ib: IoRate) -> Ordering {
        let f = |x: f64, y: f64| x.partial_cmp(&y).unwrap_or(Ordering::Equal);
        let o = |x: Option<f64>, y: Option<f64>| match (x, y) {
            (Some(x), Some(y)) => f(x, y),
            (x, y) => x.is_some().cmp(&y.is_some()),
        };
        match self {
            Column::Pid => a.pid.cmp(&b.pid),
            Column::Ppid => a.ppid.cmp(&b.ppid),
            Column::User => a.user.cmp(&b.user),
            Column::Priority => a.priority.cmp(&b.priority),
            Column::Nice => a.nice.cmp(&b.nice),
            Column::Virt => a.virt.cmp(&b.virt),
            Column::Res => a.res.cmp(&b.res),
            Column::Shr => a.shr.cmp(&b.shr),
            Column::State => a.state_letter().cmp(&b.state_letter()),
            Column::Cpu => f(a.cpu_percent, b.cpu_percent),
            Column::Mem => f(a.memory_percent, b.memory_percent),
            Column::Time => f(a.cpu_time, b.cpu_time),
            Column::ReadRate => o(ia.read, ib.read),
            Column::IoRate => o(ia.total(), ib.total()),
            Column::Prio => a.ionice.cmp(&b.ionice),
            Column::WriteRate => o(ia.write, ib.write),
            Column::ReadBytes => a.read_bytes.cmp(&b.read_bytes),
            Column::WriteBytes => a.write_bytes.cmp(&b.write_bytes),
            Column::Threads => a.num_threads.cmp(&b.num_threads),
            Column::Processor => a.cpu_num.cmp(&b.cpu_num),
            Column::Start => o(a.create_time, b.create_time),
            Column::Tty => a.terminal.cmp(&b.terminal),
            Column::Uid => a.uid.cmp(&b.uid),
            Column::VolCtx => a
                .ctx_switches
                .map(|c| c.0)
                .cmp(&b.ctx_switches.map(|c| c.0)),
            Column::InvolCtx => a
                .ctx_switches
                .map(|c| c.1)
                .cmp(&b.ctx_switches.map(|c| c.1)),
            Column::MinFlt => a.page_faults.map(|c| c.0).cmp(&b.page_faults.map(|c| c.0)),
            Column::MajFlt => a.page_faults.map(|c| c.1).cmp(&b.page_faults.map(|c| c.1)),
            Column::Command => a.name.cmp(&b.name),
        }
    }

    /// Appends this column's text for a row (not padded; `Command` without tree
    /// prefix) to `out`.
    pub fn write_value(self, row: &ProcRow, io: IoRate, full_cmd: bool, out: &mut String) {
        // Writing into a String cannot fail.
        let _ = match self {
            Column::Pid => write!(out, "{}", row.pid),
            Column::Ppid => write!(out, "{}", row.ppid),
            Column::User => {
                push_user(&row.user, out);
                Ok(())
            }
            Column::Priority => {
                if row.priority <= -100 {
                    out.push_str("rt");
                    Ok(())
                } else {
                    write!(out, "{}", row.priority)
                }
            }
            Column::Nice => write!(out, "{}", row.nice),
            Column::Virt => mem_kib(row.virt, out),
            Column::Res => mem_kib(row.res, out),
            Column::Shr => mem_kib(row.shr, out),
            Column::State => {
                out.push(row.state_letter());
                Ok(())
            }
            Column::Cpu => write!(out, "{:.1}", row.cpu_percent),
            Column::Mem => write!(out, "{:.1}", row.memory_percent),
            Column::Time => time_plus(row.cpu_time, out),
            Column::ReadRate => rate(io.read, out),
            Column::IoRate => rate(io.total(), out),
            Column::Prio => {
                out.push_str(&prio_text(row.ionice, row.nice));
                Ok(())
            }
            Column::WriteRate => rate(io.write, out),
            Column::ReadBytes => opt_bytes(row.read_bytes, out),
            Column::WriteBytes => opt_bytes(row.write_bytes, out),
            Column::Threads => opt_num(row.num_threads.map(u64::from), out),
            Column::Processor => opt_num(row.cpu_num.map(u64::from), out),
            Column::Start => {
                out.push_str(
                    &row.create_time
                        .map_or("?".into(), crate::proc_common::start_time),
                );
                Ok(())
            }
            Column::Uid => opt_num(row.uid.map(u64::from), out),
            Column::VolCtx => opt_num(row.ctx_switches.map(|c| c.0), out),
            Column::InvolCtx => opt_num(row.ctx_switches.map(|c| c.1), out),
            Column::MinFlt => opt_num(row.page_faults.map(|c| c.0), out),
            Column::MajFlt => opt_num(row.page_faults.map(|c| c.1), out),
            Column::Tty => {
                out.push_str(
                    row.terminal
                        .as_deref()
                        .map_or("?", |t| t.trim_start_matches("/dev/")),
                );
                Ok(())
            }
            Column::Command => {
                push_command(row, full_cmd, out);
                Ok(())
            }
        };
    }
}

/// A count, or "?" when unknown.
fn opt_num(v: Option<u64>, out: &mut String) -> std::fmt::Result {
    match v {
        Some(v) => write!(out, "{v}"),
        None => {
            out.push('?');
            Ok(())
        }
    }
}

/// top truncates long user names to 7 characters and a '+'.
fn push_user(user: &str, out: &mut String) {
    if user.chars().count() > 8 {
        out.extend(user.chars().take(7));
        out.push('+');
    } else {
        out.push_str(&crate::fmt::printable(user));
    }
}

/// The command text: the name, or the command line when `full` (kernel threads
/// and processes without one show `[name]`, as ps and top do). Control
/// characters are escaped as procps does (`crate::fmt::printable`), so a name
/// cannot move the cursor or add rows; `--json` keeps the raw strings.
pub fn push_command(row: &ProcRow, full: bool, out: &mut String) {
    let esc = crate::fmt::printable;
    if full && !row.cmdline.is_empty() {
        for (i, a) in row.cmdline.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(&esc(a));
        }
    } else if full {
        out.push('[');
        out.push_str(&esc(&row.name));
        out.push(']');
    } else {
        out.push_str(&esc(&row.name));
    }
}

/// Memory as top shows it: KiB, switching to m/g/t suffixes when it gets wide.
fn mem_kib(bytes: u64, out: &mut String) -> std::fmt::Result {
    let kib = bytes / 1024;
    if kib < 1_000_000 {
        write!(out, "{kib}")
    } else if kib < 100 * 1024 * 1024 {
        write!(out, "{:.1}g", kib as f64 / (1024.0 * 1024.0))
    } else {
        write!(out, "{:.1}t", kib as f64 / (1024.0 * 1024.0 * 1024.0))
    }
}

/// top's TIME+: minutes:seconds.hundredths, then hours when minutes overflow.
pub fn time_plus(secs: f64, out: &mut String) -> std::fmt::Result {
    let hundredths = (secs.max(0.0) * 100.0) as u64;
    let minutes = hundredths / 6000;
    if minutes < 10_000 {
        write!(
            out,
            "{}:{:02}.{:02}",
            minutes,
            (hundredths / 100) % 60,
            hundredths % 100
        )
    } else {
        write!(out, "{}h", minutes / 60)
    }
}

/// A rate like iotop: "0.00 B/s", "12.34 K/s".
fn rate(v: Option<f64>, out: &mut String) -> std::fmt::Result {
    match v {
        None => {
            out.push('?');
            Ok(())
        }
        Some(v) => {
            let (v, unit) = scale(v);
            write!(out, "{v:.2} {unit}/s")
        }
    }
}

fn opt_bytes(v: Option<u64>, out: &mut String) -> std::fmt::Result {
    match v {
        None => {
            out.push('?');
            Ok(())
        }
        Some(b) => {
            let (v, unit) = scale(b as f64);
            if unit == "B" {
                write!(out, "{b}B")
            } else {
                write!(out, "{v:.1}{unit}")
            }
        }
    }
}

/// iotop's `-k`: rates always in KiB/s instead of a human-friendly unit.
pub static KILOBYTES: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// iotop's PRIO text: `rt/N`, `be/N`, `idle`; a process that never set a
/// class shows the best-effort level its nice value implies, (nice + 20) / 5.
pub fn prio_text(ionice: Option<(i32, i32)>, nice: i64) -> String {
    match ionice {
        Some((1, v)) => format!("rt/{v}"),
        Some((2, v)) => format!("be/{v}"),
        Some((3, _)) => "idle".into(),
        Some(_) => format!("be/{}", (nice.clamp(-20, 19) + 20) / 5),
        None => "?".into(),
    }
}

/// Scales bytes to B, K, M, G, T (1024 steps); always K under iotop's `-k`.
pub fn scale(mut v: f64) -> (f64, &'static str) {
    if KILOBYTES.load(std::sync::atomic::Ordering::Relaxed) {
        return (v / 1024.0, "K");
    }
    for unit in ["B", "K", "M", "G", "T"] {
        if v < 1024.0 || unit == "T" {
            return (v, unit);
        }
        v /= 1024.0;
    }
    (v, "T")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(c: Column, r: &ProcRow) -> String {
        let mut s = String::new();
        c.write_value(r, IoRate::default(), false, &mut s);
        s
    }

    #[test]
    fn time_plus_like_top() {
        let mut s = String::new();
        time_plus(83.456, &mut s).unwrap();
        assert_eq!(s, "1:23.45");
        s.clear();
        time_plus(700_000.0, &mut s).unwrap();
        assert_eq!(s, "194h");
    }

    #[test]
    fn memory_in_kib_then_suffixes() {
        let mut r = super::super::testdata::row(1, 0, "root", "init");
        r.virt = 10 * 1024 * 1024;
        assert_eq!(text(Column::Virt, &r), "10240");
        r.virt = 3 * 1024 * 1024 * 1024;
        assert_eq!(text(Column::Virt, &r), "3.0g");
    }

    #[test]
    fn long_users_are_cut_with_plus() {
        let r = super::super::testdata::row(1, 0, "systemd-network", "x");
        assert_eq!(text(Column::User, &r), "systemd+");
    }

    #[test]
    fn realtime_priority_is_rt() {
        let mut r = super::super::testdata::row(1, 0, "root", "x");
        r.priority = -100;
        assert_eq!(text(Column::Priority, &r), "rt");
    }

    #[test]
    fn parse_accepts_labels_and_keys() {
        assert_eq!(Column::parse("%CPU"), Some(Column::Cpu));
        assert_eq!(Column::parse("mem"), Some(Column::Mem));
        assert_eq!(Column::parse("TIME+"), Some(Column::Time));
        assert_eq!(Column::parse("PID"), Some(Column::Pid));
        assert_eq!(Column::parse("bogus"), None);
    }

    #[test]
    fn rates_like_iotop() {
        let r = super::super::testdata::row(1, 0, "root", "x");
        let mut s = String::new();
        let io = IoRate {
            read: Some(2048.0),
            write: None,
        };
        Column::ReadRate.write_value(&r, io, false, &mut s);
        assert_eq!(s, "2.00 K/s");
        s.clear();
        Column::WriteRate.write_value(&r, io, false, &mut s);
        assert_eq!(s, "?");
    }
}
