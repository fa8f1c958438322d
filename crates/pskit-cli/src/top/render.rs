//! Drawing the whole screen: the layout, the colours (or none, with NO_COLOR),
//! and a clipped text writer that never writes outside its area.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};

use super::app::App;
use super::dialogs::{self, Dialog};
use super::{header, table};

/// The styles of every part of the screen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Theme {
    /// Plain text.
    pub text: Style,
    /// Titles.
    pub title: Style,
    /// Meter labels ("Mem", "Load average:").
    pub label: Style,
    /// Values next to labels.
    pub value: Style,
    /// Bar segments: normal/user, low priority, kernel, buffers, cache.
    pub bar: [Style; 5],
    /// The column labels line.
    pub table_header: Style,
    /// The sort column's label.
    pub sort_header: Style,
    /// The selected row.
    pub selected: Style,
    /// Tagged rows.
    pub tagged: Style,
    /// Dialog boxes.
    pub dialog: Style,
    /// Function key names in the bottom bar.
    pub key: Style,
    /// Function key labels in the bottom bar.
    pub key_label: Style,
}

impl Theme {
    /// htop-like colours.
    pub fn color() -> Theme {
        let fg = |c| Style::default().fg(c);
        Theme {
            text: Style::default(),
            title: Style::default().add_modifier(Modifier::BOLD),
            label: fg(Color::Cyan),
            value: fg(Color::Cyan).add_modifier(Modifier::BOLD),
            bar: [
                fg(Color::Green),
                fg(Color::Blue),
                fg(Color::Red),
                fg(Color::Blue),
                fg(Color::Yellow),
            ],
            table_header: Style::default().bg(Color::Green).fg(Color::Black),
            sort_header: Style::default().bg(Color::Cyan).fg(Color::Black),
            selected: Style::default().bg(Color::Cyan).fg(Color::Black),
            tagged: fg(Color::Yellow).add_modifier(Modifier::BOLD),
            dialog: Style::default().bg(Color::Blue).fg(Color::White),
            key: Style::default()
                .fg(Color::White)
                .add_modifier(Modifier::BOLD),
            key_label: Style::default().bg(Color::Cyan).fg(Color::Black),
        }
    }

    /// No colours at all (https://no-color.org): attributes only.
    pub fn mono() -> Theme {
        let plain = Style::default();
        let rev = plain.add_modifier(Modifier::REVERSED);
        Theme {
            text: plain,
            title: plain.add_modifier(Modifier::BOLD),
            label: plain,
            value: plain.add_modifier(Modifier::BOLD),
            bar: [plain; 5],
            table_header: rev,
            sort_header: rev.add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            selected: rev,
            tagged: plain.add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            dialog: plain,
            key: plain.add_modifier(Modifier::BOLD),
            key_label: rev,
        }
    }

    /// [`Theme::mono`] when NO_COLOR is set to anything but the empty string.
    pub fn from_env() -> Theme {
        Theme::for_no_color(std::env::var_os("NO_COLOR").as_deref())
    }

    /// The theme for a NO_COLOR value.
    pub fn for_no_color(value: Option<&std::ffi::OsStr>) -> Theme {
        match value {
            Some(v) if !v.is_empty() => Theme::mono(),
            _ => Theme::color(),
        }
    }
}

/// Writes `s` at (x, y), clipped to `clip` and to the buffer: nothing is written
/// outside, however small the terminal.
pub fn put(buf: &mut Buffer, clip: Rect, x: u16, y: u16, s: &str, style: Style) -> u16 {
    let clip = clip.intersection(buf.area);
    if y < clip.top() || y >= clip.bottom() || x < clip.left() || x >= clip.right() {
        return x;
    }
    buf.set_stringn(x, y, s, usize::from(clip.right() - x), style)
        .0
}

/// Draws the whole screen into `buf` over `area`.
pub fn draw(app: &mut App, area: Rect, buf: &mut Buffer, theme: &Theme) {
    app.refresh_view();
    if area.width == 0 || area.height == 0 {
        return;
    }
    if app.dialog == Dialog::Help {
        dialogs::render(app, area, theme, buf);
        return;
    }
    let bottom_h = u16::from(area.height >= 3);
    // The header gives way first: the table keeps its labels and 3 rows.
    let room = area.height.saturating_sub(bottom_h + 4);
    let meters = header::meters(app);
    let header_h = header::height(app, &meters, area.width).min(room);
    let header_area = Rect {
        height: header_h,
        ..area
    };
    header::render(app, &meters, header_area, buf, theme);
    let table_area = Rect {
        y: area.y + header_h,
        height: area.height - header_h - bottom_h,
        ..area
    };
    table::render(app, table_area, buf, theme);
    if bottom_h == 1 {
        let bar = Rect {
            y: area.bottom() - 1,
            height: 1,
            ..area
        };
        bottom_bar(app, bar, buf, theme);
    }
    dialogs::render(app, area, theme, buf);
}

const KEYS: [(&str, &str); 10] = [
    ("F1", "Help"),
    ("F2", "Setup"),
    ("F3", "Search"),
    ("F4", "Filter"),
    ("F5", "Tree"),
    ("F6", "SortBy"),
    ("F7", "Nice -"),
    ("F8", "Nice +"),
    ("F9", "Kill"),
    ("F10", "Quit"),
];

fn bottom_bar(app: &App, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let line = match &app.dialog {
        Dialog::Search => Some(format!("Search: {}_", app.search)),
        Dialog::Filter => Some(format!("Filter: {}_", app.settings.filter)),
        _ => app.message.clone(),
    };
    if let Some(text) = line {
        put(buf, area, area.x, area.y, &text, theme.title);
        return;
    }
    let mut x = area.x;
    if app.paused {
        x = put(buf, area, x, area.y, "PAUSED ", theme.title);
    }
    for (k, label) in KEYS {
        x = put(buf, area, x, area.y, k, theme.key);
        x = put(buf, area, x, area.y, label, theme.key_label);
        x = put(buf, area, x, area.y, " ", theme.text);
    }
    if !app.settings.filter.is_empty() {
        let f = format!(" Filter: {}", app.settings.filter);
        put(buf, area, x, area.y, &f, theme.title);
    }
}
