//! Keys and mouse: htop's bindings, mapped onto the state. Actions on processes
//! go through the [`Source`].

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

use super::app::App;
use super::columns::{self, Column};
use super::dialogs::{self, parse_signal, signal_name, term_index, Dialog, SIGNALS};
use super::source::Source;

/// Handles one key press.
pub fn handle_key(app: &mut App, key: KeyEvent, source: &mut dyn Source) {
    app.refresh_view();
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
        app.quit = true;
        return;
    }
    let dialog = std::mem::replace(&mut app.dialog, Dialog::None);
    app.dialog = match dialog {
        Dialog::None => {
            app.message = None;
            match key.code {
                KeyCode::F(7) | KeyCode::Char(']') => nice_step(app, -1, source),
                KeyCode::F(8) | KeyCode::Char('[') => nice_step(app, 1, source),
                _ => normal_key(app, key),
            }
            return;
        }
        Dialog::Help => Dialog::None,
        Dialog::Search => search_key(app, key),
        Dialog::Filter => filter_key(app, key),
        Dialog::Signal {
            input,
            index,
            targets,
        } => signal_key(app, key, input, index, targets, source),
        Dialog::Renice { input, targets } => renice_key(app, key, input, targets, source),
        Dialog::Users { index, users } => users_key(app, key, index, users),
        Dialog::Sort { index } => sort_key(app, key, index),
        Dialog::Columns { index } => columns_key(app, key, index),
    };
}

fn page(app: &App) -> isize {
    app.geometry.rows.max(1) as isize
}

fn normal_key(app: &mut App, key: KeyEvent) {
    if let KeyCode::Char(d) = key.code {
        if d.is_ascii_digit() {
            app.jump_to_pid(d);
            return;
        }
    }
    app.pid_jump.clear();
    match key.code {
        KeyCode::Char('q') | KeyCode::F(10) => app.quit = true,
        KeyCode::Up => app.move_cursor(-1),
        KeyCode::Down => app.move_cursor(1),
        KeyCode::PageUp => app.move_cursor(-page(app)),
        KeyCode::PageDown => app.move_cursor(page(app)),
        KeyCode::Home => app.set_cursor(0),
        KeyCode::End => app.set_cursor(usize::MAX),
        KeyCode::F(1) | KeyCode::Char('h') | KeyCode::Char('?') => app.dialog = Dialog::Help,
        KeyCode::F(2) | KeyCode::Char('C') => app.dialog = Dialog::Columns { index: 0 },
        KeyCode::F(3) | KeyCode::Char('/') => {
            app.search.clear();
            app.dialog = Dialog::Search;
        }
        KeyCode::Char('n') if !app.search_next(true) && !app.search.is_empty() => {
            app.message = Some(format!("'{}' not found", app.search));
        }
        KeyCode::F(4) | KeyCode::Char('\\') => app.dialog = Dialog::Filter,
        KeyCode::F(5) | KeyCode::Char('t') => {
            app.settings.tree = !app.settings.tree;
            app.invalidate();
        }
        KeyCode::F(6) => {
            let index = columns::ALL
                .iter()
                .position(|c| *c == app.settings.sort)
                .unwrap_or(0);
            app.dialog = Dialog::Sort { index };
        }
        KeyCode::Char('<') | KeyCode::Char(',') => shift_sort(app, -1),
        KeyCode::Char('>') | KeyCode::Char('.') => shift_sort(app, 1),
        KeyCode::Char('I') => {
            app.settings.descending = !app.settings.descending;
            app.invalidate();
        }
        KeyCode::Char('P') => set_sort(app, Column::Cpu),
        KeyCode::Char('M') => set_sort(app, Column::Mem),
        KeyCode::Char('T') => set_sort(app, Column::Time),
        KeyCode::Char('N') => set_sort(app, Column::Pid),
        KeyCode::Char('u') => {
            let users = app.users();
            let index = app
                .settings
                .user
                .as_ref()
                .and_then(|u| users.iter().position(|x| x == u))
                .map_or(0, |p| p + 1);
            app.dialog = Dialog::Users { index, users };
        }
        KeyCode::F(9) | KeyCode::Char('k') => {
            let targets = app.targets();
            if !targets.is_empty() {
                app.dialog = Dialog::Signal {
                    input: String::new(),
                    index: term_index(),
                    targets,
                };
            }
        }
        KeyCode::Char('r') => {
            let targets = app.targets();
            if !targets.is_empty() {
                app.dialog = Dialog::Renice {
                    input: String::new(),
                    targets,
                };
            }
        }
        KeyCode::Char(' ') => {
            if let Some(pid) = app.selected_pid {
                if !app.tagged.remove(&pid) {
                    app.tagged.insert(pid);
                }
                app.move_cursor(1);
            }
        }
        KeyCode::Char('U') => app.tagged.clear(),
        KeyCode::Char('K') => {
            app.settings.show_kernel = !app.settings.show_kernel;
            app.invalidate();
        }
        KeyCode::Char('c') => app.settings.full_cmd = !app.settings.full_cmd,
        KeyCode::Char('p') | KeyCode::Char('z') | KeyCode::Char('Z') => app.paused = !app.paused,
        KeyCode::Char('o') => {
            app.settings.only_active = !app.settings.only_active;
            app.invalidate();
        }
        KeyCode::Char('+') | KeyCode::Char('=') => {
            if let Some(pid) = app.selected_pid {
                app.collapsed.remove(&pid);
                app.invalidate();
            }
        }
        KeyCode::Char('-') => {
            if let Some(pid) = app.selected_pid {
                app.collapsed.insert(pid);
                app.invalidate();
            }
        }
        KeyCode::Char('*') => {
            if app.collapsed.is_empty() {
                let parents: Vec<u32> = app.snap.rows.iter().map(|r| r.ppid).collect();
                app.collapsed.extend(parents);
            } else {
                app.collapsed.clear();
            }
            app.invalidate();
        }
        _ => {}
    }
}

fn set_sort(app: &mut App, col: Column) {
    app.settings.sort = col;
    app.settings.descending = col.descending_by_default();
    app.invalidate();
}

/// `<` and `>`: the previous or next shown column becomes the sort column.
fn shift_sort(app: &mut App, step: isize) {
    let cols = &app.settings.columns;
    let pos = cols
        .iter()
        .position(|c| *c == app.settings.sort)
        .unwrap_or(0) as isize;
    let next = (pos + step).rem_euclid(cols.len().max(1) as isize) as usize;
    if let Some(&c) = cols.get(next) {
        set_sort(app, c);
    }
}

/// Edits a one-line input; returns false for keys it does not take.
fn edit(text: &mut String, key: &KeyEvent) -> bool {
    match key.code {
        KeyCode::Char(ch) if !key.modifiers.contains(KeyModifiers::CONTROL) => text.push(ch),
        KeyCode::Backspace => {
            text.pop();
        }
        _ => return false,
    }
    true
}

fn search_key(app: &mut App, key: KeyEvent) -> Dialog {
    match key.code {
        KeyCode::Enter | KeyCode::Esc => Dialog::None,
        KeyCode::F(3) | KeyCode::Down => {
            app.search_next(true);
            Dialog::Search
        }
        _ => {
            if edit(&mut app.search, &key) {
                app.search_next(false);
            }
            Dialog::Search
        }
    }
}

fn filter_key(app: &mut App, key: KeyEvent) -> Dialog {
    match key.code {
        KeyCode::Enter => Dialog::None,
        KeyCode::Esc => {
            app.settings.filter.clear();
            app.invalidate();
            Dialog::None
        }
        _ => {
            if edit(&mut app.settings.filter, &key) {
                app.invalidate();
            }
            Dialog::Filter
        }
    }
}

/// Up/Down/PgUp/PgDn/Home/End in a list of `len` items.
fn list_move(index: usize, len: usize, key: &KeyEvent) -> Option<usize> {
    let last = len.saturating_sub(1);
    Some(match key.code {
        KeyCode::Up => index.saturating_sub(1),
        KeyCode::Down => (index + 1).min(last),
        KeyCode::PageUp => index.saturating_sub(10),
        KeyCode::PageDown => (index + 10).min(last),
        KeyCode::Home => 0,
        KeyCode::End => last,
        _ => return None,
    })
}

fn signal_key(
    app: &mut App,
    key: KeyEvent,
    mut input: String,
    index: usize,
    targets: Vec<u32>,
    source: &mut dyn Source,
) -> Dialog {
    if let Some(index) = list_move(index, SIGNALS.len(), &key) {
        return Dialog::Signal {
            input: String::new(),
            index,
            targets,
        };
    }
    match key.code {
        KeyCode::Esc => Dialog::None,
        KeyCode::Enter => {
            let sig = if input.trim().is_empty() {
                Ok(SIGNALS[index.min(SIGNALS.len() - 1)].1)
            } else {
                parse_signal(&input)
            };
            match sig {
                Ok(sig) => {
                    send(app, &targets, sig, source);
                    Dialog::None
                }
                Err(e) => {
                    app.message = Some(e);
                    Dialog::Signal {
                        input: String::new(),
                        index,
                        targets,
                    }
                }
            }
        }
        _ => {
            if matches!(key.code, KeyCode::Char(c) if !c.is_ascii_alphanumeric()) {
                return Dialog::Signal {
                    input,
                    index,
                    targets,
                };
            }
            edit(&mut input, &key);
            // Typing a known name or number moves the list to it.
            let index = parse_signal(&input)
                .ok()
                .and_then(|s| SIGNALS.iter().position(|x| x.1 == s))
                .unwrap_or(index);
            Dialog::Signal {
                input,
                index,
                targets,
            }
        }
    }
}

fn send(app: &mut App, targets: &[u32], sig: i32, source: &mut dyn Source) {
    let mut errors = Vec::new();
    for &pid in targets {
        if let Err(e) = source.signal(pid, sig) {
            errors.push(format!("{pid}: {e}"));
        }
    }
    let name = signal_name(sig);
    app.message = Some(if errors.is_empty() {
        format!("sent {name} to {}", plural(targets.len()))
    } else {
        format!("{name} failed for {}", errors.join(", "))
    });
    app.tagged.clear();
}

fn plural(n: usize) -> String {
    if n == 1 {
        "1 process".to_string()
    } else {
        format!("{n} processes")
    }
}

fn renice_key(
    app: &mut App,
    key: KeyEvent,
    mut input: String,
    targets: Vec<u32>,
    source: &mut dyn Source,
) -> Dialog {
    match key.code {
        KeyCode::Esc => Dialog::None,
        KeyCode::Enter => match input.trim().parse::<i32>() {
            Ok(n) if (-20..=19).contains(&n) => {
                renice(app, &targets, |_| i64::from(n), source);
                Dialog::None
            }
            _ => {
                app.message = Some(format!("not a nice value (-20..19): '{input}'"));
                Dialog::Renice {
                    input: String::new(),
                    targets,
                }
            }
        },
        KeyCode::Char(c) if c.is_ascii_digit() || c == '-' || c == '+' => {
            input.push(c);
            Dialog::Renice { input, targets }
        }
        _ => {
            if key.code == KeyCode::Backspace {
                input.pop();
            }
            Dialog::Renice { input, targets }
        }
    }
}

/// Renices `targets` to `value(current nice)`, clamped to -20..19.
fn renice(app: &mut App, targets: &[u32], value: impl Fn(i64) -> i64, source: &mut dyn Source) {
    let mut errors = Vec::new();
    let mut last = 0;
    for &pid in targets {
        let current = app
            .snap
            .rows
            .iter()
            .find(|r| r.pid == pid)
            .map_or(0, |r| r.nice);
        let n = value(current).clamp(-20, 19) as i32;
        last = n;
        match source.renice(pid, n) {
            Ok(()) => {
                if let Some(r) = app.snap.rows.iter_mut().find(|r| r.pid == pid) {
                    r.nice = i64::from(n);
                }
            }
            Err(e) => errors.push(format!("{pid}: {e}")),
        }
    }
    app.invalidate();
    app.message = Some(if errors.is_empty() {
        format!("nice {last} for {}", plural(targets.len()))
    } else {
        format!("renice failed for {}", errors.join(", "))
    });
}

/// F7 / F8: one step up or down in priority for the targets (htop).
fn nice_step(app: &mut App, step: i64, source: &mut dyn Source) {
    let targets = app.targets();
    renice(app, &targets, |n| n + step, source);
}

fn users_key(app: &mut App, key: KeyEvent, index: usize, users: Vec<String>) -> Dialog {
    if let Some(index) = list_move(index, users.len() + 1, &key) {
        return Dialog::Users { index, users };
    }
    match key.code {
        KeyCode::Enter => {
            app.settings.user = index.checked_sub(1).and_then(|i| users.get(i)).cloned();
            app.invalidate();
            Dialog::None
        }
        KeyCode::Esc => Dialog::None,
        _ => Dialog::Users { index, users },
    }
}

fn sort_key(app: &mut App, key: KeyEvent, index: usize) -> Dialog {
    if let Some(index) = list_move(index, columns::ALL.len(), &key) {
        return Dialog::Sort { index };
    }
    match key.code {
        KeyCode::Enter => {
            if let Some(&c) = columns::ALL.get(index) {
                set_sort(app, c);
            }
            Dialog::None
        }
        KeyCode::Esc => Dialog::None,
        _ => Dialog::Sort { index },
    }
}

fn columns_key(app: &mut App, key: KeyEvent, index: usize) -> Dialog {
    if let Some(index) = list_move(index, columns::ALL.len(), &key) {
        return Dialog::Columns { index };
    }
    match key.code {
        KeyCode::Char(' ') => {
            if let Some(&c) = columns::ALL.get(index) {
                dialogs::toggle_column(&mut app.settings.columns, c);
            }
            Dialog::Columns { index }
        }
        KeyCode::Enter | KeyCode::Esc | KeyCode::F(2) => Dialog::None,
        _ => Dialog::Columns { index },
    }
}

/// Handles a mouse event: a click on a row selects it, on a column label sorts
/// by it (again: inverts); the wheel scrolls.
pub fn handle_mouse(app: &mut App, ev: MouseEvent) {
    if app.dialog != Dialog::None {
        return;
    }
    let g = &app.geometry;
    match ev.kind {
        MouseEventKind::Down(MouseButton::Left) => {
            if ev.row == g.header_y {
                let hit = g
                    .labels
                    .iter()
                    .find(|(a, b, _)| (*a..*b).contains(&ev.column))
                    .map(|l| l.2);
                if let Some(&c) = hit.and_then(|i| app.settings.columns.get(i)) {
                    app.settings.sort_by(c);
                    app.invalidate();
                }
            } else if ev.row >= g.first_row_y && ev.row < g.first_row_y + g.rows {
                let pos = app.scroll + usize::from(ev.row - g.first_row_y);
                app.refresh_view();
                if pos < app.view.len() {
                    app.set_cursor(pos);
                }
            }
        }
        MouseEventKind::ScrollDown => app.move_cursor(3),
        MouseEventKind::ScrollUp => app.move_cursor(-3),
        _ => {}
    }
}
