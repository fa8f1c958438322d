//! The fuzz targets of `fuzz/` on stable, without libFuzzer: every committed seed,
//! every truncation of it, the minimized crashes of issue #14, and a few thousand
//! deterministic mutations. A target panics when a parser panics or an invariant
//! breaks, which fails the test.

use std::path::{Path, PathBuf};

use pskit::fuzzing::TARGETS;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

/// The committed seeds of a target, sorted by name.
fn seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = fuzz_dir().join("corpus").join(target);
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            let path = e.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect();
    out.sort();
    out
}

/// Runs `f` on `data`, naming the input when it panics.
fn run(target: &str, what: &str, f: fn(&[u8]), data: &[u8]) {
    if let Err(e) = std::panic::catch_unwind(|| f(data)) {
        let msg = e
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| e.downcast_ref::<&str>().copied())
            .unwrap_or("?");
        let shown = String::from_utf8_lossy(&data[..data.len().min(300)]);
        panic!(
            "{target} panicked on {what} ({} bytes, {shown:?}…): {msg}",
            data.len()
        );
    }
}

#[test]
fn every_target_has_a_harness_and_seeds() {
    let manifest = std::fs::read_to_string(fuzz_dir().join("Cargo.toml")).unwrap();
    let mut names: Vec<&str> = TARGETS.iter().map(|(n, _)| *n).collect();
    for name in &names {
        let harness = fuzz_dir().join(format!("fuzz_targets/{name}.rs"));
        let text = std::fs::read_to_string(&harness)
            .unwrap_or_else(|e| panic!("{}: {e}", harness.display()));
        assert!(text.contains(&format!("pskit::fuzzing::{name}(")), "{name}");
        assert!(manifest.contains(&format!("name = \"{name}\"")), "{name}");
        assert!(!seeds(name).is_empty(), "{name} has no seeds");
    }
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), TARGETS.len(), "duplicate target names");
    // cli_numbers fuzzes the command line's number parsers (pskit-cli's num.rs,
    // whose own test runs it on stable); every other harness is a library target.
    let harnesses = std::fs::read_dir(fuzz_dir().join("fuzz_targets"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name() != "cli_numbers.rs")
        .count();
    assert_eq!(harnesses, TARGETS.len(), "a harness without a target");
}

#[test]
fn seeds_and_their_truncations() {
    for &(target, f) in TARGETS {
        for (name, data) in seeds(target) {
            run(target, &name, f, &data);
            // Long seeds are cut at a stride, to keep the test quick in debug builds.
            let step = (data.len() / 400).max(1);
            for cut in (0..data.len()).step_by(step) {
                run(target, &format!("{name}[..{cut}]"), f, &data[..cut]);
            }
        }
    }
}

/// The minimized fuzz crashes of issue #14, each run through every target.
#[test]
fn known_crashes() {
    let cpu_online = "0-65536,".repeat(20_000);
    let mk = u64::MAX / 1024;
    let grouped =
        format!("7f0000000000-7f0000001000 rw-p 00000000 00:00 0 /x\nRss: {mk} kB\n").repeat(2);
    let crashes: [(&str, &[u8]); 6] = [
        (
            "smaps",
            b"7f0000000000-7f0000001000 rw-p 00000000 00:00 0\nSwap:44444444444444444\n",
        ),
        ("smaps", b"Swap:44444444444444444\n"),
        ("smaps", grouped.as_bytes()),
        (
            "meminfo",
            b"MemTotal:8\nMemFree:0\n\0low 6666666666666666666\n",
        ),
        ("cpu_list", cpu_online.as_bytes()),
        (
            "rtnetlink",
            b"\x14\0\0\0\x02\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x80",
        ),
    ];
    for (target, data) in crashes {
        let f = TARGETS.iter().find(|(n, _)| *n == target).unwrap().1;
        run(target, "a known crash", f, data);
        for &(other, g) in TARGETS {
            run(other, &format!("the {target} crash"), g, data);
        }
    }
}

/// xorshift64: deterministic, dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Tokens the parsers split on or choke on.
const TOKENS: [&[u8]; 14] = [
    b"18446744073709551615",
    b"18446744073709551616",
    b"99999999999999999999",
    b"9223372036854775808",
    b"4294967296",
    b"-1",
    b" kB\n",
    b"\n",
    b"\0",
    b":",
    b" ",
    b"(",
    b")",
    b"\\",
];

fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut d = seed.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(d.len() + 1);
        match rng.below(6) {
            0 if !d.is_empty() => {
                let i = rng.below(d.len());
                d[i] ^= 1 << rng.below(8);
            }
            1 if !d.is_empty() => {
                let i = rng.below(d.len());
                d[i] = rng.next() as u8;
            }
            2 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                d.splice(at..at, t.iter().copied());
            }
            3 if at < d.len() => {
                let end = (at + 1 + rng.below(16)).min(d.len());
                d.drain(at..end);
            }
            4 if at < d.len() => {
                // Repeat a chunk: longer lists and tables.
                let end = (at + 1 + rng.below(64)).min(d.len());
                let chunk = d[at..end].to_vec();
                d.splice(at..at, chunk);
            }
            _ => d.truncate(at),
        }
    }
    d
}

#[test]
fn deterministic_mutations() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for &(target, f) in TARGETS {
        let seeds = seeds(target);
        for i in 0..500 {
            let (name, seed) = &seeds[rng.below(seeds.len())];
            let data = mutate(&mut rng, seed);
            run(target, &format!("mutation {i} of {name}"), f, &data);
        }
    }
}
