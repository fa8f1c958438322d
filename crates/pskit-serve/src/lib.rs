//! `pskit serve`: a Prometheus exporter with node_exporter's host metrics and
//! process-exporter's process-group metrics, built on the pskit library.
//!
//! A scrape runs every enabled collector of [`COLLECTORS`] once, each adding
//! metric families to one [`expo::Metrics`], and adds node_exporter's
//! `node_scrape_collector_duration_seconds` and
//! `node_scrape_collector_success` for each. [`expo`] writes the result as
//! Prometheus text 0.0.4 or OpenMetrics.
//!
//! ```
//! let cfg = pskit_serve::Config::parse(["pskit serve", "--collector.disable-defaults", "--collector.loadavg"]).unwrap();
//! let m = pskit_serve::scrape(&cfg);
//! assert!(m.families().iter().any(|f| f.name == "node_load1"));
//! ```
#![deny(missing_docs)]

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Instant;

pub mod expo;
pub mod http;
pub mod node;
pub mod procs;
pub mod webconfig;

use expo::Metrics;

/// An option of a collector, given as `--FLAG=VALUE`
/// (`--collector.filesystem.mount-points-exclude=…`).
///
/// ```
/// let o = pskit_serve::Opt { flag: "collector.x.y", default: "", help: "Y." };
/// assert_eq!(o.flag, "collector.x.y");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Opt {
    /// The flag's name without the leading `--`.
    pub flag: &'static str,
    /// Its value when not given.
    pub default: &'static str,
    /// One line of help.
    pub help: &'static str,
}

impl Opt {
    /// A boolean option (its default is `true` or `false`): given bare
    /// (`--collector.netdev.netlink`), as `--FLAG=false`, or as `--no-FLAG`,
    /// the way node_exporter's kingpin flags are.
    ///
    /// ```
    /// let o = pskit_serve::Opt { flag: "collector.x.y", default: "false", help: "Y." };
    /// assert!(o.is_switch());
    /// ```
    pub fn is_switch(&self) -> bool {
        self.default == "true" || self.default == "false"
    }
}

/// What a collector does with one scrape: adds its families, or says why
/// it could not (that collector's `node_scrape_collector_success` is then 0).
pub type CollectFn = fn(&Ctx, &mut Metrics) -> Result<(), String>;

/// One collector: its name (as in `--collector.NAME`), whether it runs
/// unless told otherwise, its options and its function.
///
/// ```
/// let c = pskit_serve::COLLECTORS.iter().find(|c| c.name == "loadavg").unwrap();
/// assert!(c.default_enabled);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct CollectorDef {
    /// The name in `--collector.NAME` and in the `collector` label.
    pub name: &'static str,
    /// One line of help.
    pub help: &'static str,
    /// On unless `--no-collector.NAME` or `--collector.disable-defaults`.
    pub default_enabled: bool,
    /// Its `--collector.NAME.*` options.
    pub options: &'static [Opt],
    /// The collection.
    pub collect: CollectFn,
}

/// Every collector pskit serve has, in the order a scrape runs them.
pub static COLLECTORS: &[CollectorDef] = &[
    CollectorDef {
        name: "loadavg",
        help: "Load averages from /proc/loadavg.",
        default_enabled: true,
        options: &[],
        collect: node::loadavg::collect,
    },
    CollectorDef {
        name: "filesystem",
        help: "Filesystem statistics: space and inodes of every mount, from statfs.",
        default_enabled: true,
        options: node::filesystem::OPTIONS,
        collect: node::filesystem::collect,
    },
    CollectorDef {
        name: "diskstats",
        help: "Disk I/O statistics from /proc/diskstats.",
        default_enabled: true,
        options: node::diskstats::OPTIONS,
        collect: node::diskstats::collect,
    },
    CollectorDef {
        name: "netdev",
        help: "Network device statistics from /proc/net/dev.",
        default_enabled: true,
        options: node::netdev::OPTIONS,
        collect: node::netdev::collect,
    },
    CollectorDef {
        name: "netclass",
        help: "Network device properties from /sys/class/net.",
        default_enabled: true,
        options: node::netclass::OPTIONS,
        collect: node::netclass::collect,
    },
    CollectorDef {
        name: "cpu",
        help: "Exposes CPU statistics from /proc/stat and /sys/devices/system/cpu.",
        default_enabled: true,
        options: node::cpu::OPTIONS,
        collect: node::cpu::collect,
    },
    CollectorDef {
        name: "meminfo",
        help: "Exposes memory statistics from /proc/meminfo.",
        default_enabled: true,
        options: &[],
        collect: node::meminfo::collect,
    },
    CollectorDef {
        name: "stat",
        help: "Exposes various statistics from /proc/stat (boot time, forks, interrupts).",
        default_enabled: true,
        options: node::stat::OPTIONS,
        collect: node::stat::collect,
    },
    CollectorDef {
        name: "pressure",
        help: "Exposes pressure stall statistics from /proc/pressure/.",
        default_enabled: true,
        options: &[],
        collect: node::pressure::collect,
    },
    CollectorDef {
        name: "uname",
        help: "Exposes system information as provided by the uname system call.",
        default_enabled: true,
        options: &[],
        collect: node::uname::collect,
    },
    CollectorDef {
        name: "time",
        help: "Exposes the current system time and the clock sources.",
        default_enabled: true,
        options: &[],
        collect: node::time::collect,
    },
    CollectorDef {
        name: "cpufreq",
        help: "Exposes CPU frequency statistics from /sys/devices/system/cpu/cpu*/cpufreq.",
        default_enabled: true,
        options: &[],
        collect: node::cpufreq::collect,
    },
    CollectorDef {
        name: "hwmon",
        help: "Exposes hardware monitoring and sensor data from /sys/class/hwmon/.",
        default_enabled: true,
        options: &[],
        collect: node::hwmon::collect,
    },
    CollectorDef {
        name: "thermal_zone",
        help: "Exposes thermal zone and cooling device statistics from /sys/class/thermal.",
        default_enabled: true,
        options: &[],
        collect: node::thermal_zone::collect,
    },
    CollectorDef {
        name: "powersupplyclass",
        help: "Exposes power supply statistics from /sys/class/power_supply.",
        default_enabled: true,
        options: node::powersupplyclass::OPTIONS,
        collect: node::powersupplyclass::collect,
    },
    CollectorDef {
        name: "namedprocess",
        help: "process-exporter's process-group metrics (namedprocess_namegroup_*).",
        default_enabled: false,
        options: procs::NAMEDPROCESS_OPTIONS,
        collect: procs::collect,
    },
    CollectorDef {
        name: "cgroup",
        help:
            "Processes grouped by cgroup v2 path: CPU, memory, limits, pressure (pskit_cgroup_*).",
        default_enabled: true,
        options: &[],
        collect: procs::cgroup::collect,
    },
];

/// What a collector can see of the configuration: the root pskit reads
/// (`--path.procfs`, `--path.sysfs`, `--path.rootfs`) and the options.
///
/// ```
/// let cfg = pskit_serve::Config::parse(["pskit serve"]).unwrap();
/// let ctx = cfg.ctx();
/// assert!(ctx.root.proc().ends_with("proc"));
/// ```
#[derive(Debug, Clone)]
pub struct Ctx {
    /// Where /proc, /sys and the rest are.
    pub root: pskit::Root,
    /// `--path.rootfs`: where the host's filesystems are mounted (`/` unless
    /// run in a container with the host's root bind-mounted).
    pub rootfs: PathBuf,
    opts: HashMap<&'static str, String>,
}

impl Ctx {
    /// The value of a collector option (its default when not given, and ""
    /// for a flag no collector declares).
    ///
    /// ```
    /// let cfg = pskit_serve::Config::parse(["pskit serve"]).unwrap();
    /// assert_eq!(cfg.ctx().opt("collector.nosuch.option"), "");
    /// ```
    pub fn opt(&self, flag: &str) -> &str {
        self.opts.get(flag).map(String::as_str).unwrap_or("")
    }
}

/// The parsed command line of `pskit serve` (node_exporter's flags).
///
/// ```
/// let cfg = pskit_serve::Config::parse(["pskit serve", "--web.listen-address=127.0.0.1:9999"]).unwrap();
/// assert_eq!(cfg.listen, vec!["127.0.0.1:9999".to_string()]);
/// assert_eq!(cfg.telemetry_path, "/metrics");
/// ```
#[derive(Debug, Clone)]
pub struct Config {
    /// `--web.listen-address` (repeatable; default `:9100`).
    pub listen: Vec<String>,
    /// `--web.telemetry-path` (default `/metrics`).
    pub telemetry_path: String,
    /// `--web.config.file`: exporter-toolkit's TLS and basic-auth file.
    pub web_config: Option<PathBuf>,
    /// `--web.max-requests`: scrapes served at once; more get 503 (0: no
    /// limit; default 40).
    pub max_requests: usize,
    /// `--once`: print one scrape in the text format and exit.
    pub once: bool,
    /// Serve the exporter's own `process_*` and `promhttp_*` families
    /// beside the collectors' (on unless `--web.disable-exporter-metrics`).
    pub exporter_metrics: bool,
    /// The collectors that run, in [`COLLECTORS`]' order.
    pub enabled: Vec<&'static CollectorDef>,
    ctx: Ctx,
}

impl Config {
    /// Parses `pskit serve`'s arguments (the first is the program name).
    /// `Err` carries clap's error, which prints itself (help, version, or a
    /// usage error with exit status 2).
    ///
    /// ```
    /// let cfg = pskit_serve::Config::parse(["pskit serve", "--no-collector.loadavg"]).unwrap();
    /// assert!(cfg.enabled.iter().all(|c| c.name != "loadavg"));
    /// assert!(pskit_serve::Config::parse(["pskit serve", "--web.max-requests=x"]).is_err());
    /// ```
    pub fn parse<I, T>(args: I) -> Result<Config, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        use clap::{Arg, ArgAction, Command};
        let mut cmd = Command::new("pskit serve")
            .about("A Prometheus exporter: node_exporter's host metrics and process-exporter's process groups")
            .arg(
                Arg::new("web.listen-address")
                    .long("web.listen-address")
                    .action(ArgAction::Append)
                    .value_name("ADDR")
                    .help("Address on which to expose metrics and the web interface (repeatable) [default: :9100]"),
            )
            .arg(
                Arg::new("web.telemetry-path")
                    .long("web.telemetry-path")
                    .default_value("/metrics")
                    .help("Path under which to expose metrics"),
            )
            .arg(
                Arg::new("web.config.file")
                    .long("web.config.file")
                    .value_parser(clap::value_parser!(PathBuf))
                    .help("exporter-toolkit web configuration file: TLS and basic authentication"),
            )
            .arg(
                Arg::new("web.max-requests")
                    .long("web.max-requests")
                    .default_value("40")
                    .value_parser(clap::value_parser!(usize))
                    .help("Maximum number of parallel scrape requests; 0 disables the limit"),
            )
            .arg(
                Arg::new("web.disable-exporter-metrics")
                    .long("web.disable-exporter-metrics")
                    .action(ArgAction::SetTrue)
                    .help("Exclude metrics about the exporter itself (process_*, promhttp_*)"),
            )
            .arg(Arg::new("path.procfs").long("path.procfs").default_value("/proc").help("procfs mountpoint"))
            .arg(Arg::new("path.sysfs").long("path.sysfs").default_value("/sys").help("sysfs mountpoint"))
            .arg(Arg::new("path.rootfs").long("path.rootfs").default_value("/").help("rootfs mountpoint"))
            .arg(
                Arg::new("collector.disable-defaults")
                    .long("collector.disable-defaults")
                    .action(ArgAction::SetTrue)
                    .help("Set all collectors to disabled by default"),
            )
            .arg(
                Arg::new("once")
                    .long("once")
                    .action(ArgAction::SetTrue)
                    .help("Print one scrape in the text format to standard output and exit"),
            );
        for c in COLLECTORS {
            let on = format!("collector.{}", c.name);
            let off = format!("no-collector.{}", c.name);
            let default = if c.default_enabled {
                "enabled"
            } else {
                "disabled"
            };
            cmd = cmd
                .arg(
                    Arg::new(on.clone())
                        .long(on)
                        .action(ArgAction::SetTrue)
                        .help(format!(
                            "Enable the {} collector ({default} by default): {}",
                            c.name, c.help
                        )),
                )
                .arg(
                    Arg::new(off.clone())
                        .long(off)
                        .action(ArgAction::SetTrue)
                        .help(format!("Disable the {} collector", c.name)),
                );
            for o in c.options {
                if o.is_switch() {
                    // kingpin's booleans: `--flag`, `--flag=false`, `--no-flag`.
                    let no = format!("no-{}", o.flag);
                    cmd = cmd
                        .arg(
                            Arg::new(o.flag)
                                .long(o.flag)
                                .num_args(0..=1)
                                .require_equals(true)
                                .default_value(o.default)
                                .default_missing_value("true")
                                .value_parser(["true", "false"])
                                .help(o.help),
                        )
                        .arg(
                            Arg::new(no.clone())
                                .long(no)
                                .action(ArgAction::SetTrue)
                                .help(format!("Turn off --{}", o.flag)),
                        );
                } else {
                    cmd = cmd.arg(
                        Arg::new(o.flag)
                            .long(o.flag)
                            .default_value(o.default)
                            .help(o.help),
                    );
                }
            }
        }
        let m = cmd.try_get_matches_from(args)?;
        let defaults = !m.get_flag("collector.disable-defaults");
        let enabled: Vec<&'static CollectorDef> = COLLECTORS
            .iter()
            .filter(|c| {
                let on = m.get_flag(&format!("collector.{}", c.name));
                let off = m.get_flag(&format!("no-collector.{}", c.name));
                !off && (on || (defaults && c.default_enabled))
            })
            .collect();
        let s = |k: &str| m.get_one::<String>(k).cloned().unwrap_or_default();
        let rootfs = PathBuf::from(s("path.rootfs"));
        let root = pskit::Root::new(&rootfs)
            .with_proc(s("path.procfs"))
            .with_sys(s("path.sysfs"));
        let mut opts = HashMap::new();
        for c in COLLECTORS {
            for o in c.options {
                let off = o.is_switch() && m.get_flag(&format!("no-{}", o.flag));
                opts.insert(o.flag, if off { "false".into() } else { s(o.flag) });
            }
        }
        let ctx = Ctx { root, rootfs, opts };
        // namedprocess: a bad option or config file stops startup here.
        if enabled.iter().any(|c| c.name == "namedprocess") {
            procs::prepare(&ctx).map_err(|e| {
                clap::Error::raw(clap::error::ErrorKind::ValueValidation, format!("{e}\n"))
            })?;
        }
        Ok(Config {
            listen: m
                .get_many::<String>("web.listen-address")
                .map(|v| v.cloned().collect())
                .unwrap_or_else(|| vec![":9100".to_string()]),
            telemetry_path: s("web.telemetry-path"),
            web_config: m.get_one::<PathBuf>("web.config.file").cloned(),
            max_requests: m
                .get_one::<usize>("web.max-requests")
                .copied()
                .unwrap_or(40),
            once: m.get_flag("once"),
            exporter_metrics: !m.get_flag("web.disable-exporter-metrics"),
            enabled,
            ctx,
        })
    }

    /// The context collectors get.
    ///
    /// ```
    /// let cfg = pskit_serve::Config::parse(["pskit serve", "--path.procfs=/hostfs/proc"]).unwrap();
    /// assert_eq!(cfg.ctx().root.proc(), std::path::Path::new("/hostfs/proc"));
    /// ```
    pub fn ctx(&self) -> &Ctx {
        &self.ctx
    }
}

/// Says on stderr that a collector failed, once per distinct error (a
/// machine without hwmon would otherwise log the same line every scrape),
/// and again when it recovers and fails anew.
fn report_failure(name: &'static str, err: Option<&String>) {
    use std::sync::Mutex;
    static LAST: Mutex<Vec<(&'static str, String)>> = Mutex::new(Vec::new());
    let Ok(mut last) = LAST.lock() else { return };
    let pos = last.iter().position(|(n, _)| *n == name);
    match (err, pos) {
        (Some(e), Some(i)) if last[i].1 == *e => {}
        (Some(e), Some(i)) => {
            eprintln!("pskit serve: collector {name} failed: {e}");
            last[i].1 = e.clone();
        }
        (Some(e), None) => {
            eprintln!("pskit serve: collector {name} failed: {e}");
            last.push((name, e.clone()));
        }
        (None, Some(i)) => {
            last.remove(i);
        }
        (None, None) => {}
    }
}

/// Runs every enabled collector once, under the configured root, and adds
/// node_exporter's per-collector duration and success families.
///
/// ```
/// let cfg = pskit_serve::Config::parse(["pskit serve"]).unwrap();
/// let text = pskit_serve::expo::encode_text(&pskit_serve::scrape(&cfg));
/// assert!(text.contains("node_scrape_collector_success{collector=\"loadavg\"} 1\n"));
/// ```
pub fn scrape(cfg: &Config) -> Metrics {
    let ctx = cfg.ctx();
    ctx.root.clone().scope(|| {
        node::stat::once_per_scrape(|| {
            let mut m = Metrics::default();
            let mut timing = Vec::with_capacity(cfg.enabled.len());
            for c in &cfg.enabled {
                let t = Instant::now();
                let r = (c.collect)(ctx, &mut m);
                report_failure(c.name, r.as_ref().err());
                timing.push((c.name, t.elapsed().as_secs_f64(), r.is_ok()));
            }
            for (name, secs, ok) in timing {
                m.gauge(
                    "node_scrape_collector_duration_seconds",
                    "node_exporter: Duration of a collector scrape.",
                )
                .sample(&[("collector", name)], secs);
                m.gauge(
                    "node_scrape_collector_success",
                    "node_exporter: Whether a collector succeeded.",
                )
                .sample(&[("collector", name)], if ok { 1.0 } else { 0.0 });
            }
            m
        })
    })
}

/// `pskit serve`'s entry point: parses the arguments and serves, or prints
/// one scrape with `--once`. Returns the exit status.
///
/// ```
/// // --once: one scrape to standard output.
/// assert_eq!(pskit_serve::main(["pskit serve", "--once"]), 0);
/// // A web config file that cannot be read, a listen address without a
/// // port: a message on standard error, and 1.
/// assert_eq!(pskit_serve::main(["pskit serve", "--web.config.file=/nonexistent.yml"]), 1);
/// assert_eq!(pskit_serve::main(["pskit serve", "--web.listen-address=localhost"]), 1);
/// ```
pub fn main<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cfg = match Config::parse(args) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return e.exit_code();
        }
    };
    if cfg.once {
        use std::io::Write;
        let text = expo::encode_text(&scrape(&cfg));
        return match std::io::stdout().lock().write_all(text.as_bytes()) {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("pskit serve: {e}");
                1
            }
        };
    }
    let web = match &cfg.web_config {
        None => webconfig::WebConfig::default(),
        Some(p) => match webconfig::WebConfig::load(p) {
            Ok(w) => w,
            Err(e) => {
                eprintln!("pskit serve: --web.config.file: {e}");
                return 1;
            }
        },
    };
    let mut listeners = Vec::with_capacity(cfg.listen.len());
    for a in &cfg.listen {
        match http::bind(a) {
            Ok(l) => {
                let at = l
                    .local_addr()
                    .map(|s| s.to_string())
                    .unwrap_or_else(|_| a.clone());
                let tls = if web.tls.is_some() {
                    "enabled"
                } else {
                    "disabled"
                };
                eprintln!("pskit serve: listening on {at} (TLS {tls})");
                listeners.push(l);
            }
            Err(e) => {
                eprintln!("pskit serve: {e}");
                return 1;
            }
        }
    }
    match http::serve(listeners, cfg, web) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("pskit serve: {e}");
            1
        }
    }
}
