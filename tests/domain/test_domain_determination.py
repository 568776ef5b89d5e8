"""Which work a customer needs and the reasons given (domain.md §4)."""

from __future__ import annotations

import pytest

from renubu_tui.domain.config import DomainConfig, default_config_dict
from renubu_tui.domain.determination import (
    CustomerFacts,
    Determination,
    WorkflowType,
    determine,
    qualifying,
)
from renubu_tui.domain.enums import AccountPlan


def _one(facts: CustomerFacts, kind: WorkflowType, **kw: bool) -> Determination:
    return next(d for d in determine(facts, **kw) if d.type is kind)


def test_all_types_reported_in_order() -> None:
    result = determine(CustomerFacts(days_until_renewal=None))
    assert [d.type for d in result] == [
        WorkflowType.RENEWAL,
        WorkflowType.STRATEGIC,
        WorkflowType.OPPORTUNITY,
        WorkflowType.RISK,
    ]
    assert not any(d.qualifies for d in result)
    assert all(d.reason.startswith("none: ") for d in result)


def test_full_customer() -> None:
    facts = CustomerFacts(
        days_until_renewal=5,
        arr=180000,
        health=73,
        plan=AccountPlan.EXPAND,
        opportunity_score=80,
        risk_score=30,
    )
    result = determine(facts, DomainConfig.default())
    assert [(d.qualifies, d.reason) for d in result] == [
        (True, "Renewal in 5 days (Emergency stage)."),
        (True, "Account plan expand is strategic (invest, expand)."),
        (True, "Opportunity score 80 ≥ 70."),
        (False, "none: risk score 30 is below 60."),
    ]
    assert qualifying(result) == [
        WorkflowType.RENEWAL,
        WorkflowType.STRATEGIC,
        WorkflowType.OPPORTUNITY,
    ]


@pytest.mark.parametrize(
    ("days", "qualifies", "reason"),
    [
        (1, True, "Renewal in 1 day (Emergency stage)."),
        (0, True, "Renewal is due today (Emergency stage)."),
        (-1, True, "Renewal is 1 day overdue (Overdue stage)."),
        (-29, True, "Renewal is 29 days overdue (Overdue stage)."),
        (
            -30,
            False,
            "none: renewal is 30 days overdue; no new renewal work is created 30 days or more "
            "after the renewal date.",
        ),
        (
            -45,
            False,
            "none: renewal is 45 days overdue; no new renewal work is created 30 days or more "
            "after the renewal date.",
        ),
        (400, True, "Renewal in 400 days (Monitor stage)."),
        (None, False, "none: no renewal date."),
    ],
)
def test_renewal(days: int | None, qualifies: bool, reason: str) -> None:
    d = _one(CustomerFacts(days_until_renewal=days), WorkflowType.RENEWAL)
    assert (d.qualifies, d.reason) == (qualifies, reason)


@pytest.mark.parametrize("days", [-30, -31, -200])
def test_open_renewal_is_kept_past_thirty_days(days: int) -> None:
    d = _one(
        CustomerFacts(days_until_renewal=days),
        WorkflowType.RENEWAL,
        has_open_renewal_execution=True,
    )
    assert d.qualifies
    assert d.reason == (
        f"Renewal is {-days} days overdue (Overdue stage); kept because its renewal workflow "
        "is still open."
    )


def test_open_execution_flag_does_not_change_others() -> None:
    facts = CustomerFacts(days_until_renewal=-10)
    assert determine(facts, has_open_renewal_execution=True) == determine(facts)


def test_overdue_limit_is_configurable() -> None:
    data = default_config_dict()
    data["thresholds"]["renewalMaxDaysOverdue"] = 10
    cfg = DomainConfig.from_dict(data)
    assert not determine(CustomerFacts(days_until_renewal=-10), cfg)[0].qualifies
    assert determine(CustomerFacts(days_until_renewal=-9), cfg)[0].qualifies


def test_strategic_with_derived_plan() -> None:
    d = _one(CustomerFacts(None, arr=80000, health=65), WorkflowType.STRATEGIC)
    assert d.qualifies
    assert d.reason == (
        "Account plan invest (derived: ARR $80,000 > $50,000 and health 65 > 60) is strategic "
        "(invest, expand)."
    )


@pytest.mark.parametrize(
    ("facts", "reason"),
    [
        (
            CustomerFacts(None, plan=AccountPlan.MANAGE),
            "none: account plan manage is not strategic (invest, expand).",
        ),
        (
            CustomerFacts(None, arr=900000),
            "none: account plan manage (derived: no health score, so no health rule applies) "
            "is not strategic (invest, expand).",
        ),
    ],
)
def test_not_strategic(facts: CustomerFacts, reason: str) -> None:
    d = _one(facts, WorkflowType.STRATEGIC)
    assert (d.qualifies, d.reason) == (False, reason)


def test_set_plan_wins_over_derivation() -> None:
    facts = CustomerFacts(None, arr=900000, health=99, plan=AccountPlan.MONITOR)
    assert not _one(facts, WorkflowType.STRATEGIC).qualifies


@pytest.mark.parametrize(
    ("score", "qualifies", "reason"),
    [
        (70, True, "Opportunity score 70 ≥ 70."),
        (69.5, False, "none: opportunity score 69.5 is below 70."),
        (0, False, "none: opportunity score is 0."),
        (None, False, "none: no opportunity score."),
    ],
)
def test_opportunity(score: float | None, qualifies: bool, reason: str) -> None:
    d = _one(CustomerFacts(None, opportunity_score=score), WorkflowType.OPPORTUNITY)
    assert (d.qualifies, d.reason) == (qualifies, reason)


@pytest.mark.parametrize(
    ("score", "qualifies", "reason"),
    [
        (60, True, "Risk score 60 ≥ 60."),
        (59, False, "none: risk score 59 is below 60."),
        (0, False, "none: risk score is 0."),
        (None, False, "none: no risk score."),
    ],
)
def test_risk(score: float | None, qualifies: bool, reason: str) -> None:
    d = _one(CustomerFacts(None, risk_score=score), WorkflowType.RISK)
    assert (d.qualifies, d.reason) == (qualifies, reason)


def test_zero_never_qualifies_even_with_zero_threshold() -> None:
    data = default_config_dict()
    data["thresholds"]["opportunityScoreMin"] = 0
    data["thresholds"]["riskScoreMin"] = 0
    cfg = DomainConfig.from_dict(data)
    result = determine(CustomerFacts(None, opportunity_score=0, risk_score=0), cfg)
    assert qualifying(result) == []
    result = determine(CustomerFacts(None, opportunity_score=1, risk_score=1), cfg)
    assert qualifying(result) == [WorkflowType.OPPORTUNITY, WorkflowType.RISK]
