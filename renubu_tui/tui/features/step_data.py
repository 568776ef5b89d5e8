"""What the step pane and the chat panel show, read in one worker (no widgets here).

`load_step` is the pane's one read, as of the app's today (`session.today`, which the demo moves):
the customer's execution open on that day (or the workflow that would start, or the one that
closed last), the current step's resolved prompt (a TemplateError is kept as text), its branches
and the step's chat thread. When the record goes on after that day the pane shows history and
`history` says so; the pane then refuses to act. Reading never writes: the step's thread is read
if it exists and created on the first message sent (`ChatPanel`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from renubu_tui.domain.determination import Determination
    from renubu_tui.services.chat.service import ChatService, StepBranches
    from renubu_tui.services.chat.store import ThreadView
    from renubu_tui.services.queue.service import CustomerExplanation
    from renubu_tui.services.workflows.as_of import Closed, ExecutionHistory
    from renubu_tui.services.workflows.executions import ExecutionView
    from renubu_tui.tui.session import Session


@dataclass
class StepData:
    customer_id: uuid.UUID
    customer_name: str
    execution: ExecutionView | None = None
    fits: str | None = None  # the workflow "Start" would open, when none is open
    fits_problem: str | None = None
    prompt: str = ""
    prompt_error: str | None = None
    branches: StepBranches | None = None
    thread: ThreadView | None = None  # the current step's thread, once something was sent
    earlier: ThreadView | None = None  # the execution's thread on an earlier step, if any
    can_chat: bool = False  # a step is open and is not history: the first send opens a thread
    history: str | None = None  # "as of … · history: …" when the record goes on after today
    closed: Closed | None = None  # the execution that closed last, when none is open
    context: dict[str, Any] = field(default_factory=dict, repr=False)
    explanation: CustomerExplanation | None = None  # why the customer is in the queue


def chat_service(session: Session, pace: float) -> ChatService:
    """One ChatService per session and pace (it holds no connection of its own)."""
    cache: dict[float, ChatService] = session.__dict__.setdefault("_chat_services", {})
    if pace not in cache:
        cache[pace] = session.services.chat(pace=pace)
    return cache[pace]


def execution_history(session: Session) -> ExecutionHistory:
    """One dated reader per session."""
    from renubu_tui.services.workflows.as_of import ExecutionHistory

    found: ExecutionHistory | None = session.__dict__.get("_execution_history")
    if found is None:
        found = ExecutionHistory(session.services.db, session.services.executions)
        session.__dict__["_execution_history"] = found
    return found


async def load_step(session: Session, customer_id: uuid.UUID, pace: float) -> StepData:
    from renubu_tui.handlebars import render_text as render  # text, not HTML
    from renubu_tui.handlebars.errors import TemplateError
    from renubu_tui.services.customers.context import build_context
    from renubu_tui.services.workflows.as_of import ViewAsOf, dated_context

    services = session.services
    tenant, today = session.tenant_id, session.today
    history = execution_history(session)
    views = await history.open_as_of(tenant, customer_id, today)
    view = views[0] if views else None
    context = await build_context(
        services.db,
        services.tenant.slug,
        customer_id,
        today,
        execution_id=view.id if view else None,
    )
    data = StepData(customer_id, str(context.get("customer", {}).get("name", "")), view)
    if isinstance(view, ViewAsOf) and view.history is not None:
        data.history = view.history.line()
        context = dated_context(context, view)
    data.context = context
    data.explanation = await services.queue.explain(tenant, today, customer_id)
    if view is None:
        await _nothing_open(session, data, history)
        return data
    step = view.step
    if step is None:
        return data
    template = step.task.llm_prompt or step.description
    try:
        data.prompt = render(template, context)
    except TemplateError as exc:
        data.prompt_error = str(exc)
        data.prompt = template
    if data.history is not None:
        return data  # the stored step, its branches and threads are later than the day shown
    chat = chat_service(session, pace)
    data.can_chat = True
    data.branches = await chat.branches(tenant, view.id, actor=services.user)
    data.thread = await chat.find_thread(tenant, actor=services.user, execution_id=view.id)
    data.earlier = await chat.earlier_thread(tenant, actor=services.user, execution_id=view.id)
    return data


async def _nothing_open(session: Session, data: StepData, history: ExecutionHistory) -> None:
    """No execution open: what closed last, what the record starts later, what would start."""
    from renubu_tui.services.workflows.registry import WorkflowRegistry

    tenant, today = session.tenant_id, session.today
    data.closed = await history.last_closed(tenant, data.customer_id, today)
    later = await history.later(tenant, data.customer_id, today)
    if later is not None:
        data.history = later.line(today)
    renewal = _renewal_determination(data.explanation)
    days = data.context.get("workflow", {}).get("daysUntilRenewal")
    if renewal is not None and not renewal.qualifies:
        data.fits_problem = renewal.reason.removeprefix("none: ").rstrip(".")
    elif days is None:
        data.fits_problem = "no renewal date: no renewal workflow fits"
    else:
        loaded = await WorkflowRegistry(session.services.db).renewal_for_days(tenant, days)
        if loaded is None:
            data.fits_problem = f"no active renewal workflow covers {days} days"
        else:
            data.fits = loaded.name


def _renewal_determination(explanation: CustomerExplanation | None) -> Determination | None:
    """The renewal type's determination in a queue explanation, if there is one."""
    for kind in explanation.types if explanation is not None else []:
        if kind.determination.type.value == "renewal":
            return kind.determination
    return None
