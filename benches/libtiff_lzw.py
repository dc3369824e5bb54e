"""Single-core LZW encoding speed of libtiff (through GDAL 3.10 / rasterio 1.4.4) on the
data tessera's `encoders FILE 16 f32 lzw` bench encodes: the top 512 rows of the scene
(3x8192x512 uint8, the first 16 512x512 blocks) as float32 x/255, 512x512 tiles, pixel
interleave, no predictor.

Usage: libtiff_lzw.py SCENE OUT_DIR. Prints JSON: MB/s of float32 input per CPU-second
spent in LZW, i.e. (CPU of an LZW write - CPU of the same uncompressed write), best of 3.
"""
import json
import os
import sys
import time

import numpy as np
import rasterio
from rasterio.windows import Window

scene, out_dir = sys.argv[1], sys.argv[2]
with rasterio.open(scene) as src:
    pixels = (src.read(window=Window(0, 0, 8192, 512)).astype(np.float32) / 255).astype(np.float32)
profile = dict(driver="GTiff", width=8192, height=512, count=3, dtype="float32", tiled=True,
               blockxsize=512, blockysize=512, interleave="pixel")


def cpu_of_write(path, **co):
    start = time.process_time()
    with rasterio.Env(GDAL_NUM_THREADS=1, GDAL_CACHEMAX=512):
        with rasterio.open(path, "w", **profile, **co) as dst:
            dst.write(pixels)
    return time.process_time() - start


best = 0.0
for _ in range(3):
    plain = cpu_of_write(os.path.join(out_dir, "libtiff-none.tif"), compress="none")
    lzw = cpu_of_write(os.path.join(out_dir, "libtiff-lzw.tif"), compress="lzw", num_threads="1")
    best = max(best, pixels.nbytes / 1e6 / max(lzw - plain, 1e-9))
size = os.path.getsize(os.path.join(out_dir, "libtiff-lzw.tif"))
print(json.dumps({"gdal_version": rasterio.__gdal_version__, "mb": pixels.nbytes / 1e6,
                  "mb_per_s": round(best, 1), "size_bytes": size}))
