//! The one root setting: where pskit finds `/proc`, `/sys`, `/etc`, `/run`, `/var` and `/dev`.
//!
//! psutil has `PROCFS_PATH`; gopsutil has `HOST_PROC`, `HOST_SYS`, `HOST_ETC`, `HOST_RUN`.
//! pskit has a [`Root`] that covers every path it reads. It is chosen, in order, from:
//!
//! 1. a thread-local override set with [`Root::scope`] (tests run in parallel this way);
//! 2. a process-wide setting made with [`Root::set_global`];
//! 3. the environment, read once: `HOST_ROOT` (a prefix such as `/hostfs` for all of them),
//!    then `HOST_PROC`, `HOST_SYS`, `HOST_ETC`, `HOST_RUN`, `HOST_VAR`, `HOST_DEV` for each;
//! 4. the real root.
//!
//! No code in pskit opens a literal `/proc` or `/sys` path: every read goes through here.

use std::cell::RefCell;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock, RwLock};

/// The directories pskit reads from.
///
/// ```
/// use pskit::Root;
/// let root = Root::new("/hostfs");
/// assert_eq!(root.proc(), std::path::Path::new("/hostfs/proc"));
/// assert_eq!(Root::host().sys(), std::path::Path::new("/sys"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Root {
    proc: PathBuf,
    sys: PathBuf,
    etc: PathBuf,
    run: PathBuf,
    var: PathBuf,
    dev: PathBuf,
}

static GLOBAL: RwLock<Option<Arc<Root>>> = RwLock::new(None);
static FROM_ENV: OnceLock<Arc<Root>> = OnceLock::new();

thread_local! {
    static SCOPED: RefCell<Option<Arc<Root>>> = const { RefCell::new(None) };
}

impl Root {
    /// The real root: `/proc`, `/sys`, `/etc`, `/run`, `/var`, `/dev`.
    ///
    /// ```
    /// assert!(pskit::Root::host().is_host());
    /// ```
    pub fn host() -> Root {
        Root::new("/")
    }

    /// Every directory under one prefix, e.g. a host's root mounted at `/hostfs`
    /// or a fixture tree.
    ///
    /// ```
    /// let root = pskit::Root::new("tests/fixtures/basic");
    /// assert_eq!(root.etc(), std::path::Path::new("tests/fixtures/basic/etc"));
    /// ```
    pub fn new(prefix: impl AsRef<Path>) -> Root {
        let p = prefix.as_ref();
        Root {
            proc: p.join("proc"),
            sys: p.join("sys"),
            etc: p.join("etc"),
            run: p.join("run"),
            var: p.join("var"),
            dev: p.join("dev"),
        }
    }

    /// The root the environment asks for (`HOST_ROOT`, then `HOST_PROC`, `HOST_SYS`,
    /// `HOST_ETC`, `HOST_RUN`, `HOST_VAR`, `HOST_DEV`), else the real root.
    ///
    /// ```
    /// let root = pskit::Root::from_env();
    /// assert!(root.proc().ends_with("proc"));
    /// ```
    pub fn from_env() -> Root {
        Root::from_vars(|k| std::env::var_os(k))
    }

    fn from_vars(get: impl Fn(&str) -> Option<std::ffi::OsString>) -> Root {
        let nonempty = |k: &str| get(k).filter(|v| !v.is_empty());
        let mut root = match nonempty("HOST_ROOT") {
            Some(prefix) => Root::new(prefix),
            None => Root::host(),
        };
        let set = |slot: &mut PathBuf, key: &str| {
            if let Some(v) = nonempty(key) {
                *slot = PathBuf::from(v);
            }
        };
        set(&mut root.proc, "HOST_PROC");
        set(&mut root.sys, "HOST_SYS");
        set(&mut root.etc, "HOST_ETC");
        set(&mut root.run, "HOST_RUN");
        set(&mut root.var, "HOST_VAR");
        set(&mut root.dev, "HOST_DEV");
        root
    }

    /// Replaces the procfs directory (psutil's `PROCFS_PATH`).
    ///
    /// ```
    /// let root = pskit::Root::host().with_proc("/hostfs/proc");
    /// assert_eq!(root.proc(), std::path::Path::new("/hostfs/proc"));
    /// ```
    pub fn with_proc(mut self, path: impl Into<PathBuf>) -> Root {
        self.proc = path.into();
        self
    }

    /// Replaces the sysfs directory.
    ///
    /// ```
    /// let root = pskit::Root::host().with_sys("/hostfs/sys");
    /// assert_eq!(root.sys(), std::path::Path::new("/hostfs/sys"));
    /// ```
    pub fn with_sys(mut self, path: impl Into<PathBuf>) -> Root {
        self.sys = path.into();
        self
    }

    /// Replaces the `/etc` directory.
    ///
    /// ```
    /// let root = pskit::Root::host().with_etc("/hostfs/etc");
    /// assert_eq!(root.etc(), std::path::Path::new("/hostfs/etc"));
    /// ```
    pub fn with_etc(mut self, path: impl Into<PathBuf>) -> Root {
        self.etc = path.into();
        self
    }

    /// Replaces the `/run` directory (where `utmp` lives).
    ///
    /// ```
    /// let root = pskit::Root::host().with_run("/hostfs/run");
    /// assert_eq!(root.run(), std::path::Path::new("/hostfs/run"));
    /// ```
    pub fn with_run(mut self, path: impl Into<PathBuf>) -> Root {
        self.run = path.into();
        self
    }

    /// Replaces the `/var` directory.
    ///
    /// ```
    /// let root = pskit::Root::host().with_var("/hostfs/var");
    /// assert_eq!(root.var(), std::path::Path::new("/hostfs/var"));
    /// ```
    pub fn with_var(mut self, path: impl Into<PathBuf>) -> Root {
        self.var = path.into();
        self
    }

    /// Replaces the `/dev` directory.
    ///
    /// ```
    /// let root = pskit::Root::host().with_dev("/hostfs/dev");
    /// assert_eq!(root.dev(), std::path::Path::new("/hostfs/dev"));
    /// ```
    pub fn with_dev(mut self, path: impl Into<PathBuf>) -> Root {
        self.dev = path.into();
        self
    }

    /// The procfs directory.
    ///
    /// ```
    /// assert_eq!(pskit::Root::host().proc(), std::path::Path::new("/proc"));
    /// ```
    pub fn proc(&self) -> &Path {
        &self.proc
    }

    /// The sysfs directory.
    ///
    /// ```
    /// assert_eq!(pskit::Root::host().sys(), std::path::Path::new("/sys"));
    /// ```
    pub fn sys(&self) -> &Path {
        &self.sys
    }

    /// The `/etc` directory.
    ///
    /// ```
    /// assert_eq!(pskit::Root::host().etc(), std::path::Path::new("/etc"));
    /// ```
    pub fn etc(&self) -> &Path {
        &self.etc
    }

    /// The `/run` directory.
    ///
    /// ```
    /// assert_eq!(pskit::Root::host().run(), std::path::Path::new("/run"));
    /// ```
    pub fn run(&self) -> &Path {
        &self.run
    }

    /// The `/var` directory.
    ///
    /// ```
    /// assert_eq!(pskit::Root::host().var(), std::path::Path::new("/var"));
    /// ```
    pub fn var(&self) -> &Path {
        &self.var
    }

    /// The `/dev` directory.
    ///
    /// ```
    /// assert_eq!(pskit::Root::host().dev(), std::path::Path::new("/dev"));
    /// ```
    pub fn dev(&self) -> &Path {
        &self.dev
    }

    /// True when this is the machine's own root, so syscalls (which cannot be
    /// redirected) describe the same system as the files.
    ///
    /// ```
    /// assert!(!pskit::Root::new("/hostfs").is_host());
    /// ```
    pub fn is_host(&self) -> bool {
        *self == Root::host()
    }

    /// A path below the procfs directory, e.g. `root.proc_path("meminfo")`.
    pub(crate) fn proc_path(&self, rel: impl AsRef<OsStr>) -> PathBuf {
        self.proc.join(rel.as_ref())
    }

    /// A path below the sysfs directory.
    pub(crate) fn sys_path(&self, rel: impl AsRef<OsStr>) -> PathBuf {
        self.sys.join(rel.as_ref())
    }

    /// Maps an absolute path of the host (as found in a mount table) into this root:
    /// `/sys/...` goes below [`Root::sys`], `/proc/...` below [`Root::proc`], and so on.
    pub(crate) fn map_host_path(&self, host: &Path) -> PathBuf {
        let pairs: [(&str, &Path); 6] = [
            ("/proc", &self.proc),
            ("/sys", &self.sys),
            ("/etc", &self.etc),
            ("/run", &self.run),
            ("/var", &self.var),
            ("/dev", &self.dev),
        ];
        for (prefix, dir) in pairs {
            if let Ok(rest) = host.strip_prefix(prefix) {
                return dir.join(rest);
            }
        }
        host.to_path_buf()
    }

    /// The root in force for this thread: the scoped one, else the global one,
    /// else the environment's.
    ///
    /// ```
    /// let root = pskit::Root::current();
    /// assert!(root.proc().ends_with("proc"));
    /// ```
    pub fn current() -> Arc<Root> {
        if let Some(r) = SCOPED.with(|s| s.borrow().clone()) {
            return r;
        }
        if let Some(r) = GLOBAL.read().ok().and_then(|g| g.clone()) {
            return r;
        }
        FROM_ENV.get_or_init(|| Arc::new(Root::from_env())).clone()
    }

    /// Makes this root the default for the whole process (every thread without a
    /// scoped root). `None` goes back to the environment's choice.
    ///
    /// ```
    /// pskit::Root::set_global(Some(pskit::Root::host()));
    /// assert!(pskit::Root::current().is_host());
    /// pskit::Root::set_global(None);
    /// ```
    pub fn set_global(root: Option<Root>) {
        let mut g = GLOBAL.write().unwrap_or_else(|e| e.into_inner());
        *g = root.map(Arc::new);
    }

    /// Runs `f` with this root in force on the current thread, then restores the
    /// previous one (also if `f` panics).
    ///
    /// ```
    /// let fake = pskit::Root::new("/nonexistent");
    /// let err = fake.scope(|| pskit::virtual_memory());
    /// assert!(err.is_err());
    /// ```
    pub fn scope<R>(&self, f: impl FnOnce() -> R) -> R {
        struct Restore(Option<Arc<Root>>);
        impl Drop for Restore {
            fn drop(&mut self) {
                let prev = self.0.take();
                SCOPED.with(|s| *s.borrow_mut() = prev);
            }
        }
        let prev = SCOPED.with(|s| s.borrow_mut().replace(Arc::new(self.clone())));
        let _restore = Restore(prev);
        f()
    }
}

impl Default for Root {
    fn default() -> Root {
        Root::host()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsString;

    #[test]
    fn env_prefix_then_specific_overrides() {
        let vars = |k: &str| -> Option<OsString> {
            match k {
                "HOST_ROOT" => Some("/hostfs".into()),
                "HOST_PROC" => Some("/other/proc".into()),
                "HOST_SYS" => Some("".into()),
                _ => None,
            }
        };
        let r = Root::from_vars(vars);
        assert_eq!(r.proc(), Path::new("/other/proc"));
        assert_eq!(r.sys(), Path::new("/hostfs/sys"));
        assert_eq!(r.run(), Path::new("/hostfs/run"));
    }

    #[test]
    fn no_env_is_host() {
        assert!(Root::from_vars(|_| None).is_host());
    }

    #[test]
    fn scope_restores_previous() {
        let a = Root::new("/a");
        let b = Root::new("/b");
        a.scope(|| {
            assert_eq!(Root::current().proc(), Path::new("/a/proc"));
            b.scope(|| assert_eq!(Root::current().proc(), Path::new("/b/proc")));
            assert_eq!(Root::current().proc(), Path::new("/a/proc"));
        });
    }

    #[test]
    fn map_host_path_into_root() {
        let r = Root::new("/fx");
        assert_eq!(
            r.map_host_path(Path::new("/sys/fs/cgroup/cpu")),
            PathBuf::from("/fx/sys/fs/cgroup/cpu")
        );
        assert_eq!(
            r.map_host_path(Path::new("/mnt/x")),
            PathBuf::from("/mnt/x")
        );
    }
}
