//! The Process API on a fixture tree (tests/fixtures/process): pid 1, a daemon
//! 4242 with a 15-byte comm, two threads and a deleted exe, and a zombie 77.

mod common;

use pskit::{Process, Root};

fn root() -> Root {
    Root::new(common::fixture("process"))
}

fn tck() -> f64 {
    rustix::param::clock_ticks_per_second() as f64
}

#[test]
fn pids_are_the_numeric_entries_sorted() {
    assert_eq!(root().scope(pskit::pids).unwrap(), vec![1, 77, 4242]);
}

#[test]
fn pid_exists_uses_the_tgid_rule() {
    root().scope(|| {
        assert!(pskit::pid_exists(4242).unwrap());
        assert!(
            !pskit::pid_exists(4243).unwrap(),
            "a thread id is not a pid"
        );
        assert!(!pskit::pid_exists(5).unwrap());
        assert!(!pskit::pid_exists(0).unwrap());
    });
}

#[test]
fn missing_pid_is_no_such_process() {
    let err = root().scope(|| Process::new(5)).unwrap_err();
    assert!(err.is_no_such_process());
    assert!(err.to_string().contains("process PID not found"));
}

#[test]
fn name_extended_from_cmdline_when_comm_is_15_bytes() {
    let p = root().scope(|| Process::new(4242)).unwrap();
    assert_eq!(p.name().unwrap(), "a-very-long-daemon");
    assert_eq!(
        p.cmdline().unwrap(),
        ["/opt/bin/a-very-long-daemon", "--flag", "two words"]
    );
}

#[test]
fn stat_based_methods() {
    let p = root().scope(|| Process::new(4242)).unwrap();
    assert_eq!(p.ppid().unwrap(), 1);
    assert_eq!(p.status().unwrap(), "sleeping");
    assert_eq!(p.nice().unwrap(), 5);
    assert_eq!(p.cpu_num().unwrap(), 1);
    let t = p.cpu_times().unwrap();
    assert_eq!(t.user, 250.0 / tck());
    assert_eq!(t.system, 75.0 / tck());
    assert_eq!(t.children_user, 10.0 / tck());
    assert_eq!(t.children_system, 5.0 / tck());
    assert_eq!(t.iowait, 7.0 / tck());
    assert_eq!(p.create_time().unwrap(), 200.0 / tck() + 1_700_000_000.0);
    let f = p.page_faults().unwrap();
    assert_eq!((f.minor, f.major), (1500, 3));
    assert_eq!(p.terminal().unwrap(), None);
}

#[test]
fn status_based_methods() {
    let p = root().scope(|| Process::new(4242)).unwrap();
    let u = p.uids().unwrap();
    assert_eq!((u.real, u.effective, u.saved), (1000, 1000, 1000));
    assert_eq!(p.gids().unwrap().real, 100);
    assert_eq!(p.username().unwrap(), "user");
    assert_eq!(p.num_threads().unwrap(), 2);
    let c = p.num_ctx_switches().unwrap();
    assert_eq!((c.voluntary, c.involuntary), (42, 7));
    let ex = p.memory_info_ex().unwrap();
    assert_eq!(ex.peak_rss, 3000 * 1024);
    assert_eq!(ex.rss_anon + ex.rss_file + ex.rss_shmem, 1200 * 1024);
    assert_eq!(ex.swap, 8 * 1024);
}

#[test]
fn username_falls_back_to_the_uid() {
    let p = root().scope(|| Process::new(1)).unwrap();
    assert_eq!(p.username().unwrap(), "root");
    assert_eq!(p.num_ctx_switches().unwrap().voluntary, 5);
}

#[test]
fn memory_info_is_statm_times_page_size() {
    let page = rustix::param::page_size() as u64;
    let p = root().scope(|| Process::new(4242)).unwrap();
    let m = p.memory_info().unwrap();
    assert_eq!(
        (m.vms, m.rss, m.shared, m.text, m.lib, m.data, m.dirty),
        (
            2560 * page,
            300 * page,
            200 * page,
            25 * page,
            0,
            183 * page,
            0
        )
    );
}

#[test]
fn exe_deleted_suffix_removed_when_the_suffixed_path_does_not_exist() {
    let p = root().scope(|| Process::new(4242)).unwrap();
    assert_eq!(p.exe().unwrap(), "/nonexistent/pskit/daemon");
    assert_eq!(p.cwd().unwrap(), "/home/u");
}

#[test]
fn environ_io_cgroup_threads_fds() {
    let p = root().scope(|| Process::new(4242)).unwrap();
    let env = p.environ().unwrap();
    assert_eq!(env.get("HOME").map(String::as_str), Some("/home/u"));
    let io = p.io_counters().unwrap();
    assert_eq!(
        (
            io.read_count,
            io.write_count,
            io.read_bytes,
            io.write_bytes,
            io.read_chars,
            io.write_chars
        ),
        (3, 4, 4096, 8192, 100, 200)
    );
    assert_eq!(
        p.cgroup().unwrap().as_deref(),
        Some("/user.slice/app.scope")
    );
    let t = p.threads().unwrap();
    assert_eq!(t.iter().map(|t| t.id).collect::<Vec<_>>(), [4242, 4243]);
    assert_eq!(t[1].user_time, 50.0 / tck());
    assert_eq!(p.num_fds().unwrap(), 2);
    // /dev/null is not a regular file and the socket is not a path.
    assert!(p.open_files().unwrap().is_empty());
}

#[test]
fn zombie_rules() {
    let z = root().scope(|| Process::new(77)).unwrap();
    assert_eq!(z.status().unwrap(), "zombie");
    assert!(matches!(
        z.cmdline(),
        Err(pskit::Error::ZombieProcess { .. })
    ));
    assert_eq!(z.name().unwrap(), "defunct");
    let d = z
        .as_dict(["cmdline", "name", "status"])
        .map(|d| d.info(serde_json::json!("AD")))
        .unwrap();
    assert_eq!(d["cmdline"], "AD");
    assert_eq!(d["name"], "defunct");
}

#[test]
fn children_use_the_ppid_table() {
    let p = root().scope(|| Process::new(4242)).unwrap();
    let kids: Vec<u32> = p
        .children(false)
        .unwrap()
        .iter()
        .map(Process::pid)
        .collect();
    assert_eq!(kids, [77]);
    let init = root().scope(|| Process::new(1)).unwrap();
    let all: Vec<u32> = init
        .children(true)
        .unwrap()
        .iter()
        .map(Process::pid)
        .collect();
    assert_eq!(all, [4242, 77]);
    assert!(init.parent().unwrap().is_none());
}

#[test]
fn process_iter_on_the_fixture() {
    let attrs = [
        "pid",
        "name",
        "cmdline",
        "uids",
        "memory_info",
        "create_time",
        "username",
    ];
    let all = root().scope(|| pskit::process_iter(attrs)).unwrap();
    assert_eq!(
        all.iter().map(|p| p.pid()).collect::<Vec<_>>(),
        [1, 77, 4242]
    );
    let d = &all[2];
    assert_eq!(d.name.as_deref(), Some("a-very-long-daemon"));
    assert_eq!(d.username.as_deref(), Some("user"));
    // The scan takes memory_info from status when it reads status anyway.
    let m = d.memory_info.unwrap();
    assert_eq!(
        (m.rss, m.vms, m.shared, m.data),
        (1200 * 1024, 10240 * 1024, 800 * 1024, 732 * 1024)
    );
    // The zombie's cmdline is ad_value.
    assert_eq!(all[1].cmdline, pskit::process::Field::Denied);
    assert!(!all[1].nice.is_requested());
    let info = all[1].info(serde_json::json!("AD"));
    assert_eq!(info["cmdline"], "AD");
    assert_eq!(info.keys().collect::<Vec<_>>(), attrs.to_vec());
}

#[test]
fn invalid_attr_names() {
    let err = root()
        .scope(|| pskit::process_iter(["name", "nope"]))
        .unwrap_err();
    assert!(matches!(err, pskit::Error::InvalidArgument(_)));
    assert!(err.to_string().contains("nope"));
}

fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let (src, dst) = (e.path(), to.join(e.file_name()));
        let ft = e.file_type().unwrap();
        if ft.is_dir() {
            copy_tree(&src, &dst);
        } else if ft.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(&src).unwrap(), &dst).unwrap();
        } else {
            std::fs::copy(&src, &dst).unwrap();
        }
    }
}

/// A copy of the process fixture that a test may change, in a fresh
/// directory named after `tag` and this test run.
fn scratch_copy(tag: &str) -> std::path::PathBuf {
    let tmp = std::env::temp_dir().join(format!("pskit-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    copy_tree(&common::fixture("process"), &tmp);
    tmp
}

#[test]
fn pid_reuse_is_detected_by_start_time() {
    let tmp = scratch_copy("reuse");
    let r = Root::new(&tmp);
    let p = r.scope(|| Process::new(4242)).unwrap();
    let same = r.scope(|| Process::new(4242)).unwrap();
    assert_eq!(p, same);
    assert!(p.is_running());
    // The pid now names a process started later (field 22: 200 → 999).
    let stat = tmp.join("proc/4242/stat");
    let text = std::fs::read_to_string(&stat)
        .unwrap()
        .replace(" 0 200 10485760 ", " 0 999 10485760 ");
    std::fs::write(&stat, text).unwrap();
    assert!(!p.is_running());
    assert_ne!(p, r.scope(|| Process::new(4242)).unwrap());
    let err = p.ppid().unwrap_err();
    assert!(err.is_no_such_process());
    assert!(err.to_string().contains("PID has been reused"), "{err}");
    assert!(p
        .children(false)
        .unwrap_err()
        .to_string()
        .contains("PID has been reused"));
    // Gone entirely.
    std::fs::remove_dir_all(tmp.join("proc/4242")).unwrap();
    assert!(!p.is_running());
    assert!(p.name().unwrap_err().is_no_such_process());
    std::fs::remove_dir_all(&tmp).unwrap();
}

#[test]
fn oneshot_reads_each_file_once() {
    let tmp = scratch_copy("oneshot");
    let r = Root::new(&tmp);
    let p = r.scope(|| Process::new(4242)).unwrap();
    let stat = tmp.join("proc/4242/stat");
    let changed = std::fs::read_to_string(&stat)
        .unwrap()
        .replace(" S 1 4242 ", " R 1 4242 ");
    p.oneshot(|p| {
        assert_eq!(p.status().unwrap(), "sleeping");
        std::fs::write(&stat, &changed).unwrap();
        // Inside the scope, stat was read once: the change is not seen.
        assert_eq!(p.status().unwrap(), "sleeping");
        assert_eq!(p.ppid().unwrap(), 1);
    });
    assert_eq!(p.status().unwrap(), "running");
    std::fs::remove_dir_all(&tmp).unwrap();
}

#[test]
fn memory_maps_group_by_the_path_without_a_deleted_suffix() {
    let tmp = scratch_copy("smaps");
    // A library mapped twice, once after its file was deleted (the suffix goes:
    // no such file), an anonymous mapping between them.
    let map = |addr: &str, path: &str, rss: u64, private: u64| {
        format!(
            "{addr} r-xp 00000000 08:01 99 {path}\nSize:  8 kB\nRss: {rss} kB\nPss: {rss} kB\n\
             Private_Dirty: {private} kB\nSwap: 1 kB\nVmFlags: rd ex\n"
        )
    };
    let smaps = [
        map("1000-3000", "/nonexistent/pskit/lib.so", 4, 1),
        map("3000-5000", "", 8, 8),
        map("5000-7000", "/nonexistent/pskit/lib.so (deleted)", 2, 2),
    ]
    .concat();
    std::fs::write(tmp.join("proc/4242/smaps"), smaps).unwrap();
    let r = Root::new(&tmp);
    let p = r.scope(|| Process::new(4242)).unwrap();
    let g = p.memory_maps().unwrap();
    let got: Vec<(&str, u64, u64, u64)> = g
        .iter()
        .map(|m| (m.path.as_str(), m.rss, m.size, m.private_dirty))
        .collect();
    assert_eq!(
        got,
        [
            ("/nonexistent/pskit/lib.so", 6 * 1024, 16 * 1024, 3 * 1024),
            ("[anon]", 8 * 1024, 8 * 1024, 8 * 1024)
        ]
    );
    let ext = p.memory_maps_ext().unwrap();
    let paths: Vec<&str> = ext.iter().map(|m| m.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/nonexistent/pskit/lib.so",
            "[anon]",
            "/nonexistent/pskit/lib.so"
        ]
    );
    assert_eq!(
        (ext[2].addr.as_str(), ext[2].perms.as_str()),
        ("5000-7000", "r-xp")
    );
    // In one oneshot scope memory_full_info takes its sums from the maps read.
    let full = p.oneshot(|p| {
        p.memory_maps().unwrap();
        p.memory_full_info().unwrap()
    });
    assert_eq!(
        (full.uss, full.pss, full.swap),
        (11 * 1024, 14 * 1024, 3 * 1024)
    );
    std::fs::remove_dir_all(&tmp).unwrap();
}

#[test]
fn oneshot_reads_the_fd_directory_once() {
    let tmp = scratch_copy("fds");
    // fd 3 is socket:[123]: a UNIX socket bound to a path.
    std::fs::create_dir_all(tmp.join("proc/net")).unwrap();
    std::fs::write(
        tmp.join("proc/net/unix"),
        "Num       RefCount Protocol Flags    Type St Inode Path\n\
         0000000000000000: 00000002 00000000 00010000 0001 01 123 /run/pskit.sock\n",
    )
    .unwrap();
    let r = Root::new(&tmp);
    let p = r.scope(|| Process::new(4242)).unwrap();
    let fd_dir = tmp.join("proc/4242/fd");
    p.oneshot(|p| {
        let conns = p.net_connections("unix").unwrap();
        let got: Vec<(i32, String)> = conns
            .iter()
            .map(|c| (c.fd, format!("{:?}", c.laddr)))
            .collect();
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].0, 3);
        assert!(got[0].1.contains("/run/pskit.sock"), "{got:?}");
        // An fd opened after that read is not seen inside the scope: num_fds and
        // open_files use the same listing.
        // (The link names a host path, which the root maps to its own proc/stat.)
        std::os::unix::fs::symlink("/proc/stat", fd_dir.join("7")).unwrap();
        let fdinfo = tmp.join("proc/4242/fdinfo");
        std::fs::create_dir_all(&fdinfo).unwrap();
        std::fs::write(fdinfo.join("7"), "pos:\t5\nflags:\t0100002\nmnt_id:\t1\n").unwrap();
        assert_eq!(p.num_fds().unwrap(), 2);
        assert!(p.open_files().unwrap().is_empty());
    });
    assert_eq!(p.num_fds().unwrap(), 3);
    let files = p.open_files().unwrap();
    assert_eq!(files.len(), 1);
    let f = &files[0];
    assert_eq!(
        (f.fd, f.path.as_str(), f.position, f.mode.as_str()),
        (7, "/proc/stat", 5, "r+")
    );
    std::fs::remove_dir_all(&tmp).unwrap();
}
