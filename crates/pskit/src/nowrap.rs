//! psutil's `nowrap` de-wrapping of kernel counters (reference §1.3), shared by
//! `disk_io_counters` and `net_io_counters`.
//!
//! Per function, a global table keeps each key's last raw values and a per-field
//! "reminder". When a raw value is lower than the previous one the counter wrapped
//! (32-bit counters on some kernels and drivers), so the previous raw value is added
//! to the reminder; the value returned is always raw + reminder. New keys pass
//! through; keys that disappear lose their reminders.

use std::collections::BTreeMap;
use std::sync::Mutex;

/// The de-wrapping state of one function (`disk_io_counters` or `net_io_counters`).
#[derive(Debug)]
pub(crate) struct NoWrap<const N: usize> {
    state: Mutex<BTreeMap<String, Entry<N>>>,
}

#[derive(Debug, Clone, Copy)]
struct Entry<const N: usize> {
    last_raw: [u64; N],
    reminder: [u64; N],
}

impl<const N: usize> NoWrap<N> {
    /// An empty table (usable in a `static`).
    pub(crate) const fn new() -> Self {
        NoWrap {
            state: Mutex::new(BTreeMap::new()),
        }
    }

    /// De-wraps a fresh set of raw counters in place, updating the state.
    pub(crate) fn apply(&self, current: &mut [(String, [u64; N])]) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let mut next: BTreeMap<String, Entry<N>> = BTreeMap::new();
        for (key, values) in current.iter_mut() {
            let raw = *values;
            let entry = match state.remove(key.as_str()) {
                None => Entry {
                    last_raw: raw,
                    reminder: [0; N],
                },
                Some(mut e) => {
                    for i in 0..N {
                        if raw[i] < e.last_raw[i] {
                            e.reminder[i] = e.reminder[i].wrapping_add(e.last_raw[i]);
                        }
                        values[i] = raw[i].wrapping_add(e.reminder[i]);
                    }
                    e.last_raw = raw;
                    e
                }
            };
            next.insert(key.clone(), entry);
        }
        *state = next;
    }

    /// Forgets all state (psutil's `cache_clear()`).
    pub(crate) fn clear(&self) {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(nw: &NoWrap<2>, vals: &[(&str, [u64; 2])]) -> Vec<[u64; 2]> {
        let mut v: Vec<_> = vals.iter().map(|(k, x)| (k.to_string(), *x)).collect();
        nw.apply(&mut v);
        v.into_iter().map(|(_, x)| x).collect()
    }

    #[test]
    fn wrap_adds_previous_raw_to_reminder() {
        let nw = NoWrap::<2>::new();
        assert_eq!(run(&nw, &[("eth0", [100, 5])]), vec![[100, 5]]);
        assert_eq!(run(&nw, &[("eth0", [10, 6])]), vec![[110, 6]]);
        assert_eq!(run(&nw, &[("eth0", [20, 7])]), vec![[120, 7]]);
        assert_eq!(run(&nw, &[("eth0", [5, 8])]), vec![[125, 8]]);
    }

    #[test]
    fn vanished_keys_forget_and_clear_resets() {
        let nw = NoWrap::<2>::new();
        run(&nw, &[("a", [100, 0])]);
        run(&nw, &[("a", [10, 0])]);
        run(&nw, &[("b", [1, 1])]); // "a" vanished
        assert_eq!(run(&nw, &[("a", [5, 0])]), vec![[5, 0]]);
        run(&nw, &[("a", [1, 0])]);
        nw.clear();
        assert_eq!(run(&nw, &[("a", [0, 0])]), vec![[0, 0]]);
    }
}
