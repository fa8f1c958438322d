//! `pskit pstree [PID|USER]`: the process tree, drawn as psmisc `pstree` draws it:
//! the tree under pid 1 by default (so kernel threads, children of pid 0, stay
//! hidden), children sorted by name (`-n`: by pid), identical subtrees folded
//! into `N*[name]` (`-c` keeps them apart), threads as `{name}` (`-T` hides
//! them), `-p` pids, `-a` arguments, `-u` uid changes, ASCII or UTF-8 line
//! drawing as psmisc chooses (`-A`, `-U`), lines cut at the terminal's width
//! (`-l` keeps them whole).

use std::collections::HashMap;
use std::process::ExitCode;

use serde_json::{json, Value};

use crate::fmt::{print_json, printable, CmdResult};

/// Arguments of `pskit pstree` (read by hand, getopt-style, as psmisc does).
#[derive(clap::Args)]
#[command(disable_help_flag = true)]
pub struct Args {
    /// `[-aAclnpTuU] [--json] [PID | USER]`
    #[arg(
        num_args = 0..,
        allow_hyphen_values = true,
        trailing_var_arg = true,
        value_name = "ARGS"
    )]
    args: Vec<String>,
}

const USAGE: &str = "Usage: pstree [-aAclnpTuU] [ PID | USER ]

Display a tree of processes.

  -a, --arguments     show command line arguments
  -A, --ascii         use ASCII line drawing characters
  -c, --compact-not   don't compact identical subtrees
  -l, --long          don't truncate long lines
  -n, --numeric-sort  sort output by PID
  -p, --show-pids     show PIDs; implies -c
  -T, --hide-threads  hide threads, show only processes
  -u, --uid-changes   show uid transitions
  -U, --unicode       use UTF-8 (Unicode) line drawing characters
      --json          print the tree as nested JSON objects {pid, name, children}

  PID    start at this PID; default is 1 (init)
  USER   show only trees rooted at processes of this user
";

/// psmisc's line-drawing pieces: empty, branch, vertical, last, single, first.
struct Symbols([&'static str; 6]);

const ASCII: Symbols = Symbols(["  ", "|-", "| ", "`-", "---", "-+-"]);
const UTF8: Symbols = Symbols(["  ", "├─", "│ ", "└─", "───", "─┬─"]);

#[derive(Default)]
struct Opts {
    args: bool,
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
    for w in words {
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
            "--hide-threads" => o.hide_threads = true,
            "--uid-changes" => o.uid_changes = true,
            "--unicode" => o.utf8 = Some(true),
            s if s.starts_with("--") => return None,
            s => {
                for c in s[1..].chars() {
                    match c {
                        'a' => o.args = true,
                        'A' => o.utf8 = Some(false),
                        'c' => o.compact = false,
                        'l' => o.long = true,
                        'n' => o.by_pid = true,
                        'p' => {
                            o.pids = true;
                            o.compact = false;
                        }
                        'T' => o.hide_threads = true,
                        'u' => o.uid_changes = true,
                        'U' => o.utf8 = Some(true),
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
                let ti = tree.add(Node {
                    pid: t.id,
                    comm: tname.clone(),
                    uid,
                    argv: Some(Vec::new()),
                    thread: true,
                    children: Vec::new(),
                });
                parent_of.push((ti, p.pid()));
            }
        }
        // Parents that are gone become "?" placeholders; parentless processes
        // (but 0 and 1) hang under pid 1, as psmisc's fix_orphans does.
        for &(_, ppid) in &parent_of.clone() {
            if !tree.index.contains_key(&ppid) {
                let i = tree.add(Node {
                    pid: ppid,
                    comm: "?".into(),
                    uid: 0,
                    argv: Some(Vec::new()),
                    thread: false,
                    children: Vec::new(),
                });
                if ppid != 0 && ppid != 1 {
                    parent_of.push((i, 1));
                }
            }
        }
        if !tree.index.contains_key(&1) {
            tree.add(Node {
                pid: 1,
                comm: "?".into(),
                uid: 0,
                argv: Some(Vec::new()),
                thread: false,
                children: Vec::new(),
            });
        }
        for (child, ppid) in parent_of {
            if tree.nodes[child].pid == 0 {
                continue;
            }
            let parent = tree.index[&ppid];
            tree.nodes[parent].children.push(child);
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
}

struct Printer<'a> {
    tree: &'a Tree,
    o: &'a Opts,
    sym: &'a Symbols,
    out: Out,
    widths: Vec<usize>,
    more: Vec<bool>,
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
                for _ in 0..pad {
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
            self.out.s(&node.pid.to_string());
        }
        if self.o.uid_changes && prev_uid != node.uid {
            self.out.ch(if info { ',' } else { '(' });
            info = true;
            let user = pskit_user_name(node.uid);
            self.out.s(&user);
        }
        if (args && no_cmdline) || (!args && info) {
            self.out.ch(')');
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
        if args || node.children.is_empty() {
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
        if args {
            self.widths[level] = if comm_len > 1 { 1 } else { 0 };
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
        self.widths[level] = (comm_len + self.out.x + add).saturating_sub(offset);
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
    let width = (!o.long).then(output_width);
    let (tree, failed) = Tree::build(&o, width)?;
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
    };
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
        assert!(parse(&s(&["1", "2"])).is_none());
        assert_eq!(comm("a_very_long_process_name"), "a_very_long_pro");
    }
}
