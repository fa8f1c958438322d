//! `pskit lsof`: open files of processes, laid out as `lsof` lays them out:
//! COMMAND PID USER FD TYPE DEVICE SIZE/OFF NODE NAME, with each process's cwd,
//! rtd, txt and mem rows, then its descriptors (regular files, directories,
//! character devices, pipes, sockets). Selectors: `-p PID[,PID]`, `-u USER`,
//! `-c PREFIX`, `-i [46][tcp|udp][@HOST][:PORT]`, `FILE` operands, `+D DIR`
//! (files open under DIR, recursively), `-d FDLIST` (numbers, ranges, names
//! such as `cwd`, `txt`, `mem`; `^` excludes), `-a` (and instead of or), `-t`
//! (pids only), `-n`/`-P` (no host or port names). Exit status 1 when nothing
//! is listed. UNIX sockets are shown as lsof 4.95 shows them from
//! /proc/net/unix (`0x…` kernel address, `PATH type=STREAM (LISTEN)`), anon
//! inodes with the detail lsof adds from fdinfo (`[eventfd:ID]`,
//! `[eventpoll:FD,…]`, `[pidfd:PID]`).
//!
//! Sockets come from the library (psutil `net_connections`), the rest from each
//! descriptor's stat and fdinfo, as lsof reads them.

use std::collections::{BTreeSet, HashMap};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::process::ExitCode;

use serde_json::{json, Value};

use crate::fmt::{print_json, printable, CmdResult};
use crate::proc_common::outln;

/// Arguments of `pskit lsof` (read by hand: lsof's options take comma lists and
/// `-i` an optional attached value).
#[derive(clap::Args)]
#[command(disable_help_flag = true)]
pub struct Args {
    /// `[-a] [-t] [-n] [-P] [-p PIDS] [-u USERS] [-c PREFIX] [-i [SPEC]] [-d FDS] [+D DIR] [--json] [FILE...]`
    #[arg(
        num_args = 0..,
        allow_hyphen_values = true,
        trailing_var_arg = true,
        value_name = "ARGS"
    )]
    args: Vec<String>,
}

#[derive(Debug, Default, PartialEq)]
struct InetSpec {
    version: Option<u8>,
    proto: Option<String>,
    host: Option<String>,
    port: Option<u16>,
}

#[derive(Debug, Default)]
struct Opts {
    and: bool,
    terse: bool,
    no_hosts: bool,
    no_ports: bool,
    json: bool,
    pids: Vec<u32>,
    users: Vec<u32>,
    commands: Vec<String>,
    inet: Option<Vec<InetSpec>>,
    files: Vec<String>,
    /// `-d`.
    fds: Option<crate::num::FdFilter>,
    /// `+D`.
    dirs: Vec<String>,
}

/// What lsof 4.95 prints after a command-line error.
const USAGE_TAIL: &str = "lsof 4.95.0
 latest revision: https://github.com/lsof-org/lsof
 latest FAQ: https://github.com/lsof-org/lsof/blob/master/00FAQ
 latest (non-formatted) man page: https://github.com/lsof-org/lsof/blob/master/Lsof.8
 usage: [-?abhKlnNoOPRtUvVX] [+|-c c] [+|-d s] [+D D] [+|-E] [+|-e s] [+|-f[gG]]
 [-F [f]] [-g [s]] [-i [i]] [+|-L [l]] [+m [m]] [+|-M] [-o [o]] [-p s]
 [+|-r [t]] [-s [p:s]] [-S [t]] [-T [t]] [-u s] [+|-w] [-x [fl]] [--] [names]
Use the ``-h'' option to get more help information.
";

/// `-i` spec: `4`, `6`, `tcp`, `udp`, `@host`, `:port` in that order, each optional.
fn inet_spec(s: &str) -> Option<InetSpec> {
    let mut spec = InetSpec::default();
    let mut rest = s;
    if let Some(r) = rest.strip_prefix('4') {
        spec.version = Some(4);
        rest = r;
    } else if let Some(r) = rest.strip_prefix('6') {
        spec.version = Some(6);
        rest = r;
    }
    let proto_end = rest.find(['@', ':']).unwrap_or(rest.len());
    let proto = &rest[..proto_end];
    if !proto.is_empty() {
        let p = proto.to_ascii_lowercase();
        if p != "tcp" && p != "udp" {
            return None;
        }
        spec.proto = Some(p);
    }
    rest = &rest[proto_end..];
    if let Some(r) = rest.strip_prefix('@') {
        let end = if r.starts_with('[') {
            r.find(']').map(|i| i + 1)?
        } else {
            r.find(':').unwrap_or(r.len())
        };
        spec.host = Some(r[..end].trim_matches(['[', ']']).to_string());
        rest = &r[end..];
    }
    if let Some(port) = rest.strip_prefix(':') {
        spec.port = Some(port.parse::<u16>().ok()?);
        rest = "";
    }
    rest.is_empty().then_some(spec)
}

fn parse(args: &[String]) -> Result<Opts, String> {
    let mut o = Opts::default();
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        let value = |i: &mut usize| -> Result<String, String> {
            *i += 1;
            args.get(*i)
                .cloned()
                .ok_or_else(|| format!("missing value after {a}"))
        };
        match a {
            "--" => {
                o.files.extend(args[i + 1..].iter().cloned());
                break;
            }
            "--json" => o.json = true,
            "-a" => o.and = true,
            "-t" => o.terse = true,
            "-n" => o.no_hosts = true,
            "-P" => o.no_ports = true,
            "-nP" | "-Pn" => {
                o.no_hosts = true;
                o.no_ports = true;
            }
            "-p" => o.pids.extend(crate::num::lsof_pids(&value(&mut i)?)?),
            "-d" => crate::num::lsof_fd_list(&value(&mut i)?, &mut o.fds)?,
            "+D" => o.dirs.push(value(&mut i)?),
            "-u" => {
                for u in value(&mut i)?.split(',') {
                    let uid = u
                        .parse::<u32>()
                        .ok()
                        .or_else(|| crate::proc_common::user_uid(u));
                    match uid {
                        Some(uid) => o.users.push(uid),
                        None => return Err(format!("can't get UID for {u}")),
                    }
                }
            }
            "-c" => o.commands.push(value(&mut i)?),
            _ if a.starts_with("-i") => {
                let list = o.inet.get_or_insert_with(Vec::new);
                // `-i` alone, `-i4`, `-itcp`; or `-i :PORT` as the next word.
                let spec = if a.len() > 2 {
                    Some(a[2..].to_string())
                } else {
                    args.get(i + 1)
                        .filter(|n| inet_spec(n).is_some() && !n.starts_with('-'))
                        .cloned()
                };
                match spec {
                    None => list.push(InetSpec::default()),
                    Some(s) => {
                        if a.len() == 2 {
                            i += 1;
                        }
                        list.push(
                            inet_spec(&s)
                                .ok_or_else(|| format!("unknown protocol name ({s}) in: -i {s}"))?,
                        );
                    }
                }
            }
            _ if a.starts_with('-') && a.len() > 1 => {
                return Err(format!("unknown option: {a}"));
            }
            _ => o.files.push(a.to_string()),
        }
        i += 1;
    }
    Ok(o)
}

/// An internet socket as `-i` matches it: IP version, `tcp`/`udp`, and the
/// (address, port) of each end.
type Inet = (u8, String, Vec<(String, u16)>);

/// One row, as lsof prints it.
#[derive(Clone, serde::Serialize)]
struct Row {
    command: String,
    pid: u32,
    user: String,
    fd: String,
    mode: char,
    r#type: String,
    device: String,
    size_off: String,
    node: String,
    name: String,
    #[serde(skip)]
    inet: Option<Inet>,
    #[serde(skip)]
    file: Option<(u64, u64)>,
    /// A UNIX socket's bound path, for `+D`.
    #[serde(skip)]
    unix_path: Option<String>,
}

fn dev(d: u64) -> String {
    format!("{},{}", libc::major(d), libc::minor(d))
}

/// TYPE of a stat'ed file.
fn kind(m: &std::fs::Metadata) -> &'static str {
    let t = m.file_type();
    if t.is_file() {
        "REG"
    } else if t.is_dir() {
        "DIR"
    } else if t.is_char_device() {
        "CHR"
    } else if t.is_block_device() {
        "BLK"
    } else if t.is_fifo() {
        "FIFO"
    } else if t.is_socket() {
        "sock"
    } else {
        "a_inode"
    }
}

/// A path row (cwd, rtd, txt, mem): its size as SIZE/OFF.
fn path_row(base: &Row, fd: &str, path: &str) -> Option<Row> {
    let m = std::fs::metadata(path).ok()?;
    Some(Row {
        fd: fd.into(),
        mode: ' ',
        r#type: kind(&m).into(),
        device: dev(m.dev()),
        size_off: m.size().to_string(),
        node: m.ino().to_string(),
        name: path.into(),
        file: Some((m.dev(), m.ino())),
        ..base.clone()
    })
}

/// `pos:` and `flags:` of /proc/PID/fdinfo/FD.
fn fdinfo(pid: u32, fd: &str) -> (u64, u32) {
    let text = std::fs::read_to_string(format!("/proc/{pid}/fdinfo/{fd}")).unwrap_or_default();
    let field = |k: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(k))
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    (
        field("pos:").parse().unwrap_or(0),
        u32::from_str_radix(&field("flags:"), 8).unwrap_or(0),
    )
}

struct Names {
    hosts: bool,
    ports: bool,
}

impl Names {
    fn host(&self, ip: &str) -> String {
        if ip == "0.0.0.0" || ip == "::" {
            return "*".into();
        }
        let shown = if self.hosts {
            reverse_lookup(ip).unwrap_or_else(|| ip.to_string())
        } else {
            ip.to_string()
        };
        if shown.contains(':') {
            format!("[{shown}]")
        } else {
            shown
        }
    }

    fn port(&self, port: u16, proto: &str) -> String {
        if self.ports {
            if let Some(name) = service_name(port, proto) {
                return name;
            }
        }
        port.to_string()
    }
}

/// getnameinfo(NI_NAMEREQD): the name of an address (from /etc/hosts or DNS).
fn reverse_lookup(ip: &str) -> Option<String> {
    let addr: std::net::IpAddr = ip.parse().ok()?;
    let sa: std::net::SocketAddr = (addr, 0).into();
    let (storage, len) = match sa {
        std::net::SocketAddr::V4(v4) => {
            // SAFETY: an all-zero sockaddr_in is valid.
            let mut s: libc::sockaddr_in = unsafe { std::mem::zeroed() };
            s.sin_family = libc::AF_INET as libc::sa_family_t;
            s.sin_addr.s_addr = u32::from_ne_bytes(v4.ip().octets());
            let mut st: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
            // SAFETY: sockaddr_storage is larger than sockaddr_in.
            unsafe { std::ptr::write((&mut st as *mut libc::sockaddr_storage).cast(), s) };
            (st, std::mem::size_of::<libc::sockaddr_in>())
        }
        std::net::SocketAddr::V6(v6) => {
            // SAFETY: an all-zero sockaddr_in6 is valid.
            let mut s: libc::sockaddr_in6 = unsafe { std::mem::zeroed() };
            s.sin6_family = libc::AF_INET6 as libc::sa_family_t;
            s.sin6_addr.s6_addr = v6.ip().octets();
            let mut st: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
            // SAFETY: sockaddr_storage is larger than sockaddr_in6.
            unsafe { std::ptr::write((&mut st as *mut libc::sockaddr_storage).cast(), s) };
            (st, std::mem::size_of::<libc::sockaddr_in6>())
        }
    };
    let mut host = [0 as libc::c_char; 1025];
    // SAFETY: storage holds a valid sockaddr of len bytes; host is writable.
    let rc = unsafe {
        libc::getnameinfo(
            (&storage as *const libc::sockaddr_storage).cast(),
            len as libc::socklen_t,
            host.as_mut_ptr(),
            host.len() as libc::socklen_t,
            std::ptr::null_mut(),
            0,
            libc::NI_NAMEREQD,
        )
    };
    if rc != 0 {
        return None;
    }
    // SAFETY: getnameinfo NUL-terminates host on success.
    let name = unsafe { std::ffi::CStr::from_ptr(host.as_ptr()) };
    Some(name.to_string_lossy().into_owned())
}

/// getservbyport: `ssh` for 22/tcp.
fn service_name(port: u16, proto: &str) -> Option<String> {
    let p = std::ffi::CString::new(proto).ok()?;
    // SAFETY: p is a C string; the result is NULL or a static entry read at once.
    let s = unsafe { libc::getservbyport(i32::from(port.to_be()), p.as_ptr()) };
    if s.is_null() {
        return None;
    }
    // SAFETY: s is not NULL and s_name is a C string.
    Some(
        unsafe { std::ffi::CStr::from_ptr((*s).s_name) }
            .to_string_lossy()
            .into_owned(),
    )
}

fn socket_row(base: &Row, c: &pskit::Connection, inode: &str, names: &Names) -> Row {
    use pskit::net::{ConnAddr, AF_INET, AF_INET6, SOCK_DGRAM, SOCK_STREAM};
    let proto = match c.r#type {
        SOCK_STREAM => "TCP",
        SOCK_DGRAM => "UDP",
        _ => "raw",
    };
    if c.family != AF_INET && c.family != AF_INET6 {
        let path = match &c.laddr {
            ConnAddr::Path(p) if !p.is_empty() => p.clone(),
            _ => "socket".into(),
        };
        let ty = if c.r#type == SOCK_DGRAM {
            "DGRAM"
        } else {
            "STREAM"
        };
        return Row {
            r#type: "unix".into(),
            device: "0x0".into(),
            size_off: "0t0".into(),
            node: inode.into(),
            name: format!("{path} type={ty}"),
            ..base.clone()
        };
    }
    let lower = proto.to_ascii_lowercase();
    let mut ends = Vec::new();
    let mut text = |a: &ConnAddr| match a {
        ConnAddr::Inet(a) => {
            ends.push((a.ip.to_string(), a.port));
            let port = if a.port == 0 {
                "*".to_string()
            } else {
                names.port(a.port, &lower)
            };
            format!("{}:{port}", names.host(&a.ip.to_string()))
        }
        _ => "*:*".into(),
    };
    let mut name = text(&c.laddr);
    if let ConnAddr::Inet(_) = &c.raddr {
        name.push_str(&format!("->{}", text(&c.raddr)));
    }
    if c.status != pskit::CONN_NONE {
        name.push_str(&format!(" ({})", c.status));
    }
    let version = if c.family == AF_INET6 { 6 } else { 4 };
    Row {
        r#type: format!("IPv{version}"),
        device: inode.into(),
        size_off: "0t0".into(),
        node: proto.into(),
        name,
        inet: Some((version, lower, ends)),
        ..base.clone()
    }
}

/// One line of /proc/net/unix: the kernel address, type, state and path.
struct UnixSock {
    addr: String,
    ty: u32,
    state: u32,
    listening: bool,
    path: String,
}

/// /proc/net/unix by inode (`Num RefCount Protocol Flags Type St Inode Path`).
fn unix_table() -> HashMap<String, UnixSock> {
    let text = std::fs::read_to_string("/proc/net/unix").unwrap_or_default();
    let mut map = HashMap::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.splitn(8, ' ').collect();
        if f.len() < 7 {
            continue;
        }
        let hex = |x: &str| u32::from_str_radix(x, 16).unwrap_or(0);
        let addr = f[0].trim_end_matches(':');
        map.insert(
            f[6].to_string(),
            UnixSock {
                addr: format!("0x{addr}"),
                ty: hex(f[4]),
                state: hex(f[5]),
                // __SO_ACCEPTCON
                listening: hex(f[3]) & 0x0001_0000 != 0,
                path: f.get(7).copied().unwrap_or("").to_string(),
            },
        );
    }
    map
}

/// A UNIX socket's row as lsof 4.95 prints it.
fn unix_row(base: &Row, inode: &str, u: &UnixSock) -> Row {
    let ty = match u.ty {
        1 => "STREAM".to_string(),
        2 => "DGRAM".to_string(),
        3 => "RAW".to_string(),
        4 => "RDM".to_string(),
        5 => "SEQPACKET".to_string(),
        n => format!("{n}"),
    };
    let state = if u.listening {
        "LISTEN"
    } else {
        match u.state {
            1 => "UNCONNECTED",
            2 => "CONNECTING",
            3 => "CONNECTED",
            4 => "DISCONNECTING",
            _ => "UNKNOWN",
        }
    };
    let mut name = String::new();
    if !u.path.is_empty() {
        name.push_str(&u.path);
        name.push(' ');
    }
    name.push_str(&format!("type={ty} ({state})"));
    let unix_path = (u.path.starts_with('/')).then(|| u.path.clone());
    Row {
        r#type: "unix".into(),
        device: u.addr.clone(),
        size_off: "0t0".into(),
        node: inode.into(),
        name,
        unix_path,
        ..base.clone()
    }
}

/// The NAME of an anon inode as lsof 4.95 gives it: the link's text after
/// `anon_inode:`, with what fdinfo adds for an eventfd (`[eventfd:ID]`), an
/// epoll (`[eventpoll:FD,FD]`, the descriptors it watches, ascending) and a pidfd
/// (`[pidfd:PID]`).
fn anon_name(inner: &str, pid: u32, fd: i32) -> String {
    let info = || std::fs::read_to_string(format!("/proc/{pid}/fdinfo/{fd}")).unwrap_or_default();
    let field = |text: &str, key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key))
            .map(|v| v.trim().to_string())
    };
    match inner {
        "[eventfd]" => match field(&info(), "eventfd-id:") {
            Some(id) => format!("[eventfd:{id}]"),
            None => inner.into(),
        },
        "[pidfd]" => match field(&info(), "Pid:") {
            Some(p) => format!("[pidfd:{p}]"),
            None => inner.into(),
        },
        "[eventpoll]" => {
            let text = info();
            // In ascending order, as lsof lists them (fdinfo's order is the
            // kernel's tree's).
            let mut tfds: Vec<u64> = text
                .lines()
                .filter_map(|l| {
                    l.strip_prefix("tfd:")?
                        .split_whitespace()
                        .next()?
                        .parse()
                        .ok()
                })
                .collect();
            tfds.sort_unstable();
            if tfds.is_empty() {
                inner.into()
            } else {
                let list: Vec<String> = tfds.iter().map(u64::to_string).collect();
                format!("[eventpoll:{}]", list.join(","))
            }
        }
        _ => inner.into(),
    }
}

/// Every row of one process.
fn rows_of(
    p: &pskit::ProcessInfo,
    sockets: &HashMap<(u32, i32), pskit::Connection>,
    unix: &HashMap<String, UnixSock>,
    names: &Names,
) -> Vec<Row> {
    let pid = p.pid();
    // The raw name (for --json); the table shows its first 9 characters.
    let command = p.name.get().cloned().unwrap_or_default();
    let base = Row {
        command,
        pid,
        user: p
            .username
            .get()
            .cloned()
            .unwrap_or_else(|| p.uids.get().map(|u| u.real.to_string()).unwrap_or_default()),
        fd: String::new(),
        mode: ' ',
        r#type: String::new(),
        device: String::new(),
        size_off: String::new(),
        node: String::new(),
        name: String::new(),
        inet: None,
        file: None,
        unix_path: None,
    };
    let mut rows = Vec::new();
    // cwd, rtd and txt through readlink, as lsof: a denied link is a row saying so.
    let mut exe = String::new();
    for (fd, link) in [("cwd", "cwd"), ("rtd", "root"), ("txt", "exe")] {
        let path = format!("/proc/{pid}/{link}");
        match std::fs::read_link(&path) {
            Ok(t) => {
                let t = t.to_string_lossy().into_owned();
                rows.extend(path_row(&base, fd, &t));
                if fd == "txt" {
                    exe = t;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => rows.push(Row {
                fd: fd.into(),
                r#type: "unknown".into(),
                name: format!(
                    "{path} (readlink: {})",
                    crate::proc_common::strerror(e.raw_os_error().unwrap_or(libc::EACCES))
                ),
                ..base.clone()
            }),
        }
    }
    let mut seen = BTreeSet::new();
    seen.insert(exe.clone());
    if let Ok(maps) = p.process.memory_maps_ext() {
        for m in maps {
            if m.path.starts_with('/') && seen.insert(m.path.clone()) {
                rows.extend(path_row(&base, "mem", &m.path));
            }
        }
    }
    let dir = match std::fs::read_dir(format!("/proc/{pid}/fd")) {
        Ok(d) => d,
        Err(e) => {
            if e.kind() != std::io::ErrorKind::NotFound {
                rows.push(Row {
                    fd: "NOFD".into(),
                    name: format!(
                        "/proc/{pid}/fd (opendir: {})",
                        crate::proc_common::strerror(e.raw_os_error().unwrap_or(libc::EACCES))
                    ),
                    ..base.clone()
                });
            }
            return rows;
        }
    };
    let mut fds: Vec<i32> = dir
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    fds.sort_unstable();
    for fd in fds {
        let link = format!("/proc/{pid}/fd/{fd}");
        let Ok(target) = std::fs::read_link(&link) else {
            continue;
        };
        let target = target.to_string_lossy().into_owned();
        let (pos, flags) = fdinfo(pid, &fd.to_string());
        let mode = match flags & libc::O_ACCMODE as u32 {
            0 => 'r',
            1 => 'w',
            _ => 'u',
        };
        let fbase = Row {
            fd: fd.to_string(),
            mode,
            ..base.clone()
        };
        if let Some(inode) = target
            .strip_prefix("socket:[")
            .and_then(|s| s.strip_suffix(']'))
        {
            if let Some(u) = unix.get(inode) {
                rows.push(unix_row(&fbase, inode, u));
                continue;
            }
            match sockets.get(&(pid, fd)) {
                Some(c) => rows.push(socket_row(&fbase, c, inode, names)),
                None => rows.push(Row {
                    r#type: "sock".into(),
                    device: "0,8".into(),
                    size_off: "0t0".into(),
                    node: inode.into(),
                    name: "protocol: unknown".into(),
                    ..fbase
                }),
            }
            continue;
        }
        let Ok(m) = std::fs::metadata(&link) else {
            continue;
        };
        let ty = kind(&m);
        let (device, size_off) = match ty {
            "REG" | "DIR" | "a_inode" => (dev(m.dev()), m.size().to_string()),
            "CHR" | "BLK" => (dev(m.rdev()), format!("0t{pos}")),
            _ => (dev(m.dev()), format!("0t{pos}")),
        };
        let name = if ty == "FIFO" && target.starts_with("pipe:") {
            "pipe".to_string()
        } else if let Some(inner) = target.strip_prefix("anon_inode:") {
            anon_name(inner, pid, fd)
        } else {
            target.clone()
        };
        rows.push(Row {
            r#type: ty.into(),
            device,
            size_off,
            node: m.ino().to_string(),
            name,
            file: Some((m.dev(), m.ino())),
            ..fbase
        });
    }
    rows
}

fn inet_match(spec: &InetSpec, row: &Row) -> bool {
    let Some((version, proto, ends)) = &row.inet else {
        return false;
    };
    spec.version.is_none_or(|v| v == *version)
        && spec.proto.as_ref().is_none_or(|p| p == proto)
        && spec
            .port
            .is_none_or(|port| ends.iter().any(|(_, p)| *p == port))
        && spec.host.as_ref().is_none_or(|h| {
            ends.iter().any(|(ip, _)| ip == h)
                || (h == "localhost" && ends.iter().any(|(ip, _)| ip == "127.0.0.1" || ip == "::1"))
        })
}

/// The table: each column as wide as its widest cell (lsof's minimums: the
/// titles), FD as the number right-aligned then the mode and a lock column.
fn render(rows: &[Row]) -> Vec<String> {
    let w = |f: &dyn Fn(&Row) -> usize, min: usize| rows.iter().map(f).max().unwrap_or(0).max(min);
    let shown = |r: &Row| printable(&r.command).chars().take(9).collect::<String>();
    let wc = w(&|r| shown(r).chars().count(), 7);
    let wp = w(&|r| r.pid.to_string().len(), 3);
    let wu = w(&|r| r.user.chars().count(), 4);
    let wf = w(&|r| r.fd.len(), 4);
    let wt = w(&|r| r.r#type.len(), 4);
    let wd = w(&|r| r.device.len(), 6);
    let ws = w(&|r| r.size_off.len(), 8);
    let wn = w(&|r| r.node.len(), 4);
    let mut out = vec![format!(
        "{:<wc$} {:>wp$} {:<wu$} {:>wf$}   {:>wt$} {:>wd$} {:>ws$} {:>wn$} NAME",
        "COMMAND", "PID", "USER", "FD", "TYPE", "DEVICE", "SIZE/OFF", "NODE"
    )];
    for r in rows {
        out.push(format!(
            "{:<wc$} {:>wp$} {:<wu$} {:>wf$}{}  {:>wt$} {:>wd$} {:>ws$} {:>wn$} {}",
            shown(r),
            r.pid,
            r.user,
            r.fd,
            r.mode,
            r.r#type,
            r.device,
            r.size_off,
            r.node,
            printable(&r.name)
        ));
    }
    out
}

/// Runs `pskit lsof`.
pub fn run(args: Args) -> CmdResult {
    let raw = crate::proc_common::raw_args_after("lsof");
    let words = if raw.len() >= args.args.len() {
        raw
    } else {
        args.args
    };
    let o = match parse(&words) {
        Ok(o) => o,
        Err(m) => {
            eprintln!("{}: {m}", crate::fmt::prog("lsof"));
            eprint!("{USAGE_TAIL}");
            return Ok(ExitCode::FAILURE);
        }
    };
    // FILE operands: matched by device and inode, as lsof does.
    let mut wanted_files = Vec::new();
    let mut code = ExitCode::SUCCESS;
    for f in &o.files {
        match std::fs::metadata(f) {
            Ok(m) => wanted_files.push((m.dev(), m.ino())),
            Err(e) => {
                eprintln!(
                    "{}: status error on {f}: {}",
                    crate::fmt::prog("lsof"),
                    crate::proc_common::strerror(e.raw_os_error().unwrap_or(libc::ENOENT))
                );
                code = ExitCode::FAILURE;
            }
        }
    }
    // +D DIR: the directory and everything under it (symbolic links not
    // followed), each by device and inode; lsof fails (status 1) when any of
    // them is open nowhere.
    let mut tree_files: HashMap<(u64, u64), bool> = HashMap::new();
    for d in &o.dirs {
        match std::fs::metadata(d) {
            Ok(m) if m.is_dir() => {
                let mut stack = vec![(std::path::PathBuf::from(d), m, 0usize)];
                while let Some((path, m, depth)) = stack.pop() {
                    tree_files.insert((m.dev(), m.ino()), false);
                    if !m.is_dir() || depth > 256 {
                        continue;
                    }
                    let Ok(entries) = std::fs::read_dir(&path) else {
                        continue;
                    };
                    for e in entries.flatten() {
                        if let Ok(em) = std::fs::symlink_metadata(e.path()) {
                            stack.push((e.path(), em, depth + 1));
                        }
                    }
                }
            }
            Ok(_) => wanted_files.extend(std::fs::metadata(d).ok().map(|m| (m.dev(), m.ino()))),
            Err(e) => {
                eprintln!(
                    "{}: WARNING: can't stat() directory: {d}: {}",
                    crate::fmt::prog("lsof"),
                    crate::proc_common::strerror(e.raw_os_error().unwrap_or(libc::ENOENT))
                );
                code = ExitCode::FAILURE;
            }
        }
    }
    let unix = unix_table();
    let names = Names {
        hosts: !o.no_hosts,
        ports: !o.no_ports,
    };
    let sockets: HashMap<(u32, i32), pskit::Connection> = pskit::net_connections("all")
        .unwrap_or_default()
        .into_iter()
        .filter_map(|c| Some(((c.pid?, c.fd), c)))
        .collect();
    let mut procs = pskit::process_iter(["name", "username", "uids"])?;
    procs.sort_by_key(|p| p.pid());
    let me = std::process::id();
    let any_proc_sel = !o.pids.is_empty() || !o.users.is_empty() || !o.commands.is_empty();
    let any_file_sel = o.inet.is_some() || !o.files.is_empty() || !o.dirs.is_empty();
    let mut listed: Vec<Row> = Vec::new();
    let mut pids_seen = BTreeSet::new();
    for p in &procs {
        if p.pid() == me {
            continue;
        }
        let uid = p.uids.get().map(|u| u.real);
        let name = p.name.get().map(String::as_str).unwrap_or("");
        let checks = [
            (!o.pids.is_empty()).then(|| o.pids.contains(&p.pid())),
            (!o.users.is_empty()).then(|| uid.is_some_and(|u| o.users.contains(&u))),
            (!o.commands.is_empty())
                .then(|| o.commands.iter().any(|c| name.starts_with(c.as_str()))),
        ];
        if o.pids.contains(&p.pid()) {
            pids_seen.insert(p.pid());
        }
        let given: Vec<bool> = checks.iter().flatten().copied().collect();
        let proc_ok = if o.and {
            given.iter().all(|b| *b)
        } else {
            given.iter().any(|b| *b)
        };
        if o.and && !proc_ok {
            continue;
        }
        if !any_file_sel && o.fds.is_none() && any_proc_sel && !proc_ok {
            continue;
        }
        for row in rows_of(p, &sockets, &unix, &names) {
            let in_tree = |r: &Row| {
                let by_inode = r.file.filter(|f| tree_files.contains_key(f));
                let by_path = r
                    .unix_path
                    .as_ref()
                    .and_then(|path| std::fs::symlink_metadata(path).ok())
                    .map(|m| (m.dev(), m.ino()))
                    .filter(|f| tree_files.contains_key(f));
                by_inode.or(by_path)
            };
            let tree_hit = in_tree(&row);
            let file_ok = o
                .inet
                .as_ref()
                .is_some_and(|specs| specs.iter().any(|s| inet_match(s, &row)))
                || row.file.is_some_and(|f| wanted_files.contains(&f))
                || tree_hit.is_some();
            // -d is one more selection: or'ed with the others, and'ed with -a.
            let mut given = Vec::new();
            if any_proc_sel {
                given.push(proc_ok);
            }
            if any_file_sel {
                given.push(file_ok);
            }
            if let Some(f) = &o.fds {
                given.push(f.allows(&row.fd));
            }
            let keep = if given.is_empty() {
                true
            } else if o.and {
                given.iter().all(|b| *b)
            } else {
                given.iter().any(|b| *b)
            };
            if keep {
                if let Some(f) = tree_hit {
                    tree_files.insert(f, true);
                }
                listed.push(row);
            }
        }
    }
    if tree_files.values().any(|found| !found) {
        code = ExitCode::FAILURE;
    }
    // A -p pid that is not there fails; one that is, found, even when -d
    // leaves none of its files.
    if o.pids.iter().any(|p| !pids_seen.contains(p)) {
        code = ExitCode::FAILURE;
    }
    if listed.is_empty() {
        let pids_found = !o.pids.is_empty() && o.fds.is_some() && o.and;
        if !pids_found || code == ExitCode::FAILURE {
            return Ok(ExitCode::FAILURE);
        }
        return Ok(ExitCode::SUCCESS);
    }
    if o.terse {
        let pids: BTreeSet<u32> = listed.iter().map(|r| r.pid).collect();
        for pid in pids {
            outln!("{pid}");
        }
    } else if o.json {
        let v: Vec<Value> = listed.iter().map(|r| json!(r)).collect();
        print_json(&v)?;
    } else {
        for line in render(&listed) {
            outln!("{line}");
        }
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn inet_specs() {
        assert_eq!(
            inet_spec(":80"),
            Some(InetSpec {
                port: Some(80),
                ..InetSpec::default()
            })
        );
        let s4 = inet_spec("4tcp@127.0.0.1:22").unwrap();
        assert_eq!(s4.version, Some(4));
        assert_eq!(s4.proto.as_deref(), Some("tcp"));
        assert_eq!(s4.host.as_deref(), Some("127.0.0.1"));
        assert_eq!(s4.port, Some(22));
        assert_eq!(inet_spec("6@[::1]:1").unwrap().host.as_deref(), Some("::1"));
        for bad in [":99999", ":x", "sctp", "4tcp:"] {
            assert_eq!(inet_spec(bad), None, "{bad}");
        }
    }

    #[test]
    fn options() {
        let o = parse(&s(&["-a", "-p", "1,2", "-i", ":80", "-t", "/x"])).unwrap();
        assert!(o.and && o.terse);
        assert_eq!(o.pids, vec![1, 2]);
        assert_eq!(o.inet.unwrap()[0].port, Some(80));
        assert_eq!(o.files, s(&["/x"]));
        let o = parse(&s(&["-i4", "-i"])).unwrap();
        assert_eq!(o.inet.unwrap().len(), 2);
        assert!(parse(&s(&["-p", "x"])).is_err());
        assert!(parse(&s(&["-p", "0"])).is_err());
        assert!(parse(&s(&["-p", "99999999999"])).is_err());
        assert!(parse(&s(&["-Z"])).is_err());
        assert!(parse(&s(&["-u"])).is_err());
    }
}
