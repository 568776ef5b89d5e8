"""The demo timeline strip: the Bluesoft milestones and the as-of date, under the header.

Everything shown is plain `Text` (labels come from seed files and the database: never markup).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rich.text import Text
from textual.widgets import Static


@dataclass(frozen=True)
class Milestone:
    day: int  # journey day: 0 is D−120, 120 is the renewal day D
    date: dt.date
    label: str


class TimelineStrip(Static):
    """Three lines: the milestones (the one reached highlighted), where the clock stands, and
    what just happened on the script (or that the person has the wheel)."""

    def __init__(self, milestones: list[Milestone], *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self.milestones = milestones
        self.today: dt.date | None = None
        self.inbox: str = ""
        self.note: str = ""

    def set_day(self, today: dt.date, inbox: str = "") -> None:
        self.today, self.inbox = today, inbox
        self.update(self.render_strip())

    def set_note(self, note: str) -> None:
        self.note = note
        self.update(self.render_strip())

    def current(self) -> Milestone | None:
        """The last milestone reached on the as-of date."""
        reached = [m for m in self.milestones if self.today and m.date <= self.today]
        return reached[-1] if reached else None

    def render_strip(self) -> Text:
        now = self.current()
        line = Text()
        for index, m in enumerate(self.milestones):
            if index:
                line.append(" ─ ", style="dim")
            reached = self.today is not None and m.date <= self.today
            style = "reverse bold" if m == now else ("bold" if reached else "dim")
            line.append(f" {m.day} ", style=style)
        out = Text.assemble(("Bluesoft journey ", "bold"), line, "\n")
        if self.today is not None and self.milestones:
            renewal = self.milestones[-1].date
            days = (renewal - self.today).days
            day = (self.today - self.milestones[0].date).days
            when = f"D−{days}" if days > 0 else ("D" if days == 0 else f"D+{-days}")
            out.append(f"as of {self.today.isoformat()} · day {day} · {when}", style="bold")
            if now is not None:
                out.append(f" · {now.label}")
        if self.inbox:
            out.append(f" · {self.inbox}", style="italic")
        out.append("\n")
        if self.note:
            out.append(self.note, style="italic")
            out.append("   ")
        out.append("[ ] milestone · { } day · R back on the script", style="dim")
        out.no_wrap = True
        out.overflow = "ellipsis"
        return out
