"""The queue a CSM reads: Bluesoft's journey, filters, snoozes, counts, staleness, the CLI."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import select, update

from renubu_tui.data.engine import Database
from renubu_tui.data.models import AuditEntry, Customer, QueueState, User, WorkflowExecution
from renubu_tui.data.seed.ids import key_id
from renubu_tui.services.config.service import ConfigService, ConfigValueError
from renubu_tui.services.queue.service import QueueError, QueueFilters, QueueService
from tests.conftest import JourneyAt

TENANT = key_id("tenant", "acme-cs")
MAYA = key_id("user", "acme-cs", "maya.patel@acmecloud.com")
D = dt.date(2025, 10, 9)


def _service(db: Database) -> QueueService:
    return QueueService(db, ConfigService(db))


async def _all(queue: QueueService, today: dt.date, filters: QueueFilters | None = None):  # type: ignore[no-untyped-def]
    return (await queue.page(TENANT, today, filters or QueueFilters(), limit=10_000)).rows


async def test_bluesoft_follows_the_journey(journey_db_at: JourneyAt) -> None:
    """Each day read on a database seeded that day: what had happened by then, nothing later."""
    queue = _service(await journey_db_at(-15))
    mine = QueueFilters(owner_id=MAYA, search="bluesoft")

    at_105 = await _all(queue, D - dt.timedelta(days=15), mine)
    renewal = next(r for r in at_105 if r.workflow_type == "renewal")
    assert (renewal.stage, renewal.days, renewal.arr) == ("Critical", 15, 180000)
    assert renewal.status == "in_progress"  # the Critical workflow is running

    at_115 = await _all(_service(await journey_db_at(-5)), D - dt.timedelta(days=5), mine)
    renewal = next(r for r in at_115 if r.workflow_type == "renewal")
    assert (renewal.stage, renewal.days) == ("Emergency", 5)

    at_120 = await _all(_service(await journey_db_at(0)), D, mine)
    # signed on D at 198000: the renewal chased is the next one, a year out (this asserted no
    # renewal row, at 0 days, before the successor rule of docs/rules.md)
    renewal = next(r for r in at_120 if r.workflow_type == "renewal")
    assert (renewal.stage, renewal.days, renewal.status) == ("Monitor", 365, "new")
    assert {r.stage for r in at_120} == {"Monitor"}
    assert {r.arr for r in at_120} == {198000}

    before = await _all(queue, D - dt.timedelta(days=120), mine)
    renewal = next(r for r in before if r.workflow_type == "renewal")
    # the Prepare workflow started that day (completed four days later)
    assert (renewal.stage, renewal.days, renewal.status) == ("Prepare", 120, "in_progress")


async def test_top_row_is_todays_one_thing_and_rows_are_ordered(seeded_db: Database) -> None:
    rows = await _all(_service(seeded_db), D - dt.timedelta(days=15))
    keys = [(-r.score, r.days if r.days is not None else 10**9) for r in rows]
    assert keys == sorted(keys)
    top = rows[0]
    assert top.score == max(r.score for r in rows)
    assert top.breakdown.formula_line.endswith(f"= {top.score}")
    assert top.top_factors[0].startswith("Renewal stage")


async def test_filters(seeded_db: Database) -> None:
    queue = _service(seeded_db)
    today = D - dt.timedelta(days=15)
    everyone = await _all(queue, today)
    assert {r.workflow_type for r in await _all(queue, today, QueueFilters(types=("risk",)))} == {
        "risk"
    }
    critical = await _all(queue, today, QueueFilters(stages=("Critical",)))
    assert critical and {r.stage for r in critical} == {"Critical"}
    invest = await _all(queue, today, QueueFilters(plans=("invest",)))
    assert invest and {r.plan for r in invest} == {"invest"}
    big = await _all(queue, today, QueueFilters(min_arr=150000, max_arr=250000))
    assert big and all(150000 <= (r.arr or 0) <= 250000 for r in big)
    high = await _all(queue, today, QueueFilters(min_score=200))
    assert high and all(r.score >= 200 for r in high)
    assert len(high) == sum(1 for r in everyone if r.score >= 200)
    mine = await _all(queue, today, QueueFilters(owner_id=MAYA))
    assert mine and {r.owner_id for r in mine} == {MAYA}
    assert {r.customer_name for r in await _all(queue, today, QueueFilters(search="BLUESOFT"))} == {
        "Bluesoft Corporation"
    }
    assert await _all(queue, today, QueueFilters(search="100%_")) == []
    with pytest.raises(QueueError, match="unknown workflow type 'upsell'"):
        await queue.page(TENANT, today, QueueFilters(types=("upsell",)))


async def test_keyset_pages_cover_the_queue_once(seeded_db: Database) -> None:
    queue = _service(seeded_db)
    today = D - dt.timedelta(days=15)
    whole = [(r.customer_id, r.workflow_type) for r in await _all(queue, today)]
    paged, cursor = [], None
    while True:
        page = await queue.page(TENANT, today, limit=7, after=cursor)
        paged += [(r.customer_id, r.workflow_type) for r in page.rows]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert paged == whole


async def test_snoozed_work_hides_until_its_wake_date(seeded_db: Database) -> None:
    queue = _service(seeded_db)
    today = D - dt.timedelta(days=15)
    async with seeded_db.sessions() as s, s.begin():
        execution = await s.scalar(
            select(WorkflowExecution).where(
                WorkflowExecution.workflow_id == key_id("workflow", "core", "critical")
            )
        )
        assert execution is not None
        # reopen the Critical run as still open and snoozed for 3 days
        execution.completed_at = None
        execution.status = "snoozed"
        execution.snoozed_until = today + dt.timedelta(days=3)
    await queue.invalidate(TENANT)
    mine = QueueFilters(owner_id=MAYA)
    visible = await _all(queue, today, mine)
    assert ("Bluesoft Corporation", "renewal") not in {
        (r.customer_name, r.workflow_type) for r in visible
    }
    counts = await queue.counts(TENANT, today, MAYA, mine=True)
    assert counts.snoozed == 1 and counts.active == len(visible)
    snoozed = await _all(queue, today, QueueFilters(owner_id=MAYA, snoozed=True))
    assert [(r.customer_name, r.snoozed_until) for r in snoozed] == [
        ("Bluesoft Corporation", today + dt.timedelta(days=3))
    ]
    woken = await _all(queue, today + dt.timedelta(days=3), mine)
    row = next(
        r
        for r in woken
        if r.customer_name == "Bluesoft Corporation" and r.workflow_type == "renewal"
    )
    assert row.snooze_ended and row.status == "snoozed"


async def test_escalated_to_me_is_counted(seeded_db: Database) -> None:
    queue = _service(seeded_db)
    today = D - dt.timedelta(days=15)
    manager = key_id("user", "acme-cs", "jordan.lee@acmecloud.com")
    async with seeded_db.sessions() as s, s.begin():
        await s.execute(
            update(WorkflowExecution)
            .where(WorkflowExecution.workflow_id == key_id("workflow", "core", "critical"))
            .values(completed_at=None, status="escalated", escalated_to_id=manager)
        )
        assert await s.get(User, manager) is not None
    await queue.invalidate(TENANT)
    assert (await queue.counts(TENANT, today, manager, mine=True)).escalated_to_me == 1
    assert (await queue.counts(TENANT, today, MAYA, mine=True)).escalated_to_me == 0


async def test_materialization_follows_config_changes(seeded_db: Database) -> None:
    config = ConfigService(seeded_db)
    queue = QueueService(seeded_db, config)
    today = D - dt.timedelta(days=15)
    first = await _all(queue, today, QueueFilters(types=("risk",)))
    assert await queue.ensure_fresh(TENANT, today) is False  # built once, then reused
    old, new = await config.set(
        TENANT, "thresholds.riskScoreMin", 90, actor="maya.patel@acmecloud.com", actor_id=MAYA
    )
    assert (old, new) == (60, 90)
    after = await _all(queue, today, QueueFilters(types=("risk",)))
    assert len(after) < len(first)
    assert all((r.breakdown.factors[0].value - 60) / 0.6 >= 90 for r in after)
    async with seeded_db.sessions() as s:
        states = (await s.scalars(select(QueueState.as_of))).all()
        audit = await s.scalar(select(AuditEntry).where(AuditEntry.entity_type == "config"))
    assert states == [today]
    assert audit is not None
    assert (audit.entity_id, audit.old_value, audit.new_value, audit.actor_label) == (
        "thresholds.riskScoreMin",
        60,
        90,
        "maya.patel@acmecloud.com",
    )


async def test_config_cache_expires_and_invalid_values_are_refused(seeded_db: Database) -> None:
    clock = [0.0]
    config = ConfigService(seeded_db, monotonic=lambda: clock[0])
    other = ConfigService(seeded_db)  # another CSM's app on the same database
    assert (await config.get(TENANT)).thresholds.risk_score_min == 60
    await other.set(TENANT, "thresholds.riskScoreMin", 75, actor="x", actor_id=None)
    clock[0] = 299.0
    assert (await config.get(TENANT)).thresholds.risk_score_min == 60  # cached
    clock[0] = 301.0
    assert (await config.get(TENANT)).thresholds.risk_score_min == 75  # 5 minutes later
    await config.set(TENANT, "stages.Critical.urgency", 85, actor="x", actor_id=None)
    assert next(s for s in (await config.get(TENANT)).stages if s.name == "Critical").urgency == 85
    with pytest.raises(ConfigValueError, match="stages"):
        await config.set(TENANT, "stages.Critical.maxDays", 20, actor="x", actor_id=None)
    with pytest.raises(ConfigValueError, match=r"unknown configuration key 'scoring\.nope'"):
        await config.set(TENANT, "scoring.nope", 1, actor="x", actor_id=None)
    assert next(s for s in (await config.get(TENANT)).stages if s.name == "Critical").max_days == 14


async def test_other_tenants_never_mix(seeded_db: Database) -> None:
    queue = _service(seeded_db)
    rows = await _all(queue, D)
    async with seeded_db.sessions() as s:
        tenants = set(
            (
                await s.scalars(
                    select(Customer.tenant_id).where(Customer.id.in_([r.customer_id for r in rows]))
                )
            ).all()
        )
    assert tenants == {TENANT}
    assert (
        await _all(queue, D, QueueFilters())
        and not (await queue.page(key_id("tenant", "nobody"), D)).rows
    )


# --- the command line ---------------------------------------------------------------------


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    from renubu_tui.cli import main

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    url = f"sqlite+aiosqlite:///{tmp_path / 'q.sqlite3'}"
    monkeypatch.setenv("RENUBU_DATABASE_URL", url)
    monkeypatch.delenv("RENUBU_TODAY", raising=False)

    def run(*args: str) -> tuple[int, str, str]:
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    run("db", "upgrade")
    run("--as-of", "2025-09-24", "db", "seed")
    return run


def test_cli_queue_shows_bluesoft_critical_then_emergency(cli_db) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = cli_db("queue", "--as-of", "2025-09-24", "--search", "bluesoft")
    assert code == 0
    line = next(x for x in out.splitlines() if "renewal" in x)
    assert "Bluesoft Corporation" in line and "Critical" in line and " 15 " in line
    code, out, _ = cli_db("queue", "--as-of", "2025-10-04", "--search", "bluesoft")
    line = next(x for x in out.splitlines() if "renewal" in x)
    assert "Emergency" in line and " 5 " in line
    code, out, _ = cli_db("queue", "--as-of", "2025-09-24", "--all", "--limit", "3", "--json")
    data = json.loads(out)
    assert [r["rank"] for r in data["rows"]] == [1, 2, 3]
    assert data["total"] > 50
    assert data["rows"][0]["formula"].endswith(f"= {data['rows'][0]['score']}")


def test_cli_explain_shows_every_factor(cli_db) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = cli_db("queue", "--explain", "bluesoft", "--as-of", "2025-09-24")
    assert code == 0
    assert "15 days until renewal · stage Critical ·" in out
    # why the Critical stage at 15 days (the Signature range): the workflow running for it
    assert (
        "renewal: Renewal in 15 days (Critical stage, not Signature by its days: the Critical "
        "renewal (7-14 days) workflow is already running)." in out
    )
    assert "Renewal stage Critical (raised from Signature: a Critical workflow is running)" in out
    assert "(7–14 days)" not in out  # a range its days are not in explained nothing
    assert "CSM workload: 1 open workflow (−2 each) → −2" in out
    assert "score 255 (Urgent)" in out
    assert "Critical stage bonus → +10" in out
    assert "ARR $180,000 ≥ $150,000 → ×2.0" in out
    assert "Account plan expand → ×1.3" in out
    assert "CSM experience senior → ×1.1" in out
    assert "(80 + 10) × 2.0 × 1.3 × 1.1 − 2 = 255" in out
    assert "risk: none: risk score 28 is below 60." in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("queue", "--explain", "nosuchco"), "no customer matches 'nosuchco'"),
        (("queue", "--owner", "ghost@acmecloud.com"), "unknown user 'ghost@acmecloud.com'"),
        (("queue", "--as-of", "2025-02-30"), "invalid date '2025-02-30'"),
        (("context", "nosuchco"), "no customer matches 'nosuchco'"),
    ],
)
def test_cli_bad_names_and_dates_exit_2(cli_db, args, message) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli_db(*args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err


def test_cli_config_set_and_show(cli_db) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = cli_db("config", "set", "thresholds.riskScoreMin", "65")
    assert code == 0 and "thresholds.riskScoreMin: 60 → 65" in out
    code, out, err = cli_db("config", "set", "thresholds.riskScoreMin", '"high"')
    assert code == 1 and "riskScoreMin" in err and err.count("\n") == 1
    code, out, _ = cli_db("config", "show")
    assert "# thresholds: tenant" in out and '"riskScoreMin": 65' in out


async def test_top_factors_rank_by_points_moved(seeded_db: Database) -> None:
    rows = await _all(_service(seeded_db), D - dt.timedelta(days=15), QueueFilters(owner_id=MAYA))
    cobalt = next(r for r in rows if r.customer_name == "Cobalt Financial Group")
    # (90 + 15) × 2.0 × 1.5 × 1.1 − 2: ARR ×2 moves ~173 points, the workload only 2
    assert cobalt.top_factors == [
        "Renewal stage Emergency (0–6 days) → base 90",
        "ARR $180,000 ≥ $150,000 → ×2.0",
        "Account plan invest → ×1.5",
    ]
