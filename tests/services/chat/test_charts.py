"""create_chart: validated charts from series, label data or the customer's recorded metrics."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from renubu_tui.data.engine import Database
from renubu_tui.data.models import Customer
from renubu_tui.services.chat.tools.charts import (
    ChartError,
    build_chart,
    render_text,
    sparkline,
    validate,
)
from tests.conftest import TEST_TODAY
from tests.services.chat.helpers import TENANT

SERIES = [{"name": "Health", "points": [["Jun", 72], ["Jul", 78], ["Aug", 68], ["Sep", 74]]}]


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"type": "pie", "series": SERIES}, "type must be one of"),
        ({"type": "line", "series": []}, "non-empty list"),
        ({"type": "line", "series": [{"name": "x", "points": [[1]]}]}, "a point is"),
        ({"type": "line", "series": [{"name": "x", "points": [["a", "b"]]}]}, "finite number"),
        ({"type": "line", "series": [{"name": "x", "points": [["a", float("nan")]]}]}, "finite"),
        ({"type": "line", "series": [{"points": [[1, 2]]}]}, "needs a name"),
        ({"type": "bar", "title": "x" * 300, "series": SERIES}, "title"),
        ({"type": "line", "series": [{"name": "x", "points": [[1, 1]] * 501}]}, "1 to 500"),
        ("not a chart", "JSON object"),
    ],
)
def test_bad_charts_are_refused_with_the_reason(data: object, problem: str) -> None:
    with pytest.raises(ChartError, match=problem):
        validate(data)  # type: ignore[arg-type]


def test_label_data_is_accepted_too() -> None:
    chart = validate(
        {
            "type": "bar",
            "title": "Seats",
            "data": {"labels": ["Q1", "Q2"], "series": {"Active": [32, 38]}},
        }
    )
    assert chart.as_json()["series"] == [{"name": "Active", "points": [["Q1", 32.0], ["Q2", 38.0]]}]


def test_each_type_draws_as_text() -> None:
    line = render_text({"type": "line", "title": "Health", "series": SERIES}, width=40, height=5)
    assert line[0] == "Health" and "78" in line[1] and "68" in line[5]
    assert "Jun … Sep" in "\n".join(line) and "● Health" in line[-1]
    bars = render_text({"type": "bar", "title": "Health", "series": SERIES}, width=40)
    assert bars[2].startswith("Jul") and bars[2].count("█") > bars[3].count("█")
    spark = render_text({"type": "sparkline", "title": "Health", "series": SERIES})
    assert spark[1] == "Health ▄█▁▅ 72 → 74 (low 68, high 78)"
    assert sparkline([1, 1]) == "▄▄"


async def test_metrics_are_read_from_the_customers_history(seeded_db: Database) -> None:
    async with seeded_db.sessions() as s:
        bluesoft = await s.scalar(
            select(Customer.id).where(Customer.name == "Bluesoft Corporation")
        )
    chart = await build_chart(
        seeded_db,
        TENANT,
        bluesoft,
        {"type": "line", "title": "Bluesoft", "metrics": ["healthScore", "activeUsers"]},
        TEST_TODAY,
    )
    health, users = chart.series
    assert [p[1] for p in health.points] == [72, 78, 68, 75, 74, 74]
    assert [p[1] for p in users.points] == [32, 35, 34, 36, 37, 38]
    assert all(str(p[0]) <= TEST_TODAY.isoformat() for p in health.points)
    with pytest.raises(ChartError, match="unknown metric"):
        await build_chart(seeded_db, TENANT, bluesoft, {"metrics": ["mood"]}, TEST_TODAY)
    with pytest.raises(ChartError, match="no customer"):
        await build_chart(seeded_db, TENANT, None, {"metrics": ["healthScore"]}, TEST_TODAY)
