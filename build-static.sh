#!/usr/bin/env bash
# Builds one static pskit binary (musl, no shared libraries) at target/static/pskit,
# stripped: copy it into a container image that lacks procps, and link it as ps, top,
# free, df, kill, … (`pskit --install-links DIR`).
set -euo pipefail
cd "$(dirname "$0")"
TARGET=x86_64-unknown-linux-musl
if ! rustup target list --installed 2>/dev/null | grep -qx "$TARGET"; then
    rustup target add "$TARGET"
fi
# ring (rustls' crypto provider, for pskit serve's TLS) compiles C and assembly: for
# musl that takes musl-gcc, from Debian's musl-tools.
# The link order below comes from a profile taken with valgrind.
if ! command -v musl-gcc >/dev/null 2>&1 || ! command -v valgrind >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
        musl-tools valgrind
fi
export CC_x86_64_unknown_linux_musl="${CC_x86_64_unknown_linux_musl:-musl-gcc}"
# Its own target directory, so it can run while another cargo holds target/.
export CARGO_TARGET_DIR=target/static-build
OUT="$CARGO_TARGET_DIR/$TARGET/release/pskit"
# Linked by LLD (rustup's rust-lld, through its gcc-ld wrapper), which can lay functions
# out in a given order. Stripped below, not by cargo: a profile change would rebuild every
# dependency between the two passes. pack-relative-relocs: the static PIE's 300 KB of
# relative relocations, read at every start, become 4 KB of DT_RELR (applied by Rust's own
# musl, >= 1.2.4).
GCC_LD="$(rustc --print sysroot)/lib/rustlib/x86_64-unknown-linux-gnu/bin/gcc-ld"
link() {
    cargo rustc --release --locked -p pskit-cli --bin pskit --target "$TARGET" \
        --config 'profile.release.debug=0' --config 'profile.release.lto=true' \
        --config 'profile.release.codegen-units=1' -- \
        -C link-arg=-fuse-ld=lld -C "link-arg=-B$GCC_LD" -C link-arg=-Wl,-z,pack-relative-relocs "$@"
}

# Pass 1: the plain build, then the functions `pskit top` runs. Why: with the binary in
# the page cache, every page fault maps up to 64 KiB of it around the page touched (the
# kernel's fault-around), and top's few hundred functions are spread over 6 MB of text
# among the exporter's and the other tools'; top then kept 3 MiB of text resident.
link
ORDER="$CARGO_TARGET_DIR/top-functions.txt"
PROFILE="$CARGO_TARGET_DIR/top.callgrind"
rm -f "$PROFILE"
# Profiled on a table of the size top is judged at (>= 450 processes): a larger table
# runs code a small one does not (sorting's merge paths, tables growing), and a function
# missing from the profile costs up to 64 KiB resident again.
SLEEPERS=()
stop_sleepers() { [ ${#SLEEPERS[@]} -eq 0 ] || kill "${SLEEPERS[@]}" 2>/dev/null || true; }
trap stop_sleepers EXIT
for _ in $(seq 400); do sleep 300 >/dev/null 2>&1 & SLEEPERS+=($!); done
# The interactive screen needs a terminal: `script` gives it a pty of 120x40. Valgrind's
# callgrind lists every function run, by its symbol name (--demangle=no).
TERM=xterm script -qec "stty cols 120 rows 40; valgrind -q --tool=callgrind --demangle=no \
    --callgrind-out-file=$PROFILE $OUT top -d 0.5 -n 4" /dev/null >/dev/null
stop_sleepers
SLEEPERS=()
# "fn=(id) name" and "cfn=(id) name" name a function the first time it appears; "'2"
# marks a recursion level, not another symbol.
sed -nE "s/^c?fn=\([0-9]+\) (.*)$/\1/p" "$PROFILE" | sed -E "s/'[0-9]+$//" \
    | grep -v -e '^0x' -e '^(below main)$' | sort -u >"$ORDER"
if [ "$(wc -l <"$ORDER")" -lt 100 ]; then
    echo "build-static.sh: the top profile named only $(wc -l <"$ORDER") functions" >&2
    exit 1
fi

# Pass 2: the same code with those functions first in .text, together.
link -C "link-arg=-Wl,--symbol-ordering-file=$ORDER" -C link-arg=-Wl,--no-warn-symbol-ordering
mkdir -p target/static
strip -o target/static/pskit.tmp "$OUT"
mv target/static/pskit.tmp target/static/pskit
ls -l target/static/pskit
