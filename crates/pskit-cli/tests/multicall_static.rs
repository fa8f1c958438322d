//! One binary, every tool (issue #13): through links named after the tools
//! pskit behaves as them, and the static build (`./build-static.sh`) runs its
//! tools in an empty root that has nothing but the binary, /proc and /sys.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_pskit");

fn scratch(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn links_named_after_tools_behave_as_them() {
    let dir = scratch("links");
    // A file that is not a link is left alone, and said so.
    std::fs::write(dir.join("free"), "not pskit").unwrap();
    let out = Command::new(BIN)
        .arg("--install-links")
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a link"));
    assert_eq!(
        std::fs::read_to_string(dir.join("free")).unwrap(),
        "not pskit"
    );
    std::fs::remove_file(dir.join("free")).unwrap();
    // Again, over its own links: replaced, exit 0.
    for _ in 0..2 {
        let out = Command::new(BIN)
            .arg("--install-links")
            .arg(&dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    for (tool, args) in [
        ("ps", &["-o", "pid,comm", "-p", "1"][..]),
        ("uptime", &["-s"][..]),
        ("kill", &["-l", "9"][..]),
        ("nice", &[][..]),
        ("pidof", &["no-such-program-pskit"][..]),
    ] {
        let via_link = Command::new(dir.join(tool)).args(args).output().unwrap();
        let direct = Command::new(BIN).arg(tool).args(args).output().unwrap();
        assert_eq!(
            via_link.status.code(),
            direct.status.code(),
            "{tool} {args:?}"
        );
        assert_eq!(text(&via_link), text(&direct), "{tool} {args:?}");
    }
    // Through a link, messages carry the tool's own name, as the real tool's do.
    for (tool, args) in [("free", &["-s", "-1"][..]), ("ps", &["-p", "x"][..])] {
        let via_link = Command::new(dir.join(tool)).args(args).output().unwrap();
        let real = Command::new(tool).args(args).output().unwrap();
        assert_eq!(
            via_link.status.code(),
            real.status.code(),
            "{tool} {args:?}"
        );
        assert_eq!(
            String::from_utf8_lossy(&via_link.stderr),
            String::from_utf8_lossy(&real.stderr),
            "{tool} {args:?}"
        );
    }
    let free = Command::new(dir.join("free")).arg("-b").output().unwrap();
    assert!(free.status.success());
    assert!(text(&free).lines().nth(1).unwrap().starts_with("Mem:"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// `target/static/pskit`, built by `./build-static.sh` (the README's test
/// command runs it first).
fn static_binary() -> PathBuf {
    let bin = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/static/pskit");
    assert!(
        bin.is_file(),
        "{} is missing: run ./build-static.sh (./test.sh does)",
        bin.display()
    );
    bin
}

#[test]
fn the_static_binary_has_no_shared_libraries() {
    let bin = static_binary();
    let ldd = Command::new("ldd").arg(&bin).output().unwrap();
    let said = format!("{}{}", text(&ldd), String::from_utf8_lossy(&ldd.stderr));
    assert!(
        said.contains("not a dynamic executable") || said.contains("statically linked"),
        "ldd: {said}"
    );
    let size = std::fs::metadata(&bin).unwrap().len();
    assert!(size < 16 << 20, "{size} bytes");
}

/// Runs `/bin/<args>` chrooted into `root`, with /proc and /sys mounted in a
/// private mount namespace (gone when the command ends).
fn in_root(root: &Path, args: &[&str]) -> Output {
    Command::new("unshare")
        .args(["--mount", "--fork", "sh", "-c"])
        .arg(
            "mount --make-rprivate / && mount -t proc proc \"$0/proc\" && \
             mount --rbind /sys \"$0/sys\" && exec chroot \"$0\" \"$@\"",
        )
        .arg(root)
        .args(args)
        .output()
        .expect("unshare (util-linux) runs")
}

#[test]
fn the_static_tools_work_in_an_empty_root() {
    if !rustix::process::geteuid().is_root() {
        panic!("this test needs root (chroot and mounts); CI runs as root");
    }
    let bin = static_binary();
    let root = scratch("emptyroot");
    for d in ["bin", "proc", "sys"] {
        std::fs::create_dir_all(root.join(d)).unwrap();
    }
    std::fs::copy(&bin, root.join("bin/pskit")).unwrap();
    let out = in_root(&root, &["/bin/pskit", "--install-links", "/bin"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read_link(root.join("bin/ps")).unwrap(),
        Path::new("pskit")
    );
    // Nothing else is in the root: no libc, no /etc, no shell.
    assert_eq!(std::fs::read_dir(&root).unwrap().count(), 3);
    for (args, want) in [
        (&["/bin/ps", "-e", "-o", "pid,comm"][..], "    1 "),
        (&["/bin/ps", "aux"][..], "USER"),
        (&["/bin/free", "-m"][..], "Mem:"),
        (&["/bin/uptime"][..], "load average"),
        (&["/bin/top", "-b", "-n", "1"][..], "PID"),
        (&["/bin/kill", "-l"][..], "TERM"),
        (&["/bin/pstree", "1"][..], ""),
        (&["/bin/netstat", "-n"][..], "Proto"),
        (&["/bin/pskit"][..], "Mem "),
    ] {
        let out = in_root(&root, args);
        let stdout = text(&out);
        assert!(
            out.status.success(),
            "{args:?} in an empty root: {}{stdout}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains(want), "{args:?}: {stdout}");
    }
    let _ = std::fs::remove_dir_all(&root);
}
