#!/usr/bin/env python3
"""Describe a (Geo)TIFF the way GDAL reads it, as JSON in the interop SCHEMA.

Usage: gdal_info_json.py FILE [--no-pixels] [--origin JSON] [-o OUT]

The output follows shared/interop/SCHEMA.md (schema_version 1): GDAL's
reading through rasterio (header, CRS, transform, per-band checksums and
statistics, overviews, mask, colormap, samples) plus a `tiff` section read
directly from the file's bytes by the small IFD walker below (classic TIFF and
BigTIFF, both byte orders).  GDAL is only a test oracle for tessera; this
script is never part of the product.

--no-pixels  skip everything that needs decoded pixels (bands' sha256 and
             statistics, samples, overviews' sha256, mask).
"""

import argparse
import hashlib
import json
import math
import os
import random
import struct
import sys

os.environ.setdefault("GDAL_DISABLE_READDIR_ON_OPEN", "EMPTY_DIR")
os.environ.setdefault("GDAL_PAM_ENABLED", "NO")

import numpy as np  # noqa: E402
import rasterio  # noqa: E402
from rasterio.enums import MaskFlags  # noqa: E402

SCHEMA_VERSION = 1
LOSSY = {"JPEG", "YCBCR JPEG", "WEBP", "LERC", "JXL"}

# --------------------------------------------------------------------------
# Raw TIFF walker
# --------------------------------------------------------------------------

TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8,
              11: 4, 12: 8, 13: 4, 16: 8, 17: 8, 18: 8}
TYPE_FMT = {1: "B", 3: "H", 4: "I", 6: "b", 8: "h", 9: "i", 11: "f", 12: "d",
            13: "I", 16: "Q", 17: "q", 18: "Q"}

GEOKEY_NAMES = {
    1024: "GTModelTypeGeoKey", 1025: "GTRasterTypeGeoKey", 1026: "GTCitationGeoKey",
    2048: "GeographicTypeGeoKey", 2049: "GeogCitationGeoKey",
    2050: "GeogGeodeticDatumGeoKey", 2051: "GeogPrimeMeridianGeoKey",
    2052: "GeogLinearUnitsGeoKey", 2053: "GeogLinearUnitSizeGeoKey",
    2054: "GeogAngularUnitsGeoKey", 2055: "GeogAngularUnitSizeGeoKey",
    2056: "GeogEllipsoidGeoKey", 2057: "GeogSemiMajorAxisGeoKey",
    2058: "GeogSemiMinorAxisGeoKey", 2059: "GeogInvFlatteningGeoKey",
    2060: "GeogAzimuthUnitsGeoKey", 2061: "GeogPrimeMeridianLongGeoKey",
    2062: "GeogTOWGS84GeoKey",
    3072: "ProjectedCSTypeGeoKey", 3073: "PCSCitationGeoKey", 3074: "ProjectionGeoKey",
    3075: "ProjCoordTransGeoKey", 3076: "ProjLinearUnitsGeoKey",
    3077: "ProjLinearUnitSizeGeoKey", 3078: "ProjStdParallel1GeoKey",
    3079: "ProjStdParallel2GeoKey", 3080: "ProjNatOriginLongGeoKey",
    3081: "ProjNatOriginLatGeoKey", 3082: "ProjFalseEastingGeoKey",
    3083: "ProjFalseNorthingGeoKey", 3084: "ProjFalseOriginLongGeoKey",
    3085: "ProjFalseOriginLatGeoKey", 3086: "ProjFalseOriginEastingGeoKey",
    3087: "ProjFalseOriginNorthingGeoKey", 3088: "ProjCenterLongGeoKey",
    3089: "ProjCenterLatGeoKey", 3090: "ProjCenterEastingGeoKey",
    3091: "ProjCenterNorthingGeoKey", 3092: "ProjScaleAtNatOriginGeoKey",
    3093: "ProjScaleAtCenterGeoKey", 3094: "ProjAzimuthAngleGeoKey",
    3095: "ProjStraightVertPoleLongGeoKey", 3096: "ProjRectifiedGridAngleGeoKey",
    4096: "VerticalCSTypeGeoKey", 4097: "VerticalCitationGeoKey",
    4098: "VerticalDatumGeoKey", 4099: "VerticalUnitsGeoKey",
}


class TiffError(Exception):
    pass


class Tiff:
    def __init__(self, data):
        self.data = data
        if len(data) < 8:
            raise TiffError("file too short for a TIFF header")
        bo = data[:2]
        if bo == b"II":
            self.e = "<"
        elif bo == b"MM":
            self.e = ">"
        else:
            raise TiffError("not a TIFF byte-order mark")
        magic = self.unpack("H", 2)[0]
        if magic == 42:
            self.big = False
            self.first = self.unpack("I", 4)[0]
        elif magic == 43:
            self.big = True
            if len(data) < 16:
                raise TiffError("file too short for a BigTIFF header")
            self.first = self.unpack("Q", 8)[0]
        else:
            raise TiffError("bad TIFF magic %d" % magic)

    def unpack(self, fmt, off, count=1):
        size = struct.calcsize("<" + fmt) * count
        if off < 0 or off + size > len(self.data):
            raise TiffError("read past end of file at %d" % off)
        return struct.unpack_from(self.e + fmt * count, self.data, off)

    def read_ifd(self, off):
        """Return ({tag: (type, count, value_offset_or_inline_pos)}, next_offset)."""
        entries = {}
        if self.big:
            n = self.unpack("Q", off)[0]
            pos = off + 8
            esize, inline = 20, 8
        else:
            n = self.unpack("H", off)[0]
            pos = off + 2
            esize, inline = 12, 4
        if n > 100000:
            raise TiffError("implausible IFD entry count %d" % n)
        for i in range(n):
            p = pos + i * esize
            tag, typ = self.unpack("HH", p)
            if self.big:
                count = self.unpack("Q", p + 4)[0]
                vpos = p + 12
            else:
                count = self.unpack("I", p + 4)[0]
                vpos = p + 8
            size = TYPE_SIZES.get(typ, 1) * count
            if size > inline:
                vpos = self.unpack("Q" if self.big else "I", vpos)[0]
            entries[tag] = (typ, count, vpos)
        nxt_pos = pos + n * esize
        nxt = self.unpack("Q" if self.big else "I", nxt_pos)[0]
        return entries, nxt

    def values(self, entry):
        typ, count, pos = entry
        if typ == 2:
            raw = self.data[pos:pos + count]
            return raw.split(b"\0")[0].decode("latin-1")
        if typ in (5, 10):
            fmt = "I" if typ == 5 else "i"
            v = self.unpack(fmt, pos, 2 * count)
            return [v[2 * i] / v[2 * i + 1] if v[2 * i + 1] else float("nan") for i in range(count)]
        if typ in (7,) or typ not in TYPE_FMT:
            return list(self.data[pos:pos + count])
        return list(self.unpack(TYPE_FMT[typ], pos, count))

    def walk(self):
        ifds = []
        seen = set()
        off = self.first
        while off and off not in seen and len(ifds) < 10000:
            seen.add(off)
            entries, nxt = self.read_ifd(off)
            ifds.append(entries)
            off = nxt
        return ifds


def ifd_summary(t, e):
    def one(tag, default=None):
        if tag not in e:
            return default
        v = t.values(e[tag])
        return v[0] if isinstance(v, list) and v else v

    def many(tag):
        return t.values(e[tag]) if tag in e else None

    tiled = 322 in e
    if tiled:
        offsets, counts = many(324) or [], many(325) or []
    else:
        offsets, counts = many(273) or [], many(279) or []
    zero = sum(1 for i in range(max(len(offsets), len(counts)))
               if (i < len(offsets) and offsets[i] == 0) or (i < len(counts) and counts[i] == 0))
    height = one(257)
    rps = None
    if not tiled:
        rps = one(278)
        if rps is None:
            rps = height
    return {
        "subfile_type": one(254, 0),
        "width": one(256),
        "height": height,
        "samples_per_pixel": one(277, 1),
        "bits_per_sample": many(258),
        "sample_format": many(339),
        "compression": one(259, 1),
        "photometric": one(262),
        "planar_config": one(284, 1),
        "predictor": one(317, 1),
        "extra_samples": many(338),
        "tiled": tiled,
        "tile_width": one(322) if tiled else None,
        "tile_height": one(323) if tiled else None,
        "rows_per_strip": rps,
        "block_count": len(offsets),
        "zero_byte_blocks": zero,
        "has_colormap": 320 in e,
        "has_jpegtables": 347 in e,
        "tags": sorted(e.keys()),
    }


def geokeys(t, e):
    if 34735 not in e:
        return None
    d = t.values(e[34735])
    if len(d) < 4:
        return None
    doubles = t.values(e[34736]) if 34736 in e else []
    ascii_ = ""
    if 34737 in e:
        typ, count, pos = e[34737]
        ascii_ = t.data[pos:pos + count].decode("latin-1")
    keys = []
    n = d[3]
    for i in range(n):
        base = 4 + 4 * i
        if base + 3 >= len(d):
            break
        kid, loc, cnt, val = d[base:base + 4]
        if loc == 0:
            value = val
        elif loc == 34736:
            vals = doubles[val:val + cnt]
            value = vals[0] if cnt == 1 and vals else vals
        elif loc == 34737:
            s = ascii_[val:val + cnt]
            if s.endswith("|"):
                s = s[:-1]
            value = s.rstrip("\0")
        elif loc == 34735:
            vals = d[val:val + cnt]
            value = vals[0] if cnt == 1 and vals else vals
        else:
            value = None
        keys.append({"id": kid, "name": GEOKEY_NAMES.get(kid, "Unknown%d" % kid), "value": value})
    return {"version": [d[0], d[1], d[2]], "keys": keys}


def tiff_section(path):
    with open(path, "rb") as f:
        data = f.read()
    t = Tiff(data)
    ifds = t.walk()
    out = {
        "byte_order": "little" if t.e == "<" else "big",
        "bigtiff": t.big,
        "ifd_count": len(ifds),
        "ifds": [ifd_summary(t, e) for e in ifds],
    }
    e = ifds[0] if ifds else {}
    out["model_pixel_scale"] = t.values(e[33550]) if 33550 in e else None
    if 33922 in e:
        tp = t.values(e[33922])
        out["model_tiepoint"] = tp if len(tp) // 6 <= 64 else {"count": len(tp) // 6}
    else:
        out["model_tiepoint"] = None
    out["model_transformation"] = t.values(e[34264]) if 34264 in e else None
    out["gdal_nodata"] = t.values(e[42113]) if 42113 in e else None
    out["has_gdal_metadata"] = 42112 in e
    out["geokeys"] = geokeys(t, e)
    return out


# --------------------------------------------------------------------------
# GDAL (rasterio) reading
# --------------------------------------------------------------------------

def jnum(v):
    """A JSON-able number: ints stay ints, NaN/inf become strings."""
    if v is None:
        return None
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        v = float(v)
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return v
    return v


def clean(o):
    if isinstance(o, dict):
        return {k: clean(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [clean(v) for v in o]
    if isinstance(o, (float, np.floating, np.integer)):
        return jnum(o)
    return o


def nodata_json(v, dtype):
    if v is None:
        return None
    v = float(v)
    if math.isnan(v) or math.isinf(v):
        return jnum(v)
    if dtype.startswith(("uint", "int")) and v == int(v):
        return int(v)
    return v


def root_epsg(wkt1):
    """EPSG code of the CRS root: the AUTHORITY (WKT1) or ID (WKT2) node at depth 1."""
    depth = 0
    i = 0
    code = None
    while i < len(wkt1):
        c = wkt1[i]
        if c == '"':
            j = wkt1.index('"', i + 1)
            i = j + 1
            continue
        if c in "[(":
            depth += 1
        elif c in "])":
            depth -= 1
        elif depth == 1 and (wkt1.startswith("AUTHORITY[", i) or wkt1.startswith("ID[", i)):
            j = wkt1.index("]", i)
            k = wkt1.index("[", i)
            parts = [p.strip().strip('"') for p in wkt1[k + 1:j].split(",")]
            if len(parts) == 2 and parts[0].upper() == "EPSG":
                try:
                    code = int(parts[1])
                except ValueError:
                    code = None
            i = j + 1
            depth = 1
            continue
        i += 1
    return code


def crs_json(crs):
    if crs is None:
        return None
    wkt = crs.to_wkt()
    if not wkt:
        return None
    try:
        wkt2 = crs.to_wkt(version="WKT2_2019")
    except Exception:
        wkt2 = None
    try:
        proj4 = crs.to_proj4()
    except Exception:
        proj4 = None
    try:
        lu = crs.linear_units
    except Exception:
        lu = None
    return {
        "epsg": root_epsg(wkt),
        "wkt": wkt,
        "wkt2": wkt2,
        "proj4": proj4,
        "is_geographic": bool(crs.is_geographic),
        "is_projected": bool(crs.is_projected),
        "linear_units": lu,
    }


def le_bytes(arr, dtype):
    """Pixels row by row, little-endian, in the schema's dtype."""
    if dtype == "complex_int16":
        pairs = arr.astype(np.complex64).view(np.float32)
        return pairs.astype("<i2").tobytes()
    if dtype == "complex_int32":
        pairs = arr.astype(np.complex128).view(np.float64)
        return pairs.astype("<i4").tobytes()
    return np.ascontiguousarray(arr).astype(np.dtype(dtype).newbyteorder("<")).tobytes()


def sha(arr, dtype):
    return hashlib.sha256(le_bytes(arr, dtype)).hexdigest()


def band_stats(arr, dtype, nodata):
    out = {}
    if dtype.startswith("complex"):
        if dtype.startswith("complex_int"):
            valid = np.ones(arr.shape, bool)
            nan = np.zeros(arr.shape, bool)
        else:
            nan = np.isnan(arr.real) | np.isnan(arr.imag)
            valid = ~nan
        if nodata is not None and not (isinstance(nodata, float) and math.isnan(nodata)):
            valid &= arr != nodata
        out.update(valid_count=int(valid.sum()), nan_count=int(nan.sum()),
                   min=None, max=None, mean=None, std=None)
        return out
    isfloat = dtype.startswith("float")
    if isfloat:
        nan = np.isnan(arr)
        valid = ~nan
    else:
        nan = np.zeros(arr.shape, bool)
        valid = np.ones(arr.shape, bool)
    if nodata is not None:
        nd = float(nodata)
        if math.isnan(nd):
            pass
        elif isfloat:
            valid &= arr != np.array(nd, dtype=arr.dtype)
        else:
            info = np.iinfo(arr.dtype)
            if nd == int(nd) and info.min <= nd <= info.max:
                valid &= arr != np.array(int(nd), dtype=arr.dtype)
    vals = arr[valid]
    out["valid_count"] = int(vals.size)
    out["nan_count"] = int(nan.sum())
    if vals.size == 0:
        out.update(min=None, max=None, mean=None, std=None)
        return out
    mn, mx = vals.min(), vals.max()
    if isfloat:
        out["min"], out["max"] = jnum(float(mn)), jnum(float(mx))
    else:
        out["min"], out["max"] = int(mn), int(mx)
    f = vals.astype(np.float64)
    out["mean"] = jnum(float(f.mean()))
    out["std"] = jnum(float(f.std()))
    return out


def sample_value(v, dtype):
    if dtype.startswith("complex"):
        re_, im = float(v.real), float(v.imag)
        if dtype.startswith("complex_int"):
            return [int(re_), int(im)]
        return [jnum(re_), jnum(im)]
    if dtype.startswith("float"):
        return jnum(float(v))
    return int(v)


def sample_points(w, h, n=16):
    """4 corners, the centre, then seeded pseudo-random points (deduplicated)."""
    pts = []
    for p in [(0, 0), (w - 1, 0), (0, h - 1), (w - 1, h - 1), (w // 2, h // 2)]:
        if p not in pts:
            pts.append(p)
    rng = random.Random("%dx%d" % (w, h))
    tries = 0
    while len(pts) < min(n, w * h) and tries < 1000:
        p = (rng.randrange(w), rng.randrange(h))
        if p not in pts:
            pts.append(p)
        tries += 1
    return pts


def err_text(e):
    """`Type: message`, then GDAL's messages from the exception chain."""
    text = "%s: %s" % (type(e).__name__, e)
    causes = []
    c = e.__cause__ or e.__context__
    while c is not None and len(causes) < 20:
        causes.append(str(c))
        c = c.__cause__ or c.__context__
    if causes:
        text += " | GDAL: " + " | ".join(causes)
    return text


def describe(path, pixels=True, origin=None):
    doc = {
        "schema_version": SCHEMA_VERSION,
        "file": os.path.basename(path),
        "opened": False,
        "error": None,
        "error_stage": None,
        "size_bytes": os.path.getsize(path),
        "sha256_file": hashlib.sha256(open(path, "rb").read()).hexdigest(),
        "gdal_version": rasterio.__gdal_version__,
        "rasterio_version": rasterio.__version__,
    }
    if origin is not None:
        doc["origin"] = origin
    try:
        doc["tiff"] = tiff_section(path)
    except Exception as e:  # not a TIFF, or broken structure
        doc["tiff"] = None
        doc["tiff_error"] = err_text(e)
    try:
        ds = rasterio.open(path)
    except Exception as e:
        doc["error"] = err_text(e)
        doc["error_stage"] = "open"
        return doc
    with ds:
        doc["opened"] = True
        doc["driver"] = ds.driver
        doc["width"], doc["height"], doc["count"] = ds.width, ds.height, ds.count
        dtype = ds.dtypes[0]
        doc["dtype"] = dtype
        ims = ds.tags(ns="IMAGE_STRUCTURE")
        doc["image_structure"] = ims
        comp = ims.get("COMPRESSION")
        doc["compression"] = comp
        doc["lossy"] = bool(comp) and comp.upper() in LOSSY
        doc["interleave"] = ims.get("INTERLEAVE", "BAND")
        t = doc.get("tiff")
        if t and t["ifds"]:
            doc["layout"] = "tiled" if t["ifds"][0]["tiled"] else "striped"
        else:
            doc["layout"] = "tiled" if ds.block_shapes[0][1] < ds.width else "striped"
        doc["block_shapes"] = [list(b) for b in ds.block_shapes]
        try:
            doc["crs"] = crs_json(ds.crs)
            doc["crs_error"] = None
        except Exception as e:
            doc["crs"] = None
            doc["crs_error"] = err_text(e)
        # A CRS that PROJ cannot build leaves its error pending in GDAL's error
        # state; rasterio raises it on the next checked call.  Probe for it.
        try:
            ds.colorinterp
        except Exception as e:
            if doc["crs"] is None:
                doc["crs_error"] = err_text(e)
        tr = ds.transform
        doc["georeferenced"] = not tr.is_identity
        doc["transform"] = [tr.a, tr.b, tr.c, tr.d, tr.e, tr.f]
        doc["geotransform"] = list(tr.to_gdal())
        tags = ds.tags()
        doc["area_or_point"] = tags.get("AREA_OR_POINT")
        doc["tags"] = tags
        gcps, gcrs = ds.gcps
        if gcps:
            try:
                gc = crs_json(gcrs)
            except Exception:
                gc = None
            doc["gcps"] = {"crs": gc, "points": [[g.row, g.col, g.x, g.y, g.z] for g in gcps]}
        else:
            doc["gcps"] = None
        doc["nodata"] = nodata_json(ds.nodata, dtype)
        ovf = ds.overviews(1) if ds.count else []
        doc["overview_factors"] = list(ovf)
        doc["subdataset_count"] = len(ds.subdatasets)
        cmap = None
        if ds.count and ds.colorinterp[0].name == "palette":
            try:
                cm = ds.colormap(1)
                vals = [list(cm[i]) for i in sorted(cm)]
                cmap = {"entries": len(vals),
                        "sha256": hashlib.sha256(json.dumps(vals).encode()).hexdigest()}
                if len(vals) <= 256:
                    cmap["values"] = vals
            except Exception:
                cmap = None
        doc["colormap"] = cmap

        bands = []
        for i in range(1, ds.count + 1):
            b = {
                "index": i,
                "dtype": ds.dtypes[i - 1],
                "nodata": nodata_json(ds.nodatavals[i - 1], ds.dtypes[i - 1]),
                "description": ds.descriptions[i - 1],
                "scale": float(ds.scales[i - 1]),
                "offset": float(ds.offsets[i - 1]),
                "units": ds.units[i - 1] or None,
                "colorinterp": ds.colorinterp[i - 1].name,
                "mask_flags": sorted(f.name for f in ds.mask_flag_enums[i - 1]),
                "tags": ds.tags(i),
                "image_structure": ds.tags(i, ns="IMAGE_STRUCTURE"),
                "block_shape": list(ds.block_shapes[i - 1]),
            }
            bands.append(b)
        if not pixels:
            doc["bands"] = bands
            return clean(doc)
        try:
            data = ds.read()
            for i, b in enumerate(bands):
                arr = data[i]
                b["sha256"] = sha(arr, b["dtype"])
                b.update(band_stats(arr, b["dtype"], ds.nodatavals[i]))
            mask = None
            flags = ds.mask_flag_enums[0] if ds.count else []
            if MaskFlags.per_dataset in flags and MaskFlags.alpha not in flags:
                m = ds.read_masks(1)
                mask = {"sha256": hashlib.sha256(m.astype(np.uint8).tobytes()).hexdigest(),
                        "valid_count": int(np.count_nonzero(m))}
            samples = []
            for x, y in sample_points(ds.width, ds.height):
                samples.append({"x": x, "y": y,
                                "values": [sample_value(data[k, y, x], bands[k]["dtype"])
                                           for k in range(ds.count)]})
            overviews = []
            for lvl, fac in enumerate(ovf):
                with rasterio.open(path, overview_level=lvl) as ov:
                    od = ov.read()
                    overviews.append({
                        "level": lvl, "factor": fac, "width": ov.width, "height": ov.height,
                        "block_shape": list(ov.block_shapes[0]),
                        "sha256": [sha(od[k], bands[k]["dtype"]) for k in range(ov.count)],
                    })
        except Exception as e:
            doc["error"] = err_text(e)
            doc["error_stage"] = "read"
            return clean(doc)
        doc["bands"] = bands
        doc["mask"] = mask
        doc["samples"] = samples
        doc["overviews"] = overviews
    return clean(doc)


def dumps(doc):
    return json.dumps(doc, indent=1, allow_nan=False) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file")
    ap.add_argument("--no-pixels", action="store_true")
    ap.add_argument("--origin", help="JSON object stored as `origin`")
    ap.add_argument("-o", "--output")
    a = ap.parse_args(argv)
    doc = describe(a.file, pixels=not a.no_pixels,
                   origin=json.loads(a.origin) if a.origin else None)
    text = dumps(doc)
    if a.output:
        with open(a.output, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
