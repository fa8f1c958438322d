//! `pskit pmap [-x] PID`: the memory maps of a process, like `pmap` / `pmap -x`,
//! with RSS, PSS and swap per mapping (psutil `memory_maps(grouped=False)`).

use std::process::ExitCode;

use crate::fmt::{print_json, CmdResult};
use crate::proc_common;
use crate::proc_common::outln;

/// Arguments of `pskit pmap`.
#[derive(clap::Args)]
pub struct Args {
    /// The process.
    pid: u32,
    /// Extended format: RSS, PSS, dirty and swap columns.
    #[arg(short = 'x', long = "extended")]
    extended: bool,
    /// Print psutil's memory_maps(grouped=False) entries as JSON.
    #[arg(long)]
    json: bool,
}

/// Runs `pskit pmap`.
pub fn run(args: Args) -> CmdResult {
    let p = match proc_common::open(args.pid) {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let maps = match p.memory_maps_ext() {
        Ok(m) => m,
        Err(e) => return Ok(proc_common::fail(args.pid, &e)),
    };
    if args.json {
        print_json(&maps)?;
        return Ok(ExitCode::SUCCESS);
    }
    let cmd = p
        .cmdline()
        .ok()
        .filter(|c| !c.is_empty())
        .map(|c| c.join(" "));
    outln!(
        "{}:   {}",
        args.pid,
        cmd.unwrap_or_else(|| p.name().unwrap_or_default())
    );
    let kb = |b: u64| b / 1024;
    let start = |addr: &str| format!("{:0>16}", addr.split('-').next().unwrap_or(""));
    let (mut size, mut rss, mut pss, mut dirty, mut swap) = (0u64, 0u64, 0u64, 0u64, 0u64);
    if args.extended {
        outln!(
            "{:<16} {:>8} {:>8} {:>8} {:>8} {:>8} {:<5} Mapping",
            "Address",
            "Kbytes",
            "RSS",
            "PSS",
            "Dirty",
            "Swap",
            "Mode"
        );
    }
    for m in &maps {
        // Values come from the kernel (or a root's files): totals saturate rather
        // than wrap or panic.
        let d = m.shared_dirty.saturating_add(m.private_dirty);
        size = size.saturating_add(m.size);
        rss = rss.saturating_add(m.rss);
        pss = pss.saturating_add(m.pss);
        dirty = dirty.saturating_add(d);
        swap = swap.saturating_add(m.swap);
        if args.extended {
            outln!(
                "{} {:>8} {:>8} {:>8} {:>8} {:>8} {:<5} {}",
                start(&m.addr),
                kb(m.size),
                kb(m.rss),
                kb(m.pss),
                kb(d),
                kb(m.swap),
                m.perms,
                m.path
            );
        } else {
            outln!(
                "{} {:>7}K {:<5} {}",
                start(&m.addr),
                kb(m.size),
                m.perms,
                m.path
            );
        }
    }
    if args.extended {
        outln!("---------------- -------- -------- -------- -------- --------");
        outln!(
            "total kB         {:>8} {:>8} {:>8} {:>8} {:>8}",
            kb(size),
            kb(rss),
            kb(pss),
            kb(dirty),
            kb(swap)
        );
    } else {
        outln!(" total {:>16}K", kb(size));
    }
    Ok(ExitCode::SUCCESS)
}
