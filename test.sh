#!/usr/bin/env bash
# pskit's whole test suite, on a fresh machine: installs what the tests need (psutil
# 7.2.2 from PyPI as the oracle, Debian packages for the tools the tests compare
# against), then runs fmt, clippy, the unit, fixture, live and CLI tests, rustdoc,
# the Python bindings' tests (psutil's own suite, stubs, leaks) and a short pass of
# every fuzz target.
set -euo pipefail
cd "$(dirname "$0")"

log() { printf '\n== %s\n' "$*"; }

# Debian packages: procps (free, ps, top, kill, pmap), util-linux (setpriv, unshare,
# prlimit), bsdutils (script), iproute2 (ss, ip), net-tools (ifconfig, netstat), lsof,
# psmisc (killall, pstree), sysvinit-utils (pidof), sysstat (iostat), tmux, lm-sensors, python3 with pip,
# and the exporters pskit serve is compared with: prometheus-node-exporter,
# prometheus-process-exporter, prometheus (its server and promtool), and curl (pskit
# serve's TLS tests fetch with it).
# Only what is missing is installed.
need=()
command -v free >/dev/null 2>&1 || need+=(procps)
command -v setpriv >/dev/null 2>&1 || need+=(util-linux)
command -v ss >/dev/null 2>&1 || need+=(iproute2)
command -v tmux >/dev/null 2>&1 || need+=(tmux)
command -v ifconfig >/dev/null 2>&1 || need+=(net-tools)
command -v lsof >/dev/null 2>&1 || need+=(lsof)
command -v iostat >/dev/null 2>&1 || need+=(sysstat)
command -v killall >/dev/null 2>&1 || need+=(psmisc)
command -v pidof >/dev/null 2>&1 || need+=(sysvinit-utils)
command -v script >/dev/null 2>&1 || need+=(bsdutils)
command -v sensors >/dev/null 2>&1 || need+=(lm-sensors)
command -v python3 >/dev/null 2>&1 || need+=(python3 python3-pip)
python3 -m pip --version >/dev/null 2>&1 || need+=(python3-pip)
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || need+=(python3-venv)
command -v prometheus-node-exporter >/dev/null 2>&1 || need+=(prometheus-node-exporter)
command -v prometheus-process-exporter >/dev/null 2>&1 || need+=(prometheus-process-exporter)
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
command -v curl >/dev/null 2>&1 || need+=(curl ca-certificates)
if ((${#need[@]})); then
    log "installing Debian packages: ${need[*]}"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

if ! python3 -c 'import psutil, sys; sys.exit(psutil.__version__ != "7.2.2")' 2>/dev/null; then
    log "installing psutil 7.2.2 (the oracle)"
    python3 -m pip install -q --disable-pip-version-check psutil==7.2.2 \
        || python3 -m pip install -q --disable-pip-version-check --break-system-packages psutil==7.2.2
fi
python3 -c 'import psutil; assert psutil.__version__ == "7.2.2", psutil.__version__'

# psutil's source distribution (its example scripts and its test suite are judges;
# nothing of it is committed here).
if [ ! -f target/psutil-sdist/psutil-7.2.2/scripts/free.py ]; then
    log "downloading psutil 7.2.2's sdist from PyPI (target/psutil-sdist)"
    mkdir -p target/psutil-sdist
    python3 -m pip download -q --disable-pip-version-check --no-binary :all: --no-deps \
        psutil==7.2.2 -d target/psutil-sdist
    tar xzf target/psutil-sdist/psutil-7.2.2.tar.gz -C target/psutil-sdist
fi

for c in rustfmt clippy; do
    rustup component list --installed 2>/dev/null | grep -q "^$c" || rustup component add "$c"
done

log "cargo fmt --check"
cargo fmt --all -- --check
log "cargo clippy -D warnings"
cargo clippy --workspace --all-targets -- -D warnings
log "./build-static.sh (the static binary the empty-root test runs)"
./build-static.sh
log "cargo test (unit, fixture, live, CLI and doc tests)"
cargo test --workspace --no-fail-fast
log "rustdoc (missing docs are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc -p pskit -p pskit-serve --no-deps -q

# The Python bindings (crates/pskit-py, a cargo workspace of its own): the wheel is
# built with maturin into a venv (target/py-venv), psutil 7.2.2's own test files run
# against it beside psutil itself (the gate: 95 % of what psutil passes here, and all
# of test_contracts and test_process_all), the type stubs are checked against the
# runtime, and every call is checked for leaks.
log "Python bindings: cargo fmt and clippy (crates/pskit-py)"
(cd crates/pskit-py && cargo fmt -- --check && cargo clippy --release --all-targets -- -D warnings)
log "Python bindings: psutil 7.2.2's tests against pskit and psutil (judge/run.sh)"
crates/pskit-py/judge/run.sh --gate 95
log "Python bindings: type stubs (mypy stubtest)"
target/py-venv/bin/pip install -q --disable-pip-version-check mypy==2.4.1
target/py-venv/bin/python -m mypy.stubtest pskit
log "Python bindings: no leaks (10,000 calls of each function and method)"
target/py-venv/bin/python crates/pskit-py/tests/leaks.py

# The fuzz smoke pass: every cargo-fuzz target for a few seconds (nightly and
# cargo-fuzz; cargo-fuzz is installed from crates.io when missing).
if ! cargo +nightly --version >/dev/null 2>&1; then
    log "installing the nightly toolchain (cargo-fuzz needs it)"
    rustup toolchain install nightly --profile minimal
fi
log "fuzz smoke pass (fuzz/smoke.sh)"
SMOKE_SECONDS="${SMOKE_SECONDS:-4}" ./fuzz/smoke.sh
