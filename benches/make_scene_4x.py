"""Make scene_u8_4x.tif: the reference scene repeated 2x2 (3x16384x16384 uint8, same
profile: tiled 512, deflate + predictor 2, EPSG:32633), for the peak-RSS-versus-size check
of the normalize job. Copies window by window, so it needs little memory.

Usage: make_scene_4x.py SCENE OUT
"""
import sys

import rasterio
from rasterio.windows import Window


def main():
    src_path, out_path = sys.argv[1], sys.argv[2]
    with rasterio.open(src_path) as src:
        profile = src.profile.copy()
        w, h = src.width, src.height
        profile.update(width=2 * w, height=2 * h, tiled=True, blockxsize=512, blockysize=512,
                       compress="deflate", predictor=2, num_threads="ALL_CPUS")
        with rasterio.open(out_path, "w", **profile) as dst:
            step = 2048
            for row in range(0, h, step):
                for col in range(0, w, step):
                    win = Window(col, row, min(step, w - col), min(step, h - row))
                    data = src.read(window=win)
                    for qy in (0, h):
                        for qx in (0, w):
                            dst.write(data, window=Window(col + qx, row + qy, win.width, win.height))


if __name__ == "__main__":
    main()
