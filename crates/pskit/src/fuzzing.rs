//! Fuzz targets: one function per target of `fuzz/` (cargo-fuzz), each feeding
//! untrusted bytes to the crate's parsers and checking cheap invariants. They panic
//! on a broken invariant, which is how a fuzzer reports it.
//!
//! Built only with the `fuzzing` feature; `tests/fuzz_regress.rs` runs every target
//! over the committed seeds on stable, and `fuzz/run.sh` runs them under libFuzzer.
//!
//! Several targets read more than one file from one input: [`split`] cuts the input
//! at its NUL bytes.

use std::borrow::Cow;
use std::path::Path;

use crate::linux::net::{diag, inodes, ipfmt, netlink, proc_net, rtnl};
use crate::linux::process::parse as pp;
use crate::linux::{battery, cgroup, cpu, disk, diskstats, memory, parse, psi, sensors, utmp};
use crate::net::{AF_INET, AF_INET6, CONN_NONE, SOCK_DGRAM, SOCK_STREAM};

/// A fuzz target: takes any bytes, panics on a bug.
pub type Target = fn(&[u8]);

/// Every target, by name, for runners that iterate over them.
pub const TARGETS: &[(&str, Target)] = &[
    ("proc_stat", proc_stat),
    ("proc_status", proc_status),
    ("proc_statm_io", proc_statm_io),
    ("proc_cmdline_environ", proc_cmdline_environ),
    ("proc_limits", proc_limits),
    ("proc_cgroup_passwd", proc_cgroup_passwd),
    ("smaps", smaps),
    ("meminfo", meminfo),
    ("cpu_stat", cpu_stat),
    ("cpu_list", cpu_list),
    ("mounts", mounts),
    ("diskstats", diskstats),
    ("net_dev", net_dev),
    ("proc_net", proc_net),
    ("rtnetlink", rtnetlink),
    ("sock_diag", sock_diag),
    ("cgroup", cgroup),
    ("psi", psi),
    ("utmp", utmp),
    ("sensors", sensors),
];

/// The input as text, as the readers give it to the text parsers.
fn text(data: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(data)
}

/// The input cut at its NUL bytes into `N` parts; missing parts are empty and the
/// last part keeps any further NULs.
pub fn split<const N: usize>(data: &[u8]) -> [&[u8]; N] {
    let mut out = [&data[..0]; N];
    let mut rest = data;
    for (i, slot) in out.iter_mut().enumerate() {
        if i + 1 == N {
            *slot = rest;
            break;
        }
        match rest.iter().position(|&c| c == 0) {
            Some(p) => {
                *slot = &rest[..p];
                rest = &rest[p + 1..];
            }
            None => {
                *slot = rest;
                rest = &rest[rest.len()..];
            }
        }
    }
    out
}

/// `/proc/<pid>/stat`.
pub fn proc_stat(data: &[u8]) {
    if let Ok(s) = pp::parse_stat(data) {
        assert!(s.comm.len() < data.len());
    }
    let _ = pp::stat_state(data);
    // parse_i64 agrees with the standard library wherever it answers.
    for tok in data.split(|c| c.is_ascii_whitespace()) {
        if let Some(v) = pp::parse_i64(tok) {
            let std = std::str::from_utf8(tok)
                .ok()
                .and_then(|t| t.parse::<i64>().ok());
            assert_eq!(std, Some(v), "{tok:?}");
        }
    }
}

/// `/proc/<pid>/status`, whole and up to `HugetlbPages`.
pub fn proc_status(data: &[u8]) {
    let s = pp::parse_status(data);
    for v in [
        s.vm_peak,
        s.vm_size,
        s.vm_hwm,
        s.vm_rss,
        s.rss_anon,
        s.rss_file,
        s.rss_shmem,
        s.vm_data,
        s.vm_stk,
        s.vm_exe,
        s.vm_lib,
        s.vm_swap,
        s.hugetlb_pages,
    ]
    .into_iter()
    .flatten()
    {
        // kB × 1024, saturating.
        assert!(v % 1024 == 0 || v == u64::MAX);
    }
    let _ = pp::parse_status_upto(data, Some(b"HugetlbPages"));
}

/// statm, io and fdinfo.
pub fn proc_statm_io(data: &[u8]) {
    let _ = pp::parse_statm(data);
    let _ = pp::parse_io(data);
    if let Ok((_, flags)) = pp::parse_fdinfo(data) {
        assert!(["r", "w", "r+", "a", "a+"].contains(&pp::file_mode(flags)));
    }
}

/// cmdline and environ.
pub fn proc_cmdline_environ(data: &[u8]) {
    let args = pp::parse_cmdline(data);
    assert!(args.len() <= data.len() + 1);
    for (k, _) in pp::parse_environ(data) {
        assert!(!k.is_empty() && !k.contains('='));
    }
}

/// `/proc/<pid>/limits`.
pub fn proc_limits(data: &[u8]) {
    if let Ok(l) = pp::parse_limits(&text(data)) {
        assert!(!l.is_empty());
    }
}

/// `/proc/<pid>/cgroup` (the process's path) and `/etc/passwd`.
pub fn proc_cgroup_passwd(data: &[u8]) {
    let s = text(data);
    if let Some(path) = pp::parse_cgroup(&s) {
        assert!(!path.contains('\n'));
    }
    for uid in [0, 1000, 65534] {
        if let Some(name) = pp::passwd_name(&s, uid) {
            assert!(!name.is_empty() && !name.contains(':') && !name.contains('\n'));
        }
    }
}

/// smaps and smaps_rollup, and psutil's grouping of the maps by path.
pub fn smaps(data: &[u8]) {
    if let Ok((uss, pss, swap)) = pp::parse_uss_pss_swap(data) {
        assert!(uss % 1024 == 0 && pss % 1024 == 0 && swap % 1024 == 0);
    }
    let Ok(entries) = pp::parse_smaps(data) else {
        return;
    };
    let mut totals = [0u128; 10];
    for e in &entries {
        assert!(!e.path.is_empty());
        for (t, v) in totals.iter_mut().zip(e.values) {
            assert_eq!(v % 1024, 0);
            *t += u128::from(v);
        }
    }
    let n = entries.len();
    match pp::group_smaps(entries.iter().map(|e| (e.path, e.values))) {
        Ok(groups) => {
            assert!(groups.len() <= n);
            for (k, total) in totals.iter().enumerate() {
                let sum: u128 = groups.iter().map(|(_, v)| u128::from(v[k])).sum();
                assert_eq!(sum, *total);
            }
        }
        // Only a sum beyond u64 is refused.
        Err(e) => {
            assert!(e.contains("out of range"), "{e}");
            assert!(totals.iter().any(|&t| t > u128::from(u64::MAX)));
        }
    }
}

/// meminfo, zoneinfo and vmstat (three NUL-separated parts) through psutil's
/// virtual_memory and swap_memory arithmetic.
pub fn meminfo(data: &[u8]) {
    let [mem, zone, vmstat] = split::<3>(data);
    let m = memory::parse_meminfo(&text(mem));
    let zone = text(zone);
    for page in [4096, 65536] {
        let low = || Some(memory::zoneinfo_low_bytes(&zone, page));
        if let Ok(v) = memory::virtual_memory_from(&m, low) {
            assert!(v.used <= v.total);
            assert!((0.0..=100.0).contains(&v.percent), "{}", v.percent);
        }
    }
    if let Ok(v) = memory::virtual_memory_from(&m, || None) {
        assert!(v.used <= v.total);
    }
    let _ = memory::compute_virtual_memory(&m, || Some(u64::MAX));
    let (sin, sout) = memory::parse_vmstat_swap(&text(vmstat));
    if let (Some(t), Some(f)) = (m.swap_total, m.swap_free) {
        let s = memory::swap_from(t, f, sin, sout);
        assert!(s.used <= s.total);
        assert!((0.0..=100.0).contains(&s.percent), "{}", s.percent);
    }
}

/// `/proc/stat`, `/proc/loadavg` and `/proc/cpuinfo`.
pub fn cpu_stat(data: &[u8]) {
    let s = text(data);
    let check = |t: &crate::cpu::CpuTimes| {
        for v in [t.user, t.nice, t.system, t.idle, t.iowait, t.guest_nice] {
            assert!(v.is_finite() && v >= 0.0);
        }
    };
    if let Ok(t) = cpu::parse_stat_total(&s, 100.0) {
        check(&t);
    }
    if let Ok(all) = cpu::parse_stat_percpu(&s, 100.0) {
        all.iter().for_each(check);
    }
    let _ = cpu::parse_stat_cpu_stats(&s);
    if let Ok(b) = cpu::parse_stat_btime(&s) {
        assert!(b >= 0.0);
    }
    let _ = cpu::parse_loadavg(&s);
    let _ = cpu::parse_cpuinfo_mhz(&s);
    assert!(cpu::parse_cpuinfo_processors(&s) as usize <= s.lines().count());
    let _ = cpu::parse_cpuinfo_cores(&s);
}

/// Kernel cpu lists (`/sys/devices/system/cpu/online`, `*_list`).
pub fn cpu_list(data: &[u8]) {
    let s = text(data);
    let list = parse::cpu_list(&s);
    if let Some(v) = &list {
        assert!(v.len() <= parse::MAX_CPUS as usize);
        assert!(v.iter().all(|&c| c < parse::MAX_CPUS));
    }
    assert_eq!(parse::count_cpu_list(&s), list.map(|v| v.len() as u32));
}

/// Mount tables, /proc/filesystems, /proc/partitions, a uevent file and the
/// octal escapes, through psutil's partition rules (four NUL-separated parts).
pub fn mounts(data: &[u8]) {
    let [tab, fs, parts, uevent] = split::<4>(data);
    let entries = disk::parse_mounts(&text(tab));
    for e in &entries {
        assert!(!e.fsname.is_empty());
    }
    let types = disk::parse_filesystems(&text(fs));
    for p in disk::select_partitions(entries.clone(), Some(&types), || Some("/dev/sda1".into())) {
        assert!(!p.device.is_empty() && types.contains(&p.fstype));
    }
    assert_eq!(
        disk::select_partitions(entries.clone(), None, || None).len(),
        entries.len()
    );
    let (major, minor) = (
        u32::from(*parts.first().unwrap_or(&8)),
        u32::from(*parts.get(1).unwrap_or(&1)),
    );
    let parts = text(parts);
    for (a, b) in [(major, minor), (8, 1)] {
        if let Some(dev) = disk::partitions_lookup(&parts, a, b) {
            assert!(dev.starts_with("/dev/"));
        }
    }
    if let Some(dev) = disk::uevent_devname(&text(uevent)) {
        assert!(dev.len() > "/dev/".len() && dev.starts_with("/dev/"));
    }
    let s = text(data);
    let u = parse::unescape_octal(&s);
    if !s.contains('\\') {
        assert_eq!(u, s);
    }
}

/// `/proc/diskstats` and `/sys/block/*/stat`.
pub fn diskstats(data: &[u8]) {
    let s = text(data);
    let sectors = |d: &diskstats::RawDisk| {
        for v in [d.1[2], d.1[3]] {
            assert!(v % 512 == 0 || v == u64::MAX);
        }
    };
    if let Ok(all) = diskstats::parse_diskstats(&s) {
        assert!(all.len() <= s.lines().count());
        all.iter().for_each(sectors);
    }
    if let Ok(d) = diskstats::parse_sysfs_stat("sda", &s) {
        sectors(&d);
    }
}

/// `/proc/net/dev` and the sysfs speed and duplex files.
pub fn net_dev(data: &[u8]) {
    let s = text(data);
    if let Ok(rows) = crate::linux::net::dev::parse_net_dev(&s) {
        assert!(rows.len() <= s.lines().count());
    }
    assert!(crate::linux::net::stats::parse_speed(&s) <= i32::MAX as u32);
    let _ = crate::linux::net::stats::parse_duplex(&s);
}

/// `/proc/net/{tcp,tcp6,udp,udp6,unix}` and `socket:[N]` link targets.
pub fn proc_net(data: &[u8]) {
    let s = text(data);
    for family in [AF_INET, AF_INET6] {
        for ty in [SOCK_STREAM, SOCK_DGRAM] {
            if let Ok(rows) = proc_net::parse_inet(&s, family, ty) {
                for r in rows {
                    assert_eq!(r.family, family);
                    assert!(ty == SOCK_STREAM || r.status == CONN_NONE);
                }
            }
        }
    }
    let _ = proc_net::parse_unix(&s);
    for tok in s.split_ascii_whitespace() {
        for family in [AF_INET, AF_INET6] {
            let _ = ipfmt::proc_hex_ip(tok, family);
        }
    }
    for target in data.split(|&c| c == b'\n') {
        if let Some(n) = inodes::socket_inode(target) {
            let digits = &target[b"socket:[".len()..target.len() - 1];
            let std = std::str::from_utf8(digits)
                .ok()
                .and_then(|d| d.parse().ok());
            assert_eq!(std, Some(n));
        }
    }
}

/// rtnetlink: a datagram of RTM_NEWLINK / RTM_NEWADDR messages (sequence 0), and
/// the input itself as one payload of each, through net_if_addrs' assembly.
pub fn rtnetlink(data: &[u8]) {
    let (mut links, mut addrs) = (Vec::new(), Vec::new());
    let mut each = |t: u16, payload: &[u8]| -> std::io::Result<()> {
        match t {
            16 => links.push(rtnl::parse_link(payload)?),
            20 => addrs.extend(rtnl::parse_addr(payload)?),
            _ => {}
        }
        Ok(())
    };
    let _ = netlink::walk_datagram(data, 0, &mut each);
    links.extend(rtnl::parse_link(data).ok());
    addrs.extend(rtnl::parse_addr(data).ok().flatten());
    let _ = netlink::attributes(data, |_, _| {});
    for a in &addrs {
        assert!(a.family == AF_INET || a.family == AF_INET6);
    }
    for list in crate::linux::net::addrs::build(&links, &addrs).values() {
        for e in list {
            assert!(!e.address.is_empty());
            if e.family == AF_INET || e.family == AF_INET6 {
                assert!(e.netmask.is_some());
            }
        }
    }
}

/// sock_diag answers (SOCK_DIAG_BY_FAMILY payloads) as connection rows.
pub fn sock_diag(data: &[u8]) {
    const SOCK_DIAG_BY_FAMILY: u16 = 20;
    for family in [AF_INET, AF_INET6] {
        for ty in [SOCK_STREAM, SOCK_DGRAM] {
            if let Ok(Some(e)) = diag::inet_entry(SOCK_DIAG_BY_FAMILY, data, family, ty) {
                assert_eq!((e.family, e.r#type), (family, ty));
                let _ = e.laddr.to_string();
                let _ = e.raddr.to_string();
            }
        }
    }
    let _ = diag::unix_entry(SOCK_DIAG_BY_FAMILY, data);
    let mut each = |t: u16, payload: &[u8]| -> std::io::Result<()> {
        diag::inet_entry(t, payload, AF_INET, SOCK_STREAM)?;
        diag::unix_entry(t, payload)?;
        Ok(())
    };
    let _ = netlink::walk_datagram(data, 0, &mut each);
}

/// cgroup discovery (`/proc/<pid>/cgroup`, mountinfo: two NUL-separated parts,
/// then the walk up the hierarchy) and the limit files.
pub fn cgroup(data: &[u8]) {
    let [lines, mountinfo] = split::<2>(data);
    let lines = cgroup::parse_proc_cgroup(&text(lines));
    let mounts = cgroup::parse_mountinfo_cgroups(&text(mountinfo));
    let root = crate::Root::new("/fuzz");
    for controller in ["memory", "cpu"] {
        if let Some(l) = cgroup::locate(&lines, &mounts, controller, &root, |_| true) {
            let top: &Path = l.dirs.last().expect("at least the mount");
            assert!(l.dirs.iter().all(|d| d.starts_with(top)));
        }
    }
    let s = text(data);
    if let Ok(Some(cpus)) = cgroup::parse_cpu_max(&s) {
        assert!(cpus.is_finite() && cpus > 0.0, "{cpus}");
    }
    let _ = cgroup::parse_v2_bytes(&s);
    if let Ok(Some(v)) = cgroup::parse_v1_bytes(&s) {
        assert!(v < 1 << 62);
    }
}

/// `/proc/pressure/*`.
pub fn psi(data: &[u8]) {
    if let Ok(p) = psi::parse_psi(&text(data)) {
        assert!(p.some.is_some() || p.full.is_some());
    }
}

/// utmp records.
pub fn utmp(data: &[u8]) {
    assert!(utmp::parse_utmp(data).len() <= data.len() / 384);
    assert_eq!(utmp::parse_records(data).len(), data.len() / 384);
}

/// hwmon, thermal and power-supply values: sysfs floats, sensor file names, trip
/// points, and the battery arithmetic on seven lines (energy_now, power_now,
/// energy_full, time_to_empty_now, capacity, AC online, status).
pub fn sensors(data: &[u8]) {
    let s = text(data);
    let lines: Vec<&str> = s.lines().collect();
    for l in &lines {
        assert_eq!(
            sensors::parse_float(l).map(f64::to_bits),
            l.trim().parse::<f64>().ok().map(f64::to_bits)
        );
        for kind in ["temp", "fan"] {
            if let Some(base) = sensors::sensor_base(l, kind) {
                assert!(base.starts_with(kind) && base.len() < l.len());
            }
        }
        let _ = battery::is_battery(l);
    }
    let names: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    assert!(sensors::trip_point_keys(&names).len() <= names.len());
    let attr = |i: usize| {
        let t = lines.get(i)?.trim();
        Some(match t.parse() {
            Ok(v) => battery::Attr::Int(v),
            Err(_) => battery::Attr::Text(Path::new("x").to_path_buf(), t.to_string()),
        })
    };
    let files = battery::BatteryFiles {
        energy_now: attr(0),
        power_now: attr(1),
        energy_full: attr(2),
        time_to_empty: attr(3),
        capacity: lines
            .get(4)
            .map(|c| (Path::new("capacity").to_path_buf(), c.trim().to_string())),
        ac_online: attr(5),
        status: lines.get(6).unwrap_or(&"").trim().to_lowercase(),
    };
    if let Ok(Some(b)) = battery::battery_from(&files) {
        // psutil's figures are not clamped (a negative energy gives a negative
        // time), but a plugged-in battery never has a time left.
        assert!(b.power_plugged != Some(true) || b.secsleft == crate::POWER_TIME_UNLIMITED);
    }
}
