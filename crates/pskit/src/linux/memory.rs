//! /proc/meminfo, /proc/zoneinfo and /proc/vmstat: parsers and readers.

use crate::error::{Error, Result};
use crate::linux::fs::{is_not_found, with_text, with_text_single};
use crate::linux::parse::usage_percent;
use crate::memory::{SwapMemory, VirtualMemory};
use crate::root::Root;

/// The /proc/meminfo fields psutil uses, in bytes (kB × 1024); `None` when absent.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct MemInfo {
    pub mem_total: Option<u64>,
    pub mem_free: Option<u64>,
    pub mem_available: Option<u64>,
    pub buffers: Option<u64>,
    pub cached: Option<u64>,
    pub sreclaimable: Option<u64>,
    pub shmem: Option<u64>,
    pub mem_shared: Option<u64>,
    pub active: Option<u64>,
    pub inactive: Option<u64>,
    pub inact_dirty: Option<u64>,
    pub inact_clean: Option<u64>,
    pub inact_laundry: Option<u64>,
    pub slab: Option<u64>,
    pub active_file: Option<u64>,
    pub inactive_file: Option<u64>,
    pub swap_total: Option<u64>,
    pub swap_free: Option<u64>,
    /// (key, message) of the lines above whose number, or its × 1024, does not
    /// fit a u64: such a line is "out of range", not missing.
    pub out_of_range: Vec<(String, String)>,
}

/// The meminfo keys `virtual_memory` reads (the others are the swap pair).
const VM_KEYS: [&str; 16] = [
    "MemTotal",
    "MemFree",
    "MemAvailable",
    "Buffers",
    "Cached",
    "SReclaimable",
    "Shmem",
    "MemShared",
    "Active",
    "Inactive",
    "Inact_dirty",
    "Inact_clean",
    "Inact_laundry",
    "Slab",
    "Active(file)",
    "Inactive(file)",
];
const SWAP_KEYS: [&str; 2] = ["SwapTotal", "SwapFree"];

impl MemInfo {
    /// The first out-of-range message among `keys`.
    fn check(&self, keys: &[&str]) -> std::result::Result<(), String> {
        match self
            .out_of_range
            .iter()
            .find(|(k, _)| keys.contains(&k.as_str()))
        {
            Some((_, msg)) => Err(msg.clone()),
            None => Ok(()),
        }
    }
}

/// Parses /proc/meminfo. Lines are split on ':' (psutil 8.0's rule: arm64 has a
/// field with no space after the colon, #2809); lines that do not parse are skipped.
/// A value too large for a u64 of bytes is recorded in `out_of_range`.
pub(crate) fn parse_meminfo(text: &str) -> MemInfo {
    let mut m = MemInfo::default();
    for line in text.lines() {
        let Some((key, rest)) = line.split_once(':') else {
            continue;
        };
        let key = key.trim();
        let slot = match key {
            "MemTotal" => &mut m.mem_total,
            "MemFree" => &mut m.mem_free,
            "MemAvailable" => &mut m.mem_available,
            "Buffers" => &mut m.buffers,
            "Cached" => &mut m.cached,
            "SReclaimable" => &mut m.sreclaimable,
            "Shmem" => &mut m.shmem,
            "MemShared" => &mut m.mem_shared,
            "Active" => &mut m.active,
            "Inactive" => &mut m.inactive,
            "Inact_dirty" => &mut m.inact_dirty,
            "Inact_clean" => &mut m.inact_clean,
            "Inact_laundry" => &mut m.inact_laundry,
            "Slab" => &mut m.slab,
            "Active(file)" => &mut m.active_file,
            "Inactive(file)" => &mut m.inactive_file,
            "SwapTotal" => &mut m.swap_total,
            "SwapFree" => &mut m.swap_free,
            _ => continue,
        };
        let Some(word) = rest.split_ascii_whitespace().next() else {
            continue;
        };
        if !word.bytes().all(|c| c.is_ascii_digit()) {
            continue;
        }
        match word.parse::<u64>().ok().and_then(|v| v.checked_mul(1024)) {
            Some(v) => *slot = Some(v),
            None => m
                .out_of_range
                .push((key.to_string(), format!("{key}: {word} kB is out of range"))),
        }
    }
    m
}

/// Sum of every `low` watermark in /proc/zoneinfo, in pages; an error naming the
/// value when a watermark or the sum does not fit a u64.
pub(crate) fn parse_zoneinfo_low(text: &str) -> std::result::Result<u64, String> {
    let mut sum = 0u64;
    for l in text.lines() {
        let l = l.trim();
        if !l.starts_with("low") {
            continue;
        }
        let Some(word) = l.split_ascii_whitespace().nth(1) else {
            continue;
        };
        if !word.bytes().all(|c| c.is_ascii_digit()) {
            continue;
        }
        sum = word
            .parse::<u64>()
            .ok()
            .and_then(|v| sum.checked_add(v))
            .ok_or_else(|| format!("low {word}: the sum of the low watermarks is out of range"))?;
    }
    Ok(sum)
}

/// The zoneinfo low watermarks in bytes: [`parse_zoneinfo_low`] × `page`.
pub(crate) fn zoneinfo_low_bytes(text: &str, page: u64) -> std::result::Result<u64, String> {
    let pages = parse_zoneinfo_low(text)?;
    pages
        .checked_mul(page)
        .ok_or_else(|| format!("low watermarks of {pages} pages × {page} bytes are out of range"))
}

/// The kernel's MemAvailable estimate for kernels without it (psutil's
/// `calculate_avail_vmem`), with psutil's float arithmetic, clamped at 0.
/// `low_watermark` is in bytes, `None` when zoneinfo could not be read.
pub(crate) fn estimate_available(m: &MemInfo, low_watermark: Option<u64>) -> u64 {
    let free = m.mem_free.unwrap_or(0);
    let fallback = free.saturating_add(m.cached.unwrap_or(0));
    let (Some(af), Some(inf), Some(srec), Some(low)) = (
        m.active_file,
        m.inactive_file,
        m.sreclaimable,
        low_watermark,
    ) else {
        return fallback;
    };
    let low = low as f64;
    let mut avail = free as f64 - low;
    let mut pagecache = af.saturating_add(inf) as f64;
    pagecache -= (pagecache / 2.0).min(low);
    avail += pagecache;
    avail += srec as f64 - (srec as f64 / 2.0).min(low);
    // A float-to-int `as` saturates: negative gives 0.
    avail as u64
}

/// psutil's virtual_memory formulas on parsed meminfo. `zoneinfo_low` is only
/// consulted when MemAvailable is missing or 0 (#1915).
pub(crate) fn compute_virtual_memory(
    m: &MemInfo,
    zoneinfo_low: impl FnOnce() -> Option<u64>,
) -> std::result::Result<VirtualMemory, String> {
    m.check(&VM_KEYS)?;
    let total = m.mem_total.ok_or("no MemTotal line")?;
    let free = m.mem_free.ok_or("no MemFree line")?;
    let cached = m
        .cached
        .unwrap_or(0)
        .saturating_add(m.sreclaimable.unwrap_or(0));
    let inactive = m.inactive.unwrap_or_else(|| {
        [m.inact_dirty, m.inact_clean, m.inact_laundry]
            .iter()
            .fold(0u64, |a, v| a.saturating_add(v.unwrap_or(0)))
    });
    let mut available = match m.mem_available {
        Some(a) if a > 0 => a,
        _ => estimate_available(m, zoneinfo_low()),
    };
    if available > total {
        // LXC can report MemAvailable above MemTotal; psutil falls back to free.
        available = free;
    }
    let used = total.saturating_sub(available);
    Ok(VirtualMemory {
        total,
        available,
        percent: usage_percent(used as f64, total as f64),
        used,
        free,
        active: m.active.unwrap_or(0),
        inactive,
        buffers: m.buffers.unwrap_or(0),
        cached,
        shared: m.shmem.or(m.mem_shared).unwrap_or(0),
        slab: m.slab.unwrap_or(0),
    })
}

/// Which file a `virtual_memory` error is about.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum VmError {
    Meminfo(String),
    Zoneinfo(String),
}

/// [`compute_virtual_memory`] with the zoneinfo reader's answer: `zoneinfo` gives
/// `None` when the file cannot be read (the estimate falls back), else its text's
/// [`zoneinfo_low_bytes`], whose error is the answer's.
pub(crate) fn virtual_memory_from(
    m: &MemInfo,
    zoneinfo: impl FnOnce() -> Option<std::result::Result<u64, String>>,
) -> std::result::Result<VirtualMemory, VmError> {
    let mut zone_err = None;
    let vm = compute_virtual_memory(m, || match zoneinfo()? {
        Ok(low) => Some(low),
        Err(e) => {
            zone_err = Some(e);
            None
        }
    });
    match zone_err {
        Some(e) => Err(VmError::Zoneinfo(e)),
        None => vm.map_err(VmError::Meminfo),
    }
}

fn read_meminfo(root: &Root) -> Result<MemInfo> {
    with_text_single(&root.proc_path("meminfo"), |s| Ok(parse_meminfo(s)))
}

pub(crate) fn virtual_memory(root: &Root) -> Result<VirtualMemory> {
    let m = read_meminfo(root)?;
    let page = rustix::param::page_size() as u64;
    let zoneinfo = root.proc_path("zoneinfo");
    let low = || with_text(&zoneinfo, |s| Ok(zoneinfo_low_bytes(s, page))).ok();
    virtual_memory_from(&m, low).map_err(|e| match e {
        VmError::Meminfo(msg) => Error::parse(root.proc_path("meminfo"), msg),
        VmError::Zoneinfo(msg) => Error::parse(&zoneinfo, msg),
    })
}

/// `pswpin` and `pswpout` from /proc/vmstat, in pages; missing lines read as 0.
pub(crate) fn parse_vmstat_swap(text: &str) -> (u64, u64) {
    let (mut sin, mut sout) = (0, 0);
    for line in text.lines() {
        let mut it = line.split_ascii_whitespace();
        let (Some(k), Some(v)) = (it.next(), it.next()) else {
            continue;
        };
        match k {
            "pswpin" => sin = v.parse().unwrap_or(0),
            "pswpout" => sout = v.parse().unwrap_or(0),
            _ => {}
        }
    }
    (sin, sout)
}

/// psutil's swap_memory figures from the totals (bytes) and the vmstat page
/// counters.
pub(crate) fn swap_from(total: u64, free: u64, sin: u64, sout: u64) -> SwapMemory {
    let used = total.saturating_sub(free);
    SwapMemory {
        total,
        used,
        free,
        percent: usage_percent(used as f64, total as f64),
        // A fixed 4 KiB, not PAGESIZE: the kernel counts pswpin/pswpout in 4 KiB units.
        sin: sin.saturating_mul(4096),
        sout: sout.saturating_mul(4096),
    }
}

pub(crate) fn swap_memory(root: &Root) -> Result<SwapMemory> {
    let m = read_meminfo(root)?;
    m.check(&SWAP_KEYS)
        .map_err(|msg| Error::parse(root.proc_path("meminfo"), msg))?;
    let (total, free) = match (m.swap_total, m.swap_free) {
        (Some(t), Some(f)) => (t, f),
        _ => {
            // psutil falls back to sysinfo(2); it describes this machine only, so
            // it is used only when reading the host's own root.
            if !root.is_host() {
                return Err(Error::parse(
                    root.proc_path("meminfo"),
                    "no SwapTotal/SwapFree lines",
                ));
            }
            let si = rustix::system::sysinfo();
            let unit = u64::from(si.mem_unit.max(1));
            (
                (si.totalswap as u64).saturating_mul(unit),
                (si.freeswap as u64).saturating_mul(unit),
            )
        }
    };
    let (sin, sout) = match with_text(&root.proc_path("vmstat"), |s| Ok(parse_vmstat_swap(s))) {
        Ok(v) => v,
        Err(e) if is_not_found(&e) => (0, 0),
        Err(e) => return Err(e),
    };
    Ok(swap_from(total, free, sin, sout))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MEMINFO: &str = "MemTotal:       24684100 kB\nMemFree:        24129028 kB\n\
MemAvailable:   24379072 kB\nBuffers:            8616 kB\nCached:           415756 kB\n\
Shmem:              8724 kB\nActive:           153588 kB\nInactive:         301648 kB\n\
Active(file):      90000 kB\nInactive(file):   200000 kB\nSlab:              48564 kB\n\
SReclaimable:      55360 kB\nSwapTotal:             0 kB\nSwapFree:              0 kB\n\
HugePages_Total:       0\n";

    fn vm(text: &str, low: Option<u64>) -> VirtualMemory {
        compute_virtual_memory(&parse_meminfo(text), || low).unwrap()
    }

    #[test]
    fn cached_includes_sreclaimable() {
        assert_eq!(vm(MEMINFO, None).cached, (415756 + 55360) * 1024);
    }

    #[test]
    fn used_is_total_minus_available() {
        let v = vm(MEMINFO, None);
        assert_eq!(v.used, (24684100 - 24379072) * 1024);
        assert_eq!(v.percent, 1.2);
    }

    #[test]
    fn available_above_total_becomes_free() {
        let text = MEMINFO.replace("24379072", "99999999");
        assert_eq!(vm(&text, None).available, 24129028 * 1024);
    }

    #[test]
    fn missing_memavailable_uses_zoneinfo_estimate() {
        let text = MEMINFO.replace("MemAvailable:   24379072 kB\n", "");
        let low = 1000 * 4096;
        let v = vm(&text, Some(low));
        let free = 24129028.0 * 1024.0;
        let pc = (90000.0 + 200000.0) * 1024.0;
        let sr = 55360.0 * 1024.0;
        let low = low as f64;
        let expect =
            (free - low + (pc - (pc / 2.0f64).min(low)) + (sr - (sr / 2.0f64).min(low))) as u64;
        assert_eq!(v.available, expect);
    }

    #[test]
    fn memavailable_zero_is_treated_as_missing() {
        let text = MEMINFO.replace("24379072", "0");
        assert!(vm(&text, Some(0)).available > 0);
    }

    #[test]
    fn estimate_without_zoneinfo_is_free_plus_cached() {
        let text = MEMINFO.replace("MemAvailable:   24379072 kB\n", "");
        assert_eq!(vm(&text, None).available, (24129028 + 415756) * 1024);
    }

    #[test]
    fn inactive_falls_back_to_inact_parts() {
        let text = "MemTotal: 100 kB\nMemFree: 50 kB\nMemAvailable: 60 kB\nInact_dirty: 1 kB\nInact_clean: 2 kB\nInact_laundry: 3 kB\nMemShared: 7 kB\n";
        let v = vm(text, None);
        assert_eq!(v.inactive, 6 * 1024);
        assert_eq!(v.shared, 7 * 1024);
        assert_eq!(v.buffers, 0);
    }

    #[test]
    fn no_space_after_colon_parses() {
        let m = parse_meminfo("MemTotal:100 kB\nMemFree:\t5 kB\n");
        assert_eq!((m.mem_total, m.mem_free), (Some(102400), Some(5120)));
    }

    #[test]
    fn garbage_meminfo_is_an_error() {
        for bad in [
            "",
            "garbage",
            "MemTotal: x kB\nMemFree: 1 kB",
            "MemFree: 1 kB\n",
            "\u{0}:\u{0}",
        ] {
            assert!(
                compute_virtual_memory(&parse_meminfo(bad), || None).is_err(),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn zoneinfo_low_sums_every_zone() {
        let text = "Node 0, zone      DMA\n  pages free     3840\n        min      16\n        low      20\n        high     24\n\
Node 0, zone    DMA32\n        low      1000\n        high     1200\n";
        assert_eq!(parse_zoneinfo_low(text), Ok(1020));
        assert_eq!(zoneinfo_low_bytes(text, 4096), Ok(1020 * 4096));
    }

    #[test]
    fn vmstat_swap_pages() {
        assert_eq!(parse_vmstat_swap("pgpgin 5\npswpin 3\npswpout 4\n"), (3, 4));
        assert_eq!(parse_vmstat_swap("garbage\n"), (0, 0));
    }

    // Fuzz crash (issue #14): meminfo without MemAvailable, then a zoneinfo low
    // watermark whose × page size overflowed u64.
    #[test]
    fn zoneinfo_low_beyond_u64_bytes_is_out_of_range() {
        let m = parse_meminfo("MemTotal:8\nMemFree:0\n");
        let zone = "low 6666666666666666666";
        let e = zoneinfo_low_bytes(zone, 4096).unwrap_err();
        assert!(
            e.contains("6666666666666666666 pages") && e.contains("out of range"),
            "{e}"
        );
        let e = virtual_memory_from(&m, || Some(zoneinfo_low_bytes(zone, 4096))).unwrap_err();
        assert!(
            matches!(e, VmError::Zoneinfo(ref m) if m.contains("out of range")),
            "{e:?}"
        );
        // The sum of the watermarks overflowing is out of range too.
        let e = parse_zoneinfo_low("low 18446744073709551615\nlow 1\n").unwrap_err();
        assert!(e.contains("out of range"), "{e}");
        let e = parse_zoneinfo_low("low 99999999999999999999\n").unwrap_err();
        assert!(e.contains("99999999999999999999"), "{e}");
        // Unreadable zoneinfo still falls back to free + cached.
        assert_eq!(virtual_memory_from(&m, || None).unwrap().available, 0);
    }

    #[test]
    fn meminfo_value_beyond_u64_is_out_of_range_not_missing() {
        for text in [
            "MemTotal: 99999999999999999999 kB\nMemFree: 1 kB\n",
            "MemTotal: 18014398509481984 kB\nMemFree: 1 kB\n",
        ] {
            let e = compute_virtual_memory(&parse_meminfo(text), || None).unwrap_err();
            assert!(
                e.starts_with("MemTotal: ") && e.ends_with("kB is out of range"),
                "{e}"
            );
        }
        let text = "MemTotal: 8 kB\nMemFree: 1 kB\nSwapTotal: 99999999999999999999 kB\n";
        let m = parse_meminfo(text);
        assert!(compute_virtual_memory(&m, || None).is_ok());
        assert!(m.check(&SWAP_KEYS).unwrap_err().contains("SwapTotal"));
        // The largest value that fits is kept.
        let m = parse_meminfo("MemTotal: 18014398509481983 kB\n");
        assert_eq!(m.mem_total, Some(18014398509481983 * 1024));
    }

    #[test]
    fn available_above_i64_max_is_not_wrapped() {
        let text =
            "MemTotal: 18014398509481983 kB\nMemFree: 1 kB\nMemAvailable: 18014398509481983 kB\n";
        let v = vm(text, None);
        assert_eq!((v.available, v.used, v.percent), (v.total, 0, 0.0));
        // Without MemAvailable, free + cached beyond i64 is not wrapped either.
        let text = "MemTotal: 18014398509481983 kB\nMemFree: 18014398509481983 kB\n";
        assert_eq!(vm(text, None).available, 18014398509481983 * 1024);
    }

    #[test]
    fn swap_figures() {
        let s = swap_from(1000, 250, 2, u64::MAX);
        assert_eq!(
            (s.used, s.percent, s.sin, s.sout),
            (750, 75.0, 8192, u64::MAX)
        );
        assert_eq!(swap_from(0, 5, 0, 0).used, 0);
    }
}
