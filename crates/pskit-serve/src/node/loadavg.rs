//! `loadavg`: node_load1, node_load5 and node_load15 from /proc/loadavg.

use crate::expo::Metrics;
use crate::Ctx;

/// Adds the three load averages.
///
/// ```
/// let cfg = pskit_serve::Config::parse(["pskit serve"]).unwrap();
/// let mut m = pskit_serve::expo::Metrics::default();
/// pskit_serve::node::loadavg::collect(cfg.ctx(), &mut m).unwrap();
/// assert_eq!(m.families().len(), 3);
/// ```
pub fn collect(ctx: &Ctx, m: &mut Metrics) -> Result<(), String> {
    let (l1, l5, l15) = ctx
        .root
        .scope(pskit::getloadavg)
        .map_err(|e| e.to_string())?;
    m.gauge("node_load1", "1m load average.").set(l1);
    m.gauge("node_load5", "5m load average.").set(l5);
    m.gauge("node_load15", "15m load average.").set(l15);
    Ok(())
}
