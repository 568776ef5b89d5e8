"""The renewal forecast and revenue retention (docs/domain.md §14), pure: no I/O.

The use case (`services/forecast/`) reads each contract term of the book with what is known of
its customer on `today` and hands them here as `Renewal`s; this module buckets them by period,
classifies each one (secured, likely, at risk, churned), weights it by a likelihood and computes
gross and net revenue retention for the periods already closed.

Classification, first match wins (each carries its reasons, the "why"):

1. **churned** — the contract is `cancelled`, or the renewal's latest workflow run ended `lost`,
   or its latest route is a churn route (`ACCEPT_CHURN`, `CHURN_ACCEPTED`);
2. **secured** — a successor term is signed (known on today: domain/contracts.py);
3. **at risk** — overdue with nothing signed, or the latest route is a risk route
   (`RISK_ROUTES`: `AT_RISK_CHURN`, `STALLED` …), or risk score ≥ the configured
   `thresholds.riskScoreMin` (60), or churn probability ≥ `thresholds.forecast.
   churnProbabilityMin` (30 %);
4. **likely** — everything else.

The weighted forecast is Σ ARR × likelihood, the likelihood being the category's
(`LikelihoodModel`, configured as `thresholds.forecast`: secured 1.0, likely 0.9, at risk 0.5,
churned 0.0 by default).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "CHURN_ROUTES",
    "RISK_ROUTES",
    "Category",
    "Classified",
    "LikelihoodModel",
    "Period",
    "PeriodForecast",
    "Renewal",
    "Retention",
    "classify",
    "closed_periods",
    "forecast",
    "periods",
    "retention",
]

CHURN_ROUTES = frozenset({"ACCEPT_CHURN", "CHURN_ACCEPTED"})
"""Route codes after which the renewal is given up (the core workflows' "will not renew")."""

RISK_ROUTES = frozenset(
    {
        "AT_RISK_CHURN",
        "CRITICAL",
        "CUSTOMER_GHOSTING",
        "NEGOTIATION_BREAKDOWN",
        "SPONSOR_GAP",
        "STALLED",
        "VALUE_GAP",
        "WARNING_SIGNS",
    }
)
"""Route codes of the core workflows that say the renewal is in trouble (churn likely, a
breakdown, ghosting, a stalled signer, no sponsor, unproven value, warning signs)."""

HORIZON = 12
"""Months ahead the forecast covers (12 monthly or 4 quarterly periods)."""


class Category(StrEnum):
    SECURED = "secured"
    LIKELY = "likely"
    AT_RISK = "at_risk"
    CHURNED = "churned"


CATEGORY_ORDER = (Category.SECURED, Category.LIKELY, Category.AT_RISK, Category.CHURNED)
"""The order of the stacked bar's segments and of the table's columns."""


@dataclass(frozen=True)
class LikelihoodModel:
    """How likely a renewal of each category is to renew, and when a renewal is at risk."""

    secured: float = 1.0
    likely: float = 0.9
    at_risk: float = 0.5
    churned: float = 0.0
    risk_score_min: float = 60.0
    churn_probability_min: float = 30.0

    def weight(self, category: Category) -> float:
        return {
            Category.SECURED: self.secured,
            Category.LIKELY: self.likely,
            Category.AT_RISK: self.at_risk,
            Category.CHURNED: self.churned,
        }[category]


@dataclass(frozen=True)
class Renewal:
    """One contract term ending (its end date is the renewal date), with what is known on today.

    `successor_arr` is the ARR of the next term when one is signed by today, else None.
    `route` is the latest route chosen in the renewal workflows run for this renewal (started
    since the term began) and `workflow_status` the status of the latest of them; both are
    given only for the renewal being worked on (the governing contract's).
    """

    customer_id: uuid.UUID
    customer: str
    owner: str | None
    renewal_date: dt.date
    arr: float
    successor_arr: float | None = None
    cancelled: bool = False
    risk_score: float | None = None
    churn_probability: float | None = None
    route: str | None = None
    workflow_status: str | None = None


@dataclass(frozen=True)
class Classified:
    renewal: Renewal
    category: Category
    likelihood: float
    reasons: tuple[str, ...]

    @property
    def weighted(self) -> float:
        return self.renewal.arr * self.likelihood

    @property
    def exposure(self) -> float:
        """ARR expected to be lost: ARR × (1 − likelihood); the risks are ranked by it."""
        return self.renewal.arr * (1.0 - self.likelihood)


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive
    label: str

    def holds(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class PeriodForecast:
    period: Period
    items: tuple[Classified, ...]
    totals: dict[Category, float] = field(default_factory=dict)

    @property
    def up_for_renewal(self) -> float:
        return sum(c.renewal.arr for c in self.items)

    @property
    def weighted(self) -> float:
        return sum(c.weighted for c in self.items)

    def risks(self, limit: int = 3) -> list[Classified]:
        """The largest risks: at risk or churned, by ARR expected to be lost, then name."""
        risky = [c for c in self.items if c.category in (Category.AT_RISK, Category.CHURNED)]
        risky.sort(key=lambda c: (-c.exposure, c.renewal.customer.casefold()))
        return risky[:limit]


@dataclass(frozen=True)
class Retention:
    """Revenue retention of a closed period (docs/domain.md §14).

    up: ARR of the terms that ended in the period; renewed: their successors' ARR;
    expansion/contraction: successor above/below its term, summed; churned: ARR of terms with no
    successor signed by today. GRR = (up − contraction − churned) ÷ up; NRR = renewed ÷ up.
    """

    period: Period
    up: float
    renewed: float
    expansion: float
    contraction: float
    churned: float
    unresolved: float
    count: int

    @property
    def grr(self) -> float | None:
        lost = self.contraction + self.churned + self.unresolved
        return None if self.up == 0 else (self.up - lost) / self.up

    @property
    def nrr(self) -> float | None:
        return None if self.up == 0 else self.renewed / self.up


def classify(renewal: Renewal, today: dt.date, model: LikelihoodModel) -> Classified:
    """The renewal's category, its likelihood and why (first match wins; module docstring)."""
    r = renewal
    churned: list[str] = []  # the same facts as _given_up, said
    if r.cancelled:
        churned.append("contract cancelled")
    if r.workflow_status == "lost":
        churned.append("renewal workflow lost")
    if r.route in CHURN_ROUTES:
        churned.append(f"route {r.route}")
    if churned:
        return Classified(r, Category.CHURNED, model.churned, tuple(churned))
    if r.successor_arr is not None:
        return Classified(r, Category.SECURED, model.secured, ("renewal signed",))
    risks: list[str] = []
    overdue = (today - r.renewal_date).days
    if overdue > 0:
        risks.append(f"{overdue} day{'s' if overdue != 1 else ''} overdue, nothing signed")
    if r.route in RISK_ROUTES:
        risks.append(f"route {r.route}")
    if r.risk_score is not None and r.risk_score >= model.risk_score_min:
        risks.append(f"risk score {r.risk_score:g} ≥ {model.risk_score_min:g}")
    if r.churn_probability is not None and r.churn_probability >= model.churn_probability_min:
        risks.append(
            f"churn probability {r.churn_probability:g}% ≥ {model.churn_probability_min:g}%"
        )
    if risks:
        return Classified(r, Category.AT_RISK, model.at_risk, tuple(risks))
    return Classified(r, Category.LIKELY, model.likely, ("no risk signal",))


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _label(start: dt.date, months: int) -> str:
    if months == 3:
        return f"{start.year} Q{(start.month - 1) // 3 + 1}"
    return start.strftime("%Y-%m")


def _period_start(day: dt.date, months: int) -> dt.date:
    return dt.date(day.year, (day.month - 1) // months * months + 1, 1)


def periods(today: dt.date, by: str) -> list[Period]:
    """The forecast's periods: the calendar month (or quarter) holding today and the ones after
    it, covering 12 months (12 months or 4 quarters)."""
    months = _months(by)
    start = _period_start(today, months)
    return [_period(_add_months(start, n * months), months) for n in range(HORIZON // months)]


def closed_periods(today: dt.date, by: str) -> list[Period]:
    """The 12 months (or 4 quarters) ended before the period holding today, oldest first."""
    months = _months(by)
    start = _period_start(today, months)
    return [
        _period(_add_months(start, -n * months), months) for n in range(HORIZON // months, 0, -1)
    ]


def _months(by: str) -> int:
    if by not in ("month", "quarter"):
        raise ValueError(f"unknown period {by!r} (month or quarter)")
    return 1 if by == "month" else 3


def _period(start: dt.date, months: int) -> Period:
    end = _add_months(start, months) - dt.timedelta(days=1)
    return Period(start, end, _label(start, months))


def forecast(
    renewals: Iterable[Renewal], today: dt.date, by: str, model: LikelihoodModel
) -> list[PeriodForecast]:
    """Each period's renewals, classified, largest ARR first (then name). The first period also
    holds the renewals overdue from before it that are still at stake (nothing signed, not
    given up): ARR still to be saved."""
    ahead = periods(today, by)
    buckets: list[list[Classified]] = [[] for _ in ahead]
    first, last = ahead[0].start, ahead[-1].end
    for r in renewals:
        if r.renewal_date > last:
            continue
        c = classify(r, today, model)
        if r.renewal_date >= first:
            buckets[_index(ahead, r.renewal_date)].append(c)
        elif c.category is Category.AT_RISK:  # still at stake: overdue, not signed, not lost
            buckets[0].append(c)
    result = []
    for period, items in zip(ahead, buckets, strict=True):
        items.sort(key=lambda c: (-c.renewal.arr, c.renewal.customer.casefold()))
        totals = {category: 0.0 for category in CATEGORY_ORDER}
        for c in items:
            totals[c.category] += c.renewal.arr
        result.append(PeriodForecast(period, tuple(items), totals))
    return result


def _index(ahead: Sequence[Period], day: dt.date) -> int:
    """The index of the period holding `day` (periods are consecutive, a month or 3 long)."""
    start = ahead[0].start
    months = (day.year - start.year) * 12 + day.month - start.month
    per = 12 // len(ahead)
    return months // per


def retention(renewals: Iterable[Renewal], today: dt.date, by: str) -> list[Retention]:
    """GRR and NRR of each closed period from the terms that ended in it (`Retention`)."""
    behind = closed_periods(today, by)
    ended: list[list[Renewal]] = [[] for _ in behind]
    for r in renewals:
        if behind[0].start <= r.renewal_date <= behind[-1].end:
            ended[_index(behind, r.renewal_date)].append(r)
    return [_retained(period, rs) for period, rs in zip(behind, ended, strict=True)]


def _retained(period: Period, ended: Sequence[Renewal]) -> Retention:
    up = renewed = expansion = contraction = churned = unresolved = 0.0
    for r in ended:
        up += r.arr
        if _given_up(r):
            churned += r.arr
            continue
        if r.successor_arr is None:
            unresolved += r.arr
            continue
        renewed += r.successor_arr
        expansion += max(0.0, r.successor_arr - r.arr)
        contraction += max(0.0, r.arr - r.successor_arr)
    return Retention(period, up, renewed, expansion, contraction, churned, unresolved, len(ended))


def _given_up(r: Renewal) -> bool:
    return r.cancelled or r.workflow_status == "lost" or r.route in CHURN_ROUTES
