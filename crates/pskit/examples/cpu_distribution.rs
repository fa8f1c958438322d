//! How the workload is split across the CPUs: each CPU's utilisation, and
//! under it the names (first five letters) of the processes that last ran on
//! it. A port of psutil's `scripts/cpu_distribution.py`.
//!
//! ```text
//! $ cargo run --example cpu_distribution
//! CPU 0     CPU 1     CPU 2     CPU 3
//! 19.8      20.6      18.2      15.8
//! gvfsd     pytho     kwork     chrom
//! chrom     chrom     indic     ibus-
//! ```
//!
//! At most 8 CPUs are shown (`(+ hidden)` says when there are more), and as
//! many process rows as the terminal has room for. The screen refreshes every
//! second; Ctrl-C quits (the script has no `q`). The script clears the screen
//! and prints; this port draws the same lines, wrapped and scrolled as a
//! terminal would show that output, with the cursor on the line after it.

#[path = "support/curses.rs"]
mod curses;

use std::collections::HashMap;
use std::io;
use std::process::ExitCode;
use std::time::Duration;

use curses::quit_requested;
use ratatui::layout::Position;
use ratatui::text::Text;
use ratatui::DefaultTerminal;

fn main() -> ExitCode {
    let mut terminal = match ratatui::try_init() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("cpu_distribution: cannot set up the terminal: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = run(&mut terminal);
    let restored = ratatui::try_restore();
    match result.and(restored.map_err(Into::into)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cpu_distribution: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(terminal: &mut DefaultTerminal) -> Result<(), Box<dyn std::error::Error>> {
    let num_cpus = pskit::cpu_count(true).ok_or("the number of CPUs is unknown")? as usize;
    // Eight columns of ten characters fit into an 80-column screen.
    let (num_cpus, cpus_hidden) = if num_cpus > 8 {
        (8, true)
    } else {
        (num_cpus, false)
    };

    loop {
        let mut lines = Vec::new();

        // header: "CPU 0     CPU 1     …" and the utilisations, which psutil
        // rounds to one decimal (`{:.1}` prints them as Python's str()).
        let cpus_percent = pskit::cpu_percent_percpu(None)?;
        let mut header: String = (0..num_cpus).map(|i| format!("CPU {i:<6}")).collect();
        if cpus_hidden {
            header += " (+ hidden)";
        }
        lines.push(header);
        lines.push(
            cpus_percent
                .iter()
                .take(num_cpus)
                .map(|p| format!("{:<10}", format!("{p:.1}")))
                .collect(),
        );

        // processes: the names on each CPU, highest pid first (the script
        // pops them off the end of pid-ordered lists).
        let mut procs: HashMap<u32, Vec<String>> = HashMap::new();
        for p in pskit::process::processes()? {
            // A process that is gone meanwhile is left out.
            if let Ok((cpu, name)) = p.oneshot(|p| Ok::<_, pskit::Error>((p.cpu_num()?, p.name()?)))
            {
                procs
                    .entry(cpu)
                    .or_default()
                    .push(name.chars().take(5).collect());
            }
        }

        // As many rows as fit under the header (at least one): the script
        // stops when its line counter, from 3, reaches the terminal's height.
        let height = usize::from(terminal.size()?.height);
        let mut curr_line = 3;
        loop {
            let mut row = String::new();
            for num in 0..num_cpus as u32 {
                let pname = procs.get_mut(&num).and_then(Vec::pop).unwrap_or_default();
                row += &format!("{pname:<10}");
            }
            lines.push(row);
            curr_line += 1;
            if curr_line >= height {
                break;
            }
        }

        draw(terminal, &lines)?;
        if quit_requested(Duration::from_secs(1), false)? {
            return Ok(());
        }
    }
}

/// Shows `lines` as the terminal shows them printed after `clear`: a line longer
/// than the screen wraps, and the screen scrolls when the output (and the
/// cursor's line after it) is taller than the screen.
fn draw(terminal: &mut DefaultTerminal, lines: &[String]) -> io::Result<()> {
    let size = terminal.size()?;
    let width = usize::from(size.width).max(1);
    let mut rows: Vec<String> = Vec::new();
    for line in lines {
        let chars: Vec<char> = line
            .chars()
            .map(|c| if c.is_control() { '?' } else { c })
            .collect();
        if chars.is_empty() {
            rows.push(String::new());
        }
        rows.extend(chars.chunks(width).map(|chunk| chunk.iter().collect()));
    }
    rows.push(String::new()); // the cursor's line
    let shown = &rows[rows.len().saturating_sub(usize::from(size.height))..];
    terminal.draw(|frame| {
        frame.render_widget(
            Text::from_iter(shown.iter().map(String::as_str)),
            frame.area(),
        );
        let cursor_row = u16::try_from(shown.len() - 1).unwrap_or(u16::MAX);
        frame.set_cursor_position(Position::new(0, cursor_row));
    })?;
    Ok(())
}
