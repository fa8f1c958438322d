//! Layout snapshots on ratatui's TestBackend, key sequences, and batch output,
//! all on the synthetic source.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

use super::app::{App, Flavor};
use super::columns::Column;
use super::dialogs::Dialog;
use super::input::{handle_key, handle_mouse};
use super::render::{draw, Theme};
use super::source::Source;
use super::testdata::{self, TestSource};
use super::view::Settings;

fn top() -> (App, TestSource) {
    let mut src = TestSource::new();
    let mut app = App::new(Flavor::Top, Settings::top());
    app.update(src.snapshot());
    app.update(src.snapshot());
    (app, src)
}

fn iotop() -> (App, TestSource) {
    let mut src = TestSource::new();
    let mut app = App::new(Flavor::Iotop, Settings::iotop());
    app.update(src.snapshot());
    app.update(src.snapshot());
    (app, src)
}

fn screen_with(app: &mut App, w: u16, h: u16, theme: &Theme) -> Vec<String> {
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| draw(app, f.area(), f.buffer_mut(), theme))
        .unwrap();
    let buf = term.backend().buffer();
    (0..buf.area.height)
        .map(|y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
                .trim_end()
                .to_string()
        })
        .collect()
}

fn screen(app: &mut App, w: u16, h: u16) -> Vec<String> {
    screen_with(app, w, h, &Theme::mono())
}

fn key(app: &mut App, src: &mut TestSource, code: KeyCode) {
    handle_key(app, KeyEvent::new(code, KeyModifiers::NONE), src);
}

fn keys(app: &mut App, src: &mut TestSource, text: &str) {
    for c in text.chars() {
        key(app, src, KeyCode::Char(c));
    }
}

fn shown_pids(app: &mut App) -> Vec<u32> {
    app.refresh_view();
    app.view.iter().map(|v| app.row(v).pid).collect()
}

#[test]
fn screen_80x24() {
    let (mut app, _) = top();
    let s = screen(&mut app, 80, 24);
    let expected = [
        "  0[|||                          10.0%]   2[                               0.0%]",
        "  1[|||||||||||||||||            50.0%]   3[|||||||||||||||||||||||||||||100.0%]",
        "Avg[||||||||||||||               40.0%] Tasks: 9, 2 kthr; 1 running",
        "Mem[||||||||||||||         2.00G/8.00G] Sleeping: 7  Stopped: 0  Zombie: 1",
        "Swp[|||||||||               512M/2.00G] Load average: 0.50 0.25 0.12",
        "                                        Uptime: 3 days, 04:05:00",
        "    PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND",
        "    301 alice     20   0  102400  10240   5120 R  80.0   0.5   1:23.45 make",
        "    300 alice     20   0  102400  10240   5120 S  30.0   2.0   0:01.00 vim",
        "    400 www-data  20   0  102400  10240   5120 S   5.0   1.0   0:01.00 nginx",
        "      1 root      20   0  102400  10240   5120 S   0.0   0.5   0:01.00 init",
        "      2 root      20   0       0      0      0 S   0.0   0.0   0:01.00 kthreadd",
        "      3 root      20   0       0      0      0 S   0.0   0.0   0:01.00 kworker/0",
        "    100 root      20   0  102400  10240   5120 S   0.0   0.5   0:01.00 sshd",
        "    200 alice     20   0  102400  10240   5120 S   0.0   0.5   0:01.00 bash",
        "    401 www-data  20   0  102400  10240   5120 Z   0.0   0.5   0:01.00 nginx",
    ];
    for (i, line) in expected.iter().enumerate() {
        assert_eq!(s[i], *line, "line {i}:\n{}", s.join("\n"));
    }
    assert!(s[16..23].iter().all(|l| l.is_empty()));
    assert!(s[23].starts_with("F1Help F2Setup F3Search F4Filter F5Tree F6SortBy"));
}

#[test]
fn screen_120x40_shows_everything_with_room() {
    let (mut app, _) = top();
    let s = screen(&mut app, 120, 40);
    // Two header columns of 60: CPUs, then meters left and text right.
    assert!(s[0].starts_with("  0[|||"), "{}", s[0]);
    assert!(s[0].contains("  2["));
    assert!(s.iter().any(|l| l.contains("Tasks: 9, 2 kthr; 1 running")));
    let labels = s
        .iter()
        .position(|l| l.trim_start().starts_with("PID USER"))
        .unwrap();
    assert_eq!(labels, 6);
    assert!(
        s[labels + 6].ends_with("kworker/0:1"),
        "wide enough for the whole name"
    );
    assert!(s[39].starts_with("F1Help"));
    assert!(s[39].contains("F10Quit"));
}

#[test]
fn narrow_terminal_stacks_the_header() {
    let (mut app, _) = top();
    let s = screen(&mut app, 60, 30);
    // One column: 4 CPU lines, then Avg Mem Swp, then the texts.
    assert!(s[3].starts_with("  3["));
    assert!(s[4].starts_with("Avg["));
    assert!(s[7].starts_with("Tasks: 9"));
}

#[test]
fn tiny_terminals_render_what_fits() {
    let (mut app, _) = top();
    let s = screen(&mut app, 20, 5);
    assert_eq!(s.len(), 5);
    // No room for the header: the labels, rows, and the key bar.
    assert_eq!(s[0], "    PID USER      PR");
    assert_eq!(s[1], "    301 alice     20");
    assert!(s[4].starts_with("F1Help"));
    for (w, h) in [(1, 1), (2, 2), (1, 40), (200, 1), (0, 0), (3, 3)] {
        let s = screen(&mut app, w, h);
        assert_eq!(s.len(), usize::from(h));
    }
    let s = screen(&mut app, 1, 1);
    assert_eq!(s, [" "].map(str::trim_end));
}

#[test]
fn tiny_terminals_with_dialogs_do_not_panic() {
    let (mut app, mut src) = top();
    for code in [
        KeyCode::F(9),
        KeyCode::Esc,
        KeyCode::Char('r'),
        KeyCode::Esc,
    ] {
        key(&mut app, &mut src, code);
        for (w, h) in [(1, 1), (5, 3), (20, 5), (0, 0)] {
            screen(&mut app, w, h);
        }
    }
    for code in [
        KeyCode::Char('u'),
        KeyCode::F(6),
        KeyCode::F(2),
        KeyCode::F(1),
    ] {
        key(&mut app, &mut src, code);
        for (w, h) in [(1, 1), (5, 3), (20, 5)] {
            screen(&mut app, w, h);
        }
        key(&mut app, &mut src, KeyCode::Esc);
    }
}

#[test]
fn tree_view_indents_children() {
    let (mut app, mut src) = top();
    keys(&mut app, &mut src, "tN");
    let s = screen(&mut app, 100, 24);
    let start = s
        .iter()
        .position(|l| l.trim_start().starts_with("PID"))
        .unwrap();
    let cmds: Vec<&str> = s[start + 1..start + 10].iter().map(|l| &l[71..]).collect();
    assert_eq!(
        cmds,
        [
            "init",
            "├─ sshd",
            "│  └─ bash",
            "│     ├─ vim",
            "│     └─ make",
            "└─ nginx",
            "   └─ nginx",
            "kthreadd",
            "└─ kworker/0:1",
        ]
    );
    // Collapse bash (pid 200): its children go, and it shows a '+'.
    key(&mut app, &mut src, KeyCode::Home);
    for _ in 0..2 {
        key(&mut app, &mut src, KeyCode::Down);
    }
    assert_eq!(app.selected_pid, Some(200));
    key(&mut app, &mut src, KeyCode::Char('-'));
    assert_eq!(shown_pids(&mut app), [1, 100, 200, 400, 401, 2, 3]);
    let s = screen(&mut app, 100, 24);
    assert!(s.iter().any(|l| l.ends_with("│  └─+bash")));
    key(&mut app, &mut src, KeyCode::Char('+'));
    assert_eq!(shown_pids(&mut app).len(), 9);
    key(&mut app, &mut src, KeyCode::Char('*'));
    assert_eq!(shown_pids(&mut app), [1, 2]);
    key(&mut app, &mut src, KeyCode::Char('*'));
    assert_eq!(shown_pids(&mut app).len(), 9);
}

#[test]
fn filter_is_incremental_and_shown() {
    let (mut app, mut src) = top();
    key(&mut app, &mut src, KeyCode::F(4));
    keys(&mut app, &mut src, "ngi");
    assert_eq!(shown_pids(&mut app), [400, 401]);
    let s = screen(&mut app, 80, 24);
    assert_eq!(s[23], "Filter: ngi_");
    assert!(s[8].ends_with("nginx") && s[9].is_empty());
    keys(&mut app, &mut src, "|vim");
    assert_eq!(shown_pids(&mut app), [300, 400, 401]);
    key(&mut app, &mut src, KeyCode::Enter);
    let s = screen(&mut app, 120, 24);
    assert!(s[23].ends_with("Filter: ngi|vim"), "{}", s[23]);
    key(&mut app, &mut src, KeyCode::Char('\\'));
    key(&mut app, &mut src, KeyCode::Esc);
    assert_eq!(shown_pids(&mut app).len(), 9);
}

#[test]
fn signal_dialog_defaults_to_sigterm() {
    let (mut app, mut src) = top();
    key(&mut app, &mut src, KeyCode::F(9));
    let s = screen(&mut app, 80, 24);
    let all = s.join("\n");
    assert!(all.contains("Send signal"), "{all}");
    assert!(all.contains("to pid 301"));
    assert!(all.contains(&format!("{:2} SIGTERM", libc::SIGTERM)));
    key(&mut app, &mut src, KeyCode::Enter);
    assert_eq!(src.signals, [(301, libc::SIGTERM)]);
    assert_eq!(app.dialog, Dialog::None);
    assert_eq!(app.message.as_deref(), Some("sent SIGTERM to 1 process"));
    assert_eq!(screen(&mut app, 80, 24)[23], "sent SIGTERM to 1 process");
}

#[test]
fn selection_and_dialogs_use_styles_but_no_colour_with_no_color() {
    use ratatui::style::Color;
    let (mut app, mut src) = top();
    key(&mut app, &mut src, KeyCode::F(9));
    let mono = Theme::for_no_color(Some(std::ffi::OsStr::new("1")));
    assert_eq!(mono, Theme::mono());
    assert_eq!(
        Theme::for_no_color(Some(std::ffi::OsStr::new(""))),
        Theme::color()
    );
    assert_eq!(Theme::for_no_color(None), Theme::color());
    let mut term = Terminal::new(TestBackend::new(80, 24)).unwrap();
    term.draw(|f| draw(&mut app, f.area(), f.buffer_mut(), &mono))
        .unwrap();
    let buf = term.backend().buffer();
    assert!(buf
        .content()
        .iter()
        .all(|c| c.fg == Color::Reset && c.bg == Color::Reset));
    term.draw(|f| draw(&mut app, f.area(), f.buffer_mut(), &Theme::color()))
        .unwrap();
    let buf = term.backend().buffer();
    assert!(buf.content().iter().any(|c| c.bg != Color::Reset));
}

#[test]
fn iotop_screen() {
    let (mut app, _) = iotop();
    let s = screen(&mut app, 80, 12);
    assert_eq!(
        s[0],
        "Total DISK READ:    16.00 M/s | Total DISK WRITE:     4.00 K/s"
    );
    assert_eq!(s[1], "Tasks: 9, 1 running");
    assert_eq!(
        s[2],
        "    PID PRIO   USER       DISK READ  DISK WRITE  %CPU COMMAND"
    );
    // Once the disks' own rates are known, they take the second line.
    app.io_current = Some((2048.0, 3.0 * 1024.0 * 1024.0));
    let s3 = screen(&mut app, 80, 12);
    assert_eq!(
        s3[1],
        "Current DISK READ:   2.00 K/s | Current DISK WRITE:   3.00 M/s"
    );
    assert_eq!(s3[2], "Tasks: 9, 1 running");
    assert!(s3[3].trim_start().starts_with("PID PRIO"), "{s3:?}");
    app.io_current = None;
    assert_eq!(
        s[3],
        "    300 be/4   alice       6.00 M/s    0.00 B/s  30.0 /usr/bin/vim --flag"
    );
}

#[test]
fn help_screen_and_back() {
    let (mut app, mut src) = top();
    key(&mut app, &mut src, KeyCode::F(1));
    let s = screen(&mut app, 80, 24);
    assert!(s[0].starts_with("pskit top: keys"));
    assert!(s.iter().any(|l| l.contains("F9 k        send a signal")));
    key(&mut app, &mut src, KeyCode::Char('x'));
    assert_eq!(app.dialog, Dialog::None);
    assert!(!app.quit, "a key on the help screen only closes it");
}

#[test]
fn scrolling_follows_the_cursor() {
    let mut src = TestSource::new();
    src.rows = (1..=100).map(|p| testdata::row(p, 0, "u", "p")).collect();
    let mut app = App::new(Flavor::Top, Settings::top());
    app.update(src.snapshot());
    let s = screen(&mut app, 80, 10);
    // 10 lines: header 0 (no room), labels, 8 rows, key bar... header wants 6.
    let first = s
        .iter()
        .position(|l| l.trim_start().starts_with("PID"))
        .unwrap();
    assert_eq!(s[first + 1].trim_start().split(' ').next(), Some("1"));
    key(&mut app, &mut src, KeyCode::End);
    let s = screen(&mut app, 80, 10);
    assert_eq!(app.cursor, 99);
    assert_eq!(s[8].trim_start().split(' ').next(), Some("100"));
    key(&mut app, &mut src, KeyCode::PageUp);
    key(&mut app, &mut src, KeyCode::Home);
    let s = screen(&mut app, 80, 10);
    assert_eq!(app.scroll, 0);
    assert_eq!(s[first + 1].trim_start().split(' ').next(), Some("1"));
}

#[test]
fn mouse_selects_rows_and_sorts_columns() {
    let (mut app, _) = top();
    screen(&mut app, 80, 24);
    let click = |col, row| MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: col,
        row,
        modifiers: KeyModifiers::NONE,
    };
    // Row 10 is the 4th process line (pid 1).
    handle_mouse(&mut app, click(3, 10));
    assert_eq!(app.selected_pid, Some(1));
    // "PID" label: sort by pid ascending, then descending.
    handle_mouse(&mut app, click(5, 6));
    assert_eq!(app.settings.sort, Column::Pid);
    assert_eq!(shown_pids(&mut app)[0], 1);
    handle_mouse(&mut app, click(5, 6));
    assert_eq!(shown_pids(&mut app)[0], 401);
    // "%MEM" label.
    let s = screen(&mut app, 80, 24);
    let x = s[6].find("%MEM").unwrap() as u16;
    handle_mouse(&mut app, click(x, 6));
    assert_eq!(app.settings.sort, Column::Mem);
    assert_eq!(shown_pids(&mut app)[0], 300);
    // Clicks outside the table do nothing.
    handle_mouse(&mut app, click(0, 0));
    handle_mouse(&mut app, click(0, 23));
    assert_eq!(app.settings.sort, Column::Mem);
}

fn with_pressure_and_limits(app: &mut App) {
    use pskit::pressure::{Pressure, PressureLine, ResourcePressure};
    let line = |avg10| PressureLine {
        avg10,
        avg60: 0.0,
        avg300: 0.0,
        total: 0,
    };
    let res = |some, full: Option<f64>| {
        Some(ResourcePressure {
            some: Some(line(some)),
            full: full.map(line),
        })
    };
    let s = &mut app.snap.system;
    s.pressure = Some(Pressure {
        cpu: res(12.5, None),
        memory: res(1.0, Some(0.5)),
        io: res(50.0, Some(25.0)),
        irq: None,
    });
    s.cpu_limit = Some(pskit::container::CpuLimit {
        cpus: 1.5,
        quota: Some(1.5),
        affinity: 4,
        cgroup_version: Some(2),
        cgroup: Some("/box".into()),
    });
    s.memory_limit = Some(pskit::container::MemoryLimit {
        limit: Some(512 * 1024 * 1024),
        usage: Some(256 * 1024 * 1024),
        peak: None,
        swap_limit: None,
        cgroup_version: Some(2),
        cgroup: Some("/box".into()),
    });
}

#[test]
fn pressure_and_container_meters() {
    let (mut app, _) = top();
    with_pressure_and_limits(&mut app);
    let s = screen(&mut app, 100, 30);
    let all = s.join("\n");
    assert!(all.contains("PSI cpu[||||"), "{all}");
    assert!(all.contains("some 12.50%]"));
    assert!(all.contains("PSI mem["));
    assert!(all.contains("some 1.00% full 0.50%]"));
    assert!(all.contains("PSI io[|||||"));
    assert!(all.contains("Cgroup mem[|"));
    assert!(all.contains("256M/512M]"));
    assert!(all.contains("Container CPUs: 1.50 of 4"));
    let mut text = String::new();
    super::batch::text_report(&mut app, &mut text);
    assert!(text.contains("PSI some avg10: cpu 12.50%, memory 1.00%, io 50.00%\n"));
    assert!(text.contains("Container: 1.50 CPUs memory 256.0 of 512.0 MiB\n"));
}

#[test]
fn iotop_orders_by_read_plus_write() {
    let (mut app, _) = iotop();
    let s = screen(&mut app, 100, 14);
    let bytes = |v: &str, u: &str| -> f64 {
        let k = match u {
            "B/s" => 1.0,
            "K/s" => 1024.0,
            "M/s" => 1024.0 * 1024.0,
            "G/s" => 1024.0 * 1024.0 * 1024.0,
            _ => panic!("unit {u}"),
        };
        v.parse::<f64>().unwrap() * k
    };
    // Rows whose I/O cannot be read show "?" and come last.
    let rows: Vec<Option<f64>> = s[3..]
        .iter()
        .filter(|l| {
            l.split_whitespace()
                .next()
                .is_some_and(|p| p.parse::<u32>().is_ok())
        })
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f[4] != "?").then(|| bytes(f[3], f[4]) + bytes(f[5], f[6]))
        })
        .collect();
    let known: Vec<f64> = rows.iter().map_while(|r| *r).collect();
    assert!(known.len() >= 5, "{s:?}");
    assert!(rows[known.len()..].iter().all(Option::is_none), "{s:?}");
    assert!(known.windows(2).all(|w| w[0] >= w[1]), "{known:?}");
}
