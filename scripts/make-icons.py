#!/usr/bin/env python3
"""Generate the application and tray icons in resources/icons/ (SVG sources and their PNG renderings).

The SVGs are written by this script so that the four tray states share one envelope and differ only
in colour and badge; edit the drawing here, then run `.venv/bin/python scripts/make-icons.py`.
PNGs are rendered from the SVGs with QtSvg's QSvgRenderer, so the two never drift apart.
The bundle's Windows icon (`desktop-sync.ico`) and macOS icon (`desktop-sync.icns`) are made of
PNG renderings of the same SVG, written here byte by byte (both formats embed PNGs as they are).
"""

from __future__ import annotations

import math
import os
import struct
import sys
from pathlib import Path

ICONS_DIR = Path(__file__).resolve().parent.parent / "resources" / "icons"

APP_ICON_PNG_SIZE = 256
TRAY_PNG_SIZES = (22, 32, 64)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# ICNS element types holding a PNG of the given pixel size (macOS 10.7 and later).
ICNS_TYPES = (
    (b"icp4", 16), (b"icp5", 32), (b"icp6", 64), (b"ic07", 128), (b"ic08", 256), (b"ic09", 512), (b"ic10", 1024),
)

BLUE = "#2563eb"
BLUE_DARK = "#1d4ed8"
BLUE_LIGHT = "#3b82f6"
SLATE = "#64748b"
GREEN = "#16a34a"
AMBER = "#f59e0b"
INK = "#1f2937"
RED = "#dc2626"
WHITE = "#ffffff"


def _point(cx: float, cy: float, radius: float, degrees: float) -> tuple[float, float]:
    """A point on a circle; angles grow clockwise on screen (SVG's y axis points down)."""
    radians = math.radians(degrees)
    return cx + radius * math.cos(radians), cy + radius * math.sin(radians)


def _fmt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def sync_arrows(cx: float, cy: float, radius: float, stroke: float, colour: str) -> str:
    """Two clockwise arcs with arrowheads: the usual 'synchronize' glyph."""
    parts = []
    for start, end in ((-165.0, -35.0), (15.0, 145.0)):
        x1, y1 = _point(cx, cy, radius, start)
        x2, y2 = _point(cx, cy, radius, end)
        parts.append(
            f'<path d="M {_fmt(x1)} {_fmt(y1)} A {_fmt(radius)} {_fmt(radius)} 0 0 1 {_fmt(x2)} {_fmt(y2)}" '
            f'fill="none" stroke="{colour}" stroke-width="{_fmt(stroke)}" stroke-linecap="round"/>'
        )
        # Arrowhead at the end of the arc, pointing along the clockwise tangent.
        tangent = math.radians(end + 90.0)
        normal = math.radians(end)
        head_length = stroke * 2.0
        head_half_width = stroke * 1.5
        tip = (x2 + head_length * math.cos(tangent), y2 + head_length * math.sin(tangent))
        outer = (x2 + head_half_width * math.cos(normal), y2 + head_half_width * math.sin(normal))
        inner = (x2 - head_half_width * math.cos(normal), y2 - head_half_width * math.sin(normal))
        points = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in (tip, outer, inner))
        parts.append(
            f'<polygon points="{points}" fill="{colour}" stroke="{colour}" '
            f'stroke-width="{_fmt(stroke * 0.4)}" stroke-linejoin="round"/>'
        )
    return "\n  ".join(parts)


def envelope(x: float, y: float, width: float, height: float, body: str, flap: str, stroke: float) -> str:
    radius = height * 0.14
    inset = stroke * 0.9
    flap_points = (
        f"{_fmt(x + inset)},{_fmt(y + inset)} "
        f"{_fmt(x + width / 2)},{_fmt(y + height * 0.56)} "
        f"{_fmt(x + width - inset)},{_fmt(y + inset)}"
    )
    return (
        f'<rect x="{_fmt(x)}" y="{_fmt(y)}" width="{_fmt(width)}" height="{_fmt(height)}" '
        f'rx="{_fmt(radius)}" fill="{body}"/>\n  '
        f'<polyline points="{flap_points}" fill="none" stroke="{flap}" stroke-width="{_fmt(stroke)}" '
        f'stroke-linecap="round" stroke-linejoin="round"/>'
    )


def app_icon_svg() -> str:
    return f"""<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256">
  <title>Desktop Sync</title>
  <defs>
    <linearGradient id="tile" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="{BLUE_LIGHT}"/>
      <stop offset="1" stop-color="{BLUE_DARK}"/>
    </linearGradient>
  </defs>
  <rect x="8" y="8" width="240" height="240" rx="52" fill="url(#tile)"/>
  {envelope(36, 60, 168, 120, WHITE, BLUE_DARK, 11)}
  <circle cx="186" cy="182" r="52" fill="{GREEN}" stroke="{WHITE}" stroke-width="10"/>
  {sync_arrows(186, 182, 26, 9, WHITE)}
</svg>
"""


def _tray_badge(state: str) -> str:
    cx, cy = 46.0, 44.0
    if state == "idle":
        return ""
    if state == "syncing":
        return (
            f'<circle cx="{_fmt(cx)}" cy="{_fmt(cy)}" r="17" fill="{GREEN}" '
            f'stroke="{WHITE}" stroke-width="3"/>\n  {sync_arrows(cx, cy, 9, 3.6, WHITE)}'
        )
    if state == "warning":
        top, left, right, bottom = (cx, cy - 18), (cx - 18, cy + 14), (cx + 18, cy + 14), cy + 14
        triangle = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in (top, right, left))
        return (
            f'<polygon points="{triangle}" fill="{AMBER}" stroke="{WHITE}" stroke-width="7" '
            f'stroke-linejoin="round"/>\n  '
            f'<polygon points="{triangle}" fill="{AMBER}" stroke="{AMBER}" stroke-width="3" '
            f'stroke-linejoin="round"/>\n  '
            f'<line x1="{_fmt(cx)}" y1="{_fmt(cy - 7)}" x2="{_fmt(cx)}" y2="{_fmt(cy + 3)}" '
            f'stroke="{INK}" stroke-width="4.5" stroke-linecap="round"/>\n  '
            f'<circle cx="{_fmt(cx)}" cy="{_fmt(bottom - 4.5)}" r="2.6" fill="{INK}"/>'
        )
    if state == "error":
        arm = 6.5
        return (
            f'<circle cx="{_fmt(cx)}" cy="{_fmt(cy)}" r="17" fill="{RED}" '
            f'stroke="{WHITE}" stroke-width="3"/>\n  '
            f'<path d="M {_fmt(cx - arm)} {_fmt(cy - arm)} L {_fmt(cx + arm)} {_fmt(cy + arm)} '
            f'M {_fmt(cx + arm)} {_fmt(cy - arm)} L {_fmt(cx - arm)} {_fmt(cy + arm)}" '
            f'stroke="{WHITE}" stroke-width="4.5" stroke-linecap="round"/>'
        )
    raise ValueError(state)


TRAY_STATES = {
    # state: (envelope colour, title)
    "idle": (BLUE, "Desktop Sync: idle"),
    "syncing": (BLUE, "Desktop Sync: synchronizing"),
    "warning": (SLATE, "Desktop Sync: warning"),
    "error": (SLATE, "Desktop Sync: error"),
}


def tray_icon_svg(state: str) -> str:
    body, title = TRAY_STATES[state]
    return f"""<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">
  <title>{title}</title>
  {envelope(3, 10, 52, 38, body, WHITE, 4.5)}
  {_tray_badge(state)}
</svg>
"""


def png_bytes(svg_path: Path, size: int) -> bytes:
    """The SVG rendered at ``size`` pixels, as PNG file contents."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    image = _render(svg_path, size)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise RuntimeError(f"cannot encode {svg_path} at {size} px")
    buffer.close()
    return bytes(data.data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """A Windows .ico whose images are PNGs (Windows Vista and later read them)."""
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = len(header) + 16 * len(pngs)
    entries, images = b"", b""
    for size, png in sorted(pngs.items()):
        side = 0 if size >= 256 else size  # 0 means 256 in an ICO directory entry
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset + len(images))
        images += png
    return header + entries + images


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    """A macOS .icns made of PNG elements."""
    elements = b"".join(kind + struct.pack(">I", 8 + len(pngs[size])) + pngs[size] for kind, size in ICNS_TYPES)
    return b"icns" + struct.pack(">I", 8 + len(elements)) + elements


def _render(svg_path: Path, size: int):  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg_path))
    if not renderer.isValid():
        raise RuntimeError(f"QtSvg cannot read {svg_path}")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def render_png(svg_path: Path, size: int, png_path: Path) -> None:
    image = _render(svg_path, size)
    if not image.save(str(png_path), "PNG"):
        raise RuntimeError(f"cannot write {png_path}")


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    ICONS_DIR.mkdir(parents=True, exist_ok=True)

    app_svg = ICONS_DIR / "desktop-sync.svg"
    app_svg.write_text(app_icon_svg(), encoding="utf-8")
    render_png(app_svg, APP_ICON_PNG_SIZE, ICONS_DIR / "desktop-sync.png")
    written = [app_svg.name, "desktop-sync.png"]
    ico_pngs = {size: png_bytes(app_svg, size) for size in ICO_SIZES}
    (ICONS_DIR / "desktop-sync.ico").write_bytes(ico_bytes(ico_pngs))
    icns_pngs = {size: png_bytes(app_svg, size) for _, size in ICNS_TYPES}
    (ICONS_DIR / "desktop-sync.icns").write_bytes(icns_bytes(icns_pngs))
    written += ["desktop-sync.ico", "desktop-sync.icns"]

    for state in TRAY_STATES:
        svg = ICONS_DIR / f"tray-{state}.svg"
        svg.write_text(tray_icon_svg(state), encoding="utf-8")
        written.append(svg.name)
        for size in TRAY_PNG_SIZES:
            png = ICONS_DIR / f"tray-{state}-{size}.png"
            render_png(svg, size, png)
            written.append(png.name)

    print(f"wrote {len(written)} files to {ICONS_DIR}: {', '.join(written)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
