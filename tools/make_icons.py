"""Draw ictool's app icons as PNG files with the standard library only (zlib + struct).

The icon is a pause sign in a ring on the set-mode dark background: the one button the
app exists for. Shapes are signed distance functions, so edges are anti-aliased without
supersampling. Run from the repository root: `python tools/make_icons.py`; the PNGs it
writes under static/icons/ are committed, so nobody needs to run it to install ictool.
"""

from __future__ import annotations

import math
import struct
import sys
import zlib
from pathlib import Path

BACKGROUND = (0x11, 0x13, 0x18)
RING = (0x7F, 0xB2, 0xFF)
BARS = (0xE6, 0xE6, 0xE6)
OUT = Path(__file__).resolve().parent.parent / "static" / "icons"


def _rounded_box(x: float, y: float, cx: float, cy: float, hw: float, hh: float, r: float) -> float:
    """Signed distance from (x, y) to a rounded rectangle centred on (cx, cy)."""
    qx = abs(x - cx) - (hw - r)
    qy = abs(y - cy) - (hh - r)
    outside = math.hypot(max(qx, 0.0), max(qy, 0.0))
    return outside + min(max(qx, qy), 0.0) - r


def _coverage(distance: float) -> float:
    """How much of a pixel a shape covers, given the signed distance at its centre."""
    return min(max(0.5 - distance, 0.0), 1.0)


def _over(dst: tuple[float, ...], colour: tuple[int, int, int], alpha: float) -> tuple[float, ...]:
    """Paint `colour` with `alpha` over the RGBA pixel `dst` (straight alpha, 0..1)."""
    r, g, b, a = dst
    out_a = alpha + a * (1 - alpha)
    if out_a == 0:
        return (0.0, 0.0, 0.0, 0.0)
    pairs = zip(colour, (r, g, b), strict=True)
    mix = [(c / 255 * alpha + d * a * (1 - alpha)) / out_a for c, d in pairs]
    return (*mix, out_a)


def draw(size: int, maskable: bool) -> bytes:
    """RGBA rows of the icon at `size` px; maskable icons are full-bleed with a safe zone."""
    s = size / 512  # everything is designed on a 512 px grid
    centre = size / 2
    content = 0.78 if maskable else 1.0  # keep the sign inside the maskable safe circle
    ring_radius, ring_half = 176 * s * content, 26 * s * content
    bar_hw, bar_hh, bar_gap = 26 * s * content, 92 * s * content, 50 * s * content
    rows = bytearray()
    for j in range(size):
        rows.append(0)  # PNG filter type 0 (None) for this row
        y = j + 0.5
        for i in range(size):
            x = i + 0.5
            if maskable:
                px: tuple[float, ...] = (*(c / 255 for c in BACKGROUND), 1.0)
            else:
                tile = _rounded_box(x, y, centre, centre, centre - s, centre - s, 112 * s)
                px = _over((0.0, 0.0, 0.0, 0.0), BACKGROUND, _coverage(tile))
            ring = abs(math.hypot(x - centre, y - centre) - ring_radius) - ring_half
            px = _over(px, RING, _coverage(ring))
            for side in (-1, 1):
                bar = _rounded_box(x, y, centre + side * bar_gap, centre, bar_hw, bar_hh, 10 * s)
                px = _over(px, BARS, _coverage(bar))
            rows.extend(round(v * 255) for v in px)
    return bytes(rows)


def png(size: int, rgba_rows: bytes) -> bytes:
    """A PNG file (8-bit RGBA, not interlaced) from filtered rows."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rgba_rows, 9))
        + chunk(b"IEND", b"")
    )


ICONS = {
    "icon-192.png": (192, False),
    "icon-512.png": (512, False),
    "maskable-192.png": (192, True),
    "maskable-512.png": (512, True),
    "apple-touch-icon.png": (180, True),  # iOS draws its own rounded corners on a full tile
}


def main(out: Path = OUT) -> None:
    """Write every icon into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    for name, (size, maskable) in ICONS.items():
        (out / name).write_bytes(png(size, draw(size, maskable)))
        print(f"wrote {out / name}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
