"""ForecastService on both backends over the handmade book (tests/forecast_book.py; its figures
are worked out in tests/cli/test_forecast_cli.py) and over the seeded demo book."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from renubu_tui.data.engine import Database
from renubu_tui.data.models import (
    Customer,
    StepExecution,
    Tenant,
    User,
    WorkflowExecution,
    WorkflowVersion,
)
from renubu_tui.domain.forecast import Category
from renubu_tui.services.config.service import ConfigChangeRefused, ConfigService
from renubu_tui.services.forecast.service import ForecastService
from renubu_tui.services.refusals import BadInput, NotFound
from tests.conftest import TEST_TODAY
from tests.forecast_book import OWNER, add_book


async def _tenant(db: Database) -> Tenant:
    async with db.sessions() as session:
        tenant = await session.scalar(select(Tenant).where(Tenant.slug == "acme-cs"))
    assert tenant is not None
    return tenant


async def test_the_book_by_quarter(seeded_db: Database) -> None:
    await add_book(seeded_db)
    service = ForecastService(seeded_db, ConfigService(seeded_db))
    tenant = await _tenant(seeded_db)
    fiona = await service.owner(tenant, "Fiona")  # a unique name prefix will do
    assert fiona.email == OWNER
    view = await service.forecast(tenant.id, TEST_TODAY, by="quarter", owner=fiona)
    assert [p.label for p in view.periods] == ["2025 Q3", "2025 Q4", "2026 Q1", "2026 Q2"]
    q3, q4, q1, q2 = view.periods
    # Q3: Alpha 100 000 secured, Echo 30 000 at risk (ended 2025-08-31, in Q3 itself)
    assert (q3.total(Category.SECURED), q3.total(Category.AT_RISK), q3.weighted) == (
        100_000,
        30_000,
        115_000,
    )
    # Q4: Bravo 50 000 at risk, Delta 40 000 churned, Charlie 80 000 likely
    assert [i.customer for i in q4.items] == ["Charlie", "Bravo", "Delta"]
    assert q4.weighted == pytest.approx(72_000 + 25_000)
    assert [r.customer for r in q4.risks] == ["Delta", "Bravo"]  # 40 000 vs 25 000 exposed
    assert (q1.up_for_renewal, q2.up_for_renewal) == (28_000, 54_000)
    assert view.up_for_renewal == 382_000 and view.weighted == pytest.approx(274_600)
    kept = [r for r in view.retention if r.renewals]
    assert [(r.label, r.grr, r.nrr) for r in kept] == [
        ("2025 Q1", 1.0, 1.3),
        ("2025 Q2", 0.9, 0.9),
    ]


async def test_everyone_includes_the_book_and_the_demo(seeded_db: Database) -> None:
    await add_book(seeded_db)
    service = ForecastService(seeded_db, ConfigService(seeded_db))
    tenant = await _tenant(seeded_db)
    view = await service.forecast(tenant.id, TEST_TODAY)
    assert view.owner is None
    names = {i.customer for p in view.periods for i in p.items}
    assert {"Alpha", "Bluesoft Corporation"} <= names
    bluesoft = next(i for p in view.periods for i in p.items if i.customer.startswith("Bluesoft"))
    # D−15: the Critical workflow is open, nothing signed yet; ARR from the financial record
    assert bluesoft.arr == 180_000
    assert bluesoft.category in (Category.LIKELY, Category.AT_RISK)


async def test_refusals(seeded_db: Database) -> None:
    service = ForecastService(seeded_db, ConfigService(seeded_db))
    tenant = await _tenant(seeded_db)
    with pytest.raises(BadInput, match="unknown period 'week'"):
        await service.forecast(tenant.id, TEST_TODAY, by="week")
    with pytest.raises(NotFound, match="unknown owner 'zed@nowhere'"):
        await service.owner(tenant, "zed@nowhere")
    with pytest.raises(BadInput, match="no owner given"):
        await service.owner(tenant, " ")
    await add_book(seeded_db)
    async with seeded_db.sessions() as session, session.begin():
        session.add(User(tenant_id=tenant.id, email="fiona.b@forecast.test", name="F", role="csm"))
    with pytest.raises(BadInput, match=r"'fiona' could be several people: fiona\.b@forecast\.test"):
        await service.owner(tenant, "fiona")
    assert (await service.owner(tenant, OWNER.upper())).email == OWNER


async def _run(
    db: Database, customer: str, started: dt.datetime, status: str, route: str | None
) -> None:
    """A renewal workflow of `customer` (any stored version will do), with one step that chose
    `route` an hour after it started."""
    async with db.sessions() as session, session.begin():
        version = await session.scalar(select(WorkflowVersion).limit(1))
        row = await session.scalar(select(Customer).where(Customer.name == customer))
        assert version is not None and row is not None
        run = WorkflowExecution(
            tenant_id=row.tenant_id,
            customer_id=row.id,
            workflow_id=version.workflow_id,
            workflow_version_id=version.id,
            workflow_type="renewal",
            status=status,
            created_at=started,
            started_at=started,
        )
        session.add(run)
        await session.flush()
        if route is not None:
            done = started + dt.timedelta(hours=1)
            session.add(
                StepExecution(
                    execution_id=run.id,
                    step_id="status-check",
                    step_index=0,
                    status="completed",
                    chosen_route=route,
                    started_at=started,
                    completed_at=done,
                )
            )


async def test_workflow_routes_and_outcomes(seeded_db: Database) -> None:
    await add_book(seeded_db)
    at = dt.datetime(2025, 9, 20, 9, tzinfo=dt.UTC)
    await _run(seeded_db, "Charlie", at, "in_progress", "STALLED")  # likely → at risk
    await _run(seeded_db, "Bravo", at, "lost", None)  # at risk → churned
    # only workflows started since the term began are about its renewal
    await _run(
        seeded_db, "Foxtrot", dt.datetime(2025, 5, 1, tzinfo=dt.UTC), "completed", "CHURN_ACCEPTED"
    )
    # a route chosen after today is not known today
    await _run(
        seeded_db,
        "Golf",
        dt.datetime(2025, 9, 24, 23, 30, tzinfo=dt.UTC),
        "in_progress",
        "CRITICAL",
    )
    service = ForecastService(seeded_db, ConfigService(seeded_db))
    tenant = await _tenant(seeded_db)
    view = await service.forecast(tenant.id, TEST_TODAY, owner=await service.owner(tenant, OWNER))
    items = {i.customer: i for p in view.periods for i in p.items}
    assert (items["Charlie"].category, items["Charlie"].reasons) == (
        Category.AT_RISK,
        ("route STALLED",),
    )
    assert (items["Bravo"].category, items["Bravo"].reasons) == (
        Category.CHURNED,
        ("renewal workflow lost",),
    )
    assert items["Foxtrot"].category is Category.LIKELY  # its run was about the term before
    assert items["Golf"].reasons == ("churn probability 35% ≥ 30%",)  # the route: tomorrow


async def test_the_likelihoods_are_configuration(seeded_db: Database) -> None:
    """`renubu config set thresholds.forecast.likely 0.8`: audited like any setting, read by the
    forecast at once; a riskier category may not be made more likely than a safer one."""
    await add_book(seeded_db)
    config = ConfigService(seeded_db)
    service = ForecastService(seeded_db, config)
    tenant = await _tenant(seeded_db)
    fiona = await service.owner(tenant, OWNER)
    await config.set(tenant.id, "thresholds.forecast.likely", 0.8, actor="t", actor_id=None)
    await config.set(tenant.id, "thresholds.riskScoreMin", 75, actor="t", actor_id=None)
    view = await service.forecast(tenant.id, TEST_TODAY, owner=fiona)
    assert (view.model.likely, view.model.risk_score_min) == (0.8, 75)
    items = {i.customer: i for p in view.periods for i in p.items}
    assert items["Charlie"].weighted == pytest.approx(80_000 * 0.8)
    assert items["Bravo"].category is Category.LIKELY  # risk 70 < 75 now
    with pytest.raises(ConfigChangeRefused, match="atRisk: must not be above likely"):
        await config.set(tenant.id, "thresholds.forecast.atRisk", 0.95, actor="t", actor_id=None)
    with pytest.raises(ConfigChangeRefused, match="out of range: 0 to 1"):
        await config.set(tenant.id, "thresholds.forecast.secured", 1.5, actor="t", actor_id=None)


async def test_thresholds_stored_before_the_forecast_read_its_defaults(seeded_db: Database) -> None:
    from renubu_tui.data.models import ConfigEntry
    from renubu_tui.domain.config import default_config_dict

    tenant = await _tenant(seeded_db)
    old = default_config_dict()["thresholds"]
    del old["forecast"]
    async with seeded_db.sessions() as session, session.begin():
        session.add(ConfigEntry(tenant_id=tenant.id, key="thresholds", value=old))
    config = ConfigService(seeded_db)
    model = await ForecastService(seeded_db, config).model(tenant.id)
    assert (model.likely, model.churn_probability_min) == (0.9, 30)
    await config.set(tenant.id, "thresholds.forecast.likely", 0.85, actor="t", actor_id=None)
    assert (await ForecastService(seeded_db, config).model(tenant.id)).likely == 0.85
