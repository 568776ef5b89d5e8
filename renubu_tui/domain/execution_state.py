"""The life of an execution (domain.md §10) as a table of allowed moves.

not_started → in_progress → completed | rejected | lost; in_progress ↔ snoozed;
in_progress → escalated → in_progress (new owner); skipped is final. Anything else is refused with
a sentence, so no code path can leave an execution in a state the product cannot show.
`in_words` says the same refusal to a person (no state codes), since it reaches a toast.
"""

from __future__ import annotations

import datetime as dt

TRANSITIONS: dict[str, frozenset[str]] = {
    "not_started": frozenset({"in_progress", "skipped"}),
    "in_progress": frozenset({"completed", "rejected", "lost", "snoozed", "escalated", "skipped"}),
    "snoozed": frozenset({"in_progress"}),
    "escalated": frozenset({"in_progress"}),
    "completed": frozenset(),
    "rejected": frozenset(),
    "lost": frozenset(),
    "skipped": frozenset(),
}
FINAL = frozenset(s for s, moves in TRANSITIONS.items() if not moves)

# How a person says each state ("This renewal …") and each move ("… before escalating").
STATE_WORDS = {
    "not_started": "has not started yet",
    "in_progress": "is in progress",
    "snoozed": "is snoozed",
    "escalated": "is already escalated",
    "completed": "is already completed",
    "rejected": "was closed as rejected",
    "lost": "was closed as lost",
    "skipped": "was skipped",
}
MOVE_WORDS = {
    "in_progress": "pick it up",
    "snoozed": "snooze",
    "escalated": "escalate",
    "skipped": "skip",
    "completed": "complete",
    "rejected": "close",
    "lost": "close",
}
_GERUNDS = {"pick it up": "picking it up", "skip": "skipping", "run": "running"}
_PARTICIPLES = {"pick it up": "picked up", "skip": "skipped", "run": "run"}


class TransitionError(ValueError):
    """A move the state machine does not allow (`current` → `target`)."""

    def __init__(self, message: str, current: str = "", target: str = "") -> None:
        super().__init__(message)
        self.current = current
        self.target = target


def check_transition(current: str, target: str) -> None:
    if current not in TRANSITIONS:
        raise TransitionError(f"unknown execution status {current!r}", current, target)
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "nothing (it is final)"
        raise TransitionError(
            f"an execution that is {current} cannot become {target} (allowed: {allowed})",
            current,
            target,
        )


def _gerund(verb: str) -> str:
    return _GERUNDS.get(verb) or (verb[:-1] if verb.endswith("e") else verb) + "ing"


def _participle(verb: str) -> str:
    return _PARTICIPLES.get(verb) or (verb + "d" if verb.endswith("e") else verb + "ed")


def in_words(
    current: str,
    target: str,
    *,
    subject: str = "This workflow",
    snoozed_until: dt.date | None = None,
    verb: str | None = None,
) -> str:
    """A refused move as one sentence for a person: what the work is now and what to do.

    "This renewal is snoozed until Wed 01 Oct; wake it before escalating". No state codes.
    `verb` says the move when it is no state change of its own (answering, running a step).
    """
    verb = verb or MOVE_WORDS.get(target, "change it")
    state = STATE_WORDS.get(current, "cannot change now")
    if current == "snoozed":
        until = f" until {snoozed_until:%a %d %b}" if snoozed_until else ""
        return f"{subject} {state}{until}; wake it before {_gerund(verb)}"
    if current == "escalated":
        if target == "escalated":
            return f"{subject} {state}; it is with the person it was escalated to"
        return f"{subject} {state}; it can be {_participle(verb)} once it is handed back"
    if current in FINAL:
        return f"{subject} {state}; there is nothing left to {verb}"
    if current == "not_started":
        return f"{subject} {state}; start it before you {verb} it"
    return f"{subject} {state}; it cannot be {_participle(verb)} now"
