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
