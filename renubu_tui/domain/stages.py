"""Where a renewal stands in time (DOMAIN §1, §2).

All day arithmetic lives here so "days until renewal" means the same thing on every screen; the
caller passes `today` from the app's one clock, never the system date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from renubu_tui.domain._format import Number
from renubu_tui.domain.config import Stage


def stage_for_days(days: int | None, stages: Iterable[Stage]) -> Stage | None:
    """The stage whose inclusive day range holds `days`; None without a renewal date."""
    if days is None:
        return None
    return next((stage for stage in stages if stage.contains(days)), None)


def stage_urgency(stage: Stage | None) -> Number:
    """A stage's urgency; an unknown stage counts as 0 (§2)."""
    return 0 if stage is None else stage.urgency


def days_until_renewal(renewal_date: dt.date | None, today: dt.date) -> int | None:
    """Whole days from today to the renewal; negative when overdue, None without a date."""
    if renewal_date is None:
        return None
    return (renewal_date - today).days


def days_overdue(days_until: int | None) -> int | None:
    """Days past the renewal date (0 when not yet due), from days_until_renewal()."""
    return None if days_until is None else max(0, -days_until)


def hours_until_renewal(days_until: int | None) -> int | None:
    """24 × days until renewal (§1: whole days, not clock hours), from days_until_renewal()."""
    return None if days_until is None else 24 * days_until


def effective_stage_days(days: int | None, running_workflow_day: int | None) -> int | None:
    """The day a renewal's stage is read at: the more urgent of its own days and the stage of
    the renewal workflow running for it (one started early, e.g. Critical at 15 days because
    signatures stall). Urgency rises as the renewal nears, so "more urgent" is the smaller day.
    `running_workflow_day` is the workflow's trigger maximum (or minimum when it has none).
    """
    if running_workflow_day is None:
        return days
    if days is None or running_workflow_day < days:
        return running_workflow_day
    return days
