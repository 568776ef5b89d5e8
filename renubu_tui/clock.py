"""The one source of "today".

Nothing else in renubu asks the system for the date: tests, the demo and `--as-of` fix it here, so
every screen, query and notification agrees on what day it is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

_installed: Clock | None = None


def stamp() -> dt.datetime:
    """Now, for a new row's timestamp: the installed clock's (see `Clock.install`), else the
    system's. A row written on a demo or `--as-of` day is dated on that day, so time travel and
    the demo never meet a row stamped in the real present."""
    return _installed.now() if _installed is not None else dt.datetime.now(dt.UTC)


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
    time_of_day: dt.time | None = None  # a fixed day's time (the demo script's); else the real one

    def today(self) -> dt.date:
        return self.fixed if self.fixed is not None else dt.date.today()

    def now(self) -> dt.datetime:
        """Aware UTC timestamp; on a fixed day, the current time of day on that day."""
        real = dt.datetime.now(dt.UTC)
        if self.fixed is None:
            return real
        if self.time_of_day is not None:
            return dt.datetime.combine(self.fixed, self.time_of_day, tzinfo=dt.UTC)
        return dt.datetime.combine(self.fixed, real.timetz())

    def set(self, day: dt.date | None, time_of_day: dt.time | None = None) -> None:
        self.fixed = day
        self.time_of_day = time_of_day

    def install(self) -> Clock:
        """Make this the clock that dates new rows in this process (one app, one clock)."""
        global _installed
        _installed = self
        return self

    @staticmethod
    def uninstall() -> None:
        global _installed
        _installed = None

    @property
    def is_fixed(self) -> bool:
        return self.fixed is not None
