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
if ! command -v musl-gcc >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends musl-tools
fi
export CC_x86_64_unknown_linux_musl="${CC_x86_64_unknown_linux_musl:-musl-gcc}"
# Its own target directory, so it can run while another cargo holds target/.
CARGO_TARGET_DIR=target/static-build cargo build --release --locked -p pskit-cli \
    --target "$TARGET" --config 'profile.release.debug=0' --config 'profile.release.strip=true' \
    --config 'profile.release.lto=true' --config 'profile.release.codegen-units=1'
mkdir -p target/static
cp "target/static-build/$TARGET/release/pskit" target/static/pskit.tmp
mv target/static/pskit.tmp target/static/pskit
ls -l target/static/pskit
