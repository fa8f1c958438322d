//! Prints system memory and swap, one field per line, in psutil's field order.
//!
//! Port of psutil's `scripts/meminfo.py`: it walks the fields of
//! `virtual_memory()` and `swap_memory()` with [`pskit::PsutilTuple::fields`]
//! (psutil's `nt._fields`), showing byte counts with [`pskit::bytes2human`].
//!
//! ```text
//! $ cargo run -p pskit --example meminfo
//! MEMORY
//! ------
//! Total      :    9.7G
//! Available  :    4.9G
//! Percent    :    49.0
//! ...
//! ```

#[path = "support/py.rs"]
mod py;

use pskit::PsutilTuple;
use serde_json::Value;

/// psutil's `pprint_ntuple`: `Name       :   value`.
fn pprint_ntuple(nt: &impl PsutilTuple) {
    for (name, value) in nt.fields() {
        let value = match (name.as_str(), &value) {
            ("percent", Value::Number(n)) => py::float(n.as_f64().unwrap_or_default()),
            (_, Value::Number(n)) => pskit::bytes2human(n.as_u64().unwrap_or_default()),
            (_, other) => other.to_string(),
        };
        println!("{:<10} : {value:>7}", capitalize(&name));
    }
}

/// Python's `str.capitalize()`: first letter upper case, the rest lower case.
fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first
            .to_uppercase()
            .chain(chars.flat_map(char::to_lowercase))
            .collect(),
        None => String::new(),
    }
}

fn main() -> pskit::Result<()> {
    println!("MEMORY\n------");
    pprint_ntuple(&pskit::virtual_memory()?);
    println!("\nSWAP\n----");
    pprint_ntuple(&pskit::swap_memory()?);
    Ok(())
}
