//! Dialogs and input lines: help, search, filter, signal, renice, user, sort
//! and column choosers, and how they are drawn.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Borders, Clear, Widget};

use super::app::App;
use super::columns::{self, Column};
use super::render::{put, Theme};

/// The open dialog, if any.
#[derive(Debug, Clone, PartialEq)]
pub enum Dialog {
    /// None: the table has the keys.
    None,
    /// The help screen.
    Help,
    /// Typing the search text.
    Search,
    /// Typing the filter.
    Filter,
    /// Choosing a signal for `targets`; `input` (a name or number) wins over the
    /// list when not empty.
    Signal {
        /// Typed name or number.
        input: String,
        /// Position in [`SIGNALS`].
        index: usize,
        /// The pids to signal.
        targets: Vec<u32>,
    },
    /// Typing a nice value for `targets`.
    Renice {
        /// Typed value.
        input: String,
        /// The pids to renice.
        targets: Vec<u32>,
    },
    /// Choosing a user (0 = all users).
    Users {
        /// Position in the list.
        index: usize,
        /// The users of the snapshot.
        users: Vec<String>,
    },
    /// Choosing the sort column among [`columns::ALL`].
    Sort {
        /// Position in the list.
        index: usize,
    },
    /// Showing or hiding columns ([`columns::ALL`]).
    Columns {
        /// Position in the list.
        index: usize,
    },
}

pub use crate::signals::SIGNALS;

/// Position of SIGTERM in [`SIGNALS`], the default choice.
pub fn term_index() -> usize {
    SIGNALS.iter().position(|s| s.0 == "TERM").unwrap_or(0)
}

/// Parses a signal given by number (1..=64) or by name, with or without "SIG",
/// any case (the `kill` command's parser, without signal 0).
pub fn parse_signal(s: &str) -> Result<i32, String> {
    let t = s.trim();
    match crate::signals::parse(t) {
        Some(n) if n > 0 => Ok(n),
        _ if t.parse::<i32>().is_ok() => Err(format!("no signal number {t}")),
        _ => Err(format!("unknown signal '{t}'")),
    }
}

/// The name of a signal number ("SIGTERM", "SIGRTMIN+2"), or the number.
pub fn signal_name(sig: i32) -> String {
    let n = crate::signals::name(sig);
    if n.parse::<i32>().is_ok() {
        n
    } else {
        format!("SIG{n}")
    }
}

const HELP: &[&str] = &[
    "pskit top: keys (like htop)",
    "",
    " Arrows PgUp PgDn Home End  move the selection",
    " F1 h ?      this help             q F10     quit",
    " F3 /        search (F3 again: next)  n     next match",
    " F4 \\        filter (| for alternatives; Esc clears)",
    " F5 t        tree view             + - *     expand, collapse, all",
    " F6 < >      sort column           I         invert the order",
    " P M T N     sort by %CPU, %MEM, TIME+, PID",
    " F2 C        choose columns        u         show one user",
    " F9 k        send a signal         r         renice (type a value)",
    " F7 F8 ] [   nice -1 / +1          space     tag   U untag all",
    " K           kernel threads        c         full command lines",
    " p z         pause                 o         only I/O-active (iotop)",
    " 0-9         jump to the pid typed",
    " Mouse: click a row to select, a column label to sort (again: invert).",
    "",
    "Press any key to return.",
];

fn boxed(area: Rect, w: u16, h: u16, title: &str, theme: &Theme, buf: &mut Buffer) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    let r = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    };
    Clear.render(r, buf);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(title)
        .style(theme.dialog);
    let inner = block.inner(r);
    block.render(r, buf);
    inner
}

/// A scrolled list with the chosen line highlighted.
fn list(inner: Rect, items: &[String], index: usize, theme: &Theme, buf: &mut Buffer) {
    let h = inner.height as usize;
    if h == 0 {
        return;
    }
    let top = index.saturating_sub(h - 1);
    for (k, item) in items.iter().enumerate().skip(top).take(h) {
        let y = inner.y + (k - top) as u16;
        let style = if k == index {
            theme.selected
        } else {
            theme.dialog
        };
        put(
            buf,
            inner,
            inner.x,
            y,
            &format!("{item:<w$}", w = inner.width as usize),
            style,
        );
    }
}

/// Draws the open dialog (not the input lines, which the bottom bar shows).
pub fn render(app: &App, area: Rect, theme: &Theme, buf: &mut Buffer) {
    match &app.dialog {
        Dialog::None | Dialog::Search | Dialog::Filter => {}
        Dialog::Help => {
            Clear.render(area, buf);
            for (i, line) in HELP.iter().enumerate() {
                let y = area.y + i as u16;
                let style = if i == 0 { theme.title } else { theme.text };
                put(buf, area, area.x, y, line, style);
            }
        }
        Dialog::Signal {
            input,
            index,
            targets,
        } => {
            let inner = boxed(area, 34, 16, "Send signal", theme, buf);
            let what = format!("to {}", pid_list(targets));
            put(buf, inner, inner.x, inner.y, &what, theme.dialog);
            let prompt = format!("signal: {input}_");
            put(buf, inner, inner.x, inner.y + 1, &prompt, theme.dialog);
            let items: Vec<String> = SIGNALS
                .iter()
                .map(|(n, v)| format!("{v:2} SIG{n}"))
                .collect();
            let rest = Rect {
                y: inner.y.saturating_add(2),
                height: inner.height.saturating_sub(2),
                ..inner
            };
            list(rest, &items, *index, theme, buf);
        }
        Dialog::Renice { input, targets } => {
            let inner = boxed(area, 34, 5, "Renice", theme, buf);
            let what = format!("{} to nice (-20..19):", pid_list(targets));
            put(buf, inner, inner.x, inner.y, &what, theme.dialog);
            put(
                buf,
                inner,
                inner.x,
                inner.y + 1,
                &format!("{input}_"),
                theme.dialog,
            );
            put(
                buf,
                inner,
                inner.x,
                inner.y + 2,
                "Enter: apply  Esc: cancel",
                theme.dialog,
            );
        }
        Dialog::Users { index, users } => {
            let inner = boxed(area, 30, 14, "Show processes of", theme, buf);
            let mut items = vec!["All users".to_string()];
            items.extend(users.iter().cloned());
            list(inner, &items, *index, theme, buf);
        }
        Dialog::Sort { index } => {
            let inner = boxed(area, 24, 20, "Sort by", theme, buf);
            let items: Vec<String> = columns::ALL.iter().map(|c| c.label().to_string()).collect();
            list(inner, &items, *index, theme, buf);
        }
        Dialog::Columns { index } => {
            let inner = boxed(area, 26, 20, "Columns (space)", theme, buf);
            let items: Vec<String> = columns::ALL
                .iter()
                .map(|c| {
                    let on = app.settings.columns.contains(c);
                    format!("[{}] {}", if on { 'x' } else { ' ' }, c.label())
                })
                .collect();
            list(inner, &items, *index, theme, buf);
        }
    }
}

/// "pid 12" or "3 pids: 1 2 3".
fn pid_list(pids: &[u32]) -> String {
    match pids {
        [one] => format!("pid {one}"),
        many => {
            let list: Vec<String> = many.iter().map(u32::to_string).collect();
            format!("{} pids: {}", many.len(), list.join(" "))
        }
    }
}

/// Toggles a column in the shown set, keeping the chooser's order; COMMAND and at
/// least one column stay.
pub fn toggle_column(cols: &mut Vec<Column>, c: Column) {
    if let Some(pos) = cols.iter().position(|x| *x == c) {
        if cols.len() > 1 {
            cols.remove(pos);
        }
    } else {
        cols.push(c);
        let rank = |c: &Column| columns::ALL.iter().position(|x| x == c).unwrap_or(0);
        cols.sort_by_key(rank);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals_by_name_or_number() {
        assert_eq!(parse_signal("TERM"), Ok(libc::SIGTERM));
        assert_eq!(parse_signal("sigkill"), Ok(libc::SIGKILL));
        assert_eq!(parse_signal(" 9 "), Ok(9));
        assert_eq!(parse_signal("iot"), Ok(libc::SIGABRT));
        assert!(parse_signal("0").is_err());
        assert!(parse_signal("65").is_err());
        assert!(parse_signal("NOPE").is_err());
        assert_eq!(SIGNALS[term_index()].1, libc::SIGTERM);
        assert_eq!(signal_name(libc::SIGTERM), "SIGTERM");
    }

    #[test]
    fn toggling_columns_keeps_order() {
        let mut cols = vec![Column::Pid, Column::Command];
        toggle_column(&mut cols, Column::User);
        assert_eq!(cols, [Column::Pid, Column::User, Column::Command]);
        toggle_column(&mut cols, Column::Pid);
        assert_eq!(cols, [Column::User, Column::Command]);
        toggle_column(&mut cols, Column::User);
        toggle_column(&mut cols, Column::Command);
        assert_eq!(cols, [Column::Command], "the last column stays");
    }
}
