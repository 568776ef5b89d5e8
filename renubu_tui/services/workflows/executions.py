"""Running workflows: start, step progression with routing, outputs chaining, gates, actions.

Each change is one transaction: the step and execution rows, the trail (`action_executions`) and
the notifications it fires. The template context is read before the transaction and the new
outputs are laid over it, so the next step's notifications see what this step produced.

Work goes where the person points: a step with routes is completed on the route someone chose
(`route_choices` lists them, the assistant's or the rules' suggestion marked), unless the
user's preference `workflow.autoAdvanceSteps` lets the evidence decide. The assistant's output
for an open step is kept on the step as a draft until then. Refusals are said in words.
"""

from __future__ import annotations

import copy
import datetime as dt
import uuid
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from renubu_tui.clock import Clock
from renubu_tui.data.engine import Database
from renubu_tui.data.models import (
    ActionExecution,
    Customer,
    StepExecution,
    User,
    Workflow,
    WorkflowExecution,
    WorkflowVersion,
)
from renubu_tui.data.models.tenancy import UserPreferences
from renubu_tui.domain.enums import ExecutionStatus, StepStatus
from renubu_tui.domain.execution_state import check_transition, in_words
from renubu_tui.domain.routing import (
    Decision,
    RoutingError,
    decide_next,
    describe_route,
    first_step,
    route_description,
    step_index,
    suggest_route,
)
from renubu_tui.domain.vocabulary import OPEN_EXECUTION_STATUSES
from renubu_tui.domain.workflow_model import Step, WorkflowConfig
from renubu_tui.services.refusals import NotFound, Refused
from renubu_tui.services.workflows import notifications
from renubu_tui.services.workflows.notifications import FireReport


class OnChange(Protocol):
    """Re-scores the queue rows one customer's change can move (QueueService.invalidate); given
    the change's session, inside its transaction, so both commit or roll back together."""

    def __call__(
        self,
        tenant_id: uuid.UUID,
        customer_id: uuid.UUID,
        today: dt.date,
        /,
        *,
        session: AsyncSession | None = None,
    ) -> Awaitable[None]: ...


class OnPublish(Protocol):
    """Publishes a change for every open app (services/changes.py: publish), inside the
    change's transaction: who (`actor`, else the app's user) changed which customer's what."""

    def __call__(
        self,
        session: AsyncSession,
        tenant_id: uuid.UUID,
        customer_id: uuid.UUID | None,
        /,
        *,
        kind: str,
        actor: User | None = None,
    ) -> Awaitable[None]: ...


WORKFLOW_ACTIONS = {
    "create-war-room": "a war room with a daily stand-up",
    "create-team-slack-channel": "a team channel for the renewal",
    "manager-acknowledge": "the manager's acknowledgment",
}
MANAGER_ONLY = {"manager-acknowledge"}
# What opening a gate asks of a person, and what it says once done.
GATE_TASKS = {"manager-acknowledge": ("acknowledge the escalation", "acknowledged the escalation")}
TYPE_WORDS = {
    "renewal": "renewal",
    "opportunity": "opportunity",
    "risk": "risk",
    "strategic": "strategic review",
}


class ExecutionError(Refused):
    """A request the execution cannot take (wrong state, unknown route, closed gate…)."""


class GateClosed(ExecutionError):
    """The step may not be left before an approval is recorded."""


class RouteRequired(ExecutionError):
    """A step with routes was to be completed without anyone choosing where it goes."""

    def __init__(self, message: str, step_name: str, routes: list[tuple[str, str]]) -> None:
        super().__init__(message)
        self.step_name = step_name
        self.routes = routes  # (route id, description), in config order


@dataclass(frozen=True)
class StepState:
    step_id: str
    name: str
    type: str
    status: str  # pending | in_progress | completed | skipped | snoozed
    route: str | None = None  # the route code taken (for admins)
    skip_reason: str | None = None
    route_text: str | None = None  # the route taken, in words (what people see)


@dataclass(frozen=True)
class GateState:
    """A step's gate: what opens it, who can, and whether it is open (for the step pane)."""

    action: str  # the workflow action that opens it (an id, for admins)
    open: bool
    opener: str  # who can open it, in words: "Jordan Lee (manager)" or "a manager"
    opener_role: str | None  # the role that may record it ("manager"); None: anyone
    opened_by: str | None = None
    opened_on: dt.date | None = None

    @property
    def state(self) -> str:
        return "open" if self.open else "closed"

    @property
    def task(self) -> str:
        """What the opener has to do, as a verb phrase ("acknowledge the escalation")."""
        label = WORKFLOW_ACTIONS.get(self.action, self.action)
        return GATE_TASKS.get(self.action, (f"record {label}", f"recorded {label}"))[0]

    @property
    def reason(self) -> str:
        """One line: why the step waits, or who opened it and when."""
        if not self.open:
            return f"Waits for {self.opener} to {self.task} before the workflow can go on"
        label = WORKFLOW_ACTIONS.get(self.action, self.action)
        done = GATE_TASKS.get(self.action, ("", f"recorded {label}"))[1]
        when = f" on {self.opened_on:%a %d %b}" if self.opened_on else ""
        return f"{self.opened_by or 'Someone'} {done}{when}; the workflow can go on"


@dataclass(frozen=True)
class RouteChoice:
    """One way a step can end, as the route picker lists it."""

    id: str  # the route code (PROCEED_FINAL_PUSH), for admins only
    description: str  # the route's `condition` text (or its code in words)
    next_step_id: str
    next_step_name: str
    suggested: bool


@dataclass(frozen=True)
class RouteChoices:
    """The open step's routes, the suggestion to pre-select, and whether a choice is needed."""

    execution_id: uuid.UUID
    step_id: str | None
    step_name: str | None
    routes: list[RouteChoice]
    suggested_by: str | None  # "assistant" (its run named one) | "rule" (a `when`) | None
    auto_advance: bool  # the user's workflow.autoAdvanceSteps: completing without a choice

    @property
    def has_routes(self) -> bool:
        return bool(self.routes)

    @property
    def suggested(self) -> RouteChoice | None:
        return next((r for r in self.routes if r.suggested), None)

    @property
    def suggested_index(self) -> int | None:
        """The picker row to pre-select, if anything is suggested."""
        return next((i for i, r in enumerate(self.routes) if r.suggested), None)

    @property
    def needs_choice(self) -> bool:
        """Completing this step needs a route from the person."""
        return self.has_routes and not self.auto_advance

    def suggestion_line(self) -> str | None:
        """ "The assistant suggests: …" (or the rules do), for under the picker."""
        route = self.suggested
        if route is None:
            return None
        who = "The assistant suggests" if self.suggested_by == "assistant" else "Suggested"
        return f"{who}: {route.description}"


@dataclass
class ExecutionView:
    """An execution as a screen or a command shows it."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    customer_id: uuid.UUID
    workflow_slug: str
    workflow_name: str
    version_number: int
    status: str
    current_step_id: str | None
    outputs: dict[str, Any]
    steps: list[StepState]
    config: dict[str, Any] = field(repr=False)
    gate: str | None = None  # the action the current step waits for, if still missing
    fired: FireReport = field(default_factory=FireReport, repr=False)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    workflow_type: str = ""
    snoozed_until: dt.date | None = None
    draft: dict[str, Any] | None = None  # the assistant's output for the open step, not applied
    gate_state: GateState | None = None  # the current step's gate, open or closed

    @cached_property
    def workflow(self) -> WorkflowConfig:
        """The config read once as typed values (`config` stays the document, for display)."""
        return WorkflowConfig.parse(self.config)

    @property
    def step(self) -> Step | None:
        """The open step, typed; None when the execution is finished."""
        return self.workflow.step(self.current_step_id)

    @property
    def current_step(self) -> dict[str, Any] | None:
        """The open step as stored (the typed code reads `step`)."""
        return next((s for s in self.config["steps"] if s["id"] == self.current_step_id), None)

    @property
    def subject(self) -> str:
        """ "This renewal" (or opportunity…): how a refusal names this work."""
        return f"This {TYPE_WORDS.get(self.workflow_type, 'workflow')}"


def _evaluate(template: str, context: Mapping[str, Any]) -> tuple[bool, str | None]:
    from renubu_tui.handlebars import evaluate_condition

    result = evaluate_condition(template, context)
    return result.value, result.error


def with_outputs(context: Mapping[str, Any], store_in: str, outputs: Any) -> dict[str, Any]:
    """The context with a step's fresh outputs chained in (`outputs.<storeIn>`, `<storeIn>`)."""
    merged = copy.deepcopy(dict(context))
    merged.setdefault("outputs", {})
    merged["outputs"][store_in] = outputs
    merged.setdefault(store_in, outputs)
    if isinstance(merged.get(store_in), dict) and store_in in merged["outputs"]:
        merged[store_in] = outputs
    return merged


class ExecutionService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        tenant_slug: str,
        on_change: OnChange | None = None,
        on_publish: OnPublish | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self._tenant_slug = tenant_slug
        self._on_change = on_change
        self._on_publish = on_publish

    async def _context(
        self, customer_id: uuid.UUID, execution_id: uuid.UUID | None
    ) -> dict[str, Any]:
        from renubu_tui.services.customers.context import build_context

        return await build_context(
            self._db, self._tenant_slug, customer_id, self._clock.today(), execution_id=execution_id
        )

    async def _changed(
        self,
        tenant_id: uuid.UUID,
        customer_id: uuid.UUID,
        session: AsyncSession,
        *,
        kind: str = "step",
        actor: User | None = None,
    ) -> None:
        """Tell the queue which customer's work changed, inside the change's transaction: the
        rows it can move are re-scored at once and commit with it (every view sees both)."""
        if self._on_change is not None:
            await self._on_change(tenant_id, customer_id, self._clock.today(), session=session)
        if self._on_publish is not None:
            await self._on_publish(session, tenant_id, customer_id, kind=kind, actor=actor)

    # --- reading -------------------------------------------------------------------------

    async def view(self, tenant_id: uuid.UUID, execution_id: uuid.UUID) -> ExecutionView:
        async with self._db.sessions() as session:
            return await self._view(session, tenant_id, execution_id)

    async def open_for(self, tenant_id: uuid.UUID, customer_id: uuid.UUID) -> list[ExecutionView]:
        """The customer's open executions, newest first."""
        async with self._db.sessions() as session:
            ids = (
                await session.scalars(
                    select(WorkflowExecution.id)
                    .where(
                        WorkflowExecution.tenant_id == tenant_id,
                        WorkflowExecution.customer_id == customer_id,
                        WorkflowExecution.status.in_(OPEN_EXECUTION_STATUSES),
                    )
                    .order_by(WorkflowExecution.started_at.desc())
                )
            ).all()
            return [await self._view(session, tenant_id, i) for i in ids]

    async def _load(
        self, session: AsyncSession, tenant_id: uuid.UUID, execution_id: uuid.UUID, lock: bool
    ) -> tuple[WorkflowExecution, WorkflowVersion, Workflow]:
        query = select(WorkflowExecution).where(
            WorkflowExecution.id == execution_id, WorkflowExecution.tenant_id == tenant_id
        )
        if lock:
            query = query.with_for_update()
        execution = await session.scalar(query)
        if execution is None:
            raise NotFound(f"no execution {execution_id} in this tenant")
        version = await session.get(WorkflowVersion, execution.workflow_version_id)
        workflow = await session.get(Workflow, execution.workflow_id)
        assert version is not None and workflow is not None
        return execution, version, workflow

    async def _view(
        self, session: AsyncSession, tenant_id: uuid.UUID, execution_id: uuid.UUID
    ) -> ExecutionView:
        execution, version, workflow = await self._load(session, tenant_id, execution_id, False)
        config = await _expanded(session, version.config, workflow, execution.tenant_id)
        rows = (
            await session.scalars(
                select(StepExecution)
                .where(StepExecution.execution_id == execution.id)
                .order_by(StepExecution.step_index, StepExecution.attempt)
            )
        ).all()
        latest = {r.step_id: r for r in rows}
        steps = [
            StepState(
                s.id,
                s.name,
                s.type,
                latest[s.id].status if s.id in latest else StepStatus.PENDING,
                latest[s.id].chosen_route if s.id in latest else None,
                latest[s.id].skip_reason if s.id in latest else None,
                describe_route(s, latest[s.id].chosen_route) if s.id in latest else None,
            )
            for s in WorkflowConfig.parse(config).steps
        ]
        current_row = latest.get(execution.current_step_id or "")
        view = ExecutionView(
            id=execution.id,
            tenant_id=execution.tenant_id,
            customer_id=execution.customer_id,
            workflow_slug=workflow.slug,
            workflow_name=workflow.name,
            version_number=version.version_number,
            status=execution.status,
            current_step_id=execution.current_step_id,
            outputs=dict(execution.outputs or {}),
            steps=steps,
            config=config,
            workflow_type=execution.workflow_type,
            snoozed_until=execution.snoozed_until,
        )
        if current_row is not None and current_row.status == StepStatus.IN_PROGRESS:
            view.draft = dict(current_row.outputs) if current_row.outputs else None
        gate = view.step.gate if view.step is not None else None
        if gate:
            view.gate_state = await _gate_state(session, execution, gate)
            if not view.gate_state.open:
                view.gate = gate
        return view

    async def auto_advance(self, user_id: uuid.UUID) -> bool:
        """The user's `workflow.autoAdvanceSteps` (domain.md §12; false unless they set it)."""
        async with self._db.sessions() as session:
            row = await session.get(UserPreferences, user_id)
        workflow = (row.preferences or {}).get("workflow") if row is not None else None
        return isinstance(workflow, dict) and workflow.get("autoAdvanceSteps") is True

    async def route_choices(
        self, tenant_id: uuid.UUID, execution_id: uuid.UUID, *, actor: User | None = None
    ) -> RouteChoices:
        """The open step's routes for the picker: each in words, the suggestion marked.

        The suggestion is the route the assistant's stored output names (after a run), else the
        first route whose `when` is true. Reads only.
        """
        view = await self.view(tenant_id, execution_id)
        auto = await self.auto_advance(actor.id) if actor is not None else False
        step = view.step if view.status in OPEN_EXECUTION_STATUSES else None
        if step is None or not step.routes:
            name = step.name if step else None
            return RouteChoices(view.id, view.current_step_id, name, [], None, auto)
        context: dict[str, Any] = {}
        if view.draft is None:  # the rules' suggestion reads the context
            context = await self._context(view.customer_id, execution_id)
        suggested, how, _errors = suggest_route(step, view.draft, context, _evaluate)
        names = {s.id: s.name for s in view.workflow.steps}
        routes = [
            RouteChoice(
                id=r.id,
                description=route_description(r),
                next_step_id=r.next_step_id or "",
                next_step_name=names.get(r.next_step_id or "", r.next_step_id or ""),
                suggested=r.id == suggested,
            )
            for r in step.routes
        ]
        by = {"output": "assistant", "when": "rule"}.get(how)
        return RouteChoices(view.id, step.id, step.name, routes, by, auto)

    async def save_draft(
        self, tenant_id: uuid.UUID, execution_id: uuid.UUID, step_id: str, outputs: dict[str, Any]
    ) -> ExecutionView:
        """Keep the assistant's output on the open step without completing it (the route it
        names becomes the picker's suggestion; completing the step applies the output)."""
        async with self._db.write() as session:
            execution, _version, _workflow = await self._load(
                session, tenant_id, execution_id, True
            )
            if (
                execution.current_step_id != step_id
                or execution.status != ExecutionStatus.IN_PROGRESS
            ):
                raise ExecutionError(
                    "This workflow moved on meanwhile (in another window); look again and retry"
                )
            row = await session.scalar(
                select(StepExecution)
                .where(
                    StepExecution.execution_id == execution.id,
                    StepExecution.step_id == step_id,
                    StepExecution.status == StepStatus.IN_PROGRESS,
                )
                .order_by(StepExecution.attempt.desc())
                .limit(1)
            )
            if row is not None:
                row.outputs = dict(outputs)
            await session.flush()
            return await self._view(session, tenant_id, execution.id)

    # --- starting ------------------------------------------------------------------------

    async def start(
        self,
        tenant_id: uuid.UUID,
        customer_id: uuid.UUID,
        *,
        actor: User,
        workflow_slug: str | None = None,
    ) -> ExecutionView:
        """Start the workflow that fits the customer (or the one named); an open one is reused."""
        from renubu_tui.services.workflows.registry import WorkflowRegistry

        registry = WorkflowRegistry(self._db)
        context = await self._context(customer_id, None)
        if workflow_slug is None:
            days = context["workflow"]["daysUntilRenewal"]
            if days is None:
                raise ExecutionError("the customer has no renewal date: name a workflow to start")
            loaded = await registry.renewal_for_days(tenant_id, days)
            if loaded is None:
                raise ExecutionError(f"no active renewal workflow covers {days} days")
        else:
            loaded = await registry.get(tenant_id, workflow_slug)
        now = self._clock.now()
        async with self._db.write() as session:
            customer = await session.scalar(
                select(Customer).where(Customer.id == customer_id, Customer.tenant_id == tenant_id)
            )
            if customer is None:
                raise NotFound(f"no customer {customer_id} in this tenant")
            existing = await session.scalar(
                select(WorkflowExecution.id).where(
                    WorkflowExecution.customer_id == customer_id,
                    WorkflowExecution.workflow_id == loaded.workflow_id,
                    WorkflowExecution.status.in_(OPEN_EXECUTION_STATUSES),
                    WorkflowExecution.completed_at.is_(None),
                )
            )
            if existing is not None:
                return await self._view(session, tenant_id, existing)
            execution = WorkflowExecution(
                id=uuid.uuid4(),
                tenant_id=tenant_id,
                customer_id=customer_id,
                workflow_id=loaded.workflow_id,
                workflow_version_id=loaded.version_id,
                workflow_type=loaded.workflow_type,
                owner_id=customer.owner_id or actor.id,
                status=ExecutionStatus.IN_PROGRESS,
                outputs={},
                started_at=now,
            )
            session.add(execution)
            await session.flush()
            context["workflow"]["executionId"] = str(execution.id)
            decision = first_step(loaded.workflow, context, _evaluate)
            fired = await self._enter(session, execution, loaded.workflow, decision, context, now)
            _trail(
                session,
                execution,
                actor,
                "start-workflow",
                {"workflow": loaded.slug, "version": loaded.version_number},
                {"firstStep": decision.next_step_id},
            )
            await session.flush()
            view = await self._view(session, tenant_id, execution.id)
            await self._changed(tenant_id, customer_id, session, kind="start", actor=actor)
        view.fired = fired
        view.skipped = [(s.step_id, s.reason) for s in decision.skipped]
        return view

    async def _enter(
        self,
        session: AsyncSession,
        execution: WorkflowExecution,
        config: WorkflowConfig,
        decision: Decision,
        context: Mapping[str, Any],
        now: dt.datetime,
    ) -> FireReport:
        """Record skipped steps, then start the next step (firing its notifications) or finish."""
        for skipped in decision.skipped:
            session.add(
                StepExecution(
                    execution_id=execution.id,
                    step_id=skipped.step_id,
                    step_index=step_index(config, skipped.step_id),
                    attempt=await _next_attempt(session, execution.id, skipped.step_id),
                    status=StepStatus.SKIPPED,
                    skip_reason=skipped.reason,
                    started_at=now,
                    completed_at=now,
                    duration_ms=0,
                )
            )
        target = decision.next_step_id
        if target is None:
            check_transition(execution.status, ExecutionStatus.COMPLETED)
            execution.status = ExecutionStatus.COMPLETED
            execution.completed_at = now
            execution.current_step_id = None
            return FireReport()
        step = config.steps[step_index(config, target)]
        execution.current_step_id = target
        session.add(
            StepExecution(
                execution_id=execution.id,
                step_id=target,
                step_index=step_index(config, target),
                attempt=await _next_attempt(session, execution.id, target),
                status=StepStatus.IN_PROGRESS,
                started_at=now,
            )
        )
        await session.flush()
        return await notifications.fire(
            session,
            tenant_id=execution.tenant_id,
            execution=execution,
            step=step,
            context=context,
            day=self._clock.today(),
            at=now,  # the app's clock: time travel sees what was sent "then"
        )

    # --- progressing ---------------------------------------------------------------------

    async def complete_step(
        self,
        tenant_id: uuid.UUID,
        execution_id: uuid.UUID,
        *,
        actor: User,
        outputs: Mapping[str, Any] | None = None,
        chosen_route: str | None = None,
    ) -> ExecutionView:
        """Finish the current step and move on the route the person chose.

        A step with routes needs `chosen_route` (RouteRequired otherwise) unless the actor's
        `workflow.autoAdvanceSteps` is true; then routing decides from the outputs and rules.
        The assistant's draft output for the step is applied, `outputs` laid over it, and the
        chosen route recorded as the output's `route` so later steps read what was chosen.
        """
        if outputs is not None and not isinstance(outputs, Mapping):
            raise ExecutionError("step outputs must be a JSON object")
        return await self._finish_step(
            tenant_id,
            execution_id,
            actor,
            status=StepStatus.COMPLETED,
            outputs=dict(outputs or {}),
            chosen_route=chosen_route,
            action="complete-step",
            params={"route": chosen_route},
        )

    async def skip_step(
        self, tenant_id: uuid.UUID, execution_id: uuid.UUID, *, actor: User, reason: str
    ) -> ExecutionView:
        """Skip the current step with a reason; routing continues as if it had no output."""
        if not reason.strip():
            raise ExecutionError("a reason is required to skip a step")
        return await self._finish_step(
            tenant_id,
            execution_id,
            actor,
            status=StepStatus.SKIPPED,
            outputs=None,
            chosen_route=None,
            action="skip-step",
            params={"reason": reason},
            reason=reason,
        )

    async def _finish_step(
        self,
        tenant_id: uuid.UUID,
        execution_id: uuid.UUID,
        actor: User,
        *,
        status: StepStatus,
        outputs: dict[str, Any] | None,
        chosen_route: str | None,
        action: str,
        params: dict[str, Any],
        reason: str | None = None,
    ) -> ExecutionView:
        """Leave the current step (completed or skipped): gate, choice, routing, then one
        transaction."""
        base = await self.view(tenant_id, execution_id)
        step = require_open_step(base, "complete" if status == StepStatus.COMPLETED else "skip")
        if status == StepStatus.COMPLETED:
            routes = step.routes
            if routes and chosen_route is None and not await self.auto_advance(actor.id):
                name = step.name
                raise RouteRequired(
                    f"Choose where {name} goes next; nothing moves without your choice",
                    name,
                    [(r.id, route_description(r)) for r in routes],
                )
            if outputs is not None:
                outputs = {**(base.draft or {}), **outputs}  # the person's fields win
                if chosen_route is not None and routes:
                    outputs["route"] = chosen_route
        context = await self._context(base.customer_id, execution_id)
        if outputs is not None:
            context = with_outputs(context, step.store_key, outputs)
        try:
            decision = decide_next(
                base.workflow,
                step.id,
                chosen_route=chosen_route,
                outputs=outputs,
                context=context,
                evaluate=_evaluate,
            )
        except RoutingError as exc:  # a route the step does not have: the person's to correct
            raise ExecutionError(str(exc)) from None
        params = {"step": step.id, **params}
        now = self._clock.now()
        async with self._db.write() as session:
            execution, version, workflow = await self._load(session, tenant_id, execution_id, True)
            if (
                execution.current_step_id != step.id
                or execution.status != ExecutionStatus.IN_PROGRESS
            ):
                raise ExecutionError(
                    "This workflow moved on meanwhile (in another window); look again and retry"
                )
            config = WorkflowConfig.parse(
                await _expanded(session, version.config, workflow, execution.tenant_id)
            )
            row = await session.scalar(
                select(StepExecution)
                .where(
                    StepExecution.execution_id == execution.id,
                    StepExecution.step_id == step.id,
                    StepExecution.status == StepStatus.IN_PROGRESS,
                )
                .order_by(StepExecution.attempt.desc())
                .limit(1)
            )
            if row is not None:
                row.status = status
                row.outputs = outputs
                row.chosen_route = decision.route_id
                row.skip_reason = reason
                row.completed_at = now
                if row.started_at is not None:
                    row.duration_ms = max(0, int((now - row.started_at).total_seconds() * 1000))
            if outputs is not None:
                execution.outputs = {**(execution.outputs or {}), step.store_key: outputs}
            fired = await self._enter(session, execution, config, decision, context, now)
            if (
                execution.status == ExecutionStatus.COMPLETED
                and outputs
                and isinstance(outputs.get("outcome"), str)
            ):
                execution.outcome = outputs["outcome"][:500]  # the last step says how it ended
            _trail(
                session,
                execution,
                actor,
                action,
                params,
                {
                    "next": decision.next_step_id,
                    "how": decision.how,
                    "skipped": [s.step_id for s in decision.skipped],
                    "conditionErrors": list(decision.errors),
                },
            )
            await session.flush()
            view = await self._view(session, tenant_id, execution.id)
            await self._changed(tenant_id, base.customer_id, session, kind="step", actor=actor)
        view.fired = fired
        view.fired.errors = list(decision.errors) + view.fired.errors
        view.skipped = [(s.step_id, s.reason) for s in decision.skipped]
        return view

    # --- workflow actions ----------------------------------------------------------------

    async def perform_action(
        self,
        tenant_id: uuid.UUID,
        execution_id: uuid.UUID,
        action_slug: str,
        *,
        actor: User,
        params: Mapping[str, Any] | None = None,
    ) -> tuple[dict[str, Any], FireReport]:
        """Record a workflow action (war room, channel, acknowledgment); fire what it triggers."""
        if action_slug not in WORKFLOW_ACTIONS:
            known = ", ".join(WORKFLOW_ACTIONS)
            raise ExecutionError(f"unknown workflow action {action_slug!r} (known: {known})")
        base = await self.view(tenant_id, execution_id)
        if base.status not in OPEN_EXECUTION_STATUSES:
            raise ExecutionError(
                in_words(base.status, ExecutionStatus.IN_PROGRESS, subject=base.subject).split(";")[
                    0
                ]
                + f"; there is nothing to record {WORKFLOW_ACTIONS[action_slug]} on"
            )
        if action_slug in MANAGER_ONLY and actor.role != "manager":
            await self._record_failure(
                tenant_id, base, actor, action_slug, params, "only a manager can acknowledge"
            )
            who = base.gate_state.opener if base.gate_state else "a manager"
            raise ExecutionError(
                f"Only a manager can record {WORKFLOW_ACTIONS[action_slug]}; it waits for {who}"
            )
        context = await self._context(base.customer_id, execution_id)
        slug = str(context["customer"]["slug"])
        result: dict[str, Any] = {"action": action_slug, "by": actor.email}
        given = dict(params or {})
        if action_slug == "create-war-room":
            result |= {
                "standupTime": given.get("standupTime", "09:00"),
                "channel": given.get("channelName") or f"#war-room-{slug}",
                "note": f"War room for {context['customer']['name']}: daily stand-up at "
                f"{given.get('standupTime', '09:00')}",
            }
        elif action_slug == "create-team-slack-channel":
            result |= {"channel": given.get("channelName") or f"#renewal-{slug}"}
        else:
            result |= {"acknowledgedAt": self._clock.now().isoformat(), "note": given.get("note")}
        fired = FireReport()
        async with self._db.write() as session:
            execution, _version, _workflow = await self._load(
                session, tenant_id, execution_id, True
            )
            for step in base.workflow.steps:
                if any(n.action_triggered == action_slug for n in step.notifications):
                    fired.merge(
                        await notifications.fire(
                            session,
                            tenant_id=tenant_id,
                            execution=execution,
                            step=step,
                            context=context,
                            day=self._clock.today(),
                            action=action_slug,
                            at=self._clock.now(),
                        )
                    )
            result["notified"] = sorted({n.recipient_email for n in fired.created})
            _trail(session, execution, actor, action_slug, dict(params or {}), result)
            await self._changed(tenant_id, base.customer_id, session, kind=action_slug, actor=actor)
        return result, fired

    async def _record_failure(
        self,
        tenant_id: uuid.UUID,
        base: ExecutionView,
        actor: User,
        action_slug: str,
        params: Mapping[str, Any] | None,
        error: str,
    ) -> None:
        async with self._db.write() as session:
            session.add(
                ActionExecution(
                    tenant_id=tenant_id,
                    action_slug=action_slug,
                    execution_id=base.id,
                    customer_id=base.customer_id,
                    user_id=actor.id,
                    params=dict(params or {}),
                    success=False,
                    error=error,
                )
            )


# The verbs a person leaves or works an open step with, and their participles.
STEP_VERBS = {"complete": "completed", "skip": "skipped", "answer": "answered", "run": "run"}


def require_open_step(view: ExecutionView, verb: str = "complete") -> Step:
    """The open step a person is about to complete, skip, answer or run (`verb`).

    The one place the rule is written: the workflow is in progress, a step is open and that
    step's gate is open; otherwise a refusal in words (ExecutionError, GateClosed), the same
    from the step pane, the chat's replies, the assistant's run and the shell.
    """
    done = STEP_VERBS[verb]
    if view.status != ExecutionStatus.IN_PROGRESS:
        said = in_words(
            view.status, done, subject=view.subject, snoozed_until=view.snoozed_until, verb=verb
        )
        raise ExecutionError(said.replace("nothing left to", "no step left to"))
    step = view.step
    if step is None:
        raise ExecutionError(f"{view.subject} has no step open")
    if view.gate:
        raise GateClosed(gate_refusal(view, done))
    return step


def gate_refusal(view: ExecutionView, done: str = "completed") -> str:
    """Why the step cannot be left (or run) yet, in words: who has to do what."""
    gate = view.gate_state
    if gate is None:
        return f"This step waits for {WORKFLOW_ACTIONS.get(view.gate or '', 'an approval')}"
    return (
        f"This step waits for {gate.opener} to {gate.task}; it can be {done} once that is recorded"
    )


async def _gate_state(session: AsyncSession, execution: WorkflowExecution, gate: str) -> GateState:
    """The gate's state, who opened it (if someone did) and who can: for the manager's
    acknowledgment, the customer owner's manager (by name when the record knows them)."""
    done = (
        await session.execute(
            select(ActionExecution.created_at, ActionExecution.result, User.name)
            .outerjoin(User, User.id == ActionExecution.user_id)
            .where(
                ActionExecution.execution_id == execution.id,
                ActionExecution.action_slug == gate,
                ActionExecution.success.is_(True),
            )
            .order_by(ActionExecution.created_at)
            .limit(1)
        )
    ).first()
    role = "manager" if gate in MANAGER_ONLY else None
    opener = "a manager" if role else "someone on the account"
    if role == "manager":
        customer = await session.get(Customer, execution.customer_id)
        owner_id = (customer.owner_id if customer else None) or execution.owner_id
        owner = await session.get(User, owner_id) if owner_id else None
        manager = await session.get(User, owner.manager_id) if owner and owner.manager_id else None
        if manager is not None:
            opener = f"{manager.name} (manager)"
    if done is None:
        return GateState(gate, False, opener, role)
    at, result, name = done
    stamped = (result or {}).get("acknowledgedAt")  # the app's clock (the trail's is the wall's)
    day = dt.datetime.fromisoformat(stamped).date() if isinstance(stamped, str) else None
    return GateState(gate, True, opener, role, name, day or (at.date() if at else None))


async def _expanded(
    session: AsyncSession, config: dict[str, Any], workflow: Workflow, tenant_id: uuid.UUID
) -> dict[str, Any]:
    """The runnable config of a pinned version: a composition is expanded with the library."""
    if workflow.format != "composition":
        return config
    from renubu_tui.domain.composer import expand
    from renubu_tui.services.workflows import versions as workflow_versions

    return expand(config, await workflow_versions.library_steps(session, tenant_id))


async def _next_attempt(session: AsyncSession, execution_id: uuid.UUID, step_id: str) -> int:
    from sqlalchemy import func

    current = await session.scalar(
        select(func.max(StepExecution.attempt)).where(
            StepExecution.execution_id == execution_id, StepExecution.step_id == step_id
        )
    )
    return int(current or 0) + 1


def _trail(
    session: AsyncSession,
    execution: WorkflowExecution,
    actor: User,
    action: str,
    params: dict[str, Any],
    result: dict[str, Any],
) -> None:
    session.add(
        ActionExecution(
            tenant_id=execution.tenant_id,
            action_slug=action,
            execution_id=execution.id,
            customer_id=execution.customer_id,
            user_id=actor.id,
            params=params,
            result=result,
            success=True,
        )
    )


__all__ = [
    "ExecutionError",
    "ExecutionService",
    "ExecutionView",
    "GateClosed",
    "GateState",
    "RouteChoice",
    "RouteChoices",
    "RouteRequired",
    "StepState",
    "gate_refusal",
    "require_open_step",
]
