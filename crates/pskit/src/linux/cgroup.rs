//! cgroup v1/v2 discovery and limits: parsers for `/proc/<pid>/cgroup`, mountinfo and
//! the limit files, and the walk up the hierarchy.

use std::path::{Component, Path, PathBuf};

use crate::container::{CpuLimit, MemoryLimit};
use crate::error::{Error, Result};
use crate::linux::fs::{is_not_found, with_text};
use crate::linux::parse::unescape_octal;
use crate::root::Root;

/// One line of `/proc/<pid>/cgroup`: `ID:CONTROLLERS:PATH`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CgroupLine {
    pub id: u32,
    pub controllers: Vec<String>,
    pub path: String,
}

/// Parses `/proc/<pid>/cgroup`; malformed lines are skipped.
pub(crate) fn parse_proc_cgroup(text: &str) -> Vec<CgroupLine> {
    text.lines()
        .filter_map(|l| {
            let mut it = l.splitn(3, ':');
            let id = it.next()?.trim().parse().ok()?;
            let controllers = it
                .next()?
                .split(',')
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect();
            let path = it.next()?.to_string();
            Some(CgroupLine {
                id,
                controllers,
                path,
            })
        })
        .collect()
}

/// A cgroup filesystem from `/proc/<pid>/mountinfo`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CgroupMount {
    /// 1 for `cgroup`, 2 for `cgroup2`.
    pub version: u8,
    /// The mount's root within the hierarchy (field 4).
    pub root: String,
    /// Where it is mounted, as a host path (field 5, unescaped).
    pub mountpoint: PathBuf,
    /// The super options (v1 lists its controllers there).
    pub super_opts: Vec<String>,
}

/// The cgroup and cgroup2 mounts of a mountinfo file; other lines are skipped.
pub(crate) fn parse_mountinfo_cgroups(text: &str) -> Vec<CgroupMount> {
    text.lines()
        .filter_map(|l| {
            let (pre, post) = l.split_once(" - ")?;
            let pre: Vec<&str> = pre.split(' ').collect();
            let mut post = post.split(' ');
            let fstype = post.next()?;
            let _source = post.next()?;
            let super_opts = post.next().unwrap_or("");
            let version = match fstype {
                "cgroup" => 1,
                "cgroup2" => 2,
                _ => return None,
            };
            Some(CgroupMount {
                version,
                root: unescape_octal(pre.get(3)?),
                mountpoint: PathBuf::from(unescape_octal(pre.get(4)?)),
                super_opts: super_opts.split(',').map(str::to_string).collect(),
            })
        })
        .collect()
}

/// Where a controller lives for a process: the directories from its cgroup up to
/// the hierarchy's mount, leaf first.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Located {
    pub version: u8,
    pub cgroup: String,
    /// Leaf first, mount root last.
    pub dirs: Vec<PathBuf>,
}

/// Joins a cgroup path below a mount directory, keeping only normal components so a
/// hostile path ("/../../etc") cannot escape the hierarchy.
fn below(top: &Path, rel: &str) -> Vec<PathBuf> {
    let mut dirs = vec![top.to_path_buf()];
    let mut cur = top.to_path_buf();
    for c in Path::new(rel).components() {
        if let Component::Normal(part) = c {
            cur.push(part);
            dirs.push(cur.clone());
        }
    }
    dirs.reverse();
    dirs
}

/// Strips the mount's root from a cgroup path (a v1 bind mount of a sub-hierarchy,
/// as older Docker did, shows the full path in /proc/self/cgroup).
fn relative<'a>(path: &'a str, mount_root: &str) -> &'a str {
    if mount_root == "/" {
        return path;
    }
    match path.strip_prefix(mount_root) {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => rest,
        _ => path,
    }
}

/// Finds the hierarchy holding `controller`: a v1 hierarchy that has it, else the
/// v2 hierarchy (hybrid layouts put the controllers on v1 and leave v2 empty).
/// `v2_has` tells whether the v2 cgroup offers the controller.
pub(crate) fn locate(
    lines: &[CgroupLine],
    mounts: &[CgroupMount],
    controller: &str,
    root: &Root,
    v2_has: impl Fn(&Path) -> bool,
) -> Option<Located> {
    for line in lines.iter().filter(|l| l.id != 0) {
        if !line.controllers.iter().any(|c| c == controller) {
            continue;
        }
        let Some(m) = mounts
            .iter()
            .find(|m| m.version == 1 && m.super_opts.iter().any(|o| o == controller))
        else {
            continue;
        };
        let top = root.map_host_path(&m.mountpoint);
        return Some(Located {
            version: 1,
            cgroup: line.path.clone(),
            dirs: below(&top, relative(&line.path, &m.root)),
        });
    }
    let line = lines
        .iter()
        .find(|l| l.id == 0 && l.controllers.is_empty())?;
    let m = mounts.iter().find(|m| m.version == 2)?;
    let top = root.map_host_path(&m.mountpoint);
    let dirs = below(&top, relative(&line.path, &m.root));
    v2_has(&dirs[0]).then(|| Located {
        version: 2,
        cgroup: line.path.clone(),
        dirs,
    })
}

/// A v2 cgroup offers a controller when its `cgroup.controllers` lists it.
fn v2_offers(controller: &'static str) -> impl Fn(&Path) -> bool {
    move |dir: &Path| {
        with_text(&dir.join("cgroup.controllers"), |s| {
            Ok(s.split_ascii_whitespace().any(|c| c == controller))
        })
        .unwrap_or(false)
    }
}

/// `cpu.max`: "max 100000" (no limit) or "QUOTA PERIOD" → CPUs.
pub(crate) fn parse_cpu_max(text: &str) -> std::result::Result<Option<f64>, String> {
    let mut it = text.split_ascii_whitespace();
    let quota = it.next().ok_or("empty cpu.max")?;
    let period: f64 = match it.next() {
        Some(p) => p.parse().map_err(|_| format!("bad period {p:?}"))?,
        None => 100_000.0,
    };
    if quota == "max" {
        return Ok(None);
    }
    let q: f64 = quota.parse().map_err(|_| format!("bad quota {quota:?}"))?;
    // `!(x > 0)` also refuses NaN; infinities are refused too.
    if !(period > 0.0 && q > 0.0 && period.is_finite() && q.is_finite()) {
        return Err(format!("non-positive quota or period in {:?}", text.trim()));
    }
    Ok(Some(q / period))
}

/// `memory.max`-style values: "max" → None, else bytes.
pub(crate) fn parse_v2_bytes(text: &str) -> std::result::Result<Option<u64>, String> {
    match text.trim() {
        "max" => Ok(None),
        t => t.parse().map(Some).map_err(|_| format!("bad value {t:?}")),
    }
}

/// v1 byte limits: the kernel's "unlimited" is PAGE_COUNTER_MAX × page size
/// (0x7FFFFFFFFFFFF000 on 4 KiB pages, lower with larger pages), so anything from
/// 2^62 up means no limit.
pub(crate) fn parse_v1_bytes(text: &str) -> std::result::Result<Option<u64>, String> {
    let t = text.trim();
    let v: i64 = t.parse().map_err(|_| format!("bad value {t:?}"))?;
    Ok((v >= 0 && (v as u64) < (1 << 62)).then_some(v as u64))
}

/// Reads a limit file if it exists; `Ok(None)` when it does not.
fn read_opt<T>(
    path: &Path,
    parse: impl FnOnce(&str) -> std::result::Result<T, String>,
) -> Result<Option<T>> {
    match with_text(path, |s| parse(s).map_err(|m| Error::parse(path, m))) {
        Ok(v) => Ok(Some(v)),
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The smallest of the limits found walking the directories.
fn tightest<T: PartialOrd + Copy>(
    dirs: &[PathBuf],
    mut read: impl FnMut(&Path) -> Result<Option<Option<T>>>,
) -> Result<Option<T>> {
    let mut best: Option<T> = None;
    for d in dirs {
        if let Some(Some(v)) = read(d)? {
            if best.is_none_or(|b| v < b) {
                best = Some(v);
            }
        }
    }
    Ok(best)
}

/// The cgroup lines and cgroup mounts of a process (`pid` is "self" or a number).
fn discover(root: &Root, pid: &str) -> Result<(Vec<CgroupLine>, Vec<CgroupMount>)> {
    let dir = root.proc_path(pid);
    let lines = match with_text(&dir.join("cgroup"), |s| Ok(parse_proc_cgroup(s))) {
        Ok(l) => l,
        Err(e) if is_not_found(&e) && dir.is_dir() => Vec::new(),
        Err(e) => return Err(e),
    };
    let mounts = match with_text(&dir.join("mountinfo"), |s| Ok(parse_mountinfo_cgroups(s))) {
        Ok(m) => m,
        Err(e) if is_not_found(&e) && dir.is_dir() => Vec::new(),
        Err(e) => return Err(e),
    };
    Ok((lines, mounts))
}

fn affinity(pid: &str) -> Result<u32> {
    let target = match pid {
        "self" => None,
        n => Some(
            n.parse::<i32>()
                .ok()
                .and_then(rustix::process::Pid::from_raw)
                .ok_or_else(|| Error::InvalidArgument(format!("invalid pid {n:?}")))?,
        ),
    };
    rustix::thread::sched_getaffinity(target)
        .map(|set| set.count())
        .map_err(|e| Error::io("sched_getaffinity", e.into()))
}

pub(crate) fn cpu_limit(root: &Root, pid: &str) -> Result<CpuLimit> {
    let (lines, mounts) = discover(root, pid)?;
    let affinity = affinity(pid)?;
    let located = locate(&lines, &mounts, "cpu", root, v2_offers("cpu"));
    let quota = match &located {
        None => None,
        Some(l) if l.version == 2 => {
            tightest(&l.dirs, |d| read_opt(&d.join("cpu.max"), parse_cpu_max))?
        }
        Some(l) => tightest(&l.dirs, |d| {
            let q = read_opt(&d.join("cpu.cfs_quota_us"), |s| {
                s.trim()
                    .parse::<i64>()
                    .map_err(|_| format!("bad quota {s:?}"))
            })?;
            let p = read_opt(&d.join("cpu.cfs_period_us"), |s| {
                s.trim()
                    .parse::<i64>()
                    .map_err(|_| format!("bad period {s:?}"))
            })?;
            Ok(match (q, p) {
                (Some(q), Some(p)) if q > 0 && p > 0 => Some(Some(q as f64 / p as f64)),
                _ => None,
            })
        })?,
    };
    let cpus = match quota {
        Some(q) => q.min(f64::from(affinity)),
        None => f64::from(affinity),
    };
    Ok(CpuLimit {
        cpus,
        quota,
        affinity,
        cgroup_version: located.as_ref().map(|l| l.version),
        cgroup: located.map(|l| l.cgroup),
    })
}

pub(crate) fn memory_limit(root: &Root, pid: &str) -> Result<MemoryLimit> {
    let (lines, mounts) = discover(root, pid)?;
    let Some(l) = locate(&lines, &mounts, "memory", root, v2_offers("memory")) else {
        return Ok(MemoryLimit {
            limit: None,
            usage: None,
            peak: None,
            swap_limit: None,
            cgroup_version: None,
            cgroup: None,
        });
    };
    let leaf = &l.dirs[0];
    let plain = |s: &str| {
        s.trim()
            .parse::<u64>()
            .map_err(|_| format!("bad value {s:?}"))
    };
    let (limit, usage, peak, swap_limit) = if l.version == 2 {
        (
            tightest(&l.dirs, |d| read_opt(&d.join("memory.max"), parse_v2_bytes))?,
            read_opt(&leaf.join("memory.current"), plain)?,
            read_opt(&leaf.join("memory.peak"), plain)?,
            tightest(&l.dirs, |d| {
                read_opt(&d.join("memory.swap.max"), parse_v2_bytes)
            })?,
        )
    } else {
        (
            tightest(&l.dirs, |d| {
                read_opt(&d.join("memory.limit_in_bytes"), parse_v1_bytes)
            })?,
            read_opt(&leaf.join("memory.usage_in_bytes"), plain)?,
            read_opt(&leaf.join("memory.max_usage_in_bytes"), plain)?,
            tightest(&l.dirs, |d| {
                read_opt(&d.join("memory.memsw.limit_in_bytes"), parse_v1_bytes)
            })?,
        )
    };
    Ok(MemoryLimit {
        limit,
        usage,
        peak,
        swap_limit,
        cgroup_version: Some(l.version),
        cgroup: Some(l.cgroup),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HYBRID_CGROUP: &str = "9:name=systemd:/\n4:memory:/process_api/abc\n1:cpu:/\n0::/\n";
    const HYBRID_MOUNTS: &str =
        "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n\
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n\
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n\
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

    #[test]
    fn proc_cgroup_lines() {
        let l = parse_proc_cgroup(HYBRID_CGROUP);
        assert_eq!(l.len(), 4);
        assert_eq!(l[1].controllers, vec!["memory"]);
        assert_eq!(l[1].path, "/process_api/abc");
        assert!(l[3].controllers.is_empty());
        assert!(parse_proc_cgroup("garbage\n::\nx:y:z\n").is_empty());
        // A path containing ':' stays whole.
        assert_eq!(parse_proc_cgroup("0::/a:b\n")[0].path, "/a:b");
    }

    #[test]
    fn mountinfo_cgroup_filesystems() {
        let m = parse_mountinfo_cgroups(HYBRID_MOUNTS);
        assert_eq!(m.len(), 3);
        assert_eq!(m[0].version, 1);
        assert_eq!(m[2].version, 2);
        assert_eq!(m[2].mountpoint, PathBuf::from("/sys/fs/cgroup/unified"));
        assert!(parse_mountinfo_cgroups("nonsense - \n - cgroup\n").is_empty());
    }

    #[test]
    fn hybrid_prefers_v1_controller() {
        let root = Root::new("/fx");
        let lines = parse_proc_cgroup(HYBRID_CGROUP);
        let mounts = parse_mountinfo_cgroups(HYBRID_MOUNTS);
        let mem = locate(&lines, &mounts, "memory", &root, |_| true).unwrap();
        assert_eq!(mem.version, 1);
        assert_eq!(
            mem.dirs,
            vec![
                PathBuf::from("/fx/sys/fs/cgroup/memory/process_api/abc"),
                PathBuf::from("/fx/sys/fs/cgroup/memory/process_api"),
                PathBuf::from("/fx/sys/fs/cgroup/memory"),
            ]
        );
        // "io" has no v1 hierarchy here and the empty v2 mount does not offer it.
        assert!(locate(&lines, &mounts, "io", &root, |_| false).is_none());
    }

    #[test]
    fn v1_bind_mounted_subtree_strips_mount_root() {
        let lines = parse_proc_cgroup("5:cpu,cpuacct:/docker/abc\n");
        let mounts = parse_mountinfo_cgroups(
            "1 0 0:1 /docker/abc /sys/fs/cgroup/cpu,cpuacct ro - cgroup cgroup rw,cpu,cpuacct\n",
        );
        let l = locate(&lines, &mounts, "cpu", &Root::host(), |_| true).unwrap();
        assert_eq!(l.dirs, vec![PathBuf::from("/sys/fs/cgroup/cpu,cpuacct")]);
    }

    #[test]
    fn hostile_paths_stay_inside() {
        let lines = parse_proc_cgroup("0::/../../etc\n");
        let mounts = parse_mountinfo_cgroups("1 0 0:1 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
        let l = locate(&lines, &mounts, "cpu", &Root::host(), |_| true).unwrap();
        assert!(l.dirs.iter().all(|d| d.starts_with("/sys/fs/cgroup")));
    }

    #[test]
    fn cpu_max_values() {
        assert_eq!(parse_cpu_max("max 100000\n").unwrap(), None);
        assert_eq!(parse_cpu_max("150000 100000\n").unwrap(), Some(1.5));
        assert_eq!(parse_cpu_max("50000\n").unwrap(), Some(0.5));
        assert!(parse_cpu_max("").is_err());
        assert!(parse_cpu_max("abc 100000").is_err());
        assert!(parse_cpu_max("100 0").is_err());
    }

    // A NaN or infinite quota or period passed the `<= 0.0` test and gave a NaN or
    // infinite CPU count.
    #[test]
    fn cpu_max_refuses_nan_and_infinity() {
        for bad in [
            "NaN 100000",
            "100000 NaN",
            "inf 100000",
            "100 inf",
            "1e309 1",
        ] {
            assert!(parse_cpu_max(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn memory_values() {
        assert_eq!(parse_v2_bytes("max\n").unwrap(), None);
        assert_eq!(parse_v2_bytes("1073741824\n").unwrap(), Some(1 << 30));
        assert!(parse_v2_bytes("lots").is_err());
        assert_eq!(parse_v1_bytes("9223372036854771712\n").unwrap(), None);
        assert_eq!(parse_v1_bytes("536870912").unwrap(), Some(1 << 29));
        assert_eq!(parse_v1_bytes("-1").unwrap(), None);
        assert!(parse_v1_bytes("").is_err());
    }
}
