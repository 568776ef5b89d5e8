"""A one-line banner across the top for a problem that blocks the app (database unreachable)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from renubu_tui.tui.text import plain


class Banner(Static):
    DEFAULT_CSS = """
    Banner {
        display: none;
        height: auto;
        padding: 0 1;
        background: $error;
        color: auto 95%;
        text-style: bold;
    }
    Banner.-shown { display: block; }
    """

    def show(self, message: str, hint: str = "") -> None:
        text = Text.assemble("⚠ ", plain(message))
        if hint:
            text.append(f"  ({hint})", style="not bold")
        self.update(text)
        self.add_class("-shown")

    def hide(self) -> None:
        self.remove_class("-shown")
