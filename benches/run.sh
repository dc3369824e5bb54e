#!/usr/bin/env bash
# Run a tessera benchmark next to GDAL on the same input, in the same run, and print
# both figures and their ratio.
#
#   bash benches/run.sh decode     # whole-scene decode, 3x8192x8192 u8 deflate+pred2 tiled
#
# Inputs come from ../shared/bench/make_inputs.py (generated once into $BENCH_DATA,
# default ./bench-data). GDAL is rasterio 1.4.4 (GDAL 3.10) from the oracle venv.
set -euo pipefail
cd "$(dirname "$0")/.."
job="${1:-decode}"
export BENCH_DATA="${BENCH_DATA:-$PWD/bench-data}"
shared="${TESSERA_SHARED:-$PWD/../shared}"
py="$(bash scripts/oracle-env.sh | tail -n 1)"
mkdir -p "$BENCH_DATA"
if [ ! -f "$BENCH_DATA/scene_u8.tif" ]; then
  "$py" "$shared/bench/make_inputs.py" --only scene
fi
cargo build --release -q -p tessera-benches
case "$job" in
  decode)
    scene="$BENCH_DATA/scene_u8.tif"
    ours=$(./target/release/decode "$scene" --repeat 3)
    gdal=$(GDAL_NUM_THREADS=ALL_CPUS GDAL_CACHEMAX=512 "$py" benches/gdal_decode.py "$scene" --repeat 3)
    echo "$ours"
    echo "$gdal"
    "$py" - "$ours" "$gdal" <<'PY'
import json, sys
ours, gdal = (json.loads(a) for a in sys.argv[1:3])
print(f"decode {ours['bytes']/1e6:.0f} MB: tessera {ours['mb_per_s']:.0f} MB/s "
      f"({ours['threads']} threads), GDAL {gdal['gdal_version']} {gdal['mb_per_s']:.0f} MB/s "
      f"-> {ours['mb_per_s']/gdal['mb_per_s']:.2f}x GDAL")
PY
    ;;
  *)
    echo "unknown job: $job (known: decode)" >&2
    exit 2
    ;;
esac
