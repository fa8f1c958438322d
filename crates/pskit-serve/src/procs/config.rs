//! process-exporter's configuration: which processes to track and what to
//! call their groups.
//!
//! The file is process-exporter 0.7.10's YAML: a `process_names` list whose
//! entries each have matchers (`comm`, `exe`, `cmdline`, all given must
//! match) and a `name` template (default `{{.ExeBase}}`). The first entry
//! whose matchers all match a process names it; a process no entry matches
//! is not tracked (unless its parent is, see the collector's `children`).
//!
//! - `comm`: a list of names, one of which must equal the process's comm
//!   (`/proc/PID/stat` field 2, at most 15 bytes).
//! - `exe`: a list; a plain name must equal the base name of `argv[0]`, a
//!   name with a `/` must equal `argv[0]` itself.
//! - `cmdline`: a list of regular expressions (RE2 syntax, as Go's), each of
//!   which must match the arguments joined by spaces; their named captures
//!   are the template's `.Matches`.
//!
//! The template may use `{{.Comm}}`, `{{.ExeBase}}`, `{{.ExeFull}}`,
//! `{{.Username}}` (the effective user), `{{.PID}}`, `{{.StartTime}}`,
//! `{{.Cgroups}}`, `{{.Matches}}` and `{{.Matches.NAME}}`, written as Go's
//! text/template writes them. Other template actions are refused when the
//! file is read, where process-exporter would write a partial name.
//!
//! ```
//! use pskit_serve::procs::config::{NameConfig, ProcAttrs};
//! let cfg = NameConfig::parse(r#"
//! process_names:
//!   - name: "{{.Comm}}:{{.Matches.port}}"
//!     cmdline: ['--port=(?P<port>\d+)']
//! "#).unwrap();
//! let argv = vec!["/usr/bin/app".to_string(), "--port=8080".to_string()];
//! let p = ProcAttrs { comm: "app", cmdline: &argv, ..ProcAttrs::default() };
//! assert_eq!(cfg.name(&p).as_deref(), Some("app:8080"));
//! ```

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;

use regex::Regex;
use serde::Deserialize;

/// What the matchers and the name template see of a process.
///
/// ```
/// let p = pskit_serve::procs::config::ProcAttrs::default();
/// assert_eq!(p.pid, 0);
/// ```
#[derive(Debug, Clone, Default)]
pub struct ProcAttrs<'a> {
    /// The comm (`/proc/PID/stat` field 2).
    pub comm: &'a str,
    /// The arguments (`/proc/PID/cmdline`); empty for a kernel thread.
    pub cmdline: &'a [String],
    /// The effective user's name (or uid), when the template wants it.
    pub username: &'a str,
    /// The pid.
    pub pid: u32,
    /// The start time in seconds since the epoch (boot time plus ticks).
    pub start_time: f64,
    /// The cgroup paths of `/proc/PID/cgroup`, when the template wants them.
    pub cgroups: &'a [String],
}

/// One field the name template can use.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Field {
    Comm,
    ExeBase,
    ExeFull,
    Username,
    Pid,
    StartTime,
    Cgroups,
    Matches,
    Match(String),
}

/// A parsed name template: literal text and fields.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Field(Field),
}

/// A name template in the subset of Go's text/template that names fields.
#[derive(Debug, Clone)]
struct Template(Vec<Piece>);

impl Template {
    fn parse(src: &str) -> Result<Template, String> {
        let mut pieces = Vec::new();
        let mut rest = src;
        let mut trim_next = false;
        while let Some(open) = rest.find("{{") {
            let mut text = &rest[..open];
            if trim_next {
                text = text.trim_start();
            }
            let after = &rest[open + 2..];
            let close = after
                .find("}}")
                .ok_or_else(|| format!("unclosed action in {src:?}"))?;
            let mut action = &after[..close];
            if let Some(a) = action.strip_prefix("- ") {
                text = text.trim_end();
                action = a;
            }
            trim_next = false;
            if let Some(a) = action.strip_suffix(" -") {
                trim_next = true;
                action = a;
            }
            if !text.is_empty() {
                pieces.push(Piece::Text(text.to_string()));
            }
            pieces.push(Piece::Field(Self::field(action.trim(), src)?));
            rest = &after[close + 2..];
        }
        let text = if trim_next { rest.trim_start() } else { rest };
        if text.contains("}}") {
            return Err(format!("unexpected \"}}}}\" in {src:?}"));
        }
        if !text.is_empty() {
            pieces.push(Piece::Text(text.to_string()));
        }
        Ok(Template(pieces))
    }

    fn field(action: &str, src: &str) -> Result<Field, String> {
        let f = match action {
            ".Comm" => Field::Comm,
            ".ExeBase" => Field::ExeBase,
            ".ExeFull" => Field::ExeFull,
            ".Username" => Field::Username,
            ".PID" => Field::Pid,
            ".StartTime" => Field::StartTime,
            ".Cgroups" => Field::Cgroups,
            ".Matches" => Field::Matches,
            a => match a.strip_prefix(".Matches.") {
                Some(k) if !k.is_empty() && k.chars().all(|c| c.is_alphanumeric() || c == '_') => {
                    Field::Match(k.to_string())
                }
                _ => {
                    return Err(format!(
                        "unsupported action {{{{{action}}}}} in {src:?}: pskit knows .Comm, .ExeBase, \
                         .ExeFull, .Username, .PID, .StartTime, .Cgroups, .Matches and .Matches.NAME"
                    ))
                }
            },
        };
        Ok(f)
    }

    fn uses(&self, f: &Field) -> bool {
        self.0
            .iter()
            .any(|p| matches!(p, Piece::Field(x) if x == f))
    }

    fn render(&self, p: &ProcAttrs<'_>, matches: &BTreeMap<String, String>) -> String {
        let (exe_base, exe_full) = match p.cmdline.first() {
            Some(a0) => (go_base(a0), a0.as_str()),
            None => (p.comm, p.comm),
        };
        let mut out = String::new();
        for piece in &self.0 {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Field(f) => match f {
                    Field::Comm => out.push_str(p.comm),
                    Field::ExeBase => out.push_str(exe_base),
                    Field::ExeFull => out.push_str(exe_full),
                    Field::Username => out.push_str(p.username),
                    Field::Pid => {
                        let _ = write!(out, "{}", p.pid);
                    }
                    Field::StartTime => out.push_str(&go_time(p.start_time)),
                    Field::Cgroups => {
                        let _ = write!(out, "[{}]", p.cgroups.join(" "));
                    }
                    Field::Matches => {
                        out.push_str("map[");
                        for (i, (k, v)) in matches.iter().enumerate() {
                            if i > 0 {
                                out.push(' ');
                            }
                            let _ = write!(out, "{k}:{v}");
                        }
                        out.push(']');
                    }
                    // Go's templates print a missing map key as "<no value>".
                    Field::Match(k) => {
                        out.push_str(matches.get(k).map_or("<no value>", String::as_str))
                    }
                },
            }
        }
        out
    }
}

/// Go's `filepath.Base`: the last element, trailing slashes dropped; "."
/// for "" and "/" for a path of slashes.
fn go_base(path: &str) -> &str {
    if path.is_empty() {
        return ".";
    }
    let t = path.trim_end_matches('/');
    if t.is_empty() {
        return "/";
    }
    t.rsplit('/').next().unwrap_or(t)
}

/// A time as Go's `time.Time.String()` writes a UTC time:
/// `2006-01-02 15:04:05.999999999 +0000 UTC`.
fn go_time(secs: f64) -> String {
    let whole = secs.floor() as i64;
    let nanos = ((secs - whole as f64) * 1e9).round() as i64;
    let (whole, nanos) = if nanos >= 1_000_000_000 {
        (whole + 1, 0)
    } else {
        (whole, nanos)
    };
    let days = whole.div_euclid(86400);
    let sod = whole.rem_euclid(86400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let mut s = format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        sod / 3600,
        sod / 60 % 60,
        sod % 60
    );
    if nanos > 0 {
        let frac = format!("{nanos:09}");
        s.push('.');
        s.push_str(frac.trim_end_matches('0'));
    }
    s.push_str(" +0000 UTC");
    s
}

/// One entry of `process_names`: its matchers and its name template.
#[derive(Debug, Clone)]
struct Rule {
    comm: Option<HashSet<String>>,
    /// base name to full path ("" when only the base name was given).
    exe: Option<HashMap<String, String>>,
    cmdline: Option<Vec<Regex>>,
    name: Template,
}

impl Rule {
    /// The group name when every matcher given matches.
    fn name(&self, p: &ProcAttrs<'_>) -> Option<String> {
        if let Some(comms) = &self.comm {
            if !comms.contains(p.comm) {
                return None;
            }
        }
        if let Some(exes) = &self.exe {
            let a0 = p.cmdline.first()?;
            match exes.get(go_base(a0)) {
                None => return None,
                Some(full) if !full.is_empty() && full != a0 => return None,
                Some(_) => {}
            }
        }
        let mut matches = BTreeMap::new();
        if let Some(res) = &self.cmdline {
            let joined = p.cmdline.join(" ");
            for re in res {
                let caps = re.captures(&joined)?;
                for (i, name) in re.capture_names().enumerate() {
                    let v = caps.get(i).map_or("", |m| m.as_str());
                    matches.insert(name.unwrap_or("").to_string(), v.to_string());
                }
            }
        }
        Some(self.name.render(p, &matches))
    }
}

/// A parsed process-exporter configuration.
///
/// ```
/// let cfg = pskit_serve::procs::config::NameConfig::by_comm();
/// let argv = vec!["sleep".to_string(), "60".to_string()];
/// let p = pskit_serve::procs::config::ProcAttrs { comm: "sleep", cmdline: &argv, ..Default::default() };
/// assert_eq!(cfg.name(&p).as_deref(), Some("sleep"));
/// ```
#[derive(Debug, Clone)]
pub struct NameConfig {
    rules: Vec<Rule>,
}

/// The YAML as written.
#[derive(Debug, Deserialize)]
struct RawConfig {
    #[serde(default)]
    process_names: Option<Vec<RawRule>>,
}

#[derive(Debug, Deserialize)]
struct RawRule {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    comm: Option<Vec<String>>,
    #[serde(default)]
    exe: Option<Vec<String>>,
    #[serde(default)]
    cmdline: Option<Vec<String>>,
}

impl NameConfig {
    /// pskit's default: every process with a command line, grouped by its
    /// comm (process-exporter with `{name: "{{.Comm}}", cmdline: ['.+']}`);
    /// kernel threads, whose command line is empty, are left out.
    ///
    /// ```
    /// let cfg = pskit_serve::procs::config::NameConfig::by_comm();
    /// let p = pskit_serve::procs::config::ProcAttrs { comm: "kthreadd", ..Default::default() };
    /// assert_eq!(cfg.name(&p), None);
    /// ```
    pub fn by_comm() -> NameConfig {
        NameConfig::parse("process_names:\n  - name: \"{{.Comm}}\"\n    cmdline: ['.+']\n")
            .expect("the built-in configuration parses")
    }

    /// Parses a configuration file's text; the error says what is wrong and
    /// where (the YAML position, or which `process_names` entry).
    ///
    /// ```
    /// use pskit_serve::procs::config::NameConfig;
    /// assert!(NameConfig::parse("process_names:\n  - name: x\n").unwrap_err().contains("no matchers"));
    /// assert!(NameConfig::parse("process_names:\n  - cmdline: ['(']\n").unwrap_err().contains("bad cmdline regex"));
    /// ```
    pub fn parse(text: &str) -> Result<NameConfig, String> {
        if text.trim().is_empty() {
            return Ok(NameConfig { rules: Vec::new() });
        }
        let raw: Option<RawConfig> = serde_norway::from_str(text).map_err(|e| e.to_string())?;
        let mut rules = Vec::new();
        let entries = raw.and_then(|r| r.process_names).unwrap_or_default();
        for (i, r) in entries.into_iter().enumerate() {
            let at = |m: String| format!("process_names[{i}]: {m}");
            let comm = r.comm.map(|v| v.into_iter().collect::<HashSet<_>>());
            let exe = r.exe.map(|v| {
                v.into_iter()
                    .map(|e| {
                        if e.contains('/') {
                            (go_base(&e).to_string(), e)
                        } else {
                            (e, String::new())
                        }
                    })
                    .collect::<HashMap<_, _>>()
            });
            let cmdline = match r.cmdline {
                None => None,
                Some(v) => Some(
                    v.iter()
                        .map(|c| {
                            Regex::new(c).map_err(|e| at(format!("bad cmdline regex {c:?}: {e}")))
                        })
                        .collect::<Result<Vec<_>, _>>()?,
                ),
            };
            if comm.is_none() && exe.is_none() && cmdline.is_none() {
                return Err(at("no matchers provided (give comm, exe or cmdline)".into()));
            }
            let src = r
                .name
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| "{{.ExeBase}}".into());
            let name = Template::parse(&src).map_err(|e| at(format!("bad name template: {e}")))?;
            rules.push(Rule {
                comm,
                exe,
                cmdline,
                name,
            });
        }
        Ok(NameConfig { rules })
    }

    /// Reads and parses a configuration file.
    ///
    /// ```
    /// let e = pskit_serve::procs::config::NameConfig::read("/nonexistent.yml").unwrap_err();
    /// assert!(e.contains("/nonexistent.yml"));
    /// ```
    pub fn read(path: &str) -> Result<NameConfig, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("error reading config file {path:?}: {e}"))?;
        NameConfig::parse(&text).map_err(|e| format!("error reading config file {path:?}: {e}"))
    }

    /// The group name of a process: the first entry whose matchers all match
    /// names it; `None` when none does.
    ///
    /// ```
    /// let cfg = pskit_serve::procs::config::NameConfig::parse("process_names:\n  - exe: [/bin/sh]\n").unwrap();
    /// let argv = vec!["/bin/sh".to_string(), "-c".to_string()];
    /// let p = pskit_serve::procs::config::ProcAttrs { comm: "sh", cmdline: &argv, ..Default::default() };
    /// assert_eq!(cfg.name(&p).as_deref(), Some("sh"));
    /// ```
    pub fn name(&self, p: &ProcAttrs<'_>) -> Option<String> {
        self.rules.iter().find_map(|r| r.name(p))
    }

    /// True when a name template uses `.Username` (the effective uid must be
    /// read for new processes).
    ///
    /// ```
    /// assert!(!pskit_serve::procs::config::NameConfig::by_comm().wants_username());
    /// ```
    pub fn wants_username(&self) -> bool {
        self.rules.iter().any(|r| r.name.uses(&Field::Username))
    }

    /// True when a name template uses `.Cgroups` (`/proc/PID/cgroup` must be
    /// read for new processes).
    ///
    /// ```
    /// assert!(!pskit_serve::procs::config::NameConfig::by_comm().wants_cgroups());
    /// ```
    pub fn wants_cgroups(&self) -> bool {
        self.rules.iter().any(|r| r.name.uses(&Field::Cgroups))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(s: &str) -> Vec<String> {
        s.split(' ').map(String::from).collect()
    }

    #[test]
    fn bad_configs_are_clear_errors() {
        for (text, want) in [
            ("process_names: [", "did not find expected"),
            ("process_names: 3", "invalid type"),
            ("process_names:\n  - comm: x\n", "invalid type"),
            (
                "process_names:\n  - name: a\n",
                "process_names[0]: no matchers",
            ),
            (
                "process_names:\n  - comm: [a]\n  - cmdline: ['a(']\n",
                "process_names[1]: bad cmdline regex \"a(\"",
            ),
            (
                "process_names:\n  - comm: [a]\n    name: '{{.Comm'\n",
                "unclosed action",
            ),
            (
                "process_names:\n  - comm: [a]\n    name: '{{.Nope}}'\n",
                "unsupported action {{.Nope}}",
            ),
            (
                "process_names:\n  - comm: [a]\n    name: '{{if .Comm}}x{{end}}'\n",
                "unsupported action",
            ),
            (
                "process_names:\n  - comm: [a]\n    name: 'a}}'\n",
                "unexpected",
            ),
            ("- a\n- b\n", "invalid type"),
            ("\u{0}\u{1}", ""),
        ] {
            let e = NameConfig::parse(text).unwrap_err();
            assert!(e.contains(want), "{text:?}: {e}");
        }
    }

    #[test]
    fn empty_and_unknown_keys_are_accepted_as_process_exporter_does() {
        assert!(NameConfig::parse("").unwrap().rules.is_empty());
        assert!(NameConfig::parse("other: 1\n").unwrap().rules.is_empty());
        let c = NameConfig::parse("process_names:\n  - comm: [a]\n    extra: 1\n").unwrap();
        assert_eq!(c.rules.len(), 1);
    }

    #[test]
    fn matchers_and_templates() {
        let c = NameConfig::parse(
            r#"
process_names:
  - comm: [bash]
    name: "shell {{ .PID }} {{.Username}}"
  - exe: [/usr/bin/python3, perl]
    cmdline: ['(?P<script>[^ /]+)\.py', '-(v)']
    name: "{{.ExeBase}}/{{.Matches.script}}/{{.Matches.none}} {{.Matches}}"
  - cmdline: ['.+']
    name: "{{- .ExeFull -}} !"
"#,
        )
        .unwrap();
        let a = argv("/usr/bin/python3 /srv/app.py -v");
        let p = ProcAttrs {
            comm: "python3",
            cmdline: &a,
            ..Default::default()
        };
        assert_eq!(
            c.name(&p).unwrap(),
            "python3/app/<no value> map[:v script:app]"
        );
        // exe with a path must match argv[0] in full.
        let a = argv("/opt/python3 x.py -v");
        let p = ProcAttrs {
            comm: "python3",
            cmdline: &a,
            ..Default::default()
        };
        assert_eq!(c.name(&p).unwrap(), "/opt/python3!");
        let a = argv("perl x.py -v");
        let p = ProcAttrs {
            comm: "perl",
            cmdline: &a,
            ..Default::default()
        };
        assert_eq!(c.name(&p).unwrap(), "perl/x/<no value> map[:v script:x]");
        let a = argv("-bash");
        let p = ProcAttrs {
            comm: "bash",
            cmdline: &a,
            pid: 42,
            username: "root",
            ..Default::default()
        };
        assert_eq!(c.name(&p).unwrap(), "shell 42 root");
        assert!(c.wants_username());
        assert!(!c.wants_cgroups());
        let p = ProcAttrs {
            comm: "kworker/0:1",
            ..Default::default()
        };
        assert_eq!(c.name(&p), None);
    }

    #[test]
    fn default_name_is_exebase_and_falls_back_to_comm() {
        let c = NameConfig::parse("process_names:\n  - comm: [x]\n").unwrap();
        let a = argv("/a/b/prog arg");
        let p = ProcAttrs {
            comm: "x",
            cmdline: &a,
            ..Default::default()
        };
        assert_eq!(c.name(&p).unwrap(), "prog");
        let p = ProcAttrs {
            comm: "x",
            ..Default::default()
        };
        assert_eq!(c.name(&p).unwrap(), "x");
    }

    #[test]
    fn go_formats() {
        assert_eq!(go_time(0.0), "1970-01-01 00:00:00 +0000 UTC");
        assert_eq!(
            go_time(1_796_240_854.25),
            "2026-12-02 19:47:34.25 +0000 UTC"
        );
        assert_eq!(go_time(951_782_400.5), "2000-02-29 00:00:00.5 +0000 UTC");
        assert_eq!(go_base("/usr/bin/"), "bin");
        assert_eq!(go_base("///"), "/");
        assert_eq!(go_base(""), ".");
        let cg = vec!["/a".to_string(), "/b".to_string()];
        let t = Template::parse("{{.Cgroups}} {{.StartTime}}").unwrap();
        let p = ProcAttrs {
            cgroups: &cg,
            start_time: 60.0,
            ..Default::default()
        };
        assert_eq!(
            t.render(&p, &BTreeMap::new()),
            "[/a /b] 1970-01-01 00:01:00 +0000 UTC"
        );
    }
}
