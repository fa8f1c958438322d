//! /proc/meminfo, /proc/zoneinfo and /proc/vmstat: parsers and readers.

use crate::error::{Error, Result};
use crate::linux::fs::{is_not_found, with_text};
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
}

/// Parses /proc/meminfo. Lines are split on ':' (psutil 8.0's rule: arm64 has a
/// field with no space after the colon, #2809); lines that do not parse are skipped.
pub(crate) fn parse_meminfo(text: &str) -> MemInfo {
    let mut m = MemInfo::default();
    for line in text.lines() {
        let Some((key, rest)) = line.split_once(':') else {
            continue;
        };
        let Some(v) = rest
            .split_ascii_whitespace()
            .next()
            .and_then(|t| t.parse::<u64>().ok())
        else {
            continue;
        };
        let v = Some(v.saturating_mul(1024));
        match key.trim() {
            "MemTotal" => m.mem_total = v,
            "MemFree" => m.mem_free = v,
            "MemAvailable" => m.mem_available = v,
            "Buffers" => m.buffers = v,
            "Cached" => m.cached = v,
            "SReclaimable" => m.sreclaimable = v,
            "Shmem" => m.shmem = v,
            "MemShared" => m.mem_shared = v,
            "Active" => m.active = v,
            "Inactive" => m.inactive = v,
            "Inact_dirty" => m.inact_dirty = v,
            "Inact_clean" => m.inact_clean = v,
            "Inact_laundry" => m.inact_laundry = v,
            "Slab" => m.slab = v,
            "Active(file)" => m.active_file = v,
            "Inactive(file)" => m.inactive_file = v,
            "SwapTotal" => m.swap_total = v,
            "SwapFree" => m.swap_free = v,
            _ => {}
        }
    }
    m
}

/// Sum of every `low` watermark in /proc/zoneinfo, in pages.
pub(crate) fn parse_zoneinfo_low(text: &str) -> u64 {
    text.lines()
        .filter_map(|l| {
            let l = l.trim();
            if !l.starts_with("low") {
                return None;
            }
            l.split_ascii_whitespace().nth(1)?.parse::<u64>().ok()
        })
        .sum()
}

/// The kernel's MemAvailable estimate for kernels without it (psutil's
/// `calculate_avail_vmem`), with psutil's float arithmetic. `low_watermark` is in
/// bytes, `None` when zoneinfo could not be read.
pub(crate) fn estimate_available(m: &MemInfo, low_watermark: Option<u64>) -> i64 {
    let free = m.mem_free.unwrap_or(0) as i64;
    let fallback = free + m.cached.unwrap_or(0) as i64;
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
    let mut pagecache = (af + inf) as f64;
    pagecache -= (pagecache / 2.0).min(low);
    avail += pagecache;
    avail += srec as f64 - (srec as f64 / 2.0).min(low);
    avail as i64
}

/// psutil's virtual_memory formulas on parsed meminfo. `zoneinfo_low` is only
/// consulted when MemAvailable is missing or 0 (#1915).
pub(crate) fn compute_virtual_memory(
    m: &MemInfo,
    zoneinfo_low: impl FnOnce() -> Option<u64>,
) -> std::result::Result<VirtualMemory, String> {
    let total = m.mem_total.ok_or("no MemTotal line")?;
    let free = m.mem_free.ok_or("no MemFree line")?;
    let cached = m.cached.unwrap_or(0) + m.sreclaimable.unwrap_or(0);
    let inactive = m.inactive.unwrap_or_else(|| {
        m.inact_dirty.unwrap_or(0) + m.inact_clean.unwrap_or(0) + m.inact_laundry.unwrap_or(0)
    });
    let mut available = match m.mem_available {
        Some(a) if a > 0 => a as i64,
        _ => estimate_available(m, zoneinfo_low()),
    };
    if available < 0 {
        available = 0;
    }
    let mut available = available as u64;
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

fn read_meminfo(root: &Root) -> Result<MemInfo> {
    with_text(&root.proc_path("meminfo"), |s| Ok(parse_meminfo(s)))
}

pub(crate) fn virtual_memory(root: &Root) -> Result<VirtualMemory> {
    let m = read_meminfo(root)?;
    let page = rustix::param::page_size() as u64;
    let low = || {
        with_text(&root.proc_path("zoneinfo"), |s| {
            Ok(parse_zoneinfo_low(s) * page)
        })
        .ok()
    };
    compute_virtual_memory(&m, low).map_err(|msg| Error::parse(root.proc_path("meminfo"), msg))
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

pub(crate) fn swap_memory(root: &Root) -> Result<SwapMemory> {
    let m = read_meminfo(root)?;
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
            (si.totalswap as u64 * unit, si.freeswap as u64 * unit)
        }
    };
    // A fixed 4 KiB, not PAGESIZE: the kernel counts pswpin/pswpout in 4 KiB units.
    let (sin, sout) = match with_text(&root.proc_path("vmstat"), |s| Ok(parse_vmstat_swap(s))) {
        Ok(v) => v,
        Err(e) if is_not_found(&e) => (0, 0),
        Err(e) => return Err(e),
    };
    let used = total.saturating_sub(free);
    Ok(SwapMemory {
        total,
        used,
        free,
        percent: usage_percent(used as f64, total as f64),
        sin: sin * 4096,
        sout: sout * 4096,
    })
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
        assert_eq!(parse_zoneinfo_low(text), 1020);
    }

    #[test]
    fn vmstat_swap_pages() {
        assert_eq!(parse_vmstat_swap("pgpgin 5\npswpin 3\npswpout 4\n"), (3, 4));
        assert_eq!(parse_vmstat_swap("garbage\n"), (0, 0));
    }
}
