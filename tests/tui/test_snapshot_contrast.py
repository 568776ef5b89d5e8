"""Every word in every approved snapshot can be read: text against the cell behind it.

A snapshot's SVG can hold the right words drawn in their background's colour (fg #121212 on
#121212): read as text it looks fine, looked at as a picture the pane is empty. This reads each
SVG as a picture would be read: for each run of text, its fill colour and the colour of the cell
behind it, and their WCAG contrast ratio (relative luminance). Text needs 3:1; the part of a
screen dimmed beneath a modal needs 1.5:1 (the modal's own box still needs 3:1).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOTS = sorted(ROOT.glob("**/__snapshots__/**/*.svg"))
TEXT_MIN, DIMMED_MIN = 3.0, 1.5
DRAWING = set("▁▂▃▄▅▆▇█▔▏▕▊▎▌▐─│╭╮╰╯━┃┏┓┗┛═║╔╗╚╝▀▉▋▍ ·•")
"""Runs made only of these are lines, bars and sparklines, not words."""

CLASS = re.compile(r"\.(terminal-[\w-]*?r\d+) \{ fill: (#[0-9a-fA-F]{3,6})")
RECT = re.compile(
    r'<rect fill="(#[0-9a-fA-F]{3,6})" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"'
)
TEXT = re.compile(r'<text class="([^"]+)" x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]*)</text>')


def luminance(colour: str) -> float:
    h = colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    channels = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@dataclass(frozen=True)
class Rect:
    fill: str
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True)
class Run:
    text: str
    fill: str
    background: str
    x: float
    y: float


def runs(svg: str) -> list[Run]:
    """Each run of words with its colour and the colour of the cell it starts on."""
    fills = dict(CLASS.findall(svg))
    rects = [
        Rect(f, float(x), float(y), float(x) + float(w), float(y) + float(h))
        for f, x, y, w, h in RECT.findall(svg)
    ]
    found = []
    for classes, x, y, raw in TEXT.findall(svg):
        text = html.unescape(raw).replace("\xa0", " ").strip()
        fill = next((fills[c] for c in classes.split() if c in fills), None)
        if not text or fill is None or set(text) <= DRAWING:
            continue
        tx, ty = float(x), float(y)
        behind = [r for r in rects if r.x0 - 0.5 <= tx < r.x1 and r.y0 <= ty - 2 <= r.y1]
        if behind:
            found.append(Run(text, fill, behind[-1].fill, tx, ty))
    return found


DARK_PANEL, LIGHT_PANEL = "#242f38", "#d0d0d0"  # the themes' $panel: a modal's own box
MODALS: dict[str, str] = {
    "test_snooze_dialog_snapshot": DARK_PANEL,
    "test_why_here_modal": DARK_PANEL,
    "test_help_screen": DARK_PANEL,
    "test_help_screen_light": LIGHT_PANEL,
    "test_route_picker": DARK_PANEL,
    "test_import_screen_snapshot": DARK_PANEL,
}
"""Snapshot name → the modal box's panel colour (what is on it is the dialog; the rest is dim)."""


def problems(path: Path) -> list[str]:
    svg = path.read_text(encoding="utf-8")
    rows = runs(svg)
    panel = MODALS.get(path.stem)
    box = _box_of(svg, panel) if panel else None
    bad = []
    for run in rows:
        inside = box is None or (box.x0 - 0.5 <= run.x < box.x1 - 0.5 and box.y0 <= run.y <= box.y1)
        need = TEXT_MIN if inside else DIMMED_MIN
        ratio = contrast(run.fill, run.background)
        if ratio < need:
            bad.append(f"{run.text[:40]!r} {run.fill} on {run.background} ({ratio:.2f}:1)")
    return bad


def _box_of(svg: str, colour: str) -> Rect | None:
    """The bounding box of the cells painted in `colour` (the modal's panel)."""
    cells = [
        (float(x), float(y), float(x) + float(w), float(y) + float(h))
        for f, x, y, w, h in RECT.findall(svg)
        if f.lower() == colour.lower()
    ]
    bottom = max((c[1] for c in cells), default=0)
    cells = [c for c in cells if c[1] < bottom - 1]  # the modal's footer spans the last row
    right = max((c[2] for c in cells), default=0)
    cells = [c for c in cells if c[2] - c[0] < 0.75 * right]  # a bar across the screen is not it
    if not cells:
        return None
    return Rect(
        colour,
        min(c[0] for c in cells),
        min(c[1] for c in cells),
        max(c[2] for c in cells),
        max(c[3] for c in cells),
    )


def test_there_are_snapshots_to_check() -> None:
    assert len(SNAPSHOTS) >= 16


@pytest.mark.parametrize("path", SNAPSHOTS, ids=[p.stem for p in SNAPSHOTS])
def test_every_word_can_be_read(path: Path) -> None:
    bad = problems(path)
    assert not bad, f"{len(bad)} runs of text cannot be read in {path.name}: " + "; ".join(bad[:8])


def test_the_check_sees_text_drawn_in_its_background_colour() -> None:
    """The case that hid in the approved snapshots: a name in the colour of its cell."""
    svg = (
        ".terminal-1-r1 { fill: #121212 }\n.terminal-1-r2 { fill: #e0e0e0 }\n"
        '<rect fill="#121212" x="0" y="0" width="244" height="24.4" shape-rendering="x"/>'
        '<text class="terminal-1-r1" x="0" y="20" textLength="12">Bluesoft</text>'
        '<text class="terminal-1-r2" x="122" y="20" textLength="12">Kestrel</text>'
    )
    found = {r.text: contrast(r.fill, r.background) for r in runs(svg)}
    assert found["Bluesoft"] == pytest.approx(1.0)
    assert found["Kestrel"] > TEXT_MIN
