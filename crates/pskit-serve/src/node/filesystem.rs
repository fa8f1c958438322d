//! `filesystem`: node_filesystem_* from the mount table and statfs(2), with
//! node_exporter 1.5's names, help texts, flags and defaults.
//!
//! As node_exporter 1.5 does, the mount table is `/proc/1/mounts` (or
//! `/proc/mounts` when that is missing), mount points under
//! `--path.rootfs` are shown without it, and statfs is called on
//! `--path.rootfs` joined with the mount point. A mount whose statfs does
//! not answer within `--collector.filesystem.mount-timeout` (5s) is marked
//! stale: it gets `node_filesystem_device_error 1`, and is not statfs'd
//! again until the call that hung returns. The call runs on a worker thread,
//! so unlike node_exporter even the first scrape never waits longer than
//! the timeout for a hung NFS server.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex, OnceLock};
use std::time::Duration;

use crate::expo::Metrics;
use crate::node::devfilter::{self, go_join};
use crate::{Ctx, Opt};

/// node_exporter 1.5's `--collector.filesystem.mount-points-exclude`
/// default (Debian's package patches it to also exclude `/run`, `/mnt` and
/// `/media`: pass that regex to get Debian's behaviour).
pub const DEFAULT_MOUNT_POINTS_EXCLUDE: &str =
    "^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)";

/// node_exporter 1.5's `--collector.filesystem.fs-types-exclude` default.
pub const DEFAULT_FS_TYPES_EXCLUDE: &str = "^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs)$";

/// The collector's flags, with node_exporter 1.5's defaults (the two
/// `ignored-*` ones are its deprecated aliases).
///
/// ```
/// let o = pskit_serve::node::filesystem::OPTIONS;
/// assert!(o.iter().any(|o| o.flag == "collector.filesystem.mount-timeout" && o.default == "5s"));
/// ```
pub const OPTIONS: &[Opt] = &[
    Opt {
        flag: "collector.filesystem.mount-points-exclude",
        default: DEFAULT_MOUNT_POINTS_EXCLUDE,
        help: "Regexp of mount points to exclude for filesystem collector",
    },
    Opt {
        flag: "collector.filesystem.ignored-mount-points",
        default: "",
        help: "DEPRECATED: Regexp of mount points to ignore for filesystem collector",
    },
    Opt {
        flag: "collector.filesystem.fs-types-exclude",
        default: DEFAULT_FS_TYPES_EXCLUDE,
        help: "Regexp of filesystem types to exclude for filesystem collector",
    },
    Opt {
        flag: "collector.filesystem.ignored-fs-types",
        default: "",
        help: "DEPRECATED: Regexp of filesystem types to ignore for filesystem collector",
    },
    Opt {
        flag: "collector.filesystem.mount-timeout",
        default: "5s",
        help: "How long to wait for a mount to respond before marking it as stale",
    },
];

/// One mount of the mount table, as node_exporter labels it.
///
/// ```
/// let m = pskit_serve::node::filesystem::parse_mounts("/dev/sda1 /mnt/my\\040disk ext4 rw 0 0\n", "/").unwrap();
/// assert_eq!(m[0].mountpoint, "/mnt/my disk");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Mount {
    /// The source (`/dev/sda1`, `tmpfs`, `server:/export`).
    pub device: String,
    /// Where it is mounted, `--path.rootfs` stripped.
    pub mountpoint: String,
    /// The filesystem type.
    pub fstype: String,
    /// The mount options.
    pub options: String,
}

/// Parses a mount table (`/proc/mounts` format) as node_exporter 1.5 does:
/// the mount point's `\040` and `\011` become a space and a tab, the prefix
/// `rootfs` is stripped from it (unless `rootfs` is `/`), and a line of
/// fewer than four fields (a blank one included) is an error.
///
/// ```
/// use pskit_serve::node::filesystem::parse_mounts;
/// let m = parse_mounts("/dev/vda /host/home ext4 rw 0 0\n", "/host").unwrap();
/// assert_eq!(m[0].mountpoint, "/home");
/// assert!(parse_mounts("/dev/vda /home\n", "/").is_err());
/// ```
pub fn parse_mounts(text: &str, rootfs: &str) -> Result<Vec<Mount>, String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let parts: Vec<&str> = line.split_whitespace().collect();
        if parts.len() < 4 {
            return Err(format!("malformed mount point information: {line:?}"));
        }
        let mp = parts[1].replace("\\040", " ").replace("\\011", "\t");
        out.push(Mount {
            device: parts[0].to_string(),
            mountpoint: strip_rootfs(&mp, rootfs),
            fstype: parts[2].to_string(),
            options: parts[3].to_string(),
        });
    }
    Ok(out)
}

/// node_exporter's `rootfsStripPrefix`.
fn strip_rootfs(path: &str, rootfs: &str) -> String {
    if rootfs == "/" {
        return path.to_string();
    }
    match path.strip_prefix(rootfs).unwrap_or(path) {
        "" => "/".into(),
        s => s.to_string(),
    }
}

/// What statfs said of one mount.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Stat {
    size: f64,
    free: f64,
    avail: f64,
    files: f64,
    files_free: f64,
}

/// Mount points whose statfs hung; the value says whether that call has
/// since returned (then the entry is removed).
fn stuck() -> &'static Mutex<HashMap<String, Arc<AtomicBool>>> {
    static STUCK: OnceLock<Mutex<HashMap<String, Arc<AtomicBool>>>> = OnceLock::new();
    STUCK.get_or_init(|| Mutex::new(HashMap::new()))
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// statfs(2) of `path` in a thread, waiting at most `timeout`. `None` on
/// an error or when it hung (then `mountpoint` is marked stuck until the
/// call returns).
fn statfs_with_timeout(path: String, mountpoint: &str, timeout: Duration) -> Option<Stat> {
    call_with_timeout(mountpoint, timeout, move || {
        rustix::fs::statfs(path.as_str()).ok().map(|s| {
            let bsize = s.f_bsize as f64;
            Stat {
                size: s.f_blocks as f64 * bsize,
                free: s.f_bfree as f64 * bsize,
                avail: s.f_bavail as f64 * bsize,
                files: s.f_files as f64,
                files_free: s.f_ffree as f64,
            }
        })
    })
}

/// A thread that runs statfs calls one at a time, kept between scrapes
/// (spawning one per call cost a clone, a stack mapping and its unmapping
/// for every mount on every scrape). A worker is lent to one caller at a
/// time; one whose call hung is never given back: it ends when that call
/// returns and it finds its channel closed.
struct Worker {
    jobs: mpsc::Sender<Box<dyn FnOnce() + Send>>,
}

/// Idle workers, at most [`MAX_IDLE`] of them.
fn idle() -> &'static Mutex<Vec<Worker>> {
    static IDLE: Mutex<Vec<Worker>> = Mutex::new(Vec::new());
    &IDLE
}

const MAX_IDLE: usize = 4;

fn take_worker() -> Option<Worker> {
    if let Some(w) = lock(idle()).pop() {
        return Some(w);
    }
    let (tx, rx) = mpsc::channel::<Box<dyn FnOnce() + Send>>();
    std::thread::Builder::new()
        .name("pskit-statfs".into())
        .stack_size(64 * 1024)
        .spawn(move || {
            while let Ok(job) = rx.recv() {
                job();
            }
        })
        .ok()?;
    Some(Worker { jobs: tx })
}

fn give_back(w: Worker) {
    let mut idle = lock(idle());
    if idle.len() < MAX_IDLE {
        idle.push(w);
    }
}

/// Runs `call` on a statfs worker thread and waits at most `timeout` for
/// it. When it does not answer in time, `mountpoint` is marked stuck and
/// `None` returned; the worker unmarks it whenever the call does return
/// (the check and the mark share the lock, so a late answer cannot leave a
/// mark behind).
fn call_with_timeout(
    mountpoint: &str,
    timeout: Duration,
    call: impl FnOnce() -> Option<Stat> + Send + 'static,
) -> Option<Stat> {
    let (tx, rx) = mpsc::channel();
    let done = Arc::new(AtomicBool::new(false));
    let done2 = Arc::clone(&done);
    let mp = mountpoint.to_string();
    let worker = take_worker()?;
    let job = Box::new(move || {
        let r = call();
        let mut st = lock(stuck());
        done2.store(true, Ordering::SeqCst);
        if st.get(&mp).is_some_and(|d| Arc::ptr_eq(d, &done2)) {
            st.remove(&mp);
        }
        drop(st);
        let _ = tx.send(r);
    });
    if worker.jobs.send(job).is_err() {
        return None;
    }
    match rx.recv_timeout(timeout) {
        Ok(r) => {
            give_back(worker);
            r
        }
        Err(_) => {
            let mut st = lock(stuck());
            if !done.load(Ordering::SeqCst) {
                st.insert(mountpoint.to_string(), done);
                // `worker` is dropped here, hung: it ends after its call.
                return None;
            }
            drop(st);
            // It answered just after the timeout.
            let r = rx.recv().ok().flatten();
            give_back(worker);
            r
        }
    }
}

/// Adds node_filesystem_* for every mount the two exclude regexes keep.
///
/// ```
/// let cfg = pskit_serve::Config::parse(["pskit serve"]).unwrap();
/// let mut m = pskit_serve::expo::Metrics::default();
/// pskit_serve::node::filesystem::collect(cfg.ctx(), &mut m).unwrap();
/// assert!(m.families().iter().any(|f| f.name == "node_filesystem_device_error"));
/// ```
pub fn collect(ctx: &Ctx, m: &mut Metrics) -> Result<(), String> {
    let mp_pattern = devfilter::with_alias(
        "collector.filesystem.mount-points-exclude",
        ctx.opt("collector.filesystem.mount-points-exclude"),
        DEFAULT_MOUNT_POINTS_EXCLUDE,
        "collector.filesystem.ignored-mount-points",
        ctx.opt("collector.filesystem.ignored-mount-points"),
    )?;
    let fs_pattern = devfilter::with_alias(
        "collector.filesystem.fs-types-exclude",
        ctx.opt("collector.filesystem.fs-types-exclude"),
        DEFAULT_FS_TYPES_EXCLUDE,
        "collector.filesystem.ignored-fs-types",
        ctx.opt("collector.filesystem.ignored-fs-types"),
    )?;
    let mp_re = devfilter::regex("collector.filesystem.mount-points-exclude", mp_pattern)?;
    let fs_re = devfilter::regex("collector.filesystem.fs-types-exclude", fs_pattern)?;
    let timeout = devfilter::parse_go_duration(
        "collector.filesystem.mount-timeout",
        ctx.opt("collector.filesystem.mount-timeout"),
    )?;
    let rootfs = ctx.rootfs.to_string_lossy().into_owned();
    let read = |p: &std::path::Path| {
        pskit::fs::with_text_large(p, |t| {
            parse_mounts(t, &rootfs).map_err(|e| pskit::Error::parse(p, e))
        })
    };
    let proc = ctx.root.proc();
    let mounts = match read(&proc.join("1/mounts")) {
        Err(pskit::Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
            // hidepid hides pid 1.
            read(&proc.join("mounts"))
        }
        r => r,
    }
    .map_err(|e| e.to_string())?;

    let mut seen = HashSet::new();
    for mnt in mounts {
        if mp_re.is_match(&mnt.mountpoint) || fs_re.is_match(&mnt.fstype) {
            continue;
        }
        // A mount seen twice (same device, mount point and type) is shown
        // once, as node_exporter's registry keeps the first.
        if !seen.insert((
            mnt.device.clone(),
            mnt.mountpoint.clone(),
            mnt.fstype.clone(),
        )) {
            continue;
        }
        let stale = lock(stuck()).contains_key(&mnt.mountpoint);
        let stat = if stale {
            None
        } else {
            statfs_with_timeout(go_join(&rootfs, &mnt.mountpoint), &mnt.mountpoint, timeout)
        };
        let labels = [
            ("device", mnt.device.as_str()),
            ("fstype", mnt.fstype.as_str()),
            ("mountpoint", mnt.mountpoint.as_str()),
        ];
        m.gauge(
            "node_filesystem_device_error",
            "Whether an error occurred while getting statistics for the given device.",
        )
        .sample(&labels, if stat.is_some() { 0.0 } else { 1.0 });
        let Some(s) = stat else { continue };
        let ro = mnt.options.split(',').any(|o| o == "ro");
        for (name, help, v) in [
            (
                "node_filesystem_size_bytes",
                "Filesystem size in bytes.",
                s.size,
            ),
            (
                "node_filesystem_free_bytes",
                "Filesystem free space in bytes.",
                s.free,
            ),
            (
                "node_filesystem_avail_bytes",
                "Filesystem space available to non-root users in bytes.",
                s.avail,
            ),
            (
                "node_filesystem_files",
                "Filesystem total file nodes.",
                s.files,
            ),
            (
                "node_filesystem_files_free",
                "Filesystem total free file nodes.",
                s.files_free,
            ),
            (
                "node_filesystem_readonly",
                "Filesystem read-only status.",
                if ro { 1.0 } else { 0.0 },
            ),
        ] {
            m.gauge(name, help).sample(&labels, v);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mounts() {
        let t =
            "/dev/vda / ext4 rw,relatime 0 0\nserver:/x /mnt/a\\011b\\040c nfs4 ro,vers=4.2 0 0\n";
        let m = parse_mounts(t, "/").unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(m[1].mountpoint, "/mnt/a\tb c");
        assert_eq!(m[1].options, "ro,vers=4.2");
        // Only four fields are needed.
        assert_eq!(parse_mounts("a /b c d\n", "/").unwrap().len(), 1);
        // rootfs prefix.
        let m = parse_mounts(
            "/dev/vda /host ext4 rw 0 0\nproc /proc proc rw 0 0\n",
            "/host",
        )
        .unwrap();
        assert_eq!(m[0].mountpoint, "/");
        assert_eq!(m[1].mountpoint, "/proc");
    }

    #[test]
    fn garbage_is_an_error() {
        for bad in ["/dev/vda / ext4\n", "\n", "x\n/dev/vda / ext4 rw 0 0\n"] {
            let e = parse_mounts(bad, "/").unwrap_err();
            assert!(e.starts_with("malformed mount point information"), "{e}");
        }
        assert!(parse_mounts("", "/").unwrap().is_empty());
        // Truncated mid-line after the options: still four fields.
        assert_eq!(parse_mounts("a /b c rw,re", "/").unwrap().len(), 1);
    }

    #[test]
    fn default_excludes() {
        let mp = regex::Regex::new(DEFAULT_MOUNT_POINTS_EXCLUDE).unwrap();
        for p in [
            "/dev",
            "/dev/shm",
            "/proc",
            "/sys/fs/cgroup",
            "/run/credentials/x",
            "/var/lib/docker/overlay2/x",
        ] {
            assert!(mp.is_match(p), "{p}");
        }
        for p in ["/", "/run", "/home", "/devices", "/var/lib/docker", "/mnt"] {
            assert!(!mp.is_match(p), "{p}");
        }
        let fs = regex::Regex::new(DEFAULT_FS_TYPES_EXCLUDE).unwrap();
        assert!(fs.is_match("cgroup2") && !fs.is_match("tmpfs") && !fs.is_match("ext4"));
    }

    #[test]
    fn statfs_answers_and_errors() {
        let s = statfs_with_timeout("/".into(), "/", Duration::from_secs(5)).unwrap();
        assert!(s.size > 0.0 && s.free <= s.size);
        assert!(statfs_with_timeout(
            "/no/such/dir".into(),
            "/no/such/dir",
            Duration::from_secs(5)
        )
        .is_none());
    }

    fn is_stuck(mp: &str) -> bool {
        lock(stuck()).contains_key(mp)
    }

    fn wait_unstuck(mp: &str) {
        for _ in 0..500 {
            if !is_stuck(mp) {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("{mp} still marked stuck");
    }

    #[test]
    fn a_hung_statfs_does_not_hang_the_scrape() {
        // A statfs that hangs for 1.5 s (a dead NFS server), a 100 ms timeout.
        let mp = "/pskit-test-hung";
        let t = std::time::Instant::now();
        let r = call_with_timeout(mp, Duration::from_millis(100), || {
            std::thread::sleep(Duration::from_millis(1500));
            None
        });
        assert!(r.is_none());
        assert!(
            t.elapsed() < Duration::from_millis(1000),
            "{:?}",
            t.elapsed()
        );
        assert!(is_stuck(mp));

        // The next scrape of a fixture naming that mount does not statfs it
        // again: device_error 1 at once, and the other mount is fine.
        let dir = std::env::temp_dir().join(format!("pskit-fs-hung-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("proc/1")).unwrap();
        std::fs::create_dir_all(dir.join("ok")).unwrap();
        std::fs::create_dir_all(dir.join(&mp[1..])).unwrap();
        std::fs::write(
            dir.join("proc/1/mounts"),
            format!("srv:/x {mp} nfs4 rw 0 0\n/dev/vdb /ok ext4 rw 0 0\n"),
        )
        .unwrap();
        let root = dir.to_string_lossy().into_owned();
        let cfg = crate::Config::parse([
            "pskit serve".to_string(),
            format!("--path.procfs={root}/proc"),
            format!("--path.rootfs={root}"),
        ])
        .unwrap();
        let scrape = || {
            let mut m = Metrics::default();
            collect(cfg.ctx(), &mut m).unwrap();
            crate::expo::encode_text(&m)
        };
        let t = std::time::Instant::now();
        let text = scrape();
        assert!(t.elapsed() < Duration::from_millis(1000));
        let err = |mp: &str, v: u8| {
            format!("node_filesystem_device_error{{device=\"{}\",fstype=\"{}\",mountpoint=\"{mp}\"}} {v}\n",
                if mp == "/ok" { "/dev/vdb" } else { "srv:/x" },
                if mp == "/ok" { "ext4" } else { "nfs4" })
        };
        assert!(text.contains(&err(mp, 1)), "{text}");
        assert!(text.contains(&err("/ok", 0)), "{text}");
        assert!(
            !text.contains(&format!("mountpoint=\"{mp}\"}} 0")),
            "{text}"
        );

        // Once the hung call returns, the mount is statfs'd again.
        wait_unstuck(mp);
        let text = scrape();
        assert!(text.contains(&err(mp, 0)), "{text}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_late_answer_unmarks_the_mount() {
        // With no time to answer the call counts as hung and the mount is
        // marked stale; once statfs returns the mark goes.
        let mp = "/pskit-test-late-answer";
        let r = statfs_with_timeout("/".into(), mp, Duration::ZERO);
        if r.is_none() {
            wait_unstuck(mp);
        }
        assert!(!is_stuck(mp));
    }
}
