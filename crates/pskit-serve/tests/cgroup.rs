//! The cgroup collector on a fixture cgroup v2 tree, and live.

mod common;

fn fixture() -> String {
    format!("{}/tests/fixtures/cgroup", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn fixture_tree() {
    let f = fixture();
    let procfs = format!("--path.procfs={f}/proc");
    let sysfs = format!("--path.sysfs={f}/sys");
    let text = common::pskit_scrape(&[
        "--collector.disable-defaults",
        "--collector.cgroup",
        &procfs,
        &sysfs,
    ]);
    let s = common::parse(&text);
    let v = |name: &str, cg: &str| s.value(name, &[("cgroup", cg)]);
    let web = "/system.slice/web.service";
    let session = "/user.slice/user-1000.slice/session-1.scope";
    assert_eq!(v("pskit_cgroup_processes", web), Some(2.0));
    assert_eq!(v("pskit_cgroup_processes", "/init.scope"), Some(1.0));
    assert_eq!(v("pskit_cgroup_processes", "/"), Some(1.0), "kthreadd");
    assert_eq!(v("pskit_cgroup_processes", session), Some(1.0));
    assert_eq!(s.named("pskit_cgroup_processes").len(), 4);
    assert_eq!(v("pskit_cgroup_cpu_usage_seconds_total", web), Some(42.5));
    assert_eq!(v("pskit_cgroup_cpu_usage_seconds_total", "/"), Some(900.0));
    assert_eq!(
        v("pskit_cgroup_cpu_throttled_seconds_total", web),
        Some(0.35)
    );
    assert_eq!(v("pskit_cgroup_cpu_limit_cores", web), Some(1.5));
    assert_eq!(
        v("pskit_cgroup_cpu_limit_cores", "/init.scope"),
        None,
        "max"
    );
    assert_eq!(
        v("pskit_cgroup_memory_current_bytes", web),
        Some(268435456.0)
    );
    assert_eq!(v("pskit_cgroup_memory_max_bytes", web), Some(536870912.0));
    assert_eq!(
        v("pskit_cgroup_memory_max_bytes", "/init.scope"),
        None,
        "max"
    );
    assert_eq!(
        v("pskit_cgroup_memory_current_bytes", session),
        Some(1048576.0)
    );
    assert_eq!(
        v("pskit_cgroup_pressure_cpu_waiting_seconds_total", web),
        Some(2.0)
    );
    assert_eq!(
        v("pskit_cgroup_pressure_cpu_waiting_seconds_total", "/"),
        Some(4.0)
    );
    assert_eq!(
        v("pskit_cgroup_pressure_memory_waiting_seconds_total", web),
        Some(0.3)
    );
    assert_eq!(
        v("pskit_cgroup_pressure_memory_stalled_seconds_total", web),
        Some(0.1)
    );
    assert_eq!(
        v("pskit_cgroup_pressure_io_waiting_seconds_total", web),
        Some(0.07)
    );
    assert_eq!(
        v("pskit_cgroup_pressure_io_stalled_seconds_total", web),
        Some(0.05)
    );
    for (name, ty) in [
        ("pskit_cgroup_processes", "gauge"),
        ("pskit_cgroup_cpu_usage_seconds_total", "counter"),
        ("pskit_cgroup_cpu_limit_cores", "gauge"),
        ("pskit_cgroup_memory_current_bytes", "gauge"),
        ("pskit_cgroup_memory_max_bytes", "gauge"),
        (
            "pskit_cgroup_pressure_memory_stalled_seconds_total",
            "counter",
        ),
    ] {
        assert_eq!(s.types.get(name).map(String::as_str), Some(ty), "{name}");
        assert!(!s.help[name].is_empty());
    }
    assert!(text.contains("pskit_cgroup_processes{cgroup=\"/system.slice/web.service\"} 2\n"));
}

/// On this machine: every process counted once, under the v2 path of its
/// /proc/PID/cgroup, and this process's cgroup figures as the files say.
#[test]
fn live() {
    let s = common::parse(&common::pskit_scrape(&[
        "--collector.disable-defaults",
        "--collector.cgroup",
    ]));
    let total: f64 = s
        .named("pskit_cgroup_processes")
        .iter()
        .map(|x| x.value)
        .sum();
    let pids = pskit::pids().unwrap().len() as f64;
    assert!(
        (total - pids).abs() <= 20.0,
        "{total} processes vs {pids} pids"
    );
    let mine = pskit::Process::current()
        .unwrap()
        .cgroup()
        .unwrap()
        .unwrap();
    let n = s
        .value("pskit_cgroup_processes", &[("cgroup", &mine)])
        .unwrap();
    assert!(n >= 1.0);
    assert_eq!(
        s.value("node_scrape_collector_success", &[("collector", "cgroup")]),
        Some(1.0)
    );
    // The v2 hierarchy, hybrid or not.
    let base = ["/sys/fs/cgroup", "/sys/fs/cgroup/unified"]
        .into_iter()
        .find(|b| std::path::Path::new(b).join("cgroup.controllers").exists());
    if let Some(base) = base {
        let dir = format!("{base}{}", if mine == "/" { "" } else { &mine });
        if let Ok(stat) = std::fs::read_to_string(format!("{dir}/cpu.stat")) {
            let usec: f64 = stat
                .lines()
                .find_map(|l| l.strip_prefix("usage_usec "))
                .unwrap()
                .parse()
                .unwrap();
            let ours = s
                .value("pskit_cgroup_cpu_usage_seconds_total", &[("cgroup", &mine)])
                .unwrap();
            // Read after the scrape: the cgroup may have run a few CPU-seconds
            // more meanwhile, never fewer.
            let file = usec / 1e6;
            assert!(
                file >= ours - 0.001 && file - ours < 30.0,
                "{ours} vs {file}"
            );
        }
    }
}
