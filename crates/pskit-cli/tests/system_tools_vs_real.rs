//! System tools beside the real ones (issue #13): procps `free` in every unit
//! and layout, its argument errors and statuses, and procps `uptime -s` and `-p`.

use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_pskit");

fn real(tool: &str, args: &[&str]) -> Output {
    Command::new(tool)
        .args(args)
        .output()
        .expect("the real tool runs")
}

fn ours(tool: &str, args: &[&str]) -> Output {
    Command::new(BIN).arg(tool).args(args).output().unwrap()
}

/// The figures of free's lines, as columns of numbers per labelled line.
fn layout(text: &str) -> Vec<(String, usize)> {
    text.lines()
        .map(|l| {
            let label = l.split_whitespace().next().unwrap_or("").to_string();
            (
                if l.starts_with(' ') {
                    l.to_string()
                } else {
                    label
                },
                l.len(),
            )
        })
        .collect()
}

#[test]
fn free_layouts_and_units_match_procps() {
    for args in [
        &[][..],
        &["-b"],
        &["-k"],
        &["-m"],
        &["-g"],
        &["--tebi"],
        &["--kilo"],
        &["--mega"],
        &["--giga"],
        &["--tera"],
        &["--si", "-m"],
        &["-w"],
        &["-l"],
        &["-t"],
        &["-v"],
        &["-l", "-t", "-v", "-w"],
        &["-h"],
        &["-h", "--si", "-w"],
    ] {
        // Headers, labels and line widths are equal; the figures move between
        // two runs, so they are compared only on lines that hold still (Swap,
        // High, and the totals and limits).
        let mut last = String::new();
        let ok = (0..5).any(|_| {
            let (r, o) = (real("free", args), ours("free", args));
            assert_eq!(o.status.code(), Some(0), "free {args:?}");
            let (r, o) = (
                String::from_utf8_lossy(&r.stdout).into_owned(),
                String::from_utf8_lossy(&o.stdout).into_owned(),
            );
            let still = |t: &str| -> Vec<String> {
                t.lines()
                    .filter(|l| l.starts_with("Swap:") || l.starts_with("High:"))
                    .map(String::from)
                    .collect()
            };
            let same_total = |t: &str| {
                t.lines()
                    .nth(1)
                    .map(|l| l.split_whitespace().nth(1).map(String::from))
            };
            last = format!("procps:\n{r}pskit:\n{o}");
            layout(&r) == layout(&o) && still(&r) == still(&o) && same_total(&r) == same_total(&o)
        });
        assert!(ok, "free {args:?}\n{last}");
    }
}

#[test]
fn free_argument_errors_match_procps() {
    for args in [
        &["-s", "-1"][..],
        &["-s", "0"],
        &["-s", "1e300", "-c", "1"],
        &["-s", "nan", "-c", "1"],
        &["-s", "abc"],
        &["-s", "0.0000001"],
        &["-c", "abc"],
        &["-c", "0"],
        &["-c", "-1"],
        &["-c", "99999999999999999999"],
        &["-b", "-m"],
        &["--kilo", "-g"],
    ] {
        let (r, o) = (real("free", args), ours("free", args));
        assert_eq!(r.status.code(), o.status.code(), "free {args:?}");
        let r = String::from_utf8_lossy(&r.stderr).replace("free:", "pskit free:");
        assert_eq!(r, String::from_utf8_lossy(&o.stderr), "free {args:?}");
    }
    // Repeating: COUNT reports SECONDS apart, a blank line between them.
    let o = ours("free", &["-s", "0.1", "-c", "2"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(text.lines().filter(|l| l.starts_with("Mem:")).count(), 2);
    assert_eq!(text.lines().filter(|l| l.is_empty()).count(), 1);
}

#[test]
fn uptime_since_matches_procps() {
    let (r, o) = (real("uptime", &["-s"]), ours("uptime", &["-s"]));
    assert_eq!(r.stdout, o.stdout);
    let (r, o) = (real("uptime", &["-p"]), ours("uptime", &["-p"]));
    assert_eq!(r.stdout, o.stdout);
}

/// `uptime -p` beside procps at the edges of its units: in a private mount
/// namespace (root, as the test command runs), a chosen /proc/uptime is
/// bind-mounted over the real one and both tools read it. The live comparison
/// above sees only the machine's own uptime.
#[test]
fn uptime_pretty_matches_procps_at_unit_edges() {
    let dir = std::env::temp_dir().join(format!("pskit-uptime-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("uptime");
    let ups = [
        "30.5",
        "60.0",
        "3600.0",
        "3600.5",
        "64800.2",
        "90000.5",
        "31449600.5",
        "31622400.5",
        "315360000.5",
    ];
    for up in ups {
        std::fs::write(&file, format!("{up} 100.00\n")).unwrap();
        let script = r#"mount --bind "$1" /proc/uptime && uptime -p && "$2" uptime -p"#;
        let out = Command::new("unshare")
            .args(["-m", "sh", "-c", script, "sh"])
            .arg(&file)
            .arg(BIN)
            .output()
            .expect("unshare runs");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{up}: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{up}: {text}");
        assert_eq!(lines[1], lines[0], "uptime -p at {up} s");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn top_batch_options_match_procps() {
    for args in [
        &["-w", "9999"][..],
        &["-w", "0"],
        &["-E", "x"],
        &["-o", "BOGUS"],
        &["-u", "nosuchuser-pskit"],
    ] {
        let mut full = vec!["-b", "-n", "1"];
        full.extend(args);
        let (r, o) = (real("top", &full), ours("top", &full));
        assert_eq!(r.status.code(), o.status.code(), "top {full:?}");
        let r = String::from_utf8_lossy(&r.stderr).replace("top:", "pskit top:");
        assert_eq!(
            r.trim(),
            String::from_utf8_lossy(&o.stderr).trim(),
            "top {full:?}"
        );
    }
    // -E g: the memory lines in GiB, with procps's labels.
    let o = ours("top", &["-b", "-n", "1", "-E", "g"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.lines().any(|l| l.starts_with("GiB Mem :")), "{text}");
    assert!(text.lines().any(|l| l.starts_with("GiB Swap:")), "{text}");
    // -o %MEM: highest %MEM first; -o -PID: lowest pid first; -w 40 cuts lines.
    // Six processes of our own, so the order is checked on enough rows even
    // in a container whose table holds little else.
    let mut kids: Vec<std::process::Child> = (0..6)
        .map(|_| Command::new("sleep").arg("60").spawn().unwrap())
        .collect();
    let o = ours("top", &["-b", "-n", "1", "-o", "-PID"]);
    for k in &mut kids {
        let _ = k.kill();
        let _ = k.wait();
    }
    let pids: Vec<u32> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next()?.parse().ok())
        .collect();
    assert!(
        kids.iter().all(|k| pids.contains(&k.id())) && pids.windows(2).all(|w| w[0] < w[1]),
        "{pids:?}"
    );
    let o = ours("top", &["-b", "-n", "1", "-w", "40"]);
    assert!(String::from_utf8_lossy(&o.stdout)
        .lines()
        .all(|l| l.chars().count() <= 40));
}

/// The rows of a top batch screen: (PID, COMMAND) and the header line.
fn top_rows(text: &str) -> (Vec<(u32, String)>, String) {
    let mut rows: Vec<(u32, String)> = text
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            Some((f.first()?.parse().ok()?, f.last()?.to_string()))
        })
        .collect();
    rows.sort();
    let head = text
        .lines()
        .find(|l| l.trim_start().starts_with("PID"))
        .unwrap_or("")
        .to_string();
    (rows, head)
}

#[test]
fn top_threads_match_procps() {
    // A process with four threads, two of them named by prctl.
    let mut kid = Command::new("python3")
        .arg("-c")
        .arg(
            "import ctypes, threading, time, sys\n\
             libc = ctypes.CDLL(None)\n\
             def named(n):\n\
             \x20   libc.prctl(15, n.encode(), 0, 0, 0)\n\
             \x20   time.sleep(60)\n\
             for n in ('pskit-t1', 'pskit-t2'):\n\
             \x20   threading.Thread(target=named, args=(n,), daemon=True).start()\n\
             threading.Thread(target=time.sleep, args=(60,), daemon=True).start()\n\
             time.sleep(0.5)\n\
             print('ready', flush=True)\n\
             time.sleep(60)\n",
        )
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(kid.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    assert_eq!(line.trim(), "ready");
    let pid = kid.id().to_string();
    let args = ["-H", "-b", "-n", "1", "-p", &pid];
    let (r, o) = (real("top", &args), ours("top", &args));
    let _ = kid.kill();
    let _ = kid.wait();
    assert_eq!(o.status.code(), Some(0));
    let (rt, ot) = (
        String::from_utf8_lossy(&r.stdout),
        String::from_utf8_lossy(&o.stdout),
    );
    let ((r_rows, r_head), (o_rows, o_head)) = (top_rows(&rt), top_rows(&ot));
    assert_eq!(r_rows, o_rows, "procps:\n{rt}\npskit:\n{ot}");
    assert_eq!(o_rows.len(), 4);
    assert!(o_rows.iter().any(|(_, n)| n == "pskit-t1"));
    assert_eq!(r_head, o_head);
    // The summary counts threads, not tasks.
    let threads = |t: &str| {
        t.lines()
            .find(|l| l.starts_with("Threads:"))
            .map(|l| l.split_whitespace().nth(1).unwrap_or("").to_string())
    };
    assert!(threads(&ot).is_some(), "{ot}");
    assert!(!ot.contains("Tasks:"));
}
