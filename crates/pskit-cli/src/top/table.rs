//! The process table: the column labels and one text line per visible process.
//! Only the lines on screen are formatted, into one reused string.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::app::App;
use super::columns::Column;
use super::render::{put, Theme};
use super::view::{push_tree_prefix, ViewRow};

/// Pads `text` into a column of `col`'s width (one separator space included).
fn push_cell(col: Column, text: &str, out: &mut String) {
    let w = usize::from(col.width().saturating_sub(1));
    let n = text.chars().count();
    if col.left_aligned() {
        out.push_str(text);
        out.extend(std::iter::repeat_n(' ', w.saturating_sub(n)));
    } else {
        out.extend(std::iter::repeat_n(' ', w.saturating_sub(n)));
        out.push_str(text);
    }
    out.push(' ');
}

/// The column labels line, aligned like the values.
pub fn write_labels(cols: &[Column], out: &mut String) {
    for &c in cols {
        if c == Column::Command {
            out.push_str(c.label());
            out.push(' ');
        } else {
            push_cell(c, c.label(), out);
        }
    }
}

/// One process line: every column, the command last with its tree prefix.
/// `cell` is scratch space.
pub fn write_line(app: &App, v: &ViewRow, cell: &mut String, out: &mut String) {
    let row = app.row(v);
    let io = app.io.get(v.idx).copied().unwrap_or_default();
    for &c in &app.settings.columns {
        cell.clear();
        if c == Column::Command {
            if app.settings.tree {
                push_tree_prefix(v, app.collapsed.contains(&row.pid), cell);
            }
            c.write_value(row, io, app.settings.full_cmd, cell);
            out.push_str(cell);
            out.push(' ');
        } else {
            c.write_value(row, io, app.settings.full_cmd, cell);
            push_cell(c, cell, out);
        }
    }
    // No trailing blanks in batch output.
    let end = out.trim_end().len();
    out.truncate(end);
}

/// Draws the labels line and the visible rows; remembers where for the mouse.
pub fn render(app: &mut App, area: Rect, buf: &mut Buffer, theme: &Theme) {
    if area.height == 0 || area.width == 0 {
        return;
    }
    let mut line = String::with_capacity(256);
    let mut cell = String::with_capacity(64);
    // Labels, with the sort column highlighted.
    buf.set_style(Rect { height: 1, ..area }, theme.table_header);
    app.geometry.labels.clear();
    let mut x = area.x;
    for (i, &c) in app.settings.columns.iter().enumerate() {
        line.clear();
        write_labels(&[c], &mut line);
        let style = if c == app.settings.sort {
            theme.sort_header
        } else {
            theme.table_header
        };
        let end = if c == Column::Command {
            area.right()
        } else {
            x.saturating_add(line.chars().count() as u16)
        };
        app.geometry.labels.push((x, end, i));
        x = put(buf, area, x, area.y, &line, style);
    }
    let rows_y = area.y + 1;
    let page = usize::from(area.height - 1);
    app.fit_scroll(page);
    app.geometry.header_y = area.y;
    app.geometry.first_row_y = rows_y;
    app.geometry.rows = area.height - 1;
    let end = (app.scroll + page).min(app.view.len());
    for pos in app.scroll..end {
        let v = app.view[pos];
        line.clear();
        write_line(app, &v, &mut cell, &mut line);
        let y = rows_y + (pos - app.scroll) as u16;
        let pid = app.row(&v).pid;
        let style = if pos == app.cursor {
            theme.selected
        } else if app.tagged.contains(&pid) {
            theme.tagged
        } else {
            theme.text
        };
        if style != theme.text {
            buf.set_style(
                Rect {
                    y,
                    height: 1,
                    ..area
                },
                style,
            );
        }
        put(buf, area, area.x, y, &line, style);
    }
}
