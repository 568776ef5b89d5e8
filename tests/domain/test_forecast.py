"""domain/forecast.py: classification, periods, the weighted forecast and retention."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from renubu_tui.domain.forecast import (
    Category,
    LikelihoodModel,
    Renewal,
    classify,
    closed_periods,
    forecast,
    periods,
    retention,
)

TODAY = dt.date(2025, 9, 24)
MODEL = LikelihoodModel()


def renewal(day: dt.date = dt.date(2025, 10, 15), arr: float = 100.0, **kw: object) -> Renewal:
    return Renewal(uuid.uuid4(), kw.pop("customer", "C"), None, day, arr, **kw)  # type: ignore[arg-type]


def test_first_match_wins_churned_before_secured_before_at_risk() -> None:
    both = renewal(cancelled=True, successor_arr=120.0, risk_score=90)
    assert classify(both, TODAY, MODEL).category is Category.CHURNED
    signed = renewal(successor_arr=120.0, risk_score=90, route="AT_RISK_CHURN")
    assert classify(signed, TODAY, MODEL).category is Category.SECURED


@pytest.mark.parametrize(
    ("kw", "category", "why"),
    [
        ({"workflow_status": "lost"}, Category.CHURNED, "renewal workflow lost"),
        ({"route": "ACCEPT_CHURN"}, Category.CHURNED, "route ACCEPT_CHURN"),
        ({"route": "CUSTOMER_GHOSTING"}, Category.AT_RISK, "route CUSTOMER_GHOSTING"),
        ({"risk_score": 60}, Category.AT_RISK, "risk score 60 ≥ 60"),
        ({"risk_score": 59.9}, Category.LIKELY, "no risk signal"),
        ({"churn_probability": 30}, Category.AT_RISK, "churn probability 30% ≥ 30%"),
        ({"route": "SIGNATURE_PENDING"}, Category.LIKELY, "no risk signal"),
    ],
)
def test_categories_and_why(kw: dict[str, object], category: Category, why: str) -> None:
    c = classify(renewal(**kw), TODAY, MODEL)  # type: ignore[arg-type]
    assert (c.category, c.reasons) == (category, (why,))
    assert c.likelihood == MODEL.weight(category)


def test_overdue_without_a_signature_is_at_risk_and_renewing_today_is_not() -> None:
    late = classify(renewal(dt.date(2025, 9, 23)), TODAY, MODEL)
    assert (late.category, late.reasons) == (Category.AT_RISK, ("1 day overdue, nothing signed",))
    assert classify(renewal(TODAY), TODAY, MODEL).category is Category.LIKELY


def test_the_model_is_configurable() -> None:
    model = LikelihoodModel(likely=0.8, risk_score_min=80)
    c = classify(renewal(arr=1000, risk_score=70), TODAY, model)
    assert (c.category, c.weighted, c.exposure) == (Category.LIKELY, 800.0, pytest.approx(200.0))


def test_periods_cover_twelve_months_from_the_one_holding_today() -> None:
    months = periods(TODAY, "month")
    assert [p.label for p in months[:2]] == ["2025-09", "2025-10"]
    assert (months[0].start, months[-1].end) == (dt.date(2025, 9, 1), dt.date(2026, 8, 31))
    quarters = periods(dt.date(2025, 12, 31), "quarter")
    assert [p.label for p in quarters] == ["2025 Q4", "2026 Q1", "2026 Q2", "2026 Q3"]
    assert quarters[1].end == dt.date(2026, 3, 31)
    closed = closed_periods(TODAY, "quarter")
    assert [p.label for p in closed] == ["2024 Q3", "2024 Q4", "2025 Q1", "2025 Q2"]
    with pytest.raises(ValueError, match="unknown period 'week'"):
        periods(TODAY, "week")


def test_forecast_totals_weights_and_largest_risks() -> None:
    book = [
        renewal(dt.date(2025, 10, 1), 100, customer="Secured", successor_arr=110),
        renewal(dt.date(2025, 10, 2), 200, customer="Likely"),
        renewal(dt.date(2025, 10, 3), 50, customer="Risky", risk_score=80),
        renewal(dt.date(2025, 10, 4), 40, customer="Gone", cancelled=True),
        renewal(dt.date(2025, 8, 1), 10, customer="Overdue"),  # carried into 2025-09
        renewal(dt.date(2025, 8, 1), 10, customer="Lost", workflow_status="lost"),  # not carried
    ]
    result = forecast(book, TODAY, "month", MODEL)
    first, october = result[0], result[1]
    assert [c.renewal.customer for c in first.items] == ["Overdue"]
    assert first.weighted == 5
    assert october.totals == {
        Category.SECURED: 100,
        Category.LIKELY: 200,
        Category.AT_RISK: 50,
        Category.CHURNED: 40,
    }
    assert october.up_for_renewal == 390
    assert october.weighted == pytest.approx(100 + 180 + 25 + 0)
    # by ARR expected to be lost: Gone 40 × 1.0 = 40, Risky 50 × 0.5 = 25
    assert [c.renewal.customer for c in october.risks()] == ["Gone", "Risky"]


def test_retention_gross_and_net() -> None:
    ended = [
        renewal(dt.date(2025, 7, 10), 100, successor_arr=130),  # expansion 30
        renewal(dt.date(2025, 7, 11), 100, successor_arr=80),  # contraction 20
        renewal(dt.date(2025, 7, 12), 50, cancelled=True),  # churned 50
        renewal(dt.date(2025, 7, 13), 50),  # unresolved 50
    ]
    july = next(r for r in retention(ended, TODAY, "month") if r.period.label == "2025-07")
    assert (july.up, july.renewed, july.expansion, july.contraction) == (300, 210, 30, 20)
    assert (july.churned, july.unresolved, july.count) == (50, 50, 4)
    assert july.grr == pytest.approx((300 - 20 - 50 - 50) / 300)  # 0.6
    assert july.nrr == pytest.approx(210 / 300)  # 0.7
    empty = next(r for r in retention(ended, TODAY, "month") if r.period.label == "2025-06")
    assert (empty.grr, empty.nrr) == (None, None)


@pytest.mark.parametrize("by", ["month", "quarter"])
@pytest.mark.parametrize("today", [dt.date(2025, 1, 1), TODAY, dt.date(2025, 12, 31)])
def test_every_day_lands_in_the_period_holding_it(by: str, today: dt.date) -> None:
    ahead, behind = periods(today, by), closed_periods(today, by)
    for span in (ahead, behind):
        day = span[0].start
        while day <= span[-1].end:
            result = forecast([renewal(day, successor_arr=1.0)], today, by, MODEL)
            if span is ahead:
                assert [p.period for p in result if p.items] == [p for p in ahead if p.holds(day)]
            else:
                kept = [r.period for r in retention([renewal(day)], today, by) if r.count]
                assert kept == [p for p in behind if p.holds(day)]
            day += dt.timedelta(days=1)
