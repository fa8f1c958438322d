#!/usr/bin/env bash
# The CI smoke pass: every fuzz target for a few seconds (SMOKE_SECONDS, default 5).
# Works from a clean clone: installs cargo-fuzz when missing; fails loudly without
# the nightly toolchain.
set -euo pipefail
if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "error: fuzz/smoke.sh needs the nightly toolchain: rustup toolchain install nightly" >&2
    exit 2
fi
exec "$(dirname "$0")/run.sh" "${SMOKE_SECONDS:-5}" "$@"
