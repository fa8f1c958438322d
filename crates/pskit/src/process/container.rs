//! A process's container limits (beyond psutil): the cgroup CPU quota and memory
//! limit that apply to it, from the same code as [`crate::container`].

use crate::container::{CpuLimit, MemoryLimit};
use crate::error::Result;
use crate::linux::cgroup;
use crate::process::Process;

impl Process {
    /// The CPU limit of this process's cgroup, bounded by its affinity mask.
    ///
    /// ```
    /// let me = pskit::Process::current().unwrap();
    /// let lim = me.cpu_limit().unwrap();
    /// assert!(lim.cpus > 0.0 && lim.cpus <= lim.affinity as f64);
    /// ```
    pub fn cpu_limit(&self) -> Result<CpuLimit> {
        cgroup::cpu_limit(&self.root, &self.pid.to_string()).map_err(|e| self.translate(e))
    }

    /// The memory limit and usage of this process's cgroup.
    ///
    /// ```
    /// let me = pskit::Process::current().unwrap();
    /// let (mine, machine) = (me.memory_limit().unwrap(), pskit::container::memory_limit().unwrap());
    /// assert_eq!((mine.limit, mine.cgroup), (machine.limit, machine.cgroup));
    /// ```
    pub fn memory_limit(&self) -> Result<MemoryLimit> {
        cgroup::memory_limit(&self.root, &self.pid.to_string()).map_err(|e| self.translate(e))
    }
}
