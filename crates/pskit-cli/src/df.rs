//! `pskit df`: coreutils `df` (df(1) is the spec), from `disk_partitions(true)`,
//! `disk_usage` and `disk_usage_inodes`.
//!
//! Arguments are read as GNU getopt_long reads them (grouped short options,
//! `-BK` and `-B K`, `--block-size=K`, unique prefixes of long options), with
//! coreutils' messages and exit status 1. File systems are chosen by coreutils'
//! rules: pseudo file systems (proc, sysfs, devpts, cgroup, …: a dummy type or
//! no blocks) only with `-a` (tmpfs and devtmpfs have blocks, so they are
//! listed), a device mounted twice shown once (the entry with a `/` in its
//! source, else the one nearer the root), `-t`/`-x`/`-l` filters. Sizes round
//! up, as do Use% and the human forms. `--json` (a pskit extension) prints the
//! rows as objects, sizes in bytes.

use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::process::ExitCode;

use serde::Serialize;

use crate::fmt::{print_json, CmdResult};

/// Arguments of `pskit df`: everything after `df`, parsed as coreutils does.
#[derive(clap::Args)]
pub struct Args {
    /// coreutils df options ([-ahHiklmPTv] [-B SIZE] [-t TYPE] [-x TYPE]
    /// [--output[=FIELDS]] [--total] [--sync] [--no-sync]) and FILEs; plus --json.
    #[arg(allow_hyphen_values = true, trailing_var_arg = true, num_args = 0..)]
    raw: Vec<String>,
}

/// The columns of `--output`, in coreutils' order.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Field {
    Source,
    Fstype,
    Itotal,
    Iused,
    Iavail,
    Ipcent,
    Size,
    Used,
    Avail,
    Pcent,
    File,
    Target,
}

const FIELDS: [(Field, &str, &str, usize); 12] = [
    (Field::Source, "source", "Filesystem", 14),
    (Field::Fstype, "fstype", "Type", 4),
    (Field::Itotal, "itotal", "Inodes", 5),
    (Field::Iused, "iused", "IUsed", 5),
    (Field::Iavail, "iavail", "IFree", 5),
    (Field::Ipcent, "ipcent", "IUse%", 5),
    (Field::Size, "size", "Size", 5),
    (Field::Used, "used", "Used", 5),
    (Field::Avail, "avail", "Avail", 5),
    (Field::Pcent, "pcent", "Use%", 4),
    (Field::File, "file", "File", 4),
    (Field::Target, "target", "Mounted on", 0),
];

fn field_info(f: Field) -> (&'static str, &'static str, usize) {
    FIELDS
        .iter()
        .find(|x| x.0 == f)
        .map(|x| (x.1, x.2, x.3))
        .unwrap_or(("", "", 0))
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode {
    Default,
    Inodes,
    Human,
    Posix,
    Output,
}

/// How sizes are shown.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Units {
    /// Autoscaled with a suffix, in powers of 1024 or 1000.
    Human(u64),
    /// Counts of blocks of this many bytes, with the unit's suffix when the
    /// size was given as a bare unit (`-BK` → "264212084K").
    Blocks(u64, Option<Suffix>),
}

/// The suffix `-BK`, `-BKB`, `-BKiB` print after each figure.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Suffix {
    base1024: bool,
    b: bool,
}

/// The parsed command line.
#[derive(Debug)]
struct Opts {
    all: bool,
    local: bool,
    total: bool,
    print_type: bool,
    inodes: bool,
    posix: bool,
    human: Option<u64>,
    block: Option<(u64, Option<Suffix>)>,
    output: Option<Vec<Field>>,
    types: Vec<String>,
    exclude: Vec<String>,
    json: bool,
    files: Vec<String>,
}

const LONG: [(&str, bool); 17] = [
    ("all", false),
    ("block-size", true),
    ("exclude-type", true),
    ("help", false),
    ("human-readable", false),
    ("inodes", false),
    ("json", false),
    ("local", false),
    ("no-sync", false),
    ("output", false),
    ("portability", false),
    ("print-type", false),
    ("si", false),
    ("sync", false),
    ("total", false),
    ("type", true),
    ("version", false),
];

/// A usage error: the message, then coreutils' "Try" line; exit 1.
fn usage_error(msg: &str) -> ExitCode {
    eprintln!("{}: {msg}", crate::fmt::prog("df"));
    eprintln!("Try 'pskit df --help' for more information.");
    ExitCode::FAILURE
}

/// gnulib's humblock / xstrtoumax: a block size (`1K`, `K`, `4096`, `1MB`,
/// `MiB`), with whether a bare unit asks for a suffix. Err: the message.
fn block_size(spec: &str, opt: &str) -> Result<(u64, Option<Suffix>), String> {
    let invalid = || format!("invalid {opt} argument '{spec}'");
    match spec {
        "human-readable" => return Ok((0, None)),
        "si" => return Ok((1, None)),
        _ => {}
    }
    let s = spec.strip_prefix('\'').unwrap_or(spec);
    let digits_end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, rest) = s.split_at(digits_end);
    if num.is_empty() && rest.is_empty() {
        return Err(invalid());
    }
    let n: u64 = if num.is_empty() {
        1
    } else {
        num.parse()
            .map_err(|_| format!("{opt} argument '{spec}' too large"))?
    };
    let mut suffix = None;
    let mut size = n;
    if !rest.is_empty() {
        let mut ch = rest.chars();
        let letter = ch.next().unwrap_or(' ');
        let after: String = ch.collect();
        let (base, b) = match after.as_str() {
            "" => (1024u64, false),
            "B" => (1000, true),
            "iB" => (1024, true),
            _ => {
                return Err(if num.is_empty() {
                    invalid()
                } else {
                    format!("invalid suffix in {opt} argument '{spec}'")
                })
            }
        };
        let power = match letter.to_ascii_uppercase() {
            'K' => 1,
            'M' => 2,
            'G' => 3,
            'T' => 4,
            'P' => 5,
            'E' => 6,
            'Z' => 7,
            'Y' => 8,
            _ => {
                return Err(if num.is_empty() {
                    invalid()
                } else {
                    format!("invalid suffix in {opt} argument '{spec}'")
                })
            }
        };
        let unit = (0..power).try_fold(1u64, |a, _| a.checked_mul(base));
        size = unit
            .and_then(|u| n.checked_mul(u))
            .ok_or_else(|| format!("{opt} argument '{spec}' too large"))?;
        if num.is_empty() {
            suffix = Some(Suffix {
                base1024: !b || after == "iB",
                b,
            });
        }
    }
    if size == 0 {
        return Err(invalid());
    }
    Ok((size, suffix))
}

/// coreutils' units when no option set them: with -P, 1024-byte blocks (512
/// when POSIXLY_CORRECT is set); else the first of DF_BLOCK_SIZE,
/// BLOCK_SIZE and BLOCKSIZE that is set (a size, `human-readable` or `si`;
/// an invalid one falls back, silently as in coreutils, to the default),
/// else 1024 (512 under POSIXLY_CORRECT). `env` reads a variable.
fn default_units(o: &mut Opts, env: impl Fn(&str) -> Option<String>) {
    if o.human.is_some() || o.block.is_some() {
        return;
    }
    let default = if env("POSIXLY_CORRECT").is_some() {
        512
    } else {
        1024
    };
    if o.posix {
        o.block = Some((default, None));
        return;
    }
    let Some(spec) = ["DF_BLOCK_SIZE", "BLOCK_SIZE", "BLOCKSIZE"]
        .iter()
        .find_map(|k| env(k))
    else {
        o.block = Some((default, None));
        return;
    };
    match block_size(&spec, "block size") {
        Ok((0, _)) => o.human = Some(1024),
        Ok((1, None)) if spec == "si" => o.human = Some(1000),
        Ok(b) => o.block = Some(b),
        Err(_) => o.block = Some((default, None)),
    }
}

/// Parses the arguments as getopt_long with df's options; Err is the exit code.
fn parse(raw: &[String]) -> Result<Opts, ExitCode> {
    let mut o = Opts {
        all: false,
        local: false,
        total: false,
        print_type: false,
        inodes: false,
        posix: false,
        human: None,
        block: None,
        output: None,
        types: vec![],
        exclude: vec![],
        json: false,
        files: vec![],
    };
    let mut i = 0;
    let mut only_files = false;
    while i < raw.len() {
        let a = &raw[i];
        i += 1;
        if only_files || a == "-" || !a.starts_with('-') {
            o.files.push(a.clone());
            continue;
        }
        if a == "--" {
            only_files = true;
            continue;
        }
        // (option name as typed for messages, value)
        let mut apply = |name: char, long: &str, val: Option<String>| -> Result<(), ExitCode> {
            let optname = if long.is_empty() {
                format!("-{name}")
            } else {
                format!("--{long}")
            };
            match name {
                'a' => o.all = true,
                'B' => {
                    let v = val.unwrap_or_default();
                    match block_size(&v, &optname) {
                        Ok((0, _)) => o.human = Some(1024),
                        Ok((1, None)) if v == "si" => o.human = Some(1000),
                        Ok(b) => {
                            o.block = Some(b);
                            o.human = None;
                        }
                        Err(m) => {
                            eprintln!("{}: {m}", crate::fmt::prog("df"));
                            return Err(ExitCode::FAILURE);
                        }
                    }
                }
                'h' => {
                    o.human = Some(1024);
                    o.block = None;
                }
                'H' => {
                    o.human = Some(1000);
                    o.block = None;
                }
                'i' => o.inodes = true,
                'k' => {
                    o.human = None;
                    o.block = Some((1024, None));
                }
                'm' => {
                    o.human = None;
                    o.block = Some((1024 * 1024, None));
                }
                'l' => o.local = true,
                'P' => o.posix = true,
                'T' => o.print_type = true,
                't' => o.types.push(val.unwrap_or_default()),
                'x' => o.exclude.push(val.unwrap_or_default()),
                'v' | 's' => {}
                'O' => {
                    let list = o.output.get_or_insert_with(Vec::new);
                    match val {
                        None => {
                            for f in FIELDS {
                                if !list.contains(&f.0) {
                                    list.push(f.0);
                                }
                            }
                        }
                        Some(v) => {
                            for name in v.split(',') {
                                let Some(f) = FIELDS.iter().find(|f| f.1 == name) else {
                                    return Err(usage_error(&format!(
                                        "option --output: field '{name}' unknown"
                                    )));
                                };
                                if list.contains(&f.0) {
                                    return Err(usage_error(&format!(
                                        "option --output: field '{name}' used more than once"
                                    )));
                                }
                                list.push(f.0);
                            }
                        }
                    }
                }
                'j' => o.json = true,
                'S' => o.total = true,
                _ => {}
            }
            Ok(())
        };
        if let Some(body) = a.strip_prefix("--") {
            let (name, val) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (body, None),
            };
            let exact = LONG.iter().find(|l| l.0 == name);
            let matches: Vec<_> = LONG.iter().filter(|l| l.0.starts_with(name)).collect();
            let (long, needs) = match (exact, matches.as_slice()) {
                (Some(l), _) => *l,
                (None, [l]) => **l,
                (None, []) => {
                    return Err(usage_error(&format!("unrecognized option '{a}'")));
                }
                (None, many) => {
                    let poss: Vec<String> = many.iter().map(|l| format!("'--{}'", l.0)).collect();
                    return Err(usage_error(&format!(
                        "option '{a}' is ambiguous; possibilities: {}",
                        poss.join(" ")
                    )));
                }
            };
            let val = if needs {
                match val {
                    Some(v) => Some(v),
                    None if i < raw.len() => {
                        i += 1;
                        Some(raw[i - 1].clone())
                    }
                    None => {
                        return Err(usage_error(&format!(
                            "option '--{long}' requires an argument"
                        )))
                    }
                }
            } else if long != "output" && val.is_some() {
                return Err(usage_error(&format!(
                    "option '--{long}' doesn't allow an argument"
                )));
            } else {
                val
            };
            let c = match long {
                "all" => 'a',
                "block-size" => 'B',
                "exclude-type" => 'x',
                "human-readable" => 'h',
                "inodes" => 'i',
                "json" => 'j',
                "local" => 'l',
                "output" => 'O',
                "portability" => 'P',
                "print-type" => 'T',
                "si" => 'H',
                "total" => 'S',
                "type" => 't',
                "sync" | "no-sync" => 's',
                "help" => {
                    print_help();
                    return Err(ExitCode::SUCCESS);
                }
                _ => {
                    println!("df (pskit) {}", env!("CARGO_PKG_VERSION"));
                    return Err(ExitCode::SUCCESS);
                }
            };
            apply(c, long, val)?;
            continue;
        }
        let chars: Vec<char> = a[1..].chars().collect();
        let mut k = 0;
        while k < chars.len() {
            let c = chars[k];
            k += 1;
            match c {
                'a' | 'h' | 'H' | 'i' | 'k' | 'm' | 'l' | 'P' | 'T' | 'v' => apply(c, "", None)?,
                'B' | 't' | 'x' => {
                    let val = if k < chars.len() {
                        let v: String = chars[k..].iter().collect();
                        k = chars.len();
                        v
                    } else if i < raw.len() {
                        i += 1;
                        raw[i - 1].clone()
                    } else {
                        return Err(usage_error(&format!(
                            "option requires an argument -- '{c}'"
                        )));
                    };
                    apply(c, "", Some(val))?;
                }
                _ => return Err(usage_error(&format!("invalid option -- '{c}'"))),
            }
        }
    }
    if o.output.is_some() {
        for (set, opt) in [(o.inodes, "-i"), (o.posix, "-P"), (o.print_type, "-T")] {
            if set {
                return Err(usage_error(&format!(
                    "options {opt} and --output are mutually exclusive"
                )));
            }
        }
    }
    for t in &o.types {
        if o.exclude.contains(t) {
            eprintln!(
                "{}: file system type '{t}' both selected and excluded",
                crate::fmt::prog("df")
            );
            return Err(ExitCode::FAILURE);
        }
    }
    Ok(o)
}

fn print_help() {
    print!(
        "Usage: pskit df [OPTION]... [FILE]...
Show information about the file system on which each FILE resides,
or all file systems by default.

Mandatory arguments to long options are mandatory for short options too.
  -a, --all             include pseudo, duplicate, inaccessible file systems
  -B, --block-size=SIZE  scale sizes by SIZE before printing them; e.g.,
                           '-BM' prints sizes in units of 1,048,576 bytes
  -h, --human-readable  print sizes in powers of 1024 (e.g., 1023M)
  -H, --si              print sizes in powers of 1000 (e.g., 1.1G)
  -i, --inodes          list inode information instead of block usage
  -k                    like --block-size=1K
  -l, --local           limit listing to local file systems
      --no-sync         do not invoke sync before getting usage info (default)
      --output[=FIELD_LIST]  use the output format defined by FIELD_LIST,
                               or print all fields if FIELD_LIST is omitted
  -P, --portability     use the POSIX output format
      --sync            invoke sync before getting usage info
      --total           elide all entries insignificant to available space,
                          and produce a grand total
  -t, --type=TYPE       limit listing to file systems of type TYPE
  -T, --print-type      print file system type
  -x, --exclude-type=TYPE   limit listing to file systems not of type TYPE
  -v                    (ignored)
      --json            print the rows as JSON (sizes in bytes)
      --help        display this help and exit

FIELD_LIST is a comma-separated list of columns to be included.  Valid
field names are: 'source', 'fstype', 'itotal', 'iused', 'iavail', 'ipcent',
'size', 'used', 'avail', 'pcent', 'file' and 'target' (see info page).
"
    );
}

/// A mount table entry with coreutils' dummy and remote marks.
#[derive(Debug, Clone)]
struct Mount {
    device: String,
    dir: String,
    fstype: String,
    dummy: bool,
    remote: bool,
}

/// gnulib's ME_DUMMY: pseudo file system types, and `none` unless bind-mounted.
fn is_dummy(fstype: &str, opts: &str) -> bool {
    matches!(
        fstype,
        "autofs"
            | "proc"
            | "subfs"
            | "debugfs"
            | "devpts"
            | "fusectl"
            | "fuse.portal"
            | "mqueue"
            | "rpc_pipefs"
            | "sysfs"
            | "devfs"
            | "kernfs"
            | "ignore"
            | "rootfs"
    ) || (fstype == "none" && !opts.contains("bind"))
}

/// gnulib's ME_REMOTE.
fn is_remote(device: &str, fstype: &str) -> bool {
    device.contains(':')
        || (device.starts_with("//") && matches!(fstype, "smbfs" | "smb3" | "cifs"))
        || matches!(fstype, "afs" | "auristorfs")
        || device == "-hosts"
}

/// Sizes in bytes and inode counts; `None` fields are unknown ("-").
#[derive(Debug, Clone, Copy, Default, Serialize)]
struct Usage {
    total: u64,
    used: u64,
    free: u64,
    itotal: u64,
    iused: u64,
    ifree: u64,
}

/// One row of the table, also its JSON form.
#[derive(Debug, Serialize)]
struct Row {
    device: String,
    mountpoint: String,
    fstype: String,
    file: String,
    /// None: the file system could not be read (shown as "-").
    #[serde(flatten)]
    usage: Option<Usage>,
}

/// The text of an error as coreutils prints it (strerror, no "(os error N)").
fn err_text(e: &pskit::Error) -> (Option<i32>, String) {
    match e {
        pskit::Error::Io { source, .. } => {
            let code = source.raw_os_error();
            let msg = source.to_string();
            let msg = match msg.find(" (os error") {
                Some(p) => msg[..p].to_string(),
                None => msg,
            };
            (code, msg)
        }
        pskit::Error::AccessDenied { .. } => (Some(libc::EACCES), "Permission denied".into()),
        other => (None, other.to_string()),
    }
}

fn statfs(path: &str) -> Result<Usage, pskit::Error> {
    let u = pskit::disk_usage(path)?;
    let i = pskit::disk_usage_inodes(path)?;
    Ok(Usage {
        total: u.total,
        used: u.used,
        free: u.free,
        itotal: i.total,
        iused: i.used,
        ifree: i.free,
    })
}

struct State<'a> {
    o: &'a Opts,
    rows: Vec<Row>,
    failed: bool,
    processed: bool,
    grand: Usage,
    /// Per device number, the mount entry that won (for -a's over-mount check).
    winners: HashMap<u64, Mount>,
}

impl State<'_> {
    fn selected(&self, fstype: &str) -> bool {
        (self.o.types.is_empty() || self.o.types.iter().any(|t| t == fstype))
            && !self.o.exclude.iter().any(|t| t == fstype)
    }

    /// coreutils' get_dev.
    fn get_dev(&mut self, m: &Mount, file: Option<&str>, stat_file: Option<&str>, all: bool) {
        let o = self.o;
        let listed = !o.types.is_empty();
        if (m.remote && o.local) || (m.dummy && !o.all && !listed) || !self.selected(&m.fstype) {
            return;
        }
        if !m.dir.starts_with('/') {
            return;
        }
        let stat_file = stat_file.unwrap_or(&m.dir);
        let mut fstype = m.fstype.clone();
        let usage = match statfs(stat_file) {
            Ok(u) => {
                let over_mounted = all
                    && o.all
                    && std::fs::metadata(stat_file).is_ok_and(|md| {
                        self.winners
                            .get(&md.dev())
                            .is_some_and(|w| w.device != m.device && (!w.remote || !m.remote))
                    });
                if over_mounted {
                    fstype = "-".into();
                    None
                } else {
                    Some(u)
                }
            }
            Err(e) => {
                let (code, msg) = err_text(&e);
                if all && matches!(code, Some(libc::ENOENT) | Some(libc::EACCES)) {
                    if !o.all {
                        return;
                    }
                    fstype = "-".into();
                    None
                } else {
                    eprintln!("{}: {stat_file}: {msg}", crate::fmt::prog("df"));
                    self.failed = true;
                    return;
                }
            }
        };
        if usage.is_some_and(|u| u.total == 0) && !o.all && !listed {
            return;
        }
        self.processed = true;
        if let Some(u) = usage {
            let g = &mut self.grand;
            g.total = g.total.saturating_add(u.total);
            g.used = g.used.saturating_add(u.used);
            g.free = g.free.saturating_add(u.free);
            g.itotal = g.itotal.saturating_add(u.itotal);
            g.ifree = g.ifree.saturating_add(u.ifree);
            g.iused = g.itotal.saturating_sub(g.ifree);
        }
        self.rows.push(Row {
            device: if m.device.is_empty() {
                "none".into()
            } else {
                m.device.clone()
            },
            mountpoint: m.dir.clone(),
            fstype,
            file: file.unwrap_or("-").to_string(),
            usage,
        });
    }
}

fn mounts() -> pskit::Result<Vec<Mount>> {
    Ok(pskit::disk_partitions(true)?
        .into_iter()
        .map(|p| Mount {
            dummy: is_dummy(&p.fstype, &p.opts),
            remote: is_remote(&p.device, &p.fstype),
            device: p.device,
            dir: p.mountpoint,
            fstype: p.fstype,
        })
        .collect())
}

/// coreutils' filter_mount_list: one entry per device number (unless -a),
/// keeping the first entry's place and the winner's content.
fn filter_mounts(st: &mut State, list: Vec<Mount>) -> Vec<Mount> {
    let o = st.o;
    let listed = !o.types.is_empty();
    let mut slots: Vec<Mount> = Vec::new();
    let mut by_dev: HashMap<u64, usize> = HashMap::new();
    for m in list {
        let skip_stat =
            (m.remote && o.local) || (m.dummy && !o.all && !listed) || !st.selected(&m.fstype);
        let dev = if skip_stat {
            None
        } else {
            std::fs::metadata(&m.dir).ok().map(|md| md.dev())
        };
        let Some(dev) = dev else {
            slots.push(m);
            continue;
        };
        match by_dev.get(&dev) {
            Some(&idx) => {
                let seen = &slots[idx];
                let nearer_root = seen.dir.len() > m.dir.len();
                let keep_both_remote =
                    !o.total && m.remote && seen.remote && seen.device != m.device;
                let new_wins = !keep_both_remote
                    && ((m.device.contains('/') && !seen.device.contains('/'))
                        || nearer_root
                        || (seen.device != m.device && seen.dir == m.dir));
                if keep_both_remote {
                    by_dev.insert(dev, slots.len());
                    slots.push(m.clone());
                    if o.all {
                        st.winners.insert(dev, m);
                    }
                    continue;
                }
                if new_wins {
                    if o.all {
                        st.winners.insert(dev, m.clone());
                        slots.push(m);
                        by_dev.insert(dev, slots.len() - 1);
                    } else {
                        slots[idx] = m;
                    }
                } else if o.all {
                    slots.push(m);
                }
            }
            None => {
                st.winners.insert(dev, m.clone());
                by_dev.insert(dev, slots.len());
                slots.push(m);
            }
        }
    }
    slots
}

/// A candidate for get_point: not lofs, and not a dummy over a real match.
fn eligible(best: Option<&Mount>, m: &Mount) -> bool {
    m.fstype != "lofs" && (best.is_none_or(|b| b.dummy) || !m.dummy)
}

/// coreutils' get_point: the mount entry holding FILE.
fn mount_for(list: &[Mount], file: &str, dev: u64) -> Option<Mount> {
    let mut best: Option<&Mount> = None;
    if let Ok(resolved) = std::fs::canonicalize(file) {
        let r = resolved.to_string_lossy();
        let mut best_len = 0;
        for m in list {
            if !eligible(best, m) {
                continue;
            }
            let len = m.dir.len();
            if best_len <= len
                && len <= r.len()
                && (len == 1
                    || ((len == r.len() || r.as_bytes().get(len) == Some(&b'/'))
                        && r.starts_with(m.dir.as_str())))
            {
                best = Some(m);
                best_len = len;
            }
        }
    }
    if best.is_some_and(|b| !std::fs::metadata(&b.dir).is_ok_and(|md| md.dev() == dev)) {
        best = None;
    }
    if best.is_none() {
        for m in list {
            if !eligible(best, m) {
                continue;
            }
            if std::fs::metadata(&m.dir).is_ok_and(|md| md.dev() == dev) {
                best = Some(m);
            }
        }
    }
    best.cloned()
}

/// coreutils' get_device: FILE is a device node; the mount of that device.
fn mount_of_device(list: &[Mount], file: &str) -> Option<Mount> {
    let want = std::fs::canonicalize(file).ok()?;
    let mut best: Option<&Mount> = None;
    for m in list {
        let dev = std::fs::canonicalize(&m.device).unwrap_or_else(|_| m.device.clone().into());
        if dev == want
            && best.is_none_or(|b| m.dir.len() < b.dir.len())
            && std::fs::metadata(&m.dir).is_ok()
        {
            best = Some(m);
        }
    }
    best.cloned()
}

fn show(n: u64, units: Units) -> String {
    match units {
        Units::Human(base) => human(n, base),
        Units::Blocks(size, suffix) => {
            let v = n.div_ceil(size).to_string();
            match suffix {
                None => v,
                Some(s) => format!("{v}{}", suffix_text(size, s)),
            }
        }
    }
}

/// The unit after a figure of `-BK` ("K"), `-BKB` ("kB"), `-BKiB` ("KiB").
fn suffix_text(size: u64, s: Suffix) -> String {
    let base: u64 = if s.base1024 { 1024 } else { 1000 };
    let mut exp = 0;
    let mut p = 1u64;
    while p < size && exp < SUFFIXES.len() {
        p = p.saturating_mul(base);
        exp += 1;
    }
    let mut out = String::new();
    if exp > 0 {
        let c = SUFFIXES[exp - 1];
        out.push(if !s.base1024 && exp == 1 { 'k' } else { c });
    }
    if s.b {
        if s.base1024 && exp > 0 {
            out.push('i');
        }
        out.push('B');
    }
    out
}

/// df's Use%: used / (used + available), rounded up; "-" when both are 0.
fn use_percent(used: u64, avail: u64) -> String {
    let denom = u128::from(used) + u128::from(avail);
    if denom == 0 {
        return "-".into();
    }
    format!("{}%", (u128::from(used) * 100).div_ceil(denom))
}

/// Runs `pskit df`.
pub fn run(args: Args) -> CmdResult {
    let mut o = match parse(&args.raw) {
        Ok(o) => o,
        Err(code) => return Ok(code),
    };
    default_units(&mut o, |k| std::env::var(k).ok());
    let mut st = State {
        o: &o,
        rows: vec![],
        failed: false,
        processed: false,
        grand: Usage::default(),
        winners: HashMap::new(),
    };
    // Files are checked first, as coreutils does.
    let mut files = Vec::new();
    for f in &o.files {
        match std::fs::metadata(f) {
            Ok(md) => files.push((f.clone(), md)),
            Err(e) => {
                let msg = e.to_string();
                let msg = msg
                    .find(" (os error")
                    .map_or(msg.clone(), |p| msg[..p].into());
                eprintln!("{}: {f}: {msg}", crate::fmt::prog("df"));
                st.failed = true;
            }
        }
    }
    let list = match mounts() {
        Ok(l) => l,
        Err(e) => {
            eprintln!(
                "{}: cannot read table of mounted file systems: {e}",
                crate::fmt::prog("df")
            );
            return Ok(ExitCode::FAILURE);
        }
    };
    if o.files.is_empty() {
        for m in filter_mounts(&mut st, list) {
            st.get_dev(&m, None, None, true);
        }
    } else {
        use std::os::unix::fs::FileTypeExt;
        for (f, md) in &files {
            let ft = md.file_type();
            let by_device = if ft.is_block_device() || ft.is_char_device() {
                mount_of_device(&list, f)
            } else {
                None
            };
            match by_device {
                Some(m) => st.get_dev(&m, Some(f), None, false),
                None => match mount_for(&list, f, md.dev()) {
                    Some(m) => st.get_dev(&m, Some(f), Some(f), false),
                    None => {
                        eprintln!(
                            "{}: {f}: cannot find its mount point",
                            crate::fmt::prog("df")
                        );
                        st.failed = true;
                    }
                },
            }
        }
    }
    if !st.processed {
        if !st.failed {
            eprintln!("{}: no file systems processed", crate::fmt::prog("df"));
        }
        return Ok(ExitCode::FAILURE);
    }
    let fields = fields(&o);
    if o.total && (st.grand.total != 0 || o.all || !o.types.is_empty()) {
        st.rows.push(Row {
            device: "total".into(),
            mountpoint: if fields.contains(&Field::Target) {
                "-".into()
            } else {
                "total".into()
            },
            fstype: "-".into(),
            file: "-".into(),
            usage: Some(st.grand),
        });
    }
    if o.json {
        print_json(&st.rows)?;
    } else {
        print_table(&o, &fields, &st.rows);
    }
    Ok(if st.failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn mode(o: &Opts) -> Mode {
    if o.output.is_some() {
        Mode::Output
    } else if o.inodes {
        Mode::Inodes
    } else if o.human.is_some() {
        Mode::Human
    } else if o.posix {
        Mode::Posix
    } else {
        Mode::Default
    }
}

fn fields(o: &Opts) -> Vec<Field> {
    if let Some(f) = &o.output {
        return f.clone();
    }
    let mut v = vec![Field::Source];
    if o.print_type {
        v.push(Field::Fstype);
    }
    if o.inodes {
        v.extend([Field::Itotal, Field::Iused, Field::Iavail, Field::Ipcent]);
    } else {
        v.extend([Field::Size, Field::Used, Field::Avail, Field::Pcent]);
    }
    v.push(Field::Target);
    v
}

fn print_table(o: &Opts, fields: &[Field], rows: &[Row]) {
    let mode = mode(o);
    let block_units = match (o.human, o.block) {
        (Some(base), _) => Units::Human(base),
        (None, Some((size, suffix))) => Units::Blocks(size, suffix),
        (None, None) => Units::Blocks(1024, None),
    };
    let inode_units = match o.human {
        Some(base) => Units::Human(base),
        None => Units::Blocks(1, None),
    };
    let head: Vec<String> = fields
        .iter()
        .map(|&f| {
            let (_, title, _) = field_info(f);
            match (f, block_units) {
                (Field::Size, Units::Blocks(size, _)) if mode == Mode::Posix => {
                    format!("{size}-blocks")
                }
                (Field::Size, Units::Blocks(size, suffix)) => {
                    blocks_title(size, suffix.is_some_and(|s| s.b && s.base1024))
                }
                (Field::Avail, Units::Blocks(..))
                    if matches!(mode, Mode::Default | Mode::Posix) =>
                {
                    "Available".into()
                }
                (Field::Pcent, _) if o.posix => "Capacity".into(),
                _ => title.to_string(),
            }
        })
        .collect();
    let mut table = vec![head];
    for r in rows {
        let line = fields
            .iter()
            .map(|&f| {
                let u = r.usage.as_ref();
                let dash = || "-".to_string();
                match f {
                    Field::Source => r.device.clone(),
                    Field::Fstype => r.fstype.clone(),
                    Field::File => r.file.clone(),
                    Field::Target => r.mountpoint.clone(),
                    Field::Size => u.map_or_else(dash, |u| show(u.total, block_units)),
                    Field::Used => u.map_or_else(dash, |u| show(u.used, block_units)),
                    Field::Avail => u.map_or_else(dash, |u| show(u.free, block_units)),
                    Field::Pcent => u.map_or_else(dash, |u| use_percent(u.used, u.free)),
                    Field::Itotal => u.map_or_else(dash, |u| show(u.itotal, inode_units)),
                    Field::Iused => u.map_or_else(dash, |u| show(u.iused, inode_units)),
                    Field::Iavail => u.map_or_else(dash, |u| show(u.ifree, inode_units)),
                    Field::Ipcent => u.map_or_else(dash, |u| use_percent(u.iused, u.ifree)),
                }
            })
            .map(|s| s.replace(|c: char| c.is_control(), "?"))
            .collect();
        table.push(line);
    }
    let widths: Vec<usize> = fields
        .iter()
        .enumerate()
        .map(|(c, &f)| {
            table
                .iter()
                .map(|row| row[c].chars().count())
                .max()
                .unwrap_or(0)
                .max(field_info(f).2)
        })
        .collect();
    let mut out = String::new();
    for row in &table {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            let left = matches!(
                fields[c],
                Field::Source | Field::Fstype | Field::File | Field::Target
            );
            if c > 0 {
                line.push(' ');
            }
            let w = widths[c];
            if left && c == row.len() - 1 {
                line.push_str(cell);
            } else if left {
                line.push_str(&format!("{cell:<w$}"));
            } else {
                line.push_str(&format!("{cell:>w$}"));
            }
        }
        out.push_str(&line);
        out.push('\n');
    }
    use std::io::Write;
    let _ = std::io::stdout().lock().write_all(out.as_bytes());
}

const SUFFIXES: [char; 8] = ['K', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'];

/// df's human format: the largest power of `base` not above `n`, rounded up,
/// with one decimal below 10 ("9.8G", "13G", "4.0K", "0").
fn human(n: u64, base: u64) -> String {
    let n = u128::from(n);
    let base = u128::from(base);
    if n < base {
        return n.to_string();
    }
    let mut i = 0;
    let mut div = 1u128;
    while i < SUFFIXES.len() && n >= div * base {
        div *= base;
        i += 1;
    }
    let suffix = |i: usize| {
        let s = SUFFIXES[i - 1];
        if base == 1000 && s == 'K' {
            'k'
        } else {
            s
        }
    };
    if n < 10 * div {
        let tenths = (n * 10).div_ceil(div);
        if tenths < 100 {
            return format!("{}.{}{}", tenths / 10, tenths % 10, suffix(i));
        }
        return format!("10{}", suffix(i));
    }
    let whole = n.div_ceil(div);
    if whole >= base && i < SUFFIXES.len() {
        return format!("1.0{}", suffix(i + 1));
    }
    format!("{whole}{}", suffix(i))
}

/// The column title of a block size: "1K-blocks", "4K-blocks", "1kB-blocks", "1B-blocks".
fn blocks_title(size: u64, iec: bool) -> String {
    for (base, sfx) in [(1024u64, ""), (1000, "B")] {
        let mut p = base;
        let mut best = None;
        for s in SUFFIXES {
            if size % p == 0 {
                best = Some((size / p, s));
            }
            match p.checked_mul(base) {
                Some(next) => p = next,
                None => break,
            }
        }
        if let Some((n, s)) = best {
            let s = if base == 1000 && s == 'K' { 'k' } else { s };
            let i = if iec && base == 1024 { "iB" } else { "" };
            return format!("{n}{s}{i}{sfx}-blocks");
        }
    }
    format!("{size}B-blocks")
}

#[cfg(test)]
mod tests {

    #[test]
    fn units_from_the_environment() {
        let units = |args: &[&str], env: &[(&str, &str)]| {
            let raw: Vec<String> = args.iter().map(|a| a.to_string()).collect();
            let mut o = parse(&raw).unwrap();
            default_units(&mut o, |k| {
                env.iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            });
            (o.human, o.block.map(|b| b.0))
        };
        assert_eq!(units(&[], &[]), (None, Some(1024)));
        assert_eq!(units(&[], &[("POSIXLY_CORRECT", "")]), (None, Some(512)));
        assert_eq!(
            units(&[], &[("BLOCKSIZE", "2K"), ("BLOCK_SIZE", "1M")]),
            (None, Some(1 << 20))
        );
        assert_eq!(
            units(&[], &[("DF_BLOCK_SIZE", "human-readable")]),
            (Some(1024), None)
        );
        assert_eq!(units(&[], &[("DF_BLOCK_SIZE", "si")]), (Some(1000), None));
        assert_eq!(
            units(&[], &[("DF_BLOCK_SIZE", "99999999999999999999999")]),
            (None, Some(1024))
        );
        assert_eq!(
            units(&["-P"], &[("DF_BLOCK_SIZE", "1M")]),
            (None, Some(1024))
        );
        assert_eq!(
            units(&["-k"], &[("DF_BLOCK_SIZE", "1M")]),
            (None, Some(1024))
        );
        assert_eq!(
            units(&["-h"], &[("DF_BLOCK_SIZE", "1M")]),
            (Some(1024), None)
        );
    }

    use super::*;

    #[test]
    fn human_sizes_round_up_like_df() {
        assert_eq!(human(0, 1024), "0");
        assert_eq!(human(1023, 1024), "1023");
        assert_eq!(human(4096, 1024), "4.0K");
        assert_eq!(human(270_553_174_016, 1024), "252G");
        assert_eq!(human(13_500_219_392, 1024), "13G");
        assert_eq!(human(84_072_529_920, 1024), "79G");
        assert_eq!(human(10 * 1024 - 1, 1024), "10K");
        assert_eq!(human(1024 * 1024 - 1, 1024), "1.0M");
        assert_eq!(human(270_553_174_016, 1000), "271G");
        assert_eq!(human(1500, 1000), "1.5k");
        assert_eq!(human(u64::MAX, 1024), "16E");
    }

    #[test]
    fn block_sizes() {
        assert_eq!(crate::num::parse_block_size("1K"), Some(1024));
        assert_eq!(crate::num::parse_block_size("K"), Some(1024));
        assert_eq!(crate::num::parse_block_size("4096"), Some(4096));
        assert_eq!(crate::num::parse_block_size("1MB"), Some(1_000_000));
        assert_eq!(crate::num::parse_block_size("2MiB"), Some(2 << 20));
        assert_eq!(crate::num::parse_block_size("0"), None);
        assert_eq!(crate::num::parse_block_size("x"), None);
        assert_eq!(crate::num::parse_block_size("1Q"), None);
        assert_eq!(crate::num::parse_block_size("99999999999Y"), None);
        assert_eq!(blocks_title(1024, false), "1K-blocks");
        assert_eq!(blocks_title(4096, false), "4K-blocks");
        assert_eq!(blocks_title(1 << 20, false), "1M-blocks");
        assert_eq!(blocks_title(1000, false), "1kB-blocks");
        assert_eq!(blocks_title(1, false), "1B-blocks");
        assert_eq!(blocks_title(1500, false), "1500B-blocks");
    }

    #[test]
    fn use_percent_rounds_up() {
        assert_eq!(use_percent(13_500_219_392, 84_072_529_920), "14%");
        assert_eq!(use_percent(0, 5), "0%");
        assert_eq!(use_percent(0, 0), "-");
        assert_eq!(use_percent(1, 999), "1%");
    }
}
