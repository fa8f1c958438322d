//! `net_connections`: socket tables (sock_diag or `/proc/net`), joined with the owner
//! scan, deduplicated like psutil's set.

use std::collections::HashSet;

use crate::error::{Error, Result};
use crate::linux::fs::{is_not_found, read_trimmed, with_text_large};
use crate::linux::net::inodes::{owners_by_inode, socket_owners, OnError, Owner};
use crate::linux::net::{diag, proc_net};
use crate::net::{
    Connection, SocketEntry, AF_INET, AF_INET6, AF_UNIX, CONN_KINDS, SOCK_DGRAM, SOCK_STREAM,
};
use crate::root::Root;

/// Where the socket tables come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    /// sock_diag on the host root (falling back to `/proc/net` per table when netlink
    /// fails), the `/proc/net` files under any other root.
    Auto,
    /// Always the `/proc/net` files (psutil's way; used to cross-check sock_diag).
    #[cfg_attr(not(test), allow(dead_code))]
    Proc,
}

/// One socket table: its `/proc/net` file, family and type (0 for unix: per row).
#[derive(Debug, Clone, Copy)]
struct Table {
    file: &'static str,
    family: i32,
    r#type: i32,
}

const TCP4: Table = Table {
    file: "tcp",
    family: AF_INET,
    r#type: SOCK_STREAM,
};
const TCP6: Table = Table {
    file: "tcp6",
    family: AF_INET6,
    r#type: SOCK_STREAM,
};
const UDP4: Table = Table {
    file: "udp",
    family: AF_INET,
    r#type: SOCK_DGRAM,
};
const UDP6: Table = Table {
    file: "udp6",
    family: AF_INET6,
    r#type: SOCK_DGRAM,
};
const UNIX: Table = Table {
    file: "unix",
    family: AF_UNIX,
    r#type: 0,
};

/// psutil's kind → tables map (reference §2.5).
fn tables(kind: &str) -> Option<&'static [Table]> {
    Some(match kind {
        "all" => &[TCP4, TCP6, UDP4, UDP6, UNIX],
        "tcp" => &[TCP4, TCP6],
        "tcp4" => &[TCP4],
        "tcp6" => &[TCP6],
        "udp" => &[UDP4, UDP6],
        "udp4" => &[UDP4],
        "udp6" => &[UDP6],
        "inet" => &[TCP4, TCP6, UDP4, UDP6],
        "inet4" => &[TCP4, UDP4],
        "inet6" => &[TCP6, UDP6],
        "unix" => &[UNIX],
        _ => return None,
    })
}

/// psutil's ValueError text, valid kinds as a Python tuple.
fn invalid_kind(kind: &str) -> Error {
    let kinds: Vec<String> = CONN_KINDS.iter().map(|k| format!("'{k}'")).collect();
    Error::InvalidArgument(format!(
        "invalid kind argument '{kind}'; valid ones are: ({})",
        kinds.join(", ")
    ))
}

/// One table from its `/proc/net` file. A missing `tcp6`/`udp6` means no IPv6: empty.
fn read_proc_table(root: &Root, t: Table) -> Result<Vec<SocketEntry>> {
    let path = root.proc_path(format!("net/{}", t.file));
    let parsed = with_text_large(&path, |s| {
        if t.family == AF_UNIX {
            proc_net::parse_unix(s)
        } else {
            proc_net::parse_inet(s, t.family, t.r#type)
        }
        .map_err(|m| Error::parse(&path, m))
    });
    match parsed {
        Err(e) if is_not_found(&e) && t.file.ends_with('6') => Ok(Vec::new()),
        other => other,
    }
}

/// One table over sock_diag, or from `/proc/net` when netlink cannot answer (no
/// sock_diag module for the protocol, netlink forbidden by a sandbox...).
fn read_table(root: &Root, t: Table, diag: Option<&mut diag::Diag>) -> Result<Vec<SocketEntry>> {
    if let Some(d) = diag {
        let got = if t.family == AF_UNIX {
            d.unix_sockets()
        } else {
            d.inet_sockets(t.family, t.r#type)
        };
        if let Ok(rows) = got {
            return Ok(rows);
        }
    }
    read_proc_table(root, t)
}

/// Every table of a kind, over one sock_diag socket when `netlink`.
fn read_tables(root: &Root, tables: &[Table], netlink: bool) -> Result<Vec<Vec<SocketEntry>>> {
    let mut diag = if netlink {
        diag::Diag::open().ok()
    } else {
        None
    };
    tables
        .iter()
        .map(|&t| read_table(root, t, diag.as_mut()))
        .collect()
}

/// Joins rows with owners: an inet socket gets its owner's first fd; a UNIX socket
/// gives one row per fd (psutil's rules). Rows are deduplicated, first seen kept.
fn join(
    tables: Vec<Vec<SocketEntry>>,
    owners: &std::collections::HashMap<u64, Owner>,
    only: Option<&HashSet<u32>>,
) -> Vec<Connection> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let mut emit = |e: &SocketEntry, pid: Option<u32>, fd: i32| {
        if let Some(only) = only {
            if !pid.is_some_and(|p| only.contains(&p)) {
                return;
            }
        }
        let c = Connection {
            fd,
            family: e.family,
            r#type: e.r#type,
            laddr: e.laddr.clone(),
            raddr: e.raddr.clone(),
            status: e.status,
            pid,
        };
        if seen.insert(c.clone()) {
            out.push(c);
        }
    };
    for rows in &tables {
        for e in rows {
            match owners.get(&e.inode) {
                None => emit(e, None, -1),
                Some(o) if e.family == AF_UNIX => {
                    for &fd in &o.fds {
                        emit(e, Some(o.pid), fd);
                    }
                }
                Some(o) => emit(e, Some(o.pid), o.fds.first().copied().unwrap_or(-1)),
            }
        }
    }
    out
}

pub(crate) fn net_connections(
    root: &Root,
    kind: &str,
    pids: Option<&[u32]>,
    source: Source,
) -> Result<Vec<Connection>> {
    let tables = tables(kind).ok_or_else(|| invalid_kind(kind))?;
    let netlink = source == Source::Auto && root.is_host();
    let read_tables = || read_tables(root, tables, netlink);
    let (owners, rows) = match pids {
        Some(p) => {
            let owners = socket_owners(root.proc(), Some(p), OnError::Fail)?;
            if owners.is_empty() {
                // psutil: a process without sockets has none; tables are not read.
                return Ok(Vec::new());
            }
            (owners, read_tables()?)
        }
        None => {
            // The owner scan dominates; read the socket tables meanwhile.
            let (owners, rows) = std::thread::scope(|s| {
                let scan = s.spawn(|| socket_owners(root.proc(), None, OnError::SkipProcess));
                let rows = read_tables();
                let owners = scan.join().unwrap_or_else(|_| {
                    Err(Error::Unsupported("socket scan thread panicked".into()))
                });
                (owners, rows)
            });
            (owners?, rows?)
        }
    };
    let only: Option<HashSet<u32>> = pids.map(|p| p.iter().copied().collect());
    Ok(join(rows, &owners, only.as_ref()))
}

/// One process's sockets of a `kind`, given its sockets as (inode, fd) in fd
/// order (from its fd directory, which `sockets` reads after `kind` is checked).
/// The socket tables are read only when it holds a socket, as psutil does.
pub(crate) fn process_connections(
    root: &Root,
    kind: &str,
    pid: u32,
    sockets: impl FnOnce() -> Result<Vec<(u64, i32)>>,
) -> Result<Vec<Connection>> {
    let tables = tables(kind).ok_or_else(|| invalid_kind(kind))?;
    let sockets = sockets()?;
    if sockets.is_empty() {
        return Ok(Vec::new());
    }
    let owners = owners_by_inode(sockets.into_iter().map(|(inode, fd)| (pid, inode, fd)));
    let rows = read_tables(root, tables, root.is_host())?;
    let only: HashSet<u32> = [pid].into();
    Ok(join(rows, &owners, Some(&only)))
}

/// `{proc}/<pid>/comm`, for the `-p` column of netstat-like tools.
pub(crate) fn process_comm(root: &Root, pid: u32) -> Result<String> {
    match read_trimmed(&root.proc_path(format!("{pid}/comm"))) {
        Err(e) if is_not_found(&e) => Err(Error::NoSuchProcess {
            pid,
            name: None,
            msg: "process no longer exists".into(),
        }),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::{Addr, ConnAddr, CONN_LISTEN, CONN_NONE};
    use std::collections::HashMap;

    fn row(family: i32, inode: u64, laddr: ConnAddr) -> SocketEntry {
        SocketEntry {
            family,
            r#type: SOCK_STREAM,
            laddr,
            raddr: if family == AF_UNIX {
                ConnAddr::Path(String::new())
            } else {
                ConnAddr::Empty
            },
            status: if family == AF_UNIX {
                CONN_NONE
            } else {
                CONN_LISTEN
            },
            inode,
            rx_queue: 0,
            tx_queue: 0,
            state: 0,
            uid: 0,
            refcnt: 0,
            flags: 0,
        }
    }

    #[test]
    fn every_kind_psutil_accepts() {
        for k in CONN_KINDS {
            assert!(tables(k).is_some(), "{k}");
        }
        assert_eq!(tables("all").unwrap().len(), 5);
        assert_eq!(
            tables("inet6")
                .unwrap()
                .iter()
                .map(|t| t.file)
                .collect::<Vec<_>>(),
            ["tcp6", "udp6"]
        );
    }

    #[test]
    fn invalid_kind_lists_valid_ones() {
        let msg = invalid_kind("bogus").to_string();
        assert_eq!(
            msg,
            "invalid kind argument 'bogus'; valid ones are: ('all', 'tcp', 'tcp4', 'udp', \
             'udp4', 'inet', 'inet4', 'inet6', 'tcp6', 'udp6', 'unix')"
        );
    }

    #[test]
    fn inet_takes_first_fd_unix_every_fd_unknown_collapse() {
        let a = ConnAddr::Inet(Addr {
            ip: "0.0.0.0".into(),
            port: 22,
        });
        let rows = vec![
            vec![row(AF_INET, 10, a.clone()), row(AF_INET, 11, a.clone())],
            vec![
                row(AF_UNIX, 20, ConnAddr::Path("/s".into())),
                row(AF_UNIX, 21, ConnAddr::Path(String::new())),
                row(AF_UNIX, 22, ConnAddr::Path(String::new())),
            ],
        ];
        let mut owners = HashMap::new();
        owners.insert(
            10,
            Owner {
                pid: 7,
                fds: vec![3, 5],
            },
        );
        owners.insert(
            20,
            Owner {
                pid: 8,
                fds: vec![4, 6],
            },
        );
        let out = join(rows, &owners, None);
        assert_eq!(out.len(), 5, "{out:#?}");
        assert_eq!((out[0].pid, out[0].fd), (Some(7), 3));
        assert_eq!((out[1].pid, out[1].fd), (None, -1));
        assert_eq!((out[2].pid, out[2].fd), (Some(8), 4));
        assert_eq!((out[3].pid, out[3].fd), (Some(8), 6));
        // Two unowned unbound UNIX sockets are the same row: psutil's set keeps one.
        assert_eq!(out[4].laddr, ConnAddr::Path(String::new()));
    }

    #[test]
    fn pid_filter_drops_other_rows() {
        let a = ConnAddr::Inet(Addr {
            ip: "::".into(),
            port: 80,
        });
        let rows = vec![vec![row(AF_INET6, 1, a.clone()), row(AF_INET6, 2, a)]];
        let mut owners = HashMap::new();
        owners.insert(
            1,
            Owner {
                pid: 7,
                fds: vec![3],
            },
        );
        let only: HashSet<u32> = [7].into();
        let out = join(rows, &owners, Some(&only));
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].pid, Some(7));
    }

    /// The sockets this process holds, as sock_diag and as `/proc/net` report them.
    #[test]
    fn sock_diag_and_proc_files_agree_on_own_sockets() {
        use std::net::{TcpListener, TcpStream, UdpSocket};
        let l4 = TcpListener::bind("127.0.0.1:0").unwrap();
        let _c4 = TcpStream::connect(l4.local_addr().unwrap()).unwrap();
        let _u4 = UdpSocket::bind("127.0.0.1:0").unwrap();
        let _l6 = TcpListener::bind("[::1]:0");
        let _u6 = UdpSocket::bind("[::1]:0");
        let dir = std::env::temp_dir().join(format!("pskit-conn-unit-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let _ul = std::os::unix::net::UnixListener::bind(dir.join("s")).unwrap();

        // sock_diag itself answers (no silent fallback hides a broken netlink path).
        let mut d = diag::Diag::open().unwrap();
        for (family, r#type) in [
            (AF_INET, SOCK_STREAM),
            (AF_INET6, SOCK_STREAM),
            (AF_INET, SOCK_DGRAM),
            (AF_INET6, SOCK_DGRAM),
        ] {
            d.inet_sockets(family, r#type).unwrap();
        }
        let unix = d.unix_sockets().unwrap();
        let path = dir.join("s").to_string_lossy().into_owned();
        assert!(unix
            .iter()
            .any(|e| e.laddr == crate::net::ConnAddr::Path(path.clone())));

        // Only this test's fds: other tests of this binary open sockets concurrently.
        use std::os::fd::AsRawFd;
        let mut fds: Vec<i32> = vec![
            l4.as_raw_fd(),
            _c4.as_raw_fd(),
            _u4.as_raw_fd(),
            _ul.as_raw_fd(),
        ];
        fds.extend(_l6.as_ref().map(|s| s.as_raw_fd()));
        fds.extend(_u6.as_ref().map(|s| s.as_raw_fd()));
        let root = Root::host();
        let me = std::process::id();
        let ours = |src| -> Vec<Connection> {
            net_connections(&root, "all", Some(&[me]), src)
                .unwrap()
                .into_iter()
                .filter(|c| fds.contains(&c.fd))
                .collect()
        };
        assert_eq!(ours(Source::Auto).len(), fds.len());
        for kind in CONN_KINDS {
            let keep = |v: Vec<Connection>| -> Vec<Connection> {
                v.into_iter().filter(|c| fds.contains(&c.fd)).collect()
            };
            let mut a = keep(net_connections(&root, kind, Some(&[me]), Source::Auto).unwrap());
            let mut b = keep(net_connections(&root, kind, Some(&[me]), Source::Proc).unwrap());
            let key = |c: &Connection| (c.fd, c.family, c.r#type, c.laddr.clone(), c.raddr.clone());
            a.sort_by_key(key);
            b.sort_by_key(key);
            assert_eq!(a, b, "kind {kind}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
