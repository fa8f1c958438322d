//! The Linux implementation: pure parsers (text in, typed values out, no I/O) beside
//! a thin reading layer ([`fs`]) that resolves every path through the [`crate::Root`].
//!
//! This module is the platform seam: the public modules (`cpu`, `memory`, …) hold
//! the types and call into here. Another system would add a sibling module.

pub(crate) mod battery;
pub(crate) mod cgroup;
pub(crate) mod control;
pub(crate) mod cpu;
pub(crate) mod dirs;
pub(crate) mod disk;
pub(crate) mod diskstats;
pub(crate) mod fs;
pub(crate) mod memory;
pub(crate) mod net;
pub(crate) mod parse;
pub(crate) mod process;
pub(crate) mod psi;
pub(crate) mod sensors;
pub(crate) mod utmp;

/// Threads for the /proc scans (process table, socket owners): `PSKIT_SCAN_THREADS`
/// if set (1 turns threading off), else the CPUs this process may use, at most 4.
/// Read once.
pub(crate) fn scan_threads() -> usize {
    static N: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *N.get_or_init(|| {
        std::env::var("PSKIT_SCAN_THREADS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| {
                std::thread::available_parallelism()
                    .map(|n| n.get())
                    .unwrap_or(1)
            })
            .clamp(1, 4)
    })
}

#[cfg(test)]
mod garbage {
    //! Every parser on hostile input: random bytes and every truncation of real
    //! text. The rule is "a clear error or psutil's default, never a panic".

    use super::*;

    /// xorshift64*: deterministic, dependency-free pseudo-random bytes.
    fn noise(seed: u64, len: usize) -> Vec<u8> {
        let mut x = seed | 1;
        (0..len)
            .map(|_| {
                x ^= x >> 12;
                x ^= x << 25;
                x ^= x >> 27;
                let b = (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8;
                // Bias towards the characters the parsers split on.
                match b % 8 {
                    0 => b' ',
                    1 => b'\n',
                    2 => b':',
                    3 => b'0' + b % 10,
                    _ => b,
                }
            })
            .collect()
    }

    fn all_parsers(bytes: &[u8]) {
        let text = String::from_utf8_lossy(bytes);
        let s = text.as_ref();
        let _ = cpu::parse_stat_total(s, 100.0);
        let _ = cpu::parse_stat_percpu(s, 100.0);
        let _ = cpu::parse_stat_cpu_stats(s);
        let _ = cpu::parse_stat_btime(s);
        let _ = cpu::parse_loadavg(s);
        let _ = cpu::parse_cpuinfo_mhz(s);
        let _ = cpu::parse_cpuinfo_cores(s);
        let _ = cpu::parse_cpuinfo_processors(s);
        let m = memory::parse_meminfo(s);
        let _ = memory::compute_virtual_memory(&m, || Some(u64::MAX));
        let _ = memory::compute_virtual_memory(&m, || None);
        let _ = memory::parse_zoneinfo_low(s);
        let _ = memory::parse_vmstat_swap(s);
        let _ = utmp::parse_utmp(bytes);
        let _ = cgroup::parse_proc_cgroup(s);
        let _ = cgroup::parse_mountinfo_cgroups(s);
        let _ = cgroup::parse_cpu_max(s);
        let _ = cgroup::parse_v1_bytes(s);
        let _ = cgroup::parse_v2_bytes(s);
        let _ = psi::parse_psi(s);
        let _ = parse::cpu_list(s);
        let _ = parse::unescape_octal(s);
        let _ = disk::parse_mounts(s);
        let _ = disk::parse_filesystems(s);
        let _ = disk::partitions_lookup(s, 8, 1);
        let _ = disk::uevent_devname(s);
        let _ = diskstats::parse_diskstats(s);
        let _ = diskstats::parse_sysfs_stat("sda", s);
        let _ = sensors::parse_float(s);
    }

    #[test]
    fn random_bytes_never_panic() {
        for seed in 0..3000u64 {
            all_parsers(&noise(seed, (seed as usize * 7) % 1500));
        }
    }

    #[test]
    fn every_truncation_of_real_text_never_panics() {
        let real = [
            "cpu  2403 0 1170 29143 112 0 11 5 0 0\ncpu0 1200 0 600 14500 50 0 5 2 0 0\nintr 5 1\nctxt 9\nbtime 17\nsoftirq 4 1\n",
            "MemTotal:       24684100 kB\nMemFree:        24129028 kB\nMemAvailable:   24379072 kB\nSwapTotal: 0 kB\n",
            "some avg10=0.31 avg60=1.04 avg300=0.40 total=1682258\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
            "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n4:memory:/a/b\n0::/\n",
            "   8       0 sda 4567 12 345678 900 1234 56 78901 2345 0 3456 3245 0 0 0 0 0 0 0 0\n 259 1 nvme0n1p1 1 2 3 4\n",
            "/dev/sda1 /mnt/my\\040disk ext4 rw,relatime 0 0\nnodev\tproc\n\text4\n",
        ];
        for text in real {
            for cut in 0..=text.len() {
                all_parsers(&text.as_bytes()[..cut]);
            }
        }
        // Huge numbers must not overflow into a panic either.
        all_parsers(b"MemTotal: 99999999999999999999 kB\nMemFree: 18446744073709551615 kB\n");
        all_parsers(b"cpu 18446744073709551615 18446744073709551615 1 1\n");
        let max_kb = b"MemTotal: 18014398509481983 kB\nMemFree: 18014398509481983 kB\nCached: 18014398509481983 kB\n\
SReclaimable: 18014398509481983 kB\nActive(file): 18014398509481983 kB\nInactive(file): 18014398509481983 kB\n\
Inact_dirty: 18014398509481983 kB\nInact_clean: 18014398509481983 kB\n";
        all_parsers(max_kb);
        all_parsers(
            b"physical id: 0\ncpu cores: 4294967295\n\nphysical id: 1\ncpu cores: 4294967295\n",
        );
        all_parsers(b"pswpin 18446744073709551615\npswpout 18446744073709551615\n");
    }
}
