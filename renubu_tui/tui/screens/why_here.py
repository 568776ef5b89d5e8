"""Why is this row in the queue: its factors and the formula line (domain.md §5)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from renubu_tui.tui.screens.modal import Modal
from renubu_tui.tui.text import clean, days_text, join, money, plain

if TYPE_CHECKING:
    from renubu_tui.services.queue.service import QueueRow


def why_text(row: QueueRow, rank: int) -> Text:
    b = row.breakdown
    plan = f"plan {row.plan or '–'}{'' if row.plan_is_set else ' (derived)'}"
    lines = [
        Text.assemble(f"#{rank} ", plain(row.customer_name, "bold"), f" · {row.workflow_type}"),
        join(
            [f"stage {clean(row.stage) or '–'}", days_text(row.days), f"ARR {money(row.arr)}", plan]
        ),
        Text(""),
        Text(f"Score {b.total} ({b.label})", style="bold"),
        *[Text.assemble("  • ", plain(f.text)) for f in b.factors],
        Text(""),
        Text.assemble("  ", (b.formula_line, "bold")),
    ]
    if row.snooze_ended:
        lines += [Text(""), Text("⏰ Its snooze has ended: it is back in the queue.")]
    return Text("\n").join(lines)


class WhyHereScreen(Modal[None]):
    """A modal over the queue; any of Esc, q or w closes it."""

    CSS_PATH = "../styles/why_here.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,w", "close", "Close", id="why.close"),
    ]

    def __init__(self, row: QueueRow, rank: int) -> None:
        super().__init__()
        self.row = row
        self.rank = rank

    def compose(self) -> ComposeResult:
        with VerticalScroll() as body:
            body.border_title = "Why is this here?"
            yield Static(why_text(self.row, self.rank), id="why-body", markup=False)
            yield Static("Esc to close", classes="hint", markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
