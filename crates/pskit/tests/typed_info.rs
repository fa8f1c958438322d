//! The typed process results (issue 9): `Attr` names, `Field` states, `Status`,
//! and `ProcessInfo`'s JSON keeping psutil's keys.

use std::process::Command;
use std::time::{Duration, Instant};

use pskit::process::{Attr, Field, Status, ATTRS};
use serde_json::{json, Value};

#[test]
fn attr_names_round_trip_and_unknown_names_are_named() {
    for a in Attr::ALL.iter().chain(Attr::EXTRA.iter()) {
        assert_eq!(Attr::from_name(a.name()), Some(*a));
        assert_eq!(a.to_string().parse::<Attr>().unwrap(), *a);
    }
    assert_eq!(
        Attr::ALL.iter().map(|a| a.name()).collect::<Vec<_>>(),
        ATTRS.to_vec()
    );
    let me = pskit::Process::current().unwrap();
    let err = me.as_dict(["name", "bogus", "nope"]).unwrap_err();
    assert_eq!(err.to_string(), "invalid attr name(s): bogus, nope");
    assert!(pskit::process_iter(["bogus"]).is_err());
}

#[test]
fn all_attributes_are_typed_and_serialize_with_psutils_keys() {
    let me = pskit::Process::current().unwrap();
    let info = me.as_dict(Attr::ALL).unwrap();
    assert_eq!(info.requested(), &Attr::ALL);
    assert_eq!(info.pid(), std::process::id());
    assert_eq!(info.ppid.value(), Some(std::os::unix::process::parent_id()));
    // The main thread of the test harness waits for this one: sleeping.
    assert!(matches!(
        info.status.value(),
        Some(Status::Running | Status::Sleeping)
    ));
    assert!(info.memory_info.unwrap().rss > 0);
    assert!(info.num_fds.unwrap() >= 3);
    assert!(info.cmdline.get().is_some_and(|c| !c.is_empty()));
    assert!(!info.page_faults.is_requested(), "not in Attr::ALL");
    let json = serde_json::to_value(&info).unwrap();
    let obj = json.as_object().unwrap();
    let mut keys: Vec<&str> = obj.keys().map(|k| k.as_str()).collect();
    keys.sort_unstable();
    assert_eq!(keys, ATTRS.to_vec());
    assert_eq!(json["status"], info.status.unwrap().as_str());
    assert_eq!(json["pid"], std::process::id());
    assert_eq!(Value::Object(info.info(Value::Null)), json);
}

#[test]
fn denied_is_told_apart_from_not_requested() {
    // A zombie child: its cmdline read is ZombieProcess, psutil's ad_value.
    let mut child = Command::new("true").spawn().unwrap();
    let p = pskit::Process::new(child.id()).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while p.status().unwrap() != pskit::STATUS_ZOMBIE {
        assert!(Instant::now() < deadline, "child never became a zombie");
        std::thread::sleep(Duration::from_millis(5));
    }
    let info = p
        .as_dict([Attr::Cmdline, Attr::Status, Attr::Ppid])
        .unwrap();
    assert_eq!(info.cmdline, Field::Denied);
    assert_eq!(info.status, Field::Value(Status::Zombie));
    assert_eq!(info.nice, Field::NotRequested);
    let d = info.info(json!("AD"));
    assert_eq!(d["cmdline"], "AD");
    assert!(!d.contains_key("nice"));
    assert_eq!(serde_json::to_value(&info).unwrap()["cmdline"], Value::Null);
    // The same through the scan.
    let all = pskit::process_iter([Attr::Cmdline, Attr::Status]).unwrap();
    let z = all.iter().find(|i| i.pid() == child.id()).unwrap();
    assert_eq!(z.cmdline, Field::Denied);
    assert_eq!(z.status.value(), Some(pskit::STATUS_ZOMBIE));
    child.wait().unwrap();
}

#[test]
fn typed_and_named_selections_read_the_same() {
    let typed = pskit::process_iter([Attr::Name, Attr::Ppid, Attr::Nice]).unwrap();
    let named =
        pskit::process_iter(vec!["name".to_string(), "ppid".into(), "nice".into()]).unwrap();
    let me = std::process::id();
    let a = typed.iter().find(|p| p.pid() == me).unwrap();
    let b = named.iter().find(|p| p.pid() == me).unwrap();
    assert_eq!(a.name, b.name);
    assert_eq!(a.ppid, b.ppid);
    assert_eq!(a.nice, b.nice);
    assert_eq!(a.requested(), b.requested());
    assert!(a.nice.is_requested() && !a.cwd.is_requested());
}

#[test]
fn status_letters_strings_and_json() {
    for (letter, name) in [
        (b'R', "running"),
        (b'S', "sleeping"),
        (b'D', "disk-sleep"),
        (b'T', "stopped"),
        (b't', "tracing-stop"),
        (b'Z', "zombie"),
        (b'X', "dead"),
        (b'x', "dead"),
        (b'K', "wake-kill"),
        (b'W', "waking"),
        (b'I', "idle"),
        (b'P', "parked"),
        (b'?', "?"),
    ] {
        let s = Status::from_letter(letter);
        assert_eq!(s, name);
        assert_eq!(format!("{s}"), name);
        assert_eq!(serde_json::to_value(s).unwrap(), name);
    }
    assert_eq!(format!("{:>8}", pskit::STATUS_IDLE), "    idle");
    assert_eq!("locked".parse::<Status>().unwrap(), pskit::STATUS_LOCKED);
    assert!("busy".parse::<Status>().is_err());
}

/// psutil's messages quote the name once it is known: every getter of a handle
/// whose process is gone says `process no longer exists (pid=…, name='…')`.
#[test]
fn every_getter_names_the_gone_process() {
    let mut child = Command::new("sleep").arg("30").spawn().unwrap();
    let p = pskit::Process::new(child.id()).unwrap();
    assert_eq!(p.name().unwrap(), "sleep");
    let q = pskit::Process::new(child.id()).unwrap();
    let started = p.create_time().unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    // As psutil's: the start time read when the handle was made still answers,
    // asked before the end or not, until the cache is cleared.
    assert_eq!(p.create_time().unwrap(), started);
    // (boot_time is read again: a clock step between the reads may move it.)
    assert!((q.create_time().unwrap() - started).abs() <= 1.0);
    q.clear_cache();
    assert!(q.create_time().unwrap_err().is_no_such_process());
    type Getter = fn(&pskit::Process) -> pskit::Result<()>;
    let getters: Vec<(&str, Getter)> = vec![
        ("ppid", |p| p.ppid().map(drop)),
        ("exe", |p| p.exe().map(drop)),
        ("cmdline", |p| p.cmdline().map(drop)),
        ("environ", |p| p.environ().map(drop)),
        ("status", |p| p.status().map(drop)),
        ("cwd", |p| p.cwd().map(drop)),
        ("username", |p| p.username().map(drop)),
        ("uids", |p| p.uids().map(drop)),
        ("gids", |p| p.gids().map(drop)),
        ("terminal", |p| p.terminal().map(drop)),
        ("nice", |p| p.nice().map(drop)),
        ("ionice", |p| p.ionice().map(drop)),
        ("rlimit", |p| p.rlimit(pskit::RLIMIT_NOFILE).map(drop)),
        ("io_counters", |p| p.io_counters().map(drop)),
        ("num_ctx_switches", |p| p.num_ctx_switches().map(drop)),
        ("num_threads", |p| p.num_threads().map(drop)),
        ("cpu_times", |p| p.cpu_times().map(drop)),
        ("cpu_num", |p| p.cpu_num().map(drop)),
        ("cpu_affinity", |p| p.cpu_affinity().map(drop)),
        ("memory_info", |p| p.memory_info().map(drop)),
        ("memory_info_ex", |p| p.memory_info_ex().map(drop)),
        ("page_faults", |p| p.page_faults().map(drop)),
        ("memory_full_info", |p| p.memory_full_info().map(drop)),
        ("memory_percent", |p| p.memory_percent("rss").map(drop)),
        ("memory_maps", |p| p.memory_maps().map(drop)),
        ("num_fds", |p| p.num_fds().map(drop)),
        ("threads", |p| p.threads().map(drop)),
        ("open_files", |p| p.open_files().map(drop)),
        ("net_connections", |p| p.net_connections("all").map(drop)),
        ("children", |p| p.children(false).map(drop)),
        ("cgroup", |p| p.cgroup().map(drop)),
        ("cpu_limit", |p| p.cpu_limit().map(drop)),
        ("memory_limit", |p| p.memory_limit().map(drop)),
        ("as_dict", |p| p.as_dict(Attr::ALL).map(drop)),
    ];
    let mut wrong = Vec::new();
    for (what, get) in getters {
        match get(&p) {
            Err(e @ pskit::Error::NoSuchProcess { .. }) => {
                let want = format!("process no longer exists (pid={}, name='sleep')", p.pid());
                if e.to_string() != want {
                    wrong.push(format!("{what}: {e}"));
                }
            }
            Err(e) => wrong.push(format!("{what}: not NoSuchProcess: {e}")),
            Ok(()) => wrong.push(format!("{what}: succeeded on a gone process")),
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// `fn main() -> pskit::Result<()>` prints the error's Debug form: it must read
/// like the end of a Python traceback, not a struct dump.
#[test]
fn debug_form_is_readable() {
    let err = pskit::Process::new(999_999_999).unwrap_err();
    assert_eq!(
        format!("{err:?}"),
        "NoSuchProcess: process PID not found (pid=999999999)"
    );
}
