//! The monitor's state: the last snapshot, I/O rates, the view, the cursor, tags,
//! the open dialog. Input handlers change it; the renderer only reads it.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::time::Instant;

use super::columns::IoRate;
use super::dialogs::Dialog;
use super::model::{ProcRow, Snapshot, TaskCounts};
use super::view::{self, Settings, ViewRow};

/// Which monitor this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// pskit top.
    Top,
    /// pskit iotop.
    Iotop,
}

/// Where the table was last drawn, for the mouse.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TableGeometry {
    /// Row of the column labels.
    pub header_y: u16,
    /// First process row.
    pub first_row_y: u16,
    /// Number of process rows that fit.
    pub rows: u16,
    /// Each label's columns on screen: (start x, end x exclusive, index in `columns`).
    pub labels: Vec<(u16, u16, usize)>,
}

/// The whole state of a running monitor.
pub struct App {
    /// top or iotop.
    pub flavor: Flavor,
    /// What shows and in which order.
    pub settings: Settings,
    /// The last snapshot.
    pub snap: Snapshot,
    /// I/O rates, one per row of `snap.rows`.
    pub io: Vec<IoRate>,
    /// Sum of the known rates: (read, write) bytes per second.
    pub io_total: (f64, f64),
    /// The disks' own read and write rates (iotop's Current DISK line).
    pub io_current: Option<(f64, f64)>,
    prev_disk: Option<(u64, u64)>,
    prev_io: HashMap<u32, (Option<u64>, Option<u64>)>,
    prev_at: Option<Instant>,
    /// Task counts of the snapshot.
    pub counts: TaskCounts,
    /// The table's lines (valid after [`App::refresh_view`]).
    pub view: Vec<ViewRow>,
    view_dirty: bool,
    /// Cursor position in `view`.
    pub cursor: usize,
    /// The pid under the cursor; the cursor follows it across refreshes.
    pub selected_pid: Option<u32>,
    /// First view line shown.
    pub scroll: usize,
    /// Tagged pids (space).
    pub tagged: BTreeSet<u32>,
    /// Collapsed tree nodes.
    pub collapsed: HashSet<u32>,
    /// Incremental search text.
    pub search: String,
    /// Digits typed so far to jump to a pid (htop); cleared by any other key.
    pub pid_jump: String,
    /// No refresh while paused.
    pub paused: bool,
    /// The open dialog or input line.
    pub dialog: Dialog,
    /// A message for the status line (results of signals, errors).
    pub message: Option<String>,
    /// Set by q / F10.
    pub quit: bool,
    /// Where the table was drawn.
    pub geometry: TableGeometry,
}

impl App {
    /// A monitor with these settings and no data yet.
    pub fn new(flavor: Flavor, settings: Settings) -> App {
        App {
            flavor,
            settings,
            snap: Snapshot::empty(),
            io: Vec::new(),
            io_total: (0.0, 0.0),
            io_current: None,
            prev_disk: None,
            prev_io: HashMap::new(),
            prev_at: None,
            counts: TaskCounts::default(),
            view: Vec::new(),
            view_dirty: true,
            cursor: 0,
            selected_pid: None,
            scroll: 0,
            tagged: BTreeSet::new(),
            collapsed: HashSet::new(),
            search: String::new(),
            pid_jump: String::new(),
            paused: false,
            dialog: Dialog::None,
            message: None,
            quit: false,
            geometry: TableGeometry::default(),
        }
    }

    /// Takes a new snapshot: computes I/O rates against the previous one and
    /// marks the view for rebuilding.
    pub fn update(&mut self, snap: Snapshot) {
        let secs = self
            .prev_at
            .map(|p| snap.at.saturating_duration_since(p).as_secs_f64())
            .unwrap_or(0.0);
        let rate = |old: Option<u64>, new: Option<u64>| match (old, new) {
            (Some(o), Some(n)) if n >= o && secs > 0.0 => Some((n - o) as f64 / secs),
            _ => None,
        };
        self.io.clear();
        self.io_total = (0.0, 0.0);
        for r in &snap.rows {
            let io = match self.prev_io.get(&r.pid) {
                Some(&(pr, pw)) => IoRate {
                    read: rate(pr, r.read_bytes),
                    write: rate(pw, r.write_bytes),
                },
                None => IoRate::default(),
            };
            self.io_total.0 += io.read.unwrap_or(0.0);
            self.io_total.1 += io.write.unwrap_or(0.0);
            self.io.push(io);
        }
        self.prev_io.clear();
        self.prev_io.extend(
            snap.rows
                .iter()
                .map(|r| (r.pid, (r.read_bytes, r.write_bytes))),
        );
        self.io_current = match (self.prev_disk, snap.system.disk_bytes) {
            (Some((r0, w0)), Some((r1, w1))) if secs > 0.0 => Some((
                r1.saturating_sub(r0) as f64 / secs,
                w1.saturating_sub(w0) as f64 / secs,
            )),
            _ => None,
        };
        self.prev_disk = snap.system.disk_bytes;
        self.prev_at = Some(snap.at);
        self.counts = TaskCounts::of(&snap.rows);
        // Tags of processes that are gone must not hit a recycled pid later.
        self.tagged.retain(|p| self.prev_io.contains_key(p));
        self.snap = snap;
        self.view_dirty = true;
    }

    /// Marks the view for rebuilding after a settings change.
    pub fn invalidate(&mut self) {
        self.view_dirty = true;
    }

    /// Rebuilds the view if the data or a setting changed, keeping the cursor on
    /// the same process when it is still shown.
    pub fn refresh_view(&mut self) {
        if !self.view_dirty {
            return;
        }
        self.view_dirty = false;
        view::build(
            &self.settings,
            &self.snap.rows,
            &self.io,
            &self.collapsed,
            &mut self.view,
        );
        if let Some(pid) = self.selected_pid {
            if let Some(pos) = self
                .view
                .iter()
                .position(|v| self.snap.rows[v.idx].pid == pid)
            {
                self.cursor = pos;
            }
        }
        self.clamp_cursor();
    }

    fn clamp_cursor(&mut self) {
        self.cursor = self.cursor.min(self.view.len().saturating_sub(1));
        self.selected_pid = self
            .view
            .get(self.cursor)
            .map(|v| self.snap.rows[v.idx].pid);
    }

    /// The row of a view line.
    pub fn row(&self, v: &ViewRow) -> &ProcRow {
        &self.snap.rows[v.idx]
    }

    /// Moves the cursor by `delta` lines (clamped).
    pub fn move_cursor(&mut self, delta: isize) {
        self.refresh_view();
        let max = self.view.len().saturating_sub(1) as isize;
        self.cursor = (self.cursor as isize + delta).clamp(0, max.max(0)) as usize;
        self.clamp_cursor();
    }

    /// Puts the cursor on view line `pos` (clamped).
    pub fn set_cursor(&mut self, pos: usize) {
        self.refresh_view();
        self.cursor = pos;
        self.clamp_cursor();
    }

    /// Scrolls so that the cursor is within `page` lines from `scroll`.
    pub fn fit_scroll(&mut self, page: usize) {
        if page == 0 {
            return;
        }
        if self.cursor < self.scroll {
            self.scroll = self.cursor;
        } else if self.cursor >= self.scroll + page {
            self.scroll = self.cursor + 1 - page;
        }
        let max_scroll = self.view.len().saturating_sub(page);
        self.scroll = self.scroll.min(max_scroll);
    }

    /// The pids an action applies to: the tagged ones, else the selected one.
    pub fn targets(&self) -> Vec<u32> {
        if self.tagged.is_empty() {
            self.selected_pid.into_iter().collect()
        } else {
            self.tagged.iter().copied().collect()
        }
    }

    /// Moves the cursor to the next line (from the cursor, `skip_current` to start
    /// after it) whose name or command line contains the search text. Returns
    /// whether one was found.
    pub fn search_next(&mut self, skip_current: bool) -> bool {
        self.refresh_view();
        if self.search.is_empty() || self.view.is_empty() {
            return false;
        }
        let needle = self.search.to_lowercase();
        let n = self.view.len();
        let start = if skip_current { 1 } else { 0 };
        for k in start..n + start {
            let pos = (self.cursor + k) % n;
            if view::matches_filter(self.row(&self.view[pos]), &needle) {
                self.cursor = pos;
                self.clamp_cursor();
                return true;
            }
        }
        false
    }

    /// Adds a typed digit and moves the cursor to the first line whose pid
    /// starts with the digits typed so far.
    pub fn jump_to_pid(&mut self, digit: char) {
        self.refresh_view();
        self.pid_jump.push(digit);
        let prefix = self.pid_jump.as_str();
        let found = self
            .view
            .iter()
            .position(|v| self.snap.rows[v.idx].pid.to_string().starts_with(prefix));
        match found {
            Some(pos) => self.set_cursor(pos),
            None => self.pid_jump.clear(),
        }
    }

    /// The distinct users of the snapshot, sorted.
    pub fn users(&self) -> Vec<String> {
        let set: BTreeSet<&str> = self.snap.rows.iter().map(|r| r.user.as_str()).collect();
        set.into_iter().map(str::to_string).collect()
    }
}
