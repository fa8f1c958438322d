//! `Popen`: start a command and hold it as a [`Process`] (psutil `Popen`).

use std::ops::Deref;
use std::process::{Child, ChildStderr, ChildStdin, ChildStdout, Command};

use crate::error::{Error, Result};
use crate::process::Process;

/// A child process started by pskit: every [`Process`] method (through `Deref`),
/// the child's pipes, and psutil's race-free signals and waiting.
///
/// ```
/// use std::process::{Command, Stdio};
/// let mut p = pskit::Popen::new(Command::new("sh").args(["-c", "exit 3"]).stdout(Stdio::null())).unwrap();
/// assert!(p.pid() > 0);
/// assert_eq!(p.wait(Some(10.0)).unwrap(), Some(3));
/// assert_eq!(p.returncode(), Some(3));
/// ```
#[derive(Debug)]
pub struct Popen {
    process: Process,
    child: Child,
}

impl Popen {
    /// Spawns `command` (std's `Command`, so pipes, environment and working
    /// directory are set the usual way). A child that exits at once is not an
    /// error (psutil #193): the handle still knows its pid.
    ///
    /// ```
    /// let mut p = pskit::Popen::new(&mut std::process::Command::new("true")).unwrap();
    /// assert_eq!(p.wait(None).unwrap(), Some(0));
    /// ```
    pub fn new(command: &mut Command) -> Result<Popen> {
        let child = command
            .spawn()
            .map_err(|e| Error::io(format!("spawn {:?}", command.get_program()), e))?;
        let pid = child.id();
        // The child cannot vanish before we reap it (it stays a zombie), so this
        // reads its start time; should it fail anyway, keep the bare pid.
        let process = match Process::new(pid) {
            Ok(p) => p,
            Err(_) => Process::from_parts(crate::Root::current(), pid, None),
        };
        Ok(Popen { process, child })
    }

    /// The child's stdin, when it was piped.
    ///
    /// ```
    /// use std::io::Write;
    /// use std::process::{Command, Stdio};
    /// let mut p = pskit::Popen::new(Command::new("cat").stdin(Stdio::piped()).stdout(Stdio::null())).unwrap();
    /// p.stdin().unwrap().write_all(b"hi").unwrap();
    /// drop(p.take_stdin());
    /// assert_eq!(p.wait(Some(10.0)).unwrap(), Some(0));
    /// ```
    pub fn stdin(&mut self) -> Option<&mut ChildStdin> {
        self.child.stdin.as_mut()
    }

    /// Takes the child's stdin (dropping it closes the pipe).
    ///
    /// ```
    /// use std::process::{Command, Stdio};
    /// let mut p = pskit::Popen::new(Command::new("cat").stdin(Stdio::piped())).unwrap();
    /// drop(p.take_stdin());
    /// p.wait(Some(10.0)).unwrap();
    /// ```
    pub fn take_stdin(&mut self) -> Option<ChildStdin> {
        self.child.stdin.take()
    }

    /// The child's stdout, when it was piped.
    ///
    /// ```
    /// use std::io::Read;
    /// use std::process::{Command, Stdio};
    /// let mut p = pskit::Popen::new(Command::new("echo").arg("hi").stdout(Stdio::piped())).unwrap();
    /// let mut s = String::new();
    /// p.stdout().unwrap().read_to_string(&mut s).unwrap();
    /// assert_eq!(s, "hi\n");
    /// p.wait(None).unwrap();
    /// ```
    pub fn stdout(&mut self) -> Option<&mut ChildStdout> {
        self.child.stdout.as_mut()
    }

    /// The child's stderr, when it was piped.
    ///
    /// ```
    /// use std::process::{Command, Stdio};
    /// let mut p = pskit::Popen::new(Command::new("true").stderr(Stdio::piped())).unwrap();
    /// assert!(p.stderr().is_some());
    /// p.wait(None).unwrap();
    /// ```
    pub fn stderr(&mut self) -> Option<&mut ChildStderr> {
        self.child.stderr.as_mut()
    }

    /// The exit code once [`Process::wait`] has collected it (subprocess's
    /// `returncode`): negative for a signal.
    ///
    /// ```
    /// let p = pskit::Popen::new(&mut std::process::Command::new("sleep").arg("30")).unwrap();
    /// assert_eq!(p.returncode(), None);
    /// p.kill().unwrap();
    /// assert_eq!(p.wait(Some(10.0)).unwrap(), Some(-9));
    /// assert_eq!(p.returncode(), Some(-9));
    /// ```
    pub fn returncode(&self) -> Option<i32> {
        self.process.lock().exitcode.flatten()
    }
}

impl Deref for Popen {
    type Target = Process;

    fn deref(&self) -> &Process {
        &self.process
    }
}
