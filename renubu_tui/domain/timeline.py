"""A customer's timeline: every touch, newest first, filtered by kind and by words (no I/O).

The services read each source (steps, actions, notifications, notes …) into `Entry`s; this
module orders them, filters them and checks the kinds a person asks for, the same way for the
CLI and the app (rules.md, "The customer timeline").
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

KINDS: tuple[str, ...] = (
    "note",
    "workflow",
    "step",
    "action",
    "meeting",
    "email",
    "notification",
    "chat",
    "health",
    "arr",
    "import",
)
"""Every kind of touch, in the order a tie at the same moment is shown."""

_RANK = {kind: index for index, kind in enumerate(KINDS)}


@dataclass(frozen=True)
class Entry:
    """One touch: when, what kind, a one-line title, who, and more text (a note's Markdown)."""

    at: dt.datetime  # aware, UTC
    kind: str
    title: str
    who: str
    detail: str = ""
    ref: str = ""  # a note's id (editing), else the source row's id

    def matches(self, words: Sequence[str]) -> bool:
        """Every word appears in the title, the detail, who or the kind (case-insensitive)."""
        haystack = f"{self.title}\n{self.detail}\n{self.who}\n{self.kind}".casefold()
        return all(word in haystack for word in words)


class UnknownKind(ValueError):
    """A kind no touch has; the message names the kinds there are."""


def check_kinds(asked: Iterable[str]) -> frozenset[str]:
    """The kinds asked for (lower-cased; "e-mail" is "email"), or UnknownKind naming the one
    that is not a kind and, when it is close to one, which one was meant."""
    kinds: set[str] = set()
    for raw in asked:
        kind = raw.strip().lower().replace("e-mail", "email")
        if kind not in _RANK:
            close = difflib.get_close_matches(kind, KINDS, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise UnknownKind(f"unknown kind {raw!r}{hint}; kinds are {', '.join(KINDS)}")
        kinds.add(kind)
    return frozenset(kinds)


def arrange(
    entries: Iterable[Entry],
    *,
    kinds: frozenset[str] = frozenset(),
    search: str = "",
    until: dt.datetime | None = None,
) -> list[Entry]:
    """Newest first (ties: KINDS order, then title); only `kinds` (all when empty), only those
    holding every word of `search`, nothing after `until` (the view's today)."""
    words = search.casefold().split()
    kept = [
        e
        for e in entries
        if (not kinds or e.kind in kinds)
        and (until is None or e.at <= until)
        and (not words or e.matches(words))
    ]
    kept.sort(key=lambda e: (e.title, e.ref))
    kept.sort(key=lambda e: _RANK.get(e.kind, len(KINDS)))
    kept.sort(key=lambda e: e.at, reverse=True)
    return kept


def changes(
    points: Sequence[tuple[dt.date, float | None]],
) -> list[tuple[dt.date, float | None, float]]:
    """(date, previous value, new value) for the first value and each one that differs from the
    one before it, oldest first: a series of snapshots read as the changes a person notices."""
    out: list[tuple[dt.date, float | None, float]] = []
    previous: float | None = None
    for day, value in points:
        if value is None or value == previous:
            continue
        out.append((day, previous, value))
        previous = value
    return out


__all__ = ["KINDS", "Entry", "UnknownKind", "arrange", "changes", "check_kinds"]
