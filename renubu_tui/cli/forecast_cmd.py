"""`renubu forecast`: the next 12 months' renewals by period, weighted, with the largest risks
and the revenue retention of the closed periods (docs/domain.md §14)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from renubu_tui.cli.queue_text import money
from renubu_tui.cli.root import Context, command_options, pass_context
from renubu_tui.safe_text import printable

if TYPE_CHECKING:
    from renubu_tui.services.container import Services
    from renubu_tui.services.forecast.service import ForecastItem, ForecastView

CATEGORY_WORDS = {
    "secured": "secured",
    "likely": "likely",
    "at_risk": "at risk",
    "churned": "churned",
}


@click.command()
@click.option(
    "--by",
    default="month",
    show_default=True,
    metavar="month|quarter",
    help="Periods of a month or of a quarter.",
)
@click.option(
    "--owner", metavar="EMAIL", help="Whose book (default: yours); a unique prefix will do."
)
@click.option("--all", "everyone", is_flag=True, help="Everyone's book.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@command_options
@pass_context
def forecast(ctx: Context, by: str, owner: str | None, everyone: bool, as_json: bool) -> None:
    """ARR up for renewal in the next 12 months (secured, likely, at risk, churned), the
    weighted forecast, the largest risks with why, and GRR/NRR of the 12 months closed."""
    if owner and everyone:
        raise click.UsageError("--owner and --all cannot be used together")
    by = by.strip().casefold()

    async def body(s: Services) -> ForecastView:
        service = s.forecaster()
        person = None if everyone else s.user
        if owner:
            person = await service.owner(s.tenant, owner)
        return await service.forecast(s.tenant.id, s.clock.today(), by=by, owner=person)

    view = ctx.with_services(body)
    if as_json:
        click.echo(json.dumps(forecast_json(view), indent=2, ensure_ascii=False))
        return
    for line in forecast_lines(view):
        click.echo(line)


def _money(value: float) -> float:
    return round(value, 2)


def _ratio(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _item_json(item: ForecastItem) -> dict[str, Any]:
    return {
        "customer_id": str(item.customer_id),
        "customer": item.customer,
        "owner": item.owner,
        "renewal_date": item.renewal_date.isoformat(),
        "arr": _money(item.arr),
        "category": item.category.value,
        "likelihood": item.likelihood,
        "weighted": _money(item.weighted),
        "why": list(item.reasons),
    }


def forecast_json(view: ForecastView) -> dict[str, Any]:
    m = view.model
    return {
        "today": view.today.isoformat(),
        "by": view.by,
        "owner": view.owner,
        "likelihood": {
            "secured": m.secured,
            "likely": m.likely,
            "at_risk": m.at_risk,
            "churned": m.churned,
            "at_risk_when": {
                "risk_score_min": m.risk_score_min,
                "churn_probability_min": m.churn_probability_min,
            },
        },
        "up_for_renewal": _money(view.up_for_renewal),
        "weighted": _money(view.weighted),
        "periods": [
            {
                "period": p.label,
                "start": p.start.isoformat(),
                "end": p.end.isoformat(),
                "renewals": len(p.items),
                "up_for_renewal": _money(p.up_for_renewal),
                **{c.value: _money(v) for c, v in p.totals},
                "weighted": _money(p.weighted),
                "customers": [_item_json(i) for i in p.items],
                "largest_risks": [_item_json(i) for i in p.risks],
            }
            for p in view.periods
        ],
        "retention": [
            {
                "period": r.label,
                "start": r.start.isoformat(),
                "end": r.end.isoformat(),
                "renewals": r.renewals,
                "up_for_renewal": _money(r.up),
                "renewed": _money(r.renewed),
                "expansion": _money(r.expansion),
                "contraction": _money(r.contraction),
                "churned": _money(r.churned),
                "unresolved": _money(r.unresolved),
                "grr": _ratio(r.grr),
                "nrr": _ratio(r.nrr),
            }
            for r in view.retention
        ],
    }


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def forecast_lines(view: ForecastView) -> list[str]:
    """The text report: header, the model, the periods' table, the largest risks, retention."""
    who = "everyone" if view.owner is None else printable(view.owner)
    m = view.model
    lines = [
        f"Renewal forecast · {who} · as of {view.today} · by {view.by}",
        f"Likelihood: secured {m.secured:.0%} · likely {m.likely:.0%} · at risk {m.at_risk:.0%}"
        f" · churned {m.churned:.0%} (at risk: overdue, a risk route, risk score ≥"
        f" {m.risk_score_min:g} or churn probability ≥ {m.churn_probability_min:g}%)",
        "",
    ]
    if view.empty:
        lines.append(f"No renewals in the next 12 months for {who}.")
    else:
        head: tuple[str, ...] = (
            "period",
            "renewals",
            "up for renewal",
            "secured",
            "likely",
            "at risk",
            "churned",
            "weighted",
        )
        rows: list[tuple[str, ...]] = [
            (
                p.label,
                str(len(p.items)),
                money(p.up_for_renewal),
                *(money(v) for _, v in p.totals),
                money(p.weighted),
            )
            for p in view.periods
        ]
        totals = [sum(p.total(c) for p in view.periods) for c, _ in view.periods[0].totals]
        rows.append(
            (
                "total",
                str(sum(len(p.items) for p in view.periods)),
                money(view.up_for_renewal),
                *(money(v) for v in totals),
                money(view.weighted),
            )
        )
        lines.extend(_table(head, rows))
        risks = [(p.label, r) for p in view.periods for r in p.risks]
        if risks:
            lines += ["", "Largest risks"]
            width = max(len(printable(r.customer)) for _, r in risks)
            for label, r in risks:
                lines.append(
                    f"  {label:<8} {printable(r.customer):<{width}}  {money(r.arr):>12}"
                    f"  {CATEGORY_WORDS[r.category.value]:<8} {printable('; '.join(r.reasons))}"
                )
    kept = [r for r in view.retention if r.renewals]
    lines += ["", f"Retention of the closed {view.by}s (renewed ARR ÷ ARR up for renewal)"]
    if not kept:
        lines.append("  No renewals fell due in the 12 months before this one.")
    else:
        head = (
            "period",
            "renewals",
            "up for renewal",
            "renewed",
            "expansion",
            "contraction",
            "churned",
            "unresolved",
            "GRR",
            "NRR",
        )
        rows = [
            (
                r.label,
                str(r.renewals),
                money(r.up),
                money(r.renewed),
                money(r.expansion),
                money(r.contraction),
                money(r.churned),
                money(r.unresolved),
                _pct(r.grr),
                _pct(r.nrr),
            )
            for r in kept
        ]
        lines.extend(_table(head, rows))
    return lines


def _table(head: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[i]) for row in [head, *rows]) for i in range(len(head))]

    def line(cells: tuple[str, ...]) -> str:
        first = f"{cells[0]:<{widths[0]}}"
        rest = (f"{cell:>{w}}" for cell, w in zip(cells[1:], widths[1:], strict=True))
        return "  " + "  ".join([first, *rest])

    return [line(head), *(line(r) for r in rows)]
