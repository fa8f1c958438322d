//! What the ports of psutil's curses scripts (top, iotop, nettop) need of
//! curses, on ratatui's buffer, and the keyboard check all four full-screen
//! ports share. Included with `#[path = "support/curses.rs"] mod curses;`.
#![allow(dead_code)]

use std::error::Error;
use std::fmt;
use std::io;
use std::time::{Duration, Instant};

use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::widgets::Widget;

/// Waits up to `timeout` for the keyboard: true as soon as Ctrl-C is pressed
/// (the script's KeyboardInterrupt), or `q` when `q_quits` (the scripts'
/// `getch() == ord('q')`).
pub fn quit_requested(timeout: Duration, q_quits: bool) -> io::Result<bool> {
    let deadline = Instant::now() + timeout;
    loop {
        if !event::poll(deadline.saturating_duration_since(Instant::now()))? {
            return Ok(false);
        }
        if let Event::Key(key) = event::read()? {
            let ctrl_c =
                key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL);
            if key.kind == KeyEventKind::Press
                && (ctrl_c || (q_quits && key.code == KeyCode::Char('q')))
            {
                return Ok(true);
            }
        }
    }
}

/// curses' `addstr()` failed: the text did not fit on the window. The script
/// lets this error end it.
#[derive(Debug)]
pub struct CursesError;

impl fmt::Display for CursesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("_curses.error: addwstr() returned ERR (the terminal is too small)")
    }
}

impl Error for CursesError {}

/// The script's curses window: what it wrote stays until overwritten, and
/// `printl` writes the next line as curses' `addstr` does: a line longer than
/// the window wraps onto the next row, and running off the bottom-right corner
/// is an error.
pub struct Window {
    buf: Buffer,
    /// The row the next `printl` writes (the scripts reset it to 0).
    pub lineno: u16,
}

impl Window {
    pub fn new(area: Rect) -> Window {
        Window {
            buf: Buffer::empty(area),
            lineno: 0,
        }
    }

    /// curses' `erase()`.
    pub fn erase(&mut self) {
        self.buf.reset();
    }

    /// Follows the terminal's size (curses' KEY_RESIZE).
    pub fn resize(&mut self, area: Rect) {
        if self.buf.area != area {
            self.buf.resize(area);
        }
    }

    /// The scripts' printl(): the next line in `style`; `highlight` pads it to
    /// the window's width in reverse video (curses' standout).
    pub fn printl_styled(
        &mut self,
        line: &str,
        mut style: Style,
        highlight: bool,
    ) -> Result<(), CursesError> {
        let mut line = line.to_string();
        if highlight {
            let width = usize::from(self.buf.area.width);
            line += &" ".repeat(width.saturating_sub(line.chars().count()));
            style = style.add_modifier(Modifier::REVERSED);
        }
        match self.addstr(self.lineno, &line, style) {
            Ok(()) => {
                self.lineno += 1;
                Ok(())
            }
            Err(e) => {
                self.lineno = 0;
                Err(e)
            }
        }
    }

    /// [`Window::printl_styled`] in the default style.
    pub fn printl(&mut self, line: &str, highlight: bool) -> Result<(), CursesError> {
        self.printl_styled(line, Style::new(), highlight)
    }

    /// curses' `addstr(y, 0, text, attr)`. Control characters show as `^X`,
    /// a tab moves to the next multiple of 8 and a newline clears the rest of
    /// the row, as with curses.
    fn addstr(&mut self, y: u16, text: &str, style: Style) -> Result<(), CursesError> {
        if y >= self.buf.area.height || self.buf.area.width == 0 {
            return Err(CursesError);
        }
        let mut at = (0, y);
        for ch in text.chars() {
            match ch {
                '\n' => {
                    while at.0 != 0 {
                        self.put(&mut at, ' ', style)?;
                    }
                }
                '\t' => {
                    self.put(&mut at, ' ', style)?;
                    while at.0 % 8 != 0 {
                        self.put(&mut at, ' ', style)?;
                    }
                }
                c if c.is_control() => {
                    let shown = char::from_u32(u32::from(c) ^ 0x40).unwrap_or('?');
                    self.put(&mut at, '^', style)?;
                    self.put(&mut at, shown, style)?;
                }
                c => self.put(&mut at, c, style)?,
            }
        }
        Ok(())
    }

    /// Writes one character at `at` and moves on, to the next row after the
    /// last column; past the bottom-right corner is curses' error.
    fn put(&mut self, at: &mut (u16, u16), ch: char, style: Style) -> Result<(), CursesError> {
        if let Some(cell) = self.buf.cell_mut(*at) {
            cell.reset();
            cell.set_char(ch).set_style(style);
        }
        at.0 += 1;
        if at.0 == self.buf.area.width {
            *at = (0, at.1 + 1);
            if at.1 == self.buf.area.height {
                return Err(CursesError);
            }
        }
        Ok(())
    }
}

impl Widget for &Window {
    fn render(self, area: Rect, buf: &mut Buffer) {
        for pos in area.intersection(self.buf.area).positions() {
            if let (Some(dst), Some(src)) = (buf.cell_mut(pos), self.buf.cell(pos)) {
                *dst = src.clone();
            }
        }
    }
}
