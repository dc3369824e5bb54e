"""Decode a whole GeoTIFF with GDAL (through rasterio) and print the throughput.

Usage: gdal_decode.py FILE [--repeat N]. Honours GDAL_NUM_THREADS (run.sh sets ALL_CPUS).
Prints one JSON line like benches/src/bin/decode.rs. MB = 10^6 bytes of decoded pixels.
"""
import json
import sys
import time

import rasterio


def main():
    args = sys.argv[1:]
    repeat = 3
    if "--repeat" in args:
        i = args.index("--repeat")
        repeat = int(args[i + 1])
        del args[i : i + 2]
    path = args[0]
    best = float("inf")
    nbytes = 0
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        with rasterio.open(path) as src:
            data = src.read()
        best = min(best, time.perf_counter() - start)
        nbytes = data.nbytes
        del data
    print(json.dumps({"tool": "gdal", "file": path, "bytes": nbytes, "seconds": best,
                      "mb_per_s": nbytes / best / 1e6,
                      "gdal_version": rasterio.__gdal_version__}))


if __name__ == "__main__":
    main()
