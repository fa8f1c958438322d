//! `pskit pmap [-x] [-q] PID...`: the memory maps of processes, laid out as procps
//! `pmap` / `pmap -x` (psutil `memory_maps(grouped=False)` underneath).

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
fn one(pid: u32, args: &Args, json: &mut Vec<serde_json::Value>) -> Option<bool> {
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
    let (mut shown, mut failed) = (0, false);
    for &pid in &pids {
        match one(pid, &args, &mut json) {
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
}
