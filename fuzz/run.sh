#!/usr/bin/env bash
# Runs the cargo-fuzz targets: fuzz/run.sh SECONDS [TARGET...]
#
# Each target (all of them by default) runs for SECONDS under libFuzzer, with
# debug assertions and overflow checks on, starting from a scratch copy of its
# committed seeds (fuzz/corpus/<target>), so the seeds are never modified. The
# grown corpora stay in fuzz/target/corpus/<target> for a longer run to resume
# from; crashes go to fuzz/artifacts/<target>/. One line per target is printed:
# target, executions (libFuzzer's stat::number_of_executed_units), crashes.
# Exits non-zero if any target crashed.
#
# Environment: FUZZ_SANITIZER=none builds without AddressSanitizer (several times
# faster; the code fuzzed is safe Rust, so overflow checks are what matter);
# FUZZ_KEEP_CORPUS=1 resumes from the corpus of the last run instead
# of starting again from the seeds; FUZZ_ARGS adds libFuzzer options.
set -euo pipefail
cd "$(dirname "$0")"

if [[ $# -lt 1 || ! $1 =~ ^[0-9]+$ ]]; then
    echo "usage: $0 SECONDS [TARGET...]" >&2
    exit 2
fi
seconds=$1
shift

if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "error: the nightly toolchain is missing (cargo-fuzz needs it): rustup toolchain install nightly" >&2
    exit 2
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "cargo-fuzz is missing: installing it" >&2
    cargo install cargo-fuzz --locked
fi

if [[ $# -gt 0 ]]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo +nightly fuzz list)
fi

# Debug assertions and overflow checks, as in a debug build, with optimizations.
# (`cargo fuzz run` rebuilds a target only if something changed.)
cargo +nightly fuzz build --debug-assertions --sanitizer "${FUZZ_SANITIZER:-address}"

work=target/corpus
mkdir -p "$work" artifacts
failed=0
printf '%-22s %14s %8s\n' target executions crashes
for t in "${targets[@]}"; do
    if [[ ! -d corpus/$t ]]; then
        echo "error: no seeds in fuzz/corpus/$t" >&2
        exit 2
    fi
    if [[ ${FUZZ_KEEP_CORPUS:-0} != 1 || ! -d $work/$t ]]; then
        rm -rf "${work:?}/$t"
        mkdir -p "$work/$t"
        cp corpus/"$t"/* "$work/$t/"
    fi
    mkdir -p "artifacts/$t"
    log="$work/$t.log"
    marker="$work/$t.start"
    touch "$marker"
    rc=0
    # shellcheck disable=SC2086
    cargo +nightly fuzz run --debug-assertions --sanitizer "${FUZZ_SANITIZER:-address}" "$t" "$work/$t" -- \
        -max_total_time="$seconds" -print_final_stats=1 ${FUZZ_ARGS:-} >"$log" 2>&1 || rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
    # crash-, oom-, timeout- and leak- files are failures; libFuzzer's slow-unit-
    # files only note an input that took long (a stopped or starved process).
    crashes=$(find "artifacts/$t" -type f -newer "$marker" \( -name 'crash-*' -o -name 'oom-*' \
        -o -name 'timeout-*' -o -name 'leak-*' \) | wc -l)
    if [[ $rc -ne 0 && $crashes -eq 0 ]]; then
        crashes=1 # a failure that left no artifact (see the log)
    fi
    printf '%-22s %14s %8s\n' "$t" "${execs:-?}" "$crashes"
    if [[ $crashes -ne 0 ]]; then
        failed=1
        echo "  $t: see fuzz/$log and fuzz/artifacts/$t/" >&2
        grep -m 5 -E 'panicked at|ERROR: libFuzzer|SUMMARY' "$log" | sed 's/^/  /' >&2 || true
    fi
done
exit $failed
