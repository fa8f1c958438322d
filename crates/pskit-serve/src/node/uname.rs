//! `uname`: node_uname_info{sysname,release,version,machine,nodename,domainname} = 1
//! from the uname system call.

use crate::expo::Metrics;
use crate::Ctx;

/// Adds node_uname_info.
///
/// ```
/// let cfg = pskit_serve::Config::parse(["pskit serve"]).unwrap();
/// let mut m = pskit_serve::expo::Metrics::default();
/// pskit_serve::node::uname::collect(cfg.ctx(), &mut m).unwrap();
/// let s = &m.families()[0].samples[0];
/// assert!(s.labels.iter().any(|(k, v)| k == "sysname" && v == "Linux"));
/// ```
pub fn collect(_ctx: &Ctx, m: &mut Metrics) -> Result<(), String> {
    let u = rustix::system::uname();
    let s = |c: &std::ffi::CStr| c.to_string_lossy().into_owned();
    m.gauge(
        "node_uname_info",
        "Labeled system information as provided by the uname system call.",
    )
    .sample_owned(
        vec![
            ("domainname".into(), s(u.domainname())),
            ("machine".into(), s(u.machine())),
            ("nodename".into(), s(u.nodename())),
            ("release".into(), s(u.release())),
            ("sysname".into(), s(u.sysname())),
            ("version".into(), s(u.version())),
        ],
        1.0,
    );
    Ok(())
}
