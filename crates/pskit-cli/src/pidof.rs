//! `pskit pidof NAME...`: pids of the processes running the named programs, like
//! the `pidof` of this machine (sysvinit-utils, which Debian ships): for each
//! name, its pids from the highest down; `-s` one pid a name, `-x` scripts too,
//! `-o PID[,PID]` (and `%PPID`) omitted, `-d SEP`, `-q`; exit status 1 when
//! nothing is found.

use std::process::ExitCode;

use crate::fmt::{print_json, CmdResult};
use crate::proc_common::outln;

/// Arguments of `pskit pidof` (read by hand, getopt-style, as sysvinit does).
#[derive(clap::Args)]
#[command(disable_help_flag = true)]
pub struct Args {
    /// `[-s] [-c] [-n] [-x] [-z] [-q] [-o PID[,PID...]] [-d SEP] [--json] NAME...`
    #[arg(
        num_args = 0..,
        allow_hyphen_values = true,
        trailing_var_arg = true,
        value_name = "ARGS"
    )]
    args: Vec<String>,
}

#[derive(Debug, Default)]
struct Opts {
    single: bool,
    scripts: bool,
    zombies: bool,
    quiet: bool,
    json: bool,
    sep: Option<String>,
    omit: Vec<u32>,
    names: Vec<String>,
}

/// One `-o` value: pids separated by commas; `%PPID` is our parent. Anything
/// else is ignored, as sysvinit does.
fn omit_list(v: &str, out: &mut Vec<u32>) {
    for part in v.split(',') {
        if part == "%PPID" {
            out.push(std::os::unix::process::parent_id());
        } else if let Ok(pid) = part.parse::<u32>() {
            out.push(pid);
        }
    }
}

fn parse(args: &[String]) -> Option<Opts> {
    let mut o = Opts::default();
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if a == "--" {
            i += 1;
            break;
        }
        if a == "--json" {
            o.json = true;
            i += 1;
            continue;
        }
        if !a.starts_with('-') || a.len() == 1 || a.starts_with("--") {
            // getopt permutes: a name, and the options go on after it.
            o.names.push(a.to_string());
            i += 1;
            continue;
        }
        let flags = &a[1..];
        for (k, c) in flags.char_indices() {
            match c {
                's' => o.single = true,
                'x' => o.scripts = true,
                'z' => o.zombies = true,
                'q' => o.quiet = true,
                'c' | 'n' => {}
                'o' | 'd' => {
                    let rest = &flags[k + 1..];
                    let v = if rest.is_empty() {
                        i += 1;
                        args.get(i)?.clone()
                    } else {
                        rest.to_string()
                    };
                    if c == 'o' {
                        omit_list(&v, &mut o.omit);
                    } else {
                        o.sep = Some(v);
                    }
                    break;
                }
                _ => return None,
            }
        }
        i += 1;
    }
    o.names.extend(args[i.min(args.len())..].iter().cloned());
    Some(o)
}

fn base(s: &str) -> &str {
    s.rsplit('/').next().unwrap_or(s)
}

/// sysvinit's matching: a full path is the executable (or argv[0] as typed);
/// otherwise argv[0], its basename, or (with no argv[0]) the kernel's name; with
/// `-x`, argv[1] of an interpreter whose name is the script's.
fn matches(prog: &str, p: &pskit::ProcessInfo, scripts: bool) -> bool {
    let s = base(prog);
    let cmd = p.cmdline.get().map(Vec::as_slice).unwrap_or_default();
    let name = p.name.get().map(String::as_str).unwrap_or("");
    if prog.starts_with('/') && p.exe.get().map(String::as_str) == Some(prog) {
        return true;
    }
    if let Some(a0) = cmd.first().filter(|a| !a.is_empty()) {
        if a0 == prog || (s != prog && a0 == s) || (!prog.contains('/') && base(a0) == s) {
            return true;
        }
    } else if !prog.contains('/') && !name.is_empty() && name == s {
        return true;
    }
    if scripts {
        if let Some(a1) = cmd.get(1) {
            let comm: String = name.chars().take(15).collect();
            if base(a1).starts_with(&comm) && !comm.is_empty() {
                return a1 == prog || (s != prog && a1 == s) || base(a1) == s;
            }
        }
    }
    false
}

/// Runs `pskit pidof`; exit status 1 when nothing matches, as pidof.
pub fn run(args: Args) -> CmdResult {
    let raw = crate::proc_common::raw_args_after("pidof");
    let words = if raw.len() >= args.args.len() {
        raw
    } else {
        args.args
    };
    let Some(o) = parse(&words) else {
        return Ok(ExitCode::FAILURE);
    };
    let me = std::process::id();
    let mut procs = pskit::process_iter(["name", "cmdline", "exe", "status"])?;
    procs.sort_by_key(|p| std::cmp::Reverse(p.pid()));
    let mut found = Vec::new();
    for prog in &o.names {
        for p in &procs {
            let pid = p.pid();
            if pid == me || o.omit.contains(&pid) {
                continue;
            }
            if !o.zombies && p.status.get() == Some(&pskit::process::Status::Zombie) {
                continue;
            }
            if matches(prog, p, o.scripts) {
                found.push(pid);
                if o.single {
                    break;
                }
            }
        }
    }
    if o.json {
        print_json(&found)?;
    } else if !found.is_empty() && !o.quiet {
        let text: Vec<String> = found.iter().map(u32::to_string).collect();
        outln!("{}", text.join(o.sep.as_deref().unwrap_or(" ")));
    }
    Ok(if found.is_empty() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn options() {
        let o = parse(&s(&["-s", "-o", "1,2", "-o3", "-d,", "a", "b"])).unwrap();
        assert!(o.single);
        assert_eq!(o.omit, vec![1, 2, 3]);
        assert_eq!(o.sep.as_deref(), Some(","));
        assert_eq!(o.names, s(&["a", "b"]));
        let o = parse(&s(&["-o", "abc,-5,99999999999999", "x"])).unwrap();
        assert!(o.omit.is_empty());
        assert!(parse(&s(&["-X"])).is_none());
        assert!(parse(&s(&["-o"])).is_none());
    }
}
