"""Domain configuration: stages, scoring weights and thresholds (domain.md §2, §4, §5).

The figures are data (seeds/config.json, editable in the app), so they are parsed and validated
here once, with the JSON key path in every error, and the rules then read typed, frozen objects.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from types import MappingProxyType
from typing import Any, TypeVar

from renubu_tui.domain._format import Number
from renubu_tui.domain.enums import AccountPlan, Experience


class ConfigError(ValueError):
    """The configuration is malformed; `path` is the JSON key path of the offending value.

    A number outside its range also carries the `value` and the `allowed` range, so that
    whoever reports it can say all three ("stages.Critical.urgency: 99999999999999999999 is
    out of range: 0 to 1,000").
    """

    def __init__(
        self, path: str, problem: str, *, value: object = None, allowed: Range | None = None
    ) -> None:
        self.path = path
        self.problem = problem
        self.value = value
        self.allowed = allowed
        super().__init__(f"{path}: {problem}" if path else problem)


@dataclass(frozen=True)
class Range:
    """The values a numeric setting may take: `low` to `high`, inclusive (`low` excluded when
    `above`: a multiplier must be positive); `whole` for days. docs/rules.md lists them."""

    low: Number
    high: Number
    above: bool = False
    whole: bool = False
    unit: str = ""

    def contains(self, value: Number) -> bool:
        over_low = value > self.low if self.above else value >= self.low
        return over_low and value <= self.high

    @property
    def text(self) -> str:
        """ "0 to 1,000", "above 0, up to 10", "-3,650 to 3,650 days"."""
        low, high = _figure(self.low), _figure(self.high)
        text = f"above {low}, up to {high}" if self.above else f"{low} to {high}"
        return f"{text} {self.unit}" if self.unit else text

    def violation(self, value: Number) -> str:
        """What is wrong with `value`, in the words the validator has always used."""
        if self.above and value <= self.low:
            if self.low == 0:
                return f"must be positive, got {value}"
            return f"must be more than {self.low}, got {value}"
        if value < self.low:
            return f"must be ≥ {self.low}, got {value}"
        return f"must be ≤ {self.high}, got {value}"


def _figure(value: Number) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:,g}"


DAYS = Range(-3650, 3650, whole=True, unit="days")
_POINTS = Range(0, 1000)
_PER_POINT = Range(0, 10)
_MULTIPLIER = Range(0, 10, above=True)
_ARR = Range(0, 1_000_000_000, unit="dollars")
_SCORE_0_100 = Range(0, 100)
_LIKELIHOOD = Range(0, 1)

RANGES: Mapping[str, Range] = MappingProxyType(
    {
        "stages[].minDays": DAYS,
        "stages[].maxDays": DAYS,
        "stages[].urgency": _POINTS,
        "stages[].bonus": _POINTS,
        "scoring.strategicBase.*": _POINTS,
        "scoring.opportunityBase.base": _POINTS,
        "scoring.opportunityBase.perPoint": _PER_POINT,
        "scoring.riskBase.base": _POINTS,
        "scoring.riskBase.perPoint": _PER_POINT,
        "scoring.arrMultipliers[].minArr": _ARR,
        "scoring.arrMultipliers[].multiplier": _MULTIPLIER,
        "scoring.planMultipliers.*": _MULTIPLIER,
        "scoring.experienceMultipliers.*": _MULTIPLIER,
        "scoring.workloadPenaltyPerWorkflow": Range(-1000, 0),
        "scoring.labels[].minScore": Range(-10_000_000, 10_000_000),
        "thresholds.renewalMaxDaysOverdue": Range(0, 3650, whole=True, unit="days"),
        "thresholds.opportunityScoreMin": _SCORE_0_100,
        "thresholds.riskScoreMin": _SCORE_0_100,
        "thresholds.planRules.expand.arrAbove": _ARR,
        "thresholds.planRules.expand.healthAbove": _SCORE_0_100,
        "thresholds.planRules.invest.arrAbove": _ARR,
        "thresholds.planRules.invest.healthAbove": _SCORE_0_100,
        "thresholds.planRules.monitor.healthBelow": _SCORE_0_100,
        "thresholds.warRoom.withPlanMinArr": _ARR,
        "thresholds.warRoom.minArr": _ARR,
        "thresholds.forecast.secured": _LIKELIHOOD,
        "thresholds.forecast.likely": _LIKELIHOOD,
        "thresholds.forecast.atRisk": _LIKELIHOOD,
        "thresholds.forecast.churned": _LIKELIHOOD,
        "thresholds.forecast.churnProbabilityMin": _SCORE_0_100,
    }
)
"""Every numeric setting's range, by key path (`[]` any list item, `*` any key).

Wide enough for any book a team could want (scores stay within ±10 million, far inside the
queue's 32-bit integer columns: (1,000 + 1,000) × 10 × 10 × 10 = 2 million at most, less 1,000
per open workflow), narrow enough that no value can overflow what stores or sorts scores.
"""


def range_for(path: str) -> Range | None:
    """The range of a key path as errors name it (`stages[2].urgency`), or None."""
    generic = re.sub(r"\[\d+\]", "[]", path)
    found = RANGES.get(generic)
    if found is None and "." in generic:
        found = RANGES.get(generic.rsplit(".", 1)[0] + ".*")
    return found


@dataclass(frozen=True)
class Stage:
    """A renewal stage: an inclusive range of days until renewal; None is an open bound."""

    name: str
    min_days: int | None
    max_days: int | None
    urgency: Number
    bonus: Number = 0

    def contains(self, days: int) -> bool:
        return (self.min_days is None or days >= self.min_days) and (
            self.max_days is None or days <= self.max_days
        )

    @property
    def range_text(self) -> str:
        """Human range for explanations: "0–6 days", "< 0 days", "≥ 180 days"."""
        if self.min_days is None and self.max_days is None:
            return "any day"
        if self.min_days is None:
            return f"< {self.max_days + 1} days" if self.max_days is not None else ""
        if self.max_days is None:
            return f"≥ {self.min_days} days"
        return f"{self.min_days}–{self.max_days} days"


@dataclass(frozen=True)
class ArrTier:
    """ARR at or above `min_arr` multiplies the score by `multiplier`."""

    min_arr: Number
    multiplier: Number


@dataclass(frozen=True)
class LabelRule:
    """A score at or above `min_score` gets `label`."""

    min_score: Number
    label: str


@dataclass(frozen=True)
class LinearBase:
    """A base of `base + per_point × score` (opportunity and risk work)."""

    base: Number
    per_point: Number


@dataclass(frozen=True)
class ScoringWeights:
    """The weights of the priority score (domain.md §5)."""

    strategic_base: Mapping[AccountPlan, Number]
    strategic_base_default: Number
    opportunity_base: LinearBase
    risk_base: LinearBase
    arr_tiers: tuple[ArrTier, ...]  # highest min_arr first
    plan_multipliers: Mapping[AccountPlan, Number]
    experience_multipliers: Mapping[Experience, Number]
    workload_penalty_per_workflow: Number
    labels: tuple[LabelRule, ...]  # highest min_score first
    default_label: str


@dataclass(frozen=True)
class PlanRules:
    """Plan derivation thresholds (domain.md §3); the comparisons are strict."""

    expand_arr_above: Number
    expand_health_above: Number
    invest_arr_above: Number
    invest_health_above: Number
    monitor_health_below: Number
    fallback: AccountPlan


@dataclass(frozen=True)
class WarRoom:
    """A war room is recommended with a plan and ARR ≥ with_plan_min_arr, or ARR ≥ min_arr."""

    with_plan_min_arr: Number
    min_arr: Number


@dataclass(frozen=True)
class ForecastLikelihood:
    """The renewal forecast's likelihood of each category (docs/domain.md §14) and the churn
    probability (%) from which a renewal is at risk; at risk also from `risk_score_min`."""

    secured: Number = 1.0
    likely: Number = 0.9
    at_risk: Number = 0.5
    churned: Number = 0.0
    churn_probability_min: Number = 30


@dataclass(frozen=True)
class Thresholds:
    """Which work a customer needs (domain.md §4) and the plan rules (§3)."""

    renewal_max_days_overdue: int
    strategic_account_plans: tuple[AccountPlan, ...]
    opportunity_score_min: Number
    risk_score_min: Number
    plan_rules: PlanRules
    war_room: WarRoom
    forecast: ForecastLikelihood = ForecastLikelihood()


@dataclass(frozen=True)
class DomainConfig:
    """Everything the rules read; build it with from_dict() or default()."""

    stages: tuple[Stage, ...]  # ascending by day, tiling the whole axis
    scoring: ScoringWeights
    thresholds: Thresholds

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DomainConfig:
        """Parse and validate the seeds/config.json shape; raises ConfigError."""
        r = _Reader(data, "")
        r.only("stages", "scoring", "thresholds")
        stages = _parse_stages(r.array("stages"))
        scoring = _parse_scoring(r.obj("scoring"))
        _check_label_words(scoring, stages)
        return cls(
            stages=stages, scoring=scoring, thresholds=_parse_thresholds(r.obj("thresholds"))
        )

    @classmethod
    def default(cls) -> DomainConfig:
        """The defaults of domain.md (the same figures as seeds/config.json)."""
        return _default_config()

    def to_dict(self) -> dict[str, Any]:
        """The seeds/config.json shape; from_dict(c.to_dict()) == c."""
        s, t = self.scoring, self.thresholds
        pr = t.plan_rules
        return {
            "stages": [
                {
                    "name": st.name,
                    "minDays": st.min_days,
                    "maxDays": st.max_days,
                    "urgency": st.urgency,
                    "bonus": st.bonus,
                }
                for st in self.stages
            ],
            "scoring": {
                "strategicBase": {
                    **{p.value: v for p, v in s.strategic_base.items()},
                    "default": s.strategic_base_default,
                },
                "opportunityBase": {
                    "base": s.opportunity_base.base,
                    "perPoint": s.opportunity_base.per_point,
                },
                "riskBase": {"base": s.risk_base.base, "perPoint": s.risk_base.per_point},
                "arrMultipliers": [
                    {"minArr": tier.min_arr, "multiplier": tier.multiplier} for tier in s.arr_tiers
                ],
                "planMultipliers": {p.value: v for p, v in s.plan_multipliers.items()},
                "experienceMultipliers": {e.value: v for e, v in s.experience_multipliers.items()},
                "workloadPenaltyPerWorkflow": s.workload_penalty_per_workflow,
                "labels": [{"minScore": lr.min_score, "label": lr.label} for lr in s.labels],
                "defaultLabel": s.default_label,
            },
            "thresholds": {
                "renewalMaxDaysOverdue": t.renewal_max_days_overdue,
                "strategicAccountPlans": [p.value for p in t.strategic_account_plans],
                "opportunityScoreMin": t.opportunity_score_min,
                "riskScoreMin": t.risk_score_min,
                "planRules": {
                    "expand": {
                        "arrAbove": pr.expand_arr_above,
                        "healthAbove": pr.expand_health_above,
                    },
                    "invest": {
                        "arrAbove": pr.invest_arr_above,
                        "healthAbove": pr.invest_health_above,
                    },
                    "monitor": {"healthBelow": pr.monitor_health_below},
                    "fallback": pr.fallback.value,
                },
                "warRoom": {
                    "withPlanMinArr": t.war_room.with_plan_min_arr,
                    "minArr": t.war_room.min_arr,
                },
                "forecast": {
                    "secured": t.forecast.secured,
                    "likely": t.forecast.likely,
                    "atRisk": t.forecast.at_risk,
                    "churned": t.forecast.churned,
                    "churnProbabilityMin": t.forecast.churn_probability_min,
                },
            },
        }


DEFAULT_FORECAST: Mapping[str, Any] = MappingProxyType(
    {"secured": 1.0, "likely": 0.9, "atRisk": 0.5, "churned": 0.0, "churnProbabilityMin": 30}
)
"""The forecast's likelihoods when the stored thresholds have none (stored before they
existed): docs/domain.md §14."""

DEFAULT_CONFIG: Mapping[str, Any] = MappingProxyType(
    {
        "stages": [
            {"name": "Overdue", "minDays": None, "maxDays": -1, "urgency": 100, "bonus": 20},
            {"name": "Emergency", "minDays": 0, "maxDays": 6, "urgency": 90, "bonus": 15},
            {"name": "Critical", "minDays": 7, "maxDays": 14, "urgency": 80, "bonus": 10},
            {"name": "Signature", "minDays": 15, "maxDays": 30, "urgency": 70, "bonus": 0},
            {"name": "Finalize", "minDays": 31, "maxDays": 60, "urgency": 60, "bonus": 0},
            {"name": "Negotiate", "minDays": 61, "maxDays": 90, "urgency": 50, "bonus": 0},
            {"name": "Engage", "minDays": 91, "maxDays": 119, "urgency": 40, "bonus": 0},
            {"name": "Prepare", "minDays": 120, "maxDays": 179, "urgency": 30, "bonus": 0},
            {"name": "Monitor", "minDays": 180, "maxDays": None, "urgency": 20, "bonus": 0},
        ],
        "scoring": {
            "strategicBase": {"invest": 70, "expand": 60, "default": 50},
            "opportunityBase": {"base": 50, "perPoint": 0.5},
            "riskBase": {"base": 60, "perPoint": 0.6},
            "arrMultipliers": [
                {"minArr": 150000, "multiplier": 2.0},
                {"minArr": 100000, "multiplier": 1.5},
            ],
            "planMultipliers": {"invest": 1.5, "expand": 1.3, "manage": 1.0, "monitor": 0.8},
            "experienceMultipliers": {"expert": 1.2, "senior": 1.1, "mid": 1.0, "junior": 0.9},
            "workloadPenaltyPerWorkflow": -2,
            # Spread the demo book (no label on more than half of its rows, everyone's or the
            # demo user's, on any milestone day) and never a stage's word: docs/rules.md.
            "labels": [
                {"minScore": 200, "label": "Urgent"},
                {"minScore": 120, "label": "High"},
                {"minScore": 60, "label": "Normal"},
            ],
            "defaultLabel": "Low",
        },
        "thresholds": {
            "renewalMaxDaysOverdue": 30,
            "strategicAccountPlans": ["invest", "expand"],
            "opportunityScoreMin": 70,
            "riskScoreMin": 60,
            "planRules": {
                "expand": {"arrAbove": 150000, "healthAbove": 75},
                "invest": {"arrAbove": 50000, "healthAbove": 60},
                "monitor": {"healthBelow": 50},
                "fallback": "manage",
            },
            "warRoom": {"withPlanMinArr": 50000, "minArr": 100000},
            "forecast": dict(DEFAULT_FORECAST),
        },
    }
)


def default_config_dict() -> dict[str, Any]:
    """A fresh, mutable copy of the default configuration (what seeds/config.json holds)."""
    return copy.deepcopy(dict(DEFAULT_CONFIG))


@cache
def _default_config() -> DomainConfig:
    return DomainConfig.from_dict(DEFAULT_CONFIG)


# --- parsing ---------------------------------------------------------------------------------


class _Reader:
    """Reads one JSON object, naming the key path in every error."""

    def __init__(self, data: object, path: str) -> None:
        if not isinstance(data, Mapping):
            raise ConfigError(path, f"must be an object, got {_kind(data)}")
        self.data = data
        self.path = path

    def at(self, key: str | int) -> str:
        if isinstance(key, int):
            return f"{self.path}[{key}]"
        return f"{self.path}.{key}" if self.path else key

    def only(self, *keys: str) -> None:
        for key in self.data:
            if key not in keys:
                raise ConfigError(
                    self.at(str(key)), f"unknown key (expected one of {', '.join(keys)})"
                )

    def get(self, key: str) -> object:
        if key not in self.data:
            raise ConfigError(self.at(key), "is required")
        return self.data[key]

    def obj(self, key: str) -> _Reader:
        return _Reader(self.get(key), self.at(key))

    def array(self, key: str) -> list[object]:
        value = self.get(key)
        if not isinstance(value, list | tuple):
            raise ConfigError(self.at(key), f"must be a list, got {_kind(value)}")
        return list(value)

    def number(self, key: str, allowed: Range) -> Number:
        """A finite number within `allowed` (RANGES)."""
        value = self.get(key)
        path = self.at(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(path, f"must be a number, got {_kind(value)}")
        if value != value or value in (float("inf"), float("-inf")):
            raise ConfigError(path, "must be a finite number")
        return _within(path, value, allowed)

    def int_or_none(self, key: str, allowed: Range) -> int | None:
        value = self.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(self.at(key), f"must be a whole number or null, got {_kind(value)}")
        return int(_within(self.at(key), value, allowed))

    def text(self, key: str) -> str:
        value = self.get(key)
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(self.at(key), "must be a non-empty string")
        return value


def _within(path: str, value: Number, allowed: Range) -> Number:
    if not allowed.contains(value):
        raise ConfigError(path, allowed.violation(value), value=value, allowed=allowed)
    return value


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


def _parse_stages(items: Sequence[object]) -> tuple[Stage, ...]:
    if not items:
        raise ConfigError("stages", "must list at least one stage")
    parsed: list[tuple[int, Stage]] = []
    names: set[str] = set()
    for i, item in enumerate(items):
        r = _Reader(item, f"stages[{i}]")
        r.only("name", "minDays", "maxDays", "urgency", "bonus")
        stage = Stage(
            name=r.text("name"),
            min_days=r.int_or_none("minDays", RANGES["stages[].minDays"]),
            max_days=r.int_or_none("maxDays", RANGES["stages[].maxDays"]),
            urgency=r.number("urgency", RANGES["stages[].urgency"]),
            bonus=r.number("bonus", RANGES["stages[].bonus"]) if "bonus" in r.data else 0,
        )
        if stage.name.casefold() in names:
            raise ConfigError(r.at("name"), f"duplicate stage name {stage.name!r}")
        names.add(stage.name.casefold())
        lo, hi = stage.min_days, stage.max_days
        if lo is not None and hi is not None and lo > hi:
            raise ConfigError(r.path, f"minDays {lo} is after maxDays {hi}")
        parsed.append((i, stage))
    return _check_tiling(parsed)


def _check_tiling(parsed: list[tuple[int, Stage]]) -> tuple[Stage, ...]:
    """Sort by start and require each stage to begin the day after the previous one ends."""
    parsed.sort(key=lambda p: (p[1].min_days is not None, p[1].min_days or 0))
    first_i, first = parsed[0]
    if first.min_days is not None:
        raise ConfigError(
            f"stages[{first_i}].minDays",
            f"gap: no stage covers days before {first.min_days} (the first stage, "
            f"{first.name}, needs minDays null)",
        )
    for (_, prev), (i, cur) in pairwise(parsed):
        if prev.max_days is None or cur.min_days is None:
            raise ConfigError(
                f"stages[{i}].minDays",
                f"overlap: {cur.name} ({cur.range_text}) overlaps {prev.name} ({prev.range_text})",
            )
        if cur.min_days <= prev.max_days:
            raise ConfigError(
                f"stages[{i}].minDays",
                f"overlap: {cur.name} starts at {cur.min_days} but {prev.name} ends at "
                f"{prev.max_days}",
            )
        if cur.min_days > prev.max_days + 1:
            missing = (
                f"day {prev.max_days + 1} belongs"
                if cur.min_days == prev.max_days + 2
                else f"days {prev.max_days + 1}–{cur.min_days - 1} belong"
            )
            raise ConfigError(
                f"stages[{i}].minDays",
                f"gap: {missing} to no stage ({prev.name} ends at {prev.max_days}, "
                f"{cur.name} starts at {cur.min_days})",
            )
    last_i, last = parsed[-1]
    if last.max_days is not None:
        raise ConfigError(
            f"stages[{last_i}].maxDays",
            f"gap: no stage covers days after {last.max_days} (the last stage, {last.name}, "
            "needs maxDays null)",
        )
    return tuple(stage for _, stage in parsed)


def _plan(value: object, path: str) -> AccountPlan:
    if isinstance(value, str):  # a member's value is a string; nothing else names one
        try:
            return AccountPlan(value)
        except ValueError:
            pass
    known = ", ".join(p.value for p in AccountPlan)
    raise ConfigError(path, f"unknown account plan {value!r} (expected {known})")


_K = TypeVar("_K", AccountPlan, Experience)


def _multipliers(r: _Reader, enum: type[_K]) -> Mapping[_K, Number]:
    """Exactly one positive multiplier per member of `enum`."""
    expected = [m.value for m in enum]
    r.only(*expected)
    return MappingProxyType({m: r.number(m.value, _MULTIPLIER) for m in enum})


def _tiers(items: Sequence[object], path: str) -> tuple[ArrTier, ...]:
    tiers: list[ArrTier] = []
    for i, item in enumerate(items):
        r = _Reader(item, f"{path}[{i}]")
        r.only("minArr", "multiplier")
        tier = ArrTier(
            r.number("minArr", RANGES["scoring.arrMultipliers[].minArr"]),
            r.number("multiplier", RANGES["scoring.arrMultipliers[].multiplier"]),
        )
        if tiers and tier.min_arr >= tiers[-1].min_arr:
            raise ConfigError(
                r.at("minArr"), "tiers must be sorted by minArr, highest first, without repeats"
            )
        tiers.append(tier)
    return tuple(tiers)


def _labels(items: Sequence[object], path: str) -> tuple[LabelRule, ...]:
    rules: list[LabelRule] = []
    for i, item in enumerate(items):
        r = _Reader(item, f"{path}[{i}]")
        r.only("minScore", "label")
        rule = LabelRule(r.number("minScore", RANGES["scoring.labels[].minScore"]), r.text("label"))
        if rules and rule.min_score >= rules[-1].min_score:
            raise ConfigError(
                r.at("minScore"),
                "labels must be sorted by minScore, highest first, without repeats",
            )
        rules.append(rule)
    return tuple(rules)


def _check_label_words(scoring: ScoringWeights, stages: tuple[Stage, ...]) -> None:
    """A label is a word of its own: never a stage's name (the queue shows both side by side,
    and "Critical" meaning a stage and a score level is what made both unreadable) and never
    the same word for two levels."""
    stage_names = {stage.name.casefold(): stage.name for stage in stages}
    words = [(f"scoring.labels[{i}].label", rule.label) for i, rule in enumerate(scoring.labels)]
    words.append(("scoring.defaultLabel", scoring.default_label))
    seen: set[str] = set()
    for path, word in words:
        key = word.strip().casefold()
        if key in stage_names:
            raise ConfigError(
                path,
                f"{word!r} is the name of the stage {stage_names[key]}: a score label needs a "
                "word of its own (e.g. Urgent, High, Normal, Low)",
            )
        if key in seen:
            raise ConfigError(path, f"{word!r} labels two levels of the scale")
        seen.add(key)


def _linear(r: _Reader) -> LinearBase:
    r.only("base", "perPoint")
    return LinearBase(r.number("base", _POINTS), r.number("perPoint", _PER_POINT))


def _parse_scoring(r: _Reader) -> ScoringWeights:
    r.only(
        "strategicBase",
        "opportunityBase",
        "riskBase",
        "arrMultipliers",
        "planMultipliers",
        "experienceMultipliers",
        "workloadPenaltyPerWorkflow",
        "labels",
        "defaultLabel",
    )
    sb = r.obj("strategicBase")
    sb.only(*(p.value for p in AccountPlan), "default")
    strategic = {_plan(k, sb.at(k)): sb.number(k, _POINTS) for k in sb.data if k != "default"}
    return ScoringWeights(
        strategic_base=MappingProxyType(strategic),
        strategic_base_default=sb.number("default", _POINTS),
        opportunity_base=_linear(r.obj("opportunityBase")),
        risk_base=_linear(r.obj("riskBase")),
        arr_tiers=_tiers(r.array("arrMultipliers"), r.at("arrMultipliers")),
        plan_multipliers=_multipliers(r.obj("planMultipliers"), AccountPlan),
        experience_multipliers=_multipliers(r.obj("experienceMultipliers"), Experience),
        workload_penalty_per_workflow=_penalty(r),
        labels=_labels(r.array("labels"), r.at("labels")),
        default_label=r.text("defaultLabel"),
    )


def _penalty(r: _Reader) -> Number:
    allowed = RANGES["scoring.workloadPenaltyPerWorkflow"]
    value = r.get("workloadPenaltyPerWorkflow")
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        raise ConfigError(
            r.at("workloadPenaltyPerWorkflow"),
            f"must be ≤ 0 (a penalty per active workflow), got {value}",
            value=value,
            allowed=allowed,
        )
    return r.number("workloadPenaltyPerWorkflow", allowed)


def _parse_thresholds(r: _Reader) -> Thresholds:
    r.only(
        "renewalMaxDaysOverdue",
        "strategicAccountPlans",
        "opportunityScoreMin",
        "riskScoreMin",
        "planRules",
        "warRoom",
        "forecast",
    )
    overdue = r.get("renewalMaxDaysOverdue")
    if isinstance(overdue, bool) or not isinstance(overdue, int):
        raise ConfigError(r.at("renewalMaxDaysOverdue"), "must be a whole number ≥ 0")
    _within(r.at("renewalMaxDaysOverdue"), overdue, RANGES["thresholds.renewalMaxDaysOverdue"])
    plans_path = r.at("strategicAccountPlans")
    plans = tuple(
        _plan(p, f"{plans_path}[{i}]") for i, p in enumerate(r.array("strategicAccountPlans"))
    )
    if len(set(plans)) != len(plans):
        raise ConfigError(plans_path, "lists a plan twice")
    rules = r.obj("planRules")
    rules.only("expand", "invest", "monitor", "fallback")
    expand, invest, monitor = rules.obj("expand"), rules.obj("invest"), rules.obj("monitor")
    expand.only("arrAbove", "healthAbove")
    invest.only("arrAbove", "healthAbove")
    monitor.only("healthBelow")
    war = r.obj("warRoom")
    war.only("withPlanMinArr", "minArr")
    return Thresholds(
        renewal_max_days_overdue=overdue,
        strategic_account_plans=plans,
        opportunity_score_min=r.number("opportunityScoreMin", _SCORE_0_100),
        risk_score_min=r.number("riskScoreMin", _SCORE_0_100),
        plan_rules=PlanRules(
            expand_arr_above=expand.number("arrAbove", _ARR),
            expand_health_above=expand.number("healthAbove", _SCORE_0_100),
            invest_arr_above=invest.number("arrAbove", _ARR),
            invest_health_above=invest.number("healthAbove", _SCORE_0_100),
            monitor_health_below=monitor.number("healthBelow", _SCORE_0_100),
            fallback=_plan(rules.get("fallback"), rules.at("fallback")),
        ),
        war_room=WarRoom(
            with_plan_min_arr=war.number("withPlanMinArr", _ARR),
            min_arr=war.number("minArr", _ARR),
        ),
        forecast=_parse_forecast(r),
    )


def _parse_forecast(thresholds: _Reader) -> ForecastLikelihood:
    """`thresholds.forecast` (optional: stored thresholds older than it read the defaults). A
    riskier category may not be more likely than a safer one."""
    if "forecast" not in thresholds.data:
        return ForecastLikelihood()
    f = thresholds.obj("forecast")
    f.only("secured", "likely", "atRisk", "churned", "churnProbabilityMin")
    order = [
        (key, f.number(key, _LIKELIHOOD)) for key in ("secured", "likely", "atRisk", "churned")
    ]
    for (safer, high), (riskier, low) in pairwise(order):
        if low > high:
            raise ConfigError(f.at(riskier), f"must not be above {safer} ({low} > {high})")
    return ForecastLikelihood(
        secured=order[0][1],
        likely=order[1][1],
        at_risk=order[2][1],
        churned=order[3][1],
        churn_probability_min=f.number("churnProbabilityMin", _SCORE_0_100),
    )
