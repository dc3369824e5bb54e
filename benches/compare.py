"""Run a tessera job and GDAL's equivalent in the same run; print wall time, CPU time,
peak RSS and output size of each, and the ratios.

Usage: compare.py JOB   (decode | convert-deflate | convert-lzw | convert-zstd)
Needs: target/release/{tessera,decode}, the oracle python (sys.executable), the
reference scene in $BENCH_DATA (benches/run.sh prepares all of it).
Each side runs `--repeat` times (default 3); the best wall time is reported with
the CPU time and peak RSS of that run.
"""
import json
import os
import resource
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


def run(cmd, env=None):
    """Wall seconds, CPU seconds (user+sys of the child), peak RSS MiB."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, env={**os.environ, **(env or {})}, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{proc.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    # ru_maxrss of children is the max over all children so far: run the job in a
    # fresh `time`-like wrapper instead when exact per-run RSS matters.
    return wall, cpu, after.ru_maxrss / 1024, proc.stdout


def best(cmd, repeat, env=None, out=None):
    runs = []
    for _ in range(repeat):
        if out and os.path.exists(out):
            os.remove(out)
        runs.append(run(cmd, env))
    wall, cpu, rss, stdout = min(runs, key=lambda r: r[0])
    size = os.path.getsize(out) if out else None
    return {"wall_s": round(wall, 3), "cpu_s": round(cpu, 3), "size_bytes": size, "stdout": stdout.strip()}


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
    else:
        sys.exit(f"unknown job {job}")


if __name__ == "__main__":
    main()
