//! Every node_exporter collector pskit serve has, at once, beside Debian's
//! node_exporter 1.5 with the same collectors: the same set of series (name
//! and labels), the same # TYPE and # HELP for each family, so no two
//! collectors clash and none is missing. (Values are compared collector by
//! collector in node_a_vs_node_exporter.rs and node_b_vs_node_exporter.rs.)

mod common;

use std::collections::BTreeSet;

/// Families that belong to the exporter program, not to a collector.
fn ignored(name: &str) -> bool {
    name.starts_with("go_")
        || name.starts_with("process_")
        || name.starts_with("promhttp_")
        || name == "node_exporter_build_info"
}

#[test]
fn all_node_collectors_expose_node_exporters_series() {
    // node_exporter's own collectors among pskit's (not pskit's extras).
    let names: Vec<&str> = pskit_serve::COLLECTORS
        .iter()
        .map(|c| c.name)
        .filter(|n| !matches!(*n, "namedprocess" | "cgroup"))
        .collect();
    assert!(names.len() >= 15, "{names:?}");
    let mut flags: Vec<String> = vec!["--collector.disable-defaults".into()];
    flags.extend(names.iter().map(|n| format!("--collector.{n}")));
    // Debian patches two defaults: give both the same explicit values.
    flags.push(
        "--collector.filesystem.mount-points-exclude=^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)"
            .into(),
    );
    flags.push("--collector.netdev.device-exclude=^$".into());
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let mut last = String::new();
    // Series come and go between two scrapes only when the machine changes
    // (a mount, a NIC): retried a few times so that cannot fail the test.
    for _ in 0..3 {
        let ne = common::node_exporter(&flags);
        let theirs = common::parse(&common::get(&ne.url("/metrics")));
        let ours = common::parse(&common::pskit_scrape(&flags));
        let key = |s: &common::Scrape| -> BTreeSet<(String, Vec<(String, String)>)> {
            s.series
                .iter()
                .filter(|x| !ignored(&x.name))
                .map(|x| (x.name.clone(), x.labels.clone().into_iter().collect()))
                .collect()
        };
        let (a, b) = (key(&ours), key(&theirs));
        let only_ours: Vec<_> = a.difference(&b).collect();
        let only_theirs: Vec<_> = b.difference(&a).collect();
        let mut bad_meta = Vec::new();
        for (name, _) in &b {
            if ours.types.get(name) != theirs.types.get(name)
                || ours.help.get(name) != theirs.help.get(name)
            {
                bad_meta.push(name.clone());
            }
        }
        if only_ours.is_empty() && only_theirs.is_empty() && bad_meta.is_empty() {
            assert!(b.len() > 100, "{} series only", b.len());
            return;
        }
        last = format!(
            "only pskit: {only_ours:#?}\nonly node_exporter: {only_theirs:#?}\nTYPE/HELP differ: {bad_meta:?}"
        );
    }
    panic!("{last}");
}
