//! The loadavg collector beside Debian's node_exporter, scraped together.

mod common;

#[test]
fn loadavg_names_types_and_values_match() {
    let ne = common::node_exporter(&["--collector.disable-defaults", "--collector.loadavg"]);
    let theirs = common::parse(&common::get(&ne.url("/metrics")));
    let ours = common::parse(&common::pskit_scrape(&[
        "--collector.disable-defaults",
        "--collector.loadavg",
    ]));
    for name in ["node_load1", "node_load5", "node_load15"] {
        assert_eq!(ours.types.get(name), theirs.types.get(name), "{name}");
        assert_eq!(ours.help.get(name), theirs.help.get(name), "{name}");
        let (a, b) = (
            ours.value(name, &[]).unwrap(),
            theirs.value(name, &[]).unwrap(),
        );
        // /proc/loadavg moves every 5 s by at most a few hundredths here.
        assert!((a - b).abs() < 0.5, "{name}: {a} vs {b}");
    }
    for name in [
        "node_scrape_collector_success",
        "node_scrape_collector_duration_seconds",
    ] {
        assert_eq!(ours.types.get(name), theirs.types.get(name), "{name}");
        assert_eq!(ours.help.get(name), theirs.help.get(name), "{name}");
    }
    assert_eq!(
        ours.value("node_scrape_collector_success", &[("collector", "loadavg")]),
        Some(1.0)
    );
}
