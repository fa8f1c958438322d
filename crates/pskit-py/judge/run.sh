#!/usr/bin/env bash
# psutil 7.2.2's own tests, run against pskit's Python package and against psutil
# itself on the same machine in the same run; prints both results side by side.
#
#   crates/pskit-py/judge/run.sh [--gate PERCENT]   (from anywhere; needs PyPI)
#
# --gate (the README's test command uses it): exit 1 below PERCENT, or when a test of
# test_contracts or test_process_all that psutil passes fails against pskit.
#
# It builds the wheel with maturin into a venv (target/py-venv), downloads psutil's
# sdist (target/psutil-sdist; never committed), and runs each test file in its own
# directory under target/psutil-judge/{psutil,pskit}. Exclusions: excluded.tsv.
set -euo pipefail
GATE=()
if [ "${1:-}" = --gate ]; then
    GATE=(--gate "${2:?--gate needs a percentage}")
fi
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
cd "$ROOT"
FILES=(test_system test_process test_process_all test_contracts test_connections test_posix
    test_linux test_misc)
VENV="$ROOT/target/py-venv"
PY=${PYTHON:-python3}
if [ ! -x "$VENV/bin/python" ]; then
    "$PY" -m venv "$VENV"
fi
"$VENV/bin/pip" install -q --disable-pip-version-check maturin==1.16.0 pytest==9.2.0 \
    psutil==7.2.2
SDIST=target/psutil-sdist/psutil-7.2.2
if [ ! -d "$SDIST/tests" ]; then
    mkdir -p target/psutil-sdist
    "$VENV/bin/pip" download -q --no-binary :all: --no-deps psutil==7.2.2 -d target/psutil-sdist
    tar xzf target/psutil-sdist/psutil-7.2.2.tar.gz -C target/psutil-sdist
fi
rm -rf target/wheels
"$VENV/bin/maturin" build -q --release -m crates/pskit-py/Cargo.toml -o target/wheels
"$VENV/bin/pip" install -q --disable-pip-version-check --force-reinstall --no-deps \
    target/wheels/pskit-*.whl
# The tests start child interpreters from the base python (not the venv's), which
# must import psutil and pytest too: hence the venv's site-packages on PYTHONPATH.
SITE=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
OUT="$ROOT/target/psutil-judge"
rm -rf "$OUT"
for impl in psutil pskit; do
    RUN="$OUT/$impl"
    mkdir -p "$RUN" "$OUT/xml"
    cp -r "$SDIST/tests" "$RUN/tests"
    printf '[pytest]\n' >"$RUN/pytest.ini"
    cp "$HERE/conftest.py" "$RUN/conftest.py"
    if [ "$impl" = pskit ]; then
        mkdir -p "$RUN/psutil/_sdist"
        cp "$HERE/shim/__init__.py" "$RUN/psutil/__init__.py"
        cp "$HERE/shim/_psutil_linux.py" "$RUN/psutil/_sdist/_psutil_linux.py"
        for m in _common _ntuples _psposix _pslinux; do
            cp "$SDIST/psutil/$m.py" "$RUN/psutil/_sdist/$m.py"
        done
    fi
    for f in "${FILES[@]}"; do
        echo "== $impl: tests/$f.py"
        (cd "$RUN" && PYTHONPATH="$RUN:$SITE" PSUTIL_ROOT_DIR="$RUN" JUDGE_IMPL=$impl \
            JUDGE_EXCLUDE="$HERE/excluded.tsv" timeout -s KILL 600 "$VENV/bin/python" -m pytest \
            -p no:cacheprovider -q -rfE "tests/$f.py" --junitxml="$OUT/xml/$impl-$f.xml" \
            >"$OUT/$impl-$f.log" 2>&1) || true
        tail -1 "$OUT/$impl-$f.log"
    done
done
"$VENV/bin/python" "$HERE/report.py" "${GATE[@]}" "$OUT/xml" "${FILES[@]}"
