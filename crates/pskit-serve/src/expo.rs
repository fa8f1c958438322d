//! The metrics of one scrape, and the two ways they go on the wire.
//!
//! Collectors add [`Family`]s to a [`Metrics`]; [`encode_text`] writes them in
//! Prometheus' text format 0.0.4 (what node_exporter serves by default) and
//! [`encode_openmetrics`] in OpenMetrics 1.0, through the `prometheus-client`
//! crate. prometheus-client writes only OpenMetrics, so the 0.0.4 writer is
//! the few lines below: no maintained crate writes it from dynamic families.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::Registry;

/// A metric family's type, as the exposition formats name them.
///
/// ```
/// use pskit_serve::expo::Kind;
/// assert_eq!(Kind::Counter.as_str(), "counter");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Only goes up (a name that ends in `_total`).
    Counter,
    /// Goes up and down.
    Gauge,
    /// No type given (`untyped` in 0.0.4, `unknown` in OpenMetrics).
    Untyped,
}

impl Kind {
    /// The name the 0.0.4 text format gives the type.
    ///
    /// ```
    /// assert_eq!(pskit_serve::expo::Kind::Untyped.as_str(), "untyped");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Counter => "counter",
            Kind::Gauge => "gauge",
            Kind::Untyped => "untyped",
        }
    }
}

/// One sample: its labels, in the order given, and its value.
///
/// ```
/// let s = pskit_serve::expo::Sample { labels: vec![("cpu".into(), "0".into())], value: 1.5 };
/// assert_eq!(s.value, 1.5);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// Label names and values. Names given to [`Family::sample`] are kept
    /// once per process (see [`label_name`]), so a sample allocates only its
    /// values.
    pub labels: Vec<(Cow<'static, str>, String)>,
    /// The value.
    pub value: f64,
}

/// A label name kept for the life of the process: the same few dozen names
/// (`cpu`, `mode`, `device`, …) label every scrape, so each is allocated once
/// rather than once per sample. Past 4,096 distinct names (which no collector
/// has) a name is simply owned by its sample.
///
/// ```
/// let a = pskit_serve::expo::label_name("device");
/// let b = pskit_serve::expo::label_name("device");
/// assert_eq!(a, "device");
/// assert!(std::ptr::eq(a.as_ptr(), b.as_ptr()));
/// ```
pub fn label_name(k: &str) -> Cow<'static, str> {
    static NAMES: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());
    let mut names = NAMES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(n) = names.get(k) {
        return Cow::Borrowed(n);
    }
    if names.len() >= 4096 {
        return Cow::Owned(k.to_string());
    }
    let n: &'static str = Box::leak(k.to_string().into_boxed_str());
    names.insert(n);
    Cow::Borrowed(n)
}

/// A metric family: a name, its help text, its type and its samples.
///
/// The name is the full sample name, as node_exporter spells it (a counter's
/// ends in `_total`).
///
/// ```
/// let mut m = pskit_serve::expo::Metrics::default();
/// m.gauge("node_load1", "1m load average.").set(0.5);
/// assert_eq!(m.families()[0].samples[0].value, 0.5);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Family {
    /// The sample name.
    pub name: String,
    /// The help text.
    pub help: String,
    /// The type.
    pub kind: Kind,
    /// The samples.
    pub samples: Vec<Sample>,
}

impl Family {
    /// Adds a sample with these labels.
    ///
    /// ```
    /// let mut m = pskit_serve::expo::Metrics::default();
    /// m.counter("node_cpu_seconds_total", "Seconds the CPUs spent in each mode.")
    ///     .sample(&[("cpu", "0"), ("mode", "idle")], 12.5);
    /// assert_eq!(m.families()[0].samples[0].labels[1].1, "idle");
    /// ```
    pub fn sample(&mut self, labels: &[(&str, &str)], value: f64) -> &mut Family {
        self.samples.push(Sample {
            labels: labels
                .iter()
                .map(|(k, v)| (label_name(k), v.to_string()))
                .collect(),
            value,
        });
        self
    }

    /// Adds a sample with labels already owned.
    ///
    /// ```
    /// let mut m = pskit_serve::expo::Metrics::default();
    /// m.gauge("x", "X.").sample_owned(vec![("a".into(), "b".into())], 1.0);
    /// assert_eq!(m.families()[0].samples.len(), 1);
    /// ```
    pub fn sample_owned(&mut self, labels: Vec<(String, String)>, value: f64) -> &mut Family {
        let labels = labels
            .into_iter()
            .map(|(k, v)| (Cow::Owned(k), v))
            .collect();
        self.samples.push(Sample { labels, value });
        self
    }

    /// Adds a sample without labels.
    ///
    /// ```
    /// let mut m = pskit_serve::expo::Metrics::default();
    /// m.gauge("node_procs_running", "Running.").set(3.0);
    /// assert!(m.families()[0].samples[0].labels.is_empty());
    /// ```
    pub fn set(&mut self, value: f64) -> &mut Family {
        self.sample(&[], value)
    }
}

/// Everything one scrape found, in the order the collectors added it.
///
/// ```
/// let mut m = pskit_serve::expo::Metrics::default();
/// m.gauge("a", "A.").set(1.0);
/// m.gauge("a", "A.").set(2.0); // the same family again
/// assert_eq!(m.families().len(), 1);
/// assert_eq!(m.families()[0].samples.len(), 2);
/// ```
#[derive(Debug, Clone, Default)]
pub struct Metrics {
    families: Vec<Family>,
    index: HashMap<String, usize>,
}

impl Metrics {
    /// The family with this name, created with this help and type if new.
    ///
    /// ```
    /// use pskit_serve::expo::{Kind, Metrics};
    /// let mut m = Metrics::default();
    /// m.family("up", "Up.", Kind::Gauge).set(1.0);
    /// assert_eq!(m.families()[0].kind, Kind::Gauge);
    /// ```
    pub fn family(&mut self, name: &str, help: &str, kind: Kind) -> &mut Family {
        let i = match self.index.get(name) {
            Some(&i) => i,
            None => {
                self.families.push(Family {
                    name: name.to_string(),
                    help: help.to_string(),
                    kind,
                    samples: Vec::new(),
                });
                self.index.insert(name.to_string(), self.families.len() - 1);
                self.families.len() - 1
            }
        };
        &mut self.families[i]
    }

    /// A counter family (the name ends in `_total`).
    ///
    /// ```
    /// let mut m = pskit_serve::expo::Metrics::default();
    /// m.counter("node_forks_total", "Forks.").set(10.0);
    /// ```
    pub fn counter(&mut self, name: &str, help: &str) -> &mut Family {
        self.family(name, help, Kind::Counter)
    }

    /// A gauge family.
    ///
    /// ```
    /// let mut m = pskit_serve::expo::Metrics::default();
    /// m.gauge("node_load5", "5m load average.").set(0.1);
    /// ```
    pub fn gauge(&mut self, name: &str, help: &str) -> &mut Family {
        self.family(name, help, Kind::Gauge)
    }

    /// An untyped family.
    ///
    /// ```
    /// let mut m = pskit_serve::expo::Metrics::default();
    /// m.untyped("node_vmstat_pgfault", "/proc/vmstat information field pgfault.").set(1.0);
    /// ```
    pub fn untyped(&mut self, name: &str, help: &str) -> &mut Family {
        self.family(name, help, Kind::Untyped)
    }

    /// The families, in the order they were first added.
    ///
    /// ```
    /// assert!(pskit_serve::expo::Metrics::default().families().is_empty());
    /// ```
    pub fn families(&self) -> &[Family] {
        &self.families
    }

    /// Moves every family of `other` into this one (samples of a family both
    /// have are appended).
    ///
    /// ```
    /// let (mut a, mut b) = (pskit_serve::expo::Metrics::default(), pskit_serve::expo::Metrics::default());
    /// a.gauge("x", "X.").set(1.0);
    /// b.gauge("x", "X.").set(2.0);
    /// a.extend(b);
    /// assert_eq!(a.families()[0].samples.len(), 2);
    /// ```
    pub fn extend(&mut self, other: Metrics) {
        for f in other.families {
            let kind = f.kind;
            self.family(&f.name, &f.help, kind)
                .samples
                .extend(f.samples);
        }
    }

    /// The families sorted by name and their samples by label values, as
    /// Prometheus' client libraries expose them; families without samples
    /// are left out. By reference: encoding copies no label or name.
    fn sorted(&self) -> Vec<(&Family, Vec<&Sample>)> {
        let mut v: Vec<(&Family, Vec<&Sample>)> = self
            .families
            .iter()
            .filter(|f| !f.samples.is_empty())
            .map(|f| {
                let mut samples: Vec<&Sample> = f.samples.iter().collect();
                // client_golang's order: fewer labels first (a family whose
                // samples have different label sets, as node_power_supply_info),
                // then label values compared in label-name order.
                samples.sort_by_cached_key(|s| {
                    let mut l: Vec<&(Cow<'static, str>, String)> = s.labels.iter().collect();
                    l.sort();
                    let values: Vec<&str> = l.into_iter().map(|(_, v)| v.as_str()).collect();
                    (s.labels.len(), values)
                });
                (f, samples)
            })
            .collect();
        v.sort_by(|a, b| a.0.name.cmp(&b.0.name));
        v
    }
}

/// A float as Go's `strconv.FormatFloat(v, 'g', -1, 64)` writes it, which is
/// what node_exporter's samples look like: `1.234567e+06`, `0.5`, `+Inf`.
///
/// ```
/// use pskit_serve::expo::go_float;
/// assert_eq!(go_float(1234567.0), "1.234567e+06");
/// assert_eq!(go_float(100.0), "100");
/// assert_eq!(go_float(0.0001), "0.0001");
/// assert_eq!(go_float(0.00001), "1e-05");
/// assert_eq!(go_float(f64::INFINITY), "+Inf");
/// ```
pub fn go_float(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "+Inf" } else { "-Inf" }.into();
    }
    if v == 0.0 {
        return if v.is_sign_negative() { "-0" } else { "0" }.into();
    }
    // Rust's `{:e}` gives the shortest digits that round-trip, as Go's -1
    // precision does: "1.234567e6".
    let e = format!("{:e}", v.abs());
    let (mant, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mant.chars().filter(|c| *c != '.').collect();
    let nd = digits.len() as i32;
    let dp = exp + 1;
    let mut eprec = 6;
    if eprec > nd && nd >= dp {
        eprec = nd;
    }
    let sign = if v < 0.0 { "-" } else { "" };
    if exp < -4 || exp >= eprec {
        let frac = &digits[1..];
        let dot = if frac.is_empty() { "" } else { "." };
        let esign = if exp < 0 { '-' } else { '+' };
        format!(
            "{sign}{}{dot}{frac}e{esign}{:02}",
            &digits[..1],
            exp.unsigned_abs()
        )
    } else if dp <= 0 {
        format!("{sign}0.{}{digits}", "0".repeat((-dp) as usize))
    } else if dp >= nd {
        format!("{sign}{digits}{}", "0".repeat((dp - nd) as usize))
    } else {
        format!(
            "{sign}{}.{}",
            &digits[..dp as usize],
            &digits[dp as usize..]
        )
    }
}

fn escape_label(v: &str, out: &mut String) {
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
}

fn escape_help(v: &str, out: &mut String) {
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
}

/// The Content-Type of [`encode_text`]'s output.
pub const TEXT_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The Content-Type of [`encode_openmetrics`]'s output.
pub const OPENMETRICS_CONTENT_TYPE: &str =
    "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The metrics in Prometheus' text format 0.0.4, families sorted by name.
///
/// ```
/// let mut m = pskit_serve::expo::Metrics::default();
/// m.counter("node_forks_total", "Total number of forks.").set(42.0);
/// assert_eq!(
///     pskit_serve::expo::encode_text(&m),
///     "# HELP node_forks_total Total number of forks.\n# TYPE node_forks_total counter\nnode_forks_total 42\n"
/// );
/// ```
pub fn encode_text(m: &Metrics) -> String {
    let mut out = String::with_capacity(64 * 1024);
    for (f, samples) in m.sorted() {
        out.push_str("# HELP ");
        out.push_str(&f.name);
        out.push(' ');
        escape_help(&f.help, &mut out);
        out.push('\n');
        let _ = writeln!(out, "# TYPE {} {}", f.name, f.kind.as_str());
        for s in samples {
            out.push_str(&f.name);
            if !s.labels.is_empty() {
                out.push('{');
                for (i, (k, v)) in s.labels.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(k);
                    out.push_str("=\"");
                    escape_label(v, &mut out);
                    out.push('"');
                }
                out.push('}');
            }
            out.push(' ');
            out.push_str(&go_float(s.value));
            out.push('\n');
        }
    }
    out
}

/// The families of one scrape as a prometheus-client collector (shared,
/// not copied: the registry wants a `'static` collector).
#[derive(Debug)]
struct Snapshot(Arc<Metrics>);

impl Collector for Snapshot {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        for (f, samples) in self.0.sorted() {
            // OpenMetrics names a counter family without its `_total`; the
            // encoder adds it back to each sample.
            let (name, ty) = match f.kind {
                Kind::Counter => (
                    f.name.strip_suffix("_total").unwrap_or(&f.name),
                    MetricType::Counter,
                ),
                Kind::Gauge => (f.name.as_str(), MetricType::Gauge),
                Kind::Untyped => (f.name.as_str(), MetricType::Unknown),
            };
            let mut fam = encoder.encode_descriptor(name, &f.help, None, ty)?;
            if let [s] = &samples[..] {
                if s.labels.is_empty() {
                    // No `{}` after the name.
                    match f.kind {
                        Kind::Counter => ConstCounter::new(s.value).encode(fam)?,
                        Kind::Gauge | Kind::Untyped => ConstGauge::new(s.value).encode(fam)?,
                    }
                    continue;
                }
            }
            for s in samples {
                let enc = fam.encode_family(&s.labels)?;
                match f.kind {
                    Kind::Counter => ConstCounter::new(s.value).encode(enc)?,
                    Kind::Gauge | Kind::Untyped => ConstGauge::new(s.value).encode(enc)?,
                }
            }
        }
        Ok(())
    }
}

/// The metrics in OpenMetrics 1.0 text, through prometheus-client (ends with
/// `# EOF`).
///
/// ```
/// let mut m = pskit_serve::expo::Metrics::default();
/// m.counter("node_forks_total", "Total number of forks.").set(42.0);
/// let text = pskit_serve::expo::encode_openmetrics(&m).unwrap();
/// assert!(text.contains("# TYPE node_forks counter\n"));
/// assert!(text.contains("node_forks_total 42.0\n"));
/// assert!(text.ends_with("# EOF\n"));
/// ```
pub fn encode_openmetrics(m: &Metrics) -> Result<String, std::fmt::Error> {
    encode_openmetrics_shared(Arc::new(m.clone()))
}

/// [`encode_openmetrics`] of metrics already shared, without copying them
/// (what the server does with each collection).
///
/// ```
/// let mut m = pskit_serve::expo::Metrics::default();
/// m.gauge("node_load1", "1m load average.").set(0.5);
/// let text = pskit_serve::expo::encode_openmetrics_shared(std::sync::Arc::new(m)).unwrap();
/// assert!(text.contains("node_load1 0.5\n"));
/// ```
pub fn encode_openmetrics_shared(m: Arc<Metrics>) -> Result<String, std::fmt::Error> {
    let mut registry = Registry::default();
    registry.register_collector(Box::new(Snapshot(m)));
    let mut out = String::with_capacity(64 * 1024);
    prometheus_client::encoding::text::encode(&mut out, &registry)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_floats() {
        for (v, s) in [
            (1.0, "1"),
            (-1.5, "-1.5"),
            (123456.5, "123456.5"),
            (1e6, "1e+06"),
            (1.7e9, "1.7e+09"),
            (1_700_000_123.25, "1.70000012325e+09"),
            (0.1, "0.1"),
            (1e21, "1e+21"),
            (1e-7, "1e-07"),
            (f64::NAN, "NaN"),
            (f64::NEG_INFINITY, "-Inf"),
            (999999.0, "999999"),
            (4096.0, "4096"),
        ] {
            assert_eq!(go_float(v), s, "{v}");
        }
    }

    #[test]
    fn text_escapes_and_sorts() {
        let mut m = Metrics::default();
        m.gauge("b", "line\nbreak \\")
            .sample(&[("x", "a\"b\\c\nd")], 1.0);
        m.gauge("a", "A.")
            .sample(&[("k", "2")], 2.0)
            .sample(&[("k", "1")], 1.0);
        m.gauge("empty", "No samples.");
        let t = encode_text(&m);
        assert_eq!(
            t,
            "# HELP a A.\n# TYPE a gauge\na{k=\"1\"} 1\na{k=\"2\"} 2\n\
             # HELP b line\\nbreak \\\\\n# TYPE b gauge\nb{x=\"a\\\"b\\\\c\\nd\"} 1\n"
        );
    }

    #[test]
    fn samples_sort_as_client_golang() {
        let mut m = Metrics::default();
        m.gauge("i", "I.")
            .sample(&[("power_supply", "BAT0"), ("a", "z"), ("b", "y")], 1.0)
            .sample(&[("power_supply", "AC")], 1.0)
            .sample(&[("z", "1"), ("power_supply", "USB")], 1.0)
            .sample(&[("power_supply", "USB"), ("z", "0")], 1.0);
        let t = encode_text(&m);
        let order: Vec<&str> = t.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(
            order,
            vec![
                "i{power_supply=\"AC\"} 1",
                "i{power_supply=\"USB\",z=\"0\"} 1",
                "i{z=\"1\",power_supply=\"USB\"} 1",
                "i{power_supply=\"BAT0\",a=\"z\",b=\"y\"} 1",
            ]
        );
    }

    #[test]
    fn openmetrics_types() {
        let mut m = Metrics::default();
        m.untyped("u", "U.").set(1.0);
        m.counter("c_total", "C.").sample(&[("l", "v")], 2.5);
        let t = encode_openmetrics(&m).unwrap();
        assert!(t.contains("# TYPE u unknown\n"), "{t}");
        assert!(t.contains("c_total{l=\"v\"} 2.5\n"), "{t}");
    }
}
