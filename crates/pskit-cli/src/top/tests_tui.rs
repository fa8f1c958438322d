//! The real interactive loop (raw mode, alternate screen, crossterm input,
//! resize) in a real terminal: tmux runs this test binary's helper, which drives
//! `tui::run` on the synthetic source; the test types keys and reads the screen.
//! The same steps, on the real source and the `pskit top` binary, make the
//! end-to-end test of the finished command.

use std::time::Duration;

use super::app::{App, Flavor};
use super::testdata::TestSource;
use super::view::Settings;

#[path = "../../tests/support/tmux.rs"]
mod tmux;
use tmux::{first_row, rows, Tmux};

const CHILD_ENV: &str = "PSKIT_TOP_TUI_CHILD";

/// Not a test: the program the tmux test runs in its terminal.
#[test]
#[ignore = "helper run inside tmux by interactive_loop_in_tmux"]
fn tui_child() {
    if std::env::var_os(CHILD_ENV).is_none() {
        return;
    }
    let mut src = TestSource::new();
    let mut app = App::new(Flavor::Top, Settings::top());
    super::tui::run(&mut app, &mut src, Duration::from_millis(200), None).unwrap();
    println!("signals: {:?}", src.signals);
}

#[test]
fn interactive_loop_in_tmux() {
    let exe = std::env::current_exe().unwrap();
    let command = format!(
        "env {CHILD_ENV}=1 NO_COLOR=1 {} --exact top::tests_tui::tui_child --include-ignored \
         --nocapture --test-threads=1; echo EXIT=$?; sleep 60",
        exe.display()
    );
    let tmux = Tmux::start("pskit-top-test", 100, 30, &command);

    // Starts: header and table, %CPU order.
    let s = tmux.wait_for("header and table", |s| {
        s.contains("Mem[") && s.contains("Load average: 0.50") && s.contains("PID USER")
    });
    assert!(first_row(&s).starts_with("    301 alice"), "{s}");

    // Sorts by PID.
    tmux.keys(&["N"]);
    tmux.wait_for("PID order", |s| first_row(s).starts_with("      1 root"));

    // Filters incrementally, then clears the filter.
    tmux.keys(&["F4"]);
    tmux.keys(&["-l", "ngi"]);
    let s = tmux.wait_for("filter", |s| s.contains("Filter: ngi_"));
    let rows = rows(&s);
    assert_eq!(rows.len(), 2, "{s}");
    assert!(rows.iter().all(|r| r.ends_with("nginx")));
    tmux.keys(&["Escape"]);
    tmux.wait_for("filter cleared", |s| s.contains("kworker"));

    // Tree view.
    tmux.keys(&["t"]);
    tmux.wait_for("tree", |s| {
        s.contains("├─ sshd") && s.contains("│     └─ make")
    });

    // SIGTERM to "make" (pid 301): Home, 4 down, F9, Enter.
    tmux.keys(&["Home", "Down", "Down", "Down", "Down", "F9"]);
    tmux.wait_for("signal dialog", |s| {
        s.contains("Send signal") && s.contains("to pid 301")
    });
    tmux.keys(&["Enter"]);
    tmux.wait_for("signal sent", |s| s.contains("sent SIGTERM to 1 process"));

    // Resize: still draws, within the new size.
    tmux.resize(50, 12);
    let s = tmux.wait_for("small size", |s| {
        s.lines().count() <= 12 && s.contains("PID USER") && s.contains("Mem[")
    });
    assert!(s.lines().all(|l| l.chars().count() <= 50), "{s}");
    tmux.resize(100, 30);
    tmux.wait_for("big again", |s| s.contains("Mem["));

    // Quits with q; the terminal is restored and the signal was the right one.
    tmux.keys(&["q"]);
    tmux.wait_for("exit", |s| {
        s.contains(&format!("signals: [(301, {})]", libc::SIGTERM)) && s.contains("EXIT=0")
    });
}
