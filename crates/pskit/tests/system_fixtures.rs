//! psutil's rules for the system-wide CPU, memory, host, cgroup and PSI functions,
//! checked through the root setting on fixture trees (machines this one is not).

mod common;

use common::fixture;
use pskit::Root;

fn at(name: &str) -> Root {
    Root::new(fixture(name))
}

#[test]
fn cpu_times_from_first_stat_line() {
    let t = at("cpu_sysfs").scope(pskit::cpu_times).unwrap();
    let tck = 100.0; // USER_HZ on every Linux architecture pskit builds for
    assert_eq!(t.user, 1000.0 / tck);
    assert_eq!(t.nice, 20.0 / tck);
    assert_eq!(t.idle, 40000.0 / tck);
    assert_eq!(t.guest_nice, 10.0 / tck);
}

#[test]
fn cpu_times_percpu_in_file_order() {
    let per = at("cpu_sysfs").scope(pskit::cpu_times_percpu).unwrap();
    assert_eq!(per.len(), 4);
    assert_eq!(per[1].softirq, 0.04);
    assert_eq!(per[3], pskit::CpuTimes::default());
}

#[test]
fn old_kernel_stat_missing_columns() {
    let t = at("cpu_cpuinfo_only").scope(pskit::cpu_times).unwrap();
    assert_eq!(
        (t.softirq, t.steal, t.guest, t.guest_nice),
        (0.07, 0.0, 0.0, 0.0)
    );
}

#[test]
fn cpu_stats_and_boot_time() {
    let r = at("cpu_sysfs");
    let s = r.scope(pskit::cpu_stats).unwrap();
    assert_eq!(
        (s.ctx_switches, s.interrupts, s.soft_interrupts, s.syscalls),
        (7000, 5000, 3000, 0)
    );
    assert_eq!(r.scope(pskit::boot_time).unwrap(), 1_700_000_000.0);
    assert_eq!(r.scope(pskit::getloadavg).unwrap(), (1.5, 0.75, 0.25));
}

#[test]
fn cpu_count_logical_from_online_list() {
    assert_eq!(at("cpu_sysfs").scope(|| pskit::cpu_count(true)), Some(4));
}

#[test]
fn cpu_count_logical_falls_back_to_cpuinfo_then_stat() {
    assert_eq!(
        at("cpu_cpuinfo_only").scope(|| pskit::cpu_count(true)),
        Some(3)
    );
    assert_eq!(
        at("cpu_stat_count").scope(|| pskit::cpu_count(true)),
        Some(3)
    );
}

#[test]
fn cpu_count_cores_distinct_core_cpus_lists() {
    // core_cpus_list wins over thread_siblings_list when present.
    assert_eq!(at("cpu_sysfs").scope(|| pskit::cpu_count(false)), Some(2));
    // Only thread_siblings_list: "0" and "1-2" are two cores.
    assert_eq!(
        at("cpu_cpuinfo_only").scope(|| pskit::cpu_count(false)),
        Some(2)
    );
}

#[test]
fn cpu_count_cores_from_cpuinfo_physical_ids() {
    // No topology: physical id 0 → 4 cores, physical id 1 → 4 cores.
    assert_eq!(
        at("cpu_stat_count").scope(|| pskit::cpu_count(false)),
        Some(8)
    );
}

#[test]
fn cpu_count_empty_root_is_none() {
    assert_eq!(at("nonexistent").scope(|| pskit::cpu_count(true)), None);
    assert_eq!(at("nonexistent").scope(|| pskit::cpu_count(false)), None);
}

#[test]
fn cpu_freq_sysfs_policies_sorted_by_number() {
    let per = at("cpu_sysfs").scope(pskit::cpu_freq_percpu).unwrap();
    // 2 cpuinfo MHz lines vs 3 policies: current comes from scaling_cur_freq,
    // and policy10 (no scaling_cur_freq) from cpuinfo_cur_freq.
    assert_eq!(per.len(), 3);
    assert_eq!(
        (per[0].current, per[0].min, per[0].max),
        (2000.0, 800.0, 3600.0)
    );
    assert_eq!(per[1].current, 3000.0);
    assert_eq!(
        (per[2].current, per[2].min, per[2].max),
        (1000.0, 400.0, 1200.0)
    );
    let avg = at("cpu_sysfs").scope(pskit::cpu_freq).unwrap().unwrap();
    assert_eq!(avg.current, 2000.0);
    assert_eq!(avg.min, (800.0 + 800.0 + 400.0) / 3.0);
}

#[test]
fn cpu_freq_cpuinfo_fallback_has_zero_min_max() {
    let per = at("cpu_cpuinfo_only")
        .scope(pskit::cpu_freq_percpu)
        .unwrap();
    assert_eq!(per.len(), 3);
    assert_eq!(
        (per[0].current, per[0].min, per[0].max),
        (2596.122, 0.0, 0.0)
    );
    let avg = at("cpu_cpuinfo_only")
        .scope(pskit::cpu_freq)
        .unwrap()
        .unwrap();
    assert_eq!(avg.current, (2596.122 + 1800.0 + 1200.5) / 3.0);
}

#[test]
fn cpu_freq_nothing_known_is_none() {
    assert_eq!(at("cpu_stat_count").scope(pskit::cpu_freq).unwrap(), None);
}

#[test]
fn virtual_memory_without_memavailable_estimates_from_zoneinfo() {
    let vm = at("meminfo_no_available")
        .scope(pskit::virtual_memory)
        .unwrap();
    let page = 4096.0; // fixture written for 4 KiB pages
    let low = (41.0 + 6000.0) * page;
    let free = 500000.0 * 1024.0;
    let pagecache = (300000.0 + 200000.0) * 1024.0;
    let srec = 50000.0 * 1024.0;
    let mut avail = free - low;
    avail += pagecache - (pagecache / 2.0f64).min(low);
    avail += srec - (srec / 2.0f64).min(low);
    if rustix_page_size() == 4096 {
        assert_eq!(vm.available, avail as u64);
    }
    assert_eq!(vm.total, 2000000 * 1024);
    assert_eq!(vm.used, vm.total - vm.available);
    assert_eq!(vm.cached, (600000 + 50000) * 1024);
    assert_eq!(vm.buffers, 10000 * 1024);
    assert_eq!(vm.shared, 20000 * 1024);
    assert_eq!(vm.slab, 80000 * 1024);
    assert_eq!((vm.active, vm.inactive), (700000 * 1024, 400000 * 1024));
    let pct = ((vm.total - vm.available) as f64 / vm.total as f64 * 100.0 * 10.0).round() / 10.0;
    assert_eq!(vm.percent, pct);
}

fn rustix_page_size() -> usize {
    // The page size of this machine, read the way the library does.
    let out = std::process::Command::new("getconf")
        .arg("PAGESIZE")
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

#[test]
fn available_above_total_falls_back_to_free() {
    let vm = at("meminfo_lxc").scope(pskit::virtual_memory).unwrap();
    assert_eq!(vm.available, 400000 * 1024);
    assert_eq!(vm.used, 600000 * 1024);
    assert_eq!(vm.percent, 60.0);
}

#[test]
fn swap_from_meminfo_and_vmstat_in_4k_units() {
    let s = at("meminfo_no_available")
        .scope(pskit::swap_memory)
        .unwrap();
    assert_eq!(s.total, 1000000 * 1024);
    assert_eq!(s.free, 750000 * 1024);
    assert_eq!(s.used, 250000 * 1024);
    assert_eq!(s.percent, 25.0);
    assert_eq!((s.sin, s.sout), (10 * 4096, 25 * 4096));
}

#[test]
fn swap_without_vmstat_reads_zero_sin_sout() {
    let s = at("meminfo_lxc").scope(pskit::swap_memory);
    // No SwapTotal and not the host root: a clear error rather than the host's sysinfo.
    assert!(matches!(s, Err(pskit::Error::Parse { .. })));
}

#[test]
fn empty_procfs_errors_like_psutil() {
    // psutil's own test: an empty PROCFS_PATH makes these raise.
    let r = at("nonexistent");
    assert!(r.scope(pskit::virtual_memory).is_err());
    assert!(r.scope(pskit::swap_memory).is_err());
    assert!(r.scope(pskit::cpu_times).is_err());
    assert!(r.scope(pskit::cpu_times_percpu).is_err());
    assert!(r.scope(pskit::boot_time).is_err());
    assert!(r.scope(pskit::cpu_stats).is_err());
    assert!(r.scope(pskit::getloadavg).is_err());
    let err = r.scope(pskit::virtual_memory).unwrap_err().to_string();
    assert!(err.contains("nonexistent/proc/meminfo"), "{err}");
}

#[test]
fn users_from_utmp_file() {
    let users = at("utmp").scope(pskit::users).unwrap();
    let got: Vec<_> = users
        .iter()
        .map(|u| {
            (
                u.name.as_str(),
                u.terminal.as_deref(),
                u.host.as_str(),
                u.started,
                u.pid,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("alice", Some("pts/0"), "10.1.2.3", 1700000100.0, 1234),
            ("bob", Some("tty1"), "localhost", 1700000200.0, 1300),
            ("carol", Some("pts/1"), "localhost", 1700000300.0, 1400),
        ]
    );
}

#[test]
fn users_from_var_run_utmp_and_none_without_file() {
    assert_eq!(at("utmp_var").scope(pskit::users).unwrap().len(), 1);
    assert!(at("nonexistent").scope(pskit::users).unwrap().is_empty());
}

fn affinity() -> f64 {
    Root::host().scope(|| pskit::container::cpu_limit().unwrap().affinity as f64)
}

#[test]
fn cgroup_v2_cpu_quota_is_tightest_ancestor() {
    let c = at("cgroup_v2").scope(pskit::container::cpu_limit).unwrap();
    assert_eq!(c.quota, Some(0.5));
    assert_eq!(c.cpus, 0.5f64.min(affinity()));
    assert_eq!(c.cgroup_version, Some(2));
    assert_eq!(c.cgroup.as_deref(), Some("/user.slice/app"));
    assert_eq!(c.usable_cpus(), 1);
}

#[test]
fn cgroup_v2_memory_limit_from_ancestor() {
    let m = at("cgroup_v2")
        .scope(pskit::container::memory_limit)
        .unwrap();
    assert_eq!(m.limit, Some(1 << 30));
    assert_eq!(m.usage, Some(104857600));
    assert_eq!(m.peak, Some(209715200));
    assert_eq!(m.swap_limit, Some(0));
    assert_eq!(m.cgroup_version, Some(2));
}

#[test]
fn cgroup_v1_cfs_quota_and_memory_limit() {
    let r = at("cgroup_v1");
    let c = r.scope(pskit::container::cpu_limit).unwrap();
    assert_eq!(c.quota, Some(1.5));
    assert_eq!(c.cpus, 1.5f64.min(affinity()));
    assert_eq!(c.cgroup_version, Some(1));
    let m = r.scope(pskit::container::memory_limit).unwrap();
    assert_eq!(m.limit, Some(536870912));
    assert_eq!(m.usage, Some(123456789));
    assert_eq!(m.peak, Some(223456789));
    assert_eq!(m.swap_limit, None);
    assert!(r.scope(pskit::container::is_limited).unwrap());
}

#[test]
fn cgroup_hybrid_uses_v1_controllers_not_empty_v2() {
    let r = at("cgroup_hybrid");
    let c = r.scope(pskit::container::cpu_limit).unwrap();
    assert_eq!(c.quota, None);
    assert_eq!(c.cpus, affinity());
    assert_eq!(c.cgroup_version, Some(1));
    let m = r.scope(pskit::container::memory_limit).unwrap();
    assert_eq!(m.limit, Some(268435456));
    assert_eq!(m.usage, Some(1000));
    assert_eq!(m.cgroup_version, Some(1));
}

#[test]
fn no_cgroup_files_means_no_limit() {
    // A kernel without cgroups: /proc/self exists, /proc/self/cgroup does not.
    let r = at("cgroup_none");
    let c = r.scope(pskit::container::cpu_limit).unwrap();
    assert_eq!((c.quota, c.cgroup_version), (None, None));
    assert!(!r.scope(pskit::container::is_limited).unwrap());
    // No /proc at all is an error naming the file, not a silent "no limit".
    assert!(at("nonexistent")
        .scope(pskit::container::cpu_limit)
        .is_err());
}

#[test]
fn psi_files() {
    let p = at("psi").scope(pskit::pressure::pressure).unwrap();
    let cpu = p.cpu.unwrap();
    assert_eq!(cpu.some.unwrap().avg10, 1.5);
    assert_eq!(cpu.some.unwrap().total, 123456);
    assert!(cpu.full.is_none());
    assert_eq!(p.memory.unwrap().full.unwrap().avg300, 0.03);
    assert!(p.io.is_some());
    assert!(p.irq.is_none());
}

#[test]
fn psi_missing_is_unsupported_and_garbage_is_parse_error() {
    assert!(matches!(
        at("cpu_sysfs").scope(pskit::pressure::pressure),
        Err(pskit::Error::Unsupported(_))
    ));
    assert!(matches!(
        at("psi_garbage").scope(pskit::pressure::pressure),
        Err(pskit::Error::Parse { .. })
    ));
}
