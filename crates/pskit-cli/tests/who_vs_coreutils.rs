//! `pskit who` beside coreutils `who` on utmp files this test writes: every
//! record type, every option, headings, counts, `am i`, and a missing file.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_pskit");

/// One glibc `struct utmp` record (384 bytes, x86_64/aarch64 layout).
#[allow(clippy::too_many_arguments)]
fn record(
    kind: i16,
    pid: i32,
    line: &str,
    id: &str,
    user: &str,
    host: &str,
    exit: (i16, i16),
    sec: i32,
) -> Vec<u8> {
    let mut r = vec![0u8; 384];
    let put = |r: &mut Vec<u8>, off: usize, b: &[u8]| r[off..off + b.len()].copy_from_slice(b);
    put(&mut r, 0, &kind.to_ne_bytes());
    put(&mut r, 4, &pid.to_ne_bytes());
    put(&mut r, 8, line.as_bytes());
    put(&mut r, 40, id.as_bytes());
    put(&mut r, 44, user.as_bytes());
    put(&mut r, 76, host.as_bytes());
    put(&mut r, 332, &exit.0.to_ne_bytes());
    put(&mut r, 334, &exit.1.to_ne_bytes());
    put(&mut r, 340, &sec.to_ne_bytes());
    r
}

fn utmp_file() -> PathBuf {
    let t = 1_764_000_000; // 2025-11-24
    let mut data = Vec::new();
    for r in [
        record(2, 0, "~", "~~", "reboot", "6.1.0-pskit", (0, 0), t),
        record(
            1,
            i32::from(b'N') * 256 + i32::from(b'5'),
            "~",
            "~~",
            "runlevel",
            "6.1.0",
            (0, 0),
            t + 5,
        ),
        record(5, 10, "", "si", "", "", (0, 0), t + 6),
        record(6, 1234, "tty9pskit", "9", "LOGIN", "", (0, 0), t + 10),
        record(
            7,
            2345,
            "pts/97pskit",
            "ts/97",
            "alice",
            "10.0.0.5",
            (0, 0),
            t + 60,
        ),
        record(
            7,
            2346,
            "pts/98pskit",
            "ts/98",
            "bob-with-a-long-name",
            ":0",
            (0, 0),
            t + 3600,
        ),
        record(8, 2347, "pts/99pskit", "ts/99", "", "", (0, 2), t + 7200),
        record(3, 0, "|", "", "", "", (0, 0), t + 9000),
        record(7, 0, "pts/96pskit", "ts/96", "", "", (0, 0), t + 9100),
    ] {
        data.extend(r);
    }
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("utmp-{}", std::process::id()));
    std::fs::write(&path, data).unwrap();
    path
}

fn run(program: &str, args: &[&str]) -> Output {
    let mut cmd = if program == "pskit" {
        let mut c = Command::new(BIN);
        c.arg("who");
        c
    } else {
        Command::new("who")
    };
    cmd.args(args)
        .env("TZ", "UTC")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn every_option_matches_coreutils_on_a_written_utmp() {
    let file = utmp_file();
    let f = file.to_str().unwrap();
    for opts in [
        &[][..],
        &["-a"],
        &["-b"],
        &["-d"],
        &["-l"],
        &["-p"],
        &["-r"],
        &["-t"],
        &["-u"],
        &["-T"],
        &["-H"],
        &["-q"],
        &["-s"],
        &["-aH"],
        &["-uT"],
        &["-bH"],
        &["-m"],
        &["--all", "--heading"],
    ] {
        let mut args = opts.to_vec();
        args.push(f);
        let (real, ours) = (run("who", &args), run("pskit", &args));
        assert_eq!(real.status.code(), ours.status.code(), "who {args:?}");
        assert_eq!(
            String::from_utf8_lossy(&real.stdout),
            String::from_utf8_lossy(&ours.stdout),
            "who {args:?}"
        );
    }
    let _ = std::fs::remove_file(&file);
}

#[test]
fn am_i_missing_files_and_the_system_utmp_match_coreutils() {
    for args in [
        &["am", "i"][..],
        &["/nonexistent/pskit-utmp"],
        &["-b"],
        &[],
        &["-q"],
    ] {
        let (real, ours) = (run("who", args), run("pskit", args));
        assert_eq!(real.status.code(), ours.status.code(), "who {args:?}");
        assert_eq!(real.stdout, ours.stdout, "who {args:?}");
        assert_eq!(
            String::from_utf8_lossy(&real.stderr).replace("who:", "pskit who:"),
            String::from_utf8_lossy(&ours.stderr),
            "who {args:?}"
        );
    }
}
