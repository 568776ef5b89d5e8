"""What the step pane and the chat panel show, read in one worker (no widgets here).

`load_step` is the pane's one read: the customer's open execution (or the workflow that would
start), the current step's resolved prompt (a TemplateError is kept as text), its branches and
the step's chat thread. Opening the thread creates it (with its system message) the first time
a step is looked at, so the chat panel always has a thread to send to.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from renubu_tui.services.chat import StepBranches
    from renubu_tui.services.chat_store import ThreadView
    from renubu_tui.services.executions import ExecutionView
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
    thread: ThreadView | None = None
    context: dict[str, Any] = field(default_factory=dict, repr=False)
    explanation: Any = None  # QueueService.explain: why the customer is in the queue


def chat_service(session: Session, pace: float) -> Any:
    """One ChatService per session and pace (it holds no connection of its own)."""
    cache: dict[float, Any] = session.__dict__.setdefault("_chat_services", {})
    if pace not in cache:
        cache[pace] = session.services.chat(pace=pace)
    return cache[pace]


async def load_step(session: Session, customer_id: uuid.UUID, pace: float) -> StepData:
    from renubu_tui.domain.templates import render
    from renubu_tui.domain.templates.errors import TemplateError
    from renubu_tui.services.context import build_context
    from renubu_tui.services.workflows import WorkflowRegistry

    services = session.services
    tenant = session.tenant_id
    views = await services.executions.open_for(tenant, customer_id)
    view = views[0] if views else None
    context = await build_context(
        services.db,
        services.tenant.slug,
        customer_id,
        session.today,
        execution_id=view.id if view else None,
    )
    data = StepData(customer_id, str(context.get("customer", {}).get("name", "")), view)
    data.context = context
    data.explanation = await services.queue.explain(tenant, session.today, customer_id)
    if view is None:
        days = context.get("workflow", {}).get("daysUntilRenewal")
        if days is None:
            data.fits_problem = "no renewal date: no renewal workflow fits"
        else:
            loaded = await WorkflowRegistry(services.db).renewal_for_days(tenant, days)
            if loaded is None:
                data.fits_problem = f"no active renewal workflow covers {days} days"
            else:
                data.fits = loaded.name
        return data
    step = view.current_step
    if step is None:
        return data
    template = (step.get("execution") or {}).get("llmPrompt") or step.get("description") or ""
    try:
        data.prompt = render(template, context)
    except TemplateError as exc:
        data.prompt_error = str(exc)
        data.prompt = template
    chat = chat_service(session, pace)
    data.branches = await chat.branches(tenant, view.id)
    data.thread = await chat.open_thread(tenant, actor=services.user, execution_id=view.id)
    return data
