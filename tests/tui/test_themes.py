"""Every theme the app offers, dark and light, draws its text readably (3:1 against its cell).

The snapshot contrast test reads pictures of one theme at a time; this one switches through all
of them on a live screen (a customer open, its step and chat, the sidebar) and checks each
visible text widget's own colour against its background, as Textual composes them. The ANSI
themes are left out: they say "the terminal's default colours", which only the terminal knows.
"""

from __future__ import annotations

from typing import Any

from textual.color import Color
from textual.widgets import Static

from tests.tui.conftest import AppFactory, settle
from tests.tui.test_snapshot_contrast import TEXT_MIN, contrast

WIDE = (160, 48)


def _hex(colour: Color) -> str:
    return colour.hex6


def unreadable(app: Any) -> list[str]:
    bad = []
    for widget in app.screen.query(Static):
        if not widget.display or not widget.region or not str(widget.render()).strip():
            continue
        style = widget.visual_style
        fg, bg = style.foreground, style.background
        if fg is None or bg is None:
            continue
        seen = bg.blend(fg, fg.a) if fg.a < 1 else fg
        ratio = contrast(_hex(seen), _hex(bg))
        if ratio < TEXT_MIN:
            bad.append(f"{widget.id or type(widget).__name__} {ratio:.2f}:1")
    return bad


async def test_every_theme_draws_readable_text(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("down", "down", "down")  # Bluesoft: a workflow, a chat, a sidebar
        await settle(pilot)
        themes = sorted(t for t in app.available_themes if not t.startswith("ansi"))
        assert {"textual-dark", "textual-light"} <= set(themes)
        found = {}
        for theme in themes:
            app.theme = theme
            await pilot.pause()
            found[theme] = unreadable(app)
        assert not {t: bad for t, bad in found.items() if bad}
