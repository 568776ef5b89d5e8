"""Running steps with the assistant: schema-checked JSON, one repair, kept on the step with its
route suggested; the person's choice (or workflow.autoAdvanceSteps) moves the workflow on."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import select

from renubu_tui.data.engine import Database
from renubu_tui.data.models import (
    ActionExecution,
    Customer,
    LlmContext,
    StepExecution,
    UserPreferences,
    Workflow,
)
from renubu_tui.llm.events import Done, Usage
from renubu_tui.services.workflows.executions import GateClosed, RouteRequired
from renubu_tui.services.workflows.schema_check import problems
from renubu_tui.services.workflows.step_runner import (
    StepRunError,
    default_schema,
    parse_json,
    plain_problems,
)
from tests.conftest import TEST_TODAY, JourneyAt
from tests.services.chat.helpers import (
    TENANT,
    Env,
    ScriptedProvider,
    done,
    failure,
    make_env,
    open_critical,
    text,
)

# A customer whose context suits each workflow type (any customer can run any workflow).
# Bluesoft is read on the morning of D−15 (TEST_TODAY), before its journey's Critical workflow
# starts: signatures pending, no workflow running yet.
SUITABLE = {
    "renewal": "Bluesoft Corporation",
    "opportunity": "Emberline Solar",
    "risk": "Kestrel Networks",
    "strategic": "Bluesoft Corporation",
}


async def _bluesoft_before_the_war_room(journey_db_at: JourneyAt) -> tuple[Database, Env]:
    """D−15 before the journey's first event: the book as known that day (the day's health,
    engagement and stakeholder notes) with no Bluesoft workflow yet; and Maya's services."""
    from renubu_tui.services.demo.seeding import seed_facts

    database = await journey_db_at(-16)
    await seed_facts(database, today=TEST_TODAY)
    return database, await make_env(database)


async def _workflows(db: Database) -> list[tuple[str, str]]:
    async with db.sessions() as s:
        rows = (
            await s.execute(
                select(Workflow.slug, Workflow.workflow_type)
                .where(Workflow.tenant_id.is_(None), Workflow.is_active.is_(True))
                .order_by(Workflow.slug)
            )
        ).all()
    return [(slug, kind) for slug, kind in rows]


async def test_every_seeded_step_runs_with_the_offline_assistant(journey_db_at: JourneyAt) -> None:
    """Each core workflow, each step, until completion — or emergency's manager gate."""
    database, env = await _bluesoft_before_the_war_room(journey_db_at)
    flows = await _workflows(database)
    renewal = [slug for slug, kind in flows if kind == "renewal"]
    assert len(renewal) >= 9
    ended: dict[str, str] = {}
    for slug, kind in flows:
        customer = await env.customer(SUITABLE[kind])
        view = await env.executions.start(TENANT, customer, actor=env.maya, workflow_slug=slug)
        schemas = {
            s["id"]: (s.get("execution") or {}).get("outputSchema") for s in view.config["steps"]
        }
        ran: list[str] = []
        for _ in range(20):
            if view.status != "in_progress":
                ended[slug] = "completed"
                break
            try:
                result = await env.runner.run_step(TENANT, view.id, env.maya)
            except GateClosed:
                ended[slug] = f"gate at {view.current_step_id}"
                break
            schema = schemas[result.step_id] or default_schema(
                next(s for s in view.config["steps"] if s["id"] == result.step_id)
            )
            assert problems(schema, result.outputs) == [], (slug, result.step_id)
            assert len(result.attempts) == 1 and result.provider_label == "offline assistant"
            assert not result.advanced and result.view.current_step_id == result.step_id
            ran.append(result.step_id)
            # the person takes the assistant's suggestion (a step without routes needs none)
            choices = await env.executions.route_choices(TENANT, view.id, actor=env.maya)
            assert not choices.has_routes or choices.suggested_by == "assistant", result.step_id
            route = choices.suggested.id if choices.suggested else None
            view = await env.executions.complete_step(
                TENANT, view.id, actor=env.maya, chosen_route=route
            )
        assert ran, slug
        await _retire(database, view.id)
    assert ended.pop("emergency") == "gate at mandatory-team-escalation"
    assert set(ended.values()) == {"completed"}, ended


async def _retire(db: Database, execution_id: uuid.UUID) -> None:
    from sqlalchemy import update

    from renubu_tui.data.models import WorkflowExecution

    async with db.sessions() as s, s.begin():
        await s.execute(
            update(WorkflowExecution)
            .where(WorkflowExecution.id == execution_id, WorkflowExecution.status == "in_progress")
            .values(status="rejected")
        )


async def test_outputs_are_specific_to_the_customer_and_route_the_workflow(
    journey_db_at: JourneyAt,
) -> None:
    database, env = await _bluesoft_before_the_war_room(journey_db_at)
    run_id = await open_critical(database, "Bluesoft Corporation")
    result = await env.runner.run_step(TENANT, run_id, env.maya)
    out = result.outputs
    assert out["route"] == "SIGNATURE_PENDING"  # David Kim's order form is in review
    assert result.suggested_route == "SIGNATURE_PENDING" and result.route is None
    assert result.next_step_id == "critical-status-assessment"  # it waits for the person
    assert "David Kim" in out["primaryBlocker"] and out["warRoomRecommended"] is True
    async with database.sessions() as s:
        record = await s.scalar(select(LlmContext).where(LlmContext.execution_id == run_id))
        step = await s.scalar(
            select(StepExecution).where(
                StepExecution.execution_id == run_id,
                StepExecution.step_id == "critical-status-assessment",
            )
        )
    assert record is not None and record.provider == "offline" and record.model == "offline"
    assert "Bluesoft Corporation" in record.system_prompt and "SIGNATURE_PENDING" in record.prompt
    assert json.loads(record.response or "")["route"] == "SIGNATURE_PENDING"
    assert record.tokens_out > 0 and record.error is None and record.step_execution_id == step.id
    assert step is not None and step.outputs == out and step.status == "in_progress"


async def test_fenced_json_is_accepted(seeded_db: Database) -> None:
    answer = {
        "route": "ALL_COMPLETE",
        "blockers": [],
        "primaryBlocker": "none",
        "fullRenewalAtRisk": False,
        "warRoomRecommended": False,
        "summary": "Signed and paid.",
    }
    provider = ScriptedProvider([text(f"Here you go:\n```json\n{json.dumps(answer)}\n```"), done()])
    env = await make_env(seeded_db, lambda: provider)
    run_id = await open_critical(seeded_db)
    result = await env.runner.run_step(TENANT, run_id, env.maya)
    assert result.suggested_route == "ALL_COMPLETE"
    assert provider.requests[0].response_format_json
    assert "outputSchema" not in provider.requests[0].messages[1].content
    assert '"SIGNATURE_PENDING"' in provider.requests[0].messages[1].content  # the schema


async def test_one_repair_attempt_gets_the_problems_back(seeded_db: Database) -> None:
    good = {
        "route": "PAYMENT_PENDING",
        "blockers": ["invoice"],
        "primaryBlocker": "The invoice is unpaid (their AP team)",
        "fullRenewalAtRisk": False,
        "warRoomRecommended": True,
        "summary": "Waiting on the invoice.",
    }
    provider = ScriptedProvider(
        [text('{"route": "MAYBE", "blockers": "none"}'), done()],
        [text(json.dumps(good)), done()],
    )
    env = await make_env(seeded_db, lambda: provider)
    run_id = await open_critical(seeded_db)
    result = await env.runner.run_step(TENANT, run_id, env.maya)
    assert result.suggested_route == "PAYMENT_PENDING" and len(result.attempts) == 2
    repair = provider.requests[1].messages
    assert [m.role for m in repair] == ["system", "user", "assistant", "user"]
    assert "$.route: must be one of" in repair[-1].content
    assert "$.blockers: expected array" in repair[-1].content
    async with seeded_db.sessions() as s:
        records = (
            await s.scalars(select(LlmContext).where(LlmContext.execution_id == run_id))
        ).all()
    assert len(records) == 2 and sum(r.error is not None for r in records) == 1


async def test_a_second_miss_is_a_clear_error_and_nothing_moves(seeded_db: Database) -> None:
    provider = ScriptedProvider([text("I think it is fine."), done()], [text("{not json"), done()])
    env = await make_env(seeded_db, lambda: provider)
    run_id = await open_critical(seeded_db)
    with pytest.raises(
        StepRunError,
        match="The assistant's answer for Critical status assessment still did not fit after "
        "one retry: The answer had no structured part",
    ):
        await env.runner.run_step(TENANT, run_id, env.maya)
    view = await env.executions.view(TENANT, run_id)
    assert view.current_step_id == "critical-status-assessment"
    async with seeded_db.sessions() as s:
        records = (
            await s.scalars(select(LlmContext).where(LlmContext.execution_id == run_id))
        ).all()
    assert len(records) == 2 and all(r.error for r in records)


async def test_a_failed_call_is_reported_and_recorded(seeded_db: Database) -> None:
    provider = ScriptedProvider([failure("model unreachable")])
    env = await make_env(seeded_db, lambda: provider)
    run_id = await open_critical(seeded_db)
    with pytest.raises(StepRunError, match="could not answer: model unreachable"):
        await env.runner.run_step(TENANT, run_id, env.maya)
    async with seeded_db.sessions() as s:
        record = await s.scalar(select(LlmContext).where(LlmContext.execution_id == run_id))
    assert record is not None and record.error == "model unreachable"
    assert provider.closed == 1


async def test_a_cut_off_answer_says_so_not_that_it_does_not_parse(seeded_db: Database) -> None:
    """Stop reason max_tokens: the answer ran out of room; no repair (it would be cut too)."""
    cut = Done("scripted model", "scripted-1", "max_tokens", Usage(2400, 1999))
    provider = ScriptedProvider([text('{"summary": "Bluesoft is at risk because'), cut])
    env = await make_env(seeded_db, lambda: provider)
    run_id = await open_critical(seeded_db)
    with pytest.raises(StepRunError) as refused:
        await env.runner.run_step(TENANT, run_id, env.maya)
    assert str(refused.value) == (
        "the answer was cut off at 1,999 tokens (raise `[llm] max_tokens`, or use a larger model)"
    )
    assert len(provider.requests) == 1
    async with seeded_db.sessions() as s:
        record = await s.scalar(select(LlmContext).where(LlmContext.execution_id == run_id))
    assert record is not None and (record.error or "").startswith("the answer was cut off")


async def test_a_fallback_answer_fits_the_step_and_names_the_unreachable_server(
    seeded_db: Database,
) -> None:
    """fallback = true, server down: the offline assistant answers in the step's shape, and
    the label says it is a fallback and why."""
    from types import SimpleNamespace

    import httpx

    from renubu_tui.llm.factory import make_provider
    from renubu_tui.llm.resilience import RetryPolicy
    from tests.llm.conftest import FakeSleep, Replay

    replay = Replay(httpx.ConnectError("refused"))
    config = SimpleNamespace(
        llm_provider="ollama", llm_model=None, llm_base_url=None, llm_api_key=None,
        llm_timeout=5.0, llm_fallback=True,
    )  # fmt: skip
    options = {"transport": replay.transport, "sleep": FakeSleep()}
    options["retry"] = RetryPolicy(max_attempts=1)
    env = await make_env(seeded_db, lambda: make_provider(config, offline_pace=0, **options))
    run_id = await open_critical(seeded_db)
    result = await env.runner.run_step(TENANT, run_id, env.maya)
    assert len(result.attempts) == 1 and result.attempts[0].problems == []
    assert result.outputs["route"] and result.suggested_route == result.outputs["route"]
    assert {"blockers", "primaryBlocker", "summary"} <= set(result.outputs)
    assert result.provider_label == (
        "offline assistant (fallback: ollama · llama3.1 unavailable: cannot reach ollama at "
        "http://127.0.0.1:11434 — is it running?)"
    )
    # the context window asked (unreachable too), then the one answer; the fallback's output
    # was written to fit the schema, and the label says so
    assert [r.url.path for r in replay.requests] == ["/api/show", "/api/chat"]
    assert result.schema_mode == "written to fit the schema (offline)"


def _fitting(schema: dict) -> object:
    """What a server honouring `response_format` (as llama.cpp's grammar does) could write."""
    if schema.get("enum"):
        return schema["enum"][0]
    kinds = schema.get("type")
    kind = kinds[0] if isinstance(kinds, list) else kinds
    if kind == "object":
        return {name: _fitting(rule) for name, rule in schema.get("properties", {}).items()}
    samples = {"array": [], "string": "text", "number": 1, "integer": 1, "boolean": True}
    return samples.get(kind)


async def test_a_server_honouring_response_format_fits_on_the_first_try(
    seeded_db: Database,
) -> None:
    import httpx

    from renubu_tui.llm.openai_compat import OpenAICompatProvider
    from tests.llm.conftest import FakeSleep, Replay, streamed

    def server(request: httpx.Request) -> httpx.Response:
        sent = json.loads(request.content)
        schema = sent["response_format"]["json_schema"]["schema"]
        content = json.dumps(_fitting(schema))
        chunk = {"choices": [{"index": 0, "delta": {"content": content}, "finish_reason": "stop"}]}
        return streamed(f"data: {json.dumps(chunk)}\n\ndata: [DONE]\n\n")

    replay = Replay(server)
    provider = OpenAICompatProvider(
        model="smol",
        base_url="http://127.0.0.1:8080",
        transport=replay.transport,
        sleep=FakeSleep(),
    )
    env = await make_env(seeded_db, lambda: provider)
    run_id = await open_critical(seeded_db)
    result = await env.runner.run_step(TENANT, run_id, env.maya)
    assert len(result.attempts) == 1 and result.attempts[0].problems == []
    assert result.suggested_route == result.outputs["route"]
    sent = json.loads(replay.requests[0].content)["response_format"]
    assert sent["type"] == "json_schema" and sent["json_schema"]["strict"] is True
    assert sent["json_schema"]["name"] == "critical-status-assessment"


def test_parse_json_tolerates_prose_and_fences() -> None:
    assert parse_json('```json\n{"a": 1}\n```') == ({"a": 1}, None)
    assert parse_json('Sure! {"a": [1, 2]} Hope that helps.') == ({"a": [1, 2]}, None)
    assert parse_json("no json")[1] == "the answer contains no JSON object"
    assert "does not parse" in (parse_json("{'a': 1}")[1] or "")


def test_default_schema_names_the_routes() -> None:
    schema = default_schema({"id": "x", "routing": {"routes": [{"id": "A"}, {"id": "B"}]}})
    assert schema["properties"]["route"]["enum"] == ["A", "B"]
    assert schema["required"] == ["summary", "recommendations", "route"]
    assert problems(schema, {"summary": "s", "recommendations": [], "route": "A"}) == []
    assert problems(default_schema({"id": "x"}), {"summary": 1}) == [
        "$.recommendations: required",
        "$.summary: expected string, got number",
    ]


async def test_a_closed_gate_is_not_sent_to_the_model(seeded_db: Database) -> None:
    provider = ScriptedProvider()
    env = await make_env(seeded_db, lambda: provider)
    async with seeded_db.sessions() as s:
        kestrel = await s.scalar(select(Customer.id).where(Customer.name == "Kestrel Networks"))
    assert kestrel is not None
    view = await env.executions.start(TENANT, kestrel, actor=env.maya, workflow_slug="emergency")
    view = await env.executions.complete_step(
        TENANT, view.id, actor=env.maya, chosen_route="FINAL_PUSH"
    )
    with pytest.raises(GateClosed) as refused:
        await env.runner.run_step(TENANT, view.id, env.maya)
    assert provider.requests == []
    assert str(refused.value) == (
        "This step waits for Jordan Lee (manager) to acknowledge the escalation; "
        "it can be run once that is recorded"
    )


# --- work goes where the person points ----------------------------------------------------------


async def test_running_a_step_suggests_its_route_and_moves_nothing(
    journey_db_at: JourneyAt,
) -> None:
    """x keeps the answer on the step; c without a route is refused; the chosen route wins."""
    database, env = await _bluesoft_before_the_war_room(journey_db_at)
    run_id = await open_critical(database, "Bluesoft Corporation")
    result = await env.runner.run_step(TENANT, run_id, env.maya)
    assert not result.advanced and result.suggestion is not None
    assert (
        result.suggestion.description
        == "Terms are agreed but one or more signatures are still missing"
    )
    assert result.line() == (
        "Suggests: Terms are agreed but one or more signatures are still missing. "
        "Choose a route to complete the step"
    )
    view = await env.executions.view(TENANT, run_id)
    assert view.current_step_id == "critical-status-assessment" and view.outputs == {}
    assert view.draft == result.outputs  # kept on the step, not applied
    choices = await env.executions.route_choices(TENANT, run_id, actor=env.maya)
    assert choices.needs_choice and choices.suggested_by == "assistant"
    assert choices.suggested is not None and choices.suggested.id == "SIGNATURE_PENDING"
    assert (
        choices.suggestion_line()
        == "The assistant suggests: Terms are agreed but one or more signatures are still missing"
    )
    with pytest.raises(RouteRequired, match="Choose where Critical status assessment goes next"):
        await env.executions.complete_step(TENANT, run_id, actor=env.maya)
    # the person picks another route: it is taken, and recorded as the step's route
    moved = await env.executions.complete_step(
        TENANT, run_id, actor=env.maya, chosen_route="PAYMENT_PENDING"
    )
    assert moved.current_step_id == "executive-escalation"
    assessment = moved.outputs["assessment"]
    assert assessment["route"] == "PAYMENT_PENDING"  # what was chosen, for later steps
    assert assessment["primaryBlocker"] == result.outputs["primaryBlocker"]  # the run's answer
    done = next(s for s in moved.steps if s.step_id == "critical-status-assessment")
    assert (done.route, done.route_text) == (
        "PAYMENT_PENDING",
        "Signed, but the PO, invoice or payment is not yet processed",
    )


async def test_auto_advance_preference_lets_the_run_move_the_workflow(
    journey_db_at: JourneyAt,
) -> None:
    database, env = await _bluesoft_before_the_war_room(journey_db_at)
    async with database.sessions() as s, s.begin():
        s.add(
            UserPreferences(
                user_id=env.maya.id, preferences={"workflow": {"autoAdvanceSteps": True}}
            )
        )
    run_id = await open_critical(database, "Bluesoft Corporation")
    result = await env.runner.run_step(TENANT, run_id, env.maya)
    assert result.advanced and result.route == "SIGNATURE_PENDING"
    assert result.next_step_id == "executive-escalation"
    assert result.line() == (
        "Completed (Terms are agreed but one or more signatures are still missing); "
        "now at Executive escalation"
    )


async def test_a_failed_fit_is_said_in_words_and_recorded_exactly(seeded_db: Database) -> None:
    bad = {"route": "MAYBE", "blockers": "none"}
    provider = ScriptedProvider([text(json.dumps(bad)), done()], [text(json.dumps(bad)), done()])
    env = await make_env(seeded_db, lambda: provider)
    run_id = await open_critical(seeded_db)
    with pytest.raises(StepRunError) as refused:
        await env.runner.run_step(TENANT, run_id, env.maya)
    said = str(refused.value)
    assert "$." not in said and "[" not in said
    assert said.startswith(
        "The assistant's answer for Critical status assessment still did not fit after one "
        "retry: The answer left out: "
    )
    assert "War room recommended, Summary; " in said  # fields by their names, in order
    assert said.endswith("Route was “MAYBE”, not one of the choices; Blockers should be a list")
    async with seeded_db.sessions() as s:
        errors = (
            await s.scalars(select(LlmContext.error).where(LlmContext.execution_id == run_id))
        ).all()
    assert all(e and "$.route: must be one of" in e for e in errors)  # admins keep the paths


def test_plain_problems_names_fields_as_people_read_them() -> None:
    assert plain_problems(["$.missing: required", "$.customerCommitted: required"]) == (
        "The answer left out: Missing, Customer committed"
    )
    assert plain_problems(["the answer contains no JSON object"]) == (
        "The answer had no structured part"
    )
    assert plain_problems(["$.hoursNeeded: expected integer, got string"]) == (
        "Hours needed should be a whole number"
    )


async def test_no_trail_of_a_completion_until_the_person_chooses(journey_db_at: JourneyAt) -> None:
    database, env = await _bluesoft_before_the_war_room(journey_db_at)
    run_id = await open_critical(database, "Bluesoft Corporation")
    await env.runner.run_step(TENANT, run_id, env.maya)
    async with database.sessions() as s:
        trail = (
            await s.scalars(
                select(ActionExecution.action_slug).where(ActionExecution.execution_id == run_id)
            )
        ).all()
    assert "complete-step" not in trail
