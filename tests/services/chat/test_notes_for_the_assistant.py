"""A customer's notes reach the assistant: in the context it is sent (offline provider) and in
knowledge search for that customer — and never for another customer."""

from __future__ import annotations

import datetime as dt
from contextlib import aclosing
from typing import Any

from sqlalchemy import select

from renubu_tui.clock import Clock
from renubu_tui.data.engine import Database
from renubu_tui.data.models import Customer
from renubu_tui.llm.messages import ChatRequest
from renubu_tui.llm.offline.provider import OfflineProvider
from renubu_tui.llm.provider import Provider
from renubu_tui.services.chat.knowledge import search
from renubu_tui.services.container import build_services
from renubu_tui.services.customers.timeline import end_of
from renubu_tui.settings import Settings
from tests.conftest import TEST_TODAY
from tests.services.chat.helpers import MAYA, TENANT, make_env

NOTE = "Sarah says the **procurement** review slips to Friday; David wants net-60 terms"


class Recording(OfflineProvider):
    """The offline provider, keeping every request it was sent."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[ChatRequest] = []

    async def stream(self, request: ChatRequest) -> Any:
        self.requests.append(request)
        async for event in super().stream(request):
            yield event


async def _write_note(db: Database) -> None:
    settings = Settings(database_url="sqlite+aiosqlite://", user=MAYA)
    services = await build_services(db, settings, Clock(TEST_TODAY, dt.time(9)))
    await services.notes().add("bluesoft", NOTE, tag="call")
    Clock.uninstall()


async def _customer(db: Database, domain: str) -> Any:
    async with db.sessions() as s:
        return await s.scalar(select(Customer.id).where(Customer.domain == domain))


async def test_the_assistant_is_sent_the_customers_notes(seeded_db: Database) -> None:
    await _write_note(seeded_db)
    provider = Recording()

    def factory() -> Provider:
        return provider

    env = await make_env(seeded_db, factory)
    thread = await env.chat.open_thread(
        TENANT, actor=env.maya, customer_id=await _customer(seeded_db, "bluesoft.com")
    )
    async with aclosing(env.chat.send(thread.id, "What did Sarah say?")) as events:
        _ = [e async for e in events]
    sent = provider.requests[0]
    notes = (sent.context or {}).get("notes")
    assert notes is not None, sent.context
    assert [(n["author"], n["tag"], n["text"]) for n in notes] == [("Maya Patel", "call", NOTE)]


async def test_knowledge_search_finds_the_note_for_that_customer_only(
    seeded_db: Database,
) -> None:
    await _write_note(seeded_db)
    bluesoft = await _customer(seeded_db, "bluesoft.com")
    until = end_of(TEST_TODAY)
    found = await search(seeded_db, TENANT, "procurement terms", customer_id=bluesoft, until=until)
    assert found[0].doc_slug.startswith("note:")
    assert found[0].title == "Note by Maya Patel, 2025-09-24 [call]"
    assert "procurement" in found[0].snippet and "**" not in found[0].snippet
    async with seeded_db.sessions() as s:
        other = await s.scalar(select(Customer.id).where(Customer.id != bluesoft).limit(1))
    elsewhere = await search(seeded_db, TENANT, "procurement terms", customer_id=other)
    assert not any(p.doc_slug.startswith("note:") for p in elsewhere)
    before = await search(
        seeded_db,
        TENANT,
        "procurement",
        customer_id=bluesoft,
        until=end_of(TEST_TODAY - dt.timedelta(days=1)),
    )
    assert not any(p.doc_slug.startswith("note:") for p in before)
