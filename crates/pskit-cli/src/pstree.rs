//! `pskit pstree [PID]`: the process tree from each process's ppid (psutil's
//! scripts/pstree.py).

use std::collections::BTreeMap;
use std::process::ExitCode;

use serde_json::{json, Value};

use crate::fmt::{print_json, CmdResult};
use crate::proc_common::outln;

/// Arguments of `pskit pstree`.
#[derive(clap::Args)]
pub struct Args {
    /// The root of the tree (default: every process without a listed parent).
    pid: Option<u32>,
    /// Print the tree as nested JSON objects {pid, name, children}.
    #[arg(long)]
    json: bool,
}

struct Tree {
    names: BTreeMap<u32, String>,
    kids: BTreeMap<u32, Vec<u32>>,
}

impl Tree {
    fn to_json(&self, pid: u32, depth: usize) -> Value {
        let children: Vec<Value> = if depth > 512 {
            Vec::new()
        } else {
            self.kids
                .get(&pid)
                .into_iter()
                .flatten()
                .map(|&c| self.to_json(c, depth + 1))
                .collect()
        };
        json!({ "pid": pid, "name": self.names.get(&pid), "children": children })
    }

    fn print(&self, pid: u32, prefix: &str, last: bool, top: bool, depth: usize) {
        let name = self.names.get(&pid).map(String::as_str).unwrap_or("?");
        if top {
            outln!("{name}({pid})");
        } else {
            outln!("{prefix}{}{name}({pid})", if last { "└─" } else { "├─" });
        }
        let kids = self.kids.get(&pid).map(Vec::as_slice).unwrap_or_default();
        let next = if top {
            String::new()
        } else {
            format!("{prefix}{}", if last { "  " } else { "│ " })
        };
        if depth > 512 {
            return;
        }
        for (i, &k) in kids.iter().enumerate() {
            self.print(k, &next, i + 1 == kids.len(), false, depth + 1);
        }
    }
}

/// Runs `pskit pstree`.
pub fn run(args: Args) -> CmdResult {
    let (procs, failed) = crate::proc_common::scan(&["name", "ppid"])?;
    let mut tree = Tree {
        names: BTreeMap::new(),
        kids: BTreeMap::new(),
    };
    for p in &procs {
        tree.names
            .insert(p.pid(), p.name.clone().unwrap_or_default());
    }
    let mut roots = Vec::new();
    for p in &procs {
        match p.ppid.value() {
            Some(pp) if pp != p.pid() && tree.names.contains_key(&pp) => {
                tree.kids.entry(pp).or_default().push(p.pid())
            }
            _ => roots.push(p.pid()),
        }
    }
    if let Some(pid) = args.pid {
        if !tree.names.contains_key(&pid) {
            eprintln!("pskit: no process with pid {pid}");
            return Ok(ExitCode::FAILURE);
        }
        roots = vec![pid];
    }
    if args.json {
        let v: Vec<Value> = roots.iter().map(|&r| tree.to_json(r, 0)).collect();
        if args.pid.is_some() {
            print_json(&v[0])?;
        } else {
            print_json(&v)?;
        }
    } else {
        for r in roots {
            tree.print(r, "", true, true, 0);
        }
    }
    Ok(crate::proc_common::unless_failed(ExitCode::SUCCESS, failed))
}
