//! Prints the process list as a tree, like `ps aux --forest` or `pstree`.
//!
//! Port of psutil's `scripts/pstree.py`: it maps each parent pid to its
//! children with [`pskit::Process::ppid`] over all processes, then prints the
//! tree from the lowest parent pid (0 on Linux, whose name cannot be read: `?`).
//!
//! ```text
//! $ cargo run -p pskit --example pstree
//! 0 ?
//! |- 1 init
//! | |- 289 cgmanager
//! | |- 978 avahi-daemon
//! | | `_ 979 avahi-daemon
//! | `_ 993 polkitd
//! `_ 2 kthreadd
//! ...
//! ```

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::process::ExitCode;

/// Children pids by parent pid, in pid order.
type Tree = BTreeMap<u32, Vec<u32>>;

fn print_tree(out: &mut impl Write, parent: u32, tree: &Tree, indent: &str) -> io::Result<()> {
    let name = pskit::Process::new(parent)
        .and_then(|p| p.name())
        .unwrap_or_else(|_| "?".into());
    writeln!(out, "{parent} {name}")?;
    let Some((last, children)) = tree.get(&parent).and_then(|c| c.split_last()) else {
        return Ok(());
    };
    for &child in children {
        write!(out, "{indent}|- ")?;
        print_tree(out, child, tree, &format!("{indent}| "))?;
    }
    write!(out, "{indent}`_ ")?;
    print_tree(out, *last, tree, &format!("{indent}  "))
}

fn main() -> ExitCode {
    let procs = match pskit::process::processes() {
        Ok(procs) => procs,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let mut tree = Tree::new();
    for p in procs {
        // Processes gone since the scan (or zombies) are left out.
        if let Ok(ppid) = p.ppid() {
            tree.entry(ppid).or_default().push(p.pid());
        }
    }
    // On systems supporting PID 0, PID 0's parent is usually 0.
    if let Some(children) = tree.get_mut(&0) {
        children.retain(|&pid| pid != 0);
    }
    let Some(&root) = tree.keys().next() else {
        eprintln!("ValueError: min() iterable argument is empty");
        return ExitCode::FAILURE;
    };
    match print_tree(&mut io::stdout().lock(), root, &tree, "") {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
