//! `pskit pmap [-x|-X|-XX] [-q] PID...`: the memory maps of processes, laid out
//! as procps `pmap` / `pmap -x` (psutil `memory_maps(grouped=False)`
//! underneath) and `pmap -X` / `-XX` (every smaps field, as the kernel lists
//! them).

use std::process::ExitCode;

use crate::fmt::{print_json, printable, CmdResult};
use crate::proc_common::outln;

/// Arguments of `pskit pmap`.
#[derive(clap::Args)]
pub struct Args {
    /// The processes.
    #[arg(required = true, value_name = "PID")]
    pids: Vec<String>,
    /// Extended format: Kbytes, RSS and Dirty columns.
    #[arg(short = 'x', long = "extended")]
    extended: bool,
    /// Every smaps field but the page sizes, the clean/dirty split,
    /// AnonHugePages and VmFlags; given twice (-XX), every field.
    #[arg(short = 'X', action = clap::ArgAction::Count)]
    all_fields: u8,
    /// No column header and no totals.
    #[arg(short = 'q', long = "quiet")]
    quiet: bool,
    /// Print psutil's memory_maps(grouped=False) entries as JSON.
    #[arg(long)]
    json: bool,
}

/// procps's Mode: `r-xp` becomes `r-x--`, a shared `r--s` becomes `r--s-`.
fn mode(perms: &str) -> String {
    let b = perms.as_bytes();
    let at = |i: usize, c: u8| if b.get(i) == Some(&c) { c as char } else { '-' };
    format!(
        "{}{}{}{}-",
        at(0, b'r'),
        at(1, b'w'),
        at(2, b'x'),
        at(3, b's')
    )
}

/// procps's Mapping: a file's basename, `  [ stack ]`, or `  [ anon ]`.
fn mapping(path: &str) -> String {
    if path == "[stack]" {
        "  [ stack ]".into()
    } else if path.is_empty() || path.starts_with('[') {
        "  [ anon ]".into()
    } else {
        printable(path.rsplit('/').next().unwrap_or(path)).into_owned()
    }
}

fn start(addr: &str) -> String {
    format!("{:0>16}", addr.split('-').next().unwrap_or(""))
}

/// One process; false when it could not be read (after the header line, as
/// procps prints it for a process it may not read).
fn one(pid: u32, args: &Args, json: &mut Vec<serde_json::Value>, xs: &mut XState) -> Option<bool> {
    let p = pskit::Process::new(pid).ok()?;
    let cmd = p
        .cmdline()
        .ok()
        .filter(|c| !c.is_empty())
        .map(|c| c.join(" "))
        .unwrap_or_else(|| format!("[{}]", p.name().unwrap_or_default()));
    if !args.json {
        outln!("{pid}:   {}", printable(&cmd));
    }
    if args.all_fields > 0 && !args.json {
        let path = pskit::Root::current().proc().join(format!("{pid}/smaps"));
        return Some(
            match pskit::fs::with_text_large(&path, |t| {
                Ok(smaps_table(t, args.all_fields > 1, args.quiet, xs))
            }) {
                Ok(Ok(text)) => {
                    if let Some(body) = text.strip_suffix('\n') {
                        crate::proc_common::emit(body.to_string());
                    }
                    true
                }
                Ok(Err(e)) => {
                    eprintln!("{}: {e}", crate::fmt::prog("pmap"));
                    false
                }
                Err(_) => false,
            },
        );
    }
    let Ok(maps) = p.memory_maps_ext() else {
        return Some(false);
    };
    if args.json {
        json.push(serde_json::json!({ "pid": pid, "maps": maps }));
        return Some(true);
    }
    let kb = |b: u64| b / 1024;
    let (mut size, mut rss, mut dirty) = (0u64, 0u64, 0u64);
    if args.extended && !args.quiet {
        outln!("Address           Kbytes     RSS   Dirty Mode  Mapping");
    }
    for m in &maps {
        // Values come from the kernel (or a root's files): totals saturate rather
        // than wrap or panic.
        let d = m.shared_dirty.saturating_add(m.private_dirty);
        size = size.saturating_add(m.size);
        rss = rss.saturating_add(m.rss);
        dirty = dirty.saturating_add(d);
        if args.extended {
            outln!(
                "{} {:>7} {:>7} {:>7} {} {}",
                start(&m.addr),
                kb(m.size),
                kb(m.rss),
                kb(d),
                mode(&m.perms),
                mapping(&m.path)
            );
        } else {
            outln!(
                "{} {:>6}K {} {}",
                start(&m.addr),
                kb(m.size),
                mode(&m.perms),
                mapping(&m.path)
            );
        }
    }
    if !args.quiet {
        if args.extended {
            outln!("---------------- ------- ------- ------- ");
            outln!(
                "{:<16} {:>7} {:>7} {:>7}",
                "total kB",
                kb(size),
                kb(rss),
                kb(dirty)
            );
        } else {
            outln!(" total {:>16}K", kb(size));
        }
    }
    Some(true)
}

/// The smaps fields `pmap -X` leaves out (`-XX` shows them).
fn unimportant(field: &str) -> bool {
    matches!(
        field,
        "AnonHugePages"
            | "KernelPageSize"
            | "MMUPageSize"
            | "Shared_Dirty"
            | "Private_Dirty"
            | "Shared_Clean"
            | "Private_Clean"
            | "VmFlags"
    )
}

/// One mapping of smaps: its header fields, its name and its detail values
/// in the kernel's order.
struct Smap<'a> {
    start: &'a str,
    perms: &'a str,
    offset: &'a str,
    dev: &'a str,
    inode: &'a str,
    name: &'a str,
    details: Vec<(&'a str, &'a str)>,
    vmflags: Option<String>,
}

/// A detail line, `Rss:   4 kB` or `THPeligible:   0`: its name and digits.
fn detail(line: &str) -> Option<(&str, &str)> {
    let (name, rest) = line.split_once(':')?;
    let rest = rest.trim_start();
    let n = rest.bytes().take_while(u8::is_ascii_digit).count();
    // Kernel field names have no blanks; a mapping line has.
    let word = !name.is_empty() && name.len() < 32 && !name.contains([' ', '\t']);
    (n > 0 && n <= 20 && word).then(|| (name, &rest[..n]))
}

/// Parses smaps as procps pmap reads it.
fn parse_smaps(text: &str) -> Result<Vec<Smap<'_>>, String> {
    let unknown = || "Unknown format in smaps file!".to_string();
    let mut out: Vec<Smap> = Vec::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let mut f = line.splitn(5, ' ');
        let range = f.next().ok_or_else(unknown)?;
        let (start, end) = range.split_once('-').ok_or_else(unknown)?;
        let hex =
            |v: &str| !v.is_empty() && v.len() <= 20 && v.bytes().all(|b| b.is_ascii_hexdigit());
        if !hex(start) || !hex(end) {
            return Err(unknown());
        }
        let perms = f.next().filter(|p| !p.is_empty()).ok_or_else(unknown)?;
        let offset = f.next().filter(|o| hex(o)).ok_or_else(unknown)?;
        let dev = f.next().filter(|d| !d.is_empty()).ok_or_else(unknown)?;
        let rest = f.next().unwrap_or("").trim_start();
        let (inode, name) = match rest.split_once(' ') {
            Some((i, n)) => (i, n.trim_start()),
            None => (rest, ""),
        };
        if inode.is_empty() {
            return Err(unknown());
        }
        let mut m = Smap {
            start,
            perms,
            offset,
            dev,
            inode,
            name,
            details: Vec::new(),
            vmflags: None,
        };
        while let Some(d) = lines.peek().and_then(|l| detail(l)) {
            m.details.push(d);
            lines.next();
        }
        if let Some(flags) = lines.peek().and_then(|l| l.strip_prefix("VmFlags:")) {
            m.vmflags = Some(flags.trim().to_string());
            lines.next();
        }
        if let Some(prev) = out.first() {
            if !prev
                .details
                .iter()
                .map(|d| d.0)
                .eq(m.details.iter().map(|d| d.0))
            {
                return Err(format!(
                    "ERROR: inconsistent detail field in smaps file, line:\n{line}"
                ));
            }
        }
        out.push(m);
    }
    Ok(out)
}

/// What `pmap -X` carries from one process to the next, as procps 4.0.2
/// does: the detail columns (the first process's), their widths, and their
/// totals, which keep adding up over the processes given (newer procps
/// resets them; Debian's 4.0.2 is the judge here).
#[derive(Default)]
struct XState {
    fields: Option<Vec<String>>,
    widths: Vec<usize>,
    totals: Vec<u64>,
}

/// `pmap -X` (or `-XX` with `all`): one column per smaps field, each as wide
/// as its name and its widest total, the five mapping columns as wide as
/// their widest value, then `====` rules and the totals in KB.
fn smaps_table(text: &str, all: bool, quiet: bool, st: &mut XState) -> Result<String, String> {
    use std::fmt::Write as _;
    let maps = parse_smaps(text)?;
    let shown = |f: &str| all || !unimportant(f);
    if let Some(first) = maps.first() {
        let names: Vec<String> = first
            .details
            .iter()
            .map(|d| d.0)
            .filter(|f| shown(f))
            .map(String::from)
            .collect();
        match &st.fields {
            None => {
                st.widths = names
                    .iter()
                    .map(|f| if quiet { 0 } else { f.len() })
                    .collect();
                st.totals = vec![0; names.len()];
                st.fields = Some(names);
            }
            Some(f) if *f != names => {
                return Err(format!(
                    "ERROR: inconsistent detail field in smaps file, line:\n{}",
                    first.start
                ));
            }
            Some(_) => {}
        }
    }
    let (mut w1, mut w2, mut w3, mut w4, mut w5, mut wv) = (0, 0, 0, 0, 0, 0);
    for m in &maps {
        w1 = w1.max(m.start.len());
        w2 = w2.max(m.perms.len());
        w3 = w3.max(m.offset.len());
        w4 = w4.max(m.dev.len());
        w5 = w5.max(m.inode.len());
        if let Some(v) = &m.vmflags {
            wv = wv.max(v.len());
        }
        for (i, (_, v)) in m.details.iter().filter(|d| shown(d.0)).enumerate() {
            st.totals[i] = st.totals[i].saturating_add(v.parse().unwrap_or(u64::MAX));
            if quiet {
                st.widths[i] = st.widths[i].max(v.len());
            }
        }
    }
    if !quiet && !maps.is_empty() {
        for (w, t) in st.widths.iter_mut().zip(&st.totals) {
            *w = (*w).max(t.to_string().len());
        }
    }
    let fields = st.fields.clone().unwrap_or_default();
    let vmflags = all && maps.iter().any(|m| m.vmflags.is_some());
    let mut out = String::new();
    if !quiet && !maps.is_empty() {
        fn head(out: &mut String, name: &str, w: &mut usize) {
            *w = (*w).max(name.len());
            let _ = write!(out, "{name:>w$} ", w = *w);
        }
        head(&mut out, "Address", &mut w1);
        head(&mut out, "Perm", &mut w2);
        head(&mut out, "Offset", &mut w3);
        head(&mut out, "Device", &mut w4);
        head(&mut out, "Inode", &mut w5);
        for (f, w) in fields.iter().zip(&st.widths) {
            let _ = write!(out, "{f:>w$} ");
        }
        if vmflags {
            head(&mut out, "VmFlags", &mut wv);
        }
        out.push_str("Mapping\n");
    }
    for m in &maps {
        let _ = write!(
            out,
            "{:>w1$} {:>w2$} {:>w3$} {:>w4$} {:>w5$}",
            m.start, m.perms, m.offset, m.dev, m.inode
        );
        for ((_, v), w) in m.details.iter().filter(|d| shown(d.0)).zip(&st.widths) {
            let _ = write!(out, " {v:>w$}");
        }
        if vmflags {
            let _ = write!(out, " {:>wv$}", m.vmflags.as_deref().unwrap_or(""));
        }
        let name = m.name.rsplit('/').next().unwrap_or(m.name);
        let _ = writeln!(out, " {}", printable(name));
    }
    if !quiet && !fields.is_empty() {
        let gap = " ".repeat(w1 + w2 + w3 + w4 + w5 + 5);
        out.push_str(&gap);
        for w in &st.widths {
            let _ = write!(out, "{} ", "=".repeat(*w));
        }
        out.push('\n');
        out.push_str(&gap);
        for (t, w) in st.totals.iter().zip(&st.widths) {
            let _ = write!(out, "{t:>w$} ");
        }
        out.push_str("KB \n");
    }
    Ok(out)
}

/// Runs `pskit pmap`: status 1 when a process could not be read or a pid is not
/// a number, 42 (as procps) when a pid names no process.
pub fn run(args: Args) -> CmdResult {
    let mut pids = Vec::new();
    for t in &args.pids {
        match t.parse::<u32>() {
            Ok(p) if p > 0 => pids.push(p),
            _ => {
                eprintln!("{}: invalid process id: {t}", crate::fmt::prog("pmap"));
                return Ok(ExitCode::FAILURE);
            }
        }
    }
    let mut json = Vec::new();
    let mut xs = XState::default();
    let (mut shown, mut failed) = (0, false);
    for &pid in &pids {
        match one(pid, &args, &mut json, &mut xs) {
            None => {}
            Some(ok) => {
                shown += 1;
                failed |= !ok;
            }
        }
    }
    if args.json {
        // One pid: its list of maps, as before; several: [{pid, maps}].
        if pids.len() == 1 {
            match json.pop() {
                Some(v) => print_json(&v["maps"])?,
                None => print_json(&Vec::<()>::new())?,
            }
        } else {
            print_json(&json)?;
        }
    }
    Ok(if shown < pids.len() {
        ExitCode::from(42)
    } else if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_and_mappings() {
        assert_eq!(mode("r-xp"), "r-x--");
        assert_eq!(mode("r--s"), "r--s-");
        assert_eq!(mode("---p"), "-----");
        assert_eq!(mapping("/usr/lib/libc.so.6"), "libc.so.6");
        assert_eq!(mapping("[heap]"), "  [ anon ]");
        assert_eq!(mapping("[stack]"), "  [ stack ]");
        assert_eq!(mapping(""), "  [ anon ]");
    }

    const SMAPS: &str = "\
55c238ab5000-55c238ab7000 r--p 00000000 fe:00 247774                     /usr/bin/sleep
Size:                  8 kB
KernelPageSize:        4 kB
Rss:                   8 kB
Private_Clean:         8 kB
THPeligible:    0
VmFlags: rd mr mw me dw sd
7ffd1000-7ffd3000 rw-p 00000000 00:00 0                          [stack]
Size:                132 kB
KernelPageSize:        4 kB
Rss:                  16 kB
Private_Clean:         0 kB
THPeligible:    1
VmFlags: rd wr mr mw me gd ac
";

    #[test]
    fn smaps_tables() {
        assert_eq!(
            smaps_table(SMAPS, false, false, &mut XState::default()).unwrap(),
            "     Address Perm   Offset Device  Inode Size Rss THPeligible Mapping\n\
             55c238ab5000 r--p 00000000  fe:00 247774    8   8           0 sleep\n\
             \x20   7ffd1000 rw-p 00000000  00:00      0  132  16           1 [stack]\n\
             \x20                                        ==== === =========== \n\
             \x20                                         140  24           1 KB \n"
        );
        let xx = smaps_table(SMAPS, true, false, &mut XState::default()).unwrap();
        assert!(xx.starts_with("     Address Perm   Offset Device  Inode Size KernelPageSize Rss Private_Clean THPeligible              VmFlags Mapping\n"), "{xx}");
        assert!(xx.contains(" rd mr mw me dw sd sleep\n"), "{xx}");
        let q = smaps_table(SMAPS, false, true, &mut XState::default()).unwrap();
        assert!(!q.contains("Address") && !q.contains("KB"), "{q}");
    }

    #[test]
    fn smaps_garbage_is_an_error_not_a_panic() {
        for bad in [
            "x",
            "1-2",
            "zz-1 r--p 0 0:0 0",
            "1-2 r--p 00 fe:00",
            "1-2 r--p 00 fe:00 1\nRss: 1 kB\n3-4 r--p 00 fe:00 1\nPss: 1 kB\n",
        ] {
            assert!(
                smaps_table(bad, false, false, &mut XState::default()).is_err(),
                "{bad}"
            );
        }
        let huge = "1-2 r--p 00 fe:00 1\nRss: 99999999999999999999 kB\n3-4 r--p 00 fe:00 1\nRss: 99999999999999999999 kB\n";
        assert!(smaps_table(huge, false, false, &mut XState::default()).is_ok());
        assert_eq!(
            smaps_table("", false, false, &mut XState::default()).unwrap(),
            ""
        );
    }
}
