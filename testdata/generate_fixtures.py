#!/usr/bin/env python3
"""Write tessera's GeoTIFF test fixtures with GDAL (rasterio) and record GDAL's
reading of each.

Usage: python testdata/generate_fixtures.py [OUTDIR]   (default testdata/fixtures)

Run it with the oracle venv's python (`bash scripts/oracle-env.sh` prints it).
For every fixture NAME.tif it writes NAME.json (scripts/gdal_info_json.py's
output: what GDAL reads) and one row of MANIFEST.tsv (file, parameters, sha256
of the decoded pixels of each band).  Deterministic: a fixed numpy seed per
fixture, so running it twice gives the same pixels (and the same bytes with the
same GDAL).

Coverage of the main matrix (asserted below): every dtype x every codec x every
valid predictor (1 always; 2 for integers; 3 for floats; predictors only with
deflate/lzw/zstd), and for each of those combinations a layout (strips/tiles),
interleave (pixel/band), byte order (ENDIANNESS=LITTLE/BIG) and BigTIFF
(BIGTIFF=NO/YES) chosen so that every value of each of these four dimensions
meets every dtype and every codec at least once.  Plus lossy JPEG/WEBP files
and special fixtures (NBITS, float16, sparse, overviews, mask, PixelIsPoint,
rotation, GCPs, colormap, user-defined CRS, metadata).
"""

import hashlib
import os
import random
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "scripts"))

os.environ.setdefault("GDAL_PAM_ENABLED", "NO")  # no .aux.xml sidecars
os.environ.setdefault("GDAL_DISABLE_READDIR_ON_OPEN", "EMPTY_DIR")

import numpy as np  # noqa: E402
import rasterio  # noqa: E402
from rasterio.control import GroundControlPoint  # noqa: E402
from rasterio.crs import CRS  # noqa: E402
from rasterio.enums import Resampling  # noqa: E402
from rasterio.transform import Affine  # noqa: E402
from rasterio.windows import Window  # noqa: E402

import gdal_info_json  # noqa: E402

WIDTH, HEIGHT, BANDS = 67, 45, 3
TILE = 32
STRIP_ROWS = 7

DTYPES = ["uint8", "int8", "uint16", "int16", "uint32", "int32", "uint64", "int64",
          "float32", "float64", "complex_int16", "complex64"]
SHORT = {"uint8": "u8", "int8": "i8", "uint16": "u16", "int16": "i16", "uint32": "u32",
         "int32": "i32", "uint64": "u64", "int64": "i64", "float32": "f32", "float64": "f64",
         "complex_int16": "ci16", "complex64": "c64"}
DTYPE_NP = {"complex_int16": "complex64"}
CODECS = ["none", "deflate", "lzw", "packbits", "zstd"]
PREDICTOR_CODECS = {"deflate", "lzw", "zstd"}
DIMENSIONS = {
    "layout": ["striped", "tiled"],
    "interleave": ["pixel", "band"],
    "endian": ["le", "be"],
    "bigtiff": ["classic", "bigtiff"],
}
CRS_CYCLE = [
    (4326, (-10.0, 0.01), (52.0, -0.01)),
    (32633, (400000.0, 30.0), (5600000.0, -30.0)),
    (3857, (-1113194.9, 250.0), (6800000.0, -250.0)),
    (2193, (1570000.0, 25.0), (5180000.0, -25.0)),
    (3035, (4321000.0, 100.0), (3210000.0, -100.0)),
]


def is_int(dt):
    return dt.startswith(("uint", "int"))


def is_float(dt):
    return dt.startswith("float")


def predictors(dt, codec):
    if codec not in PREDICTOR_CODECS:
        return [1]
    if is_int(dt):
        return [1, 2]
    if is_float(dt):
        return [1, 3]
    return [1]


# --------------------------------------------------------------------------
# the covering logic for layout / interleave / byte order / BigTIFF
# --------------------------------------------------------------------------

def main_matrix():
    """All (dtype, codec, predictor) combos, each given a value of every
    dimension.  Each dimension's value is the parity of dtype index + codec
    index (so, with the dtype fixed, it alternates across codecs, and with the
    codec fixed it alternates across dtypes: both values meet every dtype and
    every codec), XOR a per-dimension pseudo-random bit drawn from a seeded
    generator so the four dimensions are not all equal.  The first seed whose
    draw satisfies `covering` (plus all 16 combinations of the four dimensions
    occurring) is used; `assert_covering` checks the result."""
    combos = [(dt, c, p) for dt in DTYPES for c in CODECS for p in predictors(dt, c)]
    dims = list(DIMENSIONS)
    for seed in range(10000):
        rng = random.Random(seed)
        out = []
        for dt, c, p in combos:
            d_i, c_i = DTYPES.index(dt), CODECS.index(c)
            row = dict(dtype=dt, codec=c, predictor=p)
            for dim in dims:
                bit = (d_i + c_i + rng.randrange(2)) % 2
                row[dim] = DIMENSIONS[dim][bit]
            out.append(row)
        combos4 = {tuple(r[d] for d in dims) for r in out}
        if covering(out) and len(combos4) == 16:
            assert_covering(out)
            return out
    raise AssertionError("no covering assignment found")


def covering(rows):
    try:
        assert_covering(rows)
        return True
    except AssertionError:
        return False


def assert_covering(rows):
    # the full product dtype x codec x valid predictor
    want = {(dt, c, p) for dt in DTYPES for c in CODECS for p in predictors(dt, c)}
    have = {(r["dtype"], r["codec"], r["predictor"]) for r in rows}
    assert want == have, "dtype x codec x predictor not covered: %s" % (want ^ have)
    # each value of each dimension meets every dtype and every codec
    for dim, values in DIMENSIONS.items():
        for v in values:
            for dt in DTYPES:
                assert any(r["dtype"] == dt and r[dim] == v for r in rows), (dim, v, dt)
            for c in CODECS:
                assert any(r["codec"] == c and r[dim] == v for r in rows), (dim, v, c)


# --------------------------------------------------------------------------
# pixel content
# --------------------------------------------------------------------------

def seed_of(name):
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "little")


def content(dt, bands, h, w, rng):
    """Gradients + noise spanning the dtype's range; band-dependent."""
    y, x = np.mgrid[0:h, 0:w]
    out = []
    for b in range(bands):
        g = ((x / max(w - 1, 1)) * (0.6 + 0.1 * b) + (y / max(h - 1, 1)) * (0.4 - 0.1 * b)) % 1.0
        noise = rng.integers(0, 8, size=(h, w)) / 8.0  # coarse noise: stays compressible
        f = np.clip(0.8 * g + 0.2 * noise, 0.0, 1.0)
        if is_int(dt):
            info = np.iinfo(dt)
            if info.bits == 64:
                # top bits from the gradient, low bits random: the whole range
                hi = (f * 2**20).astype(np.uint64)
                lo = rng.integers(0, 2**12, size=(h, w), dtype=np.uint64)
                v = (hi << np.uint64(44)) | lo
                if dt == "int64":
                    v = v.view(np.int64) ^ np.int64(-(2**63))
                a = v.astype(dt)
            else:
                span = float(info.max) - float(info.min)
                a = np.floor(info.min + f * span).clip(info.min, info.max).astype(dt)
            a[0, 0], a[-1, -1] = info.min, info.max
        elif is_float(dt):
            big = 3.0e38 if dt == "float32" else 1.0e150
            a = ((f - 0.5) * 2.0e4).astype(dt)
            a[rng.random((h, w)) < 0.02] = np.nan
            # one extreme per band (alternating sign): a +big/-big pair would make
            # the mean depend on the summation order (catastrophic cancellation)
            a[1, 1] = big if b % 2 == 0 else -big
            a[2, 1] = -0.0
            a[2, 2] = np.finfo(dt).tiny / 4  # subnormal
            a[2, 3] = np.finfo(dt).eps
        elif dt == "complex_int16":
            re = np.floor(-32768 + f * 65535).clip(-32768, 32767)
            im = rng.integers(-32768, 32768, size=(h, w)) & ~0xFF
            a = (re + 1j * im).astype(np.complex64)
        else:  # complex64
            a = ((f - 0.5) * 1000 + 1j * (rng.integers(-64, 64, size=(h, w)) * 1e4)).astype(
                np.complex64)
        out.append(a)
    return np.stack(out)


def u8_image(bands, h, w, rng, smooth=False):
    y, x = np.mgrid[0:h, 0:w]
    out = []
    for b in range(bands):
        g = 127 + 120 * np.sin(x / (7.0 + 3 * b)) * np.cos(y / (5.0 + 2 * b))
        if not smooth:
            g = g + rng.normal(0, 6, (h, w))
        out.append(np.clip(np.round(g), 0, 255).astype(np.uint8))
    return np.stack(out)


# --------------------------------------------------------------------------
# writing
# --------------------------------------------------------------------------

def transform_for(i, res_scale=1.0):
    epsg, (x0, dx), (y0, dy) = CRS_CYCLE[i % len(CRS_CYCLE)]
    return CRS.from_epsg(epsg), Affine(dx * res_scale, 0.0, x0, 0.0, dy * res_scale, y0)


def creation_options(layout, interleave, endian, bigtiff, codec, predictor, tile=TILE,
                     strip=STRIP_ROWS):
    co = {
        "INTERLEAVE": interleave.upper(),
        "ENDIANNESS": "BIG" if endian == "be" else "LITTLE",
        "BIGTIFF": "YES" if bigtiff == "bigtiff" else "NO",
    }
    if layout == "tiled":
        co.update(TILED="YES", BLOCKXSIZE=str(tile), BLOCKYSIZE=str(tile))
    else:
        co.update(TILED="NO", BLOCKYSIZE=str(strip))
    if codec != "none":
        co["COMPRESS"] = codec.upper()
    if predictor != 1:
        co["PREDICTOR"] = str(predictor)
    return co


def write(path, data, dtype, crs, transform, co, nodata=None, gcps=None, after=None):
    count, h, w = data.shape
    kw = dict(driver="GTiff", width=w, height=h, count=count, dtype=dtype)
    if gcps is not None:
        kw.update(gcps=gcps, crs=crs)
    else:
        if crs is not None:
            kw["crs"] = crs
        if transform is not None:
            kw["transform"] = transform
    if nodata is not None:
        kw["nodata"] = nodata
    kw.update(co)
    with rasterio.open(path, "w", **kw) as dst:
        if after is None or not getattr(after, "skip_write", False):
            dst.write(data)
        if after is not None:
            after(dst)


class Fixtures:
    def __init__(self, outdir):
        self.outdir = outdir
        self.rows = []

    def add(self, name, params, data, dtype, crs, transform, co, **kw):
        path = os.path.join(self.outdir, name)
        write(path, data, dtype, crs, transform, co, **kw)
        origin = {"kind": "generated", "generator": "testdata/generate_fixtures.py",
                  "params": params, "creation_options": co}
        doc = gdal_info_json.describe(path, origin=origin)
        assert doc["opened"] and doc["error"] is None, (name, doc["error"])
        with open(path[:-4] + ".json", "w") as f:
            f.write(gdal_info_json.dumps(doc))
        shas = ",".join(b["sha256"] for b in doc["bands"])
        ptxt = ";".join("%s=%s" % (k, v) for k, v in params.items())
        self.rows.append((name, ptxt, shas))
        return doc


def main_fixtures(fx):
    for i, r in enumerate(main_matrix()):
        dt, codec, p = r["dtype"], r["codec"], r["predictor"]
        nodata = None
        if i % 3 == 0:
            if is_int(dt) and np.iinfo(dt).bits == 64:
                # not the dtype's minimum: GDAL writes 64-bit nodata through a
                # double ("-9.2233720368547758e+18") and reads that text back as -9
                nodata = 12345 if i % 2 else 0
            elif is_int(dt):
                nodata = int(np.iinfo(dt).min) if i % 2 else 0
            elif is_float(dt):
                nodata = float("nan") if i % 2 else -9999.0
        name = "%s_%s_p%d_%s_%s_%s_%s%s.tif" % (
            SHORT[dt], codec, p, r["layout"], r["interleave"], r["endian"], r["bigtiff"],
            "_nodata" if nodata is not None else "")
        rng = np.random.default_rng(seed_of(name))
        bands = BANDS if np.dtype(DTYPE_NP.get(dt, dt)).itemsize <= 2 else 2
        data = content(dt, bands, HEIGHT, WIDTH, rng)
        if nodata is not None and not (isinstance(nodata, float) and np.isnan(nodata)):
            data[:, 3:6, 10:14] = nodata  # a patch of nodata pixels
        crs, tr = transform_for(i)
        co = creation_options(r["layout"], r["interleave"], r["endian"], r["bigtiff"], codec, p)
        params = dict(r, bands=bands, width=WIDTH, height=HEIGHT,
                      nodata=None if nodata is None else repr(nodata), epsg=crs.to_epsg())
        fx.add(name, params, data, dt, crs, tr, co, nodata=nodata)


def lossy_fixtures(fx):
    specs = [
        # name, bands, codec, layout, extra creation options
        ("u8_jpeg_1band_striped.tif", 1, "jpeg", "striped", {}),
        ("u8_jpeg_rgb_tiled_pixel.tif", 3, "jpeg", "tiled", {"PHOTOMETRIC": "RGB"}),
        ("u8_jpeg_ycbcr_tiled.tif", 3, "jpeg", "tiled", {"PHOTOMETRIC": "YCBCR"}),
        ("u8_jpeg_ycbcr_striped_be.tif", 3, "jpeg", "striped",
         {"PHOTOMETRIC": "YCBCR", "ENDIANNESS": "BIG"}),
        ("u8_jpeg_rgb_band_interleave.tif", 3, "jpeg", "tiled", {"INTERLEAVE": "BAND"}),
        ("u8_webp_rgb_tiled.tif", 3, "webp", "tiled", {}),
        ("u8_webp_rgba_tiled_bigtiff.tif", 4, "webp", "tiled",
         {"PHOTOMETRIC": "RGB", "ALPHA": "YES", "BIGTIFF": "YES"}),
    ]
    for i, (name, bands, codec, layout, extra) in enumerate(specs):
        rng = np.random.default_rng(seed_of(name))
        data = u8_image(bands, HEIGHT, WIDTH, rng, smooth=True)
        if bands == 4:
            data[3] = 255
            data[3, :10, :10] = 0
        crs, tr = transform_for(i)
        co = creation_options(layout, extra.get("INTERLEAVE", "pixel").lower(), "le", "classic",
                              codec, 1, strip=8 if codec == "jpeg" else STRIP_ROWS)
        if codec == "jpeg":
            co["JPEG_QUALITY"] = "85"
            if layout == "striped":
                co["BLOCKYSIZE"] = "16"  # JPEG strips must be multiples of 8/16 rows
        co.update(extra)
        params = dict(dtype="uint8", codec=codec, bands=bands, layout=layout, lossy=True,
                      **{k.lower(): v for k, v in extra.items()})
        fx.add(name, params, data, "uint8", crs, tr, co)


def special_fixtures(fx):
    base = creation_options("tiled", "pixel", "le", "classic", "deflate", 1)
    crs, tr = transform_for(1)

    def rng_for(name):
        return np.random.default_rng(seed_of(name))

    # NBITS
    for bits, dt, bands, layout in [(1, "uint8", 1, "striped"), (4, "uint8", 1, "tiled"),
                                    (12, "uint16", 3, "tiled")]:
        name = "nbits%d_%s_%s.tif" % (bits, SHORT[dt], layout)
        rng = rng_for(name)
        data = rng.integers(0, 2**bits, size=(bands, HEIGHT, WIDTH)).astype(dt)
        data[:, :, : WIDTH // 2] = (np.arange(WIDTH // 2) % (2**bits)).astype(dt)
        co = creation_options(layout, "pixel", "le", "classic", "deflate", 1)
        co["NBITS"] = str(bits)
        fx.add(name, dict(nbits=bits, dtype=dt, bands=bands, layout=layout), data, dt, crs, tr,
               co)
    # float16 (NBITS=16 on float32), with the floating-point predictor, big-endian
    name = "f16_nbits16_deflate_p3_be.tif"
    rng = rng_for(name)
    data = ((rng.random((1, HEIGHT, WIDTH)) - 0.5) * 1000).astype(np.float16).astype(np.float32)
    data[0, 5, 5] = np.nan
    co = creation_options("striped", "band", "be", "classic", "deflate", 3)
    co["NBITS"] = "16"
    fx.add(name, dict(dtype="float32", nbits=16, predictor=3, endian="be"), data, "float32", crs,
           tr, co)
    # sparse files: only part of the image written (tiles and strips)
    for layout, nodata in [("tiled", None), ("tiled", 7), ("striped", None)]:
        name = "sparse_u16_%s%s.tif" % (layout, "_nodata" if nodata is not None else "")
        rng = rng_for(name)
        data = content("uint16", 2, HEIGHT, WIDTH, rng)
        co = creation_options(layout, "band", "le", "classic", "deflate", 2)
        co["SPARSE_OK"] = "TRUE"

        def after(dst, data=data):
            dst.write(data[:, :20, :40], window=Window(0, 0, 40, 20))
        after.skip_write = True
        fx.add(name, dict(sparse=True, dtype="uint16", layout=layout, nodata=nodata), data,
               "uint16", crs, tr, co, nodata=nodata, after=after)
    # internal overviews
    for layout, codec in [("tiled", "deflate"), ("striped", "lzw")]:
        name = "overviews_u8_%s_%s.tif" % (layout, codec)
        rng = rng_for(name)
        data = u8_image(3, 60, 100, rng, smooth=True)
        co = creation_options(layout, "pixel", "le", "classic", codec, 1)

        def after(dst):
            dst.build_overviews([2, 4, 8], Resampling.average)
            dst.update_tags(ns="rio_overview", resampling="average")
        fx.add(name, dict(overviews=[2, 4, 8], layout=layout, codec=codec), data, "uint8", crs,
               tr, co, after=after)
    # internal per-dataset mask
    name = "mask_internal_u8_tiled.tif"
    rng = rng_for(name)
    data = u8_image(3, HEIGHT, WIDTH, rng)
    y, x = np.mgrid[0:HEIGHT, 0:WIDTH]
    m = np.where((x - 30) ** 2 + (y - 20) ** 2 < 400, 255, 0).astype(np.uint8)

    def after(dst, m=m):
        dst.write_mask(m)
    with rasterio.Env(GDAL_TIFF_INTERNAL_MASK=True):
        fx.add(name, dict(mask="internal", layout="tiled"), data, "uint8", crs, tr, base,
               after=after)
    # PixelIsPoint
    name = "pixel_is_point_i16.tif"
    data = content("int16", 1, HEIGHT, WIDTH, rng_for(name))

    def after(dst):
        dst.update_tags(AREA_OR_POINT="Point")
    fx.add(name, dict(area_or_point="Point"), data, "int16", crs, tr,
           creation_options("striped", "band", "le", "classic", "none", 1), after=after)
    # rotated geotransform (ModelTransformationTag)
    name = "rotated_transform_f32.tif"
    data = content("float32", 1, HEIGHT, WIDTH, rng_for(name))
    rot = Affine.translation(500000.0, 4000000.0) * Affine.rotation(30.0) * Affine.scale(10.0,
                                                                                          -10.0)
    fx.add(name, dict(transform="rotated 30 deg"), data, "float32", CRS.from_epsg(32633), rot,
           creation_options("tiled", "band", "le", "classic", "lzw", 3))
    # GCPs
    name = "gcps_u16.tif"
    data = content("uint16", 1, HEIGHT, WIDTH, rng_for(name))
    gcps = [GroundControlPoint(row=r, col=c, x=10.0 + c * 0.01 + r * 0.001,
                               y=50.0 - r * 0.01 + c * 0.0005, z=100.0 + r)
            for r, c in [(0, 0), (0, WIDTH), (HEIGHT, 0), (HEIGHT, WIDTH), (20.5, 30.25)]]
    fx.add(name, dict(gcps=len(gcps)), data, "uint16", CRS.from_epsg(4326), None,
           creation_options("striped", "band", "le", "classic", "deflate", 2), gcps=gcps)
    # colormap (palette)
    name = "colormap_u8.tif"
    rng = rng_for(name)
    data = rng.integers(0, 12, size=(1, HEIGHT, WIDTH)).astype(np.uint8)
    cmap = {i: (int(i * 20) % 256, int(255 - i * 15), int(i * 7 % 256), 255) for i in range(12)}

    def after(dst, cmap=cmap):
        dst.write_colormap(1, cmap)
    fx.add(name, dict(colormap=12), data, "uint8", crs, tr,
           creation_options("striped", "band", "be", "classic", "packbits", 1), after=after)
    # user-defined CRSs (PROJ strings, no EPSG code)
    for name, proj in [
        ("user_crs_laea.tif", "+proj=laea +lat_0=45 +lon_0=-100 +x_0=0 +y_0=0 +ellps=WGS84 "
                              "+units=m +no_defs"),
        ("user_crs_tmerc_bessel.tif", "+proj=tmerc +lat_0=0 +lon_0=13.5 +k=0.9999 "
                                      "+x_0=500000 +y_0=-5000000 +ellps=bessel +units=m "
                                      "+no_defs"),
    ]:
        data = content("int32", 1, HEIGHT, WIDTH, rng_for(name))
        fx.add(name, dict(proj4=proj), data, "int32", CRS.from_proj4(proj),
               Affine(100.0, 0, -500000.0, 0, -100.0, 600000.0),
               creation_options("tiled", "band", "le", "classic", "zstd", 2), nodata=-1)
    # descriptions, scale/offset, units, metadata with XML-special characters
    name = "metadata_special_chars_i16.tif"
    data = content("int16", 2, HEIGHT, WIDTH, rng_for(name))

    def after(dst):
        dst.update_tags(TITLE="Rivers & <Lakes>", NOTE='quote " and apostrophe \' & amp;')
        dst.set_band_description(1, "Band <one> & friends")
        dst.set_band_description(2, "second")
        dst.scales = (0.01, 2.5)
        dst.offsets = (-100.0, 0.5)
        dst.units = ("m & <cm>", "K")
        dst.update_tags(1, QUALITY="good & <checked>", SOURCE="sensor")
        dst.update_tags(2, EMPTY="")
    fx.add(name, dict(metadata="descriptions, scale/offset, units, tags with & <"), data,
           "int16", crs, tr, creation_options("striped", "pixel", "le", "classic", "deflate", 1),
           nodata=-32768, after=after)


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "fixtures")
    if os.path.isdir(outdir):
        shutil.rmtree(outdir)
    os.makedirs(outdir)
    fx = Fixtures(outdir)
    main_fixtures(fx)
    lossy_fixtures(fx)
    special_fixtures(fx)
    with open(os.path.join(outdir, "MANIFEST.tsv"), "w") as f:
        f.write("file\tparameters\tband_sha256\n")
        for row in sorted(fx.rows):
            f.write("\t".join(row) + "\n")
    total = sum(os.path.getsize(os.path.join(outdir, n)) for n in os.listdir(outdir))
    print("%d fixtures, %d bytes in %s" % (len(fx.rows), total, outdir))


if __name__ == "__main__":
    main()
