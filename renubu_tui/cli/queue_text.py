"""How `renubu queue` looks: header, table, JSON and the empty-result line, as plain strings.

Free of click and SQLAlchemy so the quick path (cli/fast_path.py, which answers from the day's
materialized queue with the standard library) prints exactly what the full command prints.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from renubu_tui.safe_text import printable

HEADERS = ("#", "Customer", "Type", "Stage", "Days", "ARR", "Plan", "Score", "Label")
_RIGHT = {0, 4, 5, 7}


def money(value: float | None) -> str:
    return "-" if value is None else f"${value:,.0f}"


def header_line(
    who: str, today: dt.date, active: int, snoozed: int, escalated: int, *, to: str = "me"
) -> str:
    """The first line: whose queue, the day, and the tab counts (escalations to `to`)."""
    return (
        f"Queue of {printable(who)} · {today} · Active {active} · Snoozed {snoozed} · "
        f"Escalated to {printable(to)} {escalated}"
    )


def table_lines(rows: Sequence[Any]) -> list[str]:
    """The ranked rows under a header, columns as wide as their widest cell."""
    table = [
        (
            str(rank),
            printable(r.customer_name)[:36] + (" ⏰" if r.snooze_ended else ""),
            r.workflow_type,
            r.stage or "-",
            "-" if r.days is None else str(r.days),
            money(r.arr),
            (r.plan or "-") + ("" if r.plan_is_set else "*"),
            str(r.score),
            r.label,
        )
        for rank, r in enumerate(rows, start=1)
    ]
    widths = [max([len(h), *(len(row[i]) for row in table)]) for i, h in enumerate(HEADERS)]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(
            c.rjust(widths[i]) if i in _RIGHT else c.ljust(widths[i]) for i, c in enumerate(cells)
        ).rstrip()

    lines = [line(HEADERS), *(line(row) for row in table)]
    if any(not r.plan_is_set for r in rows):
        lines.append("* plan derived from ARR and health (none set)")
    return lines


def result_lines(rows: Sequence[Any], total: int, empty: str) -> list[str]:
    """The table and 'showing N of M', or, when nothing matches, the one line that says so."""
    if not rows:
        return [empty]
    return [*table_lines(rows), f"showing {len(rows)} of {total}"]


def empty_line(tab: str, filters: Sequence[str], *, to: str = "you") -> str:
    """What an empty result means, in words: which tab, and which filters left nothing."""
    if filters:
        kind = {"escalated": f"escalated to {printable(to)}", "snoozed": "snoozed"}.get(tab, "")
        what = f"work {kind}" if kind else "work"
        return f"No {what} matches {', '.join(filters)}."
    if tab == "escalated":
        return f"Nothing is escalated to {printable(to)}."
    if tab == "snoozed":
        return "Nothing is snoozed."
    return "Nothing in the queue today."


def queue_json(rows: Sequence[Any], total: int, today: dt.date) -> dict[str, Any]:
    return {
        "today": today.isoformat(),
        "total": total,
        "rows": [
            {
                "rank": rank,
                "customerId": str(r.customer_id),
                "customer": r.customer_name,
                "type": r.workflow_type,
                "stage": r.stage,
                "daysUntilRenewal": r.days,
                "arr": r.arr,
                "plan": r.plan,
                "planIsSet": r.plan_is_set,
                "score": r.score,
                "label": r.label,
                "status": r.status,
                "snoozeEnded": r.snooze_ended,
                "topFactors": r.top_factors,
                "formula": r.breakdown.formula_line,
            }
            for rank, r in enumerate(rows, start=1)
        ],
    }
