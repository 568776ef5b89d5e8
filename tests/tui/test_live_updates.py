"""Live updates across apps: two app instances on one database (rules.md, "Live updates").

A snooze made in app A shows in app B's queue within a second with no key pressed in B; B's
cursor stays on the row it is on, and B says in one line who did it.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import RadioButton

from renubu_tui.data.engine import Database, create_database
from renubu_tui.tui.app import RenubuApp
from renubu_tui.tui.widgets.queue_pane import QueuePane
from tests.conftest import PG_URL
from tests.tui.conftest import AppFactory, settle, until
from tests.tui.test_actions_ui import asked, open_kestrel, toasts

WIDE = (160, 48)
JORDAN = "jordan.lee@acmecloud.com"  # Maya's manager: sees everyone's rows


def _keys(app: RenubuApp) -> list[tuple[Any, str]]:
    return [(row.customer_id, row.workflow_type) for row in app.query_one(QueuePane).rows]


@pytest.fixture
def on_backend(
    seeded_db: Database,
    db_path: Path,
    pg_migrated_schema: str | None,
    monkeypatch: pytest.MonkeyPatch,
) -> str:
    """The database URL both apps open: the seeded SQLite copy, or the seeded PostgreSQL
    schema (the apps' engines get its search path)."""
    if seeded_db.dialect != "postgresql":
        return f"sqlite+aiosqlite:///{db_path}"
    from renubu_tui.services import bootstrap

    schema = pg_migrated_schema
    monkeypatch.setattr(
        bootstrap, "create_database", lambda url, **kw: create_database(url, schema=schema)
    )
    return PG_URL


async def test_a_snooze_in_one_app_shows_in_another_with_no_key_pressed(
    app_factory: AppFactory, on_backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from renubu_tui.services import changes, container

    published: list[float] = []  # when the snooze was published (just before its commit)

    async def publish(*args: Any, **kwargs: Any) -> int:
        published.append(asyncio.get_running_loop().time())
        return await changes.publish(*args, **kwargs)

    monkeypatch.setattr(container, "publish", publish)
    a = app_factory(live=True, database_url=on_backend)
    b = app_factory(live=True, database_url=on_backend, user=JORDAN)
    async with a.run_test(size=WIDE) as pa, b.run_test(size=WIDE) as pb:
        await settle(pb)
        kestrel_run = await open_kestrel(pa)  # A: Kestrel's renewal started, its cursor on it
        assert a.session is not None
        kestrel = a.query_one(QueuePane).current
        assert kestrel is not None
        renewal = (kestrel.customer_id, kestrel.workflow_type)
        pane = b.query_one(QueuePane)
        pane.set_view(pane.view.with_(mine=False))
        await settle(pb)
        await until(pb, lambda: renewal in _keys(b), limit=5)
        await settle(pb)
        # B's cursor on the row after Kestrel's renewal: its leaving moves that row up a line
        index = _keys(b).index(renewal) + 1
        pane.table.move_cursor(row=index, animate=False)
        await settle(pb)
        on = pane.current
        assert on is not None and (on.customer_id, on.workflow_type) != renewal

        await pa.press("s")
        await asked(pa)
        a.screen.query(RadioButton)[1].value = True  # 3 days
        published.clear()
        await pa.click("#ok")
        await until(pa, lambda: any("Snoozed Kestrel Networks" in t for t in toasts(a)))
        # B shows it with no key pressed (how soon is bench/interaction.py's business: a timed
        # assertion here fails on a busy machine, not on a slow app)
        await until(pb, lambda: renewal not in _keys(b), limit=5)
        assert published, "the snooze published no change event"
        await until(pb, lambda: "Maya Patel snoozed Kestrel Networks" in toasts(b), limit=5)
        await settle(pb)
        now_on = pane.current
        assert now_on is not None
        assert (now_on.customer_id, now_on.workflow_type) == (on.customer_id, on.workflow_type)
        assert pane.table.cursor_row == index - 1
        # A's own change: refreshed, not toasted
        assert not any("Maya Patel snoozed" in t for t in toasts(a))
        assert kestrel_run is not None
