//! The Linux implementation: pure parsers (text in, typed values out, no I/O) beside
//! a thin reading layer ([`fs`]) that resolves every path through the [`crate::Root`].
//!
//! This module is the platform seam: the public modules (`cpu`, `memory`, …) hold
//! the types and call into here. Another system would add a sibling module.

pub(crate) mod cpu;
pub(crate) mod fs;
pub(crate) mod memory;
pub(crate) mod parse;
pub(crate) mod process;
pub(crate) mod utmp;
