"""The centre pane: where a customer's workflow step will be worked.

Until the workflow step runner lands here, it shows the customer's determination: each workflow
type with its reason, stage, score, factors and formula line, from `QueueService.explain` (the
same Python rules that double-check the queue). The runner will show the current step here
instead (a step widget mounted in place of `#step-body`) and keep the explanation one key away.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.text import Text
from textual import work
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from renubu_tui.tui.errors import ReportsWorkerErrors
from renubu_tui.tui.text import bullets, clean, days_text, join, money, number, plain

if TYPE_CHECKING:
    from renubu_tui.services.queue import CustomerExplanation, TypeExplanation
    from renubu_tui.tui.session import Session


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


class StepPane(ReportsWorkerErrors, VerticalScroll):
    """The current customer's work; for now, why each workflow type applies or not."""

    DEFAULT_CSS = """
    StepPane {
        width: 1fr;
        height: 1fr;
        border-left: vkey $panel-lighten-1;
        padding: 0 1;
        scrollbar-size-vertical: 1;
    }
    StepPane > #step-title {
        text-style: bold;
        color: $accent;
        height: 1;
    }
    StepPane > #step-body { height: auto; }
    """

    can_focus = True

    class Loaded(Message):
        def __init__(self, customer_id: uuid.UUID, body: Group) -> None:
            super().__init__()
            self.customer_id = customer_id
            self.body = body

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.customer_id: uuid.UUID | None = None

    def compose(self):  # type: ignore[no-untyped-def]
        yield Static("Determination", id="step-title", markup=False)
        yield Static("Select a customer in the queue.", id="step-body", markup=False)

    def show(
        self, session: Session, customer_id: uuid.UUID, workflow_type: str | None = None
    ) -> None:
        """Load the customer's determination (in a worker)."""
        self.customer_id = customer_id
        self._load(session, customer_id, workflow_type)

    @work(exclusive=True, group="step", exit_on_error=False)
    async def _load(
        self, session: Session, customer_id: uuid.UUID, workflow_type: str | None
    ) -> None:
        x = await session.services.queue.explain(session.tenant_id, session.today, customer_id)
        self.post_message(self.Loaded(customer_id, render_explanation(x, workflow_type)))

    def on_step_pane_loaded(self, message: Loaded) -> None:
        if message.customer_id != self.customer_id:
            return
        self.query_one("#step-body", Static).update(message.body)
        self.scroll_home(animate=False)
