"""The one source of "today".

Nothing else in renubu asks the system for the date: tests, the demo and `--as-of` fix it here, so
every screen, query and notification agrees on what day it is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


class ClockError(ValueError):
    """A date given by a person could not be understood."""


def parse_date(text: str) -> dt.date:
    """Parse YYYY-MM-DD with a one-line error a person can act on."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ClockError(f"invalid date {text!r}: expected YYYY-MM-DD") from None


@dataclass
class Clock:
    """Today's date: the system's, or a fixed one that can be moved (the demo's time travel)."""

    fixed: dt.date | None = None

    def today(self) -> dt.date:
        return self.fixed if self.fixed is not None else dt.date.today()

    def now(self) -> dt.datetime:
        """Aware UTC timestamp; on a fixed day, the current time of day on that day."""
        real = dt.datetime.now(dt.UTC)
        if self.fixed is None:
            return real
        return dt.datetime.combine(self.fixed, real.timetz())

    def set(self, day: dt.date | None) -> None:
        self.fixed = day

    @property
    def is_fixed(self) -> bool:
        return self.fixed is not None
