#!/usr/bin/env python3
"""Write random small GeoTIFFs with GDAL and record GDAL's reading of each.

Usage: oracle_random.py OUTDIR SEED [COUNT]

Writes COUNT (default 12) files OUTDIR/rand_SEED_K.tif with a random dtype,
codec, valid predictor, layout (strips/tiles, random block size), interleave,
byte order, BigTIFF flag, size, band count and nodata, all drawn from
random.Random(SEED), plus OUTDIR/rand_SEED_K.json (gdal_info_json.py's
output).  Used by crates/tessera-cli/tests/oracle.rs.
"""

import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

os.environ.setdefault("GDAL_PAM_ENABLED", "NO")

import numpy as np  # noqa: E402
import rasterio  # noqa: E402
from rasterio.crs import CRS  # noqa: E402
from rasterio.transform import Affine  # noqa: E402

import gdal_info_json  # noqa: E402

DTYPES = ["uint8", "int8", "uint16", "int16", "uint32", "int32", "uint64", "int64",
          "float32", "float64"]
CODECS = ["none", "deflate", "lzw", "packbits", "zstd"]
EPSGS = [4326, 3857, 32633, 32618, 2193, 3035]


def pixels(rng, nrng, dtype, bands, h, w):
    y, x = np.mgrid[0:h, 0:w]
    out = []
    for b in range(bands):
        fx, fy = rng.uniform(0.2, 2.0), rng.uniform(0.2, 2.0)
        g = ((x * fx / w + y * fy / h + b * 0.1) % 1.0)
        f = np.clip(0.7 * g + 0.3 * nrng.random((h, w)), 0, 1)
        if dtype.startswith("float"):
            scale = 10 ** rng.uniform(-3, 30 if dtype == "float32" else 100)
            a = ((f - 0.5) * scale).astype(dtype)
            if rng.random() < 0.5:
                a[nrng.random((h, w)) < 0.05] = np.nan
        else:
            info = np.iinfo(dtype)
            if info.bits == 64:
                hi = (f * 2**30).astype(np.uint64) << np.uint64(34)
                lo = nrng.integers(0, 2**34, size=(h, w), dtype=np.uint64)
                v = hi | lo
                a = (v.view(np.int64) ^ np.int64(-(2**63))) if dtype == "int64" else v
                a = a.astype(dtype)
            else:
                a = np.floor(info.min + f * (float(info.max) - float(info.min)))
                a = a.clip(info.min, info.max).astype(dtype)
        out.append(a)
    return np.stack(out)


def one(outdir, seed, k):
    rng = random.Random("%d/%d" % (seed, k))
    nrng = np.random.default_rng(rng.randrange(2**32))
    dtype = rng.choice(DTYPES)
    codec = rng.choice(CODECS)
    preds = [1]
    if codec in ("deflate", "lzw", "zstd"):
        preds.append(3 if dtype.startswith("float") else 2)
    pred = rng.choice(preds)
    w, h = rng.randint(1, 150), rng.randint(1, 150)
    bands = rng.choice([1, 1, 2, 3, 4])
    tiled = rng.random() < 0.5
    co = {
        "INTERLEAVE": rng.choice(["PIXEL", "BAND"]),
        "ENDIANNESS": rng.choice(["LITTLE", "BIG"]),
        "BIGTIFF": rng.choice(["YES", "NO"]),
    }
    if tiled:
        co.update(TILED="YES", BLOCKXSIZE=str(rng.choice([16, 32, 48, 64])),
                  BLOCKYSIZE=str(rng.choice([16, 32, 48, 64])))
    else:
        co.update(TILED="NO", BLOCKYSIZE=str(rng.randint(1, max(1, h))))
    if codec != "none":
        co["COMPRESS"] = codec.upper()
    if pred != 1:
        co["PREDICTOR"] = str(pred)
    data = pixels(rng, nrng, dtype, bands, h, w)
    nodata = None
    if rng.random() < 0.4:
        if dtype.startswith("float"):
            nodata = rng.choice([-9999.0, float("nan"), float(data.flat[0])])
        elif np.iinfo(dtype).bits == 64:
            # GDAL stores nodata through a double ("%.18g"), and reads a 64-bit
            # integer nodata text like "-1.35e+18" back as -1: keep it small
            nodata = rng.randint(0, 1000)
            data[:, : max(1, h // 8), : max(1, w // 8)] = nodata
        else:
            nodata = int(data.flat[rng.randrange(data.size)])
    epsg = rng.choice(EPSGS)
    res = rng.uniform(0.001, 100)
    tr = Affine(res, 0, rng.uniform(-1000, 1000), 0, -res * rng.uniform(0.5, 2),
                rng.uniform(-1000, 1000))
    name = "rand_%d_%02d.tif" % (seed, k)
    path = os.path.join(outdir, name)
    kw = dict(driver="GTiff", width=w, height=h, count=bands, dtype=dtype,
              crs=CRS.from_epsg(epsg), transform=tr)
    if nodata is not None:
        kw["nodata"] = nodata
    kw.update(co)
    with rasterio.open(path, "w", **kw) as dst:
        dst.write(data)
    origin = {"kind": "oracle_random", "seed": seed, "index": k, "dtype": dtype,
              "codec": codec, "predictor": pred, "creation_options": co,
              "nodata": repr(nodata), "epsg": epsg}
    doc = gdal_info_json.describe(path, origin=origin)
    with open(path[:-4] + ".json", "w") as f:
        f.write(gdal_info_json.dumps(doc))
    return name, doc


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    outdir, seed = sys.argv[1], int(sys.argv[2])
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 12
    os.makedirs(outdir, exist_ok=True)
    for k in range(count):
        name, doc = one(outdir, seed, k)
        print("%s: %s %s %dx%dx%d" % (name, doc["origin"]["dtype"], doc["origin"]["codec"],
                                      doc["width"], doc["height"], doc["count"]))


if __name__ == "__main__":
    main()
