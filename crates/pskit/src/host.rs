//! Host: boot time and logged-in users (psutil §2.7).

use serde::Serialize;

use crate::error::Result;
use crate::linux;
use crate::root::Root;

/// A logged-in user session (psutil `suser`).
///
/// ```
/// for u in pskit::users().unwrap() {
///     println!("{} on {:?} from {} since {}", u.name, u.terminal, u.host, u.started);
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct User {
    /// The user name (`ut_user`).
    pub name: String,
    /// The tty or pseudo-tty (`ut_line`), `None` when empty.
    pub terminal: Option<String>,
    /// The remote host, `"localhost"` for local sessions (empty, `:0` or `:0.0`).
    pub host: String,
    /// Login time, seconds since the epoch (whole seconds, as psutil).
    pub started: f64,
    /// The session's login process (0 when utmp holds no valid pid).
    pub pid: u32,
}

/// One utmp record of any type (beyond psutil, which keeps only user
/// sessions): what `who -a`, `who -b` and `last`-style tools read. Field names
/// follow glibc's `struct utmp`.
///
/// ```
/// for r in pskit::host::utmp_records(None).unwrap() {
///     if r.kind == pskit::host::BOOT_TIME {
///         println!("booted at {}", r.sec);
///     }
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UtmpRecord {
    /// `ut_type`: one of the `*_PROCESS`, [`BOOT_TIME`], [`RUN_LVL`], … constants.
    pub kind: i16,
    /// `ut_pid`.
    pub pid: i32,
    /// `ut_line`: the tty (`pts/0`), or `~` for boot and run-level records.
    pub line: String,
    /// `ut_id`: the inittab id or tty suffix.
    pub id: String,
    /// `ut_user`: the user, or `reboot` / `runlevel` for those records.
    pub user: String,
    /// `ut_host`: the remote host, or the kernel release for boot records.
    pub host: String,
    /// `ut_exit.e_termination`.
    pub exit_termination: i16,
    /// `ut_exit.e_exit`.
    pub exit_status: i16,
    /// `ut_session`.
    pub session: i32,
    /// `ut_tv.tv_sec`, seconds since the epoch.
    pub sec: i32,
    /// `ut_tv.tv_usec`.
    pub usec: i32,
}

/// utmp record type: the system's run level changed (`who -r`).
pub const RUN_LVL: i16 = 1;
/// utmp record type: the system booted (`who -b`).
pub const BOOT_TIME: i16 = 2;
/// utmp record type: the clock was changed; this is the new time.
pub const NEW_TIME: i16 = 3;
/// utmp record type: the clock was changed; this is the old time.
pub const OLD_TIME: i16 = 4;
/// utmp record type: a process spawned by init.
pub const INIT_PROCESS: i16 = 5;
/// utmp record type: a getty waiting for a login.
pub const LOGIN_PROCESS: i16 = 6;
/// utmp record type: a user session (what psutil's `users()` keeps).
pub const USER_PROCESS: i16 = 7;
/// utmp record type: a session that ended.
pub const DEAD_PROCESS: i16 = 8;

/// Every record of the utmp file (beyond psutil): `path`, or the system's
/// utmp (`{run}/utmp`, else `{var}/run/utmp`, the root setting applying) when
/// `None`. No system utmp file means no records.
///
/// ```
/// let recs = pskit::host::utmp_records(None).unwrap();
/// let users = recs.iter().filter(|r| r.kind == pskit::host::USER_PROCESS).count();
/// assert_eq!(users, pskit::users().unwrap().len());
/// ```
pub fn utmp_records(path: Option<&std::path::Path>) -> Result<Vec<UtmpRecord>> {
    linux::utmp::records(&Root::current(), path)
}

/// The system boot time in seconds since the epoch (psutil `boot_time`, `btime` of
/// /proc/stat).
///
/// ```
/// let bt = pskit::boot_time().unwrap();
/// assert!(bt > 0.0);
/// ```
pub fn boot_time() -> Result<f64> {
    linux::cpu::boot_time(&Root::current())
}

/// Users logged in now (psutil `users`), read from the utmp file itself
/// (`{run}/utmp`, else `{var}/run/utmp`) so that the root setting applies.
/// No utmp file means nobody is logged in, as with glibc's getutxent.
///
/// ```
/// let users = pskit::users().unwrap();
/// println!("{} users", users.len());
/// ```
pub fn users() -> Result<Vec<User>> {
    linux::utmp::users(&Root::current())
}
