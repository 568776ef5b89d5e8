"""Where a renewal stands in time (domain.md §1, §2).

All day arithmetic lives here so "days until renewal" means the same thing on every screen; the
caller passes `today` from the app's one clock, never the system date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

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


@dataclass(frozen=True)
class RunningRenewal:
    """The renewal workflow open for a customer on the day (the newest one started).

    Its trigger range says which stage it was written for; a workflow started early (the Critical
    one at 15 days because signatures stall) makes the renewal that urgent before its days do.
    """

    name: str
    min_days: int | None = None
    max_days: int | None = None

    @property
    def stage_day(self) -> int | None:
        """The day its stage is read at: the trigger's maximum, else its minimum."""
        return self.max_days if self.max_days is not None else self.min_days


@dataclass(frozen=True)
class StageCall:
    """A customer's renewal stage on one day, and why: the one stage every view shows."""

    stage: Stage | None  # what every screen shows; None without a renewal date or workflow
    by_days: Stage | None  # what the days until renewal alone give
    raised_by: RunningRenewal | None = None  # set when a running workflow made it more urgent

    @property
    def name(self) -> str | None:
        return None if self.stage is None else self.stage.name

    def why(self) -> str | None:
        """Why the stage is not the one of the days, in words; None when it is."""
        if self.raised_by is None or self.stage is None:
            return None
        days = self.by_days.name if self.by_days is not None else "none"
        return (
            f"{self.stage.name} stage, not {days} by its days: the {self.raised_by.name} "
            "workflow is already running"
        )


def renewal_stage(
    days: int | None, running: RunningRenewal | None, stages: Iterable[Stage]
) -> StageCall:
    """The stage of a customer's renewal: the more urgent of its days' stage and the stage of
    the renewal workflow running for it (see effective_stage_days). The queue's SQL applies the
    same rule; every other view calls this."""
    stages = tuple(stages)
    by_days = stage_for_days(days, stages)
    day = effective_stage_days(days, running.stage_day if running is not None else None)
    stage = stage_for_days(day, stages)
    raised = running if stage is not None and stage != by_days else None
    return StageCall(stage=stage, by_days=by_days, raised_by=raised)
