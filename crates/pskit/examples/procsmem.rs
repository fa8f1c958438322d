//! Each process's real memory use (USS, PSS, swap), smallest first: psutil's
//! `scripts/procsmem.py`, ported.
//!
//! ```text
//! $ cargo run -p pskit --example procsmem
//! PID     User        USS     PSS    Swap     RSS Cmdline
//! ==============================================================================
//! 1       root       4.3M    5.1M            9.2M /sbin/init
//! ```
//!
//! It shows the bare [`pskit::process::processes`] (psutil's `process_iter()`)
//! with one `oneshot` per process, and telling AccessDenied from a process
//! that is gone.

use pskit::process::Attr;

/// procsmem.py's own bytes2human: no decimal below 1 KiB.
fn convert_bytes(n: u64) -> String {
    const SYMBOLS: [char; 8] = ['K', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'];
    for (i, s) in SYMBOLS.iter().enumerate().rev() {
        let prefix = 1u128 << ((i + 1) * 10);
        if u128::from(n) >= prefix {
            return format!("{:.1}{s}", n as f64 / prefix as f64);
        }
    }
    format!("{n}B")
}

struct Row {
    pid: u32,
    uss: u64,
    pss: u64,
    swap: u64,
    rss: u64,
    info: pskit::ProcessInfo,
}

fn main() -> pskit::Result<()> {
    let mut ad_pids = Vec::new();
    let mut procs = Vec::new();
    for p in pskit::process::processes()? {
        let read = p.oneshot(|p| {
            let mem = p.memory_full_info()?;
            let info = p.as_dict([Attr::Cmdline, Attr::Username])?;
            Ok::<_, pskit::Error>((mem, info))
        });
        match read {
            Ok((mem, info)) => {
                if mem.uss == 0 {
                    continue;
                }
                procs.push(Row {
                    pid: p.pid(),
                    uss: mem.uss,
                    pss: mem.pss,
                    swap: mem.swap,
                    rss: mem.rss,
                    info,
                });
            }
            Err(e) if e.is_access_denied() => ad_pids.push(p.pid()),
            Err(e) if e.is_no_such_process() => {}
            Err(e) => return Err(e),
        }
    }
    procs.sort_by_key(|r| r.uss);
    let templ = |c: [&str; 7]| {
        format!(
            "{:<7} {:<7} {:>7} {:>7} {:>7} {:>7} {:>7}",
            c[0], c[1], c[2], c[3], c[4], c[5], c[6]
        )
    };
    println!(
        "{}",
        templ(["PID", "User", "USS", "PSS", "Swap", "RSS", "Cmdline"])
    );
    println!("{}", "=".repeat(78));
    for r in procs.iter().take(86) {
        let cmd = match r.info.cmdline.get() {
            Some(c) if !c.is_empty() => c.join(" ").chars().take(50).collect(),
            _ => String::new(),
        };
        let user: String = r
            .info
            .username
            .get()
            .map(|u| u.chars().take(7).collect())
            .unwrap_or_default();
        let blank_if_zero = |n: u64| {
            if n == 0 {
                String::new()
            } else {
                convert_bytes(n)
            }
        };
        println!(
            "{}",
            templ([
                &r.pid.to_string(),
                &user,
                &convert_bytes(r.uss),
                &blank_if_zero(r.pss),
                &blank_if_zero(r.swap),
                &convert_bytes(r.rss),
                &cmd,
            ])
        );
    }
    if !ad_pids.is_empty() {
        println!("warning: access denied for {} pids", ad_pids.len());
    }
    Ok(())
}
