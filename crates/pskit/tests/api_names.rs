//! The 1.0 API's names: glob imports of the top level and of `process` together
//! leave nothing ambiguous, and psutil's constants are reachable from the top.

#![allow(unused_imports)]

use pskit::process::*;
use pskit::*;

#[test]
fn glob_imports_are_unambiguous() {
    // The system's times (psutil scputimes) and a process's (pcputimes) differ.
    let sys: CpuTimes = cpu_times().unwrap();
    let me: ProcessCpuTimes = Process::current().unwrap().cpu_times().unwrap();
    assert!(sys.user > 0.0 && me.user >= 0.0);
    // Constants from either path are the same items.
    assert_eq!(RLIMIT_NOFILE, pskit::process::RLIMIT_NOFILE);
    assert_eq!(STATUS_ZOMBIE, "zombie");
    // The typed process API from either path.
    let info: ProcessInfo = Process::current().unwrap().as_dict([Attr::Status]).unwrap();
    assert!(matches!(
        info.status,
        Field::Value(Status::Running | Status::Sleeping)
    ));
    assert_eq!((AF_INET, SOCK_STREAM), (2, 1));
    // One integer type per concept: pids and counts are u32.
    let p = Process::current().unwrap();
    let (pid, fds, threads): (u32, u32, u32) =
        (p.pid(), p.num_fds().unwrap(), p.num_threads().unwrap());
    assert!(pid > 0 && fds >= 3 && threads >= 1);
    let _users: Vec<u32> = users().unwrap().iter().map(|u| u.pid).collect();
}
