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
pub static COLLECTORS: &[CollectorDef] = &[CollectorDef {
    name: "loadavg",
    help: "Load averages from /proc/loadavg.",
    default_enabled: true,
    options: &[],
    collect: node::loadavg::collect,
}];

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
                cmd = cmd.arg(
                    Arg::new(o.flag)
                        .long(o.flag)
                        .default_value(o.default)
                        .help(o.help),
                );
            }
        }
        let m = cmd.try_get_matches_from(args)?;
        let defaults = !m.get_flag("collector.disable-defaults");
        let enabled = COLLECTORS
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
                opts.insert(o.flag, s(o.flag));
            }
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
            ctx: Ctx { root, rootfs, opts },
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
        let mut m = Metrics::default();
        let mut timing = Vec::with_capacity(cfg.enabled.len());
        for c in &cfg.enabled {
            let t = Instant::now();
            let r = (c.collect)(ctx, &mut m);
            if let Err(e) = &r {
                eprintln!("pskit serve: collector {} failed: {e}", c.name);
            }
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
