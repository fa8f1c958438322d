//! `pskit df`: filesystem space like `df -h`, from `disk_partitions` and
//! `disk_usage` (and the inode extension `disk_usage_inodes` for `-i`).
//!
//! Rows are psutil's notion of a physical partition (`disk_partitions(false)`:
//! filesystems backed by a device); `-a` lists every mount. Sizes round up, as df
//! does.

use std::process::ExitCode;

use serde::Serialize;

use crate::fmt::{print_json, CmdResult};

/// Arguments of `pskit df`.
#[derive(clap::Args)]
pub struct Args {
    /// Show the filesystems holding these files only.
    files: Vec<String>,
    /// Include every mount (pseudo, duplicate and inaccessible filesystems).
    #[arg(short, long)]
    all: bool,
    /// Show the filesystem type.
    #[arg(short = 'T', long = "print-type")]
    print_type: bool,
    /// Show inode counts instead of space.
    #[arg(short, long)]
    inodes: bool,
    /// Sizes in powers of 1024 (1K 234M 2G): the default for space.
    #[arg(short = 'h', long = "human-readable")]
    human: bool,
    /// Sizes in powers of 1000 (1.1k 234M 2.1G).
    #[arg(short = 'H', long = "si")]
    si: bool,
    /// Scale sizes by SIZE (e.g. 1K, 4096, 1MB) and show them as block counts.
    #[arg(short = 'B', long = "block-size", value_name = "SIZE")]
    block_size: Option<String>,
    /// Like --block-size=1K.
    #[arg(short = 'k')]
    kib: bool,
    /// Like --block-size=1M.
    #[arg(short = 'm')]
    mib: bool,
    /// Print JSON (sizes in bytes) instead of a table.
    #[arg(long)]
    json: bool,
    /// Print help.
    #[arg(long, action = clap::ArgAction::Help)]
    help: Option<bool>,
}

/// How numbers are shown.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Units {
    /// Autoscaled with a suffix, in powers of 1024 or 1000.
    Human(u64),
    /// Counts of blocks of this many bytes (1 for raw inode counts).
    Blocks(u64),
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
fn blocks_title(size: u64) -> String {
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
            return format!("{n}{s}{sfx}-blocks");
        }
    }
    format!("{size}B-blocks")
}

fn show(n: u64, units: Units) -> String {
    match units {
        Units::Human(base) => human(n, base),
        Units::Blocks(size) => n.div_ceil(size).to_string(),
    }
}

/// df's Use%: used / (used + available), rounded up; "-" when both are 0.
fn use_percent(used: u64, avail: u64) -> String {
    let denom = u128::from(used) + u128::from(avail);
    if denom == 0 {
        return "-".into();
    }
    format!("{}%", (u128::from(used) * 100).div_ceil(denom))
}

/// One row of the table, also its JSON form.
#[derive(Serialize)]
struct Row {
    device: String,
    mountpoint: String,
    fstype: String,
    total: u64,
    used: u64,
    free: u64,
    percent: f64,
}

/// The partitions to show: all of them, or the one mounted deepest above each file.
fn select(args: &Args) -> pskit::Result<Vec<pskit::DiskPartition>> {
    let parts = pskit::disk_partitions(args.all || !args.files.is_empty())?;
    if args.files.is_empty() {
        return Ok(parts);
    }
    let mut out = Vec::new();
    for f in &args.files {
        let path = std::fs::canonicalize(f).map_err(|e| pskit::Error::Io {
            path: f.into(),
            source: e,
        })?;
        let best = parts
            .iter()
            .filter(|p| path.starts_with(&p.mountpoint))
            .max_by_key(|p| p.mountpoint.len());
        if let Some(p) = best {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn units(args: &Args) -> Result<Units, String> {
    if let Some(b) = &args.block_size {
        return crate::num::parse_block_size(b)
            .map(Units::Blocks)
            .ok_or_else(|| format!("invalid block size: {b:?}"));
    }
    Ok(if args.kib {
        Units::Blocks(1024)
    } else if args.mib {
        Units::Blocks(1024 * 1024)
    } else if args.si {
        Units::Human(1000)
    } else if args.inodes && !args.human {
        Units::Blocks(1)
    } else {
        Units::Human(1024)
    })
}

/// Runs `pskit df`.
pub fn run(args: Args) -> CmdResult {
    let units = match units(&args) {
        Ok(u) => u,
        Err(msg) => {
            eprintln!("pskit: {msg}");
            return Ok(ExitCode::from(2));
        }
    };
    let mut failed = false;
    let mut rows = Vec::new();
    for p in select(&args)? {
        let usage = if args.inodes {
            pskit::disk_usage_inodes(&p.mountpoint).map(|i| (i.total, i.used, i.free, i.percent))
        } else {
            pskit::disk_usage(&p.mountpoint).map(|u| (u.total, u.used, u.free, u.percent))
        };
        match usage {
            Ok((total, used, free, percent)) => rows.push(Row {
                device: p.device,
                mountpoint: p.mountpoint,
                fstype: p.fstype,
                total,
                used,
                free,
                percent,
            }),
            Err(e) => {
                eprintln!("pskit: {}: {e}", p.mountpoint);
                failed = true;
            }
        }
    }
    if args.json {
        print_json(&rows)?;
    } else {
        print_table(&args, units, &rows);
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn print_table(args: &Args, units: Units, rows: &[Row]) {
    let titles: [String; 4] = if args.inodes {
        ["Inodes", "IUsed", "IFree", "IUse%"].map(String::from)
    } else {
        match units {
            Units::Human(_) => ["Size", "Used", "Avail", "Use%"].map(String::from),
            Units::Blocks(size) => [
                blocks_title(size),
                "Used".into(),
                "Available".into(),
                "Use%".into(),
            ],
        }
    };
    let mut table: Vec<Vec<String>> = vec![];
    let mut head = vec!["Filesystem".to_string()];
    if args.print_type {
        head.push("Type".into());
    }
    head.extend(titles);
    head.push("Mounted on".into());
    table.push(head);
    for r in rows {
        let dev = if r.device.is_empty() {
            "none".to_string()
        } else {
            r.device.clone()
        };
        let mut line = vec![dev];
        if args.print_type {
            line.push(r.fstype.clone());
        }
        let pct = if args.inodes && r.total == 0 {
            "-".into()
        } else {
            use_percent(r.used, r.free)
        };
        line.extend([
            show(r.total, units),
            show(r.used, units),
            show(r.free, units),
            pct,
        ]);
        line.push(r.mountpoint.clone());
        table.push(line);
    }
    let ncols = table[0].len();
    let widths: Vec<usize> = (0..ncols)
        .map(|c| {
            table
                .iter()
                .map(|row| row[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let text_cols = if args.print_type { 2 } else { 1 };
    for row in &table {
        let mut out = String::new();
        for (c, cell) in row.iter().enumerate() {
            if c == ncols - 1 {
                out.push_str(cell);
            } else if c < text_cols {
                out.push_str(&format!("{cell:<w$} ", w = widths[c]));
            } else {
                out.push_str(&format!("{cell:>w$} ", w = widths[c]));
            }
        }
        println!("{}", out.trim_end());
    }
}

#[cfg(test)]
mod tests {
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
        assert_eq!(blocks_title(1024), "1K-blocks");
        assert_eq!(blocks_title(4096), "4K-blocks");
        assert_eq!(blocks_title(1 << 20), "1M-blocks");
        assert_eq!(blocks_title(1000), "1kB-blocks");
        assert_eq!(blocks_title(1), "1B-blocks");
        assert_eq!(blocks_title(1500), "1500B-blocks");
    }

    #[test]
    fn use_percent_rounds_up() {
        assert_eq!(use_percent(13_500_219_392, 84_072_529_920), "14%");
        assert_eq!(use_percent(0, 5), "0%");
        assert_eq!(use_percent(0, 0), "-");
        assert_eq!(use_percent(1, 999), "1%");
    }
}
