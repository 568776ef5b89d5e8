"""Stage lookup at every boundary and the day arithmetic (domain.md §1, §2)."""

from __future__ import annotations

import datetime as dt

import pytest

from renubu_tui.domain.config import DomainConfig
from renubu_tui.domain.stages import (
    days_overdue,
    days_until_renewal,
    hours_until_renewal,
    stage_for_days,
    stage_urgency,
)

STAGES = DomainConfig.default().stages


@pytest.mark.parametrize(
    ("days", "name", "urgency"),
    [
        (-365, "Overdue", 100),
        (-1, "Overdue", 100),
        (0, "Emergency", 90),
        (6, "Emergency", 90),
        (7, "Critical", 80),
        (14, "Critical", 80),
        (15, "Signature", 70),
        (30, "Signature", 70),
        (31, "Finalize", 60),
        (60, "Finalize", 60),
        (61, "Negotiate", 50),
        (90, "Negotiate", 50),
        (91, "Engage", 40),
        (119, "Engage", 40),
        (120, "Prepare", 30),
        (179, "Prepare", 30),
        (180, "Monitor", 20),
        (5000, "Monitor", 20),
    ],
)
def test_stage_boundaries(days: int, name: str, urgency: int) -> None:
    stage = stage_for_days(days, STAGES)
    assert stage is not None
    assert stage.name == name
    assert stage_urgency(stage) == urgency


def test_no_renewal_date_has_no_stage() -> None:
    assert stage_for_days(None, STAGES) is None
    assert stage_urgency(None) == 0


def test_every_day_has_exactly_one_stage() -> None:
    for days in range(-400, 400):
        assert sum(stage.contains(days) for stage in STAGES) == 1


def test_range_text() -> None:
    assert [s.range_text for s in STAGES[:2]] == ["< 0 days", "0–6 days"]
    assert STAGES[-1].range_text == "≥ 180 days"


def test_days_until_renewal() -> None:
    today = dt.date(2025, 10, 9)
    assert days_until_renewal(dt.date(2025, 10, 9), today) == 0
    assert days_until_renewal(dt.date(2025, 10, 14), today) == 5
    assert days_until_renewal(dt.date(2025, 9, 9), today) == -30
    assert days_until_renewal(None, today) is None


def test_days_overdue_and_hours() -> None:
    assert days_overdue(-12) == 12
    assert days_overdue(0) == 0
    assert days_overdue(5) == 0
    assert days_overdue(None) is None
    assert hours_until_renewal(5) == 120
    assert hours_until_renewal(-2) == -48
    assert hours_until_renewal(None) is None
