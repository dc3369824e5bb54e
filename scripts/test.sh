#!/usr/bin/env bash
# THE test command: oracle venv, formatting, lints, all tests, fuzz targets.
#   bash scripts/test.sh
# Environment: CI=true turns the SKIPs of the GDAL-dependent suites (interop
# dir or oracle python missing) into failures.  TESSERA_ORACLE_VENV,
# TESSERA_INTEROP_DIR, TESSERA_INTEROP_ONLY, TESSERA_ORACLE_SEED are passed on.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n==> %s\n' "$*"; }

step "oracle venv (rasterio/GDAL, test-time only)"
TESSERA_ORACLE_PYTHON="$(bash scripts/oracle-env.sh)"
export TESSERA_ORACLE_PYTHON
echo "TESSERA_ORACLE_PYTHON=$TESSERA_ORACLE_PYTHON"

step "cargo fmt --all --check"
cargo fmt --all --check

step "cargo clippy --workspace --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

step "cargo test --workspace"
# A hung test must fail the run, not eat CI's time budget.
timeout --signal=KILL 2400 cargo test --workspace

step "static binary (glibc, crt-static)"
RUSTFLAGS='-C target-feature=+crt-static' cargo build --release -p tessera-cli \
    --target x86_64-unknown-linux-gnu
static_bin=target/x86_64-unknown-linux-gnu/release/tessera
if ldd "$static_bin" 2>&1 | grep -q '=>'; then
    echo "$static_bin is dynamically linked:" >&2
    ldd "$static_bin" >&2
    exit 1
fi
"$static_bin" info testdata/scenes/scene_u8_512.tif >/dev/null
echo "$static_bin: statically linked, runs"

if [[ -f fuzz/Cargo.toml ]]; then
    step "fuzz targets: cargo fuzz build"
    if ! cargo fuzz --version >/dev/null 2>&1; then
        cargo install cargo-fuzz --locked
    fi
    # cargo-fuzz needs nightly flags.  The machine image ships a nightly toolchain;
    # where it is missing (no toolchain can be downloaded here) the stable compiler
    # is allowed its unstable flags instead.
    if rustup run nightly rustc --version >/dev/null 2>&1; then
        (cd fuzz && cargo +nightly fuzz build)
    else
        echo "no nightly toolchain: building the fuzz targets with RUSTC_BOOTSTRAP=1"
        (cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz build)
    fi
fi

step "all checks passed"
