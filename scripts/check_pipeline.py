#!/usr/bin/env python3
"""Oracle checks for tessera's pipeline commands (`normalize`, `mosaic`).

Usage:
  check_pipeline.py make-inputs OUTDIR SEED
  check_pipeline.py normalize IN OUT --mode dtype|range|scale|minmax|zscore
                    [--lo LO --hi HI] [--scale A --offset B]
                    [--clip LO HI | --no-clip] [--nodata V] [--exact]
  check_pipeline.py mosaic OUT IN... --method M [--nodata V]
                    [--bounds W,S,E,N]
  check_pipeline.py --batch JOBS.json

Every check prints one JSON object {"ok": bool, "diffs": [...]} listing every
difference found (never only the first; per band, the number of differing
pixels and the first few).  With --batch, JOBS.json holds a JSON array of
argument lists (each as above, without the program name) and the output is a
JSON array of results, in order (one Python start-up for many checks).

normalize: the expected output is numpy's float32 computation (numpy >= 2, NEP
50: Python-float parameters are weak scalars, rounded once to float32):
  dtype   np.clip(x.astype(np.float32) / MAX, 0, 1) for unsigned types,
          (x - MIN) / (MAX - MIN) for signed ones, x for floats (then clipped)
  range   (x.astype(np.float32) - lo) / (hi - lo)    (hi - lo in Python)
  scale   x.astype(np.float32) * a + b
  minmax  range with lo, hi = min, max of the band's valid pixels
  zscore  (x - mean) / std, mean and population std (float64) of the valid pixels
then np.clip(v, LO, HI) when asked (the dtype mode clips to [0, 1] unless
--no-clip); input nodata pixels (and NaN when the input nodata is NaN) become
NaN, or --nodata V.  Pixels are compared bit for bit with --exact, else within
1 ulp (on the int32 view, for finite values of the same sign); NaN positions
must be equal.  Also checked: size, CRS, transform, float32, nodata, tiled.

mosaic: first/last/min/max/sum/count are compared pixel for pixel with
rasterio.merge.merge (same sources, method, nodata and bounds), with its
transform and shape.  rasterio.merge keeps the first input's dtype for every
method, tessera counts in uint16 (documented): for `count` the values are
compared, not the dtype, and where rasterio leaves its nodata (no valid input)
tessera must have 0.  `mean` (not a rasterio.merge method) is the numpy mean
of the valid values (sum in float64 / count, cast to float32 for <= 16-bit
integer and float32 inputs, float64 otherwise), output nodata where no input
is valid (tessera's pipeline accumulates in float64); the result's "info"
also counts the pixels where tessera differs from the float32 alternative
(sequential float32 sums, float32 division, as tessera-kernels' Merge::Mean
documents).  `sum` on float32 inputs: rasterio.merge adds in float32, in
input order.  --bounds are given to rasterio as they are (pass them already
snapped to the grid when tessera snaps them).

GDAL/rasterio/numpy are test oracles only; this script is never part of tessera.
"""

import argparse
import json
import math
import os
import sys

os.environ.setdefault("GDAL_DISABLE_READDIR_ON_OPEN", "EMPTY_DIR")
os.environ.setdefault("GDAL_PAM_ENABLED", "NO")

import numpy as np  # noqa: E402
import rasterio  # noqa: E402
import rasterio.merge  # noqa: E402
from rasterio.transform import Affine  # noqa: E402

MAX_LISTED = 5

# --------------------------------------------------------------------------
# inputs
# --------------------------------------------------------------------------

ORIGIN = (500000.0, 5000000.0)
RES = 10.0


def write(path, data, crs="EPSG:32633", transform=None, nodata=None, block=64):
    bands, h, w = data.shape
    if transform is None:
        transform = Affine(RES, 0, ORIGIN[0], 0, -RES, ORIGIN[1])
    profile = dict(
        driver="GTiff",
        width=w,
        height=h,
        count=bands,
        dtype=data.dtype.name,
        crs=crs,
        transform=transform,
        tiled=True,
        blockxsize=block,
        blockysize=block,
        compress="deflate",
    )
    if nodata is not None:
        profile["nodata"] = nodata
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data)


def shifted(cols, rows):
    """The 10 m grid's transform moved by whole pixels."""
    return Affine(RES, 0, ORIGIN[0] + cols * RES, 0, -RES, ORIGIN[1] - rows * RES)


def holes(rng, shape, frac):
    """A mask of irregular holes: scattered pixels plus a few random rectangles."""
    _, h, w = shape
    m = rng.random(shape) < frac
    for _ in range(3):
        r0, c0 = rng.integers(0, h), rng.integers(0, w)
        m[:, r0 : r0 + rng.integers(3, 25), c0 : c0 + rng.integers(3, 25)] = True
    return m


def make_inputs(outdir, seed):
    rng = np.random.default_rng(seed)
    os.makedirs(outdir, exist_ok=True)
    p = lambda name: os.path.join(outdir, name)  # noqa: E731
    u8 = rng.integers(0, 256, size=(3, 200, 300), dtype=np.uint8)
    u8[:, 5, 5:40] = 0
    u8[:, 6, 5:40] = 255
    write(p("scene_u8.tif"), u8)
    write(p("scene_u8_nodata.tif"), u8, nodata=0)

    u16 = rng.integers(0, 65536, size=(2, 193, 257), dtype=np.uint16)
    u16[:, 0, :3] = [0, 65535, 1000]
    write(p("scene_u16.tif"), u16)

    i16 = rng.normal(0, 1200, size=(2, 170, 230)).round().astype(np.int16)
    i16[holes(rng, i16.shape, 0.03)] = -9999
    write(p("scene_i16_nodata.tif"), i16, nodata=-9999)

    f32 = (rng.normal(50, 30, size=(2, 150, 210))).astype(np.float32)
    f32[holes(rng, f32.shape, 0.02)] = np.nan
    write(p("scene_f32.tif"), f32)

    # mosaic: uint16 on the same 10 m grid, overlapping, with holes (nodata 0)
    offsets = [(0, 0), (50, 20), (-30, 60), (80, -40)]
    for k, (c, r) in enumerate(offsets):
        d = rng.integers(1, 10001, size=(2, 90, 120), dtype=np.uint16)
        d[holes(rng, d.shape, 0.05)] = 0
        write(p(f"mos_u16_{k}.tif"), d, transform=shifted(c, r), nodata=0)
    # float32 set, nodata -9999
    for k, (c, r) in enumerate([(0, 0), (40, 30), (-25, 50)]):
        d = rng.normal(0, 100, size=(1, 80, 100)).astype(np.float32)
        d[holes(rng, d.shape, 0.05)] = -9999
        write(p(f"mos_f32_{k}.tif"), d, transform=shifted(c, r), nodata=-9999)

    # gate refusals (against mos_u16_0)
    d = rng.integers(1, 10001, size=(2, 90, 120), dtype=np.uint16)
    write(p("gate_crs.tif"), d, crs="EPSG:32634", nodata=0)
    half = Affine(RES, 0, ORIGIN[0] + 5.0, 0, -RES, ORIGIN[1])
    write(p("gate_halfpx.tif"), d, transform=half, nodata=0)
    write(p("gate_bands.tif"), d[:1], nodata=0)
    write(p("gate_bands3.tif"), np.concatenate([d, d[:1]]), nodata=0)

    written = sorted(f for f in os.listdir(outdir) if f.endswith(".tif"))
    return {"ok": True, "diffs": [], "files": written}


# --------------------------------------------------------------------------
# comparisons
# --------------------------------------------------------------------------


def fmt(v):
    v = v.item() if hasattr(v, "item") else v
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)
    return repr(v)


def compare_pixels(name, expected, actual, ulps, diffs):
    """Every band: same shape, NaN positions, values within `ulps` (0 = bit-exact).
    Returns the largest ulp distance seen."""
    if expected.shape != actual.shape:
        diffs.append(f"{name}: shape {actual.shape}, expected {expected.shape}")
        return None
    worst = 0
    for b in range(expected.shape[0]):
        e, a = expected[b], actual[b]
        if np.issubdtype(e.dtype, np.floating) or np.issubdtype(a.dtype, np.floating):
            e64 = e.astype(np.float64)
            a64 = a.astype(np.float64)
            en, an = np.isnan(e64), np.isnan(a64)
            bad = en != an
            both = ~en & ~an
            if e.dtype == np.float32 and a.dtype == np.float32:
                ei = e.view(np.int32).astype(np.int64)
                ai = a.view(np.int32).astype(np.int64)
                same_sign = (np.signbit(e) == np.signbit(a)) & np.isfinite(e) & np.isfinite(a)
                dist = np.where(same_sign & both, np.abs(ei - ai), 0)
                exact = (e64 == a64) | (en & an)
                far = both & ~exact & (~same_sign | (dist > ulps))
                if ulps == 0:
                    far = both & (ei != ai)
                worst = max(worst, int(dist[both].max()) if both.any() else 0)
            else:
                far = both & (e64 != a64)
            bad = bad | far
        else:
            bad = e.astype(np.float64) != a.astype(np.float64)
        n = int(bad.sum())
        if n:
            rows, cols = np.nonzero(bad)
            listed = ", ".join(
                f"(row {r}, col {c}): expected {fmt(e[r, c])}, got {fmt(a[r, c])}"
                for r, c in zip(rows[:MAX_LISTED], cols[:MAX_LISTED])
            )
            tol = "bit-exact" if ulps == 0 else f"{ulps} ulp"
            diffs.append(f"{name} band {b + 1}: {n} pixel(s) differ ({tol}): {listed}")
    return worst


def transform_diffs(name, expected, actual, diffs):
    e, a = list(expected)[:6], list(actual)[:6]
    for i, (x, y) in enumerate(zip(e, a)):
        if not (x == y or abs(x - y) <= max(1e-12 * abs(x), 1e-9 * RES)):
            diffs.append(f"{name}: transform[{i}] expected {x!r}, got {y!r}")


def nodata_eq(e, a):
    if e is None or a is None:
        return e is None and a is None
    if math.isnan(e) or math.isnan(a):
        return math.isnan(e) and math.isnan(a)
    return e == a


# --------------------------------------------------------------------------
# normalize
# --------------------------------------------------------------------------


def normalize_parser():
    p = argparse.ArgumentParser(prog="check_pipeline.py normalize")
    p.add_argument("src")
    p.add_argument("out")
    p.add_argument("--mode", required=True, choices=["dtype", "range", "scale", "minmax", "zscore"])
    p.add_argument("--lo", type=float)
    p.add_argument("--hi", type=float)
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--offset", type=float, default=0.0)
    p.add_argument("--clip", type=float, nargs=2)
    p.add_argument("--no-clip", action="store_true")
    p.add_argument("--nodata", type=float, help="output nodata given to tessera (default NaN)")
    p.add_argument("--exact", action="store_true", help="require bit-identical pixels")
    return p


def nodata_mask(x, nd):
    """Pixels equal to nodata `nd`, compared in the input's type (an integer type
    never matches a value it cannot represent); NaN nodata marks NaN pixels."""
    if nd is None:
        return np.zeros(x.shape, dtype=bool)
    if math.isnan(nd):
        return np.isnan(x) if x.dtype.kind == "f" else np.zeros(x.shape, dtype=bool)
    if x.dtype.kind == "f":
        return x == np.array(nd).astype(x.dtype)
    info = np.iinfo(x.dtype)
    if nd != int(nd) or not (info.min <= nd <= info.max):
        return np.zeros(x.shape, dtype=bool)
    return x == int(nd)


def expected_normalize(args, data, in_nodata):
    """numpy's float32 computation, band by band, and the per-band parameters used."""
    dt = data.dtype
    out = np.empty(data.shape, dtype=np.float32)
    params = []
    for b in range(data.shape[0]):
        x = data[b]
        invalid = nodata_mask(x, in_nodata)
        valid_vals = x[~invalid]
        if np.issubdtype(dt, np.floating):
            valid_vals = valid_vals[~np.isnan(valid_vals)]
        xf = x.astype(np.float32)
        mode = args.mode
        if mode == "dtype":
            if np.issubdtype(dt, np.unsignedinteger):
                v = xf / int(np.iinfo(dt).max)
            elif np.issubdtype(dt, np.signedinteger):
                mn, mx = int(np.iinfo(dt).min), int(np.iinfo(dt).max)
                v = (xf - mn) / (mx - mn)
            else:
                v = xf
            params.append({})
        elif mode == "range":
            lo, hi = args.lo, args.hi
            v = (xf - lo) / (hi - lo)
            params.append({"lo": lo, "hi": hi})
        elif mode == "scale":
            v = xf * args.scale + args.offset
            params.append({"scale": args.scale, "offset": args.offset})
        elif mode == "minmax":
            mn, mx = float(valid_vals.min()), float(valid_vals.max())
            v = (xf - mn) / (mx - mn)
            params.append({"min": mn, "max": mx})
        else:
            vv = valid_vals.astype(np.float64)
            mean, std = float(vv.mean()), float(vv.std())
            v = (xf - mean) / std
            params.append({"mean": mean, "std": std})
        assert v.dtype == np.float32, v.dtype
        clip = None
        if args.clip:
            clip = args.clip
        elif mode == "dtype" and not args.no_clip:
            clip = (0, 1)
        if clip is not None:
            v = np.clip(v, np.float32(clip[0]), np.float32(clip[1]))
        fill = np.float32(np.nan if args.nodata is None else args.nodata)
        out[b] = np.where(invalid, fill, v)
    return out, params


def check_normalize(argv):
    args = normalize_parser().parse_args(argv)
    diffs = []
    with rasterio.open(args.src) as src:
        data = src.read()
        s_crs, s_tr, s_nodata = src.crs, src.transform, src.nodata
    expected, params = expected_normalize(args, data, s_nodata)
    with rasterio.open(args.out) as out:
        actual = out.read()
        if out.dtypes[0] != "float32":
            diffs.append(f"dtype: expected float32, got {out.dtypes[0]}")
        if out.crs != s_crs:
            diffs.append(f"crs: expected {s_crs}, got {out.crs}")
        transform_diffs("output", s_tr, out.transform, diffs)
        if (out.width, out.height) != (data.shape[2], data.shape[1]):
            diffs.append(
                f"size: expected {data.shape[2]}x{data.shape[1]}, got {out.width}x{out.height}"
            )
        want_nd = float("nan") if args.nodata is None else args.nodata
        if not nodata_eq(want_nd, out.nodata):
            diffs.append(f"nodata: expected {want_nd!r}, got {out.nodata!r}")
        if not out.profile.get("tiled", False):
            diffs.append("output is not tiled")
    worst = compare_pixels("pixels", expected, actual, 0 if args.exact else 1, diffs)
    return {"ok": not diffs, "diffs": diffs, "max_ulps": worst, "params": params}


# --------------------------------------------------------------------------
# mosaic
# --------------------------------------------------------------------------


def mosaic_parser():
    p = argparse.ArgumentParser(prog="check_pipeline.py mosaic")
    p.add_argument("out")
    p.add_argument("inputs", nargs="+")
    p.add_argument("--method", required=True)
    p.add_argument("--nodata", type=float)
    p.add_argument("--bounds", help="W,S,E,N given to rasterio.merge")
    return p


def numpy_mean(srcs, bounds, nodata):
    """Mean of the valid values on the rasterio.merge grid (first's dtype rules)."""
    # rasterio.merge with method 'first' only for the grid
    grid, transform = rasterio.merge.merge(srcs, method="first", bounds=bounds, nodata=nodata)
    _, h, w = grid.shape
    bands = grid.shape[0]
    total = np.zeros((bands, h, w), dtype=np.float64)
    count = np.zeros((bands, h, w), dtype=np.int64)
    first_dt = np.dtype(srcs[0].dtypes[0])
    for src in srcs:
        d = src.read()
        valid = ~nodata_mask(d, src.nodata)
        if d.dtype.kind == "f":
            valid &= ~np.isnan(d)
        col = int(round((src.transform.c - transform.c) / transform.a))
        row = int(round((src.transform.f - transform.f) / transform.e))
        sh, sw = d.shape[1:]
        r0, c0 = max(row, 0), max(col, 0)
        r1, c1 = min(row + sh, h), min(col + sw, w)
        if r1 <= r0 or c1 <= c0:
            continue
        part = (slice(None), slice(r0 - row, r1 - row), slice(c0 - col, c1 - col))
        dst = (slice(None), slice(r0, r1), slice(c0, c1))
        v = valid[part]
        total[dst] += np.where(v, d[part].astype(np.float64), 0.0)
        count[dst] += v
    small = first_dt in (np.dtype(t) for t in ("uint8", "int8", "uint16", "int16", "float32"))
    out_dt = np.float32 if small else np.float64
    out_nd = nodata if nodata is not None else srcs[0].nodata
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, total / np.maximum(count, 1), out_nd if out_nd is not None else 0)
    return mean.astype(out_dt), transform, count


def f32_sequential_mean(srcs, transform, shape, nodata):
    """The float32 alternative (tessera-kernels' Merge::Mean: sequential float32
    sums in input order, then a float32 division), for information."""
    bands, h, w = shape
    acc = np.zeros((bands, h, w), dtype=np.float32)
    count = np.zeros((bands, h, w), dtype=np.int64)
    for src in srcs:
        d = src.read()
        valid = ~nodata_mask(d, src.nodata)
        if d.dtype.kind == "f":
            valid &= ~np.isnan(d)
        col = int(round((src.transform.c - transform.c) / transform.a))
        row = int(round((src.transform.f - transform.f) / transform.e))
        sh, sw = d.shape[1:]
        r0, c0 = max(row, 0), max(col, 0)
        r1, c1 = min(row + sh, h), min(col + sw, w)
        if r1 <= r0 or c1 <= c0:
            continue
        part = (slice(None), slice(r0 - row, r1 - row), slice(c0 - col, c1 - col))
        dst = (slice(None), slice(r0, r1), slice(c0, c1))
        v = valid[part]
        acc[dst] = np.where(v, acc[dst] + d[part].astype(np.float32), acc[dst])
        count[dst] += v
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, acc / count.astype(np.float32), np.float32(np.nan)).astype(
            np.float32
        )


def check_mosaic(argv):
    args = mosaic_parser().parse_args(argv)
    diffs = []
    bounds = tuple(float(v) for v in args.bounds.split(",")) if args.bounds else None
    srcs = [rasterio.open(p) for p in args.inputs]
    try:
        first_dt = srcs[0].dtypes[0]
        first_nd = srcs[0].nodata
        want_nd = args.nodata if args.nodata is not None else first_nd
        if args.method == "mean":
            expected, transform, counts = numpy_mean(srcs, bounds, args.nodata)
            alt = f32_sequential_mean(srcs, transform, expected.shape, args.nodata)
            small = first_dt in ("uint8", "int8", "uint16", "int16", "float32")
            want_dt = "float32" if small else "float64"
        else:
            expected, transform = rasterio.merge.merge(
                srcs, method=args.method, bounds=bounds, nodata=args.nodata
            )
            want_dt = "uint16" if args.method == "count" else first_dt
            if args.method == "count":
                # rasterio leaves its nodata where no input is valid (tessera: 0 valid)
                rnd = want_nd if want_nd is not None else 0
                if math.isnan(rnd):
                    none = np.isnan(expected.astype(np.float64))
                elif expected.dtype.kind == "f":
                    none = np.isclose(expected, rnd)
                else:
                    none = expected == rnd
                expected = np.where(none, 0, expected).astype(np.float64)
    finally:
        crs0 = srcs[0].crs
        for s in srcs:
            s.close()
    with rasterio.open(args.out) as out:
        actual = out.read()
        if out.dtypes[0] != want_dt:
            diffs.append(f"dtype: expected {want_dt}, got {out.dtypes[0]}")
        if out.crs != crs0:
            diffs.append(f"crs: expected {crs0}, got {out.crs}")
        transform_diffs("output", transform, out.transform, diffs)
        if args.method == "count":
            # tessera documents uint16 counts; the nodata must at least fit the type
            nd = out.nodata
            if nd is not None and not math.isnan(nd):
                info = np.iinfo(out.dtypes[0])
                if not (info.min <= nd <= info.max):
                    diffs.append(
                        f"nodata {nd!r} cannot be represented in the output type {out.dtypes[0]}"
                    )
        elif not nodata_eq(want_nd, out.nodata):
            diffs.append(f"nodata: expected {want_nd!r}, got {out.nodata!r}")
        if not out.profile.get("tiled", False):
            diffs.append("output is not tiled")
    if args.method == "count":
        actual = actual.astype(np.float64)
    compare_pixels(f"{args.method} pixels", expected, actual, 0, diffs)
    info = {}
    if args.method == "mean" and actual.dtype == np.float32 and actual.shape == alt.shape:
        covered = counts > 0
        info["differ_from_f32_sequential_mean"] = int((covered & (alt != actual)).sum())
        info["f64_vs_f32_sequential_mean_pixels"] = int((covered & (alt != expected)).sum())
    return {
        "ok": not diffs,
        "diffs": diffs,
        "info": info,
        "shape": list(expected.shape),
        "transform": list(transform)[:6],
    }


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------


def run(argv):
    if not argv:
        return {"ok": False, "diffs": ["usage error: no subcommand"]}
    cmd, rest = argv[0], argv[1:]
    try:
        if cmd == "make-inputs" and len(rest) == 2:
            return make_inputs(rest[0], int(rest[1]))
        if cmd == "normalize":
            return check_normalize(rest)
        if cmd == "mosaic":
            return check_mosaic(rest)
    except SystemExit:
        return {"ok": False, "diffs": [f"usage error: {argv}"]}
    except Exception as e:  # noqa: BLE001
        return {"ok": False, "diffs": [f"exception: {type(e).__name__}: {e}"]}
    return {"ok": False, "diffs": [f"usage error: {argv}"]}


def main():
    argv = sys.argv[1:]
    if len(argv) == 2 and argv[0] == "--batch":
        with open(argv[1]) as f:
            jobs = json.load(f)
        print(json.dumps([run([str(x) for x in job]) for job in jobs]))
        return 0
    if not argv or argv[0] not in ("make-inputs", "normalize", "mosaic"):
        print(__doc__, file=sys.stderr)
        return 2
    print(json.dumps(run(argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
