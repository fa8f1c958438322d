#![no_main]

// The command line's number parsers (seconds, CPU masks and lists, block sizes,
// resource limits, signal names and numbers, strtol, kill's pid operands,
// killall's TIME, lsof's -p and -d lists): pskit-cli's dependency-free num.rs,
// included as it is.
#[path = "../../crates/pskit-cli/src/num.rs"]
mod num;

libfuzzer_sys::fuzz_target!(|data: &[u8]| num::fuzz_one(data));
