//! `pskit who`: logged-in users like coreutils `who`.

use std::process::ExitCode;

use chrono::{Local, TimeZone};

use crate::fmt::{print_json, CmdResult};

/// Arguments of `pskit who`.
#[derive(clap::Args)]
pub struct Args {
    /// Print a line of column headings.
    #[arg(short = 'H', long = "heading")]
    heading: bool,
    /// Only the names and the number of users logged on.
    #[arg(short = 'q', long = "count")]
    count: bool,
    /// Print JSON (psutil's `users()`).
    #[arg(long)]
    json: bool,
}

/// One `who` line: NAME LINE TIME (HOST).
pub fn line(u: &pskit::User) -> String {
    let when = Local
        .timestamp_opt(u.started as i64, 0)
        .single()
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|| "?".into());
    let mut s = format!(
        "{:<8} {:<12} {}",
        u.name,
        u.terminal.as_deref().unwrap_or("?"),
        when
    );
    if u.host != "localhost" {
        s.push_str(&format!(" ({})", u.host));
    }
    s
}

/// Runs `pskit who`.
pub fn run(args: Args) -> CmdResult {
    let users = pskit::users()?;
    if args.json {
        print_json(&users)?;
    } else if args.count {
        let names: Vec<&str> = users.iter().map(|u| u.name.as_str()).collect();
        println!("{}", names.join(" "));
        println!("# users={}", users.len());
    } else {
        if args.heading {
            println!("{:<8} {:<12} {:<16} COMMENT", "NAME", "LINE", "TIME");
        }
        for u in &users {
            println!("{}", line(u));
        }
    }
    Ok(ExitCode::SUCCESS)
}
