//! The rows the table shows, in order: filtered, sorted, and laid out as a tree
//! when asked. Rebuilt only when the data or a setting changes.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use super::columns::{Column, IoRate};
use super::model::ProcRow;

/// What decides which rows show and in which order.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// The columns shown, left to right.
    pub columns: Vec<Column>,
    /// The sort column.
    pub sort: Column,
    /// Largest first.
    pub descending: bool,
    /// Tree view (children under their parent, by ppid).
    pub tree: bool,
    /// Incremental filter: case-insensitive substrings of the name or command
    /// line, `|` separating alternatives (htop).
    pub filter: String,
    /// Only this user's processes.
    pub user: Option<String>,
    /// Only these pids (`-p`); empty means all.
    pub pids: Vec<u32>,
    /// Show kernel threads.
    pub show_kernel: bool,
    /// Show full command lines instead of names.
    pub full_cmd: bool,
    /// Only processes doing I/O (iotop `-o`).
    pub only_active: bool,
    /// The memory summary's unit as a power of 1024 (2: MiB, top's `-E`).
    pub mem_scale: u32,
    /// Batch lines cut at this many columns (top's `-w`).
    pub width: Option<usize>,
    /// One row per thread (top's `-H`): the summary counts "Threads:".
    pub threads: bool,
}

impl Settings {
    /// top's defaults: every top column, %CPU descending, kernel threads shown.
    pub fn top() -> Settings {
        Settings {
            columns: super::columns::TOP_DEFAULT.to_vec(),
            sort: Column::Cpu,
            descending: true,
            tree: false,
            filter: String::new(),
            user: None,
            pids: Vec::new(),
            show_kernel: true,
            full_cmd: false,
            only_active: false,
            mem_scale: 2,
            width: None,
            threads: false,
        }
    }

    /// iotop's defaults: I/O columns, sorted by read rate, full commands.
    pub fn iotop() -> Settings {
        Settings {
            columns: super::columns::IOTOP_DEFAULT.to_vec(),
            // iotop's order: the busiest first, reading or writing.
            sort: Column::IoRate,
            descending: true,
            full_cmd: true,
            ..Settings::top()
        }
    }

    /// Sorts by `col`, in its natural direction; choosing the current column again
    /// inverts the order (htop's header click).
    pub fn sort_by(&mut self, col: Column) {
        if self.sort == col {
            self.descending = !self.descending;
        } else {
            self.sort = col;
            self.descending = col.descending_by_default();
        }
    }
}

/// One line of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ViewRow {
    /// Index into the snapshot's rows.
    pub idx: usize,
    /// Tree depth (0 outside tree view).
    pub depth: u16,
    /// Last child of its parent (tree view).
    pub last: bool,
    /// Has visible children (tree view).
    pub has_children: bool,
    /// Bit d set: the ancestor at depth d+1 has siblings below, so draw a "│".
    pub guides: u64,
}

/// True when `hay` contains `needle` ignoring ASCII case (`needle` lowercase).
fn contains_ci(hay: &str, needle: &str) -> bool {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    n.is_empty() || h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

/// htop's filter: any `|`-separated alternative found in the name or an argument.
pub fn matches_filter(row: &ProcRow, filter_lower: &str) -> bool {
    filter_lower.split('|').map(str::trim).any(|alt| {
        alt.is_empty()
            || contains_ci(&row.name, alt)
            || row.cmdline.iter().any(|a| contains_ci(a, alt))
    })
}

/// Whether a row passes every filter of `s`.
pub fn visible(s: &Settings, filter_lower: &str, row: &ProcRow, io: IoRate) -> bool {
    (s.show_kernel || !row.is_kernel_thread)
        && s.user.as_deref().is_none_or(|u| row.user == u)
        && (s.pids.is_empty() || s.pids.contains(&row.tgid))
        && (!s.only_active || io.active())
        && (filter_lower.is_empty() || matches_filter(row, filter_lower))
}

fn compare(s: &Settings, rows: &[ProcRow], io: &[IoRate], a: usize, b: usize) -> Ordering {
    let o = s.sort.compare(&rows[a], io[a], &rows[b], io[b]);
    let o = if s.descending { o.reverse() } else { o };
    o.then(rows[a].pid.cmp(&rows[b].pid))
}

/// Computes the table's lines into `out` (reusing its allocation).
pub fn build(
    s: &Settings,
    rows: &[ProcRow],
    io: &[IoRate],
    collapsed: &HashSet<u32>,
    out: &mut Vec<ViewRow>,
) {
    out.clear();
    let filter = s.filter.to_lowercase();
    let mut idx: Vec<usize> = (0..rows.len())
        .filter(|&i| visible(s, &filter, &rows[i], io[i]))
        .collect();
    idx.sort_by(|&a, &b| compare(s, rows, io, a, b));
    if !s.tree {
        out.extend(idx.into_iter().map(|idx| ViewRow {
            idx,
            depth: 0,
            last: false,
            has_children: false,
            guides: 0,
        }));
        return;
    }
    tree(rows, &idx, collapsed, out);
}

/// Lays the sorted rows `idx` out as a forest by ppid: a row whose parent is not
/// shown is a root. Siblings keep the sort order. Ppid cycles cannot loop.
fn tree(rows: &[ProcRow], idx: &[usize], collapsed: &HashSet<u32>, out: &mut Vec<ViewRow>) {
    let shown: HashMap<u32, usize> = idx.iter().map(|&i| (rows[i].pid, i)).collect();
    let mut children: HashMap<u32, Vec<usize>> = HashMap::new();
    let mut roots = Vec::new();
    for &i in idx {
        let r = &rows[i];
        if r.ppid != r.pid && shown.contains_key(&r.ppid) {
            children.entry(r.ppid).or_default().push(i);
        } else {
            roots.push(i);
        }
    }
    let mut done = vec![false; rows.len()];
    // (row, depth, last, guides, hidden under a collapsed node), pushed in
    // reverse so that pops keep the order.
    let mut stack: Vec<(usize, u16, bool, u64, bool)> = Vec::new();
    let push_all = |stack: &mut Vec<_>, list: &[usize], depth: u16, guides: u64, hidden| {
        for (n, &c) in list.iter().enumerate().rev() {
            stack.push((c, depth, n + 1 == list.len(), guides, hidden));
        }
    };
    push_all(&mut stack, &roots, 0, 0, false);
    loop {
        let Some((i, depth, last, guides, hidden)) = stack.pop() else {
            // Rows only reachable through a ppid cycle: show them as roots.
            match idx.iter().find(|&&i| !done[i]) {
                Some(&i) => {
                    stack.push((i, 0, true, 0, false));
                    continue;
                }
                None => break,
            }
        };
        if done[i] {
            continue;
        }
        done[i] = true;
        let pid = rows[i].pid;
        let kids = children.get(&pid).map(Vec::as_slice).unwrap_or(&[]);
        let kids_left: Vec<usize> = kids.iter().copied().filter(|&k| !done[k]).collect();
        if !hidden {
            out.push(ViewRow {
                idx: i,
                depth,
                last,
                has_children: !kids_left.is_empty(),
                guides,
            });
        }
        let mut g = guides;
        if depth > 0 && !last && depth <= 64 {
            g |= 1 << (depth - 1);
        }
        let hide = hidden || collapsed.contains(&pid);
        push_all(&mut stack, &kids_left, depth.saturating_add(1), g, hide);
    }
}

/// htop's tree prefix for a row: guides, a branch, and `+` when collapsed.
pub fn push_tree_prefix(v: &ViewRow, collapsed: bool, out: &mut String) {
    for d in 1..v.depth {
        let continues = d <= 64 && v.guides & (1 << (d - 1)) != 0;
        out.push_str(if continues { "│  " } else { "   " });
    }
    if v.depth > 0 {
        out.push_str(if v.last { "└─" } else { "├─" });
        out.push(if collapsed && v.has_children {
            '+'
        } else {
            ' '
        });
    } else if collapsed && v.has_children {
        out.push_str("+ ");
    }
}

#[cfg(test)]
mod tests {
    use super::super::testdata;
    use super::*;

    fn order(s: &Settings, rows: &[ProcRow]) -> Vec<u32> {
        let io = vec![IoRate::default(); rows.len()];
        let mut out = Vec::new();
        build(s, rows, &io, &HashSet::new(), &mut out);
        out.iter().map(|v| rows[v.idx].pid).collect()
    }

    #[test]
    fn default_sort_is_cpu_descending_then_pid() {
        let rows = testdata::rows();
        assert_eq!(
            order(&Settings::top(), &rows),
            [301, 300, 400, 1, 2, 3, 100, 200, 401]
        );
    }

    #[test]
    fn sort_by_same_column_inverts() {
        let rows = testdata::rows();
        let mut s = Settings::top();
        s.sort_by(Column::Pid);
        assert_eq!(order(&s, &rows)[..3], [1, 2, 3]);
        s.sort_by(Column::Pid);
        assert_eq!(order(&s, &rows)[..3], [401, 400, 301]);
    }

    #[test]
    fn filter_alternatives_and_case() {
        let rows = testdata::rows();
        let mut s = Settings::top();
        s.filter = "VIM|nginx".into();
        assert_eq!(order(&s, &rows), [300, 400, 401]);
        s.filter = "--flag".into();
        assert_eq!(
            order(&s, &rows).len(),
            7,
            "matches the command line, not kernel threads"
        );
    }

    #[test]
    fn user_pid_and_kernel_filters() {
        let rows = testdata::rows();
        let mut s = Settings::top();
        s.user = Some("alice".into());
        assert_eq!(order(&s, &rows), [301, 300, 200]);
        s.user = None;
        s.pids = vec![1, 401];
        assert_eq!(order(&s, &rows), [1, 401]);
        s.pids.clear();
        s.show_kernel = false;
        assert!(!order(&s, &rows).iter().any(|p| *p == 2 || *p == 3));
    }

    #[test]
    fn tree_nests_by_ppid_with_guides() {
        let rows = testdata::rows();
        let mut s = Settings::top();
        s.tree = true;
        s.sort_by(Column::Pid);
        let io = vec![IoRate::default(); rows.len()];
        let mut out = Vec::new();
        build(&s, &rows, &io, &HashSet::new(), &mut out);
        let lines: Vec<String> = out
            .iter()
            .map(|v| {
                let mut p = String::new();
                push_tree_prefix(v, false, &mut p);
                p + &rows[v.idx].name
            })
            .collect();
        assert_eq!(
            lines,
            [
                "init",
                "├─ sshd",
                "│  └─ bash",
                "│     ├─ vim",
                "│     └─ make",
                "└─ nginx",
                "   └─ nginx",
                "kthreadd",
                "└─ kworker/0:1",
            ]
        );
    }

    #[test]
    fn collapsed_subtree_is_hidden_and_marked() {
        let rows = testdata::rows();
        let mut s = Settings::top();
        s.tree = true;
        s.sort_by(Column::Pid);
        let io = vec![IoRate::default(); rows.len()];
        let mut out = Vec::new();
        build(&s, &rows, &io, &HashSet::from([100]), &mut out);
        let pids: Vec<u32> = out.iter().map(|v| rows[v.idx].pid).collect();
        assert_eq!(pids, [1, 100, 400, 401, 2, 3]);
        let mut p = String::new();
        push_tree_prefix(&out[1], true, &mut p);
        assert_eq!(p, "├─+");
    }

    #[test]
    fn ppid_cycles_do_not_loop() {
        let mut rows = vec![
            testdata::row(10, 11, "a", "x"),
            testdata::row(11, 10, "a", "y"),
            testdata::row(12, 12, "a", "z"),
        ];
        rows[0].cpu_percent = 1.0;
        let mut s = Settings::top();
        s.tree = true;
        let got = order(&s, &rows);
        assert_eq!(got.len(), 3);
    }
}
