//! Key sequences → state, actions through the source, and batch output.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::app::{App, Flavor};
use super::columns::Column;
use super::dialogs::Dialog;
use super::input::handle_key;
use super::source::Source;
use super::testdata::{self, TestSource};
use super::view::Settings;
use super::{run_batch, top_settings, TopArgs};

fn top() -> (App, TestSource) {
    let mut src = TestSource::new();
    let mut app = App::new(Flavor::Top, Settings::top());
    app.update(src.snapshot());
    (app, src)
}

fn key(app: &mut App, src: &mut TestSource, code: KeyCode) {
    handle_key(app, KeyEvent::new(code, KeyModifiers::NONE), src);
}

fn keys(app: &mut App, src: &mut TestSource, text: &str) {
    for c in text.chars() {
        key(app, src, KeyCode::Char(c));
    }
}

fn shown(app: &mut App) -> Vec<u32> {
    app.refresh_view();
    app.view.iter().map(|v| app.row(v).pid).collect()
}

#[test]
fn quit_keys() {
    for code in [KeyCode::Char('q'), KeyCode::F(10)] {
        let (mut app, mut src) = top();
        key(&mut app, &mut src, code);
        assert!(app.quit);
    }
    let (mut app, mut src) = top();
    handle_key(
        &mut app,
        KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL),
        &mut src,
    );
    assert!(app.quit);
}

#[test]
fn sort_keys() {
    let (mut app, mut src) = top();
    assert_eq!(
        (app.settings.sort, app.settings.descending),
        (Column::Cpu, true)
    );
    key(&mut app, &mut src, KeyCode::Char('I'));
    assert_eq!(
        shown(&mut app)[..2],
        [1, 2],
        "inverted %CPU: idle first, by pid"
    );
    keys(&mut app, &mut src, "M");
    assert_eq!(
        (app.settings.sort, app.settings.descending),
        (Column::Mem, true)
    );
    keys(&mut app, &mut src, "T");
    assert_eq!(shown(&mut app)[0], 301);
    keys(&mut app, &mut src, "N");
    assert_eq!(shown(&mut app)[0], 1);
    keys(&mut app, &mut src, "P");
    assert_eq!(app.settings.sort, Column::Cpu);
    // < and > walk the shown columns: before %CPU is S, after it %MEM.
    keys(&mut app, &mut src, "<");
    assert_eq!(app.settings.sort, Column::State);
    keys(&mut app, &mut src, ">>");
    assert_eq!(app.settings.sort, Column::Mem);
    // F6: a list of every column.
    key(&mut app, &mut src, KeyCode::F(6));
    assert!(matches!(app.dialog, Dialog::Sort { .. }));
    key(&mut app, &mut src, KeyCode::Down);
    key(&mut app, &mut src, KeyCode::Enter);
    assert_eq!(app.settings.sort, Column::Time);
    assert_eq!(app.dialog, Dialog::None);
}

#[test]
fn toggles() {
    let (mut app, mut src) = top();
    keys(&mut app, &mut src, "K");
    assert!(!shown(&mut app).contains(&2));
    keys(&mut app, &mut src, "K");
    assert!(shown(&mut app).contains(&2));
    keys(&mut app, &mut src, "c");
    assert!(app.settings.full_cmd);
    keys(&mut app, &mut src, "t");
    assert!(app.settings.tree);
    keys(&mut app, &mut src, "p");
    assert!(app.paused);
    keys(&mut app, &mut src, "z");
    assert!(!app.paused);
    keys(&mut app, &mut src, "o");
    assert!(app.settings.only_active);
}

#[test]
fn search_moves_the_cursor() {
    let (mut app, mut src) = top();
    key(&mut app, &mut src, KeyCode::Char('/'));
    keys(&mut app, &mut src, "ngi");
    assert_eq!(app.selected_pid, Some(400));
    key(&mut app, &mut src, KeyCode::F(3));
    assert_eq!(app.selected_pid, Some(401));
    key(&mut app, &mut src, KeyCode::Enter);
    assert_eq!(app.dialog, Dialog::None);
    keys(&mut app, &mut src, "n");
    assert_eq!(app.selected_pid, Some(400), "wraps around");
    assert_eq!(shown(&mut app).len(), 9, "search does not filter");
    key(&mut app, &mut src, KeyCode::Char('/'));
    keys(&mut app, &mut src, "zzz");
    assert_eq!(app.selected_pid, Some(400), "no match: cursor stays");
}

#[test]
fn user_filter_dialog() {
    let (mut app, mut src) = top();
    keys(&mut app, &mut src, "u");
    let Dialog::Users { users, .. } = &app.dialog else {
        panic!("no user dialog")
    };
    assert_eq!(users, &["alice", "root", "www-data"]);
    key(&mut app, &mut src, KeyCode::Down);
    key(&mut app, &mut src, KeyCode::Enter);
    assert_eq!(app.settings.user.as_deref(), Some("alice"));
    assert_eq!(shown(&mut app), [301, 300, 200]);
    keys(&mut app, &mut src, "u");
    key(&mut app, &mut src, KeyCode::Home);
    key(&mut app, &mut src, KeyCode::Enter);
    assert_eq!(app.settings.user, None);
}

#[test]
fn signals_by_name_number_and_list() {
    let (mut app, mut src) = top();
    keys(&mut app, &mut src, "k");
    keys(&mut app, &mut src, "KILL");
    key(&mut app, &mut src, KeyCode::Enter);
    keys(&mut app, &mut src, "k9");
    key(&mut app, &mut src, KeyCode::Enter);
    keys(&mut app, &mut src, "k");
    key(&mut app, &mut src, KeyCode::Up);
    key(&mut app, &mut src, KeyCode::Enter);
    // Esc sends nothing.
    keys(&mut app, &mut src, "k");
    key(&mut app, &mut src, KeyCode::Esc);
    let term_minus_one = super::dialogs::SIGNALS[super::dialogs::term_index() - 1].1;
    assert_eq!(
        src.signals,
        [(301, libc::SIGKILL), (301, 9), (301, term_minus_one)]
    );
    // A bad name keeps the dialog open with a message.
    keys(&mut app, &mut src, "kXYZ");
    key(&mut app, &mut src, KeyCode::Enter);
    assert!(matches!(app.dialog, Dialog::Signal { .. }));
    assert_eq!(app.message.as_deref(), Some("unknown signal 'XYZ'"));
}

#[test]
fn tagged_processes_get_the_signal() {
    let (mut app, mut src) = top();
    // Tag the first two rows (301, 300); space moves down.
    keys(&mut app, &mut src, "  ");
    assert_eq!(app.tagged.iter().copied().collect::<Vec<_>>(), [300, 301]);
    key(&mut app, &mut src, KeyCode::F(9));
    key(&mut app, &mut src, KeyCode::Enter);
    assert_eq!(src.signals, [(300, libc::SIGTERM), (301, libc::SIGTERM)]);
    assert!(app.tagged.is_empty());
    assert_eq!(app.message.as_deref(), Some("sent SIGTERM to 2 processes"));
    // U untags.
    keys(&mut app, &mut src, " U");
    assert!(app.tagged.is_empty());
}

#[test]
fn signal_errors_are_reported() {
    let (mut app, mut src) = top();
    keys(&mut app, &mut src, "N");
    assert_eq!(
        app.selected_pid,
        Some(301),
        "the cursor follows the process"
    );
    key(&mut app, &mut src, KeyCode::Home);
    assert_eq!(app.selected_pid, Some(1));
    keys(&mut app, &mut src, "k");
    key(&mut app, &mut src, KeyCode::Enter);
    assert_eq!(
        app.message.as_deref(),
        Some("SIGTERM failed for 1: permission denied")
    );
}

#[test]
fn renice_dialog_and_steps() {
    let (mut app, mut src) = top();
    keys(&mut app, &mut src, "r5");
    key(&mut app, &mut src, KeyCode::Enter);
    assert_eq!(src.renices, [(301, 5)]);
    key(&mut app, &mut src, KeyCode::F(8));
    key(&mut app, &mut src, KeyCode::F(7));
    key(&mut app, &mut src, KeyCode::F(7));
    assert_eq!(src.renices[1..], [(301, 6), (301, 5), (301, 4)]);
    keys(&mut app, &mut src, "r99");
    key(&mut app, &mut src, KeyCode::Enter);
    assert!(matches!(app.dialog, Dialog::Renice { .. }));
    assert!(app.message.as_deref().unwrap_or("").contains("-20..19"));
    key(&mut app, &mut src, KeyCode::Esc);
    assert_eq!(src.renices.len(), 4);
}

#[test]
fn column_chooser() {
    let (mut app, mut src) = top();
    key(&mut app, &mut src, KeyCode::F(2));
    key(&mut app, &mut src, KeyCode::Down);
    keys(&mut app, &mut src, " ");
    assert!(app.settings.columns.contains(&Column::Ppid));
    key(&mut app, &mut src, KeyCode::Up);
    keys(&mut app, &mut src, " ");
    assert!(!app.settings.columns.contains(&Column::Pid));
    key(&mut app, &mut src, KeyCode::Enter);
    assert_eq!(app.settings.columns[0], Column::Ppid);
}

#[test]
fn vanished_processes_keep_the_ui_consistent() {
    let (mut app, mut src) = top();
    key(&mut app, &mut src, KeyCode::End);
    keys(&mut app, &mut src, " ");
    let tagged = app.selected_pid;
    assert!(tagged.is_some());
    src.rows.retain(|r| r.pid == 1);
    app.update(src.snapshot());
    assert_eq!(shown(&mut app), [1]);
    assert_eq!(app.cursor, 0);
    assert!(app.tagged.is_empty(), "tags of gone processes are dropped");
    src.rows.clear();
    app.update(src.snapshot());
    assert!(shown(&mut app).is_empty());
    for code in [
        KeyCode::Down,
        KeyCode::Char(' '),
        KeyCode::F(9),
        KeyCode::Char('r'),
    ] {
        key(&mut app, &mut src, code);
    }
    assert_eq!(app.dialog, Dialog::None, "no target, no dialog");
}

#[test]
fn io_rates_are_deltas_over_the_interval() {
    let mut src = TestSource::new();
    let mut app = App::new(Flavor::Iotop, Settings::iotop());
    app.update(src.snapshot());
    assert!(
        app.io.iter().all(|r| r.read.is_none()),
        "first sample: unknown"
    );
    app.update(src.snapshot());
    let rate = |app: &App, pid| {
        let i = app.snap.rows.iter().position(|r| r.pid == pid).unwrap();
        app.io[i]
    };
    assert_eq!(rate(&app, 300).read, Some(6.0 * 1024.0 * 1024.0));
    assert_eq!(rate(&app, 200).write, Some(4096.0));
    assert_eq!(rate(&app, 2).read, None, "unreadable counters");
    assert_eq!(app.io_total, (16.0 * 1024.0 * 1024.0, 4096.0));
    app.settings.only_active = true;
    app.invalidate();
    assert_eq!(shown(&mut app), [300, 200, 100, 401, 1, 400]);
}

fn args(extra: &[&str]) -> TopArgs {
    use clap::Parser;
    #[derive(clap::Parser)]
    struct Cli {
        #[command(flatten)]
        top: TopArgs,
    }
    let mut v = vec!["top"];
    v.extend_from_slice(extra);
    Cli::parse_from(v).top
}

#[test]
fn command_line_settings() {
    let s = top_settings(&args(&[
        "-s", "%MEM", "-t", "-u", "alice", "-p", "1,2", "-p", "3",
    ]))
    .unwrap();
    assert_eq!((s.sort, s.descending, s.tree), (Column::Mem, true, true));
    assert_eq!(s.user.as_deref(), Some("alice"));
    assert_eq!(s.pids, [1, 2, 3]);
    let s = top_settings(&args(&["--columns", "pid,command", "-s", "pid"])).unwrap();
    assert_eq!(s.columns, [Column::Pid, Column::Command]);
    assert!(!s.descending);
    assert!(top_settings(&args(&["-s", "bogus"]))
        .unwrap_err()
        .contains("unknown sort key 'bogus'"));
    assert!(top_settings(&args(&["--columns", "x"])).is_err());
    assert!(super::delay(-1.0).is_err());
    assert!(super::delay(f64::NAN).is_err());
}

fn batch(flavor: Flavor, settings: Settings, n: u64, json: bool) -> String {
    let mut src = TestSource::new();
    let mut app = App::new(flavor, settings);
    let mut out = Vec::new();
    let failed = run_batch(
        &mut app,
        &mut src,
        std::time::Duration::ZERO,
        Some(n),
        json,
        &mut out,
    )
    .unwrap();
    assert!(!failed, "the test source reports no errors");
    assert_eq!(src.count, n + 1, "one priming sample, then one per report");
    String::from_utf8(out).unwrap()
}

#[test]
fn batch_text_like_top() {
    let out = batch(Flavor::Top, Settings::top(), 2, false);
    assert_eq!(out.matches("top - ").count(), 2);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("top - "));
    assert!(lines[0].ends_with(" up 3 days,  4:05,  2 users,  load average: 0.50, 0.25, 0.12"));
    assert_eq!(
        lines[1],
        "Tasks:   9 total,   1 running,   7 sleeping,   0 stopped,   1 zombie"
    );
    assert_eq!(lines[2], "%Cpu(s): 40.0 used");
    assert_eq!(
        lines[3],
        "MiB Mem :   8192.0 total,   4096.0 free,   2048.0 used,   1280.0 buff/cache"
    );
    assert_eq!(
        lines[4],
        "MiB Swap:   2048.0 total,   1536.0 free,    512.0 used.   6144.0 avail Mem"
    );
    assert_eq!(lines[5], "");
    assert_eq!(
        lines[6],
        "    PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND"
    );
    assert_eq!(
        lines[7],
        "    301 alice     20   0  102400  10240   5120 R  80.0   0.5   1:23.45 make"
    );
    // A blank line after each report.
    assert_eq!(lines[16], "");
    assert!(lines[17].starts_with("top - "));
    assert_eq!(lines.len(), 2 * 17);
}

#[test]
fn batch_tree_and_full_commands() {
    let mut s = Settings::top();
    s.tree = true;
    s.full_cmd = true;
    s.sort_by(Column::Pid);
    s.columns = vec![Column::Pid, Column::Command];
    let out = batch(Flavor::Top, s, 1, false);
    let table: Vec<&str> = out.lines().skip_while(|l| !l.contains("PID")).collect();
    assert_eq!(table[0], "    PID COMMAND");
    assert_eq!(table[1], "      1 /usr/bin/init --flag");
    assert_eq!(table[2], "    100 ├─ /usr/bin/sshd --flag");
    assert_eq!(table[8], "      2 [kthreadd]");
    assert_eq!(table[9], "      3 └─ [kworker/0:1]");
}

#[test]
fn batch_json_lines() {
    let out = batch(Flavor::Top, Settings::top(), 2, true);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2);
    for l in lines {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        assert_eq!(v["tasks"]["total"], 9);
        assert_eq!(v["tasks"]["zombie"], 1);
        assert_eq!(v["system"]["load"][0], 0.5);
        assert_eq!(v["system"]["cpu_percpu"].as_array().unwrap().len(), 4);
        let procs = v["processes"].as_array().unwrap();
        assert_eq!(procs.len(), 9);
        assert_eq!(procs[0]["pid"], 301);
        assert_eq!(procs[0]["status"], "running");
        assert_eq!(procs[0]["cpu_time"], 83.45);
        assert_eq!(procs[0]["cmdline"][0], "/usr/bin/make");
    }
}

#[test]
fn iotop_batch_text_and_json() {
    let mut s = Settings::iotop();
    s.only_active = true;
    let out = batch(Flavor::Iotop, s.clone(), 1, false);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "Total DISK READ:      16.00 M/s | Total DISK WRITE:       4.00 K/s"
    );
    assert_eq!(
        lines[2],
        "    PID PRIO   USER       DISK READ  DISK WRITE  %CPU COMMAND"
    );
    assert_eq!(
        lines[3],
        "    300 be/4   alice       6.00 M/s    0.00 B/s  30.0 /usr/bin/vim --flag"
    );
    assert_eq!(
        lines.len(),
        3 + 6 + 1,
        "-o leaves out 301 and the kernel threads"
    );
    let out = batch(Flavor::Iotop, s, 1, true);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["total_read_bytes_per_sec"], 16.0 * 1024.0 * 1024.0);
    assert_eq!(v["total_write_bytes_per_sec"], 4096.0);
    assert_eq!(v["processes"][0]["pid"], 300);
    assert_eq!(v["processes"][0]["read_bytes_per_sec"], 6291456.0);
    assert_eq!(v["processes"].as_array().unwrap().len(), 6);
}

/// `n` text reports of `top -b` on `src`: the output, and whether it failed.
fn top_batch(src: &mut TestSource, n: u64) -> (Vec<u8>, bool) {
    let mut app = App::new(Flavor::Top, Settings::top());
    let mut out = Vec::new();
    let failed = run_batch(
        &mut app,
        src,
        std::time::Duration::ZERO,
        Some(n),
        false,
        &mut out,
    )
    .unwrap();
    (out, failed)
}

#[test]
fn zero_iterations_print_nothing() {
    let (out, failed) = top_batch(&mut TestSource::new(), 0);
    assert!(out.is_empty() && !failed);
    let _ = testdata::row(1, 0, "x", "y");
}

#[test]
fn typing_digits_jumps_to_a_pid() {
    let (mut app, mut src) = top();
    keys(&mut app, &mut src, "40");
    assert_eq!(app.selected_pid, Some(400));
    keys(&mut app, &mut src, "1");
    assert_eq!(app.selected_pid, Some(401));
    // Another key starts over.
    key(&mut app, &mut src, KeyCode::Down);
    keys(&mut app, &mut src, "3");
    assert_eq!(app.selected_pid, Some(301));
    keys(&mut app, &mut src, "9");
    assert_eq!(
        app.selected_pid,
        Some(301),
        "no pid 39: stays, and starts over"
    );
    assert!(app.pid_jump.is_empty());
}

#[test]
fn batch_reports_snapshot_errors_as_a_failure() {
    let mut src = TestSource::new();
    src.errors = vec!["/proc/stat: a FIFO where a regular file was expected".into()];
    let (out, failed) = top_batch(&mut src, 1);
    assert!(failed, "an unreadable system file must fail the run");
    assert!(!out.is_empty(), "the report is still printed");
}
