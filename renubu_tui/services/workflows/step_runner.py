"""Running a workflow step with the assistant: structured output, checked, handed to the engine.

The workflow's system prompt and the step's task (both rendered against the customer context)
go to the model with JSON output requested and the step's `outputSchema` spelled out (or the
default `{summary, route, recommendations}`). The answer is parsed (```json fences tolerated),
checked against the schema, and sent back once with the problems if it does not fit; a second
miss is a clear error (in words, `plain_problems`) and nothing moves. Each call is recorded in
workflow_llm_context.

The accepted output is kept on the step as a draft and the route it names becomes the picker's
suggestion: the person chooses where the step goes (ExecutionService.complete_step). Only with
the user's `workflow.autoAdvanceSteps` does the run complete the step and let routing decide.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from renubu_tui.clock import Clock
from renubu_tui.data.engine import Database
from renubu_tui.data.models import LlmContext, StepExecution, Tenant, User
from renubu_tui.domain.enums import StepStatus
from renubu_tui.domain.workflow_model import Step, as_step
from renubu_tui.llm.json_schema import drop_optional_nulls, schema_name, standard_schema
from renubu_tui.llm.messages import ChatMessage as LlmMessage
from renubu_tui.llm.messages import ChatRequest
from renubu_tui.llm.provider import OFFLINE_SCHEMA_MODE, Provider, collect, schema_mode
from renubu_tui.services.workflows.executions import (
    ExecutionError,
    ExecutionService,
    ExecutionView,
    RouteChoice,
    require_open_step,
)
from renubu_tui.services.workflows.schema_check import problems

TEMPERATURE = 0.2
MAX_TOKENS = 2000
_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.S | re.I)


class StepRunError(ExecutionError):
    """The assistant could not produce a usable output for the step; nothing was changed."""


@dataclass(frozen=True)
class Attempt:
    """One model call for the step, as recorded."""

    prompt: str
    response: str
    problems: list[str]
    model: str | None
    label: str | None
    tokens_in: int
    tokens_out: int
    duration_ms: int
    error: str | None = None
    prompt_note: str = ""  # "prompt ≈1,234 of 2,048 tokens" (Done.prompt_note)


@dataclass
class StepRun:
    execution_id: uuid.UUID
    step_id: str
    outputs: dict[str, Any]
    view: ExecutionView  # the execution after the run: the same step, or the next (advanced)
    provider_label: str
    model: str | None
    attempts: list[Attempt] = field(default_factory=list)
    advanced: bool = False  # the step was completed (only with workflow.autoAdvanceSteps)
    suggestion: RouteChoice | None = None  # the route the assistant's output names, in words
    schema_mode: str = ""  # how the output was held to the schema (llm.provider.schema_mode)

    @property
    def by(self) -> str:
        """Who answered, how the output was held to the schema, and the prompt's size."""
        attempt = self.attempts[-1] if self.attempts else None
        note = attempt.prompt_note if attempt else ""
        return " · ".join(p for p in (self.provider_label, self.schema_mode, note) if p)

    @property
    def next_step_id(self) -> str | None:
        return self.view.current_step_id

    @property
    def suggested_route(self) -> str | None:
        return self.suggestion.id if self.suggestion else None

    @property
    def route(self) -> str | None:
        """The route the step was completed on; None while it waits for the person's choice."""
        if not self.advanced:
            return None
        step = next((s for s in self.view.steps if s.step_id == self.step_id), None)
        return step.route if step else None

    def line(self) -> str:
        """One line for the person: what the assistant suggests, or where the work went."""
        if self.advanced:
            step = self.view.step
            taken = next((s for s in self.view.steps if s.step_id == self.step_id), None)
            via = f" ({taken.route_text})" if taken and taken.route_text else ""
            if step is None:
                return f"Completed{via}; the workflow is done"
            return f"Completed{via}; now at {step.name}"
        if self.suggestion is not None:
            return f"Suggests: {self.suggestion.description}. Choose a route to complete the step"
        return "Answer saved on the step; complete it when you are ready"


def default_schema(step: Step | Mapping[str, Any]) -> dict[str, Any]:
    """{summary, route, recommendations}, with the step's route codes as the route's enum."""
    routes = as_step(step).route_ids
    route: dict[str, Any] = {"type": "string"}
    if routes:
        route["enum"] = routes
    return {
        "type": "object",
        "properties": {
            "summary": {"type": "string"},
            "route": route,
            "recommendations": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["summary", "recommendations", *(["route"] if routes else [])],
    }


def parse_json(text: str) -> tuple[Any, str | None]:
    """The JSON object in a model's answer (fences and surrounding prose tolerated)."""
    fenced = _FENCE.search(text)
    body = fenced.group(1) if fenced else text
    start, end = body.find("{"), body.rfind("}")
    if start < 0 or end < start:
        return None, "the answer contains no JSON object"
    try:
        return json.loads(body[start : end + 1]), None
    except json.JSONDecodeError as exc:
        return None, f"the JSON does not parse: {exc.msg} at line {exc.lineno}"


def task_prompt(step: Step | Mapping[str, Any], task: str, schema: Mapping[str, Any]) -> str:
    step = as_step(step)
    lines = [f"Step: {step.name} ({step.id})", "", task.strip(), ""]
    if step.routes:
        lines.append("Set `route` to the code that fits, one of:")
        lines += [f"- {r.id}: {r.condition}".rstrip(": ") for r in step.routes]
        lines.append("")
    lines += [
        "Reply with one JSON object only, fitting this JSON schema:",
        "```json",
        json.dumps(schema, indent=2),
        "```",
    ]
    return "\n".join(lines)


class StepRunner:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        provider_factory: Callable[[], Provider],
        executions: ExecutionService,
    ) -> None:
        self._db = db
        self._clock = clock
        self._provider_factory = provider_factory
        self._executions = executions

    @property
    def label(self) -> str:
        """Who will answer (the configured provider's label)."""
        return self._provider_factory().label

    async def run_step(
        self,
        tenant_id: uuid.UUID,
        execution_id: uuid.UUID,
        actor: User,
        on_text: Callable[[str], None] | None = None,
    ) -> StepRun:
        """Run the current step with the assistant and keep its checked output on the step.

        The step stays open with the output's route as the suggestion; with the actor's
        `workflow.autoAdvanceSteps` it is completed and routing decides, as before.
        `on_text` sees the answer's text as it comes (a front end's progress: tokens so far).
        """
        from renubu_tui.handlebars import render_text as render  # text, not HTML
        from renubu_tui.services.customers.context import build_context

        view = await self._executions.view(tenant_id, execution_id)
        step = require_open_step(view, "run")
        async with self._db.sessions() as session:
            slug = await session.scalar(select(Tenant.slug).where(Tenant.id == tenant_id))
            step_row = await session.scalar(
                select(StepExecution.id)
                .where(
                    StepExecution.execution_id == execution_id,
                    StepExecution.step_id == step.id,
                    StepExecution.status == StepStatus.IN_PROGRESS,
                )
                .order_by(StepExecution.attempt.desc())
                .limit(1)
            )
        context = await build_context(
            self._db, str(slug), view.customer_id, self._clock.today(), execution_id=execution_id
        )
        schema = step.task.output_schema or default_schema(step)
        system = render(view.workflow.system_prompt, context)
        task = render(step.task.llm_prompt or step.description, context)
        prompt = task_prompt(step, task, schema)
        messages = [LlmMessage("system", system.strip()), LlmMessage("user", prompt)]
        provider = self._provider(schema)
        attempts: list[Attempt] = []
        # converted once: providers with constrained decoding hold the model to it
        constrained = (standard_schema(schema), schema_name(step.id))
        try:
            outputs, text = await self._ask(
                provider, messages, context, schema, attempts, constrained, on_text
            )
            if outputs is None:
                messages += [
                    LlmMessage("assistant", text),
                    LlmMessage(
                        "user",
                        "That output does not fit the schema:\n- "
                        + "\n- ".join(attempts[-1].problems)
                        + "\nReply with the corrected JSON object only.",
                    ),
                ]
                outputs, text = await self._ask(
                    provider, messages, context, schema, attempts, constrained, on_text
                )
        finally:
            await self._record(view.id, step_row, provider.name, system, attempts)
            await provider.aclose()
        if outputs is None:
            raise StepRunError(
                f"The assistant's answer for {step.name} still did not fit after one retry: "
                f"{plain_problems(attempts[-1].problems)}"
            )
        label = attempts[-1].label or provider.label
        mode = schema_mode(provider)
        if provider.name != "offline" and label.startswith("offline assistant"):
            mode = OFFLINE_SCHEMA_MODE  # the fallback answered
        if await self._executions.auto_advance(actor.id):
            moved = await self._executions.complete_step(
                tenant_id, execution_id, actor=actor, outputs=outputs
            )
            return StepRun(
                execution_id,
                step.id,
                outputs,
                moved,
                label,
                attempts[-1].model,
                attempts,
                advanced=True,
                schema_mode=mode,
            )
        kept = await self._executions.save_draft(tenant_id, execution_id, step.id, outputs)
        choices = await self._executions.route_choices(tenant_id, execution_id, actor=actor)
        suggestion = choices.suggested if choices.suggested_by == "assistant" else None
        return StepRun(
            execution_id,
            step.id,
            outputs,
            kept,
            label,
            attempts[-1].model,
            attempts,
            suggestion=suggestion,
            schema_mode=mode,
        )

    def _provider(self, schema: Mapping[str, Any]) -> Provider:
        from renubu_tui.llm.fallback import FallbackProvider

        provider = self._provider_factory()
        if provider.name == "offline":
            from renubu_tui.services.workflows.offline_steps import SchemaOfflineProvider

            return SchemaOfflineProvider(provider, schema)
        if isinstance(provider, FallbackProvider) and provider.enabled:
            # a fallback answer fits the step like the offline assistant's own
            from renubu_tui.services.workflows.offline_steps import SchemaOfflineProvider

            return provider.with_offline(SchemaOfflineProvider(provider.offline, schema))
        return provider

    async def _ask(
        self,
        provider: Provider,
        messages: list[LlmMessage],
        context: dict[str, Any],
        schema: Mapping[str, Any],
        attempts: list[Attempt],
        constrained: tuple[dict[str, Any], str] | None = None,
        on_text: Callable[[str], None] | None = None,
    ) -> tuple[dict[str, Any] | None, str]:
        started = time.monotonic()
        request = ChatRequest(
            messages=list(messages),
            temperature=TEMPERATURE,
            max_tokens=MAX_TOKENS,
            response_format_json=True,
            json_schema=constrained[0] if constrained else None,
            schema_name=constrained[1] if constrained else "output",
            context=context,
        )
        answer = await collect(provider, request, on_text)
        ms = int((time.monotonic() - started) * 1000)
        done = answer.done
        tokens = (done.usage.input_tokens, done.usage.output_tokens) if done else (0, 0)
        model = done.model if done else None
        label = done.provider_label if done else None
        asked = messages[-1].content
        note = done.prompt_note() if done else ""
        if answer.error is not None:
            message = answer.error.message
            attempts.append(Attempt(asked, answer.text, [], model, label, *tokens, ms, message))
            raise StepRunError(f"the assistant could not answer: {message}")
        data, error = parse_json(answer.text)
        data = drop_optional_nulls(schema, data)
        found = [error] if error else problems(schema, data)
        if not error and not isinstance(data, dict):
            found = ["the answer must be a JSON object"]
        if found and done is not None and done.stop_reason == "max_tokens":
            # the model ran out of room, not out of sense: a repair would be cut off too
            message = cut_off(done.usage.output_tokens)
            attempts.append(Attempt(asked, answer.text, [], model, label, *tokens, ms, message))
            raise StepRunError(message)
        attempts.append(
            Attempt(asked, answer.text, found, model, label, *tokens, ms, prompt_note=note)
        )
        return (data if not found else None), answer.text

    async def _record(
        self,
        execution_id: uuid.UUID,
        step_row: uuid.UUID | None,
        provider: str,
        system: str,
        attempts: list[Attempt],
    ) -> None:
        """One workflow_llm_context row per call: what was sent, what came back, the cost."""
        if not attempts:
            return
        async with self._db.write() as session:
            for attempt in attempts:
                session.add(
                    LlmContext(
                        execution_id=execution_id,
                        step_execution_id=step_row,
                        provider=provider,
                        model=attempt.model,
                        system_prompt=system,
                        prompt=attempt.prompt,
                        response=attempt.response,
                        tokens_in=attempt.tokens_in,
                        tokens_out=attempt.tokens_out,
                        duration_ms=attempt.duration_ms,
                        error=attempt.error or ("; ".join(attempt.problems[:5]) or None),
                    )
                )


def cut_off(tokens: int) -> str:
    """What a person reads when the answer hit the token limit (stop reason max_tokens)."""
    return (
        f"the answer was cut off at {tokens:,} tokens (raise `[llm] max_tokens`, or use a "
        "larger model)"
    )


def plain_problems(found: list[str]) -> str:
    """Schema problems ("$.missing: required") as one line a person reads: "The answer left
    out: Missing, Summary; Route was “MAYBE”, not one of the choices". The model still gets
    the exact paths (the repair prompt); people get the words."""
    from renubu_tui.services.workflows.step_text import field_label

    left_out: list[str] = []
    said: list[str] = []
    for problem in found:
        path, _, what = problem.partition(": ")
        name = field_label(path.rsplit(".", 1)[-1].split("[")[0]) if path.startswith("$") else ""
        if not path.startswith("$"):
            said.append(_NOT_JSON.get(problem.split(":")[0], "The answer was not readable"))
        elif what == "required":
            left_out.append(name or "the answer")
        elif what.startswith("must be one of"):
            got = what.rpartition(", got ")[2].strip("'\"")
            said.append(f"{name} was “{got}”, not one of the choices")
        elif what.startswith("expected "):
            wanted = what.removeprefix("expected ").split(",")[0]
            kind = " or ".join(_KINDS.get(k, k) for k in wanted.split(" or "))
            said.append(f"{name or 'The answer'} should be {kind}")
        else:
            said.append(f"{name}: {what}" if name else what)
    if left_out:
        said.insert(0, "The answer left out: " + ", ".join(dict.fromkeys(left_out)))
    return "; ".join(dict.fromkeys(said)) or "The answer did not fit the step"


_NOT_JSON = {
    "the answer contains no JSON object": "The answer had no structured part",
    "the JSON does not parse": "The answer's structured part was malformed",
    "the answer must be a JSON object": "The answer had no structured part",
}
_KINDS = {
    "array": "a list",
    "object": "a set of fields",
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "yes or no",
}


__all__ = [
    "StepRun",
    "StepRunError",
    "StepRunner",
    "cut_off",
    "default_schema",
    "parse_json",
    "plain_problems",
    "task_prompt",
]
