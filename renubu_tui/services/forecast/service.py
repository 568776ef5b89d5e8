"""`ForecastService.forecast`: the book's renewals as of a day, bucketed and weighted.

Reads contracts, the newest intelligence and financial record at or before today, and each
customer's latest renewal workflow with its latest chosen route; the rules are
`domain/forecast.py`'s. Returns frozen views free of SQLAlchemy for the CLI and the screen.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from renubu_tui.data.engine import Database
from renubu_tui.data.models import (
    Contract,
    Customer,
    CustomerFinancials,
    CustomerIntelligence,
    StepExecution,
    Tenant,
    User,
    WorkflowExecution,
)
from renubu_tui.domain.contracts import governing_contract, known_on
from renubu_tui.domain.forecast import (
    CATEGORY_ORDER,
    Category,
    Classified,
    LikelihoodModel,
    Renewal,
    closed_periods,
    forecast,
    periods,
    retention,
)
from renubu_tui.services.config.service import ConfigService
from renubu_tui.services.refusals import BadInput, NotFound

__all__ = [
    "ForecastItem",
    "ForecastPeriod",
    "ForecastService",
    "ForecastView",
    "RetentionRow",
]

BY = ("month", "quarter")


@dataclass(frozen=True)
class ForecastItem:
    customer_id: uuid.UUID
    customer: str
    owner: str | None
    renewal_date: dt.date
    arr: float
    category: Category
    likelihood: float
    weighted: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class ForecastPeriod:
    label: str
    start: dt.date
    end: dt.date
    totals: tuple[tuple[Category, float], ...]  # in CATEGORY_ORDER
    up_for_renewal: float
    weighted: float
    items: tuple[ForecastItem, ...]  # largest ARR first
    risks: tuple[ForecastItem, ...]  # the largest risks, with why

    def total(self, category: Category) -> float:
        return dict(self.totals)[category]


@dataclass(frozen=True)
class RetentionRow:
    label: str
    start: dt.date
    end: dt.date
    renewals: int
    up: float
    renewed: float
    expansion: float
    contraction: float
    churned: float
    unresolved: float
    grr: float | None
    nrr: float | None


@dataclass(frozen=True)
class ForecastView:
    today: dt.date
    by: str
    owner: str | None  # None: everyone's book
    model: LikelihoodModel
    periods: tuple[ForecastPeriod, ...]
    retention: tuple[RetentionRow, ...]

    @property
    def up_for_renewal(self) -> float:
        return sum(p.up_for_renewal for p in self.periods)

    @property
    def weighted(self) -> float:
        return sum(p.weighted for p in self.periods)

    @property
    def empty(self) -> bool:
        return not any(p.items for p in self.periods)


def _item(c: Classified) -> ForecastItem:
    r = c.renewal
    return ForecastItem(
        r.customer_id,
        r.customer,
        r.owner,
        r.renewal_date,
        r.arr,
        c.category,
        c.likelihood,
        c.weighted,
        c.reasons,
    )


class ForecastService:
    def __init__(self, db: Database, config: ConfigService) -> None:
        self._db = db
        self._config = config

    async def model(self, tenant_id: uuid.UUID) -> LikelihoodModel:
        """The likelihood model of the configuration (`thresholds.forecast`), at risk from the
        risk threshold that raises risk work too (`thresholds.riskScoreMin`)."""
        t = (await self._config.get(tenant_id)).thresholds
        f = t.forecast
        return LikelihoodModel(
            secured=float(f.secured),
            likely=float(f.likely),
            at_risk=float(f.at_risk),
            churned=float(f.churned),
            risk_score_min=float(t.risk_score_min),
            churn_probability_min=float(f.churn_probability_min),
        )

    async def owner(self, tenant: Tenant, ref: str) -> User:
        """The tenant's user an e-mail (or a unique prefix of an e-mail or a name) names."""
        prefix = ref.strip().casefold()
        if not prefix:
            raise BadInput("no owner given")
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        async with self._db.sessions() as session:
            exact = await session.scalar(
                select(User).where(User.tenant_id == tenant.id, User.email == prefix)
            )
            if exact is not None:
                return exact
            found = (
                await session.scalars(
                    select(User)
                    .where(
                        User.tenant_id == tenant.id,
                        or_(
                            User.email.like(f"{escaped}%", escape="\\"),
                            func.lower(User.name).like(f"{escaped}%", escape="\\"),
                        ),
                    )
                    .order_by(User.email)
                    .limit(6)
                )
            ).all()
        if len(found) == 1:
            return found[0]
        if found:
            emails = ", ".join(user.email for user in found[:5])
            raise BadInput(f"{ref!r} could be several people: {emails}")
        raise NotFound(f"unknown owner {ref!r} in tenant {tenant.slug!r}")

    async def forecast(
        self, tenant_id: uuid.UUID, today: dt.date, *, by: str = "month", owner: User | None = None
    ) -> ForecastView:
        """The next 12 months' renewals by period, and retention of the 12 months before."""
        if by not in BY:
            raise BadInput(f"unknown period {by!r} (month or quarter)")
        model = await self.model(tenant_id)
        ahead = periods(today, by)
        behind = closed_periods(today, by)
        renewals = await self._renewals(
            tenant_id, today, behind[0].start, ahead[-1].end, None if owner is None else owner.id
        )
        views = []
        for p in forecast(renewals, today, by, model):
            views.append(
                ForecastPeriod(
                    p.period.label,
                    p.period.start,
                    p.period.end,
                    tuple((c, p.totals[c]) for c in CATEGORY_ORDER),
                    p.up_for_renewal,
                    p.weighted,
                    tuple(_item(c) for c in p.items),
                    tuple(_item(c) for c in p.risks()),
                )
            )
        kept = [
            RetentionRow(
                r.period.label,
                r.period.start,
                r.period.end,
                r.count,
                r.up,
                r.renewed,
                r.expansion,
                r.contraction,
                r.churned,
                r.unresolved,
                r.grr,
                r.nrr,
            )
            for r in retention(renewals, today, by)
        ]
        return ForecastView(
            today,
            by,
            None if owner is None else owner.email,
            model,
            tuple(views),
            tuple(kept),
        )

    async def _renewals(
        self,
        tenant_id: uuid.UUID,
        today: dt.date,
        first: dt.date,
        last: dt.date,
        owner_id: uuid.UUID | None,
    ) -> list[Renewal]:
        """Every contract term known on today that ends in [first, last], with its customer's
        facts as of today (module docstring)."""
        customers = select(Customer.id).where(Customer.tenant_id == tenant_id)
        if owner_id is not None:
            customers = customers.where(Customer.owner_id == owner_id)
        async with self._db.sessions() as session:
            people = {
                row.id: (row.name, row.email)
                for row in (
                    await session.execute(
                        select(Customer.id, Customer.name, User.email)
                        .outerjoin(User, User.id == Customer.owner_id)
                        .where(Customer.id.in_(customers))
                    )
                ).all()
            }
            # only customers with a term ending in the window, or governing one that does
            terms: dict[uuid.UUID, list[_Term]] = defaultdict(list)
            ids_with_window = select(Contract.customer_id).where(
                Contract.customer_id.in_(customers),
                Contract.end_date >= first,
                Contract.end_date <= last,
            )
            for k in await session.execute(
                select(
                    Contract.customer_id,
                    Contract.start_date,
                    Contract.end_date,
                    Contract.signed_on,
                    Contract.arr,
                    Contract.status,
                )
                .where(Contract.customer_id.in_(ids_with_window))
                .order_by(Contract.customer_id, Contract.start_date)
            ):  # columns, not entities: a 100 000-customer book is 200 000 terms
                if known_on(k, today):
                    terms[k.customer_id].append(_Term(*k))
            wanted = list(terms)
            intel = await self._newest_intelligence(session, wanted, today)
            arr_today = await self._arr_today(session, wanted, today)
            workflows = await self._renewal_workflows(session, wanted, today)
        out = []
        for customer_id, contracts in terms.items():
            name, owner = people[customer_id]
            governing = governing_contract(contracts, today)
            risk, churn = intel.get(customer_id, (None, None))
            for index, term in enumerate(contracts):
                if not first <= term.end_date <= last:
                    continue
                successor = next(
                    (k for k in contracts[index + 1 :] if k.start_date > term.start_date), None
                )
                arr = float(term.arr)
                route = status = None
                if term is governing:
                    arr = arr_today.get(customer_id, arr)
                    status, route = _for_term(workflows.get(customer_id, []), term)
                out.append(
                    Renewal(
                        customer_id,
                        name,
                        owner,
                        term.end_date,
                        arr,
                        None if successor is None else float(successor.arr),
                        term.status == "cancelled",
                        risk,
                        churn,
                        route,
                        status,
                    )
                )
        return out

    @staticmethod
    async def _newest_intelligence(
        session: AsyncSession, ids: list[uuid.UUID], today: dt.date
    ) -> dict[uuid.UUID, tuple[float | None, float | None]]:
        out: dict[uuid.UUID, tuple[float | None, float | None]] = {}
        for chunk in _chunks(ids):
            rows = await session.execute(
                select(
                    CustomerIntelligence.customer_id,
                    CustomerIntelligence.risk_score,
                    CustomerIntelligence.churn_probability,
                )
                .where(
                    CustomerIntelligence.customer_id.in_(chunk),
                    CustomerIntelligence.as_of_date <= today,
                )
                .order_by(CustomerIntelligence.as_of_date)
            )
            for row in rows:
                out[row.customer_id] = (row.risk_score, row.churn_probability)
        return out

    @staticmethod
    async def _arr_today(
        session: AsyncSession, ids: list[uuid.UUID], today: dt.date
    ) -> dict[uuid.UUID, float]:
        """The newest financial record valid on today (domain.md §1: it wins over the
        contract's ARR for the term in force)."""
        out: dict[uuid.UUID, float] = {}
        for chunk in _chunks(ids):
            rows = await session.execute(
                select(CustomerFinancials.customer_id, CustomerFinancials.current_arr)
                .where(
                    CustomerFinancials.customer_id.in_(chunk),
                    CustomerFinancials.valid_from <= today,
                    or_(
                        CustomerFinancials.valid_to.is_(None), CustomerFinancials.valid_to >= today
                    ),
                )
                .order_by(CustomerFinancials.valid_from)
            )
            for row in rows:
                out[row.customer_id] = float(row.current_arr)
        return out

    @staticmethod
    async def _renewal_workflows(
        session: AsyncSession, ids: list[uuid.UUID], today: dt.date
    ) -> dict[uuid.UUID, list[_Run]]:
        """Each customer's renewal workflows started by today, oldest first, each with the
        latest route chosen in it by today."""
        end_of_today = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), dt.UTC)
        runs: dict[uuid.UUID, list[tuple[dt.datetime, str, uuid.UUID]]] = defaultdict(list)
        for chunk in _chunks(ids):
            rows = await session.execute(
                select(
                    WorkflowExecution.id,
                    WorkflowExecution.customer_id,
                    WorkflowExecution.status,
                    WorkflowExecution.created_at,
                )
                .where(
                    WorkflowExecution.customer_id.in_(chunk),
                    WorkflowExecution.workflow_type == "renewal",
                    WorkflowExecution.created_at < end_of_today,
                )
                .order_by(WorkflowExecution.created_at)
            )
            for row in rows:
                runs[row.customer_id].append((row.created_at, row.status, row.id))
        routes: dict[uuid.UUID, tuple[dt.datetime, str]] = {}
        executions = [run[2] for listed in runs.values() for run in listed]
        for chunk in _chunks(executions):
            rows = await session.execute(
                select(
                    StepExecution.execution_id,
                    StepExecution.chosen_route,
                    StepExecution.completed_at,
                )
                .where(
                    StepExecution.execution_id.in_(chunk),
                    StepExecution.chosen_route.is_not(None),
                    StepExecution.completed_at < end_of_today,
                )
                .order_by(StepExecution.completed_at)
            )
            for row in rows:
                routes[row.execution_id] = (row.completed_at, row.chosen_route)
        return {
            customer: [
                _Run(started.date(), status, routes.get(run)) for started, status, run in listed
            ]
            for customer, listed in runs.items()
        }


@dataclass(frozen=True)
class _Run:
    started: dt.date
    status: str
    route: tuple[dt.datetime, str] | None  # (when, code) of its latest chosen route


@dataclass(frozen=True, slots=True)
class _Term:
    """What the forecast reads of a contract term (domain.contracts.ContractTerm and more)."""

    customer_id: uuid.UUID
    start_date: dt.date
    end_date: dt.date
    signed_on: dt.date | None
    arr: float
    status: str


def _for_term(runs: list[_Run], term: _Term) -> tuple[str | None, str | None]:
    """(status of the latest run, latest route chosen) of the runs started since the term
    began: the workflows about this renewal, not an earlier one."""
    mine = [run for run in runs if run.started >= term.start_date]
    if not mine:
        return None, None
    chosen = [run.route for run in mine if run.route is not None]
    route = max(chosen)[1] if chosen else None
    return mine[-1].status, route


def _chunks(ids: list[uuid.UUID], size: int = 5000) -> list[list[uuid.UUID]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]
