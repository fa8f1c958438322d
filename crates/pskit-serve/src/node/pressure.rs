//! `pressure`: node_pressure_{cpu,io,memory}_waiting_seconds_total and
//! node_pressure_{io,memory}_stalled_seconds_total from the pressure stall
//! information's total stall times (/proc/pressure/*, µs → s).

use crate::expo::Metrics;
use crate::Ctx;

/// Adds the five PSI counters. Without PSI (kernel < 4.20, or `psi=0`) the
/// collector fails, as node_exporter's does.
///
/// ```
/// let cfg = pskit_serve::Config::parse(["pskit serve"]).unwrap();
/// let mut m = pskit_serve::expo::Metrics::default();
/// if pskit_serve::node::pressure::collect(cfg.ctx(), &mut m).is_ok() {
///     assert!(m.families().iter().any(|f| f.name == "node_pressure_cpu_waiting_seconds_total"));
/// }
/// ```
pub fn collect(ctx: &Ctx, m: &mut Metrics) -> Result<(), String> {
    let p = ctx
        .root
        .scope(pskit::pressure::pressure)
        .map_err(|e| format!("pressure information is unavailable: {e}"))?;
    let secs = |us: u64| us as f64 / 1000.0 / 1000.0;
    let missing =
        |res: &str| format!("no /proc/pressure/{res}: pressure information is unavailable");
    // node_exporter's order: cpu, io, memory; it stops at the first missing one.
    let cpu = p.cpu.ok_or_else(|| missing("cpu"))?;
    if let Some(s) = cpu.some {
        m.counter(
            "node_pressure_cpu_waiting_seconds_total",
            "Total time in seconds that processes have waited for CPU time",
        )
        .set(secs(s.total));
    }
    let io = p.io.ok_or_else(|| missing("io"))?;
    if let Some(s) = io.some {
        m.counter(
            "node_pressure_io_waiting_seconds_total",
            "Total time in seconds that processes have waited due to IO congestion",
        )
        .set(secs(s.total));
    }
    if let Some(s) = io.full {
        m.counter(
            "node_pressure_io_stalled_seconds_total",
            "Total time in seconds no process could make progress due to IO congestion",
        )
        .set(secs(s.total));
    }
    let mem = p.memory.ok_or_else(|| missing("memory"))?;
    if let Some(s) = mem.some {
        m.counter(
            "node_pressure_memory_waiting_seconds_total",
            "Total time in seconds that processes have waited for memory",
        )
        .set(secs(s.total));
    }
    if let Some(s) = mem.full {
        m.counter(
            "node_pressure_memory_stalled_seconds_total",
            "Total time in seconds no process could make progress due to memory congestion",
        )
        .set(secs(s.total));
    }
    Ok(())
}
