"""Today's One Thing: the top row of the queue, shown above the list with its reasons."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

from renubu_tui.tui.text import clean, days_text, join, plain

if TYPE_CHECKING:
    from renubu_tui.services.queue.service import QueueRow

TITLE = "Today's One Thing"


class OneThing(Static):
    """The queue's first row: customer, type, stage, score and the factors that weigh most."""

    def on_mount(self) -> None:
        self.waiting("Loading today's queue…")

    def waiting(self, message: str) -> None:
        """No top row (yet): a dim line instead of the card."""
        self.border_title = None
        self.add_class("-empty")
        self.update(Text(message))

    def show(self, row: QueueRow | None) -> None:
        if row is None:
            self.waiting("Nothing needs you today with these filters.")
            return
        self.remove_class("-empty")
        self.border_title = TITLE
        headline = Text.assemble(
            plain(row.customer_name, "bold"),
            "  ",
            Text(f"{row.score} {row.label}", style="bold"),
        )
        stage = clean(row.stage) or "no stage"
        facts = join([row.workflow_type, stage, days_text(row.days)])
        lines = [headline, facts]
        lines += [Text.assemble("• ", plain(factor)) for factor in row.top_factors]
        self.update(Text("\n").join(lines))
