"""Step prompts are text, not HTML: the assistant and the step pane read the data as written.

A model sent `Pinnacle &amp; Sons &lt;Edu&gt;` writes it back into drafts and artifacts; the
step pane's resolved prompt would show the entities to the CSM.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

from sqlalchemy import select, update

from renubu_tui.data.engine import Database
from renubu_tui.data.models import Customer
from renubu_tui.settings import Settings
from tests.conftest import TEST_TODAY
from tests.services.chat.helpers import (
    TENANT,
    ScriptedProvider,
    done,
    make_env,
    open_critical,
    text,
)

NAME = "Pinnacle & Sons <Edu>"
ENTITIES = ("&amp;", "&lt;", "&gt;", "&#x3D;", "&#x27;", "&quot;")


async def test_the_assistant_is_asked_in_text(seeded_db: Database) -> None:
    async with seeded_db.sessions() as s, s.begin():
        await s.execute(
            update(Customer).where(Customer.name == "Kestrel Networks").values(name=NAME)
        )
    answer = {
        "route": "SIGNATURE_PENDING",
        "blockers": ["order form unsigned"],
        "primaryBlocker": "order form unsigned",
        "fullRenewalAtRisk": False,
        "warRoomRecommended": True,
        "summary": "Signature pending.",
    }
    provider = ScriptedProvider([text(json.dumps(answer)), done()])
    env = await make_env(seeded_db, lambda: provider)
    run_id = await open_critical(seeded_db, NAME)
    await env.runner.run_step(TENANT, run_id, env.maya)
    system, task = provider.requests[0].messages[:2]
    assert f"working on {NAME} (ARR $100,000, renewal 2025-10-04)" in system.content
    assert f"The renewal for {NAME} is 10 days away" in task.content
    assert "renewal ARR $100,000" in task.content
    assert not any(e in system.content + task.content for e in ENTITIES)


async def test_the_step_pane_shows_the_prompt_as_written(
    tmp_path: Path, sqlite_templates: dict[str, Path]
) -> None:
    from renubu_tui.services.customers.step_view import step_view
    from renubu_tui.tui.session import open_session

    path = tmp_path / "renubu.sqlite3"
    shutil.copyfile(sqlite_templates["seeded"], path)
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE customers SET name = ? WHERE name = 'Kestrel Networks'", (NAME,))
    settings = Settings(database_url=f"sqlite+aiosqlite:///{path}", today=TEST_TODAY)
    session = await open_session(settings)
    try:
        async with session.services.db.sessions() as s:
            customer = await s.scalar(select(Customer.id).where(Customer.name == NAME))
        assert customer is not None
        await session.services.executions.start(TENANT, customer, actor=session.services.user)
        data = await step_view(session.services, customer, session.today)
    finally:
        await session.close()
    assert data.prompt_error is None
    assert data.prompt.startswith(f"The renewal for {NAME} is 10 days away (2025-10-04).")
    assert "- ARR: $100,000 (renewal ARR $100,000)" in data.prompt
    assert not any(e in data.prompt for e in ENTITIES)


def test_a_chat_threads_instructions_are_text() -> None:
    from renubu_tui.services.chat.service import system_prompt

    config = {"context": {"systemPrompt": "Working on {{customer.name}} ({{money customer.arr}})."}}
    step = {"id": "s", "name": "Step", "execution": {"llmPrompt": "Ask {{customer.name}}: a = b?"}}
    prompt = system_prompt(config, step, {"customer": {"name": NAME, "arr": 100000}})
    assert prompt.startswith(f"Working on {NAME} ($100,000).")
    assert f"Ask {NAME}: a = b?" in prompt
