"""The customer context (domain.md §9) on both backends: Bluesoft's journey, time travel, tenancy,
outputs chaining, the statement budget and the `renubu context` command."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select

from renubu_tui.cli import main
from renubu_tui.data.engine import Database
from renubu_tui.data.models import (
    Customer,
    StepExecution,
    Tenant,
    Workflow,
    WorkflowExecution,
)
from renubu_tui.services.customers.context import build_context
from tests.conftest import TEST_TODAY, JourneyAt

TENANT = "acme-cs"
D = dt.date(2025, 10, 9)  # Bluesoft's renewal day


def days(n: int) -> dt.date:
    return D + dt.timedelta(days=n)


async def _execution(db: Database, slug: str) -> WorkflowExecution:
    """Bluesoft's seeded execution of the core workflow `slug`."""
    async with db.sessions() as s:
        found = await s.scalar(
            select(WorkflowExecution)
            .join(Workflow, Workflow.id == WorkflowExecution.workflow_id)
            .join(Customer, Customer.id == WorkflowExecution.customer_id)
            .where(Customer.domain == "bluesoft.com", Workflow.slug == slug)
        )
    assert found is not None
    return found


# --- Bluesoft at D-15 -----------------------------------------------------------------------


async def test_bluesoft_at_d_minus_15(seeded_db: Database) -> None:
    ctx = await build_context(seeded_db, TENANT, "bluesoft.com", TEST_TODAY)
    customer, workflow = ctx["customer"], ctx["workflow"]
    assert customer["name"] == "Bluesoft Corporation"
    assert (customer["domain"], customer["industry"]) == ("bluesoft.com", "Enterprise Software")
    assert customer["renewalDate"] == "2025-10-09"
    assert customer["arr"] == 180000 and isinstance(customer["arr"], int)
    assert customer["contractTerm"] == 12
    assert customer["healthScore"] == 74
    assert (customer["accountPlan"], customer["hasAccountPlan"]) == ("expand", True)
    assert workflow["daysUntilRenewal"] == 15
    assert workflow["hoursUntilRenewal"] == 360
    assert (workflow["daysOverdue"], workflow["isOverdue"]) == (0, False)
    # 15 days is the Signature range, but the Critical workflow started early is running: the
    # stage every view shows (the queue's) is Critical
    assert workflow["currentStage"] == "Critical"
    assert workflow["renewalARR"] == 180000
    assert workflow["currentDate"] == "2025-09-24"
    assert workflow["executionId"] is None
    # Critical (80 + 10) × ARR 2.0 × expand 1.3 × senior 1.1 − 2 for Maya's one open workflow
    # on that day (Bluesoft's own Critical run; the Emergency one starts later): the queue's 255
    assert workflow["priorityScore"] == 255

    intel = ctx["intelligence"]
    assert (intel["riskScore"], intel["opportunityScore"], intel["healthScore"]) == (28, 76, 74)
    assert (intel["churnProbability"], intel["expansionProbability"]) == (14, 76)
    assert intel["trends"] == {"health": "flat", "usage": "up", "engagement": "down"}

    fin = ctx["data"]["financials"]
    assert fin == {
        "currentARR": 180000,
        "previousARR": 165000,
        "projectedARR": 198000,
        "trend": "up",
        "growthRate": 9.09,
        "paymentStatus": "current",
    }
    usage = ctx["data"]["usage"]
    assert (usage["activeUsers"], usage["licensedUsers"]) == (38, 40)
    assert (usage["utilizationRate"], usage["adoptionRate"]) == (95, 85)
    assert usage["lastActivityDate"] == "2025-09-24"
    engagement = ctx["data"]["engagement"]
    assert (engagement["npsScore"], engagement["csatScore"], engagement["openTickets"]) == (
        7,
        4.1,
        1,
    )
    assert engagement["lastQbr"] == days(-90).isoformat()
    assert ctx["outputs"] == {}

    json.dumps(ctx)  # plain JSON values only (no dates, Decimals or UUIDs)


async def test_stakeholders_with_marks_and_notes_known_by_today(journey_db_at: JourneyAt) -> None:
    seeded_db = await journey_db_at(-15)
    ctx = await build_context(seeded_db, TENANT, "bluesoft.com", TEST_TODAY)
    people = {p["name"]: p for p in ctx["stakeholders"]}
    assert set(people) == {
        "Sarah Chen",
        "Marcus Thompson",
        "Emily Rodriguez",
        "David Kim",
        "Jessica Martinez",
    }
    champions = {n for n, p in people.items() if p["isChampion"]}
    deciders = {n for n, p in people.items() if p["isDecisionMaker"]}
    assert champions == {"Marcus Thompson", "Emily Rodriguez"}
    assert deciders == {"Sarah Chen", "David Kim"}
    # the names the shipped templates read inside {{#each stakeholders}}
    assert all(p["champion"] == p["isChampion"] for p in people.values())
    assert all(p["decisionMaker"] == p["isDecisionMaker"] for p in people.values())
    assert [p["name"] for p in ctx["stakeholders"][:2]] == ["David Kim", "Sarah Chen"]
    david = people["David Kim"]
    assert (david["title"], david["role"], david["influence"], david["sentiment"]) == (
        "CFO",
        "decision_maker",
        "high",
        "neutral",
    )
    assert david["email"] == "david.kim@bluesoft.com"
    # notes dated after today (D-6, D-5, D) are not known yet
    assert [n["date"] for n in david["notes"]] == [
        days(-60).isoformat(),
        days(-45).isoformat(),
        days(-15).isoformat(),
    ]
    later = await build_context(await journey_db_at(0), TENANT, "bluesoft.com", D)  # seeded on D
    assert len(next(p for p in later["stakeholders"] if p["name"] == "David Kim")["notes"]) == 6


async def test_company_csm_manager_and_account_team(seeded_db: Database) -> None:
    ctx = await build_context(seeded_db, TENANT, "Bluesoft", TEST_TODAY)
    assert ctx["company"] == {
        "name": "Acme Cloud",
        "vpCustomerSuccess": "grace.holloway@acmecloud.com",
        "ceo": "robert.kane@acmecloud.com",
        "csTeamEmail": "cs-team@acmecloud.com",
    }
    csm = ctx["csm"]
    assert (csm["name"], csm["email"], csm["title"]) == (
        "Maya Patel",
        "maya.patel@acmecloud.com",
        "Senior Customer Success Manager",
    )
    assert (csm["manager"], csm["managerName"]) == ("jordan.lee@acmecloud.com", "Jordan Lee")
    uuid.UUID(csm["id"])
    team = ctx["accountTeam"]
    assert (team["ae"], team["sa"], team["executiveSponsor"]) == (
        "ben.carter@acmecloud.com",
        "isabel.torres@acmecloud.com",
        "victoria.hale@acmecloud.com",
    )
    assert team["allEmails"] == (
        "ben.carter@acmecloud.com, isabel.torres@acmecloud.com, "
        "victoria.hale@acmecloud.com, maya.patel@acmecloud.com"
    )


async def test_all_emails_skips_missing_members(seeded_db: Database) -> None:
    async with seeded_db.sessions() as s, s.begin():
        bluesoft = await s.scalar(select(Customer).where(Customer.domain == "bluesoft.com"))
        assert bluesoft is not None
        bluesoft.sa_email = None
        bluesoft.executive_sponsor_email = None
    team = (await build_context(seeded_db, TENANT, "bluesoft.com", TEST_TODAY))["accountTeam"]
    assert team["sa"] is None and team["executiveSponsor"] is None
    assert team["allEmails"] == "ben.carter@acmecloud.com, maya.patel@acmecloud.com"


# --- time travel ------------------------------------------------------------------------------


async def test_d_minus_5_is_emergency(journey_db_at: JourneyAt) -> None:
    seeded_db = await journey_db_at(-5)  # the D−5 snapshot is known from D−5 on
    ctx = await build_context(seeded_db, TENANT, "bluesoft.com", days(-5))
    assert ctx["workflow"]["currentStage"] == "Emergency"
    assert ctx["workflow"]["daysUntilRenewal"] == 5
    assert ctx["customer"]["healthScore"] == 73 == ctx["intelligence"]["healthScore"]
    assert ctx["intelligence"]["riskScore"] == 30


async def test_renewal_day_and_the_renewal_contract_after_it(journey_db_at: JourneyAt) -> None:
    seeded_db = await journey_db_at(0)  # the renewal term is known once signed, on D
    day_before = await build_context(seeded_db, TENANT, "bluesoft.com", days(-1))
    assert day_before["customer"]["renewalDate"] == "2025-10-09"
    assert day_before["workflow"]["daysUntilRenewal"] == 1
    # the renewal term is signed on D: from then on the renewal chased is the next one
    # (this test asserted 0 days on D before the successor rule, docs/rules.md)
    on_day = await build_context(seeded_db, TENANT, "bluesoft.com", D)
    assert on_day["customer"]["renewalDate"] == "2026-10-09"
    assert on_day["workflow"]["daysUntilRenewal"] == 365
    assert on_day["workflow"]["currentStage"] == "Monitor"
    assert on_day["customer"]["contractTerm"] == 12
    assert on_day["customer"]["arr"] == 198000  # the financial record valid from D wins
    after = await build_context(seeded_db, TENANT, "bluesoft.com", days(1))
    assert after["customer"]["renewalDate"] == "2026-10-09"  # the 12-month renewal term
    assert after["customer"]["arr"] == 198000
    assert after["customer"]["contractTerm"] == 12
    assert after["workflow"]["daysUntilRenewal"] == 364
    assert after["workflow"]["isOverdue"] is False
    assert after["data"]["usage"]["licensedUsers"] == 45
    assert after["customer"]["healthScore"] == 85


async def test_before_the_first_snapshot_nothing_is_invented(seeded_db: Database) -> None:
    ctx = await build_context(seeded_db, TENANT, "bluesoft.com", days(-130))
    intel = ctx["intelligence"]
    assert intel == {
        "riskScore": None,
        "opportunityScore": None,
        "healthScore": None,
        "churnProbability": None,
        "expansionProbability": None,
        "trends": {"health": None, "usage": None, "engagement": None},
    }
    assert ctx["customer"]["healthScore"] is None
    assert set(ctx["data"]["usage"].values()) == {None}
    assert set(ctx["data"]["engagement"].values()) == {None}
    # the contract and the financial record of that day are known
    assert ctx["customer"]["renewalDate"] == "2025-10-09"
    assert ctx["customer"]["arr"] == 165000
    assert ctx["workflow"]["currentStage"] == "Prepare"
    assert ctx["customer"]["accountPlan"] == "expand"  # set by a person, kept


async def test_no_contract_leaves_the_renewal_missing(seeded_db: Database) -> None:
    """Before any contract: no renewal date, no stage, no renewal score, no ARR."""
    ctx = await build_context(seeded_db, TENANT, "bluesoft.com", days(-800))
    workflow = ctx["workflow"]
    assert ctx["customer"]["renewalDate"] is None and ctx["customer"]["arr"] is None
    assert ctx["customer"]["contractTerm"] is None
    assert workflow["daysUntilRenewal"] is None and workflow["currentStage"] is None
    assert workflow["isOverdue"] is None and workflow["priorityScore"] is None
    assert ctx["data"]["financials"]["currentARR"] is None


async def test_overdue_when_the_contract_in_force_has_ended(journey_db_at: JourneyAt) -> None:
    """Delete the renewal term: past D the contract in force has ended, so it is overdue."""
    from renubu_tui.data.models import Contract

    seeded_db = await journey_db_at(0)  # the renewal term is known once signed, on D

    async with seeded_db.sessions() as s, s.begin():
        renewal = await s.scalar(
            select(Contract)
            .join(Customer, Customer.id == Contract.customer_id)
            .where(Customer.domain == "bluesoft.com", Contract.start_date == days(1))
        )
        assert renewal is not None
        await s.delete(renewal)
    ctx = await build_context(seeded_db, TENANT, "bluesoft.com", days(3))
    workflow = ctx["workflow"]
    assert (workflow["daysUntilRenewal"], workflow["daysOverdue"]) == (-3, 3)
    assert workflow["isOverdue"] is True and workflow["currentStage"] == "Overdue"
    assert workflow["hoursUntilRenewal"] == -72


async def test_a_derived_plan_is_not_a_set_plan(seeded_db: Database) -> None:
    async with seeded_db.sessions() as s, s.begin():
        bluesoft = await s.scalar(select(Customer).where(Customer.domain == "bluesoft.com"))
        assert bluesoft is not None
        bluesoft.account_plan = None
    ctx = await build_context(seeded_db, TENANT, "bluesoft.com", TEST_TODAY)
    # ARR 180000 > 150000 but health 74 is not > 75; 180000 > 50000 and 74 > 60 → invest
    assert (ctx["customer"]["accountPlan"], ctx["customer"]["hasAccountPlan"]) == (
        "invest",
        False,
    )


# --- tenancy ---------------------------------------------------------------------------------


async def test_another_tenants_customer_is_never_found(seeded_db: Database) -> None:
    other_tenant = Tenant(id=uuid.uuid4(), slug="globex", name="Globex CS")
    other = Customer(
        id=uuid.uuid4(),
        tenant_id=other_tenant.id,
        name="Initech",
        slug="initech",
        domain="initech.example",
    )
    async with seeded_db.sessions() as s, s.begin():
        s.add(other_tenant)
        await s.flush()
        s.add(other)
    for ref in (str(other.id), "initech.example", "initech", "Initech"):
        with pytest.raises(LookupError):
            await build_context(seeded_db, TENANT, ref, TEST_TODAY)
    with pytest.raises(LookupError):
        await build_context(seeded_db, "globex", "bluesoft.com", TEST_TODAY)
    with pytest.raises(LookupError, match="unknown tenant"):
        await build_context(seeded_db, "nobody", "bluesoft.com", TEST_TODAY)
    # and its own tenant sees it, with missing data left missing
    ctx = await build_context(seeded_db, "globex", other.id, TEST_TODAY)
    assert ctx["customer"]["name"] == "Initech"
    assert set(ctx["csm"].values()) == {None} and set(ctx["company"].values()) == {None}
    assert ctx["accountTeam"]["allEmails"] is None
    assert ctx["stakeholders"] == []


async def test_an_execution_of_another_customer_is_not_found(seeded_db: Database) -> None:
    critical = await _execution(seeded_db, "critical")
    async with seeded_db.sessions() as s:
        other = await s.scalar(
            select(Customer.domain).where(Customer.domain != "bluesoft.com").limit(1)
        )
    assert other is not None
    with pytest.raises(LookupError, match="no execution"):
        await build_context(seeded_db, TENANT, other, TEST_TODAY, execution_id=critical.id)


# --- outputs chaining ------------------------------------------------------------------------


async def test_seeded_execution_outputs_chain_forward(journey_db_at: JourneyAt) -> None:
    seeded_db = await journey_db_at(0)  # the Critical workflow's record is complete by D
    critical = await _execution(seeded_db, "critical")
    ctx = await build_context(
        seeded_db, TENANT, "bluesoft.com", TEST_TODAY, execution_id=critical.id
    )
    assert ctx["workflow"]["executionId"] == str(critical.id)
    # the Critical workflow started early (15 days, signatures stalled) sets the stage
    assert ctx["workflow"]["daysUntilRenewal"] == 15
    assert ctx["workflow"]["currentStage"] == "Critical"
    outputs = ctx["outputs"]
    assert outputs["assessment"]["blocker"] == "signature pending"  # the step's own outputs
    assert outputs["assessment"]["route"] == "SIGNATURE_PENDING"  # storeIn of step 1
    assert outputs["escalation"]["slackChannel"] == "#war-room-bluesoft-renewal"
    assert outputs["resolution"]["signaturesComplete"] is True
    assert outputs["completion"]["escalatedTo"] == "emergency"
    assert "alternatives" not in outputs  # that step was skipped, not completed
    for key in ("assessment", "escalation", "resolution", "completion"):
        assert ctx[key] == outputs[key]
    json.dumps(ctx)


async def test_new_execution_chains_completed_steps_only(journey_db_at: JourneyAt) -> None:
    seeded_db = await journey_db_at(0)  # Bluesoft's Critical run has closed: a new one may open
    critical = await _execution(seeded_db, "critical")
    before = await build_context(
        seeded_db, TENANT, "bluesoft.com", TEST_TODAY, execution_id=critical.id
    )
    execution = WorkflowExecution(
        id=uuid.uuid4(),
        tenant_id=critical.tenant_id,
        customer_id=critical.customer_id,
        workflow_id=critical.workflow_id,
        workflow_version_id=critical.workflow_version_id,
        workflow_type="renewal",
        owner_id=critical.owner_id,
        status="in_progress",
        current_step_id="executive-escalation",
        outputs={"note": "started by the test"},
    )
    steps = [
        StepExecution(
            execution_id=execution.id,
            step_id="critical-status-assessment",
            step_index=0,
            attempt=1,
            status="completed",
            outputs={"route": "PAYMENT_PENDING", "summary": "first try"},
        ),
        StepExecution(
            execution_id=execution.id,
            step_id="critical-status-assessment",
            step_index=0,
            attempt=2,
            status="completed",
            outputs={"route": "SIGNATURE_PENDING", "summary": "second try"},
        ),
        StepExecution(
            execution_id=execution.id,
            step_id="executive-escalation",
            step_index=1,
            attempt=1,
            status="in_progress",
            outputs={"warRoomCreated": False},
        ),
    ]
    async with seeded_db.sessions() as s, s.begin():
        s.add(execution)
        await s.flush()
        s.add_all(steps)
    ctx = await build_context(
        seeded_db, TENANT, "bluesoft.com", TEST_TODAY, execution_id=execution.id
    )
    assert ctx["outputs"] == {
        "note": "started by the test",
        "assessment": {"route": "SIGNATURE_PENDING", "summary": "second try"},
    }
    assert ctx["assessment"]["summary"] == "second try"
    assert "escalation" not in ctx and "escalation" not in ctx["outputs"]
    # one more open workflow for Maya: two points less (§5 workload penalty)
    assert ctx["workflow"]["priorityScore"] == before["workflow"]["priorityScore"] - 2


# --- statement budget ------------------------------------------------------------------------


@pytest.fixture
def statements(seeded_db: Database) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    engine = seeded_db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    yield seen
    event.remove(engine, "before_cursor_execute", count)


async def test_at_most_seven_statements(seeded_db: Database, statements: list[str]) -> None:
    critical = await _execution(seeded_db, "critical")
    statements.clear()
    # a name prefix is the costliest lookup (exact match first, then the prefix)
    ctx = await build_context(seeded_db, TENANT, "Bluesoft", TEST_TODAY, execution_id=critical.id)
    assert ctx["outputs"]["assessment"]
    assert 0 < len(statements) <= 7, "\n\n".join(statements)
    statements.clear()
    await build_context(seeded_db, TENANT, "bluesoft.com", TEST_TODAY)
    assert len(statements) <= 5, "\n\n".join(statements)


# --- the command line ------------------------------------------------------------------------


@pytest.fixture
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    for name in ("RENUBU_DATABASE_URL", "RENUBU_TODAY", "RENUBU_CONFIG", "RENUBU_TENANT"):
        monkeypatch.delenv(name, raising=False)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.usefixtures("_isolated")
def test_context_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'context.sqlite3'}"
    assert run(capsys, "--database-url", url, "db", "upgrade")[0] == 0
    assert run(capsys, "--database-url", url, "--as-of", "2025-09-24", "db", "seed")[0] == 0

    code, out, err = run(
        capsys, "--database-url", url, "context", "bluesoft", "--json", "--as-of", "2025-09-24"
    )
    assert code == 0, err
    ctx = json.loads(out)
    assert ctx["workflow"]["daysUntilRenewal"] == 15
    assert ctx["customer"]["arr"] == 180000
    assert out == json.dumps(ctx, indent=2, ensure_ascii=False, sort_keys=True) + "\n"

    code, out, err = run(capsys, "--database-url", url, "context", "bluesoft.com")
    assert code == 0, err
    lines = out.splitlines()
    assert re.search(r"^customer\.name +Bluesoft Corporation$", out, re.M), out
    assert re.search(r"^stakeholders\[0\]\.name +\S", out, re.M)
    assert any(re.fullmatch(r"workflow\.executionId +null", line) for line in lines)
    assert re.search(r"^outputs +\{\}$", out, re.M)

    code, out, err = run(capsys, "--database-url", url, "context", "no-such-customer")
    assert code == 2 and out == ""
    assert err.strip().splitlines() == [
        "renubu: no customer matches 'no-such-customer' (use an id, a domain or a name prefix)"
    ]
