//! Directory listings for the sysfs scans (psutil's `glob` and `os.walk`).

use std::path::Path;

/// The entry names of `dir` that start with `prefix`, sorted by bytes (the order
/// psutil's `sorted(glob(...))` gives). Hidden names (leading `.`) are left out, as
/// glob does. A directory that cannot be read gives an empty list: a glob over a
/// missing directory matches nothing.
pub(crate) fn names_with_prefix(dir: &Path, prefix: &str) -> Vec<String> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<String> = rd
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.starts_with(prefix) && !n.starts_with('.'))
        .collect();
    out.sort_unstable();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_dir_matches_nothing() {
        assert!(names_with_prefix(Path::new("/nonexistent/pskit"), "x").is_empty());
    }
}
