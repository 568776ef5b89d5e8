"""The customer timeline and notes (services), on both backends.

Notes: added (tag checked, audited, a change event published), edited by their author only
(the old wording kept as a revision), shown on the timeline, fed to the assistant's context.
The timeline: every kind of touch, newest first, filtered by kind and by words, as of today.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from renubu_tui.clock import Clock
from renubu_tui.data.engine import Database
from renubu_tui.data.models import AuditEntry, ChangeEvent, Customer
from renubu_tui.domain.timeline import KINDS, Entry, arrange, changes, check_kinds
from renubu_tui.services.container import Services, build_services
from renubu_tui.services.customers.notes import NotYourNote
from renubu_tui.services.customers.timeline import customer_timeline, parse_kinds
from renubu_tui.services.refusals import BadInput, NotFound
from renubu_tui.settings import Settings
from tests.conftest import TEST_TODAY

MAYA = "maya.patel@acmecloud.com"
DANIEL = "daniel.okafor@acmecloud.com"
UTC = dt.UTC


async def _services(db: Database, user: str = MAYA, on: dt.date = TEST_TODAY) -> Services:
    settings = Settings(database_url="sqlite+aiosqlite://", user=user)
    return await build_services(db, settings, Clock(on, dt.time(12, 0)))


# --- the pure part ------------------------------------------------------------------------------


def _e(hour: int, kind: str, title: str = "t") -> Entry:
    return Entry(dt.datetime(2025, 9, 1, hour, tzinfo=UTC), kind, title, "who")


def test_arrange_orders_newest_first_then_by_kind_and_title() -> None:
    entries = [_e(9, "step", "b"), _e(10, "note"), _e(9, "note"), _e(9, "step", "a")]
    got = [(e.at.hour, e.kind, e.title) for e in arrange(entries)]
    assert got == [(10, "note", "t"), (9, "note", "t"), (9, "step", "a"), (9, "step", "b")]


def test_arrange_filters_by_kind_words_and_day() -> None:
    entries = [_e(9, "step", "Pricing call"), _e(10, "note", "pricing agreed"), _e(11, "arr")]
    assert [e.kind for e in arrange(entries, kinds=frozenset({"note", "arr"}))] == ["arr", "note"]
    assert [e.kind for e in arrange(entries, search="PRICING")] == ["note", "step"]
    assert [e.kind for e in arrange(entries, search="pricing call")] == ["step"]
    until = dt.datetime(2025, 9, 1, 10, tzinfo=UTC)
    assert [e.kind for e in arrange(entries, until=until)] == ["note", "step"]


def test_a_notes_title_is_its_first_line_without_block_marks() -> None:
    from renubu_tui.services.customers.timeline import _first_line

    assert _first_line("\n\n# Call with **Sarah**\nmore") == "Call with **Sarah**"
    assert _first_line("- [ ] follow up") == "[ ] follow up"
    assert _first_line("> quoted") == "quoted" and _first_line("1. first") == "first"


def test_kinds_are_checked_and_changes_drop_repeats() -> None:
    assert check_kinds(["E-mail", "note"]) == {"email", "note"}
    with pytest.raises(ValueError, match="did you mean note"):
        check_kinds(["notes"])
    with pytest.raises(BadInput, match="kinds are note, workflow"):
        parse_kinds(["bogus"])
    d = dt.date(2025, 1, 1)
    days = [d + dt.timedelta(days=n) for n in range(4)]
    series = list(zip(days, [72.0, 72.0, None, 80.0], strict=True))
    assert changes(series) == [(days[0], None, 72.0), (days[3], 72.0, 80.0)]


# --- notes ----------------------------------------------------------------------------------------


async def test_a_note_is_added_audited_published_and_on_the_timeline(seeded_db: Database) -> None:
    s = await _services(seeded_db)
    note = await s.notes().add("bluesoft", "Call with **Sarah**: pricing is fine", tag="Call")
    assert (note.tag, note.author, note.revisions) == ("call", "Maya Patel", 0)
    async with seeded_db.sessions() as session:
        audit = await session.scalar(select(AuditEntry).where(AuditEntry.entity_id == str(note.id)))
        event = await session.scalar(
            select(ChangeEvent)
            .where(ChangeEvent.customer_id == note.customer_id)
            .order_by(ChangeEvent.id.desc())
            .limit(1)
        )
    assert audit is not None and audit.action == "note-add" and audit.actor_label == MAYA
    assert audit.new_value == {"tag": "call", "body": "Call with **Sarah**: pricing is fine"}
    assert event is not None and event.kind == "note" and event.actor_name == "Maya Patel"
    view = await customer_timeline(seeded_db, s.tenant, "bluesoft", TEST_TODAY)
    first = view.entries[0]  # written at noon today: the newest touch
    assert (first.kind, first.who, first.ref) == ("note", "Maya Patel", str(note.id))
    assert first.title == "[call] Call with **Sarah**: pricing is fine"
    found = await customer_timeline(
        seeded_db, s.tenant, "bluesoft", TEST_TODAY, search="sarah pricing"
    )
    assert [e.ref for e in found.entries] == [str(note.id)]


async def test_bad_notes_are_refused(seeded_db: Database) -> None:
    s = await _services(seeded_db)
    with pytest.raises(BadInput, match="unknown tag 'lunch'; tags are call, e-mail"):
        await s.notes().add("bluesoft", "text", tag="lunch")
    with pytest.raises(BadInput, match="needs some text"):
        await s.notes().add("bluesoft", "   ")
    with pytest.raises(NotFound):
        await s.notes().add("no-such-customer-anywhere", "text")
    assert (await s.notes().add("bluesoft", "sent", tag="email")).tag == "e-mail"


async def test_only_the_author_edits_and_every_wording_is_kept(seeded_db: Database) -> None:
    maya = await _services(seeded_db)
    note = await maya.notes().add("bluesoft", "first wording", tag="risk")
    daniel = await _services(seeded_db, DANIEL)
    with pytest.raises(NotYourNote, match="only Maya Patel, who wrote this note, can edit it"):
        await daniel.notes().edit(note.id, "hijacked")
    edited = await maya.notes().edit(note.id, "second wording", tag="meeting")
    again = await maya.notes().edit(note.id, "third wording", tag="meeting")
    assert (edited.revisions, again.revisions, again.body, again.tag) == (
        1,
        2,
        "third wording",
        "meeting",
    )
    same = await maya.notes().edit(note.id, "third wording", tag="meeting")
    assert same.revisions == 2  # nothing changed: nothing kept, nothing audited
    history = await maya.notes().history(note.id)
    assert [(r.revision, r.body, r.tag, r.written_by) for r in history] == [
        (1, "first wording", "risk", "Maya Patel"),
        (2, "second wording", "meeting", "Maya Patel"),
    ]
    async with seeded_db.sessions() as session:
        actions = (
            await session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.entity_id == str(note.id))
                .order_by(AuditEntry.created_at)
            )
        ).all()
    assert sorted(actions) == ["note-add", "note-edit", "note-edit"]
    got = await maya.notes().get(note.id)
    assert got.body == "third wording" and got.edited
    view = await customer_timeline(
        seeded_db, maya.tenant, "bluesoft", TEST_TODAY, kinds=frozenset({"note"})
    )
    assert [e.title for e in view.entries] == ["[meeting] third wording (edited)"]
    with pytest.raises(NotFound):
        await maya.notes().edit(uuid.uuid4(), "x")


async def test_a_note_written_later_is_not_on_an_earlier_day(seeded_db: Database) -> None:
    s = await _services(seeded_db)
    await s.notes().add("bluesoft", "today's note")
    before = TEST_TODAY - dt.timedelta(days=1)
    view = await customer_timeline(
        seeded_db, s.tenant, "bluesoft", before, kinds=frozenset({"note"})
    )
    assert view.entries == []


# --- the timeline -------------------------------------------------------------------------------


async def test_the_timeline_holds_every_kind_newest_first(seeded_db: Database) -> None:
    s = await _services(seeded_db)
    await s.notes().add("bluesoft", "a note")
    bluesoft = await _customer_id(seeded_db, "bluesoft.com")
    await s.actions.run(
        s.tenant.id,
        "schedule-meeting",
        actor=s.user,
        customer_id=bluesoft,
        params={"title": "QBR prep", "duration": 30},
    )
    await s.actions.run(
        s.tenant.id,
        "send-email",
        actor=s.user,
        customer_id=bluesoft,
        params={"to": ["sarah@bluesoft.com"], "subject": "Signatures", "body": "Hi"},
    )
    view = await customer_timeline(seeded_db, s.tenant, "bluesoft", TEST_TODAY)
    seen = {e.kind for e in view.entries}
    assert seen >= {"note", "workflow", "step", "action", "meeting", "email", "notification"}
    assert seen >= {"chat", "health", "arr"}
    assert set(KINDS) - seen == {"import"}  # the demo book was not imported
    stamps = [e.at for e in view.entries]
    assert stamps == sorted(stamps, reverse=True)
    assert all(e.at.date() <= TEST_TODAY for e in view.entries)
    health = [e.title for e in view.entries if e.kind == "health"]
    assert health[-1] == "health 72" and "health 68 → 75" in health  # changes, not repeats
    assert [e.title for e in view.entries if e.kind == "arr"] == [
        "ARR $165,000 → $180,000",
        "ARR $165,000",
    ]
    meeting = next(e for e in view.entries if e.kind == "meeting")
    assert (meeting.title, meeting.who) == ("meeting scheduled: QBR prep, 30 min", "Maya Patel")
    email = next(e for e in view.entries if e.kind == "email")
    assert email.title == "e-mail drafted: Signatures"
    routes = [e.title for e in view.entries if e.kind == "step" and "→ route" in e.title]
    assert routes, "a step's route is on its entry"
    only = await customer_timeline(
        seeded_db, s.tenant, "bluesoft", TEST_TODAY, kinds=frozenset({"health", "arr"})
    )
    assert {e.kind for e in only.entries} == {"health", "arr"}


async def test_an_imported_customer_shows_its_import(seeded_db: Database, tmp_path: Path) -> None:
    s = await _services(seeded_db)
    path = tmp_path / "accounts.csv"
    path.write_text(
        "Account ID,Account Name,Account Owner,Annual Revenue,Contract End Date\n"
        f'TL-1,Timeline Import Co,{MAYA},"$90,000",2026-03-31\n',
        encoding="utf-8",
    )
    assert (await s.importer().run("customers", path)).inserted == 1
    path.write_text(
        "Account ID,Account Name,Account Owner,Annual Revenue,Contract End Date\n"
        f'TL-1,Timeline Import Co,{MAYA},"$95,000",2026-03-31\n',
        encoding="utf-8",
    )
    await s.importer().run("customers", path)
    view = await customer_timeline(seeded_db, s.tenant, "Timeline Import", TEST_TODAY)
    titles = [e.title for e in view.entries if e.kind == "import"]
    assert "imported from a CRM export (id TL-1)" in titles


async def test_an_unknown_customer_is_not_found(seeded_db: Database) -> None:
    s = await _services(seeded_db)
    with pytest.raises(NotFound):
        await customer_timeline(seeded_db, s.tenant, "zzz-nobody", TEST_TODAY)


async def _customer_id(db: Database, domain: str) -> uuid.UUID:
    async with db.sessions() as session:
        found = await session.scalar(select(Customer.id).where(Customer.domain == domain))
    assert found is not None
    return found
