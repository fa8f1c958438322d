//! `pskit pstree [PID|USER]`: the process tree, drawn as psmisc `pstree` draws it:
//! the tree under pid 1 by default (so kernel threads, children of pid 0, stay
//! hidden), children sorted by name (`-n`: by pid), identical subtrees folded
//! into `N*[name]` (`-c` keeps them apart), threads as `{name}` (`-T` hides
//! them), `-p` pids, `-a` arguments, `-u` uid changes, ASCII or UTF-8 line
//! drawing as psmisc chooses (`-A`, `-U`), lines cut at the terminal's width
//! (`-l` keeps them whole), `-g` process group ids, `-s` the parents of a pid,
//! `-h`/`-H PID` highlighting (the terminal's bold, from the terminfo entry of
//! $TERM through the system's libtinfo, as psmisc: emitted whether or not the
//! output is a terminal), `-N TYPE` one tree per namespace, `-Z` security
//! contexts (/proc/PID/attr/current, as psmisc reads it without SELinux).

use std::collections::HashMap;
use std::process::ExitCode;

use serde_json::{json, Value};

use crate::fmt::{print_json, printable, CmdResult};

/// Arguments of `pskit pstree` (read by hand, getopt-style, as psmisc does).
#[derive(clap::Args)]
#[command(disable_help_flag = true)]
pub struct Args {
    /// `[-aAcglnpsTuUZ] [-h | -H PID] [-N TYPE] [--json] [PID | USER]`
    #[arg(
        num_args = 0..,
        allow_hyphen_values = true,
        trailing_var_arg = true,
        value_name = "ARGS"
    )]
    args: Vec<String>,
}

const USAGE: &str = "Usage: pstree [-acglpsTuZ] [ -h | -H PID ] [ -n | -N type ]
              [ -A | -U ] [ PID | USER ]

Display a tree of processes.

  -a, --arguments     show command line arguments
  -A, --ascii         use ASCII line drawing characters
  -c, --compact-not   don't compact identical subtrees
  -g, --show-pgids    show process group ids; implies -c
  -h, --highlight-all highlight current process and its ancestors
  -H PID, --highlight-pid=PID
                      highlight this process and its ancestors
  -l, --long          don't truncate long lines
  -n, --numeric-sort  sort output by PID
  -N TYPE, --ns-sort=TYPE
                      sort output by this namespace type
                              (cgroup, ipc, mnt, net, pid, time, user, uts)
  -p, --show-pids     show PIDs; implies -c
  -s, --show-parents  show parents of the selected process
  -T, --hide-threads  hide threads, show only processes
  -u, --uid-changes   show uid transitions
  -U, --unicode       use UTF-8 (Unicode) line drawing characters
  -Z, --security-context
                      show security attributes
      --json          print the tree as nested JSON objects {pid, name, children}

  PID    start at this PID; default is 1 (init)
  USER   show only trees rooted at processes of this user
";

/// psmisc's line-drawing pieces: empty, branch, vertical, last, single, first.
struct Symbols([&'static str; 6]);

const ASCII: Symbols = Symbols(["  ", "|-", "| ", "`-", "---", "-+-"]);
const UTF8: Symbols = Symbols(["  ", "├─", "│ ", "└─", "───", "─┬─"]);

/// psmisc's namespace types, in its order (`-N`).
const NS_NAMES: [&str; 8] = ["cgroup", "ipc", "mnt", "net", "pid", "user", "uts", "time"];

/// A highlight asked for: `-h` (this process) or `-H PID` (as typed).
#[derive(Debug, PartialEq)]
enum Highlight {
    All,
    Pid(String),
}

#[derive(Default)]
struct Opts {
    args: bool,
    pgids: bool,
    show_parents: bool,
    /// `-h` and `-H`, in the order given (psmisc refuses a second one).
    highlight: Vec<Highlight>,
    /// `-N`: an index into [`NS_NAMES`].
    ns_sort: Option<usize>,
    scontext: bool,
    compact: bool,
    long: bool,
    by_pid: bool,
    pids: bool,
    hide_threads: bool,
    uid_changes: bool,
    utf8: Option<bool>,
    json: bool,
    target: Option<String>,
}

fn parse(words: &[String]) -> Option<Opts> {
    let mut o = Opts {
        compact: true,
        ..Opts::default()
    };
    let mut operands = Vec::new();
    let mut rest_are_operands = false;
    let ns = |t: &str| NS_NAMES.iter().position(|n| *n == t);
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        i += 1;
        if rest_are_operands || !w.starts_with('-') || w == "-" {
            operands.push(w.clone());
            continue;
        }
        match w.as_str() {
            "--" => rest_are_operands = true,
            "--json" => o.json = true,
            "--arguments" => o.args = true,
            "--ascii" => o.utf8 = Some(false),
            "--compact-not" => o.compact = false,
            "--long" => o.long = true,
            "--numeric-sort" => o.by_pid = true,
            "--show-pids" => {
                o.pids = true;
                o.compact = false;
            }
            // psmisc 23.6 documents -g as implying -c but folds all the same.
            "--show-pgids" => o.pgids = true,
            "--show-parents" => o.show_parents = true,
            "--highlight-all" => o.highlight.push(Highlight::All),
            "--security-context" => o.scontext = true,
            "--highlight-pid" | "--ns-sort" => {
                let v = words.get(i)?;
                i += 1;
                if w == "--ns-sort" {
                    o.ns_sort = Some(ns(v)?);
                } else {
                    o.highlight.push(Highlight::Pid(v.clone()));
                }
            }
            "--hide-threads" => o.hide_threads = true,
            "--uid-changes" => o.uid_changes = true,
            "--unicode" => o.utf8 = Some(true),
            s if s.starts_with("--highlight-pid=") => {
                o.highlight
                    .push(Highlight::Pid(s["--highlight-pid=".len()..].to_string()));
            }
            s if s.starts_with("--ns-sort=") => o.ns_sort = Some(ns(&s["--ns-sort=".len()..])?),
            s if s.starts_with("--") => return None,
            s => {
                for (k, c) in s[1..].char_indices() {
                    match c {
                        'a' => o.args = true,
                        'A' => o.utf8 = Some(false),
                        'c' => o.compact = false,
                        'g' => o.pgids = true,
                        'h' => o.highlight.push(Highlight::All),
                        'l' => o.long = true,
                        'n' => o.by_pid = true,
                        'p' => {
                            o.pids = true;
                            o.compact = false;
                        }
                        's' => o.show_parents = true,
                        'T' => o.hide_threads = true,
                        'u' => o.uid_changes = true,
                        'U' => o.utf8 = Some(true),
                        'Z' => o.scontext = true,
                        'H' | 'N' => {
                            // The value: the rest of this word, or the next one.
                            let rest = &s[1 + k + 1..];
                            let v = if rest.is_empty() {
                                i += 1;
                                words.get(i - 1)?.clone()
                            } else {
                                rest.to_string()
                            };
                            if c == 'N' {
                                o.ns_sort = Some(ns(&v)?);
                            } else {
                                o.highlight.push(Highlight::Pid(v));
                            }
                            break;
                        }
                        _ => {
                            eprintln!("{}: invalid option -- '{c}'", crate::fmt::prog("pstree"));
                            return None;
                        }
                    }
                }
            }
        }
    }
    if operands.len() > 1 {
        return None;
    }
    o.target = operands.pop();
    Some(o)
}

struct Node {
    pid: u32,
    /// The kernel's name (15 bytes at most), `{name}` for a thread.
    comm: String,
    uid: u32,
    /// psmisc's `argc`/`argv` after `set_args`: None when the command line is empty.
    argv: Option<Vec<String>>,
    thread: bool,
    children: Vec<usize>,
    /// The process group (`-g`; a thread's is its process's).
    pgid: u32,
    /// The inode of each namespace in [`NS_NAMES`] order (`-N`), 0 if unknown.
    ns: [u64; 8],
    /// `-Z`: the security context as psmisc prints it.
    context: String,
    /// `-h`/`-H`: this process or a descendant is highlighted.
    highlight: bool,
    /// The node this one hangs under.
    parent: Option<usize>,
}

impl Node {
    /// psmisc's stand-in for a parent it did not see: `?`.
    fn placeholder(pid: u32) -> Node {
        Node {
            pid,
            comm: "?".into(),
            uid: 0,
            argv: Some(Vec::new()),
            thread: false,
            children: Vec::new(),
            pgid: 0,
            ns: [0; 8],
            context: String::new(),
            highlight: false,
            parent: None,
        }
    }
}

/// Field 5 of /proc/PID/stat: the process group.
fn read_pgid(pid: u32) -> u32 {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            let after = &s[s.rfind(')')? + 1..];
            after.split_whitespace().nth(2)?.parse().ok()
        })
        .unwrap_or(0)
}

/// The inodes of /proc/PID/ns/* (0 where stat fails), as psmisc's new_proc_ns.
fn read_ns(pid: u32) -> [u64; 8] {
    use std::os::unix::fs::MetadataExt;
    let mut ns = [0; 8];
    for (slot, name) in ns.iter_mut().zip(NS_NAMES) {
        *slot = std::fs::metadata(format!("/proc/{pid}/ns/{name}"))
            .map(|m| m.ino())
            .unwrap_or(0);
    }
    ns
}

/// `-Z` without SELinux, as psmisc's out_scontext: a backquote, the first line
/// of /proc/PID/attr/current (up to a NUL, less its last character, which is
/// the newline), and a quote; nothing between them when it cannot be read.
fn read_context(pid: u32) -> String {
    let bytes = std::fs::read(format!("/proc/{pid}/attr/current")).unwrap_or_default();
    let mut line: &[u8] = &bytes[..bytes.len().min(8191)];
    if let Some(nl) = line.iter().position(|&b| b == b'\n') {
        line = &line[..=nl];
    }
    if let Some(nul) = line.iter().position(|&b| b == 0) {
        line = &line[..nul];
    }
    let line = &line[..line.len().saturating_sub(1)];
    format!("`{}'", String::from_utf8_lossy(line))
}

struct Tree {
    nodes: Vec<Node>,
    index: HashMap<u32, usize>,
}

/// The kernel's comm: psutil's `name()` extends a 15-byte comm from the command
/// line, psmisc does not.
fn comm(name: &str) -> String {
    let mut end = name.len().min(15);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    name[..end].to_string()
}

/// psmisc's `set_args` on the command line as read (at most `limit` bytes): the
/// words after argv[0], then the empty word its NUL counting leaves at the end.
fn set_args(cmdline: &[String], limit: Option<usize>) -> Option<Vec<String>> {
    let mut buf: Vec<u8> = Vec::new();
    for a in cmdline {
        buf.extend_from_slice(a.as_bytes());
        buf.push(0);
    }
    if let Some(limit) = limit {
        // psmisc reads at most `limit` bytes and keeps one less when it got them all.
        if buf.len() >= limit {
            buf.truncate(limit.saturating_sub(1));
        }
    }
    if buf.is_empty() {
        return None;
    }
    buf.push(0);
    let size = buf.len();
    let mut argc = 0;
    let mut i = 0;
    while i < size - 1 {
        if buf[i] == 0 {
            argc += 1;
            while i < size - 1 && buf[i] == 0 {
                i += 1;
            }
        } else {
            i += 1;
        }
    }
    if argc == 0 {
        return Some(Vec::new());
    }
    let first_nul = buf.iter().position(|&b| b == 0).unwrap_or(size - 1);
    let words: Vec<String> = buf[first_nul + 1..]
        .split(|&b| b == 0)
        .map(|w| String::from_utf8_lossy(w).into_owned())
        .take(argc)
        .collect();
    Some(words)
}

impl Tree {
    fn build(o: &Opts, width: Option<usize>) -> Result<(Tree, bool), pskit::Error> {
        let mut attrs = vec!["name", "ppid", "uids"];
        if o.args {
            attrs.push("cmdline");
        }
        let (mut procs, failed) = crate::proc_common::scan(&attrs)?;
        procs.sort_by_key(|p| p.pid());
        let mut tree = Tree {
            nodes: Vec::new(),
            index: HashMap::new(),
        };
        let mut parent_of: Vec<(usize, u32)> = Vec::new();
        let limit = width.map(|w| w + 1);
        for p in &procs {
            let name = comm(p.name.get().map(String::as_str).unwrap_or(""));
            let uid = p.uids.get().map(|u| u.effective).unwrap_or(0);
            let pgid = if o.pgids { read_pgid(p.pid()) } else { 0 };
            let extra = |pid: u32| {
                (
                    if o.ns_sort.is_some() {
                        read_ns(pid)
                    } else {
                        [0; 8]
                    },
                    if o.scontext {
                        read_context(pid)
                    } else {
                        String::new()
                    },
                )
            };
            let (ns, context) = extra(p.pid());
            let me = tree.add(Node {
                pid: p.pid(),
                comm: name.clone(),
                uid,
                argv: if o.args {
                    set_args(
                        p.cmdline.get().map(Vec::as_slice).unwrap_or_default(),
                        limit,
                    )
                } else {
                    Some(Vec::new())
                },
                thread: false,
                children: Vec::new(),
                pgid,
                ns,
                context,
                highlight: false,
                parent: None,
            });
            let ppid = p.ppid.get().copied().unwrap_or(0);
            parent_of.push((me, if ppid == p.pid() { 0 } else { ppid }));
            // Threads as psmisc reads them: an unreadable task list is no threads.
            let threads = if o.hide_threads {
                Vec::new()
            } else {
                p.process.threads().unwrap_or_default()
            };
            for t in threads {
                if t.id == p.pid() {
                    continue;
                }
                let tname = format!("{{{name}}}");
                let (ns, context) = extra(t.id);
                let ti = tree.add(Node {
                    pid: t.id,
                    comm: tname.clone(),
                    uid,
                    argv: Some(Vec::new()),
                    thread: true,
                    children: Vec::new(),
                    pgid,
                    ns,
                    context,
                    highlight: false,
                    parent: None,
                });
                parent_of.push((ti, p.pid()));
            }
        }
        // Parents that are gone become "?" placeholders; parentless processes
        // (but 0 and 1) hang under pid 1, as psmisc's fix_orphans does.
        for &(_, ppid) in &parent_of.clone() {
            if !tree.index.contains_key(&ppid) {
                let i = tree.add(Node::placeholder(ppid));
                if ppid != 0 && ppid != 1 {
                    parent_of.push((i, 1));
                }
            }
        }
        if !tree.index.contains_key(&1) {
            tree.add(Node::placeholder(1));
        }
        for (child, ppid) in parent_of {
            if tree.nodes[child].pid == 0 {
                continue;
            }
            let parent = tree.index[&ppid];
            tree.nodes[parent].children.push(child);
            tree.nodes[child].parent = Some(parent);
        }
        for i in 0..tree.nodes.len() {
            let mut kids = std::mem::take(&mut tree.nodes[i].children);
            if o.by_pid {
                kids.sort_by_key(|&k| tree.nodes[k].pid);
            } else {
                kids.sort_by(|&a, &b| {
                    let (a, b) = (&tree.nodes[a], &tree.nodes[b]);
                    (a.comm.as_bytes(), a.uid, a.pid).cmp(&(b.comm.as_bytes(), b.uid, b.pid))
                });
            }
            tree.nodes[i].children = kids;
        }
        Ok((tree, failed))
    }

    fn add(&mut self, n: Node) -> usize {
        let i = self.nodes.len();
        self.index.insert(n.pid, i);
        self.nodes.push(n);
        i
    }

    fn equal(&self, a: usize, b: usize, uids: bool, depth: usize) -> bool {
        let (x, y) = (&self.nodes[a], &self.nodes[b]);
        if x.comm != y.comm || (uids && x.uid != y.uid) || x.children.len() != y.children.len() {
            return false;
        }
        depth < 512
            && x.children
                .iter()
                .zip(&y.children)
                .all(|(&c, &d)| self.equal(c, d, uids, depth + 1))
    }

    fn to_json(&self, i: usize, depth: usize) -> Value {
        let n = &self.nodes[i];
        let children: Vec<Value> = if depth > 512 {
            Vec::new()
        } else {
            n.children
                .iter()
                .filter(|&&c| !self.nodes[c].thread)
                .map(|&c| self.to_json(c, depth + 1))
                .collect()
        };
        json!({ "pid": n.pid, "name": n.comm, "children": children })
    }
}

/// psmisc's output: a column count, truncation at the width with a `+`.
struct Out {
    text: String,
    x: usize,
    width: Option<usize>,
}

impl Out {
    fn ch(&mut self, c: char) {
        self.x += 1;
        match self.width {
            Some(w) if self.x > w => {
                if self.x == w + 1 {
                    self.text.push('+');
                }
            }
            _ => self.text.push(c),
        }
    }

    fn s(&mut self, s: &str) {
        for c in s.chars() {
            self.ch(c);
        }
    }

    fn newline(&mut self) {
        self.text.push('\n');
        self.x = 1;
    }

    /// Terminal control text: written whole and not counted, as tputs does.
    fn raw(&mut self, s: &str) {
        self.text.push_str(s);
    }
}

struct Printer<'a> {
    tree: &'a Tree,
    o: &'a Opts,
    sym: &'a Symbols,
    out: Out,
    widths: Vec<isize>,
    more: Vec<bool>,
    /// The terminal's bold on and attributes off, for highlighted nodes.
    bold: Option<(String, String)>,
}

impl Printer<'_> {
    /// Later siblings equal to `kids[at]`, removed from `kids`; how many.
    fn fold(&self, kids: &mut Vec<usize>, at: usize) -> usize {
        let first = kids[at];
        let before = kids.len();
        let mut k = at + 1;
        while k < kids.len() {
            if self.tree.equal(first, kids[k], self.o.uid_changes, 0) {
                kids.remove(k);
            } else {
                k += 1;
            }
        }
        before - kids.len()
    }

    #[allow(clippy::too_many_arguments)]
    fn dump(
        &mut self,
        i: usize,
        level: usize,
        rep: usize,
        leaf: bool,
        last: bool,
        prev_uid: u32,
        closing: usize,
    ) {
        let node = &self.tree.nodes[i];
        if level > 512 {
            return;
        }
        if !leaf {
            for lvl in 0..level {
                let pad = self.widths.get(lvl).copied().unwrap_or(0) + 1;
                for _ in 0..pad.max(0) {
                    self.out.ch(' ');
                }
                let piece = if lvl + 1 == level {
                    if last {
                        self.sym.0[3]
                    } else {
                        self.sym.0[1]
                    }
                } else if self.more.get(lvl + 1).copied().unwrap_or(false) {
                    self.sym.0[2]
                } else {
                    self.sym.0[0]
                };
                self.out.s(piece);
            }
        }
        let add = if rep < 2 {
            0
        } else {
            let n = rep.to_string();
            self.out.s(&n);
            self.out.s("*[");
            n.len() + 2
        };
        let args = self.o.args;
        let no_cmdline = node.argv.is_none();
        let bold = self.bold.as_ref().filter(|_| node.highlight);
        if let Some((on, _)) = bold {
            self.out.raw(on);
        }
        if args && no_cmdline {
            self.out.ch('(');
        }
        let name = printable(&node.comm);
        self.out.s(&name);
        let comm_len = name.chars().count();
        let offset = self.out.x;
        let mut info = args;
        if self.o.pids {
            self.out.ch(if info { ',' } else { '(' });
            info = true;
            self.out.s(&out_int(node.pid));
        }
        if self.o.pgids {
            self.out.ch(if info { ',' } else { '(' });
            info = true;
            self.out.s(&out_int(node.pgid));
        }
        if self.o.uid_changes && prev_uid != node.uid {
            self.out.ch(if info { ',' } else { '(' });
            info = true;
            let user = pskit_user_name(node.uid);
            self.out.s(&user);
        }
        if self.o.scontext {
            self.out.ch(if info { ',' } else { '(' });
            info = true;
            self.out.s(&printable(&node.context));
        }
        if (args && no_cmdline) || (!args && info) {
            self.out.ch(')');
        }
        if let Some((_, off)) = bold {
            self.out.raw(off);
        }
        if args {
            if let Some(argv) = &node.argv {
                let argc = argv.len();
                for (k, a) in argv.iter().enumerate() {
                    if k + 1 < argc {
                        self.out.ch(' ');
                    }
                    let a = printable(a);
                    let len = a.chars().count();
                    let room = self
                        .out
                        .width
                        .map(|w| w.saturating_sub(if k + 1 == argc { 0 } else { 4 }));
                    if room.is_none_or(|r| self.out.x + len <= r) {
                        self.out.s(&a);
                    } else {
                        self.out.s("...");
                        break;
                    }
                }
            }
        }
        let one_a_line = args || self.o.scontext;
        if one_a_line || node.children.is_empty() {
            for _ in 0..closing {
                self.out.ch(']');
            }
            self.out.newline();
        }
        if self.more.len() <= level {
            self.more.resize(level + 1, false);
            self.widths.resize(level + 1, 0);
        }
        self.more[level] = !last;
        let mut kids = node.children.clone();
        if one_a_line {
            self.widths[level] = isize::from(args) - isize::from(comm_len <= 1);
            let mut k = 0;
            while k < kids.len() {
                let count = if self.o.compact && self.tree.nodes[kids[k]].thread {
                    self.fold(&mut kids, k)
                } else {
                    0
                };
                let is_last = k + 1 == kids.len();
                let close = closing + usize::from(count > 0);
                self.dump(
                    kids[k],
                    level + 1,
                    count + 1,
                    false,
                    is_last,
                    node.uid,
                    close,
                );
                k += 1;
            }
            return;
        }
        self.widths[level] = (comm_len + self.out.x + add) as isize - offset as isize;
        if let Some(w) = self.out.width {
            if self.out.x >= w && !kids.is_empty() {
                self.out.s(self.sym.0[5]);
                self.out.s("+");
                self.out.newline();
                return;
            }
        }
        let mut k = 0;
        while k < kids.len() {
            let count = if self.o.compact {
                self.fold(&mut kids, k)
            } else {
                0
            };
            let is_last = k + 1 == kids.len();
            if k == 0 {
                self.out.s(if is_last {
                    self.sym.0[4]
                } else {
                    self.sym.0[5]
                });
            }
            let close = closing + usize::from(count > 0);
            self.dump(
                kids[k],
                level + 1,
                count + 1,
                k == 0,
                is_last,
                node.uid,
                close,
            );
            k += 1;
        }
    }
}

/// psmisc's out_int: the decimal digits, and none at all for 0 (a process
/// group outside this pid namespace shows as `()`).
fn out_int(n: u32) -> String {
    if n == 0 {
        String::new()
    } else {
        n.to_string()
    }
}

fn pskit_user_name(uid: u32) -> String {
    // SAFETY: getpwuid returns NULL or a static entry, read at once.
    let pw = unsafe { libc::getpwuid(uid) };
    if pw.is_null() {
        return uid.to_string();
    }
    // SAFETY: pw is not NULL and pw_name is a C string.
    unsafe { std::ffi::CStr::from_ptr((*pw).pw_name) }
        .to_string_lossy()
        .into_owned()
}

/// psmisc's default width: $COLUMNS, else the terminal's, else 132.
fn output_width() -> usize {
    if let Some(n) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse::<usize>().ok())
        .filter(|&n| n > 0 && n < 0x7fff_ffff)
    {
        return n;
    }
    // SAFETY: TIOCGWINSZ fills a winsize; a failure leaves it zeroed.
    let mut ws: libc::winsize = unsafe { std::mem::zeroed() };
    if unsafe { libc::ioctl(1, libc::TIOCGWINSZ, &mut ws) } >= 0 && ws.ws_col > 0 {
        return usize::from(ws.ws_col);
    }
    132
}

/// psmisc draws with UTF-8 only on a terminal whose locale is UTF-8.
fn default_utf8() -> bool {
    // SAFETY: isatty takes any fd number.
    if unsafe { libc::isatty(1) } != 1 {
        return false;
    }
    let locale = ["LC_ALL", "LC_CTYPE", "LANG"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.is_empty())
        .unwrap_or_default()
        .to_ascii_lowercase();
    locale.contains("utf-8") || locale.contains("utf8")
}

/// The terminal library's termcap calls, as psmisc makes them, from the
/// system's libtinfo loaded at run time (so pskit needs no terminal library to
/// build or to run; without one, nothing is highlighted).
mod termcap {
    use std::cell::RefCell;
    use std::ffi::{c_char, c_int, CStr, CString};

    type Tgetent = unsafe extern "C" fn(*mut c_char, *const c_char) -> c_int;
    type Tgetstr = unsafe extern "C" fn(*const c_char, *mut *mut c_char) -> *mut c_char;
    type Putc = unsafe extern "C" fn(c_int) -> c_int;
    type Tputs = unsafe extern "C" fn(*const c_char, c_int, Putc) -> c_int;

    thread_local! {
        static OUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    }

    unsafe extern "C" fn collect(c: c_int) -> c_int {
        OUT.with(|o| o.borrow_mut().push(c as u8));
        c
    }

    /// A loaded terminal library with a terminal entry read (`tgetent` > 0).
    pub struct Term {
        tgetstr: Tgetstr,
        tputs: Tputs,
    }

    /// tgetent(3) of `name`: `Ok(None)` when the library cannot find the
    /// terminal (psmisc's "Can't get terminal capabilities"), `Err` when there
    /// is no terminal library at all.
    pub fn load(name: &str) -> Result<Option<Term>, ()> {
        let mut lib = std::ptr::null_mut();
        for so in [
            c"libtinfo.so.6",
            c"libncursesw.so.6",
            c"libncurses.so.6",
            c"libtinfo.so.5",
        ] {
            // SAFETY: so is a C string; RTLD_NOW resolves or fails at once.
            lib = unsafe { libc::dlopen(so.as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL) };
            if !lib.is_null() {
                break;
            }
        }
        if lib.is_null() {
            return Err(());
        }
        let sym = |n: &CStr| {
            // SAFETY: lib is a loaded library; n a C string.
            let p = unsafe { libc::dlsym(lib, n.as_ptr()) };
            (!p.is_null()).then_some(p)
        };
        let (Some(e), Some(g), Some(p)) = (sym(c"tgetent"), sym(c"tgetstr"), sym(c"tputs")) else {
            return Err(());
        };
        // SAFETY: the symbols are the termcap functions with these C signatures.
        let (tgetent, tgetstr, tputs) = unsafe {
            (
                std::mem::transmute::<*mut libc::c_void, Tgetent>(e),
                std::mem::transmute::<*mut libc::c_void, Tgetstr>(g),
                std::mem::transmute::<*mut libc::c_void, Tputs>(p),
            )
        };
        let Ok(cname) = CString::new(name) else {
            return Ok(None);
        };
        // psmisc's termcap_area is 1024 bytes; ncurses ignores the buffer.
        let mut area = vec![0 as c_char; 4096];
        // SAFETY: area is writable, larger than termcap's 1024 bytes.
        if unsafe { tgetent(area.as_mut_ptr(), cname.as_ptr()) } <= 0 {
            return Ok(None);
        }
        Ok(Some(Term { tgetstr, tputs }))
    }

    impl Term {
        /// tgetstr(3) of `id` as tputs(3) writes it (padding resolved by the
        /// library); `None` when the terminal lacks it.
        pub fn string(&self, id: &CStr) -> Option<String> {
            // SAFETY: id is a C string; a NULL area is allowed by ncurses.
            let s = unsafe { (self.tgetstr)(id.as_ptr(), std::ptr::null_mut()) };
            if s.is_null() || s as isize == -1 {
                return None;
            }
            OUT.with(|o| o.borrow_mut().clear());
            // SAFETY: s is the library's C string; collect only buffers bytes.
            unsafe { (self.tputs)(s, 1, collect) };
            Some(OUT.with(|o| String::from_utf8_lossy(&o.borrow()).into_owned()))
        }
    }
}

/// What `-h` and `-H` ask for, resolved as psmisc does: the pid to highlight
/// (0 for none) and the terminal's bold on/off strings, or the exit status
/// after a message.
fn resolve_highlight(o: &Opts) -> Result<(i64, Option<(String, String)>), ExitCode> {
    let mut pid: i64 = 0;
    let mut term = None;
    let usage = || {
        eprint!("{USAGE}");
        ExitCode::FAILURE
    };
    for h in &o.highlight {
        if pid != 0 {
            return Err(usage());
        }
        let name = std::env::var("TERM").ok();
        match h {
            Highlight::All => {
                if let Some(t) = name
                    .as_deref()
                    .and_then(|n| termcap::load(n).ok().flatten())
                {
                    pid = i64::from(std::process::id());
                    term = Some(t);
                }
            }
            Highlight::Pid(v) => {
                let Some(name) = name else {
                    eprintln!("TERM is not set");
                    return Err(ExitCode::FAILURE);
                };
                match termcap::load(&name) {
                    Ok(Some(t)) => term = Some(t),
                    _ => {
                        eprintln!("Can't get terminal capabilities");
                        return Err(ExitCode::FAILURE);
                    }
                }
                // atoi: strtol's value cut to an int.
                pid = match crate::num::strtol_prefix(v) {
                    Ok((n, _)) => i64::from(n as i32),
                    Err(crate::num::StrtolError::Range) if v.trim_start().starts_with('-') => 0,
                    Err(crate::num::StrtolError::Range) => -1,
                    Err(_) => 0,
                };
                if pid == 0 {
                    return Err(usage());
                }
            }
        }
    }
    let bold = term.map(|t| {
        (
            t.string(c"md").unwrap_or_default(),
            t.string(c"me").unwrap_or_default(),
        )
    });
    Ok((pid, bold))
}

/// Runs `pskit pstree`.
pub fn run(args: Args) -> CmdResult {
    let raw = crate::proc_common::raw_args_after("pstree");
    let words = if raw.len() >= args.args.len() {
        raw
    } else {
        args.args
    };
    let Some(o) = parse(&words) else {
        eprint!("{USAGE}");
        return Ok(ExitCode::FAILURE);
    };
    let mut root_pid = 1u32;
    let mut user = None;
    if let Some(t) = &o.target {
        if t.starts_with(|c: char| c.is_ascii_digit()) {
            match t.parse::<u32>() {
                Ok(p) => root_pid = p,
                Err(_) => {
                    eprint!("{USAGE}");
                    return Ok(ExitCode::FAILURE);
                }
            }
        } else {
            match crate::proc_common::user_uid(t) {
                Some(uid) => user = Some(uid),
                None => {
                    eprintln!("No such user name: {t}");
                    return Ok(ExitCode::FAILURE);
                }
            }
        }
    }
    if let Some(id) = o.ns_sort {
        if std::fs::metadata(format!("/proc/{}/ns/{}", std::process::id(), NS_NAMES[id])).is_err() {
            eprintln!("procfs file for {} namespace not available", NS_NAMES[id]);
            return Ok(ExitCode::FAILURE);
        }
    }
    let (highlight, bold) = match resolve_highlight(&o) {
        Ok(h) => h,
        Err(code) => return Ok(code),
    };
    let width = (!o.long).then(output_width);
    let (mut tree, failed) = Tree::build(&o, width)?;
    // The highlighted process and its ancestors.
    let mut at = u32::try_from(highlight)
        .ok()
        .filter(|&p| p != 0)
        .and_then(|p| tree.index.get(&p).copied());
    let mut steps = 0;
    while let Some(i) = at {
        tree.nodes[i].highlight = true;
        at = tree.nodes[i].parent;
        steps += 1;
        if steps > tree.nodes.len() {
            break;
        }
    }
    // -s with a pid: each ancestor keeps only the child on the way to it, and
    // the tree is drawn from pid 1.
    if o.show_parents && o.target.is_some() && user.is_none() {
        let Some(&start) = tree.index.get(&root_pid) else {
            eprintln!("Process {root_pid} not found.");
            return Ok(ExitCode::FAILURE);
        };
        let mut at = start;
        let mut steps = 0;
        while let Some(parent) = tree.nodes[at].parent {
            tree.nodes[parent].children = vec![at];
            at = parent;
            steps += 1;
            if steps > tree.nodes.len() {
                break;
            }
        }
        root_pid = 1;
    }
    // Roots: the pid asked for, or each topmost process of the user.
    let mut roots = Vec::new();
    match user {
        None => roots.extend(tree.index.get(&root_pid).copied()),
        Some(uid) => {
            let mut stack = vec![(tree.index[&1], 0usize)];
            while let Some((i, d)) = stack.pop() {
                if tree.nodes[i].uid == uid && !tree.nodes[i].thread {
                    roots.push(i);
                } else if d < 512 {
                    stack.extend(tree.nodes[i].children.iter().rev().map(|&c| (c, d + 1)));
                }
            }
            if roots.is_empty() {
                eprintln!("No processes found.");
                return Ok(ExitCode::FAILURE);
            }
        }
    }
    if o.json {
        let v: Vec<Value> = roots.iter().map(|&r| tree.to_json(r, 0)).collect();
        match (o.target.is_some() && user.is_none(), v.first()) {
            (true, Some(one)) => print_json(one)?,
            (true, None) => {
                eprintln!("pskit: no process with pid {root_pid}");
                return Ok(ExitCode::FAILURE);
            }
            _ => print_json(&v)?,
        }
        return Ok(ExitCode::SUCCESS);
    }
    let ns_groups: Option<Vec<(u64, Vec<usize>)>> = o.ns_sort.map(|id| {
        // -N: one tree per namespace, in the order met from pid 1 down, each
        // under its inode; a process whose namespace differs from its parent's
        // starts a tree there (and leaves its parent's).
        let mut groups: Vec<(u64, Vec<usize>)> = Vec::new();
        let mut stack = vec![(tree.index[&1], 0usize)];
        let mut nodes = tree
            .nodes
            .iter()
            .map(|n| n.children.clone())
            .collect::<Vec<_>>();
        while let Some((i, depth)) = stack.pop() {
            let n = &tree.nodes[i];
            let moved = n.parent.is_none_or(|p| tree.nodes[p].ns[id] != n.ns[id]);
            if moved {
                match groups.iter_mut().find(|(ino, _)| *ino == n.ns[id]) {
                    Some((_, list)) => list.push(i),
                    None => groups.push((n.ns[id], vec![i])),
                }
                if let Some(p) = n.parent {
                    nodes[p].retain(|&c| c != i);
                }
            }
            if depth < 512 {
                stack.extend(n.children.iter().rev().map(|&c| (c, depth + 1)));
            }
        }
        for (node, kids) in tree.nodes.iter_mut().zip(nodes) {
            node.children = kids;
        }
        groups
    });
    let utf8 = o.utf8.unwrap_or_else(default_utf8);
    let mut p = Printer {
        tree: &tree,
        o: &o,
        sym: if utf8 { &UTF8 } else { &ASCII },
        out: Out {
            text: String::new(),
            x: 1,
            width,
        },
        widths: Vec::new(),
        more: Vec::new(),
        bold,
    };
    if let Some(groups) = &ns_groups {
        for (ino, list) in groups {
            // psmisc's 14-byte buffer: at most 13 characters, counted as printed.
            let header: String = format!("[{ino}]\n").chars().take(13).collect();
            p.out.s(&header);
            for &r in list {
                p.dump(r, 0, 1, true, true, 0, 0);
            }
        }
        {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            if out.write_all(p.out.text.as_bytes()).is_err() {
                return Ok(ExitCode::FAILURE);
            }
        }
        return Ok(crate::proc_common::unless_failed(ExitCode::SUCCESS, failed));
    }
    for (k, &r) in roots.iter().enumerate() {
        if k > 0 {
            p.out.text.push('\n');
        }
        p.dump(
            r,
            0,
            1,
            true,
            true,
            if user.is_some() { tree.nodes[r].uid } else { 0 },
            0,
        );
    }
    {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        if out.write_all(p.out.text.as_bytes()).is_err() {
            return Ok(ExitCode::FAILURE);
        }
    }
    // A process that exists but could not be read was reported: status 1.
    Ok(crate::proc_common::unless_failed(ExitCode::SUCCESS, failed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn args_as_psmisc_counts_them() {
        assert_eq!(set_args(&s(&["sh", "x"]), None), Some(s(&["x", ""])));
        assert_eq!(set_args(&s(&["sleep"]), None), Some(s(&[""])));
        assert_eq!(set_args(&[], None), None);
        assert_eq!(set_args(&s(&["ab", "cdef"]), Some(6)), Some(s(&["cd"])));
    }

    #[test]
    fn options() {
        let o = parse(&s(&["-pa", "12"])).unwrap();
        assert!(o.pids && o.args && !o.compact);
        assert_eq!(o.target.as_deref(), Some("12"));
        assert!(parse(&s(&["-Q"])).is_none());
        let o = parse(&s(&["-gsZhN", "pid", "-H7", "--ns-sort=uts", "1"])).unwrap();
        assert!(o.pgids && o.show_parents && o.scontext && o.compact);
        assert_eq!(o.ns_sort, Some(6));
        assert_eq!(o.highlight, [Highlight::All, Highlight::Pid("7".into())]);
        assert!(parse(&s(&["-N", "bogus"])).is_none());
        assert!(parse(&s(&["-N"])).is_none());
        assert!(parse(&s(&["--highlight-pid"])).is_none());
        assert_eq!(out_int(0), "");
        assert!(parse(&s(&["1", "2"])).is_none());
        assert_eq!(comm("a_very_long_process_name"), "a_very_long_pro");
    }
}
