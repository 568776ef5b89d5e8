"""The template context of one customer on one day (domain.md §9): every path a template may read.

Workflow prompts, notifications and routing conditions all render against this one dict, so it
is built in one place, from what was known on `today` (time travel shows the past as it was):

- the contract is the governing one (`domain.contracts`: the latest-starting contract signed
  by today, or unsigned and started by today; a successor signed by today governs), and its end
  is the renewal date;
- ARR is the financial record valid on today, else the governing contract's ARR;
- each snapshot (intelligence, usage, engagement) is the newest one dated at or before today;
- stakeholder notes dated after today are left out.

**Missing data stays missing, as null.** Every documented path is always present (sections are
always objects, `stakeholders` always a list, `outputs` always an object), and a value nobody
recorded is None/null, never a guess or a zero. Templates render null as "" and treat it as
false, exactly as an absent key, while the JSON keeps one stable shape to read and diff. Two
domain rules still apply to missing inputs: the account plan is derived when none is set (§3),
and the score counts unknown factors as neutral (§5).

Choices the spec leaves open:

- `customer.accountPlan` is the plan set on the customer, else the derived one (§3);
  `customer.hasAccountPlan` is true only for a set plan, because the templates use it for "this
  account is managed under a plan" (war rooms, strategic-account notifications), which a
  derived suggestion is not.
- `workflow.currentStage` and `workflow.priorityScore` are decided by `domain.assessment.assess`,
  the function behind every view, from the same facts as the queue: the stage is the customer's
  (a renewal workflow running for it can make it more urgent than its days), and the score is the
  queue row's. It scores the execution's own workflow type when an execution is given (a risk
  workflow reads its risk score), else renewal work; renewal work without a renewal date has no
  score (null). The workload is the CSM's executions open on `today` and not snoozed
  (`queue_sql.counts_as_workload`, as the queue counts it).
- `workflow.renewalARR` is the ARR above (what is up for renewal); `isOverdue`, `daysOverdue`
  and the hours are null without a renewal date.
- `outputs` are the execution's state as stored, not dated snapshots: they are not filtered by
  `today` (step timestamps are UTC instants, `today` a local day).

Values are plain JSON: dates are ISO strings, ids strings, integral numbers ints (180000, not
180000.0), other numbers floats; never Decimal.

The whole context costs at most seven SQL statements: the tenant and the customer through
`lookup` (two to four), one statement for the customer with its CSM, manager, company, contract,
ARR, snapshots, the CSM's workload and the execution, one for the stakeholders, and one for the
execution's step outputs.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import Date, Select, Uuid, and_, bindparam, func, or_, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import BindParameter, ColumnElement

from renubu_tui.data.engine import Database
from renubu_tui.data.models import (
    CompanySettings,
    Contract,
    Customer,
    CustomerEngagement,
    CustomerFinancials,
    CustomerIntelligence,
    CustomerStakeholder,
    CustomerUsage,
    StepExecution,
    User,
    Workflow,
    WorkflowExecution,
    WorkflowVersion,
)
from renubu_tui.data.models.base import UTCDateTime
from renubu_tui.domain.assessment import CustomerDay, assess
from renubu_tui.domain.config import DomainConfig
from renubu_tui.domain.determination import CustomerFacts
from renubu_tui.domain.enums import Experience, WorkflowType
from renubu_tui.domain.plans import parse_plan
from renubu_tui.domain.stages import (
    RunningRenewal,
    days_overdue,
    days_until_renewal,
    hours_until_renewal,
)
from renubu_tui.domain.workflow_config import CONTEXT_ROOTS
from renubu_tui.domain.workflow_model import WorkflowConfig
from renubu_tui.services.customers.lookup import customer_by_ref, tenant_by_slug
from renubu_tui.services.queue.sql import (
    counts_as_workload,
    end_of_day,
    governing_contract_id,
    open_execution_for,
)
from renubu_tui.services.refusals import NotFound

__all__ = ["RESERVED_KEYS", "build_context"]

# Top-level keys a step's storeIn never overrides: the data the whole workflow relies on (the
# validator reads the same set to tell a step output from the context).
RESERVED_KEYS = CONTEXT_ROOTS

JSON = Any


async def build_context(
    db: Database,
    tenant_slug: str,
    customer_ref_or_id: str | uuid.UUID,
    today: dt.date,
    *,
    execution_id: uuid.UUID | None = None,
    config: DomainConfig | None = None,
) -> dict[str, JSON]:
    """The whole template context of a customer of the tenant, as known on `today`.

    `customer_ref_or_id` is anything `lookup.customer_by_ref` accepts (id, domain, slug, unique
    name prefix). With `execution_id`, that execution's outputs chain in (`outputs.<storeIn>` and
    `<storeIn>`). Raises LookupError for an unknown tenant, a customer the tenant does not have,
    or an execution that is not this customer's. `config` lets a caller pass the tenant's
    configuration; the shipped default is used without one.
    """
    config = config or DomainConfig.default()
    async with db.sessions() as session:
        tenant = await tenant_by_slug(session, tenant_slug)
        customer = await customer_by_ref(session, tenant, str(customer_ref_or_id))
        params = {
            "customer_id": customer.id,
            "today": today,
            "owner_id": customer.owner_id,
            "execution_id": execution_id,
            "end_of_day": end_of_day(today),
        }
        row = (await session.execute(_main_statement(), params)).one()
        stakeholders = (
            await session.scalars(
                select(CustomerStakeholder)
                .where(CustomerStakeholder.customer_id == customer.id)
                .order_by(
                    CustomerStakeholder.is_decision_maker.desc(),
                    CustomerStakeholder.is_champion.desc(),
                    CustomerStakeholder.name,
                )
            )
        ).all()
        execution: WorkflowExecution | None = row.WorkflowExecution
        if execution_id is not None and execution is None:
            raise NotFound(f"no execution {execution_id} for customer {customer.name!r}")
        steps: list[tuple[str, dict[str, JSON] | None]] = []
        if execution is not None:
            steps = [
                (step_id, outputs)
                for step_id, outputs in (
                    await session.execute(
                        select(StepExecution.step_id, StepExecution.outputs)
                        .where(
                            StepExecution.execution_id == execution.id,
                            StepExecution.status == "completed",
                        )
                        .order_by(StepExecution.step_index, StepExecution.attempt)
                    )
                ).all()
            ]

    contract: Contract | None = row.Contract
    financials: CustomerFinancials | None = row.CustomerFinancials
    intel: CustomerIntelligence | None = row.CustomerIntelligence
    usage: CustomerUsage | None = row.CustomerUsage
    engagement: CustomerEngagement | None = row.CustomerEngagement
    csm: User | None = row.csm
    manager: User | None = row.manager
    company: CompanySettings | None = row.CompanySettings

    renewal_date = contract.end_date if contract is not None else None
    arr = _num(financials.current_arr if financials is not None else None)
    if arr is None and contract is not None:
        arr = _num(contract.arr)
    health = _num(intel.health_score if intel is not None else None)
    days = days_until_renewal(renewal_date, today)
    set_plan = parse_plan(customer.account_plan)
    running = None
    if row.running_name is not None:
        running = RunningRenewal(row.running_name, row.running_min_days, row.running_max_days)
    assessment = assess(
        CustomerDay(
            facts=CustomerFacts(
                days_until_renewal=days,
                arr=arr,
                health=health,
                plan=set_plan,
                opportunity_score=_num(intel.opportunity_score) if intel is not None else None,
                risk_score=_num(intel.risk_score) if intel is not None else None,
            ),
            experience=_experience(csm),
            active_workflows=int(row.workload or 0),
            running_renewal=running,
        ),
        config,
    )
    plan = assessment.plan
    stage = assessment.stage.stage
    kind = WorkflowType(execution.workflow_type) if execution is not None else WorkflowType.RENEWAL
    scored = assessment.of(kind).breakdown
    priority = scored.total if scored is not None else None

    team = (
        customer.ae_email,
        customer.sa_email,
        customer.executive_sponsor_email,
        csm.email if csm is not None else None,
    )
    context: dict[str, JSON] = {
        "customer": {
            "id": str(customer.id),
            "name": customer.name,
            "slug": customer.slug,
            "domain": customer.domain,
            "industry": customer.industry,
            "arr": arr,
            "renewalDate": _iso(renewal_date),
            "contractTerm": contract.term_months if contract is not None else None,
            "healthScore": health,
            "accountPlan": plan.value,
            # True only for a plan a person set; a derived plan is a suggestion (§3).
            "hasAccountPlan": set_plan is not None,
        },
        "csm": {
            "id": str(csm.id) if csm is not None else None,
            "name": csm.name if csm is not None else None,
            "email": csm.email if csm is not None else None,
            "title": csm.title if csm is not None else None,
            "manager": manager.email if manager is not None else None,
            "managerName": manager.name if manager is not None else None,
        },
        "workflow": {
            "executionId": str(execution.id) if execution is not None else None,
            "currentStage": stage.name if stage is not None else None,
            "daysUntilRenewal": days,
            "hoursUntilRenewal": hours_until_renewal(days),
            "daysOverdue": days_overdue(days),
            "isOverdue": None if days is None else days < 0,
            "renewalARR": arr,
            "currentDate": today.isoformat(),
            "priorityScore": priority,
        },
        "company": {
            "name": company.company_name if company is not None else None,
            "vpCustomerSuccess": company.vp_customer_success_email if company else None,
            "ceo": company.ceo_email if company is not None else None,
            "csTeamEmail": company.cs_team_email if company is not None else None,
        },
        "accountTeam": {
            "ae": customer.ae_email,
            "sa": customer.sa_email,
            "executiveSponsor": customer.executive_sponsor_email,
            "allEmails": ", ".join(_unique(team)) or None,
        },
        "intelligence": _intelligence(intel),
        "data": {
            "financials": _financials(financials),
            "usage": _usage(usage),
            "engagement": _engagement(engagement),
        },
        "stakeholders": [_stakeholder(s, today) for s in stakeholders],
        "outputs": {},
    }
    if execution is not None:
        _chain_outputs(context, execution.outputs, row.pinned_config, steps)
    return context


@cache
def _main_statement() -> Select[*tuple[Any, ...]]:
    """One statement for everything that is one row per customer (no N+1, no round trips).

    Built once and reused with bind parameters: building it (eight aliased subqueries) costs
    more than running it. A None `execution_id` or `owner_id` compares as NULL and matches
    nothing, so the same statement serves a context without an execution or without a CSM.
    """
    today = bindparam("today", type_=Date())
    cid = bindparam("customer_id", type_=Uuid())
    csm, manager = aliased(User, name="csm"), aliased(User, name="manager")
    eod = bindparam("end_of_day", type_=UTCDateTime())
    open_work = WorkflowExecution.__table__.alias("open_work")  # the CSM's, any customer's
    workload = (
        select(func.count())
        .select_from(open_work)
        .where(
            open_work.c.tenant_id == Customer.tenant_id,
            open_work.c.owner_id == bindparam("owner_id", type_=Uuid()),
            counts_as_workload(open_work, eod),
        )
        .correlate(Customer)
        .scalar_subquery()
    )
    running = aliased(WorkflowExecution, name="running")  # the renewal workflow open today
    running_wf = aliased(Workflow, name="running_wf")
    return (
        select(
            Customer.id,
            csm,
            manager,
            CompanySettings,
            Contract,
            CustomerFinancials,
            CustomerIntelligence,
            CustomerUsage,
            CustomerEngagement,
            WorkflowExecution,
            WorkflowVersion.config.label("pinned_config"),
            workload.label("workload"),
            running_wf.name.label("running_name"),
            running_wf.trigger_min_days.label("running_min_days"),
            running_wf.trigger_max_days.label("running_max_days"),
        )
        .select_from(Customer)
        .outerjoin(csm, csm.id == Customer.owner_id)
        .outerjoin(manager, manager.id == csm.manager_id)
        .outerjoin(CompanySettings, CompanySettings.tenant_id == Customer.tenant_id)
        .outerjoin(Contract, Contract.id == governing_contract_id(cid, today))
        .outerjoin(
            CustomerFinancials,
            _newest(CustomerFinancials, "valid_from", cid, today, valid_on_today=True),
        )
        .outerjoin(CustomerIntelligence, _newest(CustomerIntelligence, "as_of_date", cid, today))
        .outerjoin(CustomerUsage, _newest(CustomerUsage, "as_of_date", cid, today))
        .outerjoin(CustomerEngagement, _newest(CustomerEngagement, "as_of_date", cid, today))
        .outerjoin(
            WorkflowExecution,
            and_(
                WorkflowExecution.id == bindparam("execution_id", type_=Uuid()),
                WorkflowExecution.customer_id == Customer.id,
                WorkflowExecution.tenant_id == Customer.tenant_id,
            ),
        )
        .outerjoin(WorkflowVersion, WorkflowVersion.id == WorkflowExecution.workflow_version_id)
        .outerjoin(running, running.id == open_execution_for(cid, "renewal", eod))
        .outerjoin(running_wf, running_wf.id == running.workflow_id)
        .where(Customer.id == cid)
    )


def _newest(
    model: Any,
    column: str,
    cid: BindParameter[Any],
    today: BindParameter[Any],
    *,
    valid_on_today: bool = False,
) -> ColumnElement[bool]:
    """Join condition: the customer's row with the greatest `column` at or before today.

    (customer_id, column) is unique on every dated table, so this picks at most one row. With
    `valid_on_today` only rows whose validity period holds today count (the financial records).
    """
    inner = aliased(model)
    conditions = [inner.customer_id == cid, getattr(inner, column) <= today]
    if valid_on_today:
        conditions.append(or_(inner.valid_to.is_(None), inner.valid_to >= today))
    newest = select(func.max(getattr(inner, column))).where(*conditions).scalar_subquery()
    return and_(model.customer_id == cid, getattr(model, column) == newest)


def _intelligence(intel: CustomerIntelligence | None) -> dict[str, JSON]:
    """Scores and trends of the newest snapshot; all null before the first one."""
    i = intel
    return {
        "riskScore": _num(i.risk_score) if i else None,
        "opportunityScore": _num(i.opportunity_score) if i else None,
        "healthScore": _num(i.health_score) if i else None,
        "churnProbability": _num(i.churn_probability) if i else None,
        "expansionProbability": _num(i.expansion_probability) if i else None,
        "trends": {
            "health": i.health_trend if i else None,
            "usage": i.usage_trend if i else None,
            "engagement": i.engagement_trend if i else None,
        },
    }


def _financials(f: CustomerFinancials | None) -> dict[str, JSON]:
    """The financial record valid today, as recorded (no fallback to the contract here)."""
    return {
        "currentARR": _num(f.current_arr) if f else None,
        "previousARR": _num(f.previous_arr) if f else None,
        "projectedARR": _num(f.projected_arr) if f else None,
        "trend": f.trend if f else None,
        "growthRate": _num(f.growth_rate) if f else None,
        "paymentStatus": f.payment_status if f else None,
    }


def _usage(u: CustomerUsage | None) -> dict[str, JSON]:
    return {
        "activeUsers": _num(u.active_users) if u else None,
        "licensedUsers": _num(u.licensed_users) if u else None,
        "utilizationRate": _num(u.utilization_rate) if u else None,
        "trend": u.trend if u else None,
        "adoptionRate": _num(u.adoption_rate) if u else None,
        "lastActivityDate": _iso(u.last_activity_date) if u else None,
    }


def _engagement(e: CustomerEngagement | None) -> dict[str, JSON]:
    return {
        "lastContact": _iso(e.last_contact_date) if e else None,
        "lastQbr": _iso(e.last_qbr_date) if e else None,
        "nextQbr": _iso(e.next_qbr_date) if e else None,
        "npsScore": _num(e.nps_score) if e else None,
        "csatScore": _num(e.csat_score) if e else None,
        "sentiment": e.sentiment if e else None,
        "openTickets": _num(e.open_tickets) if e else None,
        "engagementScore": _num(e.engagement_score) if e else None,
    }


def _stakeholder(s: CustomerStakeholder, today: dt.date) -> dict[str, JSON]:
    """A stakeholder with the notes written by today.

    `champion` and `decisionMaker` repeat `isChampion` / `isDecisionMaker` because the shipped
    workflow templates read those names inside `{{#each stakeholders}}`. A note without a
    readable date cannot be placed in time and is kept.
    """
    notes = [n for n in s.notes or [] if (when := _note_date(n)) is None or when <= today]
    return {
        "name": s.name,
        "title": s.title,
        "email": s.email,
        "role": s.role,
        "isChampion": bool(s.is_champion),
        "isDecisionMaker": bool(s.is_decision_maker),
        "champion": bool(s.is_champion),
        "decisionMaker": bool(s.is_decision_maker),
        "influence": s.influence,
        "sentiment": s.sentiment,
        "notes": notes,
    }


def _chain_outputs(
    context: dict[str, JSON],
    execution_outputs: Mapping[str, JSON] | None,
    pinned_config: Mapping[str, JSON] | None,
    steps: Iterable[tuple[str, dict[str, JSON] | None]],
) -> None:
    """Outputs chain forward (§7): `outputs.<storeIn>` and `<storeIn>` for later templates.

    The execution's own outputs come first; each completed step's outputs then go under the
    storeIn its pinned config names (the step id when it names none, e.g. a composition not yet
    expanded), the latest attempt winning. storeIn keys are also copied to the top level, except
    where they would shadow the context's own sections (RESERVED_KEYS).
    """
    store_in = _store_in_keys(pinned_config)
    outputs: dict[str, JSON] = dict(execution_outputs or {})
    for step_id, step_outputs in steps:
        if step_outputs is not None:
            outputs[store_in.get(step_id, step_id)] = step_outputs
    context["outputs"] = outputs
    for key in store_in.values():
        if key in outputs and key not in RESERVED_KEYS:
            context[key] = outputs[key]


def _store_in_keys(config: Mapping[str, JSON] | None) -> dict[str, str]:
    """step id → storeIn, from a workflow config's steps[].execution.storeIn (a composition has
    no steps until it is expanded: its outputs stay under the step ids)."""
    if config is None:
        return {}
    steps = WorkflowConfig.parse(config).steps
    return {step.id: step.task.store_in for step in steps if step.task.store_in}


def _experience(csm: User | None) -> Experience | None:
    level = csm.experience_level if csm is not None else None
    return Experience(level) if level else None


def _num(value: Any) -> Any:
    """JSON numbers: integral values as int (180000, not 180000.0), never Decimal."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _iso(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _note_date(note: object) -> dt.date | None:
    date = note.get("date") if isinstance(note, Mapping) else None
    if not isinstance(date, str):
        return None
    try:
        return dt.date.fromisoformat(date)
    except ValueError:
        return None


def _unique(values: Iterable[str | None]) -> list[str]:
    """Present values, first occurrence kept (case-insensitive), in order."""
    seen: set[str] = set()
    kept = []
    for value in values:
        text = (value or "").strip()
        if text and text.casefold() not in seen:
            seen.add(text.casefold())
            kept.append(text)
    return kept
