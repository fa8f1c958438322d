//! The curses scripts of psutil 7.2.2 (`scripts/{cpu_distribution,nettop,top,
//! iotop}.py`) against their ports in `examples/`: each runs in a detached tmux
//! session of the same size, the first complete screen of each is captured with
//! its attributes, and the two are compared line by line.
//!
//! What moves between two runs is blanked: figures (each checked against the
//! script's format and column layout, so a wrong width or number format still
//! fails), bars (their length checked against their percentage, their colour
//! against the script's thresholds), process names and rows whose order
//! depends on live activity (each row's layout checked). Everything else is
//! compared as is: labels, headers, the number of lines and their kinds, column
//! positions, and the attributes of every cell (reverse, bold, colours;
//! foreground colour and bold on blanks are invisible and ignored). Finally
//! Ctrl-C must end each port with status 0, off the alternate screen.

mod common;

use std::path::PathBuf;
use std::process::{Child, Command, Output};
use std::thread::sleep;
use std::time::{Duration, Instant};

/// How long a program may take to draw its first screen (a loaded CI runner,
/// Python importing psutil).
const DEADLINE: Duration = Duration::from_secs(90);

// ---------------------------------------------------------------------------
// tmux

/// A tmux server of its own (`tmux -L`), killed on drop, with one session
/// running `cmd` in a `width` × `height` window.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(socket: &str, cmd: &str, width: u16, height: u16) -> Tmux {
        let t = Tmux {
            socket: format!("pskit-{socket}-{}", std::process::id()),
        };
        let _ = t.run(&["kill-server"]);
        // The pane says how the program ended and stays open for the capture.
        let shell = format!("env TERM=xterm-256color {cmd}; echo \"[exited $?]\"; sleep 600");
        let out = t.run(&[
            "new-session",
            "-d",
            "-s",
            "main",
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
            &shell,
        ]);
        assert!(
            out.status.success(),
            "tmux new-session failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        t
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .output()
            .expect("tmux must be installed (the README's test command installs it)")
    }

    /// The pane's screen, with attributes.
    fn capture(&self) -> Vec<Line> {
        let out = self.run(&["capture-pane", "-p", "-e", "-N", "-t", "main"]);
        // The attributes carry over from one line to the next.
        let mut cur = Attr::default();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| parse_line(l, &mut cur))
            .collect()
    }

    fn send_keys(&self, keys: &str) {
        self.run(&["send-keys", "-t", "main", keys]);
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

/// A cell's visible attributes, from the SGR sequences of `capture-pane -e`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Attr {
    /// Palette index (0-255); tmux keeps `\e[32m` and `\e[38;5;2m` apart,
    /// they are the same colour.
    fg: Option<u8>,
    bg: Option<u8>,
    bold: bool,
    reverse: bool,
    /// Any other SGR attribute (dim, italic, underline, …), by its code.
    other: u32,
}

#[derive(Clone, Debug)]
struct Line {
    text: String,
    attrs: Vec<Attr>,
}

fn parse_line(raw: &str, cur: &mut Attr) -> Line {
    let mut text = String::new();
    let mut attrs = Vec::new();
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\x1b' {
            text.push(c);
            // Blanks show no foreground and no boldness.
            let shown = if c == ' ' {
                Attr {
                    fg: None,
                    bold: false,
                    ..*cur
                }
            } else {
                *cur
            };
            attrs.push(shown);
            continue;
        }
        if chars.peek() != Some(&'[') {
            chars.next();
            continue;
        }
        chars.next();
        let mut params = String::new();
        let mut last = ' ';
        for p in chars.by_ref() {
            if p.is_ascii_alphabetic() || p == '~' {
                last = p;
                break;
            }
            params.push(p);
        }
        if last != 'm' {
            continue;
        }
        let codes: Vec<u32> = params
            .split([';', ':'])
            .map(|p| p.parse().unwrap_or(0))
            .collect();
        let mut i = 0;
        while i < codes.len() {
            match codes[i] {
                0 => *cur = Attr::default(),
                1 => cur.bold = true,
                22 => cur.bold = false,
                7 => cur.reverse = true,
                27 => cur.reverse = false,
                n @ 30..=37 => cur.fg = Some((n - 30) as u8),
                n @ 90..=97 => cur.fg = Some((n - 90 + 8) as u8),
                39 => cur.fg = None,
                n @ 40..=47 => cur.bg = Some((n - 40) as u8),
                n @ 100..=107 => cur.bg = Some((n - 100 + 8) as u8),
                49 => cur.bg = None,
                n @ (38 | 48) if codes.get(i + 1) == Some(&5) => {
                    let v = codes.get(i + 2).copied().unwrap_or(0) as u8;
                    if n == 38 {
                        cur.fg = Some(v);
                    } else {
                        cur.bg = Some(v);
                    }
                    i += 2;
                }
                n if n < 32 => cur.other |= 1 << n,
                _ => cur.other |= 1 << 31,
            }
            i += 1;
        }
    }
    Line { text, attrs }
}

impl Line {
    fn trimmed(&self) -> &str {
        self.text.trim_end()
    }

    /// The attributes as runs: "0-119 reverse bold", "" when all plain.
    fn style(&self) -> String {
        let mut runs = Vec::new();
        let mut start = 0;
        for i in 1..=self.attrs.len() {
            if i == self.attrs.len() || self.attrs[i] != self.attrs[start] {
                if self.attrs[start] != Attr::default() {
                    runs.push(format!("{}-{} {:?}", start, i - 1, self.attrs[start]));
                }
                start = i;
            }
        }
        runs.join(", ")
    }

    /// The line's text and attributes, compared as they are.
    fn literal(&self) -> String {
        format!("{} |{}|", self.trimmed(), self.style())
    }

    /// All visible characters have foreground `fg` and nothing else.
    fn all_fg(&self, fg: u8) -> bool {
        self.text.chars().zip(&self.attrs).all(|(c, a)| {
            c == ' '
                || *a
                    == Attr {
                        fg: Some(fg),
                        ..Attr::default()
                    }
        })
    }
}

// ---------------------------------------------------------------------------
// The two programs

fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test's path");
    let path = exe
        .parent()
        .and_then(|deps| deps.parent())
        .map(|dir| dir.join("examples").join(name))
        .expect("the target directory");
    assert!(
        path.is_file(),
        "{} is missing: run `cargo test` (or `cargo build --examples`) to build the examples",
        path.display()
    );
    // `cargo test --test scripts_tui_vs_psutil` alone does not rebuild them.
    let source = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("examples/{name}.rs"));
    let modified = |p: &PathBuf| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    assert!(
        modified(&path) >= modified(&source),
        "{} is older than its source: run `cargo test` (or `cargo build --examples`)",
        path.display()
    );
    path
}

/// Processes of our own that sleep, so the process lists of top and iotop
/// (iotop, as a user, lists only that user's processes) always run past the
/// bottom of the screen: the number of rows shown then depends on the screen,
/// not on what else runs.
struct Sleepers(Vec<Child>);

impl Sleepers {
    fn spawn(n: usize) -> Sleepers {
        Sleepers(
            (0..n)
                .map(|_| {
                    Command::new("sleep")
                        .arg("600")
                        .spawn()
                        .expect("spawn sleep")
                })
                .collect(),
        )
    }
}

impl Drop for Sleepers {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Waits until the pane shows a complete screen (`complete`) that stays the
/// same, once normalised by `canon`, over two captures; returns it normalised.
fn first_screen(
    tmux: &Tmux,
    what: &str,
    complete: &dyn Fn(&[Line]) -> bool,
    canon: &dyn Fn(&[Line]) -> Vec<String>,
) -> Vec<String> {
    let start = Instant::now();
    let mut previous: Option<Vec<String>> = None;
    loop {
        let screen = tmux.capture();
        if complete(&screen) {
            let now = canon(&screen);
            if previous.as_ref() == Some(&now) {
                eprintln!("{what}: a complete screen after {:?}", start.elapsed());
                return now;
            }
            previous = Some(now);
        } else {
            previous = None;
        }
        if start.elapsed() > DEADLINE {
            let text: Vec<&str> = screen.iter().map(Line::trimmed).collect();
            panic!(
                "{what}: no complete screen after {DEADLINE:?}; the pane shows:\n{}",
                text.join("\n")
            );
        }
        sleep(Duration::from_millis(150));
    }
}

/// Runs the script and the port side by side and compares their screens.
fn compare(
    name: &str,
    width: u16,
    height: u16,
    complete: &dyn Fn(&[Line]) -> bool,
    canon: &dyn Fn(&[Line]) -> Vec<String>,
) {
    let script = common::psutil_scripts().join(format!("{name}.py"));
    let port = example(name);
    let py = Tmux::start(
        &format!("{name}-py"),
        &format!("python3 {}", script.display()),
        width,
        height,
    );
    let rs = Tmux::start(
        &format!("{name}-rs"),
        &port.display().to_string(),
        width,
        height,
    );
    let want = first_screen(&py, &format!("{name}.py"), complete, canon);
    let got = first_screen(&rs, &format!("examples/{name}"), complete, canon);
    drop(py);
    for (i, (w, g)) in want.iter().zip(&got).enumerate() {
        assert_eq!(
            w, g,
            "{name}: line {i} differs\nscript: {w}\nport:   {g}\nscript's screen:\n{}\nport's screen:\n{}",
            want.join("\n"),
            got.join("\n")
        );
    }
    assert_eq!(
        want.len(),
        got.len(),
        "{name}: line count\nscript's screen:\n{}\nport's screen:\n{}",
        want.join("\n"),
        got.join("\n")
    );

    // Ctrl-C ends the port cleanly: status 0, the alternate screen left.
    rs.send_keys("C-c");
    let start = Instant::now();
    loop {
        let screen = rs.capture();
        if screen.iter().any(|l| l.trimmed() == "[exited 0]") {
            eprintln!(
                "examples/{name}: ended by Ctrl-C after {:?}",
                start.elapsed()
            );
            break;
        }
        let text: Vec<&str> = screen.iter().map(Line::trimmed).collect();
        assert!(
            start.elapsed() < DEADLINE,
            "examples/{name} did not end with status 0 on Ctrl-C; the pane shows:\n{}",
            text.join("\n")
        );
        sleep(Duration::from_millis(100));
    }
}

// ---------------------------------------------------------------------------
// Figures, as psutil's scripts print them

/// `bytes2human()`: "0.0B", "12.5K", "-3.0M".
fn is_bytes(s: &str) -> bool {
    s.strip_suffix(['B', 'K', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'])
        .is_some_and(|n| is_float(n.strip_prefix('-').unwrap_or(n), 1))
}

/// `digits` decimals, as `%.Nf` or str() of a float rounded to N.
fn is_float(s: &str, digits: usize) -> bool {
    s.split_once('.').is_some_and(|(i, f)| {
        is_int(i) && f.len() == digits && f.bytes().all(|b| b.is_ascii_digit())
    })
}

fn is_int(s: &str) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Splits off `n` blank-separated words; the rest (without leading blanks).
fn words(s: &str, n: usize) -> Option<(Vec<&str>, &str)> {
    let mut rest = s;
    let mut out = Vec::new();
    for _ in 0..n {
        rest = rest.trim_start();
        let end = rest.find(' ').unwrap_or(rest.len());
        if end == 0 {
            return None;
        }
        out.push(&rest[..end]);
        rest = &rest[end..];
    }
    Some((out, rest.trim_start()))
}

/// A line that failed its check, shown in full.
fn bad(kind: &str, l: &Line) -> String {
    format!("BAD {kind}: {}", l.literal())
}

// ---------------------------------------------------------------------------
// The four scripts

#[test]
fn nettop_vs_psutil() {
    let nics = pskit::net_io_counters_pernic(true).unwrap().len();
    // Room for every interface, and some.
    let height = (2 + 6 * nics + 4) as u16;
    let complete = move |s: &[Line]| {
        s.first()
            .is_some_and(|l| l.text.starts_with("total bytes:"))
            && s.iter().filter(|l| l.text.starts_with("pkts-recv")).count() == nics
    };
    compare("nettop", 80, height, &complete, &canon_nettop);
}

fn canon_nettop(s: &[Line]) -> Vec<String> {
    let mut out = Vec::new();
    let mut names = Vec::new();
    for l in s {
        let t = l.trimmed();
        let plain = l.style().is_empty();
        let kind = if let Some(rest) = t.strip_prefix("total bytes:           sent: ") {
            match words(rest, 1) {
                Some((v, tail)) if plain && is_bytes(v[0]) => {
                    let r = tail.strip_prefix("received: ").unwrap_or("");
                    let again =
                        format!("total bytes:           sent: {:<10}   received: {r}", v[0]);
                    (again == t && is_bytes(r)).then(|| "total bytes: <bytes> <bytes>".into())
                }
                _ => None,
            }
        } else if t.is_empty() {
            plain.then(String::new)
        } else if t.ends_with("TOTAL         PER-SEC") {
            let name = t.split(' ').next().unwrap_or("");
            names.push(name.to_string());
            let again = format!("{name:<15} {:>15} {:>15}", "TOTAL", "PER-SEC");
            let reverse = l.attrs.iter().all(|a| {
                *a == Attr {
                    reverse: true,
                    ..Attr::default()
                }
            });
            (again == t && reverse && l.attrs.len() == 80).then(|| "<nic> TOTAL PER-SEC".into())
        } else {
            match words(t, 3) {
                Some((w, "")) if plain => {
                    let ok = match w[0] {
                        "bytes-sent" | "bytes-recv" => {
                            is_bytes(w[1]) && w[2].strip_suffix("/s").is_some_and(is_bytes)
                        }
                        "pkts-sent" | "pkts-recv" => is_int(w[1]) && is_int(w[2]),
                        _ => false,
                    };
                    let again = format!("{:<15} {:>15} {:>15}", w[0], w[1], w[2]);
                    (ok && again == t).then(|| format!("{} <total> <per-sec>", w[0]))
                }
                _ => None,
            }
        };
        out.push(kind.unwrap_or_else(|| bad("line", l)));
    }
    names.sort();
    out.push(format!("interfaces: {names:?}"));
    out
}

#[test]
fn iotop_vs_psutil() {
    let _sleepers = Sleepers::spawn(40);
    let (width, height) = (120, 30);
    let complete = move |s: &[Line]| {
        s.first()
            .is_some_and(|l| l.text.starts_with("Total DISK READ:"))
            && s.len() == usize::from(height)
            && !s[usize::from(height) - 1].trimmed().is_empty()
    };
    compare("iotop", width, height, &complete, &canon_iotop);
}

fn canon_iotop(s: &[Line]) -> Vec<String> {
    let mut out = Vec::new();
    for (i, l) in s.iter().take(2).enumerate() {
        let t = l.trimmed();
        let kind = if i == 0 {
            t.strip_prefix("Total DISK READ: ")
                .and_then(|r| r.split_once(" | Total DISK WRITE: "))
                .filter(|(r, w)| l.style().is_empty() && is_bytes(r) && is_bytes(w))
                .map(|_| "Total DISK READ: <bytes> | Total DISK WRITE: <bytes>".to_string())
        } else {
            // The header is compared as it is, attributes included.
            Some(l.literal())
        };
        out.push(kind.unwrap_or_else(|| bad("line", l)));
    }
    out.extend(process_rows(s.get(2..).unwrap_or_default(), &|t| {
        let (w, command) = words(t, 4)?;
        let again = format!(
            "{:<5} {:<7} {:>11} {:>11}  {command}",
            w[0], w[1], w[2], w[3]
        );
        let ok = is_int(w[0]) && w[1].len() <= 7 && is_bytes(w[2]) && is_bytes(w[3]);
        (ok && again == t && !command.is_empty())
            .then(|| "<pid> <user> <read> <write>  <command>".to_string())
    }));
    out
}

/// The process rows at the bottom of a screen, each checked by `row`. As with
/// curses, a line longer than the screen wraps onto the rows under it, which
/// the next line then overwrites from the left; only the last line printed
/// (the one whose wrapping reached the bottom-right corner, where curses'
/// error ends the list) keeps its wrapped rows whole: the rows after the last
/// well-formed one are that line's text, and count as rows of it.
fn process_rows(rows: &[Line], row: &dyn Fn(&str) -> Option<String>) -> Vec<String> {
    let parsed: Vec<Option<String>> = rows
        .iter()
        .map(|l| row(l.trimmed()).filter(|_| l.style().is_empty()))
        .collect();
    let last = parsed.iter().rposition(Option::is_some);
    parsed
        .iter()
        .zip(rows)
        .enumerate()
        .map(|(j, (p, l))| match (p, last) {
            (Some(c), _) => c.clone(),
            (None, Some(k)) if j > k && l.style().is_empty() && !l.trimmed().is_empty() => {
                parsed[k].clone().unwrap_or_default()
            }
            _ => bad("row", l),
        })
        .collect()
}

#[test]
fn top_vs_psutil() {
    let _sleepers = Sleepers::spawn(40);
    let ncpu = pskit::cpu_count(true).unwrap() as usize;
    // The header, then twelve process rows.
    let height = (ncpu + 8 + 12) as u16;
    let complete = move |s: &[Line]| {
        s.first().is_some_and(|l| l.text.starts_with(" CPU0 "))
            && s.get(ncpu + 5).is_some_and(|l| l.text.starts_with("PID"))
            && s.len() == usize::from(height)
            && !s[usize::from(height) - 1].trimmed().is_empty()
    };
    compare("top", 120, height, &complete, &canon_top);
}

/// A bar line: `label [|||   ] perc%rest`, its bar as long as the percentage
/// says and its colour the script's (green ≤ 30, yellow ≤ 80, bright red).
fn bar_line(l: &Line, label: &str) -> Option<String> {
    let t = l.trimmed();
    let rest = t.strip_prefix(label)?.strip_prefix('[')?;
    let (bar, rest) = rest.split_at_checked(40)?;
    let rest = rest.strip_prefix("] ")?;
    let (perc, tail) = rest.split_at_checked(5)?;
    let tail = tail.strip_prefix('%')?;
    let p: f64 = perc.trim_start().parse().ok()?;
    if !is_float(perc.trim_start(), 1) {
        return None;
    }
    let dashes = (p / 10.0 * 4.0) as usize;
    if bar != format!("{}{}", "|".repeat(dashes), " ".repeat(40 - dashes.min(40))) {
        return None;
    }
    let colour = if p <= 30.0 {
        2
    } else if p <= 80.0 {
        3
    } else {
        9
    };
    if !l.all_fg(colour) {
        return None;
    }
    Some(format!("{label}[<bar>] <perc>%{tail}"))
}

fn canon_top(s: &[Line]) -> Vec<String> {
    let ncpu = pskit::cpu_count(true).unwrap() as usize;
    let mut out = Vec::new();
    for (i, l) in s.iter().enumerate() {
        let t = l.trimmed();
        let plain = l.style().is_empty();
        let kind = if i < ncpu {
            bar_line(l, &format!(" CPU{i:<2} "))
        } else if i == ncpu || i == ncpu + 1 {
            let label = if i == ncpu { " Mem   " } else { " Swap  " };
            bar_line(l, label).and_then(|b| {
                // "% {used:>6} / {total}"
                let tail = b.split_once('%')?.1;
                let (used, total) = tail.trim_start().split_once(" / ")?;
                let again = format!(" {used:>6} / {total}");
                (again == tail && is_bytes(used) && is_bytes(total))
                    .then(|| format!("{label}[<bar>] <perc>% <used> / <total>"))
            })
        } else if i == ncpu + 2 {
            // " Processes: 347 (sleeping=273, running=1, idle=73)", the
            // running and sleeping ones first, the counts adding up.
            t.strip_prefix(" Processes: ")
                .and_then(|r| r.split_once(" ("))
                .and_then(|(n, st)| {
                    let st = st.strip_suffix(')')?;
                    let mut sum = 0;
                    let mut others = false;
                    for kv in st.split(", ") {
                        let (k, v) = kv.split_once('=')?;
                        let first = k.starts_with("run") || k.starts_with("sle");
                        if first && others {
                            return None;
                        }
                        others |= !first;
                        sum += v.parse::<usize>().ok()?;
                    }
                    (plain && n.parse() == Ok(sum))
                        .then(|| " Processes: <n> (<status>=<n>, …)".to_string())
                })
        } else if i == ncpu + 3 {
            // " Load average: 1.10 1.28 1.34  Uptime: 8 days, 21:15:40"
            t.strip_prefix(" Load average: ")
                .and_then(|r| r.split_once("  Uptime: "))
                .and_then(|(avg, up)| {
                    let ok_avg =
                        avg.split(' ').count() == 3 && avg.split(' ').all(|a| is_float(a, 2));
                    let hms = match up.split_once(", ") {
                        Some((days, hms)) => {
                            let (n, unit) = days.split_once(' ')?;
                            let want = if n == "1" { "day" } else { "days" };
                            (is_int(n) && unit == want).then_some(hms)?
                        }
                        None => up,
                    };
                    let parts: Vec<&str> = hms.split(':').collect();
                    let ok_hms = parts.len() == 3
                        && is_int(parts[0])
                        && parts[1..].iter().all(|p| p.len() == 2 && is_int(p));
                    (plain && ok_avg && ok_hms)
                        .then(|| " Load average: <1> <5> <15>  Uptime: <uptime>".to_string())
                })
        } else if i == ncpu + 4 || i == ncpu + 5 {
            // The blank line and the header, as they are.
            Some(l.literal())
        } else {
            break;
        };
        out.push(kind.unwrap_or_else(|| bad("line", l)));
    }
    out.extend(process_rows(
        s.get(ncpu + 6..).unwrap_or_default(),
        &top_row,
    ));
    out
}

/// "5368   giampaol    0   7.2G   4.3G  41.8  27.7  56:34.18  VirtualBox"
fn top_row(t: &str) -> Option<String> {
    let (w, name) = words(t, 8)?;
    let again = format!(
        "{:<6} {:<8} {:>4} {:>6} {:>6} {:>5} {:>5} {:>9}  {name:>2}",
        w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]
    );
    let time_ok = w[7].split_once(':').is_some_and(|(m, s)| {
        is_int(m)
            && s.split_once('.').is_some_and(|(sec, us)| {
                sec.len() == 2 && is_int(sec) && (1..=2).contains(&us.len()) && is_int(us)
            })
    });
    let ok = is_int(w[0])
        && w[1].len() <= 8
        && is_int(w[2])
        && is_bytes(w[3])
        && is_bytes(w[4])
        && is_float(w[5], 1)
        && is_float(w[6], 1)
        && time_ok
        && !name.is_empty();
    (ok && again == t).then(|| "<pid> <user> <ni> <virt> <res> <cpu> <mem> <time>  <name>".into())
}

#[test]
fn cpu_distribution_vs_psutil() {
    let _sleepers = Sleepers::spawn(10);
    let (width, height) = (100, 20);
    let ncpu = (pskit::cpu_count(true).unwrap() as usize).min(8);
    // The script prints its lines one by one; the screen is complete when its
    // last line (the cursor's, under the rows) is there: the rows, up to it,
    // run out of names at the bottom when there are few processes.
    let complete = move |s: &[Line]| {
        s.first().is_some_and(|l| l.text.starts_with("CPU 0 ")) && s.len() == usize::from(height)
    };
    let canon = move |s: &[Line]| -> Vec<String> {
        s.iter()
            .enumerate()
            .map(|(i, l)| {
                let t = l.trimmed();
                let kind = match i {
                    // "CPU 0     CPU 1     …", as it is.
                    0 => Some(l.literal()),
                    // Each CPU's percentage, left-aligned on 10 columns.
                    1 => {
                        let fields: Vec<&str> = t.split_whitespace().collect();
                        let again: String = fields.iter().map(|f| format!("{f:<10}")).collect();
                        (fields.len() == ncpu
                            && fields.iter().all(|f| is_float(f, 1))
                            && again.trim_end() == t)
                            .then(|| "<percent>…".to_string())
                    }
                    // Up to five letters of a name per CPU, on 10 columns.
                    _ if i + 1 < s.len() => {
                        // Blank cells are blank whether written or not.
                        let mut chars: Vec<char> = l.text.chars().collect();
                        chars.resize(chars.len().max(10 * ncpu), ' ');
                        let ok = chars[10 * ncpu..].iter().all(|&c| c == ' ')
                            && (0..ncpu)
                                .all(|c| chars[c * 10 + 5..c * 10 + 10].iter().all(|&c| c == ' '));
                        ok.then(|| "<names>…".to_string())
                    }
                    // The cursor's line.
                    _ => Some(l.literal()),
                };
                kind.filter(|_| i == 0 || l.style().is_empty())
                    .unwrap_or_else(|| bad("line", l))
            })
            .collect()
    };
    compare("cpu_distribution", width, height, &complete, &canon);
}
