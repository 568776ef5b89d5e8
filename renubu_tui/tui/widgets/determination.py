"""Why a customer is in the queue: every workflow type with its reason, stage, score, factors
and formula line, from `QueueService.explain` (shown under the step in the step pane)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.text import Text

from renubu_tui.tui.text import bullets, clean, days_text, join, money, number, plain

if TYPE_CHECKING:
    from renubu_tui.services.queue.service import CustomerExplanation, TypeExplanation


def render_explanation(x: CustomerExplanation, focus_type: str | None = None) -> Group:
    """The determination of every workflow type (customer data as plain text, never markup)."""
    plan = f"plan {x.plan} ({'set' if x.plan_is_set else 'derived'})"
    parts: list[RenderableType] = [
        plain(x.customer_name, "bold"),
        join([_days(x.days), f"ARR {money(x.arr)}", plan, f"health {number(x.health)}"]),
    ]
    for t in x.types:
        parts += _type_parts(t, focus=t.determination.type.value == focus_type)
    return Group(*parts)


def _days(days: int | None) -> str:
    if days is None:
        return "no renewal date"
    return f"{days} days until renewal" if days >= 0 else days_text(days)


def _type_parts(t: TypeExplanation, *, focus: bool) -> list[RenderableType]:
    d = t.determination
    marker = "▶ " if focus else ""
    if t.breakdown is None:
        head = Text.assemble("\n", marker, (d.type.value, "bold dim"), (" · not queued", "dim"))
        return [head, bullets([plain(d.reason, "dim")], " ")]
    b = t.breakdown
    stage = f" · stage {clean(t.stage)}" if t.stage else ""
    head = Text.assemble(
        "\n", marker, (d.type.value, "bold"), " · ", (f"{b.total} {b.label}", "bold"), stage
    )
    notes = [plain(d.reason)] + ([plain(t.note, "italic")] if t.note else [])
    return [
        head,
        bullets(notes, " "),
        bullets(plain(f.text) for f in b.factors),
        bullets([plain(b.formula_line, "bold")], " "),
    ]
