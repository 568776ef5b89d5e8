"""One rule for "the step is open and its gate is open", said in one way wherever a person meets
it: completing or skipping the step, answering it with a fixed reply in the chat, running it with
the assistant (`executions.require_open_step`)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import update

from renubu_tui.data.engine import Database
from renubu_tui.data.models import WorkflowExecution
from renubu_tui.services.refusals import Refused
from renubu_tui.services.workflows.executions import ExecutionError, GateClosed
from tests.services.chat.helpers import TENANT, Env, make_env, open_critical


async def _set(db: Database, run_id: uuid.UUID, **values: object) -> None:
    async with db.sessions() as s, s.begin():
        await s.execute(
            update(WorkflowExecution).where(WorkflowExecution.id == run_id).values(values)
        )


async def _refusals(env: Env, run_id: uuid.UUID) -> dict[str, Exception]:
    """What each of the four ways of leaving or working the step raises."""
    said: dict[str, Exception] = {}
    attempts = {
        "complete": env.executions.complete_step(
            TENANT, run_id, actor=env.maya, chosen_route="SIGNATURE_PENDING"
        ),
        "skip": env.executions.skip_step(TENANT, run_id, actor=env.maya, reason="no time"),
        "answer": env.chat.choose_branch(TENANT, run_id, "signature-pending", actor=env.maya),
        "run": env.runner.run_step(TENANT, run_id, env.maya),
    }
    for verb, attempt in attempts.items():
        with pytest.raises(ExecutionError) as refused:
            await attempt
        said[verb] = refused.value
    return said


async def test_a_snoozed_workflow_says_the_same_everywhere(seeded_db: Database) -> None:
    env = await make_env(seeded_db)
    run_id = await open_critical(seeded_db)
    await _set(seeded_db, run_id, status="snoozed", snoozed_until=dt.date(2025, 10, 1))
    said = await _refusals(env, run_id)
    subject = (await env.executions.view(TENANT, run_id)).subject
    for verb, gerund in [
        ("complete", "completing"),
        ("skip", "skipping"),
        ("answer", "answering"),
        ("run", "running"),
    ]:
        assert str(said[verb]) == f"{subject} is snoozed until Wed 01 Oct; wake it before {gerund}"
        assert type(said[verb]) is ExecutionError and isinstance(said[verb], Refused)


async def test_a_closed_workflow_has_no_step_left(seeded_db: Database) -> None:
    env = await make_env(seeded_db)
    run_id = await open_critical(seeded_db)
    await _set(seeded_db, run_id, status="rejected")
    said = await _refusals(env, run_id)
    subject = (await env.executions.view(TENANT, run_id)).subject
    for verb in ("complete", "skip", "answer", "run"):
        assert (
            str(said[verb]) == f"{subject} was closed as rejected; there is no step left to {verb}"
        )


async def test_a_closed_gate_says_who_in_the_same_words(seeded_db: Database) -> None:
    env = await make_env(seeded_db)
    customer = await env.customer("Kestrel Networks")
    view = await env.executions.start(TENANT, customer, actor=env.maya, workflow_slug="emergency")
    view = await env.executions.complete_step(
        TENANT, view.id, actor=env.maya, chosen_route="FINAL_PUSH"
    )
    assert view.gate
    said = {}
    for verb, attempt in {
        "completed": env.executions.complete_step(TENANT, view.id, actor=env.maya),
        "skipped": env.executions.skip_step(TENANT, view.id, actor=env.maya, reason="x"),
        "answered": env.chat.choose_branch(TENANT, view.id, "acknowledged", actor=env.maya),
        "run": env.runner.run_step(TENANT, view.id, env.maya),
    }.items():
        with pytest.raises(GateClosed) as refused:
            await attempt
        said[verb] = str(refused.value)
    for done, text in said.items():
        assert text == (
            "This step waits for Jordan Lee (manager) to acknowledge the escalation; "
            f"it can be {done} once that is recorded"
        )
