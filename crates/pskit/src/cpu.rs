//! CPU: times, utilisation, counts, statistics, frequency and load (psutil §2.2).

use std::cell::RefCell;
use std::time::Duration;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::linux::cpu as sys;
use crate::linux::parse::round1;
use crate::root::Root;

/// Time spent by the CPU(s) in each mode, in seconds (psutil `scputimes`).
///
/// Field order is psutil 7.2.2's. On Linux, `guest` and `guest_nice` are already
/// included in `user` and `nice`. Columns that an old kernel lacks read as 0.0
/// (psutil 8.0's rule; 7.2.2 shortened the tuple instead).
///
/// ```
/// let t = pskit::cpu_times().unwrap();
/// assert!(t.idle > 0.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct CpuTimes {
    /// Normal processes in user mode.
    pub user: f64,
    /// Niced processes in user mode.
    pub nice: f64,
    /// Kernel mode.
    pub system: f64,
    /// Idle.
    pub idle: f64,
    /// Waiting for I/O to complete.
    pub iowait: f64,
    /// Servicing hardware interrupts.
    pub irq: f64,
    /// Servicing software interrupts.
    pub softirq: f64,
    /// Stolen by the hypervisor for other guests.
    pub steal: f64,
    /// Running a virtual CPU for a guest.
    pub guest: f64,
    /// Running a niced guest.
    pub guest_nice: f64,
}

impl CpuTimes {
    fn fields(&self) -> [f64; 10] {
        [
            self.user,
            self.nice,
            self.system,
            self.idle,
            self.iowait,
            self.irq,
            self.softirq,
            self.steal,
            self.guest,
            self.guest_nice,
        ]
    }

    fn from_fields(f: [f64; 10]) -> CpuTimes {
        CpuTimes {
            user: f[0],
            nice: f[1],
            system: f[2],
            idle: f[3],
            iowait: f[4],
            irq: f[5],
            softirq: f[6],
            steal: f[7],
            guest: f[8],
            guest_nice: f[9],
        }
    }

    /// psutil's `_cpu_tot_time`: the sum of every field, less guest and guest_nice
    /// (already counted in user and nice on Linux).
    fn total(&self) -> f64 {
        let sum: f64 = self.fields().iter().sum();
        sum - self.guest - self.guest_nice
    }

    /// psutil's `_cpu_busy_time`: total less idle and iowait. Steal, irq and softirq
    /// count as busy.
    fn busy(&self) -> f64 {
        self.total() - self.idle - self.iowait
    }

    /// Field-by-field `later - self`, clamped at 0 as top does (counters such as
    /// steal and iowait can go backwards, psutil #1210, #645).
    fn delta(&self, later: &CpuTimes) -> CpuTimes {
        let (a, b) = (self.fields(), later.fields());
        CpuTimes::from_fields(std::array::from_fn(|i| (b[i] - a[i]).max(0.0)))
    }
}

/// CPU statistics since boot (psutil `scpustats`).
///
/// ```
/// let s = pskit::cpu_stats().unwrap();
/// assert!(s.ctx_switches > 0);
/// assert_eq!(s.syscalls, 0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct CpuStats {
    /// Context switches.
    pub ctx_switches: u64,
    /// Interrupts.
    pub interrupts: u64,
    /// Software interrupts.
    pub soft_interrupts: u64,
    /// System calls: always 0 on Linux, as in psutil.
    pub syscalls: u64,
}

/// CPU frequency in MHz (psutil `scpufreq`).
///
/// ```
/// if let Some(f) = pskit::cpu_freq().unwrap() {
///     assert!(f.current >= 0.0);
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct CpuFreq {
    /// Current frequency.
    pub current: f64,
    /// Minimum (0.0 when only /proc/cpuinfo is known).
    pub min: f64,
    /// Maximum (0.0 when only /proc/cpuinfo is known).
    pub max: f64,
}

/// System-wide CPU times (the `cpu` line of /proc/stat).
///
/// ```
/// let t = pskit::cpu_times().unwrap();
/// assert!(t.user >= 0.0 && t.system >= 0.0);
/// ```
pub fn cpu_times() -> Result<CpuTimes> {
    sys::cpu_times(&Root::current())
}

/// CPU times of each online CPU, in /proc/stat order (psutil `cpu_times(percpu=True)`).
///
/// ```
/// let per = pskit::cpu_times_percpu().unwrap();
/// assert!(!per.is_empty());
/// ```
pub fn cpu_times_percpu() -> Result<Vec<CpuTimes>> {
    sys::cpu_times_percpu(&Root::current())
}

thread_local! {
    // psutil keeps the "last sample" per calling thread and per function (§1.5).
    static LAST_PERCENT: RefCell<Option<CpuTimes>> = const { RefCell::new(None) };
    static LAST_PERCENT_PERCPU: RefCell<Option<Vec<CpuTimes>>> = const { RefCell::new(None) };
    static LAST_TIMES_PERCENT: RefCell<Option<CpuTimes>> = const { RefCell::new(None) };
    static LAST_TIMES_PERCENT_PERCPU: RefCell<Option<Vec<CpuTimes>>> = const { RefCell::new(None) };
}

/// Takes the two samples psutil compares: with `interval > 0`, now and after
/// sleeping; otherwise the last sample this thread stored, and now. On a thread's
/// first non-blocking call there is no earlier sample: `since_boot` turns the
/// current one into the all-zero counters of boot time, so the figure covers the
/// time since boot (psutil's first call covers the time since `import psutil`;
/// a Rust library has no import, and 0.0 would be no figure at all). The newer
/// sample is stored for the next call either way.
fn sample_pair<T: Clone>(
    interval: Option<f64>,
    last: &'static std::thread::LocalKey<RefCell<Option<T>>>,
    read: impl Fn() -> Result<T>,
    since_boot: impl Fn(&T) -> T,
) -> Result<(T, T)> {
    let interval = interval.unwrap_or(0.0);
    if interval.is_nan() || interval < 0.0 {
        return Err(Error::InvalidArgument(format!(
            "interval is not positive (got {interval:?})"
        )));
    }
    let t1 = if interval > 0.0 {
        let t = read()?;
        std::thread::sleep(Duration::try_from_secs_f64(interval).map_err(|_| {
            Error::InvalidArgument(format!("interval is too large (got {interval})"))
        })?);
        Some(t)
    } else {
        last.with(|l| l.borrow().clone())
    };
    let t2 = read()?;
    last.with(|l| *l.borrow_mut() = Some(t2.clone()));
    let t1 = t1.unwrap_or_else(|| since_boot(&t2));
    Ok((t1, t2))
}

/// Boot-time counters for each CPU of `now`.
#[allow(clippy::ptr_arg)] // the signature sample_pair needs for Vec samples
fn zeros(now: &Vec<CpuTimes>) -> Vec<CpuTimes> {
    vec![CpuTimes::default(); now.len()]
}

fn busy_percent(t1: &CpuTimes, t2: &CpuTimes) -> f64 {
    let d = t1.delta(t2);
    let all = d.total();
    if all == 0.0 {
        return 0.0;
    }
    round1(d.busy() / all * 100.0)
}

fn times_percent(t1: &CpuTimes, t2: &CpuTimes) -> CpuTimes {
    let d = t1.delta(t2);
    // psutil divides by max(1, Δtotal) with the deltas in seconds, so below one
    // CPU-second of elapsed time the percentages no longer sum to 100 (§2.2 quirk,
    // kept for parity).
    let scale = 100.0 / d.total().max(1.0);
    CpuTimes::from_fields(d.fields().map(|f| round1(f * scale).clamp(0.0, 100.0)))
}

/// System-wide CPU utilisation in percent (psutil `cpu_percent`).
///
/// `interval` > 0 blocks for that many seconds; `None` or 0 compares with this
/// thread's previous call. A thread's first non-blocking call reports the usage
/// since boot (psutil's reports the usage since `import psutil`; it is never the
/// meaningless 0.0 of older psutils). A negative interval is an
/// [`Error::InvalidArgument`].
///
/// ```
/// let p = pskit::cpu_percent(Some(0.1)).unwrap();
/// assert!((0.0..=100.0).contains(&p));
/// assert!(pskit::cpu_percent(Some(-1.0)).is_err());
/// ```
pub fn cpu_percent(interval: Option<f64>) -> Result<f64> {
    let (t1, t2) = sample_pair(interval, &LAST_PERCENT, cpu_times, |_| CpuTimes::default())?;
    Ok(busy_percent(&t1, &t2))
}

/// Per-CPU utilisation in percent (psutil `cpu_percent(percpu=True)`).
///
/// ```
/// let per = pskit::cpu_percent_percpu(Some(0.1)).unwrap();
/// assert!(per.iter().all(|p| (0.0..=100.0).contains(p)));
/// ```
pub fn cpu_percent_percpu(interval: Option<f64>) -> Result<Vec<f64>> {
    let (t1, t2) = sample_pair(interval, &LAST_PERCENT_PERCPU, cpu_times_percpu, zeros)?;
    Ok(t1
        .iter()
        .zip(&t2)
        .map(|(a, b)| busy_percent(a, b))
        .collect())
}

/// The share of each CPU mode in percent (psutil `cpu_times_percent`).
///
/// ```
/// let p = pskit::cpu_times_percent(Some(0.6)).unwrap();
/// assert!((0.0..=100.0).contains(&p.idle));
/// ```
pub fn cpu_times_percent(interval: Option<f64>) -> Result<CpuTimes> {
    let (t1, t2) = sample_pair(interval, &LAST_TIMES_PERCENT, cpu_times, |_| {
        CpuTimes::default()
    })?;
    Ok(times_percent(&t1, &t2))
}

/// The share of each CPU mode per CPU (psutil `cpu_times_percent(percpu=True)`).
///
/// ```
/// let per = pskit::cpu_times_percent_percpu(None).unwrap();
/// assert!(!per.is_empty());
/// ```
pub fn cpu_times_percent_percpu(interval: Option<f64>) -> Result<Vec<CpuTimes>> {
    let (t1, t2) = sample_pair(
        interval,
        &LAST_TIMES_PERCENT_PERCPU,
        cpu_times_percpu,
        zeros,
    )?;
    Ok(t1
        .iter()
        .zip(&t2)
        .map(|(a, b)| times_percent(a, b))
        .collect())
}

/// The number of logical CPUs (`logical = true`: online CPUs) or physical cores
/// (`logical = false`), or `None` when it cannot be told (psutil `cpu_count`).
///
/// Like psutil, this ignores affinity and cgroup limits: see
/// [`crate::container::cpu_limit`] for the CPUs this process can really use.
///
/// ```
/// let logical = pskit::cpu_count(true).unwrap();
/// assert!(logical >= 1);
/// if let Some(cores) = pskit::cpu_count(false) {
///     assert!(cores <= logical);
/// }
/// ```
pub fn cpu_count(logical: bool) -> Option<u32> {
    let root = Root::current();
    if logical {
        sys::cpu_count_logical(&root)
    } else {
        sys::cpu_count_cores(&root)
    }
}

/// Context switches, interrupts and soft interrupts since boot (psutil `cpu_stats`).
///
/// ```
/// assert!(pskit::cpu_stats().unwrap().interrupts > 0);
/// ```
pub fn cpu_stats() -> Result<CpuStats> {
    sys::cpu_stats(&Root::current())
}

/// The CPU frequency averaged over CPUs, `None` when nothing reports it
/// (psutil `cpu_freq()`).
///
/// ```
/// let f = pskit::cpu_freq().unwrap();
/// println!("{f:?}");
/// ```
pub fn cpu_freq() -> Result<Option<CpuFreq>> {
    let all = cpu_freq_percpu()?;
    Ok(match all.len() {
        0 => None,
        1 => Some(all[0]),
        n => {
            let n = n as f64;
            let (mut c, mut lo, mut hi) = (0.0, 0.0, 0.0);
            for f in &all {
                c += f.current;
                lo += f.min;
                hi += f.max;
            }
            Some(CpuFreq {
                current: c / n,
                min: lo / n,
                max: hi / n,
            })
        }
    })
}

/// The frequency of each CPU (psutil `cpu_freq(percpu=True)`): sysfs cpufreq when
/// present, else the "cpu MHz" lines of /proc/cpuinfo with min and max 0.0.
///
/// ```
/// for f in pskit::cpu_freq_percpu().unwrap() {
///     assert!(f.current >= 0.0);
/// }
/// ```
pub fn cpu_freq_percpu() -> Result<Vec<CpuFreq>> {
    sys::cpu_freq(&Root::current())
}

/// The 1, 5 and 15 minute load averages (psutil `getloadavg`).
///
/// ```
/// let (one, five, fifteen) = pskit::getloadavg().unwrap();
/// assert!(one >= 0.0 && five >= 0.0 && fifteen >= 0.0);
/// ```
pub fn getloadavg() -> Result<(f64, f64, f64)> {
    sys::getloadavg(&Root::current())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(user: f64, system: f64, idle: f64, iowait: f64, steal: f64, guest: f64) -> CpuTimes {
        CpuTimes {
            user,
            system,
            idle,
            iowait,
            steal,
            guest,
            ..Default::default()
        }
    }

    #[test]
    fn busy_excludes_idle_and_iowait_and_guest() {
        let a = t(0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
        // user 3 (of which guest 1), system 1, steal 1 busy; idle 4, iowait 1 not.
        let b = t(3.0, 1.0, 4.0, 1.0, 1.0, 1.0);
        assert_eq!(busy_percent(&a, &b), 50.0);
    }

    #[test]
    fn negative_deltas_clamp_to_zero() {
        let a = t(1.0, 1.0, 1.0, 5.0, 0.0, 0.0);
        let b = t(2.0, 1.0, 2.0, 4.0, 0.0, 0.0);
        let d = a.delta(&b);
        assert_eq!(d.iowait, 0.0);
        assert_eq!(busy_percent(&a, &b), 50.0);
        assert!(times_percent(&a, &b).fields().iter().all(|f| *f >= 0.0));
    }

    #[test]
    fn zero_delta_is_zero_percent() {
        let a = t(1.0, 1.0, 1.0, 1.0, 0.0, 0.0);
        assert_eq!(busy_percent(&a, &a), 0.0);
        assert_eq!(times_percent(&a, &a), CpuTimes::default());
    }

    #[test]
    fn times_percent_keeps_psutil_max_one_second_quirk() {
        // 0.2 s of idle in total: psutil divides by max(1, 0.2) = 1.
        let a = t(0.0, 0.0, 10.0, 0.0, 0.0, 0.0);
        let b = t(0.0, 0.0, 10.2, 0.0, 0.0, 0.0);
        assert_eq!(times_percent(&a, &b).idle, 20.0);
    }

    #[test]
    fn negative_interval_is_value_error() {
        assert!(matches!(
            cpu_percent(Some(-1.0)),
            Err(Error::InvalidArgument(_))
        ));
        assert!(matches!(
            cpu_times_percent(Some(f64::NAN)),
            Err(Error::InvalidArgument(_))
        ));
    }
}
