use super::*;

const STAT: &[u8] = b"1234 (my (weird) name) S 1 1234 1234 34816 1234 4194560 1500 0 3 0 250 75 10 5 20 0 4 0 123456 10485760 300 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 7 0 0\n";

#[test]
fn stat_comm_is_between_first_open_and_last_close_paren() {
    let s = parse_stat(STAT).unwrap();
    assert_eq!(s.comm, b"my (weird) name");
    assert_eq!(s.state, b'S');
    assert_eq!(s.ppid, 1);
    assert_eq!(s.tty_nr, 34816);
    assert_eq!((s.minflt, s.majflt), (1500, 3));
    assert_eq!((s.utime, s.stime, s.cutime, s.cstime), (250, 75, 10, 5));
    assert_eq!(s.nice, 0);
    assert_eq!(s.num_threads, 4);
    assert_eq!(s.starttime, 123456);
    assert_eq!((s.vsize, s.rss), (10485760, 300));
    assert_eq!(s.processor, 1);
    assert_eq!(s.delayacct_blkio_ticks, 7);
}

#[test]
fn stat_comm_with_spaces_and_closing_paren() {
    let s = parse_stat(b"9 (a) b) R 2 0 0 0 -1 0 0 0 0 0 1 2 0 0 20 -5 1 0 77 0 0 0").unwrap();
    assert_eq!(s.comm, b"a) b");
    assert_eq!(s.state, b'R');
    assert_eq!(s.nice, -5);
    assert_eq!(s.tty_nr, 0);
    assert_eq!(s.starttime, 77);
    // Old kernel without fields 39 and 42: 0 (psutil #2455).
    assert_eq!((s.processor, s.delayacct_blkio_ticks), (0, 0));
}

#[test]
fn stat_garbage_and_truncated_are_errors() {
    assert!(parse_stat(b"").is_err());
    assert!(parse_stat(b"1 (x").is_err());
    assert!(parse_stat(b"1 x) S 1").is_err());
    assert!(parse_stat(b"1 (x) S 1 2 3").is_err());
    assert!(parse_stat(b"1 (x) S one 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0").is_err());
    assert_eq!(stat_state(b"5 (a) b) Z 1"), Some(b'Z'));
    assert_eq!(stat_state(b"garbage"), None);
}

const STATUS: &[u8] = b"Name:\tbash\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t1234\nPid:\t1234\nPPid:\t1\n\
Uid:\t1000\t1001\t1002\t1003\nGid:\t100\t101\t102\t103\nVmPeak:\t   10000 kB\nVmSize:\t    9000 kB\n\
VmHWM:\t    3000 kB\nVmRSS:\t    2000 kB\nRssAnon:\t     500 kB\nRssFile:\t    1400 kB\nRssShmem:\t     100 kB\n\
VmData:\t     800 kB\nVmStk:\t     132 kB\nVmExe:\t     900 kB\nVmLib:\t    1800 kB\nVmSwap:\t       8 kB\n\
HugetlbPages:\t       0 kB\nThreads:\t3\nCpus_allowed_list:\t0-1\nvoluntary_ctxt_switches:\t42\nnonvoluntary_ctxt_switches:\t7\n";

#[test]
fn status_fields_in_bytes() {
    let s = parse_status(STATUS);
    assert_eq!(s.tgid, Some(1234));
    assert_eq!(s.uid, Some([1000, 1001, 1002]));
    assert_eq!(s.gid, Some([100, 101, 102]));
    assert_eq!(s.threads, Some(3));
    assert_eq!(s.voluntary_ctxt_switches, Some(42));
    assert_eq!(s.nonvoluntary_ctxt_switches, Some(7));
    assert_eq!(s.vm_rss, Some(2000 * 1024));
    assert_eq!(s.vm_hwm, Some(3000 * 1024));
    assert_eq!(
        s.rss_anon.unwrap() + s.rss_file.unwrap() + s.rss_shmem.unwrap(),
        s.vm_rss.unwrap()
    );
    assert_eq!(s.vm_swap, Some(8 * 1024));
}

#[test]
fn status_garbage_gives_nothing_not_a_panic() {
    assert_eq!(parse_status(b""), Status::default());
    let s = parse_status(b"Uid:\t1\t2\nThreads:\tx\n:\n\xff\xfe");
    assert_eq!((s.uid, s.threads), (None, None));
}

#[test]
fn statm_seven_numbers() {
    assert_eq!(
        parse_statm(b"2250 500 350 220 0 200 0\n").unwrap(),
        [2250, 500, 350, 220, 0, 200, 0]
    );
    assert!(parse_statm(b"1 2 3").is_err());
    assert!(parse_statm(b"").is_err());
    assert!(parse_statm(b"a b c d e f g").is_err());
}

#[test]
fn io_maps_kernel_names_to_psutil_order() {
    let io = b"rchar: 100\nwchar: 200\nsyscr: 3\nsyscw: 4\nread_bytes: 4096\nwrite_bytes: 8192\ncancelled_write_bytes: 0\n";
    assert_eq!(parse_io(io).unwrap(), [3, 4, 4096, 8192, 100, 200]);
    assert!(parse_io(b"").is_err(), "empty file: psutil's RuntimeError");
    assert!(
        parse_io(b"rchar: 1\n").is_err(),
        "missing key: psutil's ValueError"
    );
}

#[test]
fn fdinfo_position_decimal_flags_octal() {
    let (pos, flags) = parse_fdinfo(b"pos:\t12\nflags:\t0102002\nmnt_id:\t25\nino:\t7\n").unwrap();
    assert_eq!(pos, 12);
    assert_eq!(flags, 0o102002);
    assert_eq!(file_mode(flags), "a+");
    assert!(parse_fdinfo(b"garbage").is_err());
}

#[test]
fn file_modes() {
    assert_eq!(file_mode(0o100000), "r");
    assert_eq!(file_mode(0o100001), "w");
    assert_eq!(file_mode(0o102001), "a");
    assert_eq!(file_mode(0o100002), "r+");
    assert_eq!(file_mode(0o102002), "a+");
}

#[test]
fn cmdline_nul_form() {
    assert_eq!(parse_cmdline(b"/bin/sleep\x0010\x00"), ["/bin/sleep", "10"]);
    assert_eq!(parse_cmdline(b"a\x00\x00b\x00"), ["a", "", "b"]);
    assert_eq!(parse_cmdline(b"a b\x00c\x00"), ["a b", "c"]);
}

#[test]
fn cmdline_space_and_setproctitle_forms() {
    // No trailing NUL: setproctitle rewrote it with spaces (#1179).
    assert_eq!(
        parse_cmdline(b"nginx: worker process"),
        ["nginx:", "worker", "process"]
    );
    assert_eq!(parse_cmdline(b"postgres: writer "), ["postgres:", "writer"]);
    // A single NUL-terminated element with spaces is split on spaces.
    assert_eq!(
        parse_cmdline(b"chromium --type=renderer\x00"),
        ["chromium", "--type=renderer"]
    );
    assert!(parse_cmdline(b"").is_empty());
}

#[test]
fn environ_rules() {
    let env = parse_environ(b"A=1\x00B=x=y\x00NOEQ\x00=bad\x00A=2\x00\x00C=after\x00");
    assert_eq!(env.get("A").map(String::as_str), Some("2"));
    assert_eq!(env.get("B").map(String::as_str), Some("x=y"));
    assert!(!env.contains_key("NOEQ") && !env.contains_key("") && !env.contains_key("C"));
    assert!(parse_environ(b"").is_empty());
}

const SMAPS: &[u8] = b"55d0c0000000-55d0c0021000 r-xp 00000000 08:01 1234    /usr/bin/cat\n\
Size:                132 kB\nRss:                 100 kB\nPss:                  50 kB\nShared_Clean:         60 kB\n\
Shared_Dirty:          0 kB\nPrivate_Clean:        40 kB\nPrivate_Dirty:         0 kB\nReferenced:          100 kB\n\
Anonymous:             0 kB\nSwap:                  0 kB\nSwapPss:               0 kB\nVmFlags: rd ex mr mw me dw\n\
7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]\n\
Size:                132 kB\nRss:                  12 kB\nPss:                  12 kB\nPrivate_Dirty:        12 kB\nSwap:                  4 kB\nSwapPss:               4 kB\n\
7f0000000000-7f0000001000 rw-p 00000000 00:00 0 \nRss:                   4 kB\nPrivate_Dirty:         4 kB\n\
7f0000002000-7f0000003000 r--p 00000000 08:01 99   /tmp/gone (deleted)\nRss:                   4 kB\n";

#[test]
fn smaps_entries() {
    let e = parse_smaps(SMAPS).unwrap();
    assert_eq!(e.len(), 4);
    assert_eq!(e[0].addr, b"55d0c0000000-55d0c0021000");
    assert_eq!(e[0].perms, b"r-xp");
    assert_eq!(e[0].path, b"/usr/bin/cat");
    assert_eq!(
        e[0].values,
        [
            100 * 1024,
            132 * 1024,
            50 * 1024,
            60 * 1024,
            0,
            40 * 1024,
            0,
            100 * 1024,
            0,
            0
        ]
    );
    assert_eq!(e[1].path, b"[stack]");
    assert_eq!(e[1].values[9], 4 * 1024);
    assert_eq!(e[2].path, b"[anon]");
    assert_eq!(e[3].path, b"/tmp/gone (deleted)");
    assert!(parse_smaps(b"").unwrap().is_empty());
    assert!(parse_smaps(b"Rss: 4 kB\n").is_err());
}

#[test]
fn uss_pss_swap_from_rollup_and_smaps() {
    let rollup = b"55d0c0000000-7ffd00021000 ---p 00000000 00:00 0    [rollup]\nRss:  500 kB\nPss:  300 kB\n\
Pss_Anon: 100 kB\nPss_File: 200 kB\nShared_Clean: 100 kB\nPrivate_Clean: 100 kB\nPrivate_Dirty: 250 kB\n\
Private_Hugetlb: 50 kB\nSwap: 16 kB\nSwapPss: 8 kB\n";
    assert_eq!(
        parse_uss_pss_swap(rollup),
        Ok((400 * 1024, 300 * 1024, 16 * 1024))
    );
    // Summing smaps gives the same rule per mapping.
    assert_eq!(
        parse_uss_pss_swap(SMAPS),
        Ok(((40 + 12 + 4) * 1024, (50 + 12) * 1024, 4 * 1024))
    );
    assert_eq!(parse_uss_pss_swap(b""), Ok((0, 0, 0)));
}

#[test]
fn limits_in_resource_order() {
    let text = "Limit                     Soft Limit           Hard Limit           Units     \n\
Max cpu time              unlimited            unlimited            seconds   \n\
Max file size             unlimited            unlimited            bytes     \n\
Max data size             unlimited            unlimited            bytes     \n\
Max stack size            8388608              unlimited            bytes     \n\
Max core file size        0                    unlimited            bytes     \n\
Max resident set          unlimited            unlimited            bytes     \n\
Max processes             31413                31413                processes \n\
Max open files            1024                 524288               files     \n";
    let l = parse_limits(text).unwrap();
    assert_eq!(l[0], (-1, -1));
    assert_eq!(l[3], (8388608, -1));
    assert_eq!(l[7], (1024, 524288));
    assert!(parse_limits("").is_err());
    assert!(parse_limits("header\nMax cpu time              lots                 x\n").is_err());
}

#[test]
fn passwd_and_cgroup() {
    let pw = "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534::/:/usr/sbin/nologin\nbroken\n";
    assert_eq!(passwd_name(pw, 65534).as_deref(), Some("nobody"));
    assert_eq!(passwd_name(pw, 4242), None);
    assert_eq!(
        parse_cgroup("0::/user.slice/session-1.scope\n").as_deref(),
        Some("/user.slice/session-1.scope")
    );
    assert_eq!(
        parse_cgroup("12:cpu,cpuacct:/docker/abc\n0::/\n").as_deref(),
        Some("/")
    );
    assert_eq!(parse_cgroup("3:memory:/x\n").as_deref(), Some("/x"));
    assert_eq!(parse_cgroup(""), None);
}

#[test]
fn status_upto_stops_after_the_named_line() {
    let s = parse_status_upto(STATUS, Some(b"HugetlbPages"));
    assert_eq!(s.uid, Some([1000, 1001, 1002]));
    assert_eq!(s.vm_rss, Some(2000 * 1024));
    assert_eq!((s.threads, s.voluntary_ctxt_switches), (None, None));
}

// Fuzz crash (issue #14): `Swap:44444444444444444` × 1024 overflowed u64.
#[test]
fn smaps_value_beyond_u64_bytes_is_out_of_range() {
    let header = "7f0000000000-7f0000001000 rw-p 00000000 00:00 0\n";
    for key in ["Swap", "Rss", "Private_Dirty"] {
        let text = format!("{header}{key}:44444444444444444\n");
        let e = parse_smaps(text.as_bytes()).unwrap_err();
        assert!(
            e.contains(key) && e.contains("44444444444444444 kB is out of range"),
            "{e}"
        );
        // uss, pss and swap do not read Rss.
        match parse_uss_pss_swap(text.as_bytes()) {
            Err(e) => assert!(key != "Rss" && e.contains("out of range"), "{e}"),
            Ok(v) => assert_eq!((key, v), ("Rss", (0, 0, 0))),
        }
    }
    // More digits than a u64 holds: out of range too, not a silent 0.
    let text = format!("{header}Rss: 99999999999999999999 kB\n");
    assert!(parse_smaps(text.as_bytes())
        .unwrap_err()
        .contains("out of range"));
    // The largest value that fits is kept exactly.
    let max_kb = u64::MAX / 1024;
    let text = format!("{header}Swap: {max_kb} kB\n");
    assert_eq!(
        parse_smaps(text.as_bytes()).unwrap()[0].values[9],
        max_kb * 1024
    );
    assert_eq!(
        parse_uss_pss_swap(text.as_bytes()),
        Ok((0, 0, max_kb * 1024))
    );
}

#[test]
fn smaps_totals_beyond_u64_are_out_of_range() {
    let max_kb = u64::MAX / 1024;
    let text = format!("Swap: {max_kb} kB\nSwap: {max_kb} kB\n");
    let e = parse_uss_pss_swap(text.as_bytes()).unwrap_err();
    assert!(e.contains("Swap total is out of range"), "{e}");
    let text = format!("Private_Clean: {max_kb} kB\nPrivate_Dirty: 1 kB\n");
    assert!(parse_uss_pss_swap(text.as_bytes()).is_err());
}

#[test]
fn grouped_maps_sum_per_path_in_first_seen_order() {
    let by_path = |e: Vec<SmapsEntry<'_>>| {
        let pairs: Vec<_> = e.iter().map(|e| (e.path.to_vec(), e.values)).collect();
        group_smaps(pairs).unwrap()
    };
    let g = by_path(parse_smaps(SMAPS).unwrap());
    let paths: Vec<&[u8]> = g.iter().map(|(p, _)| p.as_slice()).collect();
    assert_eq!(
        paths,
        [
            &b"/usr/bin/cat"[..],
            b"[stack]",
            b"[anon]",
            b"/tmp/gone (deleted)"
        ]
    );
    let twice = [SMAPS, SMAPS].concat();
    let g2 = by_path(parse_smaps(&twice).unwrap());
    assert_eq!(g2.len(), 4);
    assert_eq!(g2[0].1[0], 2 * 100 * 1024);
    assert_eq!(g2[1].1[9], 2 * 4 * 1024);
}

// Fuzz crash (issue #14): grouping summed two huge Rss values of one path.
#[test]
fn grouped_maps_sum_beyond_u64_is_out_of_range() {
    let max_kb = u64::MAX / 1024;
    let one =
        format!("7f0000000000-7f0000001000 rw-p 00000000 00:00 0 /lib/x.so\nRss: {max_kb} kB\n");
    let text = one.repeat(2);
    let entries = parse_smaps(text.as_bytes()).unwrap();
    let e = group_smaps(entries.iter().map(|e| (e.path, e.values))).unwrap_err();
    assert!(
        e.contains("Rss sum of \"/lib/x.so\" is out of range"),
        "{e}"
    );
}

// An id beyond u32 was truncated (`Uid: 4294967296` read as root).
#[test]
fn ids_beyond_u32_are_not_truncated() {
    let s = parse_status(b"Tgid:\t4294967297\nUid:\t4294967296\t0\t0\t0\nGid:\t1\t2\t3\t4\n");
    assert_eq!((s.tgid, s.uid), (None, None));
    assert_eq!(s.gid, Some([1, 2, 3]));
    let stat = b"1 (x) S 4294967296 1 1 0 1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 6 7\n";
    let e = parse_stat(stat).unwrap_err();
    assert!(e.contains("ppid 4294967296 is out of range"), "{e}");
    let stat = b"1 (x) S 4294967295 1 1 0 1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 6 7\n";
    assert_eq!(parse_stat(stat).unwrap().ppid, u32::MAX);
}
