"""Notifications are text, not HTML (issue 12 §6): what a person reads is what the data says.

A customer named `Pinnacle & Sons <Edu>` is shown with a literal `&` and `<` in the stored
notification, the inbox and `renubu notifications`; `=` is not `&#x3D;`. The war-room notice
names the blocker the status assessment stored and the renewal ARR as money.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select, update

from renubu_tui.cli import main
from renubu_tui.clock import Clock
from renubu_tui.data.engine import Database
from renubu_tui.data.models import Customer, User
from renubu_tui.data.seed.ids import key_id
from renubu_tui.services.workflows.executions import ExecutionService
from renubu_tui.services.workflows.notifications import NotificationService
from tests.conftest import TEST_TODAY

TENANT = key_id("tenant", "acme-cs")
NAME = "Pinnacle & Sons <Edu>"
BLOCKER = "Legal wants 'net 60' = a re-issued PO; Dana's <sign-off> & procurement pending"
MANAGER = "jordan.lee@acmecloud.com"
ENTITIES = ("&amp;", "&lt;", "&gt;", "&#x3D;", "&#x27;", "&quot;")


async def _kestrel_renamed(db: Database) -> uuid.UUID:
    """Kestrel Networks (10 days out, renewal ARR 100000: Critical), renamed with HTML in it."""
    async with db.sessions() as s, s.begin():
        cid = await s.scalar(select(Customer.id).where(Customer.name == "Kestrel Networks"))
        assert cid is not None
        await s.execute(update(Customer).where(Customer.id == cid).values(name=NAME))
    return cid


async def test_war_room_notice_is_text_with_the_blocker_and_money(seeded_db: Database) -> None:
    customer = await _kestrel_renamed(seeded_db)
    engine = ExecutionService(seeded_db, Clock(TEST_TODAY), tenant_slug="acme-cs")
    async with seeded_db.sessions() as s:
        maya = await s.scalar(select(User).where(User.email == "maya.patel@acmecloud.com"))
    assert maya is not None
    run = await engine.start(TENANT, customer, actor=maya)
    assert run.workflow_slug == "critical"
    outputs = {"route": "SIGNATURE_PENDING", "primaryBlocker": BLOCKER, "blockers": [BLOCKER]}
    run = await engine.complete_step(
        TENANT, run.id, actor=maya, chosen_route="SIGNATURE_PENDING", outputs=outputs
    )
    _, fired = await engine.perform_action(TENANT, run.id, "create-war-room", actor=maya)
    assert fired.errors == [] and fired.created

    stored = next(n for n in fired.created if n.recipient_email == MANAGER)
    assert stored.title == f"War room opened: {NAME}"
    assert stored.message == (
        f"A renewal war room is open for {NAME} ($100,000, 10 days to renewal), with a daily "
        f"stand-up until it is signed; please attend.\nBlocker: {BLOCKER}"
    )
    assert stored.meta["blocker"] == "SIGNATURE_PENDING" and stored.meta["renewalARR"] == "100000"

    inbox = await NotificationService(seeded_db).inbox(TENANT, MANAGER, as_of=TEST_TODAY)
    item = next(i for i in inbox if i.customer_id == customer)
    assert (item.title, item.message) == (stored.title, stored.message)
    for text in (item.title, item.message, json.dumps(item.meta, ensure_ascii=False)):
        assert not any(entity in text for entity in ENTITIES), text


async def test_the_seeded_bluesoft_war_room_names_its_blocker_in_dollars(
    seeded_db: Database,
) -> None:
    """The journey replays Bluesoft's war room through the real rules: no "Blocker: ."."""
    inbox = await NotificationService(seeded_db).inbox(TENANT, MANAGER, as_of=TEST_TODAY)
    war_room = [i for i in inbox if i.title == "War room opened: Bluesoft Corporation"]
    assert len(war_room) == 1
    message = war_room[0].message
    assert "Bluesoft Corporation ($180,000, 15 days to renewal)" in message
    assert message.endswith(
        "Blocker: Signature pending: Sarah Chen and David Kim have not signed the renewal "
        "order form"
    )


@pytest.fixture
def cli_db(
    tmp_path: Path, sqlite_templates: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> list[str]:
    """A seeded SQLite file with Kestrel renamed; the CLI's common options for it."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    for name in ("RENUBU_DATABASE_URL", "RENUBU_TODAY", "RENUBU_CONFIG", "RENUBU_TENANT"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "renubu.sqlite3"
    shutil.copyfile(sqlite_templates["seeded"], path)
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE customers SET name = ? WHERE name = 'Kestrel Networks'", (NAME,))
    return ["--database-url", f"sqlite+aiosqlite:///{path}", "--as-of", TEST_TODAY.isoformat()]


def test_renubu_notifications_prints_the_name_as_written(
    cli_db: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """As a CSM would: start, complete the assessment, open the war room, read the inbox."""
    main([*cli_db, "execution", "start", "kestrel-networks"])
    outputs = json.dumps({"route": "SIGNATURE_PENDING", "primaryBlocker": BLOCKER})
    route = ["--route", "SIGNATURE_PENDING", "--outputs", outputs]
    main([*cli_db, "execution", "complete", "kestrel-networks", *route])
    main([*cli_db, "execution", "action", "kestrel-networks", "create-war-room"])
    out = capsys.readouterr().out
    assert f"notified {MANAGER}: War room opened: {NAME}" in out

    main([*cli_db, "notifications", "--for", MANAGER])
    out = capsys.readouterr().out
    assert f"escalation_required      War room opened: {NAME}\n" in out
    assert not any(entity in out for entity in ENTITIES), out
