//! `pskit iostat`: sysstat 12's `iostat` (iostat(1) is the spec), from
//! `pskit::disk::disk_stats` (every /proc/diskstats counter, discards and
//! flushes included), `cpu_times` and /proc/uptime.
//!
//! Arguments are read as sysstat reads them: options may be grouped (`-dxz`),
//! an argument made of digits only is the interval then the count, any other
//! word is a device name (`sda`, `/dev/sda`, `ALL`), and `-p` takes an optional
//! device list. Anything else prints sysstat's usage and exits 1. The first
//! report covers the time since boot (`-y` leaves it out); each later one the
//! last interval. Figures use sysstat's formulas (tps counts reads, writes and
//! discards; %util is io_ticks over the interval; times are per request).
//! `-o JSON` prints sysstat's own JSON document; `--json` (a pskit
//! extension) prints each report as one line of JSON.

use std::collections::HashMap;
use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use pskit::disk::DiskStats;
use serde::Serialize;

use crate::fmt::CmdResult;

/// Arguments of `pskit iostat`: everything after `iostat`, parsed as sysstat does.
#[derive(clap::Args)]
pub struct Args {
    /// sysstat iostat options: [-c] [-d] [-k|-m] [-s] [-t] [-x] [-y] [-z]
    /// [--dec={0|1|2}] [-o JSON] [-p [DEV[,...]|ALL]] [DEVICE...|ALL]
    /// [INTERVAL [COUNT]]; plus --json.
    #[arg(allow_hyphen_values = true, trailing_var_arg = true, num_args = 0..)]
    raw: Vec<String>,
}

const USAGE: &str = "Usage: pskit iostat [ options ] [ <interval> [ <count> ] ]
Options are:
[ -c ] [ -d ] [ -h ] [ -k | -m ] [ -N ] [ -s ] [ -t ] [ -x ] [ -y ] [ -z ]
[ -j { ID | LABEL | PATH | UUID | ... } ]
[ --compact ] [ --dec={ 0 | 1 | 2 } ] [ --human ] [ --pretty ] [ -g <group_name> ] [ -H ]
[ -p [ <device> [,...] | ALL ] ] [ <device> [...] | ALL ] [ -o JSON ] [ --json ]
";

/// What the command line asked for.
#[derive(Debug, Default, PartialEq)]
struct Opts {
    /// `-V`: print the version and stop (sysstat does so at the letter,
    /// before reading the arguments after it).
    version: bool,
    cpu: bool,
    disk: bool,
    kilobytes: bool,
    megabytes: bool,
    short: bool,
    timestamp: bool,
    extended: bool,
    omit_since_boot: bool,
    zero_omit: bool,
    /// -p: read every line of /proc/diskstats (partitions too).
    everything: bool,
    /// Devices were named: show them even when idle since boot.
    unfiltered: bool,
    /// Every whole device (no names, or `ALL`).
    all_devices: bool,
    /// Devices named on the command line, and whether `-p` asked for their partitions.
    devices: Vec<(String, bool)>,
    interval: i64,
    /// Reports to print; negative: endless.
    count: i64,
    decimals: Option<usize>,
    json: bool,
    /// `-o JSON`: sysstat's own JSON document.
    sysstat_json: bool,
    /// `--human` (and `-h`): sizes with units (1.8M), percentages with `%`.
    human: bool,
    /// `--pretty` (and `-h`): the device name last; with -x, one table per
    /// request kind (read, write, discard, flush) unless `--compact`.
    pretty: bool,
    /// `--compact`: -x in one table even when pretty.
    compact: bool,
    /// `-g NAME`: groups, each with the index in `devices` where its
    /// members begin (the devices named after it, up to the next group).
    groups: Vec<(usize, String)>,
    /// `-H`: only the groups' rows.
    group_total_only: bool,
    /// `-N`: device-mapper devices by their mapped name (`dm-0` → `vg-root`).
    devmap_names: bool,
    /// `-j TYPE`: devices by their persistent name from /dev/disk/by-TYPE.
    persistent: Option<String>,
}

/// sysstat's `device_name`: a path is resolved and `/dev/` dropped.
fn device_name(s: &str) -> String {
    match std::fs::canonicalize(s) {
        Ok(p) => {
            let p = p.to_string_lossy().into_owned();
            p.strip_prefix("/dev/").unwrap_or(&p).replace('/', "!")
        }
        Err(_) => s.to_string(),
    }
}

/// Adds a device to the list once; `-p NAME` upgrades a plain entry.
fn add_device(list: &mut Vec<(String, bool)>, name: String, parts: bool) {
    match list.iter_mut().find(|(n, _)| *n == name) {
        Some(e) => e.1 |= parts,
        None => list.push((name, parts)),
    }
}

/// Parses the arguments as sysstat 12's main() does; `Err` means usage (exit 1).
fn parse(raw: &[String]) -> Result<Opts, ()> {
    let mut o = Opts::default();
    let mut report_set = false;
    let mut it = 0;
    let mut count = 1i64;
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mut i = 0;
    while i < raw.len() {
        let a = raw[i].as_str();
        if a == "-p" {
            i += 1;
            match raw.get(i) {
                Some(next) if !digits(next) && !next.starts_with('-') => {
                    o.unfiltered = true;
                    for t in next.split(',').filter(|t| !t.is_empty()) {
                        if t == "ALL" {
                            o.everything = true;
                        } else {
                            add_device(&mut o.devices, device_name(t), true);
                        }
                    }
                    i += 1;
                }
                _ => o.everything = true,
            }
        } else if a == "--json" {
            o.json = true;
            i += 1;
        } else if a == "-g" {
            let Some(name) = raw.get(i + 1) else {
                return Err(());
            };
            // sysstat shows a group's name after a space (" all"), cut to
            // its MAX_NAME_LEN.
            let name: String = name.chars().take(125).collect();
            o.groups.push((o.devices.len(), format!(" {name}")));
            i += 2;
        } else if a == "-j" {
            let Some(t) = raw.get(i + 1) else {
                return Err(());
            };
            if t.len() >= 31 {
                return Err(());
            }
            o.persistent = Some(t.to_lowercase());
            // Persistent names are long: pretty display, as sysstat does.
            o.pretty = true;
            i += 2;
        } else if a == "--human" {
            o.human = true;
            i += 1;
        } else if a == "--pretty" {
            o.pretty = true;
            i += 1;
        } else if a == "--compact" {
            o.compact = true;
            i += 1;
        } else if a == "-o" {
            // sysstat: `-o JSON` only (an exact, case-sensitive word).
            if raw.get(i + 1).map(String::as_str) != Some("JSON") {
                return Err(());
            }
            o.sysstat_json = true;
            i += 2;
        } else if let Some(d) = a.strip_prefix("--dec=") {
            match d {
                "0" | "1" | "2" => o.decimals = d.parse().ok(),
                _ => return Err(()),
            }
            i += 1;
        } else if let Some(flags) = a.strip_prefix('-') {
            for c in flags.chars() {
                match c {
                    'c' => {
                        o.cpu = true;
                        report_set = true;
                    }
                    'd' => {
                        o.disk = true;
                        report_set = true;
                    }
                    'h' => {
                        o.human = true;
                        o.pretty = true;
                    }
                    'H' => o.group_total_only = true,
                    'N' => o.devmap_names = true,
                    'k' if !o.megabytes => o.kilobytes = true,
                    'm' if !o.kilobytes => o.megabytes = true,
                    'p' => o.everything = true,
                    's' => o.short = true,
                    't' => o.timestamp = true,
                    'x' => o.extended = true,
                    'y' => o.omit_since_boot = true,
                    'z' => o.zero_omit = true,
                    'V' => {
                        o.version = true;
                        return Ok(o);
                    }
                    _ => return Err(()),
                }
            }
            i += 1;
        } else if !digits(a) {
            o.unfiltered = true;
            if a == "ALL" {
                o.all_devices = true;
            } else {
                add_device(&mut o.devices, device_name(a), false);
            }
            i += 1;
        } else if it == 0 {
            o.interval = crate::num::atol(a);
            count = -1;
            it = 1;
            i += 1;
        } else if it == 1 {
            count = crate::num::atol(a);
            if count < 1 || o.interval == 0 {
                return Err(());
            }
            it = -1;
            i += 1;
        } else {
            return Err(());
        }
    }
    o.count = if o.interval == 0 { 1 } else { count };
    if !report_set {
        o.cpu = true;
        o.disk = true;
    }
    if o.everything || o.extended || o.unfiltered {
        o.disk = true;
    }
    if !o.unfiltered {
        o.all_devices = true;
    }
    if o.group_total_only && o.groups.is_empty() {
        return Err(());
    }
    // Devices are listed in name order unless /proc/diskstats' order is used
    // or groups are defined (then in the order given).
    if !o.everything && o.groups.is_empty() {
        o.devices.sort();
    }
    Ok(o)
}

/// sysstat's `io_stats`: the counters it reads, times truncated to 32 bits as
/// it scans them (`%u`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Io {
    rd_ios: u64,
    rd_merges: u64,
    rd_sectors: u64,
    rd_ticks: u32,
    wr_ios: u64,
    wr_merges: u64,
    wr_sectors: u64,
    wr_ticks: u32,
    tot_ticks: u32,
    rq_ticks: u32,
    dc_ios: u64,
    dc_merges: u64,
    dc_sectors: u64,
    dc_ticks: u32,
    fl_ios: u64,
    fl_ticks: u32,
}

impl From<&DiskStats> for Io {
    fn from(d: &DiskStats) -> Io {
        Io {
            rd_ios: d.reads,
            rd_merges: d.reads_merged,
            rd_sectors: d.read_sectors,
            rd_ticks: d.read_ticks as u32,
            wr_ios: d.writes,
            wr_merges: d.writes_merged,
            wr_sectors: d.write_sectors,
            wr_ticks: d.write_ticks as u32,
            tot_ticks: d.io_ticks as u32,
            rq_ticks: d.time_in_queue as u32,
            dc_ios: d.discards,
            dc_merges: d.discards_merged,
            dc_sectors: d.discard_sectors,
            dc_ticks: d.discard_ticks as u32,
            fl_ios: d.flushes,
            fl_ticks: d.flush_ticks as u32,
        }
    }
}

/// CPU jiffies as sysstat adds them up.
#[derive(Debug, Clone, Copy, Default)]
struct Cpu {
    user: u64,
    nice: u64,
    sys: u64,
    idle: u64,
    iowait: u64,
    hardirq: u64,
    softirq: u64,
    steal: u64,
}

impl Cpu {
    fn total(&self) -> u64 {
        [
            self.user,
            self.nice,
            self.sys,
            self.idle,
            self.iowait,
            self.hardirq,
            self.steal,
            self.softirq,
        ]
        .iter()
        .fold(0u64, |a, b| a.wrapping_add(*b))
    }
}

fn read_cpu() -> pskit::Result<Cpu> {
    let t = pskit::cpu_times()?;
    let j = |s: f64| (s * 100.0).round().max(0.0) as u64;
    Ok(Cpu {
        user: j(t.user),
        nice: j(t.nice),
        sys: j(t.system),
        idle: j(t.idle),
        iowait: j(t.iowait),
        hardirq: j(t.irq),
        softirq: j(t.softirq),
        steal: j(t.steal),
    })
}

/// /proc/uptime in hundredths of a second (sysstat's `read_uptime`).
fn read_uptime_cs() -> Option<u64> {
    // Non-blocking, a regular file only: a FIFO in its place cannot hang it.
    let s = crate::fmt::read_small(&pskit::Root::current().proc().join("uptime")).ok()?;
    let first = s.split_whitespace().next()?;
    let (sec, cent) = first.split_once('.')?;
    let sec: u64 = sec.parse().ok()?;
    let cent: u64 = cent.parse().ok()?;
    Some(sec.saturating_mul(100).saturating_add(cent))
}

/// `S_VALUE`: a per-second rate of a counter over `itv` hundredths of a second.
fn s_value(old: u64, new: u64, itv: u64) -> f64 {
    new.wrapping_sub(old) as f64 / itv as f64 * 100.0
}

fn s_value32(old: u32, new: u32, itv: u64) -> f64 {
    new.wrapping_sub(old) as f64 / itv as f64 * 100.0
}

/// `ll_sp_value`: a share of the CPU time, 0 when the counter went back.
fn sp_value(old: u64, new: u64, tot: u64) -> f64 {
    if new < old {
        0.0
    } else {
        (new - old) as f64 / tot as f64 * 100.0
    }
}

/// The avg-cpu line.
#[derive(Debug, Serialize, PartialEq)]
struct AvgCpu {
    user: f64,
    nice: f64,
    system: f64,
    iowait: f64,
    steal: f64,
    idle: f64,
}

fn avg_cpu(old: &Cpu, new: &Cpu) -> AvgCpu {
    let tot = new.total().wrapping_sub(old.total()).max(1);
    AvgCpu {
        user: sp_value(old.user, new.user, tot),
        nice: sp_value(old.nice, new.nice, tot),
        system: sp_value(
            old.sys.wrapping_add(old.softirq).wrapping_add(old.hardirq),
            new.sys.wrapping_add(new.softirq).wrapping_add(new.hardirq),
            tot,
        ),
        iowait: sp_value(old.iowait, new.iowait, tot),
        steal: sp_value(old.steal, new.steal, tot),
        idle: sp_value(old.idle, new.idle, tot),
    }
}

/// One device's figures over an interval, in sysstat's units (`fctr` sectors
/// per unit: 2 for kB, 2048 for MB, 1 for blocks).
#[derive(Debug, Serialize, PartialEq, Default)]
struct Figures {
    tps: f64,
    read_s: f64,
    wrtn_s: f64,
    dscd_s: f64,
    read: u64,
    wrtn: u64,
    dscd: u64,
    r_s: f64,
    rrqm_s: f64,
    rrqm_pc: f64,
    r_await: f64,
    rareq_sz: f64,
    w_s: f64,
    wrqm_s: f64,
    wrqm_pc: f64,
    w_await: f64,
    wareq_sz: f64,
    d_s: f64,
    drqm_s: f64,
    drqm_pc: f64,
    d_await: f64,
    dareq_sz: f64,
    f_s: f64,
    f_await: f64,
    aqu_sz: f64,
    util: f64,
    rqm_s: f64,
    await_: f64,
    areq_sz: f64,
}

/// sysstat's write_basic_stat / write_ext_stat arithmetic.
fn figures(j: &Io, i: &Io, itv: u64, fctr: u64) -> Figures {
    let itv = itv.max(1);
    let f = fctr as f64;
    let sec_diff = |old: u64, new: u64| {
        let d = new.wrapping_sub(old);
        if new < old && old <= 0xffff_ffff {
            d & 0xffff_ffff
        } else {
            d
        }
    };
    let ratio = |num: f64, den: u64| if den != 0 { num / den as f64 } else { 0.0 };
    let pc = |merges: u64, ios: u64| {
        let den = merges.wrapping_add(ios);
        if den != 0 {
            merges as f64 / den as f64 * 100.0
        } else {
            0.0
        }
    };
    let rd = i.rd_ios.wrapping_sub(j.rd_ios);
    let wr = i.wr_ios.wrapping_sub(j.wr_ios);
    let dc = i.dc_ios.wrapping_sub(j.dc_ios);
    let fl = i.fl_ios.wrapping_sub(j.fl_ios);
    let rm = i.rd_merges.wrapping_sub(j.rd_merges);
    let wm = i.wr_merges.wrapping_sub(j.wr_merges);
    let dm = i.dc_merges.wrapping_sub(j.dc_merges);
    let rs = i.rd_sectors.wrapping_sub(j.rd_sectors);
    let ws = i.wr_sectors.wrapping_sub(j.wr_sectors);
    let ds = i.dc_sectors.wrapping_sub(j.dc_sectors);
    let rt = i.rd_ticks.wrapping_sub(j.rd_ticks);
    let wt = i.wr_ticks.wrapping_sub(j.wr_ticks);
    let dt = i.dc_ticks.wrapping_sub(j.dc_ticks);
    let ft = i.fl_ticks.wrapping_sub(j.fl_ticks);
    let nr = rd.wrapping_add(wr).wrapping_add(dc);
    let all_ticks = rt.wrapping_add(wt).wrapping_add(dt);
    Figures {
        tps: s_value(
            j.rd_ios.wrapping_add(j.wr_ios).wrapping_add(j.dc_ios),
            i.rd_ios.wrapping_add(i.wr_ios).wrapping_add(i.dc_ios),
            itv,
        ),
        read_s: s_value(j.rd_sectors, i.rd_sectors, itv) / f,
        wrtn_s: s_value(j.wr_sectors, i.wr_sectors, itv) / f,
        dscd_s: s_value(j.dc_sectors, i.dc_sectors, itv) / f,
        read: sec_diff(j.rd_sectors, i.rd_sectors) / fctr,
        wrtn: sec_diff(j.wr_sectors, i.wr_sectors) / fctr,
        dscd: sec_diff(j.dc_sectors, i.dc_sectors) / fctr,
        r_s: s_value(j.rd_ios, i.rd_ios, itv),
        rrqm_s: s_value(j.rd_merges, i.rd_merges, itv),
        rrqm_pc: pc(rm, rd),
        r_await: ratio(f64::from(rt), rd),
        rareq_sz: ratio(rs as f64, rd) / 2.0,
        w_s: s_value(j.wr_ios, i.wr_ios, itv),
        wrqm_s: s_value(j.wr_merges, i.wr_merges, itv),
        wrqm_pc: pc(wm, wr),
        w_await: ratio(f64::from(wt), wr),
        wareq_sz: ratio(ws as f64, wr) / 2.0,
        d_s: s_value(j.dc_ios, i.dc_ios, itv),
        drqm_s: s_value(j.dc_merges, i.dc_merges, itv),
        drqm_pc: pc(dm, dc),
        d_await: ratio(f64::from(dt), dc),
        dareq_sz: ratio(ds as f64, dc) / 2.0,
        f_s: s_value(j.fl_ios, i.fl_ios, itv),
        f_await: ratio(f64::from(ft), fl),
        aqu_sz: s_value32(j.rq_ticks, i.rq_ticks, itv) / 1000.0,
        util: s_value32(j.tot_ticks, i.tot_ticks, itv) / 10.0,
        rqm_s: s_value(
            j.rd_merges
                .wrapping_add(j.wr_merges)
                .wrapping_add(j.dc_merges),
            i.rd_merges
                .wrapping_add(i.wr_merges)
                .wrapping_add(i.dc_merges),
            itv,
        ),
        await_: ratio(f64::from(all_ticks), nr),
        areq_sz: ratio(rs.wrapping_add(ws).wrapping_add(ds) as f64, nr) / 2.0,
    }
}

/// One sample: uptime, CPU, and every device's counters with whether it is a
/// whole device (has a /sys/block entry).
struct Sample {
    uptime_cs: u64,
    cpu: Cpu,
    disks: Vec<(String, Io, bool)>,
}

fn is_whole_device(name: &str) -> bool {
    pskit::Root::current()
        .sys()
        .join("block")
        .join(name.replace('/', "!"))
        .exists()
}

fn take_sample() -> Result<Sample, String> {
    let cpu = read_cpu().map_err(|e| e.to_string())?;
    let uptime_cs = read_uptime_cs().ok_or("Cannot read /proc/uptime")?;
    let disks = pskit::disk::disk_stats()
        .map_err(|_| "Cannot find disk data".to_string())?
        .iter()
        .map(|d| (d.name.clone(), Io::from(d), is_whole_device(&d.name)))
        .collect();
    Ok(Sample {
        uptime_cs,
        cpu,
        disks,
    })
}

/// The devices to consider, in display order, with their counters: sysstat's
/// device list for the options given.
fn select<'a>(o: &Opts, s: &'a Sample) -> Vec<(String, &'a Io)> {
    if o.everything && o.devices.is_empty() {
        return s.disks.iter().map(|(n, io, _)| (n.clone(), io)).collect();
    }
    let find = |name: &str| s.disks.iter().find(|(n, _, _)| n == name);
    let mut names: Vec<String> = Vec::new();
    if o.all_devices {
        names.extend(s.disks.iter().filter(|d| d.2).map(|d| d.0.clone()));
    }
    for (name, parts) in &o.devices {
        let shown = name.replace('!', "/");
        names.push(shown.clone());
        if *parts {
            let dir = pskit::Root::current().sys().join("block").join(name);
            names.extend(
                s.disks
                    .iter()
                    .filter(|(n, _, _)| *n != shown && dir.join(n).join("stat").exists())
                    .map(|d| d.0.clone()),
            );
        }
    }
    if !o.everything && o.groups.is_empty() {
        names.sort();
        names.dedup();
    } else {
        let mut seen = std::collections::HashSet::new();
        names.retain(|n| seen.insert(n.clone()));
    }
    names
        .into_iter()
        .filter_map(|n| find(&n).map(|(_, io, _)| (n, io)))
        .collect()
}

/// The directory of `-j TYPE`'s names: /dev/disk/by-TYPE.
fn persistent_dir(t: &str) -> std::path::PathBuf {
    pskit::Root::current().dev().join(format!("disk/by-{t}"))
}

/// `-j`: device name → persistent name, from the links of /dev/disk/by-TYPE
/// in name order (the first link to a device wins, as sysstat's alphasort
/// scan finds it).
fn persistent_names(o: &Opts) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let Some(t) = &o.persistent else {
        return out;
    };
    let Ok(rd) = std::fs::read_dir(persistent_dir(t)) else {
        return out;
    };
    let mut links: Vec<(String, std::path::PathBuf)> = rd
        .filter_map(|e| e.ok())
        .filter_map(|e| Some((e.file_name().into_string().ok()?, e.path())))
        .collect();
    links.sort();
    for (link, path) in links {
        let Ok(target) = std::fs::read_link(&path) else {
            continue;
        };
        if let Some(dev) = target.file_name().and_then(|n| n.to_str()) {
            out.entry(dev.to_string()).or_insert(link);
        }
    }
    out
}

/// The name a device is shown by: its persistent name (`-j`), else with
/// `-N` a device-mapper device's mapped name (/sys/block/dm-N/dm/name), else
/// its kernel name.
fn display_name(o: &Opts, name: &str, persistent: &HashMap<String, String>) -> String {
    if let Some(p) = persistent.get(name) {
        return p.clone();
    }
    if o.devmap_names && name.starts_with("dm-") {
        let path = pskit::Root::current()
            .sys()
            .join("block")
            .join(name)
            .join("dm/name");
        if let Ok(mapped) = crate::fmt::read_small(&path) {
            let mapped = mapped.trim();
            if !mapped.is_empty() && !mapped.contains('/') {
                return mapped.to_string();
            }
        }
    }
    name.to_string()
}

/// The rows in display order with their current and previous counters and
/// member counts (0 for a device): with `-g`, each group's row follows its
/// members and sums their counters (the previous ones too), and `-H` keeps
/// only the groups. Devices before the first `-g` stay on their own.
fn with_groups(
    o: &Opts,
    rows: Vec<(String, &Io)>,
    prev_io: &HashMap<String, Io>,
) -> Vec<(String, Io, Io, usize)> {
    let zero = Io::default();
    let prev = |n: &str| *prev_io.get(n).unwrap_or(&zero);
    if o.groups.is_empty() {
        return rows
            .into_iter()
            .map(|(n, io)| {
                let p = prev(&n);
                (n, *io, p, 0)
            })
            .collect();
    }
    // Which group a named device belongs to: the last one defined before it.
    let group_of = |name: &str| -> Option<usize> {
        let idx = o
            .devices
            .iter()
            .position(|(d, _)| d.replace('!', "/") == name)
            .unwrap_or(o.devices.len());
        o.groups.iter().rposition(|(start, _)| *start <= idx)
    };
    let mut out = Vec::new();
    let mut current: Option<(usize, Io, Io, usize)> = None;
    let flush = |g: Option<(usize, Io, Io, usize)>, out: &mut Vec<(String, Io, Io, usize)>| {
        if let Some((k, cur, old, n)) = g {
            out.push((o.groups[k].1.clone(), cur, old, n.max(1)));
        }
    };
    for (name, io) in rows {
        let g = group_of(&name);
        if current.as_ref().map(|c| c.0) != g {
            flush(current.take(), &mut out);
            current = g.map(|k| (k, Io::default(), Io::default(), 0));
        }
        let p = prev(&name);
        if let Some(c) = current.as_mut() {
            let active = |x: &Io| x.rd_ios != 0 || x.wr_ios != 0 || x.dc_ios != 0 || x.fl_ios != 0;
            if o.unfiltered || active(io) {
                c.1 = c.1.plus(io);
                c.2 = c.2.plus(&p);
                c.3 += 1;
            }
            if o.group_total_only {
                continue;
            }
        }
        out.push((name, *io, p, 0));
    }
    flush(current, &mut out);
    // Groups with no member present still show (as zeros), after the rest.
    for (_, gname) in &o.groups {
        if !out.iter().any(|r| r.0 == *gname) {
            out.push((gname.clone(), Io::default(), Io::default(), 1));
        }
    }
    out
}

impl Io {
    /// The counters of two devices added (sysstat's compute_device_groups_stats;
    /// wrapping, as its unsigned sums do).
    fn plus(&self, b: &Io) -> Io {
        Io {
            rd_ios: self.rd_ios.wrapping_add(b.rd_ios),
            rd_merges: self.rd_merges.wrapping_add(b.rd_merges),
            rd_sectors: self.rd_sectors.wrapping_add(b.rd_sectors),
            rd_ticks: self.rd_ticks.wrapping_add(b.rd_ticks),
            wr_ios: self.wr_ios.wrapping_add(b.wr_ios),
            wr_merges: self.wr_merges.wrapping_add(b.wr_merges),
            wr_sectors: self.wr_sectors.wrapping_add(b.wr_sectors),
            wr_ticks: self.wr_ticks.wrapping_add(b.wr_ticks),
            tot_ticks: self.tot_ticks.wrapping_add(b.tot_ticks),
            rq_ticks: self.rq_ticks.wrapping_add(b.rq_ticks),
            dc_ios: self.dc_ios.wrapping_add(b.dc_ios),
            dc_merges: self.dc_merges.wrapping_add(b.dc_merges),
            dc_sectors: self.dc_sectors.wrapping_add(b.dc_sectors),
            dc_ticks: self.dc_ticks.wrapping_add(b.dc_ticks),
            fl_ios: self.fl_ios.wrapping_add(b.fl_ios),
            fl_ticks: self.fl_ticks.wrapping_add(b.fl_ticks),
        }
    }
}

/// How numbers are printed: sysstat's widths, with `--dec` decimals, and
/// with `--human` its units and percent signs (common.c's cprintf_*).
struct Fmt {
    decimals: Option<usize>,
    human: bool,
}

/// What a cell holds, for `--human`.
#[derive(Clone, Copy)]
enum Cell {
    /// A plain number (cprintf_f, NO_UNIT).
    Num(usize, f64),
    /// Sectors (per second or in all): kB, MB, … with --human.
    Sectors(usize, f64),
    /// Kilobytes: k, M, … with --human.
    Kilobytes(usize, f64),
    /// A whole count of sectors (cprintf_u64).
    Count(usize, u64),
    /// A percentage (cprintf_pc).
    Percent(usize, f64),
}

impl Fmt {
    fn f(&self, out: &mut String, w: usize, v: f64) {
        let d = self.decimals.unwrap_or(2);
        out.push_str(&format!(" {v:>w$.d$}"));
    }

    /// cprintf_unit: a value scaled by 1024 while it is ≥ 1024, with its
    /// unit letter; one decimal unless `--dec=0`.
    fn unit(&self, out: &mut String, unit: usize, wi: usize, v: f64) {
        const UNITS: [char; 8] = ['s', 'B', 'k', 'M', 'G', 'T', 'P', '?'];
        let wi = wi.max(4);
        let (mut unit, mut v) = if unit == 0 { (2, v / 2.0) } else { (unit, v) };
        while v >= 1024.0 {
            v /= 1024.0;
            unit += 1;
        }
        let d = if self.decimals == Some(0) { 0 } else { 1 };
        out.push_str(&format!(" {v:>w$.d$}{}", UNITS[unit.min(7)], w = wi - 1));
    }

    fn cell(&self, out: &mut String, c: Cell) {
        match (c, self.human) {
            (Cell::Num(w, v), _) | (Cell::Sectors(w, v) | Cell::Kilobytes(w, v), false) => {
                self.f(out, w, v)
            }
            (Cell::Sectors(w, v), true) => self.unit(out, 0, w, v),
            (Cell::Kilobytes(w, v), true) => self.unit(out, 2, w, v),
            (Cell::Count(w, v), false) => out.push_str(&format!(" {v:>w$}")),
            (Cell::Count(w, v), true) => self.unit(out, 0, w, v as f64),
            (Cell::Percent(w, v), false) => self.f(out, w, v),
            (Cell::Percent(w, v), true) => {
                let d = self.decimals.unwrap_or(2);
                let d = if d > 1 { d - 1 } else { d };
                out.push_str(&format!(" {v:>w$.d$}%", w = w.max(4) - 1));
            }
        }
    }
}

/// The JSON form of one report (`--json`).
#[derive(Serialize)]
struct JsonReport {
    interval_secs: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    timestamp: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    avg_cpu: Option<AvgCpu>,
    #[serde(skip_serializing_if = "Option::is_none")]
    devices: Option<pskit::IndexMap<String, Figures>>,
}

/// `strftime` in the user's locale, as sysstat prints dates.
fn strftime(fmt: &str, t: libc::time_t) -> String {
    let Ok(cfmt) = std::ffi::CString::new(fmt) else {
        return String::new();
    };
    // SAFETY: `tm` is plain data filled by localtime_r; `buf` is large enough
    // and strftime never writes past the size given.
    unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&t, &mut tm).is_null() {
            return String::new();
        }
        let mut buf = [0u8; 128];
        let n = libc::strftime(buf.as_mut_ptr().cast(), buf.len(), cfmt.as_ptr(), &tm);
        String::from_utf8_lossy(&buf[..n]).into_owned()
    }
}

fn now() -> libc::time_t {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as libc::time_t)
        .unwrap_or(0)
}

fn iso() -> bool {
    std::env::var("S_TIME_FORMAT").is_ok_and(|v| v == "ISO")
}

/// sysstat's count of CPUs: the cpuN directories in sysfs.
fn cpu_nr() -> usize {
    let n = std::fs::read_dir(pskit::Root::current().sys().join("devices/system/cpu"))
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter(|e| {
                    let n = e.file_name();
                    let n = n.to_string_lossy();
                    n.strip_prefix("cpu")
                        .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()))
                        && e.path().is_dir()
                })
                .count()
        })
        .unwrap_or(0);
    if n > 0 {
        n
    } else {
        pskit::cpu_count(true).unwrap_or(1) as usize
    }
}

/// The banner: `Linux 6.1.0 (host) \t01/02/24 \t_x86_64_\t(8 CPU)`.
fn banner() -> String {
    // SAFETY: uname fills a zeroed utsname; its fields are NUL-terminated.
    let (sys, rel, node, mach) = unsafe {
        let mut u: libc::utsname = std::mem::zeroed();
        libc::uname(&mut u);
        let s = |f: &[libc::c_char]| {
            std::ffi::CStr::from_ptr(f.as_ptr())
                .to_string_lossy()
                .into_owned()
        };
        (s(&u.sysname), s(&u.release), s(&u.nodename), s(&u.machine))
    };
    let date = strftime(if iso() { "%Y-%m-%d" } else { "%x" }, now());
    format!(
        "{sys} {rel} ({node}) \t{date} \t_{mach}_\t({} CPU)\n",
        cpu_nr()
    )
}

struct Units {
    fctr: u64,
    name: &'static str,
    spc: &'static str,
}

fn units(o: &Opts) -> Units {
    if o.megabytes {
        Units {
            fctr: 2048,
            name: "MB",
            spc: " ",
        }
    } else if o.kilobytes || std::env::var_os("POSIXLY_CORRECT").is_none() {
        Units {
            fctr: 2,
            name: "kB",
            spc: " ",
        }
    } else if o.extended {
        Units {
            fctr: 1,
            name: "sec",
            spc: "",
        }
    } else {
        Units {
            fctr: 1,
            name: "Blk",
            spc: "",
        }
    }
}

/// The disk table's header; `part` 1–4 is one of pretty -x's four tables
/// (read, write, discard, flush), 0 all of it.
fn disk_header(o: &Opts, u: &Units, part: u8) -> String {
    let (s, n) = (u.spc, u.name);
    let mut h = String::new();
    if !o.pretty {
        h += "Device       ";
    }
    let on = |p: u8| part == 0 || part == p;
    if o.extended {
        if o.short {
            h += &format!("      tps     {s}{n}/s    rqm/s   await  areq-sz  aqu-sz  %util");
        } else {
            if on(1) {
                h += &format!("     r/s    {s}r{n}/s   rrqm/s  %rrqm r_await rareq-sz");
            }
            if on(2) {
                h += &format!("     w/s    {s}w{n}/s   wrqm/s  %wrqm w_await wareq-sz");
            }
            if on(3) {
                h += &format!("     d/s    {s}d{n}/s   drqm/s  %drqm d_await dareq-sz");
            }
            if on(4) {
                h += "     f/s f_await  aqu-sz  %util";
            }
        }
    } else if o.short {
        h += &format!("      tps   {s}{n}_read/s    {s}{n}_w+d/s   {s}{n}_read    {s}{n}_w+d");
    } else {
        h += &format!(
            "      tps   {s}{n}_read/s   {s}{n}_wrtn/s   {s}{n}_dscd/s   {s}{n}_read   {s}{n}_wrtn   {s}{n}_dscd"
        );
    }
    if o.pretty {
        h += " Device";
    }
    h.push('\n');
    h
}

/// One device's row (of table `part`, as in [`disk_header`]).
fn disk_row(o: &Opts, fm: &Fmt, name: &str, x: &Figures, part: u8) -> String {
    use Cell::*;
    let mut r = String::new();
    if !o.pretty {
        r = format!("{name:<13}");
    }
    let on = |p: u8| part == 0 || part == p;
    let mut cells: Vec<Cell> = Vec::new();
    if o.extended {
        if o.short {
            cells.extend([
                Num(8, x.tps),
                Sectors(9, x.read_s + x.wrtn_s + x.dscd_s),
                Num(8, x.rqm_s),
                Num(7, x.await_),
                Kilobytes(8, x.areq_sz),
                Num(7, x.aqu_sz),
                Percent(6, x.util),
            ]);
        } else {
            if on(1) {
                cells.extend([
                    Num(7, x.r_s),
                    Sectors(9, x.read_s),
                    Num(8, x.rrqm_s),
                    Percent(6, x.rrqm_pc),
                    Num(7, x.r_await),
                    Kilobytes(8, x.rareq_sz),
                ]);
            }
            if on(2) {
                cells.extend([
                    Num(7, x.w_s),
                    Sectors(9, x.wrtn_s),
                    Num(8, x.wrqm_s),
                    Percent(6, x.wrqm_pc),
                    Num(7, x.w_await),
                    Kilobytes(8, x.wareq_sz),
                ]);
            }
            if on(3) {
                cells.extend([
                    Num(7, x.d_s),
                    Sectors(9, x.dscd_s),
                    Num(8, x.drqm_s),
                    Percent(6, x.drqm_pc),
                    Num(7, x.d_await),
                    Kilobytes(8, x.dareq_sz),
                ]);
            }
            if on(4) {
                cells.extend([
                    Num(7, x.f_s),
                    Num(7, x.f_await),
                    Num(7, x.aqu_sz),
                    Percent(6, x.util),
                ]);
            }
        }
    } else if o.short {
        cells.extend([
            Num(8, x.tps),
            Sectors(12, x.read_s),
            Sectors(12, x.wrtn_s + x.dscd_s),
            Count(10, x.read),
            Count(10, x.wrtn.wrapping_add(x.dscd)),
        ]);
    } else {
        cells.extend([
            Num(8, x.tps),
            Sectors(12, x.read_s),
            Sectors(12, x.wrtn_s),
            Sectors(12, x.dscd_s),
            Count(10, x.read),
            Count(10, x.wrtn),
            Count(10, x.dscd),
        ]);
    }
    for c in cells {
        fm.cell(&mut r, c);
    }
    if o.pretty {
        r.push(' ');
        r.push_str(name);
    }
    r.push('\n');
    r
}

/// The start of sysstat's JSON document (`-o JSON`): the host and the
/// opening of the statistics array.
fn sysstat_json_head() -> String {
    // SAFETY: uname fills a zeroed utsname; its fields are NUL-terminated.
    let (sys, rel, node, mach) = unsafe {
        let mut u: libc::utsname = std::mem::zeroed();
        libc::uname(&mut u);
        let s = |f: &[libc::c_char]| {
            std::ffi::CStr::from_ptr(f.as_ptr())
                .to_string_lossy()
                .into_owned()
        };
        (s(&u.sysname), s(&u.release), s(&u.nodename), s(&u.machine))
    };
    let date = strftime(if iso() { "%Y-%m-%d" } else { "%x" }, now());
    format!(
        "{{\"sysstat\": {{\n\t\"hosts\": [\n\t\t{{\n\
         \t\t\t\"nodename\": \"{node}\",\n\t\t\t\"sysname\": \"{sys}\",\n\
         \t\t\t\"release\": \"{rel}\",\n\t\t\t\"machine\": \"{mach}\",\n\
         \t\t\t\"number-of-cpus\": {},\n\t\t\t\"date\": \"{date}\",\n\
         \t\t\t\"statistics\": [\n",
        cpu_nr()
    )
}

static SIGINT: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

extern "C" fn on_sigint(_: libc::c_int) {
    SIGINT.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// With `-o JSON`, Ctrl-C ends the document instead of the process (as
/// sysstat's int_handler does), so the output stays valid JSON.
fn catch_sigint() {
    // SAFETY: the handler only stores to an atomic, which is
    // async-signal-safe.
    unsafe {
        libc::signal(
            libc::SIGINT,
            on_sigint as extern "C" fn(libc::c_int) as libc::sighandler_t,
        );
    }
}

fn sigint_caught() -> bool {
    SIGINT.load(std::sync::atomic::Ordering::Relaxed)
}

/// The end of sysstat's JSON document.
const SYSSTAT_JSON_TAIL: &str = "\t\t\t]\n\t\t}\n\t]\n}}\n";

/// One report as sysstat's `-o JSON` writes it: an object with the
/// timestamp, "avg-cpu" and the "disk" array, tab-indented, keys and number
/// formats as sysstat 12.6 prints them.
fn sysstat_json_report(
    o: &Opts,
    u: &Units,
    stamp: Option<String>,
    cpu: Option<AvgCpu>,
    devices: &pskit::IndexMap<String, Figures>,
    out: &mut String,
) {
    use std::fmt::Write as _;
    out.push_str("\t\t\t\t{\n");
    if let Some(s) = stamp {
        let _ = writeln!(out, "\t\t\t\t\t\"timestamp\": \"{s}\",");
    }
    if let Some(c) = cpu {
        let _ = write!(
            out,
            "\t\t\t\t\t\"avg-cpu\":  {{\"user\": {:.2}, \"nice\": {:.2}, \"system\": {:.2}, \
             \"iowait\": {:.2}, \"steal\": {:.2}, \"idle\": {:.2}}}",
            c.user, c.nice, c.system, c.iowait, c.steal, c.idle
        );
        if o.disk {
            out.push(',');
        }
        out.push('\n');
    }
    if o.disk {
        out.push_str("\t\t\t\t\t\"disk\": [\n");
        let n = u.name;
        let name = json_escape;
        for (i, (dev, x)) in devices.iter().enumerate() {
            if i > 0 {
                out.push_str(",\n");
            }
            let _ = write!(out, "\t\t\t\t\t\t{{\"disk_device\": \"{}\", ", name(dev));
            if o.extended {
                if o.short {
                    let unit = if n == "Blk" { "sec" } else { n };
                    let _ = write!(
                        out,
                        "\"tps\": {:.2}, \"{unit}/s\": {:.2}, \"rqm/s\": {:.2}, \"await\": {:.2}, \
                         \"areq-sz\": {:.2}, \"aqu-sz\": {:.2}, ",
                        x.tps,
                        x.read_s + x.wrtn_s + x.dscd_s,
                        x.rqm_s,
                        x.await_,
                        x.areq_sz,
                        x.aqu_sz
                    );
                } else {
                    let p = if n == "Blk" || n == "sec" { "sec" } else { n };
                    let _ = write!(
                        out,
                        "\"r/s\": {:.2}, \"w/s\": {:.2}, \"d/s\": {:.2}, \"f/s\": {:.2}, \
                         \"r{p}/s\": {:.2}, \"w{p}/s\": {:.2}, \"d{p}/s\": {:.2}, \
                         \"rrqm/s\": {:.2}, \"wrqm/s\": {:.2}, \"drqm/s\": {:.2}, \
                         \"rrqm\": {:.2}, \"wrqm\": {:.2}, \"drqm\": {:.2}, \
                         \"r_await\": {:.2}, \"w_await\": {:.2}, \"d_await\": {:.2}, \"f_await\": {:.2}, \
                         \"rareq-sz\": {:.2}, \"wareq-sz\": {:.2}, \"dareq-sz\": {:.2}, \
                         \"aqu-sz\": {:.2}, ",
                        x.r_s,
                        x.w_s,
                        x.d_s,
                        x.f_s,
                        x.read_s,
                        x.wrtn_s,
                        x.dscd_s,
                        x.rrqm_s,
                        x.wrqm_s,
                        x.drqm_s,
                        x.rrqm_pc,
                        x.wrqm_pc,
                        x.drqm_pc,
                        x.r_await,
                        x.w_await,
                        x.d_await,
                        x.f_await,
                        x.rareq_sz,
                        x.wareq_sz,
                        x.dareq_sz,
                        x.aqu_sz
                    );
                }
                let _ = write!(out, "\"util\": {:.2}}}", x.util);
            } else {
                let _ = write!(
                    out,
                    "\"tps\": {:.2}, \"{n}_read/s\": {:.2}, \"{n}_wrtn/s\": {:.2}, \"{n}_dscd/s\": {:.2}, \
                     \"{n}_read\": {}, \"{n}_wrtn\": {}, \"{n}_dscd\": {}}}",
                    x.tps, x.read_s, x.wrtn_s, x.dscd_s, x.read, x.wrtn, x.dscd
                );
            }
        }
        out.push_str("\n\t\t\t\t\t]\n");
    }
    out.push_str("\t\t\t\t}");
}

/// A device name inside a JSON string (sysstat prints it raw; a name with a
/// quote or a control character would break the document, so those are
/// escaped).
fn json_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Writes one report (sysstat's write_stats); `skip` computes nothing visible.
fn write_report(
    o: &Opts,
    prev: &Sample,
    cur: &Sample,
    prev_io: &HashMap<String, Io>,
    out: &mut String,
) {
    let human = o.human && !o.sysstat_json && !o.json;
    let fm = Fmt {
        decimals: o.decimals,
        human,
    };
    let u = units(o);
    // --human prints sectors with their own units: nothing divided first.
    let fctr = if human { 1 } else { u.fctr };
    let itv = cur.uptime_cs.wrapping_sub(prev.uptime_cs).max(1);
    let stamp = o
        .timestamp
        .then(|| strftime(if iso() { "%FT%T%z" } else { "%x %X" }, now()));
    let cpu = o.cpu.then(|| avg_cpu(&prev.cpu, &cur.cpu));
    let mut devices = pskit::IndexMap::new();
    if o.disk {
        let zero = Io::default();
        let names = persistent_names(o);
        for (name, ioi, ioj, members) in with_groups(o, select(o, cur), prev_io) {
            let (ioi, ioj) = (&ioi, &ioj);
            let mut ioj = ioj;
            let ios = |x: &Io| [x.rd_ios, x.wr_ios, x.dc_ios, x.fl_ios];
            if !o.unfiltered && ios(ioi) == [0; 4] {
                continue;
            }
            if o.zero_omit && ios(ioi) == ios(ioj) {
                continue;
            }
            let sum = |x: &Io| ios(x).iter().fold(0u64, |a, b| a.wrapping_add(*b));
            if sum(ioi) < sum(ioj)
                && (ioj.rd_sectors == 0 || ioi.rd_sectors < ioj.rd_sectors)
                && (ioj.wr_sectors == 0 || ioi.wr_sectors < ioj.wr_sectors)
                && (ioj.dc_sectors == 0 || ioi.dc_sectors < ioj.dc_sectors)
            {
                ioj = &zero;
            }
            let mut x = figures(ioj, ioi, itv, fctr);
            if members > 1 {
                // A group's %util is its members' average.
                x.util /= members as f64;
            }
            let name = if members == 0 {
                display_name(o, &name, &names)
            } else {
                name
            };
            devices.insert(name, x);
        }
    }
    if o.sysstat_json {
        sysstat_json_report(o, &u, stamp, cpu, &devices, out);
        return;
    }
    if o.json {
        let r = JsonReport {
            interval_secs: itv as f64 / 100.0,
            timestamp: stamp,
            avg_cpu: cpu,
            devices: o.disk.then_some(devices),
        };
        if let Ok(s) = serde_json::to_string(&r) {
            out.push_str(&s);
            out.push('\n');
        }
        return;
    }
    if let Some(s) = stamp {
        out.push_str(&s);
        out.push('\n');
    }
    if let Some(c) = cpu {
        out.push_str("avg-cpu:  %user   %nice %system %iowait  %steal   %idle\n");
        out.push_str("       ");
        for v in [c.user, c.nice, c.system, c.iowait, c.steal, c.idle] {
            fm.cell(out, Cell::Percent(7, v));
        }
        out.push_str("\n\n");
    }
    if o.disk {
        // Pretty -x: one table per request kind, a blank line between.
        let parts: &[u8] = if o.pretty && o.extended && !o.short && !o.compact {
            &[1, 2, 3, 4]
        } else {
            &[0]
        };
        for (k, &part) in parts.iter().enumerate() {
            out.push_str(&disk_header(o, &u, part));
            for (name, x) in &devices {
                out.push_str(&disk_row(o, &fm, name, x, part));
            }
            if k + 1 < parts.len() {
                out.push('\n');
            }
        }
    }
    out.push('\n');
}

/// Runs `pskit iostat`.
pub fn run(args: Args) -> CmdResult {
    let Ok(o) = parse(&args.raw) else {
        eprint!("{USAGE}");
        return Ok(ExitCode::FAILURE);
    };
    if o.version {
        println!("pskit iostat version {}", env!("CARGO_PKG_VERSION"));
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(t) = &o.persistent {
        if std::fs::read_dir(persistent_dir(t)).is_err() {
            eprintln!("Invalid type of persistent device name");
            return Ok(ExitCode::FAILURE);
        }
    }
    let mut stdout = std::io::stdout().lock();
    if o.sysstat_json {
        catch_sigint();
        let _ = stdout.write_all(sysstat_json_head().as_bytes());
        let _ = stdout.flush();
    } else if !o.json {
        let _ = writeln!(stdout, "{}", banner());
        let _ = stdout.flush();
    }
    let mut skip = o.omit_since_boot && o.interval > 0;
    let mut count = o.count;
    let mut prev = Sample {
        uptime_cs: 0,
        cpu: Cpu::default(),
        disks: Vec::new(),
    };
    let pause = Duration::from_secs(o.interval.max(0) as u64);
    let start = Instant::now();
    let mut n: u32 = 0;
    loop {
        let cur = match take_sample() {
            Ok(s) => s,
            Err(msg) => {
                eprintln!("{}: {msg}", crate::fmt::prog("iostat"));
                return Ok(ExitCode::from(2));
            }
        };
        let prev_io: HashMap<String, Io> = prev
            .disks
            .iter()
            .map(|(n, io, _)| (n.clone(), *io))
            .collect();
        let mut out = String::new();
        if !skip {
            write_report(&o, &prev, &cur, &prev_io, &mut out);
            if count > 0 {
                count -= 1;
            }
        }
        // Read once: a Ctrl-C between two looks must not end the run
        // without closing the document.
        let last = count == 0 || sigint_caught();
        if o.sysstat_json {
            // After the last report, a newline and the document's end; the
            // comma between reports comes after the pause (below), so Ctrl-C
            // during it still leaves valid JSON, as in sysstat.
            if last {
                out.push('\n');
                out.push_str(SYSSTAT_JSON_TAIL);
            }
        } else if !o.json {
            out.push('\n');
        }
        let _ = stdout.write_all(out.as_bytes());
        let _ = stdout.flush();
        if last {
            break;
        }
        prev = cur;
        // Reports come at a steady pace, as sysstat's alarm() gives them.
        n = n.saturating_add(1);
        let due = pause.checked_mul(n).and_then(|d| start.checked_add(d));
        // With -o JSON, the pause ends early on Ctrl-C (checked every 50 ms).
        let step = if o.sysstat_json {
            Duration::from_millis(50)
        } else {
            Duration::MAX
        };
        loop {
            let left = match due {
                Some(due) => due.saturating_duration_since(Instant::now()),
                None => Duration::from_secs(u32::MAX.into()),
            };
            if left.is_zero() || sigint_caught() {
                break;
            }
            std::thread::sleep(left.min(step));
        }
        if o.sysstat_json {
            let stop = sigint_caught();
            let text = if stop {
                format!("\n{SYSSTAT_JSON_TAIL}")
            } else if skip {
                "\n".to_string()
            } else {
                ",\n".to_string()
            };
            let _ = stdout.write_all(text.as_bytes());
            let _ = stdout.flush();
            if stop {
                break;
            }
        }
        skip = false;
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Result<Opts, ()> {
        let v: Vec<String> = s.split_whitespace().map(String::from).collect();
        parse(&v)
    }

    #[test]
    fn version_stops_at_the_letter() {
        assert!(args("-V").unwrap().version);
        assert!(args("-xV 1 0").unwrap().version);
        assert!(args("-V 1 0").unwrap().version);
        assert!(!args("-x").unwrap().version);
        assert!(args("-Q -V").is_err());
    }

    #[test]
    fn arguments_as_sysstat_reads_them() {
        let o = args("").unwrap();
        assert!(o.cpu && o.disk && o.all_devices && !o.unfiltered);
        assert_eq!((o.interval, o.count), (0, 1));
        let o = args("-dxz 2 5").unwrap();
        assert!(!o.cpu && o.disk && o.extended && o.zero_omit);
        assert_eq!((o.interval, o.count), (2, 5));
        assert_eq!(args("3").unwrap().count, -1);
        assert_eq!(args("0").unwrap().count, 1);
        let o = args("-c").unwrap();
        assert!(o.cpu && !o.disk);
        let o = args("-c -x").unwrap();
        assert!(o.cpu && o.disk);
        // Words that are not all digits are device names, as in sysstat.
        let o = args("1e300").unwrap();
        assert_eq!(o.devices, [("1e300".to_string(), false)]);
        assert!(o.unfiltered && !o.all_devices);
        let o = args("99999999999999999999999 5").unwrap();
        assert_eq!((o.interval, o.count), (i64::MAX, 5));
        for bad in [
            "-1", "-q", "1 0", "0 5", "1 2 3", "-k -m", "-mk", "--dec=3", "--help",
        ] {
            assert!(args(bad).is_err(), "{bad}");
        }
        let o = args("-p ALL").unwrap();
        assert!(o.everything && o.unfiltered);
        let o = args("-p 1").unwrap();
        assert!(o.everything && !o.unfiltered);
        assert_eq!(o.interval, 1);
        let o = args("-p zz,aa").unwrap();
        assert!(!o.everything && o.unfiltered);
        assert_eq!(o.devices, [("aa".into(), true), ("zz".into(), true)]);
        let o = args("ALL").unwrap();
        assert!(o.all_devices && o.unfiltered);
        // Groups keep the order given; -H needs a group; -g needs a name.
        let o = args("zz -g all vdb vda -g two sdz").unwrap();
        assert_eq!(o.groups, [(1, " all".to_string()), (3, " two".to_string())]);
        let names: Vec<&str> = o.devices.iter().map(|d| d.0.as_str()).collect();
        assert_eq!(names, ["zz", "vdb", "vda", "sdz"]);
        assert!(args("-H").is_err() && args("-g").is_err());
        assert!(args("-H -g g vda").unwrap().group_total_only);
        let io = Io {
            rd_ios: 3,
            tot_ticks: 10,
            ..Default::default()
        };
        let rows = vec![
            ("zz".to_string(), &io),
            ("vdb".to_string(), &io),
            ("vda".to_string(), &io),
        ];
        let o = args("zz -g all vdb vda").unwrap();
        let g = with_groups(&o, rows, &HashMap::new());
        let shown: Vec<(&str, u64, usize)> =
            g.iter().map(|r| (r.0.as_str(), r.1.rd_ios, r.3)).collect();
        assert_eq!(
            shown,
            [("zz", 3, 0), ("vdb", 3, 0), ("vda", 3, 0), (" all", 6, 2)]
        );
    }

    #[test]
    fn tps_counts_discards() {
        let j = Io::default();
        let i = Io {
            rd_ios: 100,
            wr_ios: 50,
            dc_ios: 50,
            fl_ios: 999,
            rd_sectors: 400,
            dc_sectors: 800,
            rd_ticks: 200,
            tot_ticks: 500,
            rq_ticks: 3000,
            ..Default::default()
        };
        let x = figures(&j, &i, 200, 2);
        assert_eq!(x.tps, 100.0);
        assert_eq!(x.read_s, 100.0);
        assert_eq!(x.dscd_s, 200.0);
        assert_eq!((x.read, x.dscd), (200, 400));
        assert_eq!(x.r_await, 2.0);
        assert_eq!(x.rareq_sz, 2.0);
        assert_eq!(x.util, 25.0);
        assert_eq!(x.aqu_sz, 1.5);
        // Counters going back and a zero interval do not panic.
        let back = figures(&i, &j, 0, 2048);
        assert!(back.tps.is_finite());
    }

    #[test]
    fn human_cells_as_sysstat() {
        let fm = Fmt {
            decimals: None,
            human: true,
        };
        let cell = |c: Cell| {
            let mut s = String::new();
            fm.cell(&mut s, c);
            s
        };
        // 3772 sectors = 1886 kB = 1.8 MB.
        assert_eq!(cell(Cell::Sectors(12, 3772.0)), "         1.8M");
        assert_eq!(cell(Cell::Kilobytes(8, 15.55)), "    15.6k");
        assert_eq!(cell(Cell::Count(10, 98_496_264 * 2)), "      93.9G");
        assert_eq!(cell(Cell::Percent(6, 46.41)), "  46.4%");
        assert_eq!(cell(Cell::Num(8, 168.2)), "   168.20");
        // Past the last unit letter: '?', and no panic on huge values.
        assert!(cell(Cell::Sectors(9, 1e300)).ends_with('?'));
        let plain = Fmt {
            decimals: Some(0),
            human: true,
        };
        let mut s = String::new();
        plain.cell(&mut s, Cell::Sectors(9, 3772.0));
        assert_eq!(s, "        2M");
    }

    #[test]
    fn rows_have_sysstat_widths() {
        let o = Opts::default();
        let fm = Fmt {
            decimals: None,
            human: false,
        };
        let x = Figures {
            tps: 206.17,
            read_s: 2217.39,
            read: 26425201,
            ..Default::default()
        };
        assert_eq!(
            disk_row(&o, &fm, "vda", &x, 0),
            "vda             206.17      2217.39         0.00         0.00   26425201          0          0\n"
        );
    }
}
