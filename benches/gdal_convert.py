"""What `gdal_translate -co TILED=YES -co BLOCKXSIZE=B -co BLOCKYSIZE=B -co COMPRESS=C
-co PREDICTOR=P -co NUM_THREADS=ALL_CPUS IN OUT` runs (GDALCreateCopy of the GTiff
driver), through rasterio's bundled GDAL 3.10 so the version matches the oracle.

Usage: gdal_convert.py IN OUT COMPRESS [--level N] [--block B] [--predictor P]
"""
import argparse

import rasterio
import rasterio.shutil

ap = argparse.ArgumentParser()
ap.add_argument("src")
ap.add_argument("dst")
ap.add_argument("compress")
ap.add_argument("--level", type=int)
ap.add_argument("--block", type=int, default=512)
ap.add_argument("--predictor", default="2")
a = ap.parse_args()
opts = dict(driver="GTiff", tiled="YES", blockxsize=a.block, blockysize=a.block,
            compress=a.compress, predictor=a.predictor, num_threads="ALL_CPUS")
if a.level is not None:
    opts["zstd_level" if a.compress.upper() == "ZSTD" else "zlevel"] = a.level
rasterio.shutil.copy(a.src, a.dst, **opts)
