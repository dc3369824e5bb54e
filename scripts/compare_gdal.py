#!/usr/bin/env python3
"""Compare what GDAL reads from a source GeoTIFF and from tessera's conversion.

Usage:
  compare_gdal.py SRC OUT [--lossy] [--bands 1,3] [--dtype T]
                  [--block WxH] [--compress NAME] [--predictor 1|2|3]
                  [--interleave pixel|band] [--bigtiff yes|no]
  compare_gdal.py --batch JOBS.json

Prints one JSON object {"ok": bool, "diffs": [...]} listing every difference
(never only the first).  With --batch, JOBS.json holds a JSON array of
argument lists (each as above, without the program name) and the output is a
JSON array of such objects, in order (one Python start-up for many checks).

Compared (OUT against SRC, as GDAL through rasterio reads them):
  size, band count (with --bands, OUT's band k is SRC's band bands[k]), dtype
  (--dtype T, else SRC's), pixels (sha256 per band; with --dtype the SRC pixels
  converted as `gdal_translate -ot` does; with --lossy the interop SCHEMA rule:
  per band min/max within 8, mean/std within 4), transform (each term within
  1e-12 relative or 1e-9 of a pixel), GCPs, CRS (EPSG, else PROJ parameters),
  nodata, per band description/scale/offset/units/tags/colour interpretation/
  colour map, dataset tags (except the TIFFTAG_*RESOLUTION* ones); and OUT's
  structure as asked: tiled with block WxH, compression, predictor,
  interleave, BigTIFF.

Exit status: 0 when the comparison ran (whatever it found), 2 on usage errors.
GDAL is only a test oracle for tessera; this script is never part of the
product.
"""

import argparse
import hashlib
import json
import math
import os
import sys

os.environ.setdefault("GDAL_DISABLE_READDIR_ON_OPEN", "EMPTY_DIR")
os.environ.setdefault("GDAL_PAM_ENABLED", "NO")

import numpy as np  # noqa: E402
import rasterio  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gdal_info_json import tiff_section  # noqa: E402

RESOLUTION_TAGS = {"TIFFTAG_XRESOLUTION", "TIFFTAG_YRESOLUTION", "TIFFTAG_RESOLUTIONUNIT"}

GDAL_DTYPES = {
    "byte": "uint8",
    "uint8": "uint8",
    "int8": "int8",
    "uint16": "uint16",
    "int16": "int16",
    "uint32": "uint32",
    "int32": "int32",
    "uint64": "uint64",
    "int64": "int64",
    "float32": "float32",
    "float64": "float64",
}


def parser():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("src")
    p.add_argument("out")
    p.add_argument("--lossy", action="store_true")
    p.add_argument("--bands", help="1-based source bands, in output order")
    p.add_argument("--dtype", help="expected output dtype (numpy or GDAL name)")
    p.add_argument("--block", help="expected tile size WxH (or N)")
    p.add_argument("--compress", help="expected compression (none, deflate, lzw, zstd, packbits)")
    p.add_argument("--predictor", help="expected PREDICTOR (1, 2, 3)")
    p.add_argument("--interleave", help="expected interleave (pixel, band)")
    p.add_argument("--bigtiff", help="expected BigTIFF (yes, no)")
    return p


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


def sha(a):
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()


def fmt(v):
    if isinstance(v, float):
        return repr(v)
    s = repr(v)
    return s if len(s) <= 160 else s[:157] + "..."


def close(a, b, rel=1e-12, abs_tol=0.0):
    if a is None or b is None:
        return a is None and b is None
    a = float(a)
    b = float(b)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if a == b:
        return True
    return abs(a - b) <= max(rel * max(abs(a), abs(b)), abs_tol)


def is_int_dtype(dt):
    return np.issubdtype(np.dtype(dt), np.integer)


def is_float_dtype(dt):
    return np.issubdtype(np.dtype(dt), np.floating)


def gdal_convert(arr, to):
    """`arr` converted to dtype `to` as GDAL's GDALCopyWords does: float to
    integer rounds half away from zero, out-of-range values clamp to the
    type's range, NaN becomes 0; integer to float is a plain cast (float32
    finite values clamp to +-FLT_MAX)."""
    to = np.dtype(to)
    src = arr.dtype
    if src == to:
        return arr
    if is_int_dtype(to):
        info = np.iinfo(to)
        if is_float_dtype(src):
            a = arr.astype(np.float64)
            nan = np.isnan(a)
            r = np.where(a >= 0, np.floor(a + 0.5), np.ceil(a - 0.5))
            r = np.where(nan, 0.0, r)
            lo, hi = float(info.min), float(info.max)
            out = np.empty(arr.shape, dtype=to)
            big = r >= hi
            small = r <= lo
            mid = ~(big | small)
            out[big] = info.max
            out[small] = info.min
            out[mid] = r[mid].astype(to)
            return out
        # integer to integer: exact clamp through Python ints when 64-bit
        if src.itemsize < 8 and to.itemsize < 8:
            return np.clip(arr.astype(np.int64), info.min, info.max).astype(to)
        flat = [min(max(int(v), int(info.min)), int(info.max)) for v in arr.ravel().tolist()]
        return np.array(flat, dtype=to).reshape(arr.shape)
    if is_float_dtype(to):
        if to == np.float32 and is_float_dtype(src):
            a = arr.astype(np.float64)
            fmax = float(np.finfo(np.float32).max)
            finite = np.isfinite(a)
            a = np.where(finite, np.clip(a, -fmax, fmax), a)
            return a.astype(np.float32)
        return arr.astype(to)
    raise ValueError(f"cannot convert {src} to {to}")


def convert_scalar(v, to):
    """A nodata value as GDAL adjusts it for another data type."""
    if v is None:
        return None
    return gdal_convert(np.array([v], dtype=np.float64), to)[0].item()


def nodata_equal(e, a, dtype):
    if e is None or a is None:
        return e is None and a is None
    e = float(e)
    a = float(a)
    if math.isnan(e) or math.isnan(a):
        return math.isnan(e) and math.isnan(a)
    if dtype == "float32":
        return np.float32(e) == np.float32(a)
    return e == a


def crs_desc(crs):
    if crs is None:
        return None
    try:
        epsg = crs.to_epsg()
    except Exception:  # noqa: BLE001
        epsg = None
    try:
        proj4 = crs.to_proj4()
    except Exception:  # noqa: BLE001
        proj4 = None
    return {"epsg": epsg, "proj4": proj4}


def parse_proj4(s):
    m = {}
    for tok in (s or "").split():
        tok = tok.lstrip("+")
        k, _, v = tok.partition("=")
        if not k or k == "no_defs":
            continue
        m[k] = v if v else "True"
    return m


def proj_value_eq(e, a):
    if e == a:
        return True
    ep, ap = e.split(","), a.split(",")
    if len(ep) != len(ap):
        return False
    for x, y in zip(ep, ap):
        try:
            if not close(float(x), float(y), 1e-9):
                return False
        except ValueError:
            if x.strip() != y.strip():
                return False
    return True


def compare_crs(what, e, a, diffs):
    ed, ad = crs_desc(e), crs_desc(a)
    if ed is None or ad is None:
        if (ed is None) != (ad is None):
            diffs.append(f"{what}: expected {fmt(ed)}, got {fmt(ad)}")
        return
    if ed["epsg"] != ad["epsg"]:
        diffs.append(f"{what}.epsg: expected {ed['epsg']}, got {ad['epsg']}")
    if ed["epsg"] is None:
        em, am = parse_proj4(ed["proj4"]), parse_proj4(ad["proj4"])
        for k, v in em.items():
            if k not in am:
                diffs.append(f"{what}.proj4: +{k}={v} missing")
            elif not proj_value_eq(v, am[k]):
                diffs.append(f"{what}.proj4: +{k} expected {v}, got {am[k]}")
        for k, v in am.items():
            if k not in em:
                diffs.append(f"{what}.proj4: +{k}={v} unexpected")


def read_crs(ds):
    """(crs, None), or (None, error text) when GDAL/PROJ cannot read it (then
    the CRS is not compared, as in the interop SCHEMA's `crs_error`)."""
    crs, err = None, None
    try:
        crs = ds.crs
        crs_desc(crs)
    except Exception as e:  # noqa: BLE001
        crs, err = None, f"{type(e).__name__}: {e}"
    # A CRS that PROJ cannot build leaves its error pending in GDAL's error
    # state; rasterio raises it on the next checked call.  Flush it here.
    try:
        ds.colorinterp
    except Exception as e:  # noqa: BLE001
        if err is None:
            crs, err = None, f"{type(e).__name__}: {e}"
    return crs, err


def dtype_name(name):
    n = name.lower()
    if n not in GDAL_DTYPES:
        raise SystemExit(f"compare_gdal.py: unknown dtype {name}")
    return GDAL_DTYPES[n]


def parse_block(s):
    w, sep, h = s.lower().partition("x")
    return (int(h), int(w)) if sep else (int(w), int(w))


def colormap_or_none(ds, bidx):
    try:
        return ds.colormap(bidx)
    except ValueError:
        return None


def stats(a):
    a = a.astype(np.float64)
    if np.iscomplexobj(a):
        a = np.abs(a)
    a = a[np.isfinite(a)]
    if a.size == 0:
        return None
    return float(a.min()), float(a.max()), float(a.mean()), float(a.std())


# --------------------------------------------------------------------------
# the comparison
# --------------------------------------------------------------------------


def expected_colorinterp(src_ci, k, out_bands_src_ci, count, out_dtype):
    """The colour interpretation GDAL would give OUT's band k (0-based) when
    the source's is representable in a TIFF, else None (not compared)."""
    name = src_ci.name
    rgb = [c.name for c in out_bands_src_ci[:3]] == ["red", "green", "blue"]
    if name in ("red", "green", "blue"):
        return name if rgb and k < 3 else None
    if name == "alpha":
        return "alpha" if k > 0 else None
    if name == "gray":
        return "gray" if k == 0 else None
    if name == "palette":
        return "palette" if (k == 0 and count == 1 and out_dtype in ("uint8", "uint16")) else None
    return None


def compare(args):
    diffs = []
    with rasterio.open(args.src) as src, rasterio.open(args.out) as out:
        bands = (
            [int(b) for b in args.bands.split(",")] if args.bands else list(range(1, src.count + 1))
        )
        src_dtype = src.dtypes[0]
        out_dtype = dtype_name(args.dtype) if args.dtype else src_dtype

        # ---- header
        if (src.width, src.height) != (out.width, out.height):
            diffs.append(f"size: expected {src.width}x{src.height}, got {out.width}x{out.height}")
        if out.count != len(bands):
            diffs.append(f"count: expected {len(bands)}, got {out.count}")
        for k, dt in enumerate(out.dtypes):
            if dt != out_dtype:
                diffs.append(f"bands[{k}].dtype: expected {out_dtype}, got {dt}")

        st = src.transform
        ot = out.transform
        pixel = max(abs(st.a), abs(st.b), abs(st.d), abs(st.e))
        for i, (x, y) in enumerate(zip(st[:6], ot[:6])):
            tol = max(1e-12 * abs(x), 1e-9 * pixel)
            if not (x == y or abs(x - y) <= tol):
                diffs.append(f"transform[{i}]: expected {x!r}, got {y!r}")

        sg, sgcrs = src.gcps
        og, ogcrs = out.gcps
        if len(sg) != len(og):
            diffs.append(f"gcps: expected {len(sg)}, got {len(og)}")
        else:
            for i, (e, a) in enumerate(zip(sg, og)):
                for f in ("row", "col", "x", "y", "z"):
                    ev, av = getattr(e, f), getattr(a, f)
                    if not close(ev, av, 1e-12, 1e-9):
                        diffs.append(f"gcps[{i}].{f}: expected {ev!r}, got {av!r}")
            if sg:
                compare_crs("gcps.crs", sgcrs, ogcrs, diffs)
        src_crs, src_crs_err = read_crs(src)
        out_crs, out_crs_err = read_crs(out)
        if src_crs_err is None:
            if out_crs_err is not None:
                diffs.append(f"crs: GDAL cannot read OUT's CRS: {out_crs_err}")
            else:
                compare_crs("crs", src_crs, out_crs, diffs)

        # ---- dataset tags
        stags = {k: v for k, v in src.tags().items() if k not in RESOLUTION_TAGS}
        otags = {k: v for k, v in out.tags().items() if k not in RESOLUTION_TAGS}
        for k in sorted(set(stags) | set(otags)):
            if stags.get(k) != otags.get(k):
                diffs.append(f"tags.{k}: expected {fmt(stags.get(k))}, got {fmt(otags.get(k))}")

        # ---- structure of OUT
        ist = out.tags(ns="IMAGE_STRUCTURE")
        tiff = tiff_section(args.out)
        ifd0 = tiff["ifds"][0] if tiff["ifds"] else {}
        if args.block:
            want = parse_block(args.block)
            if not ifd0.get("tiled"):
                diffs.append("tiled: OUT is not tiled")
            elif (ifd0.get("tile_height"), ifd0.get("tile_width")) != want:
                diffs.append(
                    f"tile size: expected {want[1]}x{want[0]}, "
                    f"got {ifd0.get('tile_width')}x{ifd0.get('tile_height')}"
                )
            for k, bs in enumerate(out.block_shapes):
                if tuple(bs) != want:
                    diffs.append(
                        f"bands[{k}].block_shape: expected {want[0]}x{want[1]} (rows x cols), "
                        f"got {bs[0]}x{bs[1]}"
                    )
        if args.compress:
            want = args.compress.upper()
            got = ist.get("COMPRESSION", "NONE").upper()
            if want == "NONE":
                ok = got == "NONE"
            else:
                ok = got == want
            if not ok:
                diffs.append(f"compression: expected {want}, got {got}")
        if args.predictor:
            got = ist.get("PREDICTOR", "1")
            if got != args.predictor:
                diffs.append(f"predictor: expected {args.predictor}, got {got}")
        if args.interleave and out.count > 1:
            got = (ist.get("INTERLEAVE") or "").lower()
            if got != args.interleave.lower():
                diffs.append(f"interleave: expected {args.interleave.lower()}, got {got}")
        if args.bigtiff:
            want = {"yes": True, "no": False}[args.bigtiff.lower()]
            if tiff["bigtiff"] != want:
                diffs.append(f"bigtiff: expected {want}, got {tiff['bigtiff']}")

        # ---- bands
        src_ci = src.colorinterp
        out_ci = out.colorinterp
        out_bands_src_ci = [src_ci[b - 1] for b in bands if 1 <= b <= src.count]
        for k, b in enumerate(bands):
            if k >= out.count or not 1 <= b <= src.count:
                break
            p = f"bands[{k}]"
            # nodata
            e_nd = src.nodatavals[b - 1]
            if args.dtype and e_nd is not None and out_dtype != src_dtype:
                e_nd = convert_scalar(e_nd, out_dtype)
            a_nd = out.nodatavals[k]
            nan_to_int = (
                args.dtype
                and is_int_dtype(out_dtype)
                and src.nodatavals[b - 1] is not None
                and math.isnan(src.nodatavals[b - 1])
            )
            if nan_to_int:
                # GDAL's adjustment of a NaN nodata to an integer type is not
                # well defined: accept none or 0 (what NaN pixels become).
                if a_nd not in (None, 0):
                    diffs.append(f"{p}.nodata: expected None or 0 (NaN source nodata), got {a_nd!r}")
            elif not nodata_equal(e_nd, a_nd, out_dtype):
                diffs.append(f"{p}.nodata: expected {e_nd!r}, got {a_nd!r}")
            # description, scale, offset, units
            if (src.descriptions[b - 1] or None) != (out.descriptions[k] or None):
                diffs.append(
                    f"{p}.description: expected {fmt(src.descriptions[b - 1])}, "
                    f"got {fmt(out.descriptions[k])}"
                )
            for what, ev, av in (
                ("scale", src.scales[b - 1], out.scales[k]),
                ("offset", src.offsets[b - 1], out.offsets[k]),
            ):
                if not close(ev, av):
                    diffs.append(f"{p}.{what}: expected {ev!r}, got {av!r}")
            if (src.units[b - 1] or None) != (out.units[k] or None):
                diffs.append(f"{p}.units: expected {fmt(src.units[b - 1])}, got {fmt(out.units[k])}")
            # band tags
            bt_s, bt_o = src.tags(b), out.tags(k + 1)
            for key in sorted(set(bt_s) | set(bt_o)):
                if bt_s.get(key) != bt_o.get(key):
                    diffs.append(
                        f"{p}.tags.{key}: expected {fmt(bt_s.get(key))}, got {fmt(bt_o.get(key))}"
                    )
            # colour interpretation
            want_ci = expected_colorinterp(src_ci[b - 1], k, out_bands_src_ci, out.count, out_dtype)
            if want_ci is not None and out_ci[k].name != want_ci:
                diffs.append(
                    f"{p}.colorinterp: expected {want_ci} (source band {b}), got {out_ci[k].name}"
                )
            # colour map
            scm = colormap_or_none(src, b)
            if scm is not None and out.count == 1 and out_dtype in ("uint8", "uint16"):
                ocm = colormap_or_none(out, k + 1)
                if ocm is None:
                    diffs.append(f"{p}.colormap: missing (source has {len(scm)} entries)")
                else:
                    bad = [i for i in scm if tuple(scm[i]) != tuple(ocm.get(i, ()))]
                    if bad:
                        i = bad[0]
                        diffs.append(
                            f"{p}.colormap: {len(bad)} entries differ, first {i}: "
                            f"expected {scm[i]}, got {ocm.get(i)}"
                        )
            # pixels
            sa = src.read(b)
            oa = out.read(k + 1)
            if args.dtype and out_dtype != src_dtype:
                sa = gdal_convert(sa, out_dtype)
            if args.lossy:
                es, os_ = stats(sa), stats(oa)
                if es is None or os_ is None:
                    if (es is None) != (os_ is None):
                        diffs.append(f"{p}.stats: expected {es}, got {os_}")
                else:
                    for name, i, tol in (("min", 0, 8), ("max", 1, 8), ("mean", 2, 4), ("std", 3, 4)):
                        if abs(es[i] - os_[i]) > tol:
                            diffs.append(
                                f"{p}.{name}: expected {es[i]!r} (tolerance {tol}), got {os_[i]!r}"
                            )
            elif sa.shape == oa.shape and sa.dtype == oa.dtype:
                if sha(sa) != sha(oa):
                    if np.iscomplexobj(sa) or is_float_dtype(sa.dtype):
                        differ = ~((sa == oa) | (np.isnan(sa) & np.isnan(oa)))
                    else:
                        differ = sa != oa
                    n = int(np.count_nonzero(differ))
                    where = np.argwhere(differ)
                    first = ""
                    if len(where):
                        r, c = where[0]
                        first = f", first at row {r} col {c}: expected {sa[r, c]!r}, got {oa[r, c]!r}"
                    if n == 0:
                        first = " (same values, different bit patterns: NaN payloads or -0.0)"
                    diffs.append(f"{p}.sha256: {n} of {sa.size} pixels differ{first}")
            else:
                diffs.append(
                    f"{p}.pixels: cannot compare {sa.dtype}{sa.shape} with {oa.dtype}{oa.shape}"
                )
    return diffs


def run(argv):
    try:
        args = parser().parse_args(argv)
    except SystemExit:
        return {"ok": False, "diffs": [f"usage error: {argv}"]}
    try:
        diffs = compare(args)
    except Exception as e:  # noqa: BLE001
        diffs = [f"exception: {type(e).__name__}: {e}"]
    return {"ok": not diffs, "diffs": diffs}


def main():
    argv = sys.argv[1:]
    if len(argv) == 2 and argv[0] == "--batch":
        with open(argv[1]) as f:
            jobs = json.load(f)
        print(json.dumps([run([str(x) for x in job]) for job in jobs]))
        return 0
    args = parser().parse_args(argv)  # exits 2 on usage errors
    del args
    print(json.dumps(run(argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
