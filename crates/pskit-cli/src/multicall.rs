//! One binary, every tool: invoked through a link named `ps`, `free`, `kill`, …
//! (its argv[0]), pskit behaves as that tool; `pskit --install-links DIR`
//! creates the links.

use std::ffi::OsString;
use std::path::Path;
use std::process::ExitCode;

/// The tools pskit can stand in for, by the name a link gives it.
pub const TOOLS: [&str; 24] = [
    "ps", "top", "iotop", "free", "uptime", "who", "df", "iostat", "sensors", "ifconfig",
    "netstat", "kill", "killall", "nice", "renice", "ionice", "taskset", "prlimit", "pidof",
    "pstree", "tty", "lsof", "pmap", "wait",
];

/// The arguments as if `pskit TOOL …` had been typed, when argv[0]'s file name
/// is one of [`TOOLS`] (`wait` excepted: a link named `wait` would shadow the
/// shell's builtin only by accident, so it is never dispatched on).
pub fn rewrite(mut args: Vec<OsString>) -> Vec<OsString> {
    let Some(tool) = args
        .first()
        .and_then(|a0| Path::new(a0).file_name())
        .and_then(|n| n.to_str())
        .map(str::to_string)
    else {
        return args;
    };
    if tool != "wait" && TOOLS.contains(&tool.as_str()) {
        args[0] = OsString::from("pskit");
        args.insert(1, OsString::from(tool));
    } else if let Some((_, sub)) = ALIASES.iter().find(|(name, _)| *name == tool) {
        args[0] = OsString::from("pskit");
        args.insert(1, OsString::from(*sub));
    }
    args
}

/// Other names pskit answers to: invoked as `node_exporter` (or Debian's
/// `prometheus-node-exporter`), it is `pskit serve`, which takes
/// node_exporter's flags. Not made by `--install-links`, so a real
/// node_exporter is never shadowed by accident.
pub const ALIASES: [(&str, &str); 2] = [
    ("node_exporter", "serve"),
    ("prometheus-node-exporter", "serve"),
];

/// `pskit --install-links DIR`: a symlink per tool in `DIR`, pointing at this
/// binary. An existing symlink of that name is replaced; any other file is
/// left alone and reported (exit 1).
pub fn install_links(dir: &Path) -> ExitCode {
    let exe = match std::env::current_exe() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("pskit: cannot find this program's path: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = std::fs::create_dir_all(dir) {
        eprintln!("pskit: {}: {e}", dir.display());
        return ExitCode::FAILURE;
    }
    // A link beside the binary points at it by name, so the directory can be
    // copied or mounted elsewhere (a container image) and still work.
    let same_dir = match (exe.parent(), std::fs::canonicalize(dir)) {
        (Some(p), Ok(d)) => std::fs::canonicalize(p).is_ok_and(|p| p == d),
        _ => false,
    };
    let target = match (same_dir, exe.file_name()) {
        (true, Some(name)) => std::path::PathBuf::from(name),
        _ => exe.clone(),
    };
    let mut ok = true;
    for tool in TOOLS.iter().filter(|t| **t != "wait") {
        let link = dir.join(tool);
        match std::fs::symlink_metadata(&link) {
            Ok(m) if m.file_type().is_symlink() => {
                if let Err(e) = std::fs::remove_file(&link) {
                    eprintln!("pskit: {}: {e}", link.display());
                    ok = false;
                    continue;
                }
            }
            Ok(_) => {
                eprintln!(
                    "pskit: {}: exists and is not a link; left alone",
                    link.display()
                );
                ok = false;
                continue;
            }
            Err(_) => {}
        }
        match std::os::unix::fs::symlink(&target, &link) {
            Ok(()) => println!("{} -> {}", link.display(), target.display()),
            Err(e) => {
                eprintln!("pskit: {}: {e}", link.display());
                ok = false;
            }
        }
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(v: &[&str]) -> Vec<OsString> {
        v.iter().map(OsString::from).collect()
    }

    #[test]
    fn argv0_picks_the_tool() {
        assert_eq!(
            rewrite(os(&["/usr/bin/ps", "aux"])),
            os(&["pskit", "ps", "aux"])
        );
        assert_eq!(rewrite(os(&["free", "-m"])), os(&["pskit", "free", "-m"]));
        assert_eq!(rewrite(os(&["pskit", "free"])), os(&["pskit", "free"]));
        assert_eq!(rewrite(os(&["/x/wait", "1"])), os(&["/x/wait", "1"]));
        assert_eq!(rewrite(os(&["psx"])), os(&["psx"]));
        assert_eq!(rewrite(Vec::new()), Vec::<OsString>::new());
        assert_eq!(
            rewrite(os(&["/opt/node_exporter", "--web.listen-address=:9101"])),
            os(&["pskit", "serve", "--web.listen-address=:9101"])
        );
    }
}
