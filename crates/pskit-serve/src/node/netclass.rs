//! `netclass`: node_network_* properties of every entry of
//! `/sys/class/net` (under `--path.sysfs`), with node_exporter 1.5's names,
//! help texts and flags: virtual devices (lo, bridges, veths) included, the
//! regular files there (bonding_masters) not.
//!
//! As node_exporter (procfs 0.8) does, each device's attribute files are
//! read once (the first 128 bytes, trimmed); a file that is missing, not
//! permitted, or answers EINVAL or EOPNOTSUPP (the `speed` of a link that
//! is down) is left out, and a number that does not parse is 0 (procfs'
//! `ValueParser.PInt64` hands out its zero on an error). Any other read error fails the collector
//! with nothing emitted. node_exporter's `--collector.netclass.netlink`
//! mode is not implemented: this is its default sysfs mode.

use std::path::Path;

use crate::expo::Metrics;
use crate::node::devfilter::{self, parse_go_int};
use crate::node::netdev::parse_bool;
use crate::node::sysread::SysDir;
use crate::{Ctx, Opt};

/// The collector's flags, with node_exporter 1.5's defaults
/// (`ignore-invalid-speed` is a boolean: give it as `=true`).
///
/// ```
/// let o = pskit_serve::node::netclass::OPTIONS;
/// assert_eq!(o[0].default, "^$");
/// ```
pub const OPTIONS: &[Opt] = &[
    Opt {
        flag: "collector.netclass.ignored-devices",
        default: "^$",
        help: "Regexp of net devices to ignore for netclass collector",
    },
    Opt {
        flag: "collector.netclass.ignore-invalid-speed",
        default: "false",
        help: "Ignore devices where the speed is invalid (true or false)",
    },
];

/// What one `/sys/class/net/<iface>` holds, as procfs' `NetClassIface`:
/// strings are "" and numbers `None` when the file is missing or could not
/// be read, and a number that does not parse is `Some(0)`.
///
/// ```
/// let i = pskit_serve::node::netclass::Iface::from_files("eth0", [("mtu", "1500"), ("flags", "0x1003")]);
/// assert_eq!((i.mtu, i.flags), (Some(1500), Some(4099)));
/// assert_eq!(i.speed, None);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Iface {
    /// The interface name (the directory's).
    pub name: String,
    /// `addr_assign_type`.
    pub addr_assign_type: Option<i64>,
    /// `address`.
    pub address: String,
    /// `broadcast`.
    pub broadcast: String,
    /// `carrier`.
    pub carrier: Option<i64>,
    /// `carrier_changes`.
    pub carrier_changes: Option<i64>,
    /// `carrier_up_count`.
    pub carrier_up_count: Option<i64>,
    /// `carrier_down_count`.
    pub carrier_down_count: Option<i64>,
    /// `dev_id`.
    pub dev_id: Option<i64>,
    /// `dormant`.
    pub dormant: Option<i64>,
    /// `duplex`.
    pub duplex: String,
    /// `flags`.
    pub flags: Option<i64>,
    /// `ifalias`.
    pub ifalias: String,
    /// `ifindex`.
    pub ifindex: Option<i64>,
    /// `iflink`.
    pub iflink: Option<i64>,
    /// `link_mode`.
    pub link_mode: Option<i64>,
    /// `mtu`.
    pub mtu: Option<i64>,
    /// `name_assign_type`.
    pub name_assign_type: Option<i64>,
    /// `netdev_group`.
    pub netdev_group: Option<i64>,
    /// `operstate`.
    pub operstate: String,
    /// `speed`, in Mbit/s (-1 when unknown on some drivers).
    pub speed: Option<i64>,
    /// `tx_queue_len`.
    pub tx_queue_len: Option<i64>,
    /// `type` (ARPHRD_*).
    pub type_: Option<i64>,
}

/// The attribute files read.
const FILES: [&str; 22] = [
    "addr_assign_type",
    "address",
    "broadcast",
    "carrier",
    "carrier_changes",
    "carrier_up_count",
    "carrier_down_count",
    "dev_id",
    "dormant",
    "duplex",
    "flags",
    "ifalias",
    "ifindex",
    "iflink",
    "link_mode",
    "mtu",
    "name_assign_type",
    "netdev_group",
    "operstate",
    "speed",
    "tx_queue_len",
    "type",
];

impl Iface {
    /// Builds an interface from (file name, trimmed content) pairs; numbers
    /// parse as Go's `ParseInt(s, 0, 64)` (so `flags`' `0x1003` is hex),
    /// and are 0 when they do not, as in node_exporter.
    ///
    /// ```
    /// let i = pskit_serve::node::netclass::Iface::from_files("lo", [("speed", "x"), ("operstate", "unknown")]);
    /// assert_eq!(i.speed, Some(0));
    /// assert_eq!(i.operstate, "unknown");
    /// ```
    pub fn from_files<'a>(
        name: &str,
        files: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Iface {
        let mut i = Iface {
            name: name.to_string(),
            ..Iface::default()
        };
        for (file, v) in files {
            let n = Some(parse_go_int(v).unwrap_or(0));
            match file {
                "addr_assign_type" => i.addr_assign_type = n,
                "address" => i.address = v.to_string(),
                "broadcast" => i.broadcast = v.to_string(),
                "carrier" => i.carrier = n,
                "carrier_changes" => i.carrier_changes = n,
                "carrier_up_count" => i.carrier_up_count = n,
                "carrier_down_count" => i.carrier_down_count = n,
                "dev_id" => i.dev_id = n,
                "dormant" => i.dormant = n,
                "duplex" => i.duplex = v.to_string(),
                "flags" => i.flags = n,
                "ifalias" => i.ifalias = v.to_string(),
                "ifindex" => i.ifindex = n,
                "iflink" => i.iflink = n,
                "link_mode" => i.link_mode = n,
                "mtu" => i.mtu = n,
                "name_assign_type" => i.name_assign_type = n,
                "netdev_group" => i.netdev_group = n,
                "operstate" => i.operstate = v.to_string(),
                "speed" => i.speed = n,
                "tx_queue_len" => i.tx_queue_len = n,
                "type" => i.type_ = n,
                _ => {}
            }
        }
        i
    }
}

/// A sysfs attribute as procfs' `SysReadFile` gives it: one read of at
/// most 128 bytes, trimmed. `Ok(None)` for the errors node_exporter skips.
fn read_attr(dir: &SysDir, name: &str) -> Result<Option<String>, String> {
    let mut buf = [0u8; 128];
    match dir.read_attr(name, &mut buf) {
        Ok(n) => Ok(Some(String::from_utf8_lossy(&buf[..n]).trim().to_string())),
        Err(pskit::Error::Io { source, .. })
            if matches!(
                source.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::PermissionDenied
            ) || matches!(
                source.raw_os_error(),
                Some(libc_errno::EINVAL | libc_errno::EOPNOTSUPP | libc_errno::EPERM)
            ) =>
        {
            Ok(None)
        }
        Err(e) => Err(format!("failed to read file: {e}")),
    }
}

/// The errno values involved (Linux).
mod libc_errno {
    pub const EPERM: i32 = 1;
    pub const EINVAL: i32 = 22;
    pub const EOPNOTSUPP: i32 = 95;
}

/// Reads one interface directory: the names of its regular files (as Go's
/// `ReadDir`, symlinks and subdirectories not followed), then those of
/// [`FILES`] it has.
fn read_iface(dir: &Path, name: &str) -> Result<Iface, String> {
    let dir = SysDir::open(dir).map_err(|e| e.to_string())?;
    let regular = dir.regular_among(&FILES).map_err(|e| e.to_string())?;
    let mut values = Vec::with_capacity(FILES.len());
    for (i, f) in FILES.iter().enumerate() {
        if regular & (1 << i) == 0 {
            continue;
        }
        if let Some(v) = read_attr(&dir, f)? {
            values.push((*f, v));
        }
    }
    Ok(Iface::from_files(
        name,
        values.iter().map(|(f, v)| (*f, v.as_str())),
    ))
}

/// Every interface of `<sys>/class/net` the regex does not ignore, sorted
/// by name. An unreadable directory is an error (then nothing is emitted).
///
/// ```
/// let root = pskit::Root::current();
/// let ifaces = pskit_serve::node::netclass::read_all(root.sys(), &regex::Regex::new("^$").unwrap()).unwrap();
/// assert!(ifaces.iter().all(|i| !i.name.is_empty()));
/// ```
pub fn read_all(sys: &Path, ignored: &regex::Regex) -> Result<Vec<Iface>, String> {
    let dir = sys.join("class/net");
    let entries = std::fs::read_dir(&dir)
        .map_err(|e| format!("could not get net class info: {}: {e}", dir.display()))?;
    let mut names = Vec::new();
    for e in entries {
        let e = e.map_err(|e| format!("{}: {e}", dir.display()))?;
        if e.file_type().is_ok_and(|t| t.is_file()) {
            continue; // bonding_masters
        }
        names.push(e.file_name().to_string_lossy().into_owned());
    }
    names.sort();
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        if ignored.is_match(&name) {
            continue;
        }
        out.push(
            read_iface(&dir.join(&name), &name)
                .map_err(|e| format!("could not get net class info: {e}"))?,
        );
    }
    Ok(out)
}

/// Adds the families of every interface.
///
/// ```
/// let cfg = pskit_serve::Config::parse(["pskit serve"]).unwrap();
/// let mut m = pskit_serve::expo::Metrics::default();
/// pskit_serve::node::netclass::collect(cfg.ctx(), &mut m).unwrap();
/// assert!(m.families().iter().any(|f| f.name == "node_network_info"));
/// ```
pub fn collect(ctx: &Ctx, m: &mut Metrics) -> Result<(), String> {
    let ignored = devfilter::regex(
        "collector.netclass.ignored-devices",
        ctx.opt("collector.netclass.ignored-devices"),
    )?;
    let ignore_invalid_speed = parse_bool(
        "collector.netclass.ignore-invalid-speed",
        ctx.opt("collector.netclass.ignore-invalid-speed"),
    )?;
    for i in read_all(ctx.root.sys(), &ignored)? {
        let dev = i.name.as_str();
        m.gauge(
            "node_network_up",
            "Value is 1 if operstate is 'up', 0 otherwise.",
        )
        .sample(
            &[("device", dev)],
            if i.operstate == "up" { 1.0 } else { 0.0 },
        );
        m.gauge(
            "node_network_info",
            "Non-numeric data from /sys/class/net/<iface>, value is always 1.",
        )
        .sample(
            &[
                ("address", &i.address),
                ("broadcast", &i.broadcast),
                ("device", dev),
                ("duplex", &i.duplex),
                ("ifalias", &i.ifalias),
                ("operstate", &i.operstate),
            ],
            1.0,
        );
        let speed = i
            .speed
            .filter(|&s| s >= 0 || !ignore_invalid_speed)
            .map(|s| s.wrapping_mul(1000 * 1000) / 8);
        for (name, counter, v) in [
            ("address_assign_type", false, i.addr_assign_type),
            ("carrier", false, i.carrier),
            ("carrier_changes_total", true, i.carrier_changes),
            ("carrier_up_changes_total", true, i.carrier_up_count),
            ("carrier_down_changes_total", true, i.carrier_down_count),
            ("device_id", false, i.dev_id),
            ("dormant", false, i.dormant),
            ("flags", false, i.flags),
            ("iface_id", false, i.ifindex),
            ("iface_link", false, i.iflink),
            ("iface_link_mode", false, i.link_mode),
            ("mtu_bytes", false, i.mtu),
            ("name_assign_type", false, i.name_assign_type),
            ("net_dev_group", false, i.netdev_group),
            ("speed_bytes", false, speed),
            ("transmit_queue_length", false, i.tx_queue_len),
            ("protocol_type", false, i.type_),
        ] {
            let Some(v) = v else { continue };
            let full = format!("node_network_{name}");
            let help = format!("Network device property: {name}");
            let f = if counter {
                m.counter(&full, &help)
            } else {
                m.gauge(&full, &help)
            };
            f.sample(&[("device", dev)], v as f64);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_values() {
        let i = Iface::from_files(
            "x",
            [
                ("mtu", ""),
                ("speed", "-1"),
                ("carrier", "1\n"),
                ("dormant", "99999999999999999999"),
                ("ifindex", "010"),
                ("nonsense", "1"),
            ],
        );
        assert_eq!(i.mtu, Some(0));
        assert_eq!(i.speed, Some(-1));
        assert_eq!(i.carrier, Some(0)); // content is trimmed before it gets here
        assert_eq!(i.dormant, Some(0));
        assert_eq!(i.ifindex, Some(8)); // Go's base 0: octal
    }

    #[test]
    fn fixture_tree() {
        let dir = std::env::temp_dir().join(format!("pskit-netclass-{}", std::process::id()));
        let net = dir.join("class/net");
        let eth = net.join("eth9");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(eth.join("statistics")).unwrap();
        std::fs::write(net.join("bonding_masters"), "\n").unwrap();
        std::fs::write(eth.join("mtu"), "1500\n").unwrap();
        std::fs::write(eth.join("operstate"), "up\n").unwrap();
        std::fs::write(eth.join("ifalias"), format!("{}\n", "a".repeat(200))).unwrap();
        std::fs::write(eth.join("flags"), "garbage").unwrap();
        // A directory where a file is expected is not read.
        std::fs::create_dir_all(eth.join("speed")).unwrap();
        let all = read_all(&dir, &regex::Regex::new("^$").unwrap()).unwrap();
        assert_eq!(all.len(), 1);
        let i = &all[0];
        assert_eq!(
            (i.name.as_str(), i.mtu, i.flags, i.speed),
            ("eth9", Some(1500), Some(0), None)
        );
        assert_eq!(i.ifalias.len(), 128);
        assert_eq!(i.operstate, "up");
        assert!(read_all(&dir, &regex::Regex::new("eth").unwrap())
            .unwrap()
            .is_empty());
        assert!(read_all(&dir.join("nothing"), &regex::Regex::new("^$").unwrap()).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
