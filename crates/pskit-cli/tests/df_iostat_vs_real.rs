//! `pskit df` beside coreutils `df`, `pskit iostat` beside sysstat's `iostat`:
//! same rows, columns, widths, number formats, messages and exit statuses.
//!
//! Figures of a busy system move between runs, so each comparison runs the real
//! tool before and after pskit: pskit's output must equal one of them, or (when
//! the system moved in between) every figure must lie between the two real
//! ones, with text and layout equal. Needs coreutils and sysstat
//! (`apt-get install sysstat`).

use std::process::{Command, Output};

fn run(prog: &str, args: &[&str]) -> Output {
    run_with(prog, args, &[])
}

/// `run` with these environment variables set (after the defaults are cleared).
fn run_with(prog: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = if prog == "pskit" {
        let mut c = Command::new(env!("CARGO_BIN_EXE_pskit"));
        c.arg(prog_tool(args));
        c
    } else {
        Command::new(prog)
    };
    c.args(&args[1..])
        .env("LC_ALL", "C")
        .env_remove("POSIXLY_CORRECT")
        .env_remove("S_TIME_FORMAT")
        .env_remove("S_COLORS")
        .env_remove("DF_BLOCK_SIZE")
        .env_remove("BLOCK_SIZE")
        .env_remove("BLOCKSIZE");
    c.envs(env.iter().copied());
    c.output()
        .unwrap_or_else(|e| panic!("{prog} is needed (apt-get install coreutils sysstat): {e}"))
}

fn prog_tool<'a>(args: &[&'a str]) -> &'a str {
    args[0]
}

/// Stdout, stderr (program name prefix normalised) and exit status.
fn outcome(prog: &str, args: &[&str]) -> (String, String, Option<i32>) {
    outcome_with(prog, args, &[])
}

fn outcome_with(prog: &str, args: &[&str], env: &[(&str, &str)]) -> (String, String, Option<i32>) {
    let o = run_with(prog, args, env);
    let tool = args[0];
    let err = String::from_utf8_lossy(&o.stderr).replace(&format!("pskit {tool}"), tool);
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        err,
        o.status.code(),
    )
}

/// A number with its unit suffix: "52G" → (52.0, "G"), "57%" → (57.0, "%").
fn number(tok: &str) -> Option<(f64, &str)> {
    let end = tok
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(tok.len());
    if end == 0 {
        return None;
    }
    Some((tok[..end].parse().ok()?, &tok[end..]))
}

/// `p` lies between `a` and `b`: same lines and words, numbers within the
/// range of the two (plus `slack`, relative, and a rounding step).
fn between(a: &str, p: &str, b: &str, slack: f64) -> Result<(), String> {
    let (la, lp, lb): (Vec<_>, Vec<_>, Vec<_>) = (
        a.lines().collect(),
        p.lines().collect(),
        b.lines().collect(),
    );
    if lp.len() != la.len() && lp.len() != lb.len() {
        return Err(format!("{} lines, real tool {}", lp.len(), la.len()));
    }
    for (i, line) in lp.iter().enumerate() {
        let (ra, rb) = (
            la.get(i).copied().unwrap_or(""),
            lb.get(i).copied().unwrap_or(""),
        );
        if *line == ra || *line == rb {
            continue;
        }
        let (ta, tp, tb): (Vec<_>, Vec<_>, Vec<_>) = (
            ra.split_whitespace().collect(),
            line.split_whitespace().collect(),
            rb.split_whitespace().collect(),
        );
        if tp.len() != ta.len() {
            return Err(format!("line {i}: {line:?} vs real {ra:?}"));
        }
        // Same word lengths as a real line: then the spacing must be the same too.
        let digits0 = |l: &str| l.replace(|c: char| c.is_ascii_digit(), "0");
        let lens = |t: &[&str]| t.iter().map(|w| w.len()).collect::<Vec<_>>();
        for (real_line, real_words) in [(ra, &ta), (rb, &tb)] {
            if lens(&tp) == lens(real_words) && digits0(line) != digits0(real_line) {
                return Err(format!("line {i}: layout {line:?} vs real {real_line:?}"));
            }
        }
        for (j, t) in tp.iter().enumerate() {
            if *t == ta[j] || tb.get(j) == Some(t) {
                continue;
            }
            let ok = match (number(ta[j]), number(t), tb.get(j).and_then(|x| number(x))) {
                (Some((x, ux)), Some((v, uv)), Some((y, uy))) if ux == uv || uy == uv => {
                    let lo = x.min(y);
                    let hi = x.max(y);
                    v >= lo - hi * slack - 0.011 && v <= hi + hi * slack + 0.011
                }
                _ => false,
            };
            if !ok {
                return Err(format!("line {i} word {j}: {t:?} vs real {ra:?} / {rb:?}"));
            }
        }
    }
    Ok(())
}

/// Runs the real tool, pskit, the real tool; retries while the system moves;
/// then checks messages and exit status exactly and the output by `between`.
fn compare(tool: &str, args: &[&str], slack: f64) {
    compare_with(tool, args, slack, &[])
}

/// `compare` with these environment variables set for both tools.
fn compare_with(tool: &str, args: &[&str], slack: f64, env: &[(&str, &str)]) {
    let mut all = vec![tool];
    all.extend_from_slice(args);
    let mut last = String::new();
    for _ in 0..8 {
        let a = outcome_with(tool, &all, env);
        let p = outcome_with("pskit", &all, env);
        let b = outcome_with(tool, &all, env);
        assert_eq!(p.2, a.2, "{all:?}: exit status; stderr {:?}", p.1);
        assert_eq!(p.1, a.1, "{all:?}: stderr");
        if p.0 == a.0 || p.0 == b.0 {
            return;
        }
        match between(&a.0, &p.0, &b.0, slack) {
            Ok(()) => return,
            Err(e) => last = format!("{e}\npskit:\n{}\nreal:\n{}", p.0, a.0),
        }
        if a.0 == b.0 {
            break;
        }
    }
    panic!("{all:?}: {last}");
}

#[test]
fn df_lists_what_coreutils_lists() {
    // tmpfs and devtmpfs included, pseudo file systems and duplicates left out.
    compare("df", &[], 0.001);
    compare("df", &["-a"], 0.001);
    compare("df", &["-T"], 0.001);
    let (out, _, _) = outcome("pskit", &["df", "-T"]);
    let real = outcome("df", &["df", "-T"]).0;
    for fs in ["tmpfs", "devtmpfs"] {
        let has = |t: &str| t.lines().any(|l| l.split_whitespace().nth(1) == Some(fs));
        assert_eq!(has(&out), has(&real), "{fs}:\n{out}");
    }
}

#[test]
fn df_units_like_coreutils() {
    for args in [
        &["-h"][..],
        &["-H"],
        &["-k"],
        &["-m"],
        &["-i"],
        &["-hi"],
        &["-P"],
        &["-TP"],
        &["-BK", "/"],
        &["-B", "K", "/"],
        &["-BKB", "/"],
        &["-BMiB", "/"],
        &["-B1", "/"],
        &["-B", "3K", "/"],
        &["--block-size=1M", "/"],
        &["--si", "/"],
    ] {
        compare("df", args, 0.001);
    }
}

#[test]
fn df_selection_total_and_output_like_coreutils() {
    for args in [
        &["--total"][..],
        &["-h", "--total"],
        &["--tot", "-i"],
        &["-x", "tmpfs"],
        &["-t", "tmpfs"],
        &["-t", "tmpfs", "-t", "ext4"],
        &["--type=devtmpfs", "-T"],
        &["-l"],
        &["--output"],
        &["--output=source,fstype,pcent,target", "/"],
        &["--output=source", "--output=target", "/"],
        &["--output=file,size,used", "/tmp", "/"],
        &["/dev/shm", "/dev", "/"],
        &["/"],
    ] {
        compare("df", args, 0.001);
    }
}

/// The block size from the environment, as coreutils takes it: DF_BLOCK_SIZE,
/// BLOCK_SIZE, BLOCKSIZE, then POSIXLY_CORRECT's 512; options win, -P
/// ignores all but POSIXLY_CORRECT, an invalid value is the default.
#[test]
fn df_block_size_from_the_environment_like_coreutils() {
    for env in [
        &[("DF_BLOCK_SIZE", "1M")][..],
        &[("BLOCK_SIZE", "human-readable")],
        &[("BLOCKSIZE", "si")],
        &[("DF_BLOCK_SIZE", "bogus")],
        &[("DF_BLOCK_SIZE", "")],
        &[("DF_BLOCK_SIZE", "K")],
        &[("BLOCK_SIZE", "4KB")],
        &[("DF_BLOCK_SIZE", "1M"), ("BLOCK_SIZE", "1G")],
        &[("POSIXLY_CORRECT", "1")],
        &[("POSIXLY_CORRECT", "1"), ("BLOCK_SIZE", "2K")],
    ] {
        for args in [&[][..], &["-P"], &["-k"], &["-h"], &["-i"], &["--total"]] {
            compare_with("df", args, 0.01, env);
        }
    }
}

#[test]
fn df_errors_like_coreutils() {
    for args in [
        &["/tmp", "/nonexistent"][..],
        &["/nonexistent"],
        &["-q"],
        &["-B", "lots"],
        &["-B", "1.5K"],
        &["-B", "0"],
        &["-B", "99999999999999999999Y"],
        &["--block-size", "-1"],
        &["--output", "-T"],
        &["-i", "--output=source"],
        &["--output=foo"],
        &["--output=source,source"],
        &["-t"],
        &["-t", "nosuch"],
        &["--bogus"],
        &["--s"],
    ] {
        compare("df", args, 0.001);
    }
}

#[test]
fn iostat_since_boot_like_sysstat() {
    for args in [
        &[][..],
        &["-d"],
        &["-c"],
        &["-x"],
        &["-dx"],
        &["-k"],
        &["-m", "-d"],
        &["-p", "ALL"],
        &["-x", "-p", "ALL"],
        &["-z", "-d"],
        &["-s", "-d"],
        &["-x", "-s"],
        &["--dec=0", "-x"],
        &["ALL"],
        &["nosuchdevice"],
        &["1e300"],
        &["NaN"],
        &["0"],
        &["-o", "JSON"],
        &["-o", "JSON", "-d"],
        &["-o", "JSON", "-c"],
        &["-o", "JSON", "-x"],
        &["-o", "JSON", "-xs", "-d"],
        &["-o", "JSON", "-m", "-d"],
        &["-o", "JSON", "-t", "-p", "ALL"],
        &["-h"],
        &["-h", "-x"],
        &["-h", "-xs", "-d"],
        &["-h", "-s", "-d"],
        &["-h", "--dec=0", "-x"],
        &["-h", "-m", "-d"],
        &["--human", "-d"],
        &["--pretty", "-x"],
        &["--pretty", "-x", "--compact"],
        &["--pretty", "-d", "-p", "ALL"],
    ] {
        compare("iostat", args, 0.002);
    }
    // Groups (-g, -H) over the devices this machine has.
    let text =
        String::from_utf8_lossy(&run("iostat", &["iostat", "-d", "ALL"]).stdout).into_owned();
    let devs: Vec<String> = text
        .lines()
        .skip_while(|l| !l.starts_with("Device"))
        .skip(1)
        .filter_map(|l| l.split_whitespace().next().map(String::from))
        .take(3)
        .collect();
    assert!(!devs.is_empty(), "{text}");
    let d: Vec<&str> = devs.iter().map(String::as_str).collect();
    let mut two = vec!["-d", "-g", "first", d[0], "-g", "rest"];
    two.extend_from_slice(&d[1..]);
    let mut one = vec!["-x", "-g", "all"];
    one.extend_from_slice(&d);
    let mut total = vec!["-H", "-g", "all"];
    total.extend_from_slice(&d);
    let mut total_json = vec!["-o", "JSON", "-H", "-d", "-g", "all"];
    total_json.extend_from_slice(&d);
    for args in [&two[..], &one, &total, &total_json] {
        compare("iostat", args, 0.002);
    }
}

/// `-o JSON` with an interval: sysstat's document (reports separated by
/// commas), valid JSON; Ctrl-C during an endless run still closes it.
#[test]
fn iostat_json_document_like_sysstat() {
    let keys = |text: &str| -> Vec<String> {
        // Every line with its numbers blanked: the document's shape.
        text.lines()
            .map(|l| {
                l.split(|c: char| c.is_ascii_digit() || c == '.')
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join("#")
            })
            .collect()
    };
    for args in [
        &["iostat", "-o", "JSON", "-d", "1", "2"][..],
        &["iostat", "-o", "JSON", "-dy", "1", "2"],
        &["iostat", "-o", "JSON", "-x", "1", "2"],
    ] {
        let (real, ours) = (outcome("iostat", args), outcome("pskit", args));
        assert_eq!(ours.2, Some(0));
        assert_eq!(
            keys(&real.0),
            keys(&ours.0),
            "{args:?}\n{}\n{}",
            real.0,
            ours.0
        );
        let v: serde_json::Value = serde_json::from_str(&ours.0).expect("valid JSON");
        let stats = &v["sysstat"]["hosts"][0]["statistics"];
        assert_eq!(
            stats.as_array().map(Vec::len),
            Some(2),
            "-y skips the since-boot report, still two"
        );
    }
    // Ctrl-C: the document ends properly and the status is 0.
    let mut child = Command::new(env!("CARGO_BIN_EXE_pskit"))
        .args(["iostat", "-o", "JSON", "-d", "1"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut text = String::new();
    let mut buf = [0u8; 4096];
    while !text.contains("\"disk\"") {
        let n = std::io::Read::read(&mut out, &mut buf).unwrap();
        assert!(n > 0, "{text}");
        text.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    // SAFETY: kill(2) on our own child's pid.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGINT);
    }
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut out, &mut rest).unwrap();
    text.push_str(&rest);
    assert!(child.wait().unwrap().success());
    let v: serde_json::Value = serde_json::from_str(&text).expect("valid JSON after Ctrl-C");
    assert!(
        v["sysstat"]["hosts"][0]["statistics"][0]["disk"].is_array(),
        "{text}"
    );
}

/// Each device sysstat lists, by name and with -p.
#[test]
fn iostat_named_devices_like_sysstat() {
    let text =
        String::from_utf8_lossy(&run("iostat", &["iostat", "-d", "ALL"]).stdout).into_owned();
    let names: Vec<String> = text
        .lines()
        .skip_while(|l| !l.starts_with("Device"))
        .skip(1)
        .filter_map(|l| l.split_whitespace().next().map(String::from))
        .collect();
    assert!(!names.is_empty(), "no devices:\n{text}");
    for n in names.iter().take(3) {
        compare("iostat", &["-d", n], 0.002);
        compare("iostat", &["-x", "-p", n], 0.002);
        compare("iostat", &["-d", &format!("/dev/{n}")], 0.002);
    }
}

#[test]
fn iostat_usage_errors_like_sysstat() {
    for args in [
        &["-q"][..],
        &["-1"],
        &["--", "-1"],
        &["1", "0"],
        &["0", "5"],
        &["1", "2", "3"],
        &["-k", "-m"],
        &["--dec=7"],
        &["--help"],
        &["-o", "json"],
        &["-o"],
        &["-o", "XML"],
        &["-H"],
        &["-g"],
        &["-H", "-d"],
    ] {
        let mut all = vec!["iostat"];
        all.extend_from_slice(args);
        let real = outcome("iostat", &all);
        let ours = outcome("pskit", &all);
        assert_eq!(ours.2, real.2, "{args:?}: {}", ours.1);
        assert_eq!(ours.0, real.0, "{args:?}");
        let first = |s: &str| s.lines().next().unwrap_or("").to_string();
        assert_eq!(first(&ours.1), first(&real.1), "{args:?}");
    }
}

/// Interval reports: same layout and names (figures move).
#[test]
fn iostat_interval_reports_like_sysstat() {
    let mask = |s: &str| -> String {
        s.lines()
            .map(|l| {
                let mut out = String::new();
                let mut in_num = false;
                for c in l.chars() {
                    if c.is_ascii_digit() || c == '.' || c == ':' || c == '/' {
                        if !in_num {
                            out.push('N');
                        }
                        in_num = true;
                    } else {
                        in_num = false;
                        out.push(c);
                    }
                }
                out.split_whitespace().collect::<Vec<_>>().join(" ")
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    for args in [
        &["-d", "1", "2"][..],
        &["-y", "-x", "1", "1"],
        &["-t", "-d", "1", "2"],
        &["-c", "-y", "1", "1"],
        &["99999999999999999999", "1"],
    ] {
        let mut all = vec!["iostat"];
        all.extend_from_slice(args);
        let (real, ours) = std::thread::scope(|s| {
            let r = s.spawn(|| outcome("iostat", &all));
            let o = outcome("pskit", &all);
            (r.join().unwrap(), o)
        });
        assert_eq!(ours.2, real.2, "{args:?}");
        // Devices idle in the interval appear in both only if -z is not given:
        // compare the masked layout line by line.
        assert_eq!(
            mask(&ours.0),
            mask(&real.0),
            "{args:?}\n{}\n{}",
            ours.0,
            real.0
        );
    }
}

#[test]
fn iostat_banner_like_sysstat() {
    let real = outcome("iostat", &["iostat", "-c"]).0;
    let ours = outcome("pskit", &["iostat", "-c"]).0;
    let first = |s: &str| s.lines().next().unwrap_or("").to_string();
    assert_eq!(first(&ours), first(&real));
    assert!(first(&ours).contains(" CPU)"), "{ours}");
}

/// The comparison itself tells a difference from a moving figure.
#[test]
fn bracketing_catches_differences() {
    let a = "Device tps\nvda 10.00 57%\n";
    let b = "Device tps\nvda 12.00 58%\n";
    assert!(between(a, "Device tps\nvda 11.00 57%\n", b, 0.0).is_ok());
    assert!(between(a, "Device tps\nvda 13.00 57%\n", b, 0.0).is_err());
    assert!(between(a, "Device tps\nsda 11.00 57%\n", b, 0.0).is_err());
    assert!(between(a, "Device  tps\nvda 11.00 57%\n", b, 0.0).is_err());
    assert!(between(a, "Device tps\nvda  11.00 57%\n", b, 0.0).is_err());
    assert!(between(a, "Device tps\nvda 11.00 57G\n", b, 0.0).is_err());
    assert!(between(a, "Device tps\n", b, 0.0).is_err());
}

/// -N and -j on a fake root (this machine has neither device-mapper devices
/// nor /dev/disk): the mapped name from /sys/block/dm-N/dm/name, the
/// persistent name from the first /dev/disk/by-TYPE link to the device.
#[test]
fn iostat_devmap_and_persistent_names_on_a_fake_root() {
    let root = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("iostat-root-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let w = |rel: &str, text: &str| {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    w("proc/uptime", "1000.50 1900.00\n");
    w(
        "proc/stat",
        "cpu  100 0 50 1000 5 0 1 0 0 0\ncpu0 100 0 50 1000 5 0 1 0 0 0\nintr 0\nctxt 0\nbtime 1700000000\nprocesses 1\nprocs_running 1\nprocs_blocked 0\n",
    );
    w(
        "proc/diskstats",
        " 253       0 dm-0 10 0 80 5 20 0 160 9 0 15 14 0 0 0 0 0 0\n 252       0 vda 30 1 240 7 40 2 320 11 0 25 18 0 0 0 0 0 0\n",
    );
    w("sys/devices/system/cpu/cpu0/online", "1\n");
    w("sys/block/dm-0/dm/name", "vg-root\n");
    w("sys/block/vda/stat", "");
    std::fs::create_dir_all(root.join("dev/disk/by-id")).unwrap();
    std::os::unix::fs::symlink("../../vda", root.join("dev/disk/by-id/virtio-b")).unwrap();
    std::os::unix::fs::symlink("../../vda", root.join("dev/disk/by-id/virtio-a")).unwrap();
    std::os::unix::fs::symlink("../../dm-0", root.join("dev/disk/by-id/dm-name-x")).unwrap();
    let run_root = |args: &[&str]| {
        let o = Command::new(env!("CARGO_BIN_EXE_pskit"))
            .arg("iostat")
            .args(args)
            .env("HOST_ROOT", &root)
            .env("LC_ALL", "C")
            .output()
            .unwrap();
        (
            String::from_utf8_lossy(&o.stdout).into_owned(),
            o.status.code(),
        )
    };
    let (plain, code) = run_root(&["-d", "ALL"]);
    assert_eq!(code, Some(0), "{plain}");
    assert!(plain.lines().any(|l| l.starts_with("dm-0 ")), "{plain}");
    let (n, _) = run_root(&["-d", "-N", "ALL"]);
    assert!(n.lines().any(|l| l.starts_with("vg-root ")), "{n}");
    assert!(!n.contains("dm-0"), "{n}");
    // -j: pretty (the name last), the first link in name order.
    let (j, code) = run_root(&["-d", "-j", "ID", "ALL"]);
    assert_eq!(code, Some(0));
    assert!(j.lines().any(|l| l.ends_with(" virtio-a")), "{j}");
    assert!(j.lines().any(|l| l.ends_with(" dm-name-x")), "{j}");
    assert!(j.lines().any(|l| l.trim_end().ends_with(" Device")), "{j}");
    let (_, code) = run_root(&["-j", "label"]);
    assert_eq!(code, Some(1));
    let _ = std::fs::remove_dir_all(&root);
}
