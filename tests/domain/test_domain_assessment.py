"""One decision of a customer's stage and scores (issue 12 §2): `stages.renewal_stage` and
`assessment.assess`, and the label scale's words."""

from __future__ import annotations

from typing import Any

import pytest

from renubu_tui.domain.assessment import CustomerDay, assess
from renubu_tui.domain.config import ConfigError, DomainConfig, default_config_dict
from renubu_tui.domain.determination import CustomerFacts
from renubu_tui.domain.enums import AccountPlan, Experience, WorkflowType
from renubu_tui.domain.stages import RunningRenewal, renewal_stage

CFG = DomainConfig.default()
CRITICAL_RUN = RunningRenewal("Critical renewal (7-14 days)", 7, 14)
SIGNATURE_RUN = RunningRenewal("Signature renewal (15-30 days)", 15, 30)


def _bluesoft(running: RunningRenewal | None) -> CustomerDay:
    """Bluesoft at D−15: 15 days out, $180k, expand, a senior CSM with one open workflow."""
    return CustomerDay(
        facts=CustomerFacts(
            days_until_renewal=15,
            arr=180000,
            health=74,
            plan=AccountPlan.EXPAND,
            opportunity_score=76,
            risk_score=28,
        ),
        experience=Experience.SENIOR,
        active_workflows=1,
        running_renewal=running,
    )


# --- the stage --------------------------------------------------------------------------------


def test_a_running_workflow_more_urgent_than_the_days_raises_the_stage() -> None:
    call = renewal_stage(15, CRITICAL_RUN, CFG.stages)
    assert (call.name, call.by_days and call.by_days.name) == ("Critical", "Signature")
    assert call.raised_by == CRITICAL_RUN
    assert call.why() == (
        "Critical stage, not Signature by its days: the Critical renewal (7-14 days) workflow "
        "is already running"
    )


@pytest.mark.parametrize(
    ("days", "running", "stage"),
    [
        (15, None, "Signature"),
        (15, SIGNATURE_RUN, "Signature"),  # the workflow of its own days
        (10, SIGNATURE_RUN, "Critical"),  # a workflow left behind never lowers the stage
        (-3, CRITICAL_RUN, "Overdue"),
        (200, RunningRenewal("No trigger"), "Monitor"),  # a workflow without a range: no effect
    ],
)
def test_otherwise_the_days_decide(days: int, running: RunningRenewal | None, stage: str) -> None:
    call = renewal_stage(days, running, CFG.stages)
    assert call.name == stage and call.raised_by is None and call.why() is None


# --- one assessment for every view -----------------------------------------------------------


def test_every_type_of_the_customer_reads_one_stage_and_says_why() -> None:
    """Bluesoft's bug: the queue said Critical and 255, the context Signature and 200."""
    result = assess(_bluesoft(CRITICAL_RUN), CFG)
    assert result.stage.name == "Critical"
    renewal = result.of(WorkflowType.RENEWAL)
    assert renewal.qualifies
    assert renewal.determination.reason == (
        "Renewal in 15 days (Critical stage, not Signature by its days: the Critical renewal "
        "(7-14 days) workflow is already running)."
    )
    assert renewal.breakdown is not None
    # (80 + 10) × 2.0 × 1.3 × 1.1 − 2 = 255.4
    assert renewal.breakdown.total == 255
    assert renewal.breakdown.factors[0].text.startswith(
        "Renewal stage Critical (raised from Signature"
    )
    assert renewal.breakdown.label == "Urgent"

    by_days = assess(_bluesoft(None), CFG).of(WorkflowType.RENEWAL)
    assert by_days.breakdown is not None and by_days.breakdown.total == 198  # 70 × 2.86 − 2
    assert "Signature stage" in by_days.determination.reason


def test_non_renewal_work_is_scored_without_the_stage() -> None:
    with_run = assess(_bluesoft(CRITICAL_RUN), CFG)
    without = assess(_bluesoft(None), CFG)
    for kind in (WorkflowType.STRATEGIC, WorkflowType.OPPORTUNITY):
        a, b = with_run.of(kind).breakdown, without.of(kind).breakdown
        assert a is not None and b is not None and a.total == b.total


def test_renewal_without_a_date_has_no_score() -> None:
    day = CustomerDay(facts=CustomerFacts(days_until_renewal=None, arr=50000))
    result = assess(day, CFG)
    assert result.stage.stage is None
    assert result.of(WorkflowType.RENEWAL).breakdown is None
    assert result.of(WorkflowType.STRATEGIC).breakdown is not None


# --- label words -------------------------------------------------------------------------------


def _error(data: dict[str, Any]) -> str:
    with pytest.raises(ConfigError) as info:
        DomainConfig.from_dict(data)
    return str(info.value)


def test_a_label_may_not_be_a_stage_name() -> None:
    data = default_config_dict()
    data["scoring"]["labels"][0]["label"] = "critical"
    assert _error(data).startswith(
        "scoring.labels[0].label: 'critical' is the name of the stage Critical"
    )
    data = default_config_dict()
    data["scoring"]["defaultLabel"] = "Monitor"
    assert _error(data).startswith("scoring.defaultLabel: 'Monitor' is the name of the stage")


def test_a_stage_may_not_be_renamed_to_a_label() -> None:
    data = default_config_dict()
    data["stages"][0]["name"] = "Urgent"
    assert "is the name of the stage Urgent" in _error(data)


def test_one_word_per_level() -> None:
    data = default_config_dict()
    data["scoring"]["labels"][1]["label"] = "Normal"
    assert _error(data) == "scoring.labels[2].label: 'Normal' labels two levels of the scale"
