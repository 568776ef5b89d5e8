"""The life of an execution (DOMAIN §10) as a table of allowed moves.

not_started → in_progress → completed | rejected | lost; in_progress ↔ snoozed;
in_progress → escalated → in_progress (new owner); skipped is final. Anything else is refused with
a sentence, so no code path can leave an execution in a state the product cannot show.
"""

from __future__ import annotations

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


class TransitionError(ValueError):
    """A move the state machine does not allow."""


def check_transition(current: str, target: str) -> None:
    if current not in TRANSITIONS:
        raise TransitionError(f"unknown execution status {current!r}")
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "nothing (it is final)"
        raise TransitionError(
            f"an execution that is {current} cannot become {target} (allowed: {allowed})"
        )
