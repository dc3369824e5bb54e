#!/usr/bin/env bash
# Run a tessera benchmark next to GDAL on the same input, in the same run, and print
# both figures and their ratio.
#
#   bash benches/run.sh decode           # whole-scene decode, 3x8192x8192 u8 deflate+pred2 tiled
#   bash benches/run.sh convert-deflate  # convert that scene next to gdal_translate (also -lzw, -zstd)
#   bash benches/run.sh lzw-single       # LZW encoder vs libtiff on one core, same float32 tiles
#   bash benches/run.sh all
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
# The mosaic job reads the four 4096x4096 uint16 tiles the same script makes.
case "$job" in
  all | mosaic)
    if [ ! -f "$BENCH_DATA/mosaic_3.tif" ]; then
      "$py" "$shared/bench/make_inputs.py" --only mosaic
    fi ;;
esac
cargo build --release -q -p tessera-benches -p tessera-cli
case "$job" in
  all) jobs="decode convert-deflate convert-lzw convert-zstd normalize-lzw normalize-4x mosaic seed lzw-single" ;;
  *) jobs="$job" ;;
esac
for j in $jobs; do
  "$py" benches/compare.py "$j"
done
