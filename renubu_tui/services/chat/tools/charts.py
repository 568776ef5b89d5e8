"""The `create_chart` tool: a validated chart stored as a chat message, and drawn as text.

A chart is `{type: line|bar|sparkline, title, series: [{name, points: [[x, y], …]}]}`. The
model may pass the series itself, the `{labels, series: {name: [y…]}}` shape, or only metric
names (`metrics: ["healthScore", …]`), which are read from the current customer's history as
known on today — so a chart of the account's data never depends on the model copying numbers.
The message keeps the chart in its metadata; `render_text` draws it for the CLI (the TUI draws
its own).
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from renubu_tui.data.engine import Database
from renubu_tui.data.models import (
    Customer,
    CustomerEngagement,
    CustomerFinancials,
    CustomerIntelligence,
    CustomerUsage,
)

CHART_TYPES = ("line", "bar", "sparkline")
MAX_SERIES = 8
MAX_POINTS = 500
# metric name -> (model, date column, value column, label)
METRICS: dict[str, tuple[Any, str, str, str]] = {
    "healthScore": (CustomerIntelligence, "as_of_date", "health_score", "Health"),
    "riskScore": (CustomerIntelligence, "as_of_date", "risk_score", "Risk"),
    "opportunityScore": (CustomerIntelligence, "as_of_date", "opportunity_score", "Opportunity"),
    "churnProbability": (CustomerIntelligence, "as_of_date", "churn_probability", "Churn %"),
    "activeUsers": (CustomerUsage, "as_of_date", "active_users", "Active users"),
    "utilizationRate": (CustomerUsage, "as_of_date", "utilization_rate", "Utilization %"),
    "adoptionRate": (CustomerUsage, "as_of_date", "adoption_rate", "Adoption %"),
    "engagementScore": (CustomerEngagement, "as_of_date", "engagement_score", "Engagement"),
    "npsScore": (CustomerEngagement, "as_of_date", "nps_score", "NPS"),
    "csatScore": (CustomerEngagement, "as_of_date", "csat_score", "CSAT"),
    "arr": (CustomerFinancials, "valid_from", "current_arr", "ARR"),
}
SPARKS = "▁▂▃▄▅▆▇█"


class ChartError(ValueError):
    """The chart request does not describe a chart; the message says what to fix."""


@dataclass(frozen=True)
class Series:
    name: str
    points: tuple[tuple[str | float, float], ...]


@dataclass(frozen=True)
class Chart:
    type: str
    title: str
    series: tuple[Series, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "title": self.title,
            "series": [
                {"name": s.name, "points": [list(p) for p in s.points]} for s in self.series
            ],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Chart:
        return validate(data)


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ChartError(f"{where}: y must be a finite number, got {value!r}")
    return float(value)


def _x(value: Any, where: str) -> str | float:
    if isinstance(value, str) and len(value) <= 40:
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return value
    raise ChartError(f"{where}: x must be a short label or a number, got {value!r}")


def validate(data: Mapping[str, Any]) -> Chart:
    """A Chart from `{type, title, series}` (or `{labels, series: {name: [y…]}}` in `data`)."""
    if not isinstance(data, Mapping):
        raise ChartError("a chart is a JSON object")
    kind = data.get("type", "line")
    if kind not in CHART_TYPES:
        raise ChartError(f"type must be one of {', '.join(CHART_TYPES)}, got {kind!r}")
    title = data.get("title") or "Chart"
    if not isinstance(title, str) or len(title) > 200:
        raise ChartError("title must be text of at most 200 characters")
    raw = data.get("series")
    if raw is None and isinstance(data.get("data"), Mapping):
        raw = _from_labels(data["data"])
    if not isinstance(raw, list) or not raw:
        raise ChartError("series must be a non-empty list of {name, points}")
    if len(raw) > MAX_SERIES:
        raise ChartError(f"at most {MAX_SERIES} series")
    series = []
    for i, item in enumerate(raw):
        if not isinstance(item, Mapping) or not isinstance(item.get("name"), str):
            raise ChartError(f"series[{i}] needs a name and points")
        points = item.get("points")
        if not isinstance(points, list) or not points or len(points) > MAX_POINTS:
            raise ChartError(f"series[{i}].points: 1 to {MAX_POINTS} [x, y] pairs")
        checked = []
        for j, point in enumerate(points):
            where = f"series[{i}].points[{j}]"
            if not isinstance(point, list | tuple) or len(point) != 2:
                raise ChartError(f"{where}: a point is [x, y]")
            checked.append((_x(point[0], where), _number(point[1], where)))
        series.append(Series(item["name"][:80], tuple(checked)))
    return Chart(kind, title, tuple(series))


def _from_labels(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    labels = data.get("labels") or []
    values = data.get("series") or {}
    if not isinstance(values, Mapping) or not isinstance(labels, list):
        raise ChartError("data must be {labels: [...], series: {name: [numbers]}}")
    out = []
    for name, ys in values.items():
        if not isinstance(ys, list):
            raise ChartError(f"data.series.{name} must be a list of numbers")
        xs = labels if len(labels) == len(ys) else list(range(1, len(ys) + 1))
        out.append({"name": str(name), "points": [[x, y] for x, y in zip(xs, ys, strict=True)]})
    return out


async def metric_series(
    db: Database,
    tenant_id: uuid.UUID,
    customer_id: uuid.UUID,
    metrics: list[str],
    today: dt.date,
) -> list[dict[str, Any]]:
    """The customer's recorded history of each metric, dated at or before today."""
    unknown = [m for m in metrics if m not in METRICS]
    if unknown:
        raise ChartError(f"unknown metric {unknown[0]!r} (known: {', '.join(METRICS)})")
    out = []
    async with db.sessions() as session:
        owned = await session.scalar(
            select(Customer.id).where(Customer.id == customer_id, Customer.tenant_id == tenant_id)
        )
        if owned is None:
            raise ChartError("no customer in context to chart")
        for metric in dict.fromkeys(metrics):
            model, date_col, value_col, label = METRICS[metric]
            day, value = getattr(model, date_col), getattr(model, value_col)
            rows = (
                await session.execute(
                    select(day, value)
                    .where(model.customer_id == customer_id, day <= today, value.is_not(None))
                    .order_by(day)
                )
            ).all()
            points = [[d.isoformat(), float(v)] for d, v in rows]
            if points:
                out.append({"name": label, "points": points[-MAX_POINTS:]})
    if not out:
        raise ChartError("the customer has no recorded history for these metrics")
    return out


async def build_chart(
    db: Database,
    tenant_id: uuid.UUID,
    customer_id: uuid.UUID | None,
    arguments: Mapping[str, Any],
    today: dt.date,
) -> Chart:
    """Validate the tool's arguments into a Chart, reading named metrics from the database."""
    args = dict(arguments)
    metrics = args.get("metrics")
    if args.get("series") is None and args.get("data") is None and metrics:
        if not isinstance(metrics, list) or not all(isinstance(m, str) for m in metrics):
            raise ChartError("metrics must be a list of metric names")
        if customer_id is None:
            raise ChartError("no customer in context to chart")
        args["series"] = await metric_series(db, tenant_id, customer_id, metrics, today)
    if args.get("type") == "line" and len(args.get("series") or []) and _one_point(args):
        args["type"] = "bar"
    return validate(args)


def _one_point(args: Mapping[str, Any]) -> bool:
    series = args.get("series")
    return isinstance(series, list) and all(
        isinstance(s, Mapping) and len(s.get("points") or []) <= 1 for s in series
    )


# --- drawing as text ------------------------------------------------------------------------


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 or value.is_integer() else f"{value:,.1f}"


def sparkline(values: list[float]) -> str:
    low, high = min(values), max(values)
    span = high - low
    if span == 0:
        return SPARKS[3] * len(values)
    return "".join(SPARKS[round((v - low) / span * (len(SPARKS) - 1))] for v in values)


def render_text(chart: Chart | Mapping[str, Any], width: int = 60, height: int = 8) -> list[str]:
    """The chart as plain text lines: sparklines, horizontal bars, or a dot plot for lines."""
    if not isinstance(chart, Chart):
        chart = validate(chart)
    lines = [chart.title]
    if chart.type == "sparkline":
        name_width = max(len(s.name) for s in chart.series)
        for s in chart.series:
            ys = [p[1] for p in s.points]
            lines.append(
                f"{s.name:<{name_width}} {sparkline(ys)} {_fmt(ys[0])} → {_fmt(ys[-1])} "
                f"(low {_fmt(min(ys))}, high {_fmt(max(ys))})"
            )
        return lines
    if chart.type == "bar":
        return lines + _bars(chart, width)
    return lines + _plot(chart, width, height)


def _bars(chart: Chart, width: int) -> list[str]:
    rows = [
        (f"{s.name} {x}" if len(chart.series) > 1 else str(x), y)
        for s in chart.series
        for x, y in s.points
    ]
    label_width = min(24, max(len(label) for label, _ in rows))
    high = max(max(abs(y) for _, y in rows), 1e-9)
    room = max(10, width - label_width - 12)
    return [
        f"{label[:label_width]:<{label_width}} │{'█' * round(abs(y) / high * room)} {_fmt(y)}"
        for label, y in rows
    ]


def _plot(chart: Chart, width: int, height: int) -> list[str]:
    marks = "●○◆◇▲△■□"
    ys = [p[1] for s in chart.series for p in s.points]
    low, high = min(ys), max(ys)
    span = (high - low) or 1.0
    columns = max(len(s.points) for s in chart.series)
    step = max(1, min(6, (width - 10) // max(1, columns)))
    grid = [[" "] * (columns * step) for _ in range(height)]
    for k, s in enumerate(chart.series):
        for i, (_, y) in enumerate(s.points):
            row = height - 1 - round((y - low) / span * (height - 1))
            grid[row][i * step] = marks[k % len(marks)]
    label_width = max(len(_fmt(high)), len(_fmt(low)))
    out = []
    for r, cells in enumerate(grid):
        axis = _fmt(high) if r == 0 else _fmt(low) if r == height - 1 else ""
        out.append(f"{axis:>{label_width}} ┤{''.join(cells).rstrip()}")
    first = chart.series[0].points
    out.append(f"{'':>{label_width}} └{'─' * (columns * step)}")
    out.append(f"{'':>{label_width}}  {first[0][0]} … {first[-1][0]}")
    out.append("  ".join(f"{marks[k % len(marks)]} {s.name}" for k, s in enumerate(chart.series)))
    return out


__all__ = [
    "CHART_TYPES",
    "METRICS",
    "Chart",
    "ChartError",
    "Series",
    "build_chart",
    "render_text",
    "sparkline",
    "validate",
]
