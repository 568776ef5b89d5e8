"""One metric on one line: label, latest value, and a sparkline of its history."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Sparkline, Static


class Trend(Horizontal):
    """`Health  74  ▃▆▂▅▄▄` — the sparkline is hidden when there is no history."""

    DEFAULT_CSS = """
    Trend { height: 1; }
    Trend > .trend--label { width: 12; color: $text-muted; }
    Trend > .trend--value { width: 9; text-style: bold; }
    Trend > Sparkline { width: 1fr; max-width: 16; }
    """

    def __init__(self, label: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._label = label

    def compose(self) -> ComposeResult:
        yield Static(self._label, classes="trend--label", markup=False)
        yield Static("–", classes="trend--value", markup=False)
        yield Sparkline([], summary_function=max)

    def set(self, value: str | Text, series: Sequence[float | None]) -> None:
        """Show the latest value and the series (oldest first; gaps are skipped)."""
        self.query_one(".trend--value", Static).update(value)
        points = [float(v) for v in series if v is not None]
        sparkline = self.query_one(Sparkline)
        sparkline.data = points
        sparkline.display = len(points) > 1
