"""What the step pane and its chat show for a customer on a day: one read, one frozen view.

This is the step pane's use case, kept out of the UI so the CLI, the tests and the app read the
same thing: the customer's execution open on `today` (or the workflow that would start, or the
one that closed last), the current step's resolved prompt (a TemplateError is kept as text), its
branches and the step's chat thread. When the record goes on after that day the view is history
(`history` says so) and the app refuses to act on it. Reading never writes: the step's thread is
read if it exists and created on the first message sent.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from renubu_tui.handlebars import render_text  # text, not HTML
from renubu_tui.handlebars.errors import TemplateError
from renubu_tui.services.customers.context import build_context
from renubu_tui.services.workflows.as_of import (
    Closed,
    ExecutionHistory,
    ViewAsOf,
    dated_context,
)
from renubu_tui.services.workflows.registry import WorkflowRegistry

if TYPE_CHECKING:
    from renubu_tui.domain.determination import Determination
    from renubu_tui.domain.workflow_model import Step
    from renubu_tui.services.chat.service import ChatService, StepBranches
    from renubu_tui.services.chat.store import ThreadView
    from renubu_tui.services.container import Services
    from renubu_tui.services.queue.service import CustomerExplanation
    from renubu_tui.services.workflows.executions import ExecutionView


@dataclass(frozen=True)
class StepView:
    """The customer's workflow step as of a day, with what its chat needs."""

    customer_id: uuid.UUID
    customer_name: str
    execution: ExecutionView | None = None
    fits: str | None = None  # the workflow "Start" would open, when none is open
    fits_problem: str | None = None  # why nothing would start, in words
    prompt: str = ""
    prompt_error: str | None = None
    branches: StepBranches | None = None
    thread: ThreadView | None = None  # the current step's thread, once something was sent
    earlier: ThreadView | None = None  # the execution's thread on an earlier step, if any
    can_chat: bool = False  # a step is open and is not history: the first send opens a thread
    history: str | None = None  # "as of … · history: …" when the record goes on after today
    closed: Closed | None = None  # the execution that closed last, when none is open
    explanation: CustomerExplanation | None = None  # why the customer is in the queue


@dataclass(frozen=True)
class _NothingOpen:
    """What the view says when no execution is open on the day."""

    closed: Closed | None
    history: str | None
    fits: str | None
    fits_problem: str | None


async def step_view(
    services: Services,
    customer_id: uuid.UUID,
    today: dt.date,
    *,
    chat: ChatService | None = None,
) -> StepView:
    """The step view of `customer_id` as of `today` (the app's day, which the demo moves).

    `chat` reads the branches and threads; the app passes the one it streams with, otherwise
    the container builds one (reading does not use its provider).
    """
    tenant = services.tenant.id
    history = ExecutionHistory(services.db, services.executions)
    views = await history.open_as_of(tenant, customer_id, today)
    view = views[0] if views else None
    context = await build_context(
        services.db,
        services.tenant.slug,
        customer_id,
        today,
        execution_id=view.id if view else None,
    )
    name = str(context.get("customer", {}).get("name", ""))
    explanation = await services.queue.explain(tenant, today, customer_id)
    base = StepView(customer_id, name, view, explanation=explanation)
    if view is None:
        found = await _nothing_open(services, history, customer_id, today, context, explanation)
        return _with(base, found)
    dated: str | None = None
    if isinstance(view, ViewAsOf) and view.history is not None:
        dated = view.history.line()
        context = dated_context(context, view)
    step = view.step
    if step is None:
        return replace(base, history=dated)
    prompt, error = _prompt(step, context)
    if dated is not None:  # the stored step, its branches and threads are later than the day
        return replace(base, history=dated, prompt=prompt, prompt_error=error)
    chat = chat or services.chat()
    user = services.user
    return replace(
        base,
        prompt=prompt,
        prompt_error=error,
        can_chat=True,
        branches=await chat.branches(tenant, view.id, actor=user),
        thread=await chat.find_thread(tenant, actor=user, execution_id=view.id),
        earlier=await chat.earlier_thread(tenant, actor=user, execution_id=view.id),
    )


def _prompt(step: Step, context: dict[str, Any]) -> tuple[str, str | None]:
    """The step's prompt rendered against the context; a template that fails stays as written,
    with the error beside it (the pane shows both)."""
    template = step.task.llm_prompt or step.description
    try:
        return render_text(template, context), None
    except TemplateError as exc:
        return template, str(exc)


async def _nothing_open(
    services: Services,
    history: ExecutionHistory,
    customer_id: uuid.UUID,
    today: dt.date,
    context: dict[str, Any],
    explanation: CustomerExplanation | None,
) -> _NothingOpen:
    """No execution open: what closed last, what the record starts later, what would start."""
    tenant = services.tenant.id
    closed = await history.last_closed(tenant, customer_id, today)
    later = await history.later(tenant, customer_id, today)
    line = later.line(today) if later is not None else None
    renewal = _renewal_determination(explanation)
    days = context.get("workflow", {}).get("daysUntilRenewal")
    if renewal is not None and not renewal.qualifies:
        return _NothingOpen(closed, line, None, renewal.reason.removeprefix("none: ").rstrip("."))
    if days is None:
        return _NothingOpen(closed, line, None, "no renewal date: no renewal workflow fits")
    loaded = await WorkflowRegistry(services.db).renewal_for_days(tenant, days)
    if loaded is None:
        return _NothingOpen(closed, line, None, f"no active renewal workflow covers {days} days")
    return _NothingOpen(closed, line, loaded.name, None)


def _renewal_determination(explanation: CustomerExplanation | None) -> Determination | None:
    """The renewal type's determination in a queue explanation, if there is one."""
    for kind in explanation.types if explanation is not None else []:
        if kind.determination.type.value == "renewal":
            return kind.determination
    return None


def _with(base: StepView, found: _NothingOpen) -> StepView:
    """The base view with what is said when nothing is open."""
    return replace(
        base,
        closed=found.closed,
        history=found.history,
        fits=found.fits,
        fits_problem=found.fits_problem,
    )
