//! Pure parsers for the per-process files of /proc: bytes in, typed values out, no I/O.
//!
//! They borrow from the input where they can, so the scan of `process_iter`
//! allocates nothing for a field nobody asked for.

use std::collections::BTreeMap;

type Res<T> = std::result::Result<T, String>;

/// The numeric fields of `/proc/<pid>/stat` psutil uses, with the comm borrowed.
///
/// Field numbers are proc(5)'s, counted from 1: comm is field 2, state field 3.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct Stat<'a> {
    pub comm: &'a [u8],
    pub state: u8,
    pub ppid: u32,
    pub pgrp: i64,
    pub session: i64,
    pub tty_nr: i64,
    pub tpgid: i64,
    pub flags: u64,
    pub minflt: u64,
    pub majflt: u64,
    pub utime: u64,
    pub stime: u64,
    pub cutime: u64,
    pub cstime: u64,
    pub priority: i64,
    pub nice: i64,
    pub num_threads: u64,
    pub starttime: u64,
    pub vsize: u64,
    pub rss: u64,
    pub startcode: u64,
    pub endcode: u64,
    pub processor: i64,
    pub rt_priority: u64,
    pub policy: u64,
    /// Field 42; 0 when the kernel does not have it (psutil #2455).
    pub delayacct_blkio_ticks: u64,
}

/// Parses stat. The comm is the text between the first `(` and the LAST `)`, so a
/// comm with spaces or parentheses (`(a) b)`) cannot shift the fields after it.
pub(crate) fn parse_stat(b: &[u8]) -> Res<Stat<'_>> {
    let open = b
        .iter()
        .position(|&c| c == b'(')
        .ok_or("no '(' before the comm")?;
    let close = b
        .iter()
        .rposition(|&c| c == b')')
        .ok_or("no ')' after the comm")?;
    if close < open {
        return Err("')' before '('".into());
    }
    let mut s = Stat {
        comm: &b[open + 1..close],
        ..Stat::default()
    };
    // Fields from 3 on; a negative value (cutime can be) reads as 0.
    let mut vals = [0i64; 40];
    let mut n = 0;
    for (i, tok) in b[close + 1..]
        .split(|c| c.is_ascii_whitespace())
        .filter(|t| !t.is_empty())
        .enumerate()
    {
        if i == 0 {
            s.state = tok[0];
            n = 1;
            continue;
        }
        if i >= vals.len() {
            break;
        }
        // Fields psutil does not use may be unsigned beyond i64 (rsslim); only
        // the ones up to rss (field 24) must be numbers.
        vals[i] = match parse_i64(tok).or_else(|| parse_u64(tok).map(|v| v as i64)) {
            Some(v) => v,
            None if i <= 21 => return Err(format!("field {} is not a number", i + 3)),
            None => 0,
        };
        n = i + 1;
    }
    // psutil needs at least up to vsize/rss (field 24).
    if n < 22 {
        return Err(format!("only {} fields after the comm", n));
    }
    let u = |i: usize| vals[i].max(0) as u64;
    s.ppid = u32::try_from(u(1)).map_err(|_| format!("ppid {} is out of range", vals[1]))?;
    s.pgrp = vals[2];
    s.session = vals[3];
    s.tty_nr = vals[4];
    s.tpgid = vals[5];
    s.flags = u(6);
    s.minflt = u(7);
    s.majflt = u(9);
    s.utime = u(11);
    s.stime = u(12);
    s.cutime = u(13);
    s.cstime = u(14);
    s.priority = vals[15];
    s.nice = vals[16];
    s.num_threads = u(17);
    s.starttime = u(19);
    s.vsize = u(20);
    s.rss = u(21);
    s.startcode = if n > 23 { u(23) } else { 0 };
    s.endcode = if n > 24 { u(24) } else { 0 };
    s.processor = if n > 36 { vals[36] } else { 0 };
    s.rt_priority = if n > 37 { u(37) } else { 0 };
    s.policy = if n > 38 { u(38) } else { 0 };
    s.delayacct_blkio_ticks = if n > 39 { u(39) } else { 0 };
    Ok(s)
}

/// Only the state letter of stat (the byte after the last `)` and a space).
pub(crate) fn stat_state(b: &[u8]) -> Option<u8> {
    let close = b.iter().rposition(|&c| c == b')')?;
    b.get(close + 2).copied()
}

/// Parses an unsigned or negative decimal; `None` on anything else.
pub(crate) fn parse_i64(t: &[u8]) -> Option<i64> {
    let (neg, digits) = match t.first() {
        Some(b'-') => (true, &t[1..]),
        _ => (false, t),
    };
    if digits.is_empty() {
        return None;
    }
    let mut v: i64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add((c - b'0') as i64)?;
    }
    Some(if neg { -v } else { v })
}

fn parse_u64(t: &[u8]) -> Option<u64> {
    if t.is_empty() {
        return None;
    }
    let mut v: u64 = 0;
    for &c in t {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add((c - b'0') as u64)?;
    }
    Some(v)
}

/// The `/proc/<pid>/status` lines psutil reads. `kB` values are in bytes (× 1024).
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Status {
    pub tgid: Option<u32>,
    pub uid: Option<[u32; 3]>,
    pub gid: Option<[u32; 3]>,
    pub threads: Option<u64>,
    pub voluntary_ctxt_switches: Option<u64>,
    pub nonvoluntary_ctxt_switches: Option<u64>,
    pub vm_peak: Option<u64>,
    pub vm_size: Option<u64>,
    pub vm_lck: Option<u64>,
    pub vm_hwm: Option<u64>,
    pub vm_rss: Option<u64>,
    pub rss_anon: Option<u64>,
    pub rss_file: Option<u64>,
    pub rss_shmem: Option<u64>,
    pub vm_data: Option<u64>,
    pub vm_stk: Option<u64>,
    pub vm_exe: Option<u64>,
    pub vm_lib: Option<u64>,
    pub vm_swap: Option<u64>,
    pub hugetlb_pages: Option<u64>,
}

/// Parses status in one pass. Unknown or malformed lines are skipped: each
/// reader decides what a missing line means (psutil differs per method).
pub(crate) fn parse_status(b: &[u8]) -> Status {
    parse_status_upto(b, None)
}

/// Like [`parse_status`], stopping after the line `last` (the scan stops after
/// `HugetlbPages` when it needs no later line, skipping the signal, capability
/// and cpu-list lines).
pub(crate) fn parse_status_upto(b: &[u8], last: Option<&[u8]>) -> Status {
    let mut s = Status::default();
    for line in b.split(|&c| c == b'\n') {
        let Some(colon) = line.iter().position(|&c| c == b':') else {
            continue;
        };
        let (key, rest) = (&line[..colon], &line[colon + 1..]);
        let mut words = rest
            .split(|c| c.is_ascii_whitespace())
            .filter(|w| !w.is_empty());
        let first = || {
            rest.split(|c| c.is_ascii_whitespace())
                .find(|w| !w.is_empty())
                .and_then(parse_u64)
        };
        let kb = || first().map(|v| v.saturating_mul(1024));
        match key {
            b"Tgid" => s.tgid = first().and_then(|v| u32::try_from(v).ok()),
            b"Uid" | b"Gid" => {
                let mut ids = [0u32; 3];
                let mut ok = true;
                for slot in ids.iter_mut() {
                    match words
                        .next()
                        .and_then(parse_u64)
                        .and_then(|v| u32::try_from(v).ok())
                    {
                        Some(v) => *slot = v,
                        None => ok = false,
                    }
                }
                if ok {
                    if key == b"Uid" {
                        s.uid = Some(ids);
                    } else {
                        s.gid = Some(ids);
                    }
                }
            }
            b"Threads" => s.threads = first(),
            b"voluntary_ctxt_switches" => s.voluntary_ctxt_switches = first(),
            b"nonvoluntary_ctxt_switches" => s.nonvoluntary_ctxt_switches = first(),
            b"VmPeak" => s.vm_peak = kb(),
            b"VmSize" => s.vm_size = kb(),
            b"VmLck" => s.vm_lck = kb(),
            b"VmHWM" => s.vm_hwm = kb(),
            b"VmRSS" => s.vm_rss = kb(),
            b"RssAnon" => s.rss_anon = kb(),
            b"RssFile" => s.rss_file = kb(),
            b"RssShmem" => s.rss_shmem = kb(),
            b"VmData" => s.vm_data = kb(),
            b"VmStk" => s.vm_stk = kb(),
            b"VmExe" => s.vm_exe = kb(),
            b"VmLib" => s.vm_lib = kb(),
            b"VmSwap" => s.vm_swap = kb(),
            b"HugetlbPages" => s.hugetlb_pages = kb(),
            _ => {}
        }
        if Some(key) == last {
            break;
        }
    }
    s
}

/// The first seven numbers of statm, in pages: size, resident, shared, text, lib,
/// data, dt.
pub(crate) fn parse_statm(b: &[u8]) -> Res<[u64; 7]> {
    let mut out = [0u64; 7];
    let mut it = b
        .split(|c| c.is_ascii_whitespace())
        .filter(|w| !w.is_empty());
    for (i, slot) in out.iter_mut().enumerate() {
        let w = it
            .next()
            .ok_or_else(|| format!("statm has only {i} numbers"))?;
        *slot = parse_u64(w).ok_or_else(|| format!("statm field {} is not a number", i + 1))?;
    }
    Ok(out)
}

/// `/proc/<pid>/io` as (read_count, write_count, read_bytes, write_bytes,
/// read_chars, write_chars) = syscr, syscw, read_bytes, write_bytes, rchar, wchar.
/// An empty file or a missing key is an error, as in psutil.
pub(crate) fn parse_io(b: &[u8]) -> Res<[u64; 6]> {
    if b.iter().all(|c| c.is_ascii_whitespace()) {
        return Err("the file is empty".into());
    }
    let keys: [&[u8]; 6] = [
        b"syscr",
        b"syscw",
        b"read_bytes",
        b"write_bytes",
        b"rchar",
        b"wchar",
    ];
    let mut out = [None; 6];
    for line in b.split(|&c| c == b'\n') {
        let Some(colon) = line.iter().position(|&c| c == b':') else {
            continue;
        };
        if let Some(i) = keys.iter().position(|k| *k == &line[..colon]) {
            out[i] = parse_u64(line[colon + 1..].trim_ascii());
        }
    }
    let mut vals = [0u64; 6];
    for (i, v) in out.iter().enumerate() {
        vals[i] = v.ok_or_else(|| format!("missing {:?}", String::from_utf8_lossy(keys[i])))?;
    }
    Ok(vals)
}

/// `/proc/<pid>/fdinfo/<fd>`: `pos:` (decimal) and `flags:` (octal).
pub(crate) fn parse_fdinfo(b: &[u8]) -> Res<(u64, u32)> {
    let (mut pos, mut flags) = (None, None);
    for line in b.split(|&c| c == b'\n') {
        let Some(colon) = line.iter().position(|&c| c == b':') else {
            continue;
        };
        let v = line[colon + 1..].trim_ascii();
        match &line[..colon] {
            b"pos" => pos = parse_u64(v),
            b"flags" => {
                flags = std::str::from_utf8(v)
                    .ok()
                    .and_then(|s| u32::from_str_radix(s, 8).ok())
            }
            _ => {}
        }
    }
    Ok((pos.ok_or("no pos: line")?, flags.ok_or("no flags: line")?))
}

/// psutil's file mode from open flags: r, w, r+, and a / a+ with O_APPEND.
pub(crate) fn file_mode(flags: u32) -> &'static str {
    const O_WRONLY: u32 = 0o1;
    const O_RDWR: u32 = 0o2;
    const O_APPEND: u32 = 0o2000;
    let append = flags & O_APPEND != 0;
    match flags & 0o3 {
        O_WRONLY if append => "a",
        O_WRONLY => "w",
        O_RDWR if append => "a+",
        O_RDWR => "r+",
        _ => "r",
    }
}

/// cmdline: NUL-separated when the data ends with NUL, else space-separated
/// (setproctitle, #1179); one trailing separator dropped; a single NUL-split
/// element with spaces is split on spaces. Empty data gives an empty list.
pub(crate) fn parse_cmdline(b: &[u8]) -> Vec<String> {
    if b.is_empty() {
        return Vec::new();
    }
    let sep = if b.last() == Some(&0) { 0 } else { b' ' };
    let data = if b.last() == Some(&sep) {
        &b[..b.len() - 1]
    } else {
        b
    };
    let mut parts: Vec<String> = data.split(|&c| c == sep).map(lossy).collect();
    if sep == 0 && parts.len() == 1 && parts[0].contains(' ') {
        parts = parts[0].split(' ').map(str::to_string).collect();
    }
    parts
}

/// environ: NUL-separated `KEY=VALUE` records, stopping at an empty record;
/// records without `=` or starting with `=` are skipped; the last value wins.
pub(crate) fn parse_environ(b: &[u8]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for rec in b.split(|&c| c == 0) {
        if rec.is_empty() {
            break;
        }
        match rec.iter().position(|&c| c == b'=') {
            Some(eq) if eq > 0 => {
                out.insert(lossy(&rec[..eq]), lossy(&rec[eq + 1..]));
            }
            _ => {}
        }
    }
    out
}

/// Bytes to text. psutil keeps undecodable bytes with surrogateescape; Rust strings
/// cannot, so they become U+FFFD.
pub(crate) fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The limits psutil reads with prlimit(2), from `/proc/<pid>/limits` in resource
/// order (RLIMIT_CPU = 0 first); "unlimited" is -1 (RLIM_INFINITY).
pub(crate) fn parse_limits(text: &str) -> Res<Vec<(i64, i64)>> {
    let mut out = Vec::new();
    for line in text.lines().skip(1) {
        // "%-25s %-20s %-20s %-10s": the name is the first 25 columns.
        let Some(rest) = line.get(25..) else { continue };
        let mut w = rest.split_whitespace();
        let mut val = || -> Res<i64> {
            match w.next() {
                Some("unlimited") => Ok(-1),
                Some(v) => v.parse().map_err(|_| format!("bad limit {v:?}")),
                None => Err(format!("short line {line:?}")),
            }
        };
        let soft = val()?;
        let hard = val()?;
        out.push((soft, hard));
    }
    if out.is_empty() {
        return Err("no limits".into());
    }
    Ok(out)
}

/// One smaps entry: header fields and the `Key: N kB` values psutil uses, in
/// bytes. The text fields borrow the file's bytes: grouped maps make one String
/// per distinct path, not three per mapping.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct SmapsEntry<'a> {
    pub addr: &'a [u8],
    pub perms: &'a [u8],
    /// The path as written (a ` (deleted)` suffix kept), `[anon]` when empty.
    pub path: &'a [u8],
    /// rss, size, pss, shared_clean, shared_dirty, private_clean, private_dirty,
    /// referenced, anonymous, swap.
    pub values: [u64; 10],
}

const SMAPS_KEYS: [&[u8]; 10] = [
    b"Rss",
    b"Size",
    b"Pss",
    b"Shared_Clean",
    b"Shared_Dirty",
    b"Private_Clean",
    b"Private_Dirty",
    b"Referenced",
    b"Anonymous",
    b"Swap",
];

fn is_header(line: &[u8]) -> bool {
    // "addr perms offset dev inode [path]": the first word is "hex-hex".
    let first = line.split(|&c| c == b' ').next().unwrap_or(b"");
    match first.iter().position(|&c| c == b'-') {
        Some(d) => {
            d > 0
                && first[..d].iter().all(u8::is_ascii_hexdigit)
                && first[d + 1..].iter().all(u8::is_ascii_hexdigit)
        }
        None => false,
    }
}

/// Parses smaps into entries; a path is `[anon]` when empty. `VmFlags:` and other
/// non-numeric lines are skipped (psutil raises ValueError on them; the kernel
/// only writes VmFlags and THPeligible-style numbers). The ` (deleted)` suffix is
/// handled by the caller, which can check the filesystem.
///
/// smaps is the largest file as_dict reads (about 0.8 KiB per mapping), so lines
/// are found with memchr (SIMD) and a value line is matched by its key prefix
/// without searching for its colon.
pub(crate) fn parse_smaps(b: &[u8]) -> Res<Vec<SmapsEntry<'_>>> {
    let mut out: Vec<SmapsEntry> = Vec::new();
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', b).chain(std::iter::once(b.len())) {
        let line = &b[start..end];
        start = end + 1;
        let Some(first) = line.first() else {
            continue;
        };
        // Value lines ("Rss:", …) start with a capital, headers with a hex digit.
        if !first.is_ascii_uppercase() && is_header(line) {
            let mut f = line.splitn(6, |&c| c == b' ');
            let addr = f.next().unwrap_or(b"");
            let perms = f.next().unwrap_or(b"");
            let path = f.nth(3).unwrap_or(b"").trim_ascii();
            out.push(SmapsEntry {
                addr,
                perms,
                path: if path.is_empty() { b"[anon]" } else { path },
                values: [0; 10],
            });
            continue;
        }
        let Some(entry) = out.last_mut() else {
            return Err("smaps data before the first mapping header".into());
        };
        let key = SMAPS_KEYS
            .iter()
            .position(|k| line.get(k.len()) == Some(&b':') && line.starts_with(k));
        if let Some(i) = key {
            let k = SMAPS_KEYS[i];
            if let Some(v) = kb_value(k, &line[k.len() + 1..])? {
                entry.values[i] = v;
            }
        }
    }
    Ok(out)
}

/// The first word of a `Key: N kB` value in bytes: `Ok(None)` when it is not a
/// number, an error naming the value when it or its × 1024 does not fit a u64.
fn kb_value(key: &[u8], rest: &[u8]) -> Res<Option<u64>> {
    let rest = rest.trim_ascii_start();
    let n = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    if n == 0 || rest.get(n).is_some_and(|c| !c.is_ascii_whitespace()) {
        return Ok(None);
    }
    let word = &rest[..n];
    match parse_u64(word).and_then(|v| v.checked_mul(1024)) {
        Some(v) => Ok(Some(v)),
        None => Err(format!(
            "{}: {} kB is out of range",
            String::from_utf8_lossy(key),
            String::from_utf8_lossy(word)
        )),
    }
}

/// psutil's `memory_maps(grouped=True)` grouping: `(path, values)` pairs summed
/// per path, in order of first appearance. A sum beyond u64 is an error naming
/// it.
pub(crate) fn group_smaps<P: AsRef<[u8]> + Eq + std::hash::Hash + Clone>(
    entries: impl IntoIterator<Item = (P, [u64; 10])>,
) -> Res<Vec<(P, [u64; 10])>> {
    let mut index: std::collections::HashMap<P, usize> = std::collections::HashMap::new();
    let mut out: Vec<(P, [u64; 10])> = Vec::new();
    for (path, values) in entries {
        let i = match index.entry(path) {
            std::collections::hash_map::Entry::Occupied(o) => *o.get(),
            std::collections::hash_map::Entry::Vacant(v) => {
                out.push((v.key().clone(), [0; 10]));
                *v.insert(out.len() - 1)
            }
        };
        let (path, sums) = &mut out[i];
        for (k, (sum, v)) in sums.iter_mut().zip(values).enumerate() {
            *sum = sum.checked_add(v).ok_or_else(|| {
                format!(
                    "the {} sum of {:?} is out of range",
                    String::from_utf8_lossy(SMAPS_KEYS[k]),
                    String::from_utf8_lossy(path.as_ref())
                )
            })?;
        }
    }
    Ok(out)
}

/// (uss, pss, swap) from smaps_rollup or smaps: uss sums every `Private_*` line,
/// pss is `Pss:` only, swap is `Swap:` only (not SwapPss, #1222); kB × 1024. A
/// value or sum beyond u64 is an error naming it.
pub(crate) fn parse_uss_pss_swap(b: &[u8]) -> Res<(u64, u64, u64)> {
    let (mut uss, mut pss, mut swap) = (0u64, 0u64, 0u64);
    for line in b.split(|&c| c == b'\n') {
        // Only Private_*, Pss and Swap count: skip other lines at the first byte.
        if !matches!(line.first(), Some(b'P' | b'S')) {
            continue;
        }
        let Some(colon) = line.iter().position(|&c| c == b':') else {
            continue;
        };
        let key = &line[..colon];
        let sum = if key.starts_with(b"Private_") {
            &mut uss
        } else if key == b"Pss" {
            &mut pss
        } else if key == b"Swap" {
            &mut swap
        } else {
            continue;
        };
        let v = kb_value(key, &line[colon + 1..])?.unwrap_or(0);
        *sum = sum.checked_add(v).ok_or_else(|| {
            format!(
                "the {} total is out of range",
                if key == b"Swap" {
                    "Swap"
                } else if key == b"Pss" {
                    "Pss"
                } else {
                    "Private_*"
                }
            )
        })?;
    }
    Ok((uss, pss, swap))
}

/// `/etc/passwd`: the name of `uid`, if listed.
pub(crate) fn passwd_name(text: &str, uid: u32) -> Option<String> {
    text.lines().find_map(|line| {
        let mut f = line.split(':');
        let name = f.next()?;
        let id: u32 = f.nth(1)?.parse().ok()?;
        (id == uid && !name.is_empty()).then(|| name.to_string())
    })
}

/// The v2 cgroup path of `/proc/<pid>/cgroup` (the `0::/path` line), else the
/// first line's path.
pub(crate) fn parse_cgroup(text: &str) -> Option<String> {
    let mut first = None;
    for line in text.lines() {
        let mut f = line.splitn(3, ':');
        let (id, ctrl, path) = (f.next()?, f.next()?, f.next()?);
        if id == "0" && ctrl.is_empty() {
            return Some(path.to_string());
        }
        first.get_or_insert_with(|| path.to_string());
    }
    first
}

#[cfg(test)]
#[path = "parse_tests.rs"]
mod tests;
