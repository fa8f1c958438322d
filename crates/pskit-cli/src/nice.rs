//! `pskit nice`: run a command with a changed niceness, like coreutils `nice`.

use std::process::ExitCode;

use crate::fmt::CmdResult;

/// Arguments of `pskit nice`.
#[derive(clap::Args)]
#[command(allow_negative_numbers = true)]
pub struct Args {
    /// Add N to the niceness (default 10).
    #[arg(
        short = 'n',
        long = "adjustment",
        default_value_t = 10,
        allow_negative_numbers = true
    )]
    adjustment: i32,
    /// The command and its arguments; without one, print the current niceness.
    #[arg(trailing_var_arg = true, value_name = "COMMAND")]
    command: Vec<String>,
}

/// Runs `pskit nice`: changes its own niceness, then becomes the command (exec),
/// as coreutils does, so the command inherits it.
pub fn run(args: Args) -> CmdResult {
    let me = pskit::Process::current()?;
    let current = me.nice()?;
    if args.command.is_empty() {
        println!("{current}");
        return Ok(ExitCode::SUCCESS);
    }
    let target = (current + args.adjustment).clamp(-20, 19);
    if let Err(e) = me.set_nice(target) {
        // coreutils warns and runs the command anyway.
        eprintln!("{}: cannot set niceness: {e}", crate::fmt::prog("nice"));
    }
    Ok(crate::fmt::exec("nice", &args.command))
}
