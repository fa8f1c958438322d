//! `pskit df`: table layout, units, JSON, and bad arguments.

use std::process::{Command, Output};

fn pskit(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pskit"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn json(args: &[&str]) -> serde_json::Value {
    let o = pskit(args);
    assert!(
        o.status.success(),
        "{:?}: {}",
        args,
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).expect("valid JSON")
}

#[test]
fn human_table_for_the_root_filesystem() {
    let o = pskit(&["df", "-h", "/"]);
    assert!(o.status.success());
    let text = stdout(&o);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    let head: Vec<&str> = lines[0].split_whitespace().collect();
    assert_eq!(
        head,
        [
            "Filesystem",
            "Size",
            "Used",
            "Avail",
            "Use%",
            "Mounted",
            "on"
        ]
    );
    assert!(lines[1].ends_with(" /"), "{text}");
    assert!(lines[1].split_whitespace().nth(4).unwrap().ends_with('%'));
}

#[test]
fn block_units_and_types() {
    let total = json(&["df", "--json", "/"])[0]["total"].as_u64().unwrap();
    let text = stdout(&pskit(&["df", "-T", "-B", "1K", "/"]));
    let lines: Vec<&str> = text.lines().collect();
    let head: Vec<&str> = lines[0].split_whitespace().collect();
    assert_eq!(&head[..3], ["Filesystem", "Type", "1K-blocks"]);
    let row: Vec<&str> = lines[1].split_whitespace().collect();
    assert_eq!(row[2].parse::<u64>().unwrap(), total.div_ceil(1024));
    let k = stdout(&pskit(&["df", "-k", "/"]));
    assert!(k.lines().next().unwrap().contains("1K-blocks"));
    let m = stdout(&pskit(&["df", "-m", "/"]));
    let mrow: Vec<&str> = m.lines().nth(1).unwrap().split_whitespace().collect();
    assert_eq!(mrow[1].parse::<u64>().unwrap(), total.div_ceil(1 << 20));
}

/// The size of / agrees with coreutils df to the byte.
#[test]
fn total_matches_coreutils_df() {
    let Ok(o) = Command::new("df")
        .args(["-B1", "--output=size", "/"])
        .output()
    else {
        panic!("coreutils df is needed for this comparison");
    };
    let theirs: u64 = String::from_utf8_lossy(&o.stdout)
        .lines()
        .nth(1)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_eq!(
        json(&["df", "--json", "/"])[0]["total"].as_u64().unwrap(),
        theirs
    );
}

#[test]
fn json_lists_every_mount_with_all() {
    let v = json(&["df", "--json", "-a"]);
    let rows = v.as_array().unwrap();
    let root = rows
        .iter()
        .find(|r| r["mountpoint"] == "/")
        .expect("/ is mounted");
    assert!(root["used"].as_u64().unwrap() <= root["total"].as_u64().unwrap());
    for key in ["device", "fstype", "free", "itotal", "ifree", "file"] {
        assert!(root.get(key).is_some(), "{key}");
    }
}

#[test]
fn inodes() {
    let v = json(&["df", "--json", "-i", "/"]);
    let r = &v[0];
    assert_eq!(
        r["iused"].as_u64().unwrap() + r["ifree"].as_u64().unwrap(),
        r["itotal"].as_u64().unwrap()
    );
    let text = stdout(&pskit(&["df", "-i", "/"]));
    assert!(
        text.starts_with("Filesystem") && text.contains("IUse%"),
        "{text}"
    );
}

/// coreutils' messages and exit status 1.
#[test]
fn bad_arguments_exit_1() {
    let o = pskit(&["df", "-B", "lots"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        "pskit df: invalid -B argument 'lots'\n"
    );
    let o = pskit(&["df", "--bogus"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        "pskit df: unrecognized option '--bogus'\nTry 'pskit df --help' for more information.\n"
    );
    assert!(pskit(&["df", "--help"]).status.success());
    // A missing file: the others are still shown.
    let o = pskit(&["df", "/", "/no/such/file"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o).lines().count(), 2);
}
