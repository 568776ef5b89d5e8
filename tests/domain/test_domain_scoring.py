"""The priority score, its rounding, labels and explanation (domain.md §5)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from renubu_tui.domain.config import DomainConfig, Stage, default_config_dict
from renubu_tui.domain.enums import AccountPlan, Experience, WorkflowType
from renubu_tui.domain.scoring import (
    ScoreInputs,
    label,
    label_rank,
    round_half_up,
    round_half_up_places,
    score,
)
from renubu_tui.domain.stages import stage_for_days

CFG = DomainConfig.default()
STAGES = CFG.stages
RENEWAL, STRATEGIC = WorkflowType.RENEWAL, WorkflowType.STRATEGIC
OPPORTUNITY, RISK = WorkflowType.OPPORTUNITY, WorkflowType.RISK


def _stage(days: int) -> Stage:
    stage = stage_for_days(days, STAGES)
    assert stage is not None
    return stage


# --- the worked example ---------------------------------------------------------------------


def test_domain_check_336_5_rounds_to_337() -> None:
    b = score(
        ScoreInputs(
            RENEWAL,
            stage=_stage(3),
            arr=180000,
            plan=AccountPlan.INVEST,
            experience=Experience.SENIOR,
            active_workflows=5,
        ),
        CFG,
    )
    assert (b.base, b.stage_bonus, b.arr_mult, b.plan_mult, b.exp_mult) == (90, 15, 2.0, 1.5, 1.1)
    assert b.workload_penalty == -10
    assert b.raw == 336.5
    assert b.total == 337
    assert b.label == "Urgent"
    assert b.formula_line == "(90 + 15) × 2.0 × 1.5 × 1.1 − 10 = 337"
    assert [(f.name, f.value, f.text) for f in b.factors] == [
        ("base", 90, "Renewal stage Emergency (0–6 days) → base 90"),
        ("stage_bonus", 15, "Emergency stage bonus → +15"),
        ("arr", 2.0, "ARR $180,000 ≥ $150,000 → ×2.0"),
        ("plan", 1.5, "Account plan invest → ×1.5"),
        ("experience", 1.1, "CSM experience senior → ×1.1"),
        ("workload", -10, "CSM workload: 5 open workflows (−2 each) → −10"),
    ]


def test_stored_strings_are_accepted() -> None:
    inputs = ScoreInputs("renewal", _stage(3), 180000, "invest", "senior", 5)  # type: ignore[arg-type]
    assert score(inputs).total == 337


# --- rounding --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "expected"),
    [
        (336.5, 337),
        (0.5, 1),
        (1.5, 2),
        (2.5, 3),  # round() would give 2
        (86.5, 87),  # round() would give 86
        (2.675, 3),
        (2.4999, 2),
        (-2.5, -2),  # halves go up, toward +∞, as JS Math.round
        (-2.6, -3),
        (7, 7),
        (Decimal("57.50"), 58),
    ],
)
def test_round_half_up(x: float, expected: int) -> None:
    assert round_half_up(x) == expected


def test_round_half_up_places_avoids_float_artefacts() -> None:
    assert round(2.675, 2) == 2.67  # the float artefact this guards against
    assert round_half_up_places(2.675, 2) == Decimal("2.68")
    assert round_half_up_places(1.005, 2) == Decimal("1.01")
    assert round_half_up_places(0.125, 2) == Decimal("0.13")


def test_half_from_opportunity_base_rounds_up() -> None:
    b = score(ScoreInputs(OPPORTUNITY, opportunity_score=73))  # 50 + 36.5 = 86.5
    assert (b.raw, b.total) == (86.5, 87)


def test_exact_half_in_a_product_is_not_lost_to_floats() -> None:
    assert 50 * 1.15 < 57.5  # in floats, 57.49999999999999
    data = default_config_dict()
    data["scoring"]["planMultipliers"]["monitor"] = 1.15
    cfg = DomainConfig.from_dict(data)
    b = score(ScoreInputs(STRATEGIC, plan=AccountPlan.MONITOR), cfg)
    assert (b.raw, b.total) == (57.5, 58)


# --- bases ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "base", "bonus"),
    [
        (-5, 100, 20),
        (0, 90, 15),
        (7, 80, 10),
        (15, 70, 0),
        (31, 60, 0),
        (61, 50, 0),
        (91, 40, 0),
        (120, 30, 0),
        (180, 20, 0),
    ],
)
def test_renewal_base_is_stage_urgency_plus_bonus(days: int, base: int, bonus: int) -> None:
    b = score(ScoreInputs(RENEWAL, stage=_stage(days)))
    assert (b.base, b.stage_bonus, b.total) == (base, bonus, base + bonus)


def test_renewal_with_unknown_stage() -> None:
    b = score(ScoreInputs(RENEWAL, stage=None))
    assert (b.base, b.total) == (0, 0)
    assert b.factors[0].text == "Renewal stage unknown → base 0"


@pytest.mark.parametrize(
    ("plan", "base"),
    [
        (AccountPlan.INVEST, 70),
        (AccountPlan.EXPAND, 60),
        (AccountPlan.MANAGE, 50),
        (AccountPlan.MONITOR, 50),
        (None, 50),
    ],
)
def test_strategic_base(plan: AccountPlan | None, base: int) -> None:
    assert score(ScoreInputs(STRATEGIC, plan=plan)).base == base


def test_stage_bonus_is_renewal_only() -> None:
    for kind in (STRATEGIC, OPPORTUNITY, RISK):
        b = score(ScoreInputs(kind, stage=_stage(0), opportunity_score=80, risk_score=80))
        assert b.stage_bonus == 0
        assert "stage_bonus" not in [f.name for f in b.factors]


@pytest.mark.parametrize(("points", "base"), [(70, 85), (80, 90), (100, 100), (None, 50)])
def test_opportunity_base(points: int | None, base: float) -> None:
    assert score(ScoreInputs(OPPORTUNITY, opportunity_score=points)).base == base


@pytest.mark.parametrize(("points", "base"), [(60, 96), (70, 102), (45, 87), (None, 60)])
def test_risk_base(points: int | None, base: float) -> None:
    assert score(ScoreInputs(RISK, risk_score=points)).base == base


def test_linear_base_explained() -> None:
    b = score(ScoreInputs(RISK, risk_score=70))
    assert b.factors[0].text == "Risk score 70 → base 60 + 0.6 × 70 = 102"
    b = score(ScoreInputs(OPPORTUNITY))
    assert b.factors[0].text == "No opportunity score → base 50"


# --- multipliers and penalty ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arr", "mult"),
    [
        (1_000_000, 2.0),
        (150000, 2.0),
        (149999.99, 1.5),
        (100000, 1.5),
        (99999, 1.0),
        (0, 1.0),
        (None, 1.0),
    ],
)
def test_arr_multiplier(arr: float | None, mult: float) -> None:
    assert score(ScoreInputs(STRATEGIC, arr=arr)).arr_mult == mult


@pytest.mark.parametrize(
    ("plan", "mult"),
    [
        (AccountPlan.INVEST, 1.5),
        (AccountPlan.EXPAND, 1.3),
        (AccountPlan.MANAGE, 1.0),
        (AccountPlan.MONITOR, 0.8),
        (None, 1.0),
    ],
)
def test_plan_multiplier_for_every_type(plan: AccountPlan | None, mult: float) -> None:
    for kind in WorkflowType:
        assert score(ScoreInputs(kind, stage=_stage(20), plan=plan)).plan_mult == mult


@pytest.mark.parametrize(
    ("experience", "mult"),
    [
        (Experience.EXPERT, 1.2),
        (Experience.SENIOR, 1.1),
        (Experience.MID, 1.0),
        (Experience.JUNIOR, 0.9),
        (None, 1.0),
    ],
)
def test_experience_multiplier(experience: Experience | None, mult: float) -> None:
    assert score(ScoreInputs(RISK, risk_score=60, experience=experience)).exp_mult == mult


@pytest.mark.parametrize(("active", "penalty", "total"), [(0, 0, 70), (1, -2, 68), (5, -10, 60)])
def test_workload_penalty(active: int, penalty: int, total: int) -> None:
    b = score(ScoreInputs(RENEWAL, stage=_stage(20), active_workflows=active))
    assert (b.workload_penalty, b.total) == (penalty, total)


def test_one_workflow_reads_singular() -> None:
    b = score(ScoreInputs(STRATEGIC, active_workflows=1))
    assert b.factors[-1].text == "CSM workload: 1 open workflow (−2 each) → −2"


def test_the_workload_factor_says_it_is_the_csms() -> None:
    """The penalty is the CSM's open workflows (any customer's), so a customer with no
    workflow of its own shows it too: the factor must not read as this customer's workflows."""
    b = score(ScoreInputs(RENEWAL, stage=_stage(20), active_workflows=3))
    workload = next(f for f in b.factors if f.name == "workload")
    assert workload.text.startswith("CSM workload: 3 open workflows")
    assert "active workflow" not in workload.text


def test_a_raised_stage_says_why_in_its_base() -> None:
    """A renewal whose running workflow is more urgent than its days (Critical at 15 days)
    says so where the base is explained, instead of a range its days are not in."""
    b = score(ScoreInputs(RENEWAL, stage=_stage(10), raised_from=_stage(15)))
    assert b.factors[0].text == (
        "Renewal stage Critical (raised from Signature: a Critical workflow is running) → base 80"
    )
    plain = score(ScoreInputs(RENEWAL, stage=_stage(10)))
    assert plain.factors[0].text == "Renewal stage Critical (7–14 days) → base 80"
    assert b.total == plain.total


# --- labels -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "name"),
    [
        (337, "Urgent"),
        (200, "Urgent"),
        (199, "High"),
        (120, "High"),
        (119, "Normal"),
        (60, "Normal"),
        (59, "Low"),
        (-3, "Low"),
    ],
)
def test_labels(total: int, name: str) -> None:
    assert label(total) == name
    assert label(total, CFG.scoring) == name


def test_no_label_is_a_stage_name() -> None:
    stages = {s.name.casefold() for s in STAGES}
    words = [rule.label for rule in CFG.scoring.labels] + [CFG.scoring.default_label]
    assert not stages & {w.casefold() for w in words}


@given(st.integers(-50, 600), st.integers(-50, 600))
def test_a_higher_score_never_gets_a_lower_label(a: int, b: int) -> None:
    low, high = sorted((a, b))
    assert label_rank(high) <= label_rank(low)
    assert score(ScoreInputs(STRATEGIC)).label_rank == label_rank(50)


# --- explanations -----------------------------------------------------------------------------


def test_neutral_factors_are_omitted() -> None:
    b = score(
        ScoreInputs(
            RENEWAL,
            stage=_stage(20),
            arr=99999,
            plan=AccountPlan.MANAGE,
            experience=Experience.MID,
            active_workflows=0,
        )
    )
    assert [f.name for f in b.factors] == ["base"]
    assert b.formula_line == "(70 + 0) × 1.0 × 1.0 × 1.0 + 0 = 70"
    assert (b.total, b.label) == (70, "Normal")


def test_formula_line_with_decimals_and_shrinking_factors() -> None:
    b = score(
        ScoreInputs(
            OPPORTUNITY,
            arr=120000,
            plan=AccountPlan.MONITOR,
            experience=Experience.JUNIOR,
            active_workflows=2,
            opportunity_score=75,
        )
    )
    # 87.5 × 1.5 × 0.8 × 0.9 − 4 = 90.5 → 91
    assert b.formula_line == "(87.5 + 0) × 1.5 × 0.8 × 0.9 − 4 = 91"
    assert [f.text for f in b.factors] == [
        "Opportunity score 75 → base 50 + 0.5 × 75 = 87.5",
        "ARR $120,000 ≥ $100,000 → ×1.5",
        "Account plan monitor → ×0.8",
        "CSM experience junior → ×0.9",
        "CSM workload: 2 open workflows (−2 each) → −4",
    ]


# --- properties -------------------------------------------------------------------------------

PLANS_BY_WEIGHT = sorted(AccountPlan, key=lambda p: CFG.scoring.plan_multipliers[p])
kinds = st.sampled_from(list(WorkflowType))
plans = st.sampled_from([*AccountPlan, None])
experiences = st.sampled_from([*Experience, None])
arrs = st.one_of(st.none(), st.integers(0, 2_000_000))
points = st.one_of(st.none(), st.integers(0, 100))
actives = st.integers(0, 40)


@given(
    st.integers(0, 200), st.integers(0, 200), st.integers(0, 30), arrs, plans, experiences, actives
)
def test_score_never_decreases_with_urgency(
    u1: int,
    u2: int,
    bonus: int,
    arr: int | None,
    plan: AccountPlan | None,
    exp: Experience | None,
    active: int,
) -> None:
    lo, hi = sorted((u1, u2))
    low = score(ScoreInputs(RENEWAL, Stage("A", 0, 9, lo, bonus), arr, plan, exp, active))
    high = score(ScoreInputs(RENEWAL, Stage("B", 0, 9, hi, bonus), arr, plan, exp, active))
    assert high.total >= low.total


@given(kinds, st.integers(-5, 400), arrs, arrs, plans, experiences, actives, points, points)
def test_score_never_decreases_with_arr(
    kind: WorkflowType,
    days: int,
    a1: int | None,
    a2: int | None,
    plan: AccountPlan | None,
    exp: Experience | None,
    active: int,
    opp: int | None,
    risk: int | None,
) -> None:
    lo, hi = sorted((a1 or 0, a2 or 0))
    stage = _stage(days)
    low = score(ScoreInputs(kind, stage, lo, plan, exp, active, opp, risk))
    high = score(ScoreInputs(kind, stage, hi, plan, exp, active, opp, risk))
    assert high.total >= low.total


@given(
    st.sampled_from([RENEWAL, OPPORTUNITY, RISK]),
    st.integers(-5, 400),
    st.integers(0, len(PLANS_BY_WEIGHT) - 1),
    st.integers(0, len(PLANS_BY_WEIGHT) - 1),
    arrs,
    experiences,
    actives,
    points,
    points,
)
def test_score_never_decreases_with_plan_weight(
    kind: WorkflowType,
    days: int,
    i: int,
    j: int,
    arr: int | None,
    exp: Experience | None,
    active: int,
    opp: int | None,
    risk: int | None,
) -> None:
    # Strategic is left out: there the plan also picks the base (invest 70 > expand 60).
    lo, hi = PLANS_BY_WEIGHT[min(i, j)], PLANS_BY_WEIGHT[max(i, j)]
    stage = _stage(days)
    low = score(ScoreInputs(kind, stage, arr, lo, exp, active, opp, risk))
    high = score(ScoreInputs(kind, stage, arr, hi, exp, active, opp, risk))
    assert high.total >= low.total


@given(kinds, st.integers(-400, 400), arrs, plans, experiences, actives, points, points)
def test_total_is_raw_rounded_half_up(
    kind: WorkflowType,
    days: int,
    arr: int | None,
    plan: AccountPlan | None,
    exp: Experience | None,
    active: int,
    opp: int | None,
    risk: int | None,
) -> None:
    b = score(ScoreInputs(kind, _stage(days), arr, plan, exp, active, opp, risk))
    assert b.total == round_half_up(b.raw)
    assert b.label == label(b.total)
    assert b.formula_line.endswith(f"= {b.total}")
    assert b.factors[0].name == "base"
