"""The Bluesoft journey as a script of dated events (seeds/demo/bluesoft.json, `script`).

Each event is something a person or the system did on a day of the journey — start a workflow,
complete or skip a step, take an action, create or finish a task, write an artifact, talk to the
assistant. Days are offsets from the renewal day D (−15 = D−15). Nothing here touches the
database: the script is parsed and checked once, with errors that name the event, and the
services apply it (services/demo/journey.py), so every row is what the engine itself writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

KINDS = (
    "start",
    "complete",
    "skip",
    "action",
    "task",
    "task-done",
    "artifact",
    "chat",
)
"""What an event can do; each needs the fields in `_REQUIRED`."""

_REQUIRED: dict[str, tuple[str, ...]] = {
    "start": ("workflow",),
    "complete": ("workflow", "step"),
    "skip": ("workflow", "step", "reason"),
    "action": ("workflow", "action"),
    "task": ("title", "due"),
    "task-done": ("title",),
    "artifact": ("workflow", "kind", "title", "content"),
    "chat": ("workflow", "messages"),
}

FIRST_EVENT_TIME = dt.time(8, 0)
EVENT_SPACING = dt.timedelta(minutes=10)


class ScriptError(ValueError):
    """The journey script is malformed; the message names the event."""


@dataclass(frozen=True)
class JourneyEvent:
    """One thing that happened on journey day `day` (offset from D), at `time` (UTC)."""

    index: int
    day: int
    time: dt.time
    kind: str
    by: str | None
    workflow: str | None = None
    step: str | None = None
    route: str | None = None
    action: str | None = None
    title: str | None = None
    reason: str | None = None
    narration: str | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)

    def date(self, renewal_day: dt.date) -> dt.date:
        return renewal_day + dt.timedelta(days=self.day)

    def describe(self) -> str:
        """A short name for messages: "event 7 (D−15 complete critical-status-assessment)"."""
        what = self.step or self.action or self.title or self.workflow or ""
        return f"event {self.index + 1} ({day_label(self.day)} {self.kind} {what})".replace(
            " )", ")"
        )


def day_label(day: int) -> str:
    """D−15, D, D+3: how the journey names its days."""
    if day == 0:
        return "D"
    return f"D{'−' if day < 0 else '+'}{abs(day)}"


def parse_script(data: Mapping[str, Any]) -> list[JourneyEvent]:
    """The events in order (by day, then as written); a malformed one raises ScriptError."""
    raw = data.get("script")
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        raise ScriptError("bluesoft.json: `script` must be a list of events")
    events: list[JourneyEvent] = []
    per_day: dict[int, int] = {}
    last_day: int | None = None
    for index, item in enumerate(raw):
        where = f"bluesoft.json script event {index + 1}"
        if not isinstance(item, Mapping):
            raise ScriptError(f"{where}: an event must be an object")
        kind = item.get("do")
        if kind not in KINDS:
            raise ScriptError(f"{where}: `do` must be one of {', '.join(KINDS)} (got {kind!r})")
        missing = [name for name in _REQUIRED[kind] if item.get(name) in (None, "", [])]
        if missing:
            raise ScriptError(f"{where} ({kind}): missing {', '.join(missing)}")
        day = item.get("day")
        if not isinstance(day, int) or isinstance(day, bool):
            raise ScriptError(f"{where}: `day` must be a whole number of days from D")
        if last_day is not None and day < last_day:
            raise ScriptError(f"{where}: day {day} comes before the previous event's {last_day}")
        last_day = day
        position = per_day.get(day, 0)
        per_day[day] = position + 1
        events.append(
            JourneyEvent(
                index=index,
                day=day,
                time=_time(item.get("at"), position, where),
                kind=str(kind),
                by=_text(item.get("by")),
                workflow=_text(item.get("workflow")),
                step=_text(item.get("step")),
                route=_text(item.get("route")),
                action=_text(item.get("action")),
                title=_text(item.get("title")),
                reason=_text(item.get("reason")),
                narration=_text(item.get("narration")),
                fields={k: v for k, v in item.items() if k not in _COMMON},
            )
        )
    return events


_COMMON = frozenset(
    {"do", "day", "at", "by", "workflow", "step", "route", "action", "title", "reason", "narration"}
)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _time(value: Any, position: int, where: str) -> dt.time:
    """`at` ("HH:MM"), else 08:00 and ten minutes more for each earlier event that day."""
    if value is None:
        start = dt.datetime.combine(dt.date(2000, 1, 1), FIRST_EVENT_TIME)
        return (start + position * EVENT_SPACING).time()
    try:
        return dt.time.fromisoformat(str(value))
    except ValueError:
        raise ScriptError(f"{where}: `at` must be HH:MM (got {value!r})") from None


def events_through(events: Sequence[JourneyEvent], renewal_day: dt.date, day: dt.date) -> int:
    """How many of the events happened on or before `day` (they are in order)."""
    return sum(1 for e in events if e.date(renewal_day) <= day)
