//! Prints `Process(pid).as_dict()` as JSON: `cargo run --example as_dict -- PID`.
fn main() {
    let pid = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(std::process::id());
    match pskit::Process::new(pid).and_then(|p| {
        p.as_dict([] as [&str; 0])
            .map(|d| d.info(serde_json::Value::Null))
    }) {
        Ok(d) => println!("{}", serde_json::to_string_pretty(&d).unwrap_or_default()),
        Err(e) => eprintln!("{e}"),
    }
}
