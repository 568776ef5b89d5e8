"""Command palette (Ctrl+P): jump to a customer by name.

Searches the queue of everyone's work by name (the same indexed search as `/`), so a customer
is found whether or not it is in the current view; choosing one makes it the current customer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider

from renubu_tui.tui.messages import CustomerChosen
from renubu_tui.tui.text import clean

if TYPE_CHECKING:
    from collections.abc import Callable

    from renubu_tui.services.queue.service import QueueRow

LIMIT = 12


def _highlight(name: str, query: str) -> Text:
    text = Text(name)
    start = name.casefold().find(query.casefold())
    if query and start >= 0:
        text.stylize("bold underline", start, start + len(query))
    return text


class CustomerCommands(Provider):
    """Customers whose name contains what was typed."""

    async def _rows(self, query: str) -> list[QueueRow]:
        session = getattr(self.app, "session", None)
        if session is None:
            return []
        from renubu_tui.tui.queue_view import QueueView

        filters = QueueView(mine=False, search=query).to_filters(session.user_id)
        page = await session.services.queue.page(
            session.tenant_id, session.today, filters, limit=LIMIT * 4
        )
        unique: dict[object, QueueRow] = {}
        for row in page.rows:
            unique.setdefault(row.customer_id, row)
        return list(unique.values())[:LIMIT]

    def _choose(self, row: QueueRow) -> Callable[[], None]:
        def jump() -> None:
            self.app.post_message(
                CustomerChosen(row.customer_id, row.customer_name, row.workflow_type, open=True)
            )

        return jump

    async def search(self, query: str) -> Hits:
        query = query.strip()
        if not query:
            return
        for rank, row in enumerate(await self._rows(query)):
            name = clean(row.customer_name)
            yield Hit(
                score=1.0 - rank / (LIMIT * 2),
                match_display=_highlight(name, query),
                command=self._choose(row),
                text=name,
                help=f"{row.workflow_type} · {clean(row.stage) or '–'} · score {row.score}",
            )

    async def discover(self) -> Hits:
        for row in await self._rows(""):
            name = clean(row.customer_name)
            yield DiscoveryHit(
                display=Text(name),
                command=self._choose(row),
                text=name,
                help=f"top of the queue · {row.workflow_type} · score {row.score}",
            )
