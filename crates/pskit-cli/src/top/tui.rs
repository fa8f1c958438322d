//! The interactive loop: raw mode, alternate screen and mouse; a refresh every
//! `delay`, a redraw only after new data, a key, a click or a resize.

use std::io;
use std::time::{Duration, Instant};

use crossterm::event::{self, Event, KeyEventKind, MouseEventKind};
use crossterm::execute;

use super::app::App;
use super::input::{handle_key, handle_mouse};
use super::render::{draw, Theme};
use super::source::Source;

/// Runs the monitor until q/F10 (or `iterations` refreshes, like top's `-n`).
pub fn run(
    app: &mut App,
    source: &mut dyn Source,
    delay: Duration,
    iterations: Option<u64>,
) -> io::Result<()> {
    let mut terminal = ratatui::try_init()?;
    let mouse = execute!(io::stdout(), event::EnableMouseCapture);
    let result = mouse.and_then(|()| event_loop(&mut terminal, app, source, delay, iterations));
    let _ = execute!(io::stdout(), event::DisableMouseCapture);
    let restored = ratatui::try_restore();
    result.and(restored)
}

fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    app: &mut App,
    source: &mut dyn Source,
    delay: Duration,
    iterations: Option<u64>,
) -> io::Result<()> {
    let theme = Theme::from_env();
    let mut next = Instant::now();
    let mut refreshes = 0u64;
    let mut redraw = true;
    loop {
        if !app.paused && Instant::now() >= next {
            if iterations.is_some_and(|n| refreshes >= n) {
                return Ok(());
            }
            app.update(source.snapshot());
            release_freed_memory();
            refreshes += 1;
            next = Instant::now() + delay;
            redraw = true;
        }
        if redraw {
            terminal.draw(|f| {
                let area = f.area();
                draw(app, area, f.buffer_mut(), &theme);
            })?;
            redraw = false;
        }
        let timeout = if app.paused {
            Duration::from_secs(3600)
        } else {
            next.saturating_duration_since(Instant::now())
        };
        if event::poll(timeout)? {
            match event::read()? {
                Event::Key(k) if k.kind != KeyEventKind::Release => {
                    handle_key(app, k, source);
                    redraw = true;
                }
                // Pointer motion is ignored without a redraw: it costs nothing.
                Event::Mouse(m) if m.kind != MouseEventKind::Moved => {
                    handle_mouse(app, m);
                    redraw = true;
                }
                Event::Resize(..) => {
                    terminal.autoresize()?;
                    redraw = true;
                }
                _ => {}
            }
        }
        if app.quit {
            return Ok(());
        }
    }
}

/// Gives the heap pages the last refresh freed back to the kernel, so a
/// monitor left running keeps a small resident set (glibc keeps freed memory
/// in its arenas otherwise; musl's allocator returns it by itself).
fn release_freed_memory() {
    #[cfg(target_env = "gnu")]
    // SAFETY: malloc_trim only walks glibc's own arenas; 0 keeps no pad.
    unsafe {
        libc::malloc_trim(0);
    }
}
