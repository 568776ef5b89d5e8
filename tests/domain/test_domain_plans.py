"""Account plan derivation at every rule edge (domain.md §3)."""

from __future__ import annotations

import pytest

from renubu_tui.domain.config import DomainConfig, default_config_dict
from renubu_tui.domain.plans import (
    AccountPlan,
    derive_plan,
    derive_plan_explained,
    effective_plan,
    parse_plan,
    war_room_recommended,
)

IN, E, MA, MO = AccountPlan.INVEST, AccountPlan.EXPAND, AccountPlan.MANAGE, AccountPlan.MONITOR


@pytest.mark.parametrize(
    ("arr", "health", "plan"),
    [
        (150001, 76, E),
        (150000, 76, IN),  # ARR must be above 150000 for expand; falls to invest
        (150001, 75, IN),  # health must be above 75
        (50001, 61, IN),
        (50000, 61, MA),  # ARR must be above 50000
        (50001, 60, MA),  # health must be above 60
        (200000, 49, MO),
        (200000, 50, MA),  # exactly 50 is not below 50
        (10000, 49.9, MO),
        (10000, 55, MA),
        (None, 80, MA),  # missing ARR counts as 0
        (None, 40, MO),
        (500000, None, MA),  # missing health skips every health rule
        (None, None, MA),
    ],
)
def test_derive_plan_edges(arr: float | None, health: float | None, plan: AccountPlan) -> None:
    assert derive_plan(arr, health) is plan


def test_derive_explains() -> None:
    assert derive_plan_explained(180000, 80) == (
        E,
        "ARR $180,000 > $150,000 and health 80 > 75",
    )
    assert derive_plan_explained(1000, None)[1] == "no health score, so no health rule applies"
    assert derive_plan_explained(1000, 45)[1] == "health 45 < 50"
    assert derive_plan_explained(None, 55)[1] == "no rule matched ARR $0 and health 55"


def test_derive_uses_configured_thresholds() -> None:
    data = default_config_dict()
    data["thresholds"]["planRules"]["fallback"] = "monitor"
    data["thresholds"]["planRules"]["expand"]["arrAbove"] = 1000
    t = DomainConfig.from_dict(data).thresholds
    assert derive_plan(2000, 80, t) is E
    assert derive_plan(0, 55, t) is MO


def test_effective_plan_keeps_a_set_plan() -> None:
    assert effective_plan(MO, 500000, 99) is MO
    assert effective_plan("invest", 0, 10) is IN
    assert effective_plan(None, 500000, 99) is E


def test_parse_plan() -> None:
    assert parse_plan(" Expand ") is E
    assert parse_plan("") is None
    assert parse_plan(None) is None
    with pytest.raises(ValueError, match="unknown account plan 'grow'"):
        parse_plan("grow")


@pytest.mark.parametrize(
    ("has_plan", "arr", "expected"),
    [
        (True, 50000, True),
        (True, 49999, False),
        (False, 99999, False),
        (False, 100000, True),
        (True, None, False),
    ],
)
def test_war_room(has_plan: bool, arr: float | None, expected: bool) -> None:
    assert war_room_recommended(has_plan, arr) is expected
