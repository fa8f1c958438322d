//! `pskit ps`: procps `ps` in its three syntaxes — BSD (`ps aux`, `ps axjf`),
//! UNIX (`ps -ef`, `ps -eo pid,comm`, `ps -ly`) and GNU (`--sort=-%mem`,
//! `--forest`) — with procps's column names, headers, widths and selection
//! rules (procps ps(1) is the spec). psutil attribute names work in `-o` too
//! (`-o pid,name,memory_info`), and `--json` prints the rows as objects.
//!
//! It asks the library's scan only for the files its columns need: `-o pid`
//! reads stat alone; user columns add status; COMMAND adds cmdline.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::process::ExitCode;

use pskit::process::{Attr, Field, ProcStat};
use pskit::ProcessInfo;
use serde_json::Value;

use crate::fmt::{printable, CmdResult};
use crate::num;

/// Arguments of `pskit ps`: everything after `ps`, parsed as procps does (its
/// syntaxes do not fit a flag parser: `aux`, `-eo pid`, `--sort=-rss`, `p 42`).
#[derive(clap::Args)]
pub struct Args {
    /// procps ps options, in BSD, UNIX or GNU syntax; plus `--json`.
    #[arg(allow_hyphen_values = true, trailing_var_arg = true, num_args = 0..)]
    raw: Vec<String>,
}

/// What a column shows.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Pid,
    Ppid,
    Pgid,
    Sid,
    Tpgid,
    Euser,
    Ruser,
    Euid,
    Ruid,
    Egroup,
    Egid,
    Pcpu,
    Pmem,
    Vsz,
    Rss,
    Sz,
    Tty,
    Stat,
    State,
    Stime,
    Started,
    Lstart,
    BsdStart,
    Time,
    BsdTime,
    Etime,
    Etimes,
    Comm,
    Args,
    Ni,
    Pri,
    Psr,
    Nlwp,
    C,
    Flags,
    Wchan,
    Addr,
    Rtprio,
    Cls,
    Policy,
    Majflt,
    Minflt,
    Trs,
    Drs,
    /// A psutil attribute (`-o name,memory_info`).
    Psutil(Attr),
}

/// One output column: what it shows, its header, width and alignment, and
/// the name it was asked by (the JSON key).
#[derive(Clone, Debug)]
struct Col {
    key: String,
    kind: Kind,
    header: String,
    width: usize,
    right: bool,
}

/// procps's format specifiers: (names, header, width, right-aligned, kind).
const SPECS: &[(&[&str], &str, usize, bool, Kind)] = &[
    (&["pid"], "PID", 5, true, Kind::Pid),
    (&["tgid"], "TGID", 5, true, Kind::Pid),
    (&["ppid"], "PPID", 5, true, Kind::Ppid),
    (&["pgid"], "PGID", 5, true, Kind::Pgid),
    (&["pgrp"], "PGRP", 5, true, Kind::Pgid),
    (&["sid"], "SID", 5, true, Kind::Sid),
    (&["sess", "session"], "SESS", 5, true, Kind::Sid),
    (&["tpgid"], "TPGID", 5, true, Kind::Tpgid),
    (&["user", "euser", "uname"], "USER", 8, false, Kind::Euser),
    (&["ruser"], "RUSER", 8, false, Kind::Ruser),
    (&["uid", "euid"], "UID", 5, true, Kind::Euid),
    (&["ruid"], "RUID", 5, true, Kind::Ruid),
    (&["group", "egroup"], "GROUP", 8, false, Kind::Egroup),
    (&["gid", "egid"], "GID", 5, true, Kind::Egid),
    (&["%cpu", "pcpu"], "%CPU", 4, true, Kind::Pcpu),
    (&["%mem", "pmem"], "%MEM", 4, true, Kind::Pmem),
    (&["vsz", "vsize"], "VSZ", 6, true, Kind::Vsz),
    (&["rss", "rssize", "rsz"], "RSS", 5, true, Kind::Rss),
    (&["sz"], "SZ", 5, true, Kind::Sz),
    (&["tty", "tt"], "TT", 8, false, Kind::Tty),
    (&["tname"], "TTY", 8, false, Kind::Tty),
    (&["stat"], "STAT", 4, false, Kind::Stat),
    (&["s", "state"], "S", 1, false, Kind::State),
    (&["stime", "start_time"], "STIME", 5, false, Kind::Stime),
    (&["start"], "STARTED", 8, true, Kind::Started),
    (&["lstart"], "STARTED", 24, true, Kind::Lstart),
    (&["bsdstart"], "START", 6, true, Kind::BsdStart),
    (&["time", "cputime"], "TIME", 8, true, Kind::Time),
    (&["bsdtime"], "TIME", 6, true, Kind::BsdTime),
    (&["etime"], "ELAPSED", 11, true, Kind::Etime),
    (&["etimes"], "ELAPSED", 7, true, Kind::Etimes),
    (&["comm", "ucmd", "ucomm"], "COMMAND", 15, false, Kind::Comm),
    (&["args", "command"], "COMMAND", 27, false, Kind::Args),
    (&["cmd"], "CMD", 27, false, Kind::Args),
    (&["ni", "nice"], "NI", 3, true, Kind::Ni),
    (&["pri"], "PRI", 3, true, Kind::Pri),
    (&["psr"], "PSR", 3, true, Kind::Psr),
    (&["nlwp", "thcount"], "NLWP", 4, true, Kind::Nlwp),
    (&["c"], "C", 2, true, Kind::C),
    (&["f", "flag", "flags"], "F", 1, true, Kind::Flags),
    (&["wchan"], "WCHAN", 6, false, Kind::Wchan),
    (&["addr"], "ADDR", 4, true, Kind::Addr),
    (&["addr_1"], "ADDR", 1, false, Kind::Addr),
    (&["rtprio"], "RTPRIO", 6, true, Kind::Rtprio),
    (&["cls", "class"], "CLS", 3, true, Kind::Cls),
    (&["policy", "pol"], "POL", 3, false, Kind::Policy),
    (&["maj_flt", "majflt"], "MAJFL", 6, true, Kind::Majflt),
    (&["min_flt", "minflt"], "MINFL", 6, true, Kind::Minflt),
    (&["trs"], "TRS", 5, true, Kind::Trs),
    (&["drs"], "DRS", 5, true, Kind::Drs),
];

/// The column for a specifier, with procps's `name:width` and `name=header`
/// forms; psutil attribute names are columns too.
fn column(spec: &str) -> Option<Col> {
    let (spec, header) = match spec.split_once('=') {
        Some((s, h)) => (s, Some(h)),
        None => (spec, None),
    };
    let (name, width) = match spec.split_once(':') {
        Some((n, w)) => (n, Some(num::decimal(w, 1, 4096).ok()? as usize)),
        None => (spec, None),
    };
    let lower = name.to_ascii_lowercase();
    let mut col = match SPECS.iter().find(|s| s.0.contains(&lower.as_str())) {
        Some(&(_, header, width, right, kind)) => {
            // The `args` column is headed CMD when asked for as `cmd`,
            // COMMAND otherwise; `tname` TTY; `tty` TT.
            Col {
                key: name.to_string(),
                kind,
                header: header.to_string(),
                width,
                right,
            }
        }
        None => {
            let attr = Attr::from_name(name)?;
            Col {
                key: name.to_string(),
                kind: Kind::Psutil(attr),
                header: name.to_uppercase(),
                width: name.len().max(8),
                right: false,
            }
        }
    };
    if matches!(
        col.kind,
        Kind::Pid | Kind::Ppid | Kind::Pgid | Kind::Sid | Kind::Tpgid
    ) {
        col.width = col.width.max(crate::fmt::pid_digits());
    }
    if let Some(w) = width {
        col.width = w;
    }
    if let Some(h) = header {
        col.header = h.to_string();
        if width.is_none() {
            col.width = col.width.max(h.chars().count());
        }
    }
    Some(col)
}

fn columns(list: &str) -> Result<Vec<Col>, String> {
    // procps splits at commas and blanks, then each item is
    // `name[:width][=header]` (`-o pid=,comm=` gives two unheaded columns).
    list.split([',', ' '])
        .filter(|item| !item.is_empty())
        .map(|item| {
            column(item).ok_or_else(|| format!("unknown user-defined format specifier \"{item}\""))
        })
        .collect()
}

/// The preset formats.
fn preset(names: &str) -> Vec<Col> {
    columns(names).unwrap_or_default()
}

fn with_header(mut c: Vec<Col>, i: usize, header: &str) -> Vec<Col> {
    if let Some(col) = c.get_mut(i) {
        col.header = header.into();
    }
    c
}

#[derive(Default)]
struct Opts {
    all: bool,
    bsd_a: bool,
    bsd_x: bool,
    unix_a: bool,
    unix_d: bool,
    negate: bool,
    running: bool,
    this_tty: bool,
    pids: Vec<u32>,
    ppids: Vec<u32>,
    eusers: Vec<String>,
    rusers: Vec<String>,
    comms: Vec<String>,
    ttys: Vec<String>,
    custom: Vec<Col>,
    full: bool,
    extra_full: bool,
    long: bool,
    y: bool,
    jobs: bool,
    bsd: bool,
    bsd_fmt: Option<char>,
    sort: Vec<(String, bool)>,
    forest: bool,
    hier: bool,
    no_header: bool,
    json: bool,
    cumulative: bool,
}

fn usage(msg: &str) -> ExitCode {
    eprintln!("error: {msg}\n\nUsage:\n ps [options]\n\n Try 'ps --help <simple|list|output|threads|misc|all>'\n  or 'ps --help <s|l|o|t|m|a>'\n for additional help text.\n\nFor more details see ps(1).");
    ExitCode::from(1)
}

fn sort_keys(s: &str, out: &mut Vec<(String, bool)>) -> Result<(), String> {
    for k in num::list_of(s) {
        let (desc, name) = match k.strip_prefix('-') {
            Some(n) => (true, n),
            None => (false, k.strip_prefix('+').unwrap_or(&k)),
        };
        if column(name).is_none() {
            return Err("unknown sort specifier".into());
        }
        out.push((name.to_string(), desc));
    }
    Ok(())
}

/// An option that takes a value, whichever syntax names it.
#[derive(Clone, Copy)]
enum Takes {
    Format,
    Sort,
    Pids,
    Ppids,
    EUsers,
    RUsers,
    Comms,
    Ttys,
}

impl Takes {
    /// Adds `value` to what the option collects.
    fn apply(self, o: &mut Opts, value: &str) -> Result<(), String> {
        match self {
            Takes::Format => o.custom.extend(columns(value)?),
            Takes::Sort => sort_keys(value, &mut o.sort)?,
            Takes::Pids => o.pids.extend(num::pid_list(value)?),
            Takes::Ppids => o.ppids.extend(num::pid_list(value)?),
            Takes::EUsers => o.eusers.extend(num::list_of(value)),
            Takes::RUsers => o.rusers.extend(num::list_of(value)),
            Takes::Comms => o.comms.extend(num::list_of(value)),
            Takes::Ttys => o.ttys.extend(num::list_of(value)),
        }
        Ok(())
    }

    /// The UNIX (`-o`) or BSD (`o`) letter's option.
    fn of_letter(c: char, bsd: bool) -> Option<Takes> {
        Some(match (c, bsd) {
            ('o', _) | ('O', true) => Takes::Format,
            ('p' | 'q', _) => Takes::Pids,
            ('u', false) | ('U', true) => Takes::EUsers,
            ('U', false) => Takes::RUsers,
            ('C', false) => Takes::Comms,
            ('t', _) => Takes::Ttys,
            ('k', true) => Takes::Sort,
            _ => return None,
        })
    }
}

/// Parses procps's mixed syntax.
fn parse(raw: &[String]) -> Result<Opts, String> {
    let mut o = Opts::default();
    let mut i = 0;
    // The argument of an option: the rest of the token, or the next one.
    let take = |i: &mut usize, rest: &str, what: &str| -> Result<String, String> {
        if !rest.is_empty() {
            return Ok(rest.to_string());
        }
        *i += 1;
        raw.get(*i)
            .cloned()
            .ok_or_else(|| format!("{what} requires an argument"))
    };
    while i < raw.len() {
        let arg = raw[i].as_str();
        if let Some(long) = arg.strip_prefix("--") {
            let (name, val) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            let mut value = |what: &str| match &val {
                Some(v) => Ok(v.clone()),
                None => take(&mut i, "", what),
            };
            match name {
                "json" => o.json = true,
                "forest" => o.forest = true,
                "no-headers" | "no-heading" => o.no_header = true,
                "headers" | "cumulative" => o.cumulative |= name == "cumulative",
                "deselect" => o.negate = true,
                "sort" => Takes::Sort.apply(&mut o, &value("--sort")?)?,
                "format" => Takes::Format.apply(&mut o, &value("--format")?)?,
                "pid" => Takes::Pids.apply(&mut o, &value("--pid")?)?,
                "ppid" => Takes::Ppids.apply(&mut o, &value("--ppid")?)?,
                "user" => Takes::EUsers.apply(&mut o, &value("--user")?)?,
                "User" => Takes::RUsers.apply(&mut o, &value("--User")?)?,
                "tty" => Takes::Ttys.apply(&mut o, &value("--tty")?)?,
                "cols" | "columns" | "width" | "lines" | "rows" => {
                    num::decimal(&value(name)?, 1, 1 << 20)
                        .map_err(|_| format!("invalid --{name} value"))?;
                }
                _ => return Err(format!("unknown gnu long option \"--{name}\"")),
            }
        } else if let Some(flags) = arg.strip_prefix('-') {
            if flags.is_empty() {
                return Err("unsupported SysV option".into());
            }
            let chars: Vec<char> = flags.chars().collect();
            let mut j = 0;
            while j < chars.len() {
                let c = chars[j];
                let rest: String = chars[j + 1..].iter().collect();
                // An option with a value takes the rest of the word, or the next one.
                if let Some(t) = Takes::of_letter(c, false) {
                    t.apply(&mut o, &take(&mut i, &rest, &format!("-{c}"))?)?;
                    break;
                }
                match c {
                    'e' | 'A' => o.all = true,
                    'a' => o.unix_a = true,
                    'd' => o.unix_d = true,
                    'N' => o.negate = true,
                    'f' => o.full = true,
                    'F' => o.extra_full = true,
                    'l' => o.long = true,
                    'y' => o.y = true,
                    'j' => o.jobs = true,
                    'H' => o.hier = true,
                    'w' | 'c' | 'L' | 'T' | 'm' | 'M' | 'Z' | 'x' => {}
                    _ => return Err("unsupported SysV option".into()),
                }
                j += 1;
            }
        } else if arg.chars().all(|c| c.is_ascii_digit() || c == ',') {
            // A bare pid list (BSD).
            o.pids.extend(num::pid_list(arg)?);
        } else {
            o.bsd = true;
            let chars: Vec<char> = arg.chars().collect();
            let mut j = 0;
            while j < chars.len() {
                let c = chars[j];
                let rest: String = chars[j + 1..].iter().collect();
                // An option with a value takes the rest of the word, or the next one.
                if let Some(t) = Takes::of_letter(c, true) {
                    t.apply(&mut o, &take(&mut i, &rest, &c.to_string())?)?;
                    break;
                }
                match c {
                    'a' => o.bsd_a = true,
                    'x' => o.bsd_x = true,
                    'r' => o.running = true,
                    'T' => o.this_tty = true,
                    'u' | 'j' | 'l' | 'v' => o.bsd_fmt = Some(c),
                    'f' => o.forest = true,
                    'h' => o.no_header = true,
                    'S' => o.cumulative = true,
                    'w' | 'e' | 'c' | 'n' | 'H' | 'm' | 'L' | 'X' => {}
                    _ => return Err("unsupported option (BSD syntax)".into()),
                }
                j += 1;
            }
        }
        i += 1;
    }
    Ok(o)
}

/// The columns to print, procps's presets unless `-o` was given.
fn format_of(o: &Opts) -> Vec<Col> {
    if !o.custom.is_empty() {
        return o.custom.clone();
    }
    match o.bsd_fmt {
        Some('u') => {
            return with_header(
                preset("user,pid,%cpu,%mem,vsz,rss,tname,stat,start_time,bsdtime,args"),
                8,
                "START",
            )
        }
        Some('j') => return preset("ppid,pid,pgid,sid,tname,tpgid,stat,uid,bsdtime,args"),
        Some('l') => return preset("f,uid,pid,ppid,pri,ni,vsz,rss,wchan,stat,tname,bsdtime,args"),
        Some('v') => return preset("pid,tname,stat,bsdtime,majflt,trs,drs,rss,%mem,args"),
        _ => {}
    }
    if o.bsd && !o.full && !o.long && !o.extra_full && !o.jobs {
        return preset("pid,tname,stat,bsdtime,args");
    }
    let cmd = if o.full || o.extra_full {
        "cmd"
    } else {
        "ucmd"
    };
    let mut cols = if o.long && o.y {
        format!("s,uid,pid,ppid,c,pri,ni,rss,sz,wchan,tname,time,{cmd}")
    } else if o.long && o.full {
        format!("f,s,uid,pid,ppid,c,pri,ni,addr_1,sz,wchan,stime,tname,time,{cmd}")
    } else if o.long {
        format!("f,s,uid,pid,ppid,c,pri,ni,addr_1,sz,wchan,tname,time,{cmd}")
    } else if o.extra_full {
        format!("uid,pid,ppid,c,sz,rss,psr,stime,tname,time,{cmd}")
    } else if o.full {
        format!("uid,pid,ppid,c,stime,tname,time,{cmd}")
    } else if o.jobs {
        format!("pid,pgid,sid,tname,time,{cmd}")
    } else {
        format!("pid,tname,time,{cmd}")
    };
    if o.jobs && (o.full || o.long) {
        cols = cols.replacen("pid,ppid", "pid,ppid,pgid,sid", 1);
    }
    let mut c = preset(&cols);
    for col in &mut c {
        match col.kind {
            // -f and -l show the user in the UID column: a name with -f, the
            // number with -l.
            Kind::Euid if o.full || o.extra_full => {
                col.kind = Kind::Euser;
                col.right = false;
                col.width = 8;
                col.header = "UID".into();
            }
            Kind::Comm => col.header = "CMD".into(),
            _ => {}
        }
    }
    c
}

/// Facts about the machine every row needs.
struct Ctx {
    hz: u64,
    uptime: f64,
    boot: f64,
    now: i64,
    mem_total_kb: u64,
    page_kb: u64,
    users: HashMap<u32, String>,
    groups: HashMap<u32, String>,
}

/// `/etc/passwd` or `/etc/group`: id → name.
pub(crate) fn id_names(path: &str) -> HashMap<u32, String> {
    let path = pskit::Root::current().etc().join(path);
    let text = crate::fmt::read_small(&path).unwrap_or_default();
    text.lines()
        .filter_map(|l| {
            let mut f = l.split(':');
            let name = f.next()?;
            let id = f.nth(1)?.parse().ok()?;
            Some((id, name.to_string()))
        })
        .collect()
}

/// One process as the columns see it.
struct Proc {
    info: ProcessInfo,
    st: ProcStat,
}

impl Proc {
    fn euid(&self) -> Option<u32> {
        self.info.uids.get().map(|u| u.effective)
    }
    fn ruid(&self) -> Option<u32> {
        self.info.uids.get().map(|u| u.real)
    }
    fn tty_name(&self) -> String {
        match self.info.terminal.get() {
            Some(Some(t)) => t.strip_prefix("/dev/").unwrap_or(t).to_string(),
            _ => "?".into(),
        }
    }
    fn ticks(&self, ctx: &Ctx, cumulative: bool) -> u64 {
        let t = self.st.utime + self.st.stime;
        if cumulative {
            t + self.st.cutime + self.st.cstime
        } else {
            t
        }
        .min(u64::MAX / 1000 / ctx.hz.max(1))
    }
    /// Whole seconds since the process started (procps's TIME_ELAPSED).
    fn elapsed(&self, ctx: &Ctx) -> u64 {
        (ctx.uptime - self.st.starttime as f64 / ctx.hz as f64).max(0.0) as u64
    }
    /// procps's %CPU in tenths: CPU time over lifetime.
    fn pcpu(&self, ctx: &Ctx, cumulative: bool) -> u64 {
        let secs = self.elapsed(ctx);
        if secs == 0 {
            return 0;
        }
        self.ticks(ctx, cumulative) * 1000 / ctx.hz.max(1) / secs
    }
    fn pmem(&self, ctx: &Ctx) -> u64 {
        if ctx.mem_total_kb == 0 {
            return 0;
        }
        (self.rss_bytes(ctx) / 1024).saturating_mul(1000) / ctx.mem_total_kb
    }
    /// VmRSS of status, as procps shows it (stat's page count lags behind it
    /// for threaded processes), or stat's count when status was not read.
    fn rss_bytes(&self, ctx: &Ctx) -> u64 {
        match self.info.memory_info.get() {
            Some(m) => m.rss,
            None => self.st.rss.saturating_mul(ctx.page_kb * 1024),
        }
    }
    fn start_epoch(&self, ctx: &Ctx) -> i64 {
        (ctx.boot + self.st.starttime as f64 / ctx.hz as f64) as i64
    }
    fn args(&self) -> String {
        match self.info.cmdline.get() {
            Some(c) if !c.is_empty() => c.join(" "),
            _ => format!("[{}]", self.st.comm),
        }
    }
    fn stat(&self) -> String {
        let st = &self.st;
        let mut s = String::from(st.state);
        if st.nice < 0 {
            s.push('<');
        } else if st.nice > 0 {
            s.push('N');
        }
        if st.locked.unwrap_or(0) > 0 {
            s.push('L');
        }
        if st.session == i64::from(self.info.pid()) {
            s.push('s');
        }
        if st.num_threads > 1 {
            s.push('l');
        }
        if st.tpgid != -1 && st.pgrp == st.tpgid {
            s.push('+');
        }
        s
    }
}

fn local(epoch: i64) -> Option<chrono::DateTime<chrono::Local>> {
    use chrono::TimeZone;
    chrono::Local.timestamp_opt(epoch, 0).single()
}

/// `[DD-]HH:MM:SS`.
fn clock(secs: u64) -> String {
    let (d, h, m, s) = (secs / 86400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    if d > 0 {
        format!("{d}-{h:02}:{m:02}:{s:02}")
    } else {
        format!("{h:02}:{m:02}:{s:02}")
    }
}

/// The text of one cell.
fn cell(p: &Proc, col: &Col, ctx: &Ctx, o: &Opts) -> String {
    let st = &p.st;
    let name = |id: Option<u32>, map: &HashMap<u32, String>| match id {
        Some(id) => map.get(&id).cloned().unwrap_or_else(|| id.to_string()),
        None => "?".into(),
    };
    let tenths = |v: u64| {
        if v > 999 {
            format!("{}", v / 10)
        } else {
            format!("{}.{}", v / 10, v % 10)
        }
    };
    let opt = |v: Option<u32>| v.map_or("?".to_string(), |v| v.to_string());
    match col.kind {
        Kind::Pid => p.info.pid().to_string(),
        Kind::Ppid => st.ppid.to_string(),
        Kind::Pgid => st.pgrp.to_string(),
        Kind::Sid => st.session.to_string(),
        Kind::Tpgid => st.tpgid.to_string(),
        Kind::Euser => name(p.euid(), &ctx.users),
        Kind::Ruser => name(p.ruid(), &ctx.users),
        Kind::Euid => opt(p.euid()),
        Kind::Ruid => opt(p.ruid()),
        Kind::Egroup => name(p.info.gids.get().map(|g| g.effective), &ctx.groups),
        Kind::Egid => opt(p.info.gids.get().map(|g| g.effective)),
        Kind::Pcpu => tenths(p.pcpu(ctx, o.cumulative)),
        Kind::Pmem => tenths(p.pmem(ctx)),
        Kind::Vsz => (st.vsize / 1024).to_string(),
        Kind::Rss => (p.rss_bytes(ctx) / 1024).to_string(),
        Kind::Sz => (st.vsize / 1024 / ctx.page_kb.max(1)).to_string(),
        Kind::Tty => p.tty_name(),
        Kind::Stat => p.stat(),
        Kind::State => st.state.to_string(),
        Kind::Stime => match local(p.start_epoch(ctx)) {
            Some(t) => {
                let now = local(ctx.now);
                let fmt = match now {
                    Some(n) if n.format("%Y").to_string() != t.format("%Y").to_string() => "%Y",
                    Some(n) if n.date_naive() != t.date_naive() => "%b%d",
                    _ => "%H:%M",
                };
                t.format(fmt).to_string()
            }
            None => "?".into(),
        },
        Kind::Started => match local(p.start_epoch(ctx)) {
            Some(t) if ctx.now - p.start_epoch(ctx) < 86400 => t.format("%H:%M:%S").to_string(),
            Some(t) => t.format("%b %d").to_string(),
            None => "?".into(),
        },
        Kind::Lstart => local(p.start_epoch(ctx))
            .map(|t| t.format("%a %b %e %H:%M:%S %Y").to_string())
            .unwrap_or_else(|| "?".into()),
        Kind::BsdStart => match local(p.start_epoch(ctx)) {
            Some(t) if ctx.now - p.start_epoch(ctx) < 86400 => t.format(" %H:%M").to_string(),
            Some(t) => t.format("%b %d").to_string(),
            None => "?".into(),
        },
        Kind::Time => clock(p.ticks(ctx, o.cumulative) / ctx.hz.max(1)),
        Kind::BsdTime => {
            let s = p.ticks(ctx, o.cumulative) / ctx.hz.max(1);
            format!("{}:{:02}", s / 60, s % 60)
        }
        Kind::Etime => {
            let e = p.elapsed(ctx);
            let (d, h, m, s) = (e / 86400, e / 3600 % 24, e / 60 % 60, e % 60);
            if d > 0 {
                format!("{d}-{h:02}:{m:02}:{s:02}")
            } else if h > 0 {
                format!("{h:02}:{m:02}:{s:02}")
            } else {
                format!("{m:02}:{s:02}")
            }
        }
        Kind::Etimes => p.elapsed(ctx).to_string(),
        Kind::Comm => st.comm.clone(),
        Kind::Args => p.args(),
        Kind::Ni => match st.policy {
            // Real-time policies have no nice value.
            1 | 2 | 6 => "-".into(),
            _ => st.nice.to_string(),
        },
        Kind::Pri => match o.long || o.bsd_fmt == Some('l') {
            // -l shows the kernel's priority + 60 (80 for nice 0); BSD l the raw one.
            true if o.bsd_fmt == Some('l') => st.priority.to_string(),
            true => (st.priority + 60).to_string(),
            // `-o pri`: 39 - priority, procps's "pri" mapping.
            false => (39 - st.priority).to_string(),
        },
        Kind::Psr => st.processor.to_string(),
        Kind::Nlwp => st.num_threads.to_string(),
        Kind::C => (p.pcpu(ctx, false) / 10).min(99).to_string(),
        // procps keeps only the PF_FORKNOEXEC (1) and PF_SUPERPRIV (4) bits.
        Kind::Flags => ((st.flags >> 6) & 0x5).to_string(),
        Kind::Wchan => p.wchan(),
        Kind::Addr => "-".into(),
        Kind::Rtprio => match st.policy {
            1 | 2 => st.rt_priority.to_string(),
            _ => "-".into(),
        },
        Kind::Cls | Kind::Policy => match st.policy {
            0 => "TS",
            1 => "FF",
            2 => "RR",
            3 => "B",
            5 => "IDL",
            6 => "DLN",
            _ => "?",
        }
        .into(),
        Kind::Majflt => st.majflt.to_string(),
        Kind::Minflt => st.minflt.to_string(),
        // procps: text = the code range of stat; data = the rest of VSZ.
        Kind::Trs | Kind::Drs => {
            let text = st.endcode.saturating_sub(st.startcode);
            if col.kind == Kind::Trs {
                (text / 1024).to_string()
            } else {
                (st.vsize.saturating_sub(text) / 1024).to_string()
            }
        }
        Kind::Psutil(a) => match p.info.attr_json(a, &Value::Null) {
            Some(Value::String(s)) => s,
            Some(Value::Null) | None => "-".into(),
            Some(Value::Array(v)) if v.iter().all(Value::is_string) => v
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(" "),
            // A named tuple as psutil's fields: `rss=1,vms=2,…` (one cell, no blanks).
            Some(Value::Object(m)) => m
                .iter()
                .map(|(k, v)| match v {
                    Value::String(s) => format!("{k}={s}"),
                    v => format!("{k}={v}"),
                })
                .collect::<Vec<_>>()
                .join(","),
            Some(v) => v.to_string(),
        },
    }
}

impl Proc {
    fn wchan(&self) -> String {
        if self.st.state == 'R' {
            return "-".into();
        }
        let path = pskit::Root::current()
            .proc()
            .join(format!("{}/wchan", self.info.pid()));
        match crate::fmt::read_small(&path) {
            Ok(w) if !w.is_empty() && w != "0" => w,
            _ => "-".into(),
        }
    }
}

/// A cell's JSON value: numbers as numbers.
fn json_cell(p: &Proc, col: &Col, ctx: &Ctx, o: &Opts) -> Value {
    if let Kind::Psutil(a) = col.kind {
        return p.info.attr_json(a, &Value::Null).unwrap_or(Value::Null);
    }
    let text = cell(p, col, ctx, o);
    match col.kind {
        Kind::Pcpu | Kind::Pmem => text.parse::<f64>().map(Value::from).unwrap_or(Value::Null),
        Kind::Comm
        | Kind::Args
        | Kind::Tty
        | Kind::Stat
        | Kind::State
        | Kind::Euser
        | Kind::Ruser
        | Kind::Egroup
        | Kind::Wchan
        | Kind::Cls
        | Kind::Policy
        | Kind::Stime
        | Kind::Started
        | Kind::Lstart
        | Kind::BsdStart
        | Kind::Time
        | Kind::BsdTime
        | Kind::Etime => Value::String(text),
        _ => text
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or(Value::String(text)),
    }
}

/// The attributes the columns, selection and sort need from the scan.
fn attrs_for(cols: &[Col], sort: &[Col], o: &Opts) -> Vec<Attr> {
    let mut a = vec![Attr::ProcStat];
    let mut add = |x: Attr| {
        if !a.contains(&x) {
            a.push(x)
        }
    };
    // Selecting by effective or real user needs the uids (status); `-e`, `ax`
    // and pid, ppid, command or tty lists do not.
    let everyone = o.all || (o.bsd_a && o.bsd_x);
    let lists =
        !o.pids.is_empty() || !o.ppids.is_empty() || !o.comms.is_empty() || !o.ttys.is_empty();
    if (!everyone && (!lists || o.bsd_x)) || !o.eusers.is_empty() || !o.rusers.is_empty() {
        add(Attr::Uids);
    }
    for c in cols.iter().chain(sort) {
        match c.kind {
            Kind::Euser | Kind::Ruser | Kind::Euid | Kind::Ruid => add(Attr::Uids),
            Kind::Egroup | Kind::Egid => add(Attr::Gids),
            Kind::Tty => add(Attr::Terminal),
            Kind::Args => add(Attr::Cmdline),
            // RSS as status's VmRSS: memory_info comes from status when the
            // scan reads status, which the uids make it do.
            Kind::Rss | Kind::Pmem => {
                add(Attr::MemoryInfo);
                add(Attr::Uids);
            }
            // STAT's L flag comes from status's VmLck, read with the uids.
            Kind::Stat => add(Attr::Uids),
            Kind::Psutil(x) => add(x),
            _ => {}
        }
    }
    a
}

fn user_matches(want: &[String], uid: Option<u32>, ctx: &Ctx) -> bool {
    let Some(uid) = uid else { return false };
    want.iter()
        .any(|u| u.parse::<u32>().ok() == Some(uid) || ctx.users.get(&uid).is_some_and(|n| n == u))
}

/// Orders rows depth-first from the roots (procps's forest), with depths:
/// the roots in reverse order, children in order.
fn forest(rows: Vec<Proc>) -> Vec<(Proc, usize)> {
    let present: HashSet<u32> = rows.iter().map(|r| r.info.pid()).collect();
    let mut kids: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
    let mut roots = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        let (pid, ppid) = (r.info.pid(), r.st.ppid);
        if ppid != pid && present.contains(&ppid) {
            kids.entry(ppid).or_default().push(i);
        } else {
            roots.push(i);
        }
    }
    let mut order = Vec::with_capacity(rows.len());
    // procps lists the roots last first, and each one's children in order.
    let mut stack: Vec<(usize, usize)> = roots.into_iter().map(|i| (i, 0)).collect();
    let mut seen = vec![false; rows.len()];
    while let Some((i, depth)) = stack.pop() {
        if std::mem::replace(&mut seen[i], true) {
            continue;
        }
        order.push((i, depth));
        let pid = rows[i].info.pid();
        for &k in kids.get(&pid).into_iter().flatten().rev() {
            stack.push((k, depth + 1));
        }
    }
    let mut slots: Vec<Option<Proc>> = rows.into_iter().map(Some).collect();
    order
        .into_iter()
        .filter_map(|(i, d)| Some((slots[i].take()?, d)))
        .collect()
}

/// Runs `pskit ps`.
pub fn run(args: Args) -> CmdResult {
    if args
        .raw
        .iter()
        .any(|a| a == "--help" || a == "-h" && args.raw.len() == 1)
    {
        println!("Usage:\n ps [options]\n\nBasic options: -A -e a x -a -d -N r T; -p/p/--pid, --ppid, -u/U/--user, -U/--User, -C, -t/t/--tty\nOutput formats: -f -F -l -y -j -o/o/--format (procps names, or psutil attribute names), u j l v, --forest f -H, --sort/k, h/--no-headers, --json\n\nFor more details see ps(1).");
        return Ok(ExitCode::SUCCESS);
    }
    let o = match parse(&args.raw) {
        Ok(o) => o,
        Err(msg) => return Ok(usage(&msg)),
    };
    let cols = format_of(&o);
    let sort_cols: Vec<Col> = o.sort.iter().filter_map(|(k, _)| column(k)).collect();
    let attrs = attrs_for(&cols, &sort_cols, &o);
    let needs_users = cols
        .iter()
        .chain(&sort_cols)
        .any(|c| matches!(c.kind, Kind::Euser | Kind::Ruser))
        || !o.eusers.is_empty()
        || !o.rusers.is_empty();
    let ctx = Ctx {
        hz: rustix::param::clock_ticks_per_second().max(1),
        uptime: crate::fmt::proc_uptime()?,
        boot: pskit::boot_time()?,
        now: chrono::Local::now().timestamp(),
        mem_total_kb: pskit::virtual_memory().map(|m| m.total / 1024).unwrap_or(0),
        page_kb: (rustix::param::page_size() / 1024).max(1) as u64,
        users: if needs_users {
            id_names("passwd")
        } else {
            HashMap::new()
        },
        groups: if cols.iter().any(|c| c.kind == Kind::Egroup) {
            id_names("group")
        } else {
            HashMap::new()
        },
    };
    for (want, what) in [(&o.eusers, "user"), (&o.rusers, "user")] {
        for u in want {
            if u.parse::<u32>().is_err() && !ctx.users.values().any(|n| n == u) {
                return Ok(usage(&format!("{what} name does not exist")));
            }
        }
    }
    // psutil's cpu_percent is a rate: sample once, then read again.
    if attrs.contains(&Attr::CpuPercent) {
        let _ = pskit::process_iter([Attr::CpuPercent]);
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let (infos, failed) = crate::proc_common::scan_attrs(&attrs[..])?;
    // Under a fake root this process is not in its /proc: no terminal then.
    let my_tty = pskit::Process::current()
        .and_then(|p| p.proc_stat())
        .map_or(0, |st| st.tty_nr);
    let my_euid = rustix::process::geteuid().as_raw();
    let mut rows = Vec::with_capacity(infos.len());
    for info in infos {
        let Field::Value(st) = info.proc_stat.clone() else {
            continue;
        };
        let p = Proc { info, st };
        let lists = !o.pids.is_empty()
            || !o.ppids.is_empty()
            || !o.eusers.is_empty()
            || !o.rusers.is_empty()
            || !o.comms.is_empty()
            || !o.ttys.is_empty();
        let has_tty = p.st.tty_nr != 0;
        let leader = p.st.session == i64::from(p.info.pid());
        let mut keep = if o.all || (o.bsd_a && o.bsd_x) {
            true
        } else if lists || o.bsd_a || o.bsd_x || o.unix_a || o.unix_d {
            (o.pids.contains(&p.info.pid()))
                || o.ppids.contains(&p.st.ppid)
                || user_matches(&o.eusers, p.euid(), &ctx)
                || user_matches(&o.rusers, p.ruid(), &ctx)
                || o.comms.contains(&p.st.comm)
                || o.ttys.iter().any(|t| {
                    let name = p.tty_name();
                    *t == name || t.strip_prefix("/dev/") == Some(&name)
                })
                || (o.bsd_a && has_tty)
                || (o.bsd_x && !o.bsd_a && p.euid() == Some(my_euid))
                || (o.unix_a && has_tty && !leader)
                || (o.unix_d && !leader)
        } else {
            p.euid() == Some(my_euid) && p.st.tty_nr == my_tty
        };
        if o.this_tty {
            keep = keep && p.st.tty_nr == my_tty;
        }
        if o.running {
            keep = keep && p.st.state == 'R';
        }
        if keep != o.negate {
            rows.push(p);
        }
    }
    if !o.sort.is_empty() {
        let keys: Vec<(Col, bool)> = o
            .sort
            .iter()
            .filter_map(|(k, d)| Some((column(k)?, *d)))
            .collect();
        rows.sort_by(|a, b| {
            for (col, desc) in &keys {
                let (x, y) = (json_cell(a, col, &ctx, &o), json_cell(b, col, &ctx, &o));
                let ord = match (x.as_f64(), y.as_f64()) {
                    (Some(x), Some(y)) => x.total_cmp(&y),
                    _ => x.to_string().cmp(&y.to_string()),
                };
                let ord = if *desc { ord.reverse() } else { ord };
                if ord.is_ne() {
                    return ord;
                }
            }
            std::cmp::Ordering::Equal
        });
    }
    let rows: Vec<(Proc, usize)> = if o.forest || o.hier {
        forest(rows)
    } else {
        rows.into_iter().map(|r| (r, 0)).collect()
    };
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    let result = if o.json {
        write_json(&mut out, &rows, &cols, &ctx, &o)
    } else {
        write_table(&mut out, &rows, &cols, &ctx, &o)
    };
    match result.and_then(|_| out.flush()) {
        Ok(()) => {}
        // `pskit ps | head`: a closed pipe ends quietly.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(ExitCode::SUCCESS),
        Err(e) => return Err(e.into()),
    }
    // procps exits 1 when it listed no process.
    if rows.is_empty() {
        return Ok(ExitCode::FAILURE);
    }
    Ok(crate::proc_common::unless_failed(ExitCode::SUCCESS, failed))
}

/// procps's layout: each cell padded to its width; a cell that overflows
/// pushes the rest of the line right, and later padding takes the overflow
/// back ("space borrowing"). The last column is not padded; user names wider
/// than their column end in `+`.
fn write_table(
    out: &mut impl Write,
    rows: &[(Proc, usize)],
    cols: &[Col],
    ctx: &Ctx,
    o: &Opts,
) -> std::io::Result<()> {
    let mut line = String::with_capacity(256);
    let mut emit = |cells: &mut dyn Iterator<Item = (String, &Col)>| -> std::io::Result<()> {
        line.clear();
        let mut debt = 0usize;
        let n = cols.len();
        for (i, (text, col)) in cells.enumerate() {
            // psutil-named columns (pskit's own) always keep their blank.
            if i > 0 {
                if debt > 0 && !matches!(col.kind, Kind::Psutil(_)) {
                    debt -= 1;
                } else {
                    line.push(' ');
                }
            }
            let len = text.chars().count();
            let last = i + 1 == n;
            if len >= col.width {
                debt += len - col.width;
                line.push_str(&text);
            } else if col.right {
                let pad = col.width - len;
                let take = pad.min(debt);
                debt -= take;
                line.extend(std::iter::repeat_n(' ', pad - take));
                line.push_str(&text);
            } else {
                line.push_str(&text);
                if !last {
                    let pad = col.width - len;
                    let take = pad.min(debt);
                    debt -= take;
                    line.extend(std::iter::repeat_n(' ', pad - take));
                }
            }
        }
        let end = line.trim_end_matches(' ').len();
        line.truncate(end);
        line.push('\n');
        out.write_all(line.as_bytes())
    };
    // No header line when every header is empty (`-o pid=,comm=`).
    if !o.no_header && cols.iter().any(|c| !c.header.is_empty()) {
        emit(&mut cols.iter().map(|c| (c.header.clone(), c)))?;
    }
    let n = cols.len();
    for (p, depth) in rows {
        emit(&mut cols.iter().enumerate().map(|(i, c)| {
            let mut text = cell(p, c, ctx, o);
            if matches!(c.kind, Kind::Args | Kind::Comm) && p.st.state == 'Z' {
                text.push_str(" <defunct>");
            }
            if matches!(c.kind, Kind::Args | Kind::Comm) {
                if *depth > 0 && o.forest {
                    text = format!("{} \\_ {text}", "    ".repeat(depth - 1));
                } else if *depth > 0 {
                    text = format!("{}{text}", "  ".repeat(*depth));
                }
            }
            let text = printable(&text).into_owned();
            let width = c.width;
            let text = match c.kind {
                Kind::Euser | Kind::Ruser | Kind::Egroup if text.chars().count() > width => {
                    let mut t: String = text.chars().take(width.saturating_sub(1)).collect();
                    t.push('+');
                    t
                }
                Kind::Args | Kind::Comm | Kind::Wchan if i + 1 < n => {
                    text.chars().take(width).collect()
                }
                _ => text,
            };
            (text, c)
        }))?;
    }
    Ok(())
}

/// `--json`: one object per row, streamed, keyed by the names asked for.
fn write_json(
    out: &mut impl Write,
    rows: &[(Proc, usize)],
    cols: &[Col],
    ctx: &Ctx,
    o: &Opts,
) -> std::io::Result<()> {
    out.write_all(b"[")?;
    for (i, (p, _)) in rows.iter().enumerate() {
        out.write_all(if i == 0 { b"\n  " } else { b",\n  " })?;
        let mut m = serde_json::Map::with_capacity(cols.len());
        for c in cols {
            m.insert(c.key.clone(), json_cell(p, c, ctx, o));
        }
        serde_json::to_writer(&mut *out, &m)?;
    }
    out.write_all(if rows.is_empty() { b"]\n" } else { b"\n]\n" })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(args: &[&str]) -> Opts {
        parse(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
    }

    fn headers(args: &[&str]) -> Vec<String> {
        format_of(&opts(args))
            .into_iter()
            .map(|c| c.header)
            .collect()
    }

    #[test]
    fn presets_have_procps_headers() {
        assert_eq!(headers(&[]), ["PID", "TTY", "TIME", "CMD"]);
        assert_eq!(
            headers(&["aux"]),
            [
                "USER", "PID", "%CPU", "%MEM", "VSZ", "RSS", "TTY", "STAT", "START", "TIME",
                "COMMAND"
            ]
        );
        assert_eq!(
            headers(&["-ef"]),
            ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"]
        );
        assert_eq!(headers(&["ax"]), ["PID", "TTY", "STAT", "TIME", "COMMAND"]);
        assert_eq!(
            headers(&["-el"]),
            [
                "F", "S", "UID", "PID", "PPID", "C", "PRI", "NI", "ADDR", "SZ", "WCHAN", "TTY",
                "TIME", "CMD"
            ]
        );
        assert_eq!(
            headers(&["-eo", "pid,user:20,args=CMD"]),
            ["PID", "USER", "CMD"]
        );
        assert_eq!(
            headers(&["-o", "pid,name,memory_info"]),
            ["PID", "NAME", "MEMORY_INFO"]
        );
    }

    #[test]
    fn syntaxes_and_errors() {
        let o = opts(&["-p1,2", "--sort=-%mem,+pid", "-u", "root", "p", "3", "4"]);
        assert_eq!(o.pids, [1, 2, 3, 4]);
        assert_eq!(
            o.sort,
            [("%mem".to_string(), true), ("pid".to_string(), false)]
        );
        assert_eq!(o.eusers, ["root"]);
        let bad = |a: &[&str]| parse(&a.iter().map(|s| s.to_string()).collect::<Vec<_>>()).is_err();
        assert!(bad(&["-o", "nosuch"]));
        assert!(bad(&["--sort=bogus"]));
        assert!(bad(&["-p", "x"]));
        assert!(bad(&["-p", "99999999999999999999"]));
        assert!(bad(&["-p"]));
        assert!(bad(&["--nope"]));
        assert!(bad(&["-Q"]));
        assert!(bad(&["aQ"]));
    }
}
