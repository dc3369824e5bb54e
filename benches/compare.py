"""Run a tessera job and GDAL's equivalent in the same run; print wall time, CPU time,
peak RSS and output size of each, and the ratios.

Usage: compare.py JOB   (decode | convert-deflate | convert-lzw | convert-zstd |
                         normalize-lzw | normalize-4x | mosaic | seed | lzw-single)
Needs: target/release/{tessera,decode}, the oracle python (sys.executable), the
reference scene in $BENCH_DATA (benches/run.sh prepares all of it).
Each side runs `--repeat` times (default 3); the best wall time is reported with
the CPU time and peak RSS of that run.
"""
import json
import os
import resource
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DATA = os.environ.get("BENCH_DATA", os.path.join(ROOT, "bench-data"))
PY = sys.executable
TESSERA = os.path.join(ROOT, "target", "release", "tessera")
SCENE = os.path.join(DATA, "scene_u8.tif")
OUT = os.path.join(DATA, "out")
SHARED = os.environ.get("TESSERA_SHARED", os.path.join(ROOT, "..", "shared"))


RUSAGE_WRAPPER = (
    "import json, resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
    "wall = time.perf_counter() - t\n"
    "r = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(json.dumps({'rc': p.returncode, 'wall': wall, 'cpu': r.ru_utime + r.ru_stime,"
    " 'rss_kib': r.ru_maxrss, 'stdout': p.stdout, 'stderr': p.stderr}))\n"
)


def run(cmd, env=None):
    """Wall seconds, CPU seconds (user+sys) and peak RSS (MiB) of one command, measured by
    a fresh wrapper process so the RSS is that command's alone."""
    proc = subprocess.run([PY, "-c", RUSAGE_WRAPPER, *cmd], env={**os.environ, **(env or {})},
                          capture_output=True, text=True)
    r = json.loads(proc.stdout)
    if r["rc"] != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{r['stderr']}")
    return r["wall"], r["cpu"], r["rss_kib"] / 1024, r["stdout"]


def best(cmd, repeat, env=None, out=None):
    runs = []
    for _ in range(repeat):
        if out and os.path.exists(out):
            os.remove(out)
        runs.append(run(cmd, env))
    wall, cpu, rss, stdout = min(runs, key=lambda r: r[0])
    size = os.path.getsize(out) if out else None
    return {"wall_s": round(wall, 3), "cpu_s": round(cpu, 3), "rss_mib": round(rss, 1),
            "size_bytes": size, "stdout": stdout.strip()}


def convert(codec, repeat):
    os.makedirs(OUT, exist_ok=True)
    ours_out = os.path.join(OUT, f"tessera-{codec}.tif")
    gdal_out = os.path.join(OUT, f"gdal-{codec}.tif")
    level = {"deflate": 6, "zstd": 1, "lzw": None}[codec]
    ours_cmd = [TESSERA, "convert", SCENE, "-o", ours_out, "--compress", codec,
                "--block-size", "512", "--predictor", "horizontal", "--quiet"]
    gdal_cmd = [PY, os.path.join(HERE, "gdal_convert.py"), SCENE, gdal_out, codec.upper(),
                "--block", "512", "--predictor", "2"]
    if level is not None:
        ours_cmd += ["--level", str(level)]
        gdal_cmd += ["--level", str(level)]
    ours = best(ours_cmd, repeat, out=ours_out)
    gdal = best(gdal_cmd, repeat, env={"GDAL_NUM_THREADS": "ALL_CPUS"}, out=gdal_out)
    return ours, gdal


def normalize(repeat, scene=SCENE, tag="", gdal=True):
    os.makedirs(OUT, exist_ok=True)
    ours_out = os.path.join(OUT, f"tessera-normalize{tag}.tif")
    gdal_out = os.path.join(OUT, f"gdal-normalize{tag}.tif")
    # The same output as GDAL's: tiled 256x256 (TILED=YES), LZW, no predictor, float32.
    ours = best([TESSERA, "normalize", scene, "-o", ours_out, "--compress", "lzw",
                 "--predictor", "none", "--block-size", "256", "--quiet"], repeat, out=ours_out)
    if not gdal:
        os.remove(ours_out)
        return ours, None
    gdal = best([PY, os.path.join(SHARED, "bench", "rio_translate.py"), scene, gdal_out, "LZW"],
                repeat, env={"GDAL_NUM_THREADS": "ALL_CPUS", "GDAL_CACHEMAX": "64"}, out=gdal_out)
    return ours, gdal


def seed(repeat):
    out_dir = os.path.join(OUT, "seed")
    os.makedirs(out_dir, exist_ok=True)
    return best([PY, os.path.join(SHARED, "bench", "seed_pipeline.py"), "--mode", "threads",
                 "--input", SCENE, "--out-dir", out_dir, "--cleanup"], repeat,
                env={"BENCH_DATA": DATA})


def mosaic(repeat):
    os.makedirs(OUT, exist_ok=True)
    ins = [os.path.join(DATA, f"mosaic_{i}.tif") for i in range(4)]
    ours_out = os.path.join(OUT, "tessera-mosaic.tif")
    ours = best([TESSERA, "mosaic", *ins, "-o", ours_out, "--compress", "deflate", "--quiet"],
                repeat, out=ours_out)
    os.makedirs(os.path.join(OUT, "gdal"), exist_ok=True)
    rio_out = os.path.join(OUT, "gdal", "mosaic-rasterio.tif")
    rio = best([PY, os.path.join(SHARED, "bench", "mosaic_rasterio.py"), rio_out], repeat,
               env={"BENCH_DATA": DATA}, out=rio_out)
    # gdalbuildvrt + gdal_translate need Debian's gdal-bin (apt-get install gdal-bin).
    gdal = None
    if shutil.which("gdalbuildvrt"):
        gdal_out = os.path.join(OUT, "gdal", "mosaic-gdal.tif")
        gdal = best(["bash", os.path.join(SHARED, "bench", "gdal_equivalents.sh"), "mosaic-gdal",
                     gdal_out], repeat, env={"BENCH_DATA": DATA}, out=gdal_out)
    return ours, rio, gdal


def decode(repeat):
    ours = best([os.path.join(ROOT, "target", "release", "decode"), SCENE, "--repeat", "1"], repeat)
    gdal = best([PY, os.path.join(HERE, "gdal_decode.py"), SCENE, "--repeat", "1"], repeat,
                env={"GDAL_NUM_THREADS": "ALL_CPUS", "GDAL_CACHEMAX": "512"})
    return ours, gdal


def main():
    job = sys.argv[1]
    repeat = int(os.environ.get("REPEAT", "3"))
    if job == "decode":
        ours, gdal = decode(repeat)
        o, g = json.loads(ours["stdout"]), json.loads(gdal["stdout"])
        print(json.dumps({"job": job, "tessera": o, "gdal": g}))
        print(f"decode {o['bytes'] / 1e6:.0f} MB: tessera {o['mb_per_s']:.0f} MB/s, "
              f"GDAL {g['gdal_version']} {g['mb_per_s']:.0f} MB/s -> {o['mb_per_s'] / g['mb_per_s']:.2f}x GDAL")
    elif job.startswith("convert-"):
        codec = job.split("-", 1)[1]
        ours, gdal = convert(codec, repeat)
        print(json.dumps({"job": job, "tessera": ours, "gdal": gdal}))
        print(f"{job}: tessera {ours['wall_s']:.2f} s wall / {ours['cpu_s']:.2f} s CPU, "
              f"{ours['size_bytes'] / 1e6:.1f} MB; GDAL {gdal['wall_s']:.2f} s / {gdal['cpu_s']:.2f} s, "
              f"{gdal['size_bytes'] / 1e6:.1f} MB -> wall {ours['wall_s'] / gdal['wall_s']:.2f}x, "
              f"size {ours['size_bytes'] / gdal['size_bytes']:.3f}x GDAL's")
    elif job == "normalize-lzw":
        ours, gdal = normalize(repeat)
        print(json.dumps({"job": job, "tessera": ours, "gdal": gdal}))
        print(f"{job}: tessera {ours['wall_s']:.2f} s wall / {ours['cpu_s']:.2f} s CPU / "
              f"{ours['rss_mib']:.0f} MiB; GDAL (CreateCopy, GDAL_CACHEMAX=64) {gdal['wall_s']:.2f} s / "
              f"{gdal['cpu_s']:.2f} s / {gdal['rss_mib']:.0f} MiB -> wall {ours['wall_s'] / gdal['wall_s']:.2f}x, "
              f"CPU {ours['cpu_s'] / gdal['cpu_s']:.2f}x GDAL's")
    elif job == "normalize-4x":
        # Peak RSS must not grow with the raster: the same job on the scene repeated 2x2.
        big = os.path.join(DATA, "scene_u8_4x.tif")
        if not os.path.exists(big):
            subprocess.run([PY, os.path.join(HERE, "make_scene_4x.py"), SCENE, big], check=True)
        small, _ = normalize(1, tag="-1x", gdal=False)
        large, _ = normalize(1, scene=big, tag="-4x", gdal=False)
        print(json.dumps({"job": job, "tessera_1x": small, "tessera_4x": large}))
        print(f"{job}: tessera peak RSS {small['rss_mib']:.0f} MiB on the scene, "
              f"{large['rss_mib']:.0f} MiB on the 4x scene -> {large['rss_mib'] / small['rss_mib']:.2f}x; "
              f"wall {small['wall_s']:.2f} s -> {large['wall_s']:.2f} s")
    elif job == "lzw-single":
        # One core, the same float32 tiles: tessera's LZW encoder against libtiff's.
        os.makedirs(OUT, exist_ok=True)
        enc = subprocess.run([os.path.join(ROOT, "target", "release", "encoders"), SCENE, "16",
                              "f32", "lzw"], check=True, capture_output=True, text=True).stdout
        ours = float(enc.strip().splitlines()[-1].split()[1])
        lib = json.loads(subprocess.run([PY, "-W", "ignore", os.path.join(HERE, "libtiff_lzw.py"),
                                         SCENE, OUT], check=True, capture_output=True,
                                        text=True).stdout)
        print(json.dumps({"job": job, "tessera_mb_per_s": ours, "libtiff": lib}))
        print(f"{job}: LZW encoding of {lib['mb']:.0f} MB float32 tiles on one core: tessera "
              f"{ours:.0f} MB/s, libtiff (GDAL {lib['gdal_version']}) {lib['mb_per_s']:.0f} MB/s "
              f"-> {ours / lib['mb_per_s']:.2f}x")
    elif job == "seed":
        s_ = seed(1)
        print(json.dumps({"job": job, "seed": s_}))
        print(f"seed pipeline (threads): {s_['wall_s']:.2f} s wall / {s_['cpu_s']:.2f} s CPU / {s_['rss_mib']:.0f} MiB")
    elif job == "mosaic":
        ours, rio, gdal = mosaic(repeat)
        print(json.dumps({"job": job, "tessera": ours, "rasterio": rio, "gdal": gdal}))
        print(f"mosaic: tessera {ours['wall_s']:.2f} s wall / {ours['cpu_s']:.2f} s CPU / {ours['rss_mib']:.0f} MiB; "
              f"rasterio.merge {rio['wall_s']:.2f} s / {rio['cpu_s']:.2f} s / {rio['rss_mib']:.0f} MiB "
              f"-> wall {ours['wall_s'] / rio['wall_s']:.2f}x")
        if gdal:
            print(f"mosaic: gdalbuildvrt + gdal_translate (Debian gdal-bin) {gdal['wall_s']:.2f} s / "
                  f"{gdal['cpu_s']:.2f} s / {gdal['rss_mib']:.0f} MiB -> tessera wall "
                  f"{ours['wall_s'] / gdal['wall_s']:.2f}x")
        else:
            print("mosaic: gdalbuildvrt not found (apt-get install gdal-bin): GDAL CLI side skipped")
    else:
        sys.exit(f"unknown job {job}")


if __name__ == "__main__":
    main()
