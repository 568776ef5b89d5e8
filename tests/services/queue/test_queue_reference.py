"""The SQL queue orders thousands of random customers exactly as the Python domain rules do.

The data is generated here, the expected queue is computed from that data with the pure domain
functions every other view uses (`contracts.governing_contract`: which contract's end is the
renewal date, signed successors included; `assessment.assess`: stage, score, label), and the
materialized queue is read back page by page (keyset) — on every backend.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from sqlalchemy import insert

from renubu_tui.data.engine import Database
from renubu_tui.data.models import (
    Contract,
    Customer,
    CustomerFinancials,
    CustomerIntelligence,
    Tenant,
    User,
    Workflow,
    WorkflowExecution,
    WorkflowVersion,
)
from renubu_tui.domain.assessment import CustomerDay, assess
from renubu_tui.domain.config import DomainConfig
from renubu_tui.domain.contracts import governing_contract
from renubu_tui.domain.determination import CustomerFacts
from renubu_tui.domain.enums import AccountPlan, Experience
from renubu_tui.domain.queue_order import sort_key
from renubu_tui.domain.stages import RunningRenewal
from renubu_tui.services.config.service import ConfigService
from renubu_tui.services.queue.service import QueueFilters, QueueService

TODAY = dt.date(2026, 3, 15)
NAMES = ["Acme", "acme", "Straße AG", "STRASSE AG", "Öko", "Zeta", "alpha", "Ätna", "Łódź Co"]
PLANS = [None, None, "invest", "expand", "manage", "monitor"]
EXPERIENCE = [None, "junior", "mid", "senior", "expert"]


@dataclass
class Expected:
    customer_id: uuid.UUID
    customer_name: str
    workflow_type: str
    days_until_renewal: int | None
    score: float
    stage: str | None
    label: str


def _maybe(rng: random.Random, value: Any, p: float = 0.85) -> Any:
    return value if rng.random() < p else None


async def _generate(db: Database, n: int, seed: int) -> list[Expected]:
    rng = random.Random(seed)
    config = DomainConfig.default()
    tenant_id = uuid.uuid4()
    rows: dict[Any, list[dict[str, Any]]] = {
        m: [] for m in (User, Customer, Contract, CustomerFinancials, CustomerIntelligence)
    }
    csms = []
    for i in range(12):
        uid = uuid.uuid4()
        experience = rng.choice(EXPERIENCE)
        csms.append((uid, experience))
        rows[User].append(
            {
                "id": uid,
                "tenant_id": tenant_id,
                "email": f"csm{i}@x.test",
                "name": f"CSM {i}",
                "role": "csm",
                "experience_level": experience,
            }
        )
    workflow_id, version_id = uuid.uuid4(), uuid.uuid4()
    executions: list[dict[str, Any]] = []
    workload: dict[uuid.UUID, int] = {}
    customers = []
    for i in range(n):
        cid = uuid.uuid4()
        owner, experience = rng.choice(csms)
        name = f"{rng.choice(NAMES)} {rng.randint(0, n // 8)}"
        plan = rng.choice(PLANS)
        rows[Customer].append(
            {
                "id": cid,
                "tenant_id": tenant_id,
                "name": name,
                "name_key": name.casefold(),
                "slug": f"c{i}",
                "domain": f"c{i}.test",
                "owner_id": owner,
                "account_plan": plan,
            }
        )
        contracts: list[dict[str, Any]] = []
        if rng.random() < 0.9:
            days = rng.choice(
                [
                    rng.randint(-60, 400),
                    rng.choice([-31, -30, -29, -1, 0, 6, 7, 14, 15, 30, 31, 119, 120, 180]),
                ]
            )
            end = TODAY + dt.timedelta(days=days)
            contracts.append(
                {
                    "start_date": min(end - dt.timedelta(days=365), TODAY),
                    "end_date": end,
                    "arr": float(rng.choice([10_000, 50_000, 99_999, 100_000, 150_000, 275_000])),
                    "status": "active",
                }
            )
            if rng.random() < 0.3:  # an older term, which must not count
                contracts.append(
                    {
                        "start_date": end - dt.timedelta(days=730),
                        "end_date": end - dt.timedelta(days=366),
                        "arr": 1.0,
                        "status": "renewed",
                    }
                )
            if rng.random() < 0.15:  # the next term: signed early, today, later, or not at all
                start = end + dt.timedelta(days=1)
                contracts.append(
                    {
                        "start_date": start,
                        "end_date": start + dt.timedelta(days=364),
                        "arr": float(rng.choice([5.0, 120_000, 160_000])),
                        "status": "pending",
                        "signed_on": rng.choice(
                            [
                                None,
                                TODAY - dt.timedelta(days=20),
                                TODAY - dt.timedelta(days=1),
                                TODAY,
                                TODAY + dt.timedelta(days=1),
                                start,
                            ]
                        ),
                    }
                )
        elif rng.random() < 0.3:  # a first contract, not signed yet: no renewal date today
            contracts.append(
                {
                    "start_date": TODAY + dt.timedelta(days=10),
                    "end_date": TODAY + dt.timedelta(days=374),
                    "arr": 70_000.0,
                    "status": "pending",
                    "signed_on": rng.choice([None, TODAY + dt.timedelta(days=3)]),
                }
            )
        for contract in contracts:
            rows[Contract].append(
                {"id": uuid.uuid4(), "customer_id": cid, "term_months": 12, **contract}
            )
        # the pure rule decides which contract the renewal is about (domain.contracts)
        governing = governing_contract(
            [SimpleNamespace(**{"signed_on": None, **k}) for k in contracts], TODAY
        )
        days = None if governing is None else (governing.end_date - TODAY).days
        arr = None if governing is None else governing.arr
        if rng.random() < 0.5:
            arr = float(rng.choice([40_000, 50_000, 50_001, 100_000, 149_999, 150_000, 151_000]))
            rows[CustomerFinancials].append(
                {
                    "id": uuid.uuid4(),
                    "customer_id": cid,
                    "valid_from": TODAY - dt.timedelta(days=30),
                    "valid_to": None,
                    "current_arr": arr,
                }
            )
        health = risk = opportunity = None
        if rng.random() < 0.85:
            health = _maybe(rng, float(rng.choice([30, 49, 50, 60, 61, 75, 76, 90])))
            risk = _maybe(rng, float(rng.choice([0, 10, 59, 60, 61.5, 73.3, 99])))
            opportunity = _maybe(rng, float(rng.choice([0, 25, 69, 70, 70.5, 83.7, 100])))
            rows[CustomerIntelligence].append(
                {
                    "id": uuid.uuid4(),
                    "customer_id": cid,
                    "as_of_date": TODAY - dt.timedelta(days=3),
                    "health_score": health,
                    "risk_score": risk,
                    "opportunity_score": opportunity,
                }
            )
            rows[CustomerIntelligence].append(  # tomorrow's snapshot is not known today
                {
                    "id": uuid.uuid4(),
                    "customer_id": cid,
                    "as_of_date": TODAY + dt.timedelta(days=1),
                    "health_score": 1.0,
                    "risk_score": 99.0,
                    "opportunity_score": 99.0,
                }
            )
        running = False
        hidden = False
        if rng.random() < 0.1:
            status = rng.choice(["in_progress", "in_progress", "snoozed", "escalated"])
            snoozed_until = None
            if status == "snoozed":
                snoozed_until = TODAY + dt.timedelta(days=rng.choice([-2, 0, 3]))
                hidden = snoozed_until > TODAY
            else:
                workload[owner] = workload.get(owner, 0) + 1
            running = True
            executions.append(
                {
                    "id": uuid.uuid4(),
                    "tenant_id": tenant_id,
                    "customer_id": cid,
                    "workflow_id": workflow_id,
                    "workflow_version_id": version_id,
                    "workflow_type": "renewal",
                    "owner_id": owner,
                    "status": status,
                    "snoozed_until": snoozed_until,
                    "started_at": dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
                }
            )
        customers.append(
            (
                cid,
                name,
                owner,
                experience,
                plan,
                days,
                arr,
                health,
                risk,
                opportunity,
                running,
                hidden,
            )
        )
    async with db.sessions() as s, s.begin():
        await s.execute(insert(Tenant).values(id=tenant_id, slug="ref", name="Ref"))
        for model in (User, Customer, Contract, CustomerFinancials, CustomerIntelligence):
            for row in rows[model]:
                row.setdefault("signed_on", None) if model is Contract else None
            if rows[model]:
                await s.execute(insert(model), rows[model])
        await s.execute(
            insert(Workflow).values(
                id=workflow_id,
                is_core=False,
                tenant_id=tenant_id,
                slug="critical",
                name="Critical",
                workflow_type="renewal",
                format="config",
                trigger_min_days=7,
                trigger_max_days=14,
                config={},
            )
        )
        await s.execute(
            insert(WorkflowVersion).values(
                id=version_id, workflow_id=workflow_id, version_number=1, semver="1.0.0", config={}
            )
        )
        if executions:
            await s.execute(insert(WorkflowExecution), executions)

    expected: list[Expected] = []
    for (
        cid,
        name,
        owner,
        experience,
        plan,
        days,
        arr,
        health,
        risk,
        opportunity,
        running,
        hidden,
    ) in customers:
        facts = CustomerFacts(
            days_until_renewal=days,
            arr=arr,
            health=health,
            plan=AccountPlan(plan) if plan else None,
            opportunity_score=opportunity,
            risk_score=risk,
        )
        result = assess(
            CustomerDay(
                facts=facts,
                experience=Experience(experience) if experience else None,
                active_workflows=workload.get(owner, 0),
                running_renewal=RunningRenewal("Critical", 7, 14) if running else None,
            ),
            config,
        )
        for work in result.work:
            if not work.qualifies:
                continue
            if work.type.value == "renewal" and hidden:
                continue
            assert work.breakdown is not None
            expected.append(
                Expected(
                    cid,
                    name,
                    work.type.value,
                    days,
                    work.breakdown.total,
                    result.stage.name,
                    work.breakdown.label,
                )
            )
    expected.sort(key=sort_key)
    return expected, tenant_id  # type: ignore[return-value]


async def test_sql_queue_orders_like_the_python_rules(db: Database) -> None:
    expected, tenant_id = await _generate(db, 2500, seed=20251009)
    queue = QueueService(db, ConfigService(db))
    got: list[tuple[Any, str, int, str | None, str]] = []
    cursor = None
    while True:
        page = await queue.page(tenant_id, TODAY, QueueFilters(), limit=400, after=cursor)
        got.extend((r.customer_id, r.workflow_type, r.score, r.stage, r.label) for r in page.rows)
        # the Python explanation shown beside each row agrees with the SQL score
        assert all(r.breakdown.total == r.score for r in page.rows)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    want = [(e.customer_id, e.workflow_type, int(e.score), e.stage, e.label) for e in expected]
    assert len(got) == len(want)
    assert got == want
    assert await queue.count(tenant_id, TODAY, QueueFilters()) == len(want)
