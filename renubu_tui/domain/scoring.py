"""The priority score and its explanation (domain.md §5).

score = round_half_up((base + stage_bonus) × arr_mult × plan_mult × exp_mult + workload_penalty)

The arithmetic runs in Decimal on the figures as written (1.1 is 1.1), so a product that is
exactly x.5 on paper rounds up here too; floats would turn some of them into x.4999….

Explanation format. `factors` lists the base and every non-neutral factor (bonus ≠ 0,
multiplier ≠ 1, penalty ≠ 0) with a sentence. `formula_line` always shows all five terms:
integers and decimals in minimal form, multipliers with at least one decimal, the penalty's sign
folded into the operator with a real minus sign:

    (90 + 15) × 2.0 × 1.5 × 1.1 − 10 = 337
    (50 + 0) × 1.0 × 1.0 × 1.0 + 0 = 50
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from renubu_tui.domain import _format as fmt
from renubu_tui.domain._format import Number, dec
from renubu_tui.domain.config import DomainConfig, ScoringWeights, Stage
from renubu_tui.domain.enums import AccountPlan, Experience, WorkflowType
from renubu_tui.domain.plans import parse_plan

__all__ = [
    "Factor",
    "ScoreBreakdown",
    "ScoreInputs",
    "label",
    "label_rank",
    "round_half_up",
    "round_half_up_places",
    "score",
]

MINUS = "\u2212"
_HALF = Decimal("0.5")


def round_half_up(x: Number | Decimal) -> int:
    """Nearest integer, halves toward +∞ (JS Math.round, which the old app used): 336.5 → 337.

    Floats go through str() first, so 2.675 is treated as the 2.675 it prints as.
    """
    return int((dec(x) + _HALF).to_integral_value(rounding=ROUND_FLOOR))


def round_half_up_places(x: Number | Decimal, places: int) -> Decimal:
    """round_half_up to `places` decimals: 2.675 → 2.68 (where round(2.675, 2) gives 2.67)."""
    scaled = (dec(x).scaleb(places) + _HALF).to_integral_value(rounding=ROUND_FLOOR)
    return scaled.scaleb(-places)


@dataclass(frozen=True)
class ScoreInputs:
    """One (customer, workflow type) to score; None means unknown and counts as neutral."""

    workflow_type: WorkflowType
    stage: Stage | None = None  # the customer's stage (stages.renewal_stage)
    arr: Number | None = None
    plan: AccountPlan | None = None  # the effective plan
    experience: Experience | None = None  # of the owning CSM
    active_workflows: int = 0  # the owning CSM's open workflows (their workload), any customer
    opportunity_score: Number | None = None
    risk_score: Number | None = None
    raised_from: Stage | None = None  # the days' own stage, when a running workflow raised it


@dataclass(frozen=True)
class Factor:
    """One term of the score: `name` is a stable key, `text` the sentence a person reads."""

    name: str  # base | stage_bonus | arr | plan | experience | workload
    value: float
    text: str


@dataclass(frozen=True)
class ScoreBreakdown:
    """A score with every term, so the queue can answer "why is this here"."""

    base: float
    stage_bonus: float
    arr_mult: float
    plan_mult: float
    exp_mult: float
    workload_penalty: float
    raw: float
    total: int
    label: str
    factors: tuple[Factor, ...]
    formula_line: str
    label_rank: int = 0  # 0 for the scale's top label, one more per step down (for colours)


def label(total: Number, scoring: ScoringWeights | None = None) -> str:
    """The configured label of a score: the first threshold it reaches, highest first (by
    default Urgent ≥ 200, High ≥ 120, Normal ≥ 60, else Low); a higher score never gets a lower
    label because the thresholds are validated to be strictly descending."""
    weights = scoring or DomainConfig.default().scoring
    return _label_at(total, weights)[1]


def label_rank(total: Number, scoring: ScoringWeights | None = None) -> int:
    """The label's position on the scale, 0 at the top: screens colour by rank, not by word,
    so a renamed scale keeps its colours."""
    weights = scoring or DomainConfig.default().scoring
    return _label_at(total, weights)[0]


def _label_at(total: Number, weights: ScoringWeights) -> tuple[int, str]:
    for rank, rule in enumerate(weights.labels):
        if total >= rule.min_score:
            return rank, rule.label
    return len(weights.labels), weights.default_label


def score(inputs: ScoreInputs, config: DomainConfig | None = None) -> ScoreBreakdown:
    """Score one row of work and explain it."""
    weights = (config or DomainConfig.default()).scoring
    kind = WorkflowType(inputs.workflow_type)  # also accepts the stored string
    plan = parse_plan(inputs.plan)
    factors: list[Factor] = []

    base, base_text = _base(kind, inputs, plan, weights)
    factors.append(Factor("base", float(base), base_text))

    bonus = Decimal(0)
    if kind is WorkflowType.RENEWAL and inputs.stage is not None:
        bonus = dec(inputs.stage.bonus)
        if bonus:
            text = f"{inputs.stage.name} stage bonus → {_signed(bonus)}"
            factors.append(Factor("stage_bonus", float(bonus), text))

    arr_mult = Decimal(1)
    if inputs.arr is not None:
        for tier in weights.arr_tiers:
            if inputs.arr >= tier.min_arr:
                arr_mult = dec(tier.multiplier)
                if arr_mult != 1:
                    text = (
                        f"ARR {fmt.money(inputs.arr)} ≥ {fmt.money(tier.min_arr)} "
                        f"→ ×{fmt.mult(arr_mult)}"
                    )
                    factors.append(Factor("arr", float(arr_mult), text))
                break

    plan_mult = Decimal(1)
    if plan is not None:
        plan_mult = dec(weights.plan_multipliers.get(plan, 1))
        if plan_mult != 1:
            text = f"Account plan {plan.value} → ×{fmt.mult(plan_mult)}"
            factors.append(Factor("plan", float(plan_mult), text))

    exp_mult = Decimal(1)
    experience = Experience(inputs.experience) if inputs.experience else None
    if experience is not None:
        exp_mult = dec(weights.experience_multipliers.get(experience, 1))
        if exp_mult != 1:
            text = f"CSM experience {experience.value} → ×{fmt.mult(exp_mult)}"
            factors.append(Factor("experience", float(exp_mult), text))

    per = dec(weights.workload_penalty_per_workflow)
    penalty = per * inputs.active_workflows
    if penalty:
        # The CSM's workload, not this customer's: say so (a customer with no workflow has it too).
        text = (
            f"CSM workload: {inputs.active_workflows} open "
            f"{'workflow' if inputs.active_workflows == 1 else 'workflows'} "
            f"({_minus(fmt.num(per))} each) → {_signed(penalty)}"
        )
        factors.append(Factor("workload", float(penalty), text))

    raw = (base + bonus) * arr_mult * plan_mult * exp_mult + penalty
    total = round_half_up(raw)
    rank, word = _label_at(total, weights)
    operator = "+" if penalty >= 0 else MINUS
    formula = (
        f"({fmt.num(base)} + {fmt.num(bonus)}) × {fmt.mult(arr_mult)} × {fmt.mult(plan_mult)}"
        f" × {fmt.mult(exp_mult)} {operator} {fmt.num(abs(penalty))} = {total}"
    )
    return ScoreBreakdown(
        base=float(base),
        stage_bonus=float(bonus),
        arr_mult=float(arr_mult),
        plan_mult=float(plan_mult),
        exp_mult=float(exp_mult),
        workload_penalty=float(penalty),
        raw=float(raw),
        total=total,
        label=word,
        factors=tuple(factors),
        formula_line=formula,
        label_rank=rank,
    )


def _base(
    kind: WorkflowType, inputs: ScoreInputs, plan: AccountPlan | None, weights: ScoringWeights
) -> tuple[Decimal, str]:
    if kind is WorkflowType.RENEWAL:
        stage = inputs.stage
        if stage is None:
            return Decimal(0), "Renewal stage unknown → base 0"
        value = dec(stage.urgency)
        if inputs.raised_from is not None and inputs.raised_from != stage:
            why = f"raised from {inputs.raised_from.name}: a {stage.name} workflow is running"
            return value, f"Renewal stage {stage.name} ({why}) → base {fmt.num(value)}"
        return value, f"Renewal stage {stage.name} ({stage.range_text}) → base {fmt.num(value)}"
    if kind is WorkflowType.STRATEGIC:
        default = weights.strategic_base_default
        value = dec(weights.strategic_base.get(plan, default) if plan is not None else default)
        who = f"plan {plan.value}" if plan is not None else "no plan"
        return value, f"Strategic work, {who} → base {fmt.num(value)}"
    if kind is WorkflowType.OPPORTUNITY:
        linear, points, name = weights.opportunity_base, inputs.opportunity_score, "Opportunity"
    else:
        linear, points, name = weights.risk_base, inputs.risk_score, "Risk"
    b, per = dec(linear.base), dec(linear.per_point)
    if points is None:
        return b, f"No {name.lower()} score → base {fmt.num(b)}"
    value = b + per * dec(points)
    text = (
        f"{name} score {fmt.num(points)} → base {fmt.num(b)} + {fmt.num(per)} × "
        f"{fmt.num(points)} = {fmt.num(value)}"
    )
    return value, text


def _minus(text: str) -> str:
    return MINUS + text[1:] if text.startswith("-") else text


def _signed(x: Decimal) -> str:
    return f"+{fmt.num(x)}" if x >= 0 else _minus(fmt.num(x))
