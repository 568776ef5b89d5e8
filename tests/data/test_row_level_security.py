"""Identities the database vouches for, and tenant isolation by row-level security (PostgreSQL).

One schema holds two tenants seeded alike (the demo book as `acme-cs` and again as `globex-cs`,
each with Bluesoft's journey: executions, steps, chat, tasks, artifacts, notifications, audit).
Each tenant gets a group role; a login role per person is a member of its tenant's group and is
linked to its user (`users.db_role`), exactly as README "PostgreSQL for a team" sets a team up.
Through every service and through plain SQL each login sees its own tenant's rows and the shipped
rows every tenant shares, never a row of the other tenant.

Role names are cluster-wide: every role made here has a name of its own and is dropped at the end.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import text

from renubu_tui.clock import Clock
from renubu_tui.data.engine import Database, create_database
from renubu_tui.services.container import Services, build_services
from renubu_tui.services.refusals import NotFound
from renubu_tui.settings import Settings
from tests.conftest import PG_URL, TEST_TODAY, PgSchemas, pg_database

A, B = "acme-cs", "globex-cs"
MAYA = "maya.patel@acmecloud.com"
DANIEL = "daniel.okafor@acmecloud.com"
JORDAN = "jordan.lee@acmecloud.com"
BLUESOFT = "bluesoft.com"

# Rows every tenant shares (shipped content), by table; other rows belong to exactly one tenant.
SHARED_PARENT = "{col} IN (SELECT id FROM workflows WHERE tenant_id IS NULL)"
SHARED = {
    "workflow_versions": SHARED_PARENT.format(col="workflow_id"),
    "workflow_chat_branches": SHARED_PARENT.format(col="workflow_id"),
}


@dataclass
class World:
    schema: str
    prefix: str
    password: str = field(default_factory=lambda: uuid.uuid4().hex)  # works with md5/scram too
    tenant_ids: dict[str, uuid.UUID] = field(default_factory=dict)
    bluesoft: dict[str, uuid.UUID] = field(default_factory=dict)
    execution: dict[str, uuid.UUID] = field(default_factory=dict)
    thread: dict[str, uuid.UUID] = field(default_factory=dict)
    customers: dict[str, set[uuid.UUID]] = field(default_factory=dict)

    def role(self, name: str) -> str:
        return f"{self.prefix}_{name}"

    def database(self, login: str) -> Database:
        return create_database(self.url(login), schema=self.schema)

    def url(self, login: str) -> str:
        from sqlalchemy.engine import make_url

        url = make_url(PG_URL).set(username=self.role(login), password=self.password)
        return url.render_as_string(hide_password=False)

    def other(self, slug: str) -> str:
        return B if slug == A else A


# login → (tenant group, user it is, admin?)
LOGINS = {
    "maya": (A, MAYA, False),
    "gmaya": (B, MAYA, False),  # Maya's namesake at globex: same e-mail, the other tenant
    "jordan": (A, JORDAN, True),  # a manager with the admin grant
    "nobody": (A, None, False),  # in the tenant's group, linked to no user
}


def _run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


async def _owner_sql(schema: str, *statements: str) -> None:
    db = pg_database(schema)
    try:
        async with db.engine.begin() as conn:
            for statement in statements:
                await conn.execute(text(statement))
    finally:
        await db.dispose()


async def _build(world: World, root_b: Path) -> None:
    from renubu_tui.data.migrate import upgrade
    from renubu_tui.services.config.service import ConfigService
    from renubu_tui.services.demo.seeding import seed_everything
    from renubu_tui.services.queue.service import QueueService

    db = pg_database(world.schema)
    try:
        await upgrade(db)
        await seed_everything(db, today=TEST_TODAY)
        await seed_everything(db, today=TEST_TODAY, root=root_b)
        async with db.engine.connect() as conn:
            for slug in (A, B):
                tid = (
                    await conn.execute(text("SELECT id FROM tenants WHERE slug = :s"), {"s": slug})
                ).scalar_one()
                world.tenant_ids[slug] = tid
                ids = await conn.execute(
                    text("SELECT id, domain FROM customers WHERE tenant_id = :t"), {"t": tid}
                )
                world.customers[slug] = set()
                for cid, domain in ids:
                    world.customers[slug].add(cid)
                    if domain == BLUESOFT:
                        world.bluesoft[slug] = cid
                world.execution[slug] = (
                    await conn.execute(
                        text(
                            "SELECT id FROM workflow_executions WHERE customer_id = :c "
                            "ORDER BY started_at LIMIT 1"
                        ),
                        {"c": world.bluesoft[slug]},
                    )
                ).scalar_one()
                world.thread[slug] = (
                    await conn.execute(
                        text("SELECT id FROM workflow_chat_threads WHERE tenant_id = :t LIMIT 1"),
                        {"t": tid},
                    )
                ).scalar_one()
        queue = QueueService(db, ConfigService(db))
        for tid in world.tenant_ids.values():
            await queue.refresh(tid, TEST_TODAY)
    finally:
        await db.dispose()
    # The documented set-up (README, "PostgreSQL for a team"), in this test's schema.
    s = f'"{world.schema}"'
    statements = []
    for slug in (A, B):
        group = world.role(slug.split("-")[0])
        statements += [
            f"CREATE ROLE {group} NOLOGIN",
            f"GRANT USAGE ON SCHEMA {s} TO {group}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {s} TO {group}",
            f"GRANT renubu_query TO {group}",
            f"UPDATE {s}.tenants SET db_role = '{group}' WHERE slug = '{slug}'",
        ]
    for login, (slug, email, admin) in LOGINS.items():
        role, group = world.role(login), world.role(slug.split("-")[0])
        statements += [
            f"CREATE ROLE {role} LOGIN PASSWORD '{world.password}'",
            f"GRANT {group} TO {role}",
            # so that `renubu` itself, given only the URL, works in this test's schema
            f"ALTER ROLE {role} SET search_path = {s}",
        ]
        if admin:
            statements.append(f"GRANT renubu_admin TO {role}")
        if email:
            statements.append(
                f"UPDATE {s}.users SET db_role = '{role}' WHERE email = '{email}' "
                f"AND tenant_id = '{world.tenant_ids[slug]}'"
            )
    await _owner_sql(world.schema, *statements)


def _roles(world: World) -> list[str]:
    return [world.role(n) for n in LOGINS] + [world.role(s.split("-")[0]) for s in (A, B)]


@pytest.fixture(scope="module", params=["postgresql"])
def world(
    request: pytest.FixtureRequest,
    pg_schemas: PgSchemas | None,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[World]:
    if pg_schemas is None:
        pytest.skip("row-level security is PostgreSQL's: set RENUBU_TEST_DATABASE_URL")
    from renubu_tui.resources import seeds_dir

    root_b = tmp_path_factory.mktemp("globex") / "seeds"
    shutil.copytree(seeds_dir(), root_b)
    tenant_file = root_b / "demo" / "tenant.json"
    data = json.loads(tenant_file.read_text())
    data["tenant"] = {"slug": B, "name": "Globex Customer Success"}
    tenant_file.write_text(json.dumps(data))

    made = World(schema=pg_schemas.new(), prefix=f"rls_{uuid.uuid4().hex[:10]}")
    try:
        _run(_build(made, root_b))
        yield made
    finally:
        pg_schemas.drop(made.schema)
        drops = []
        for role in _roles(made):
            drops += [
                "DO $$ BEGIN "
                f"IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN "
                f"EXECUTE 'DROP OWNED BY {role}'; EXECUTE 'DROP ROLE {role}'; END IF; END $$"
            ]
        _run(_owner_sql("public", *drops))


@pytest.fixture
async def as_login(world: World) -> AsyncIterator[dict[str, Database]]:
    """Databases connected as each login (opened on demand, closed after the test)."""
    opened: dict[str, Database] = {}

    class Opener(dict[str, Database]):
        def __missing__(self, login: str) -> Database:
            opened[login] = world.database(login)
            return opened[login]

    yield Opener()
    for db in opened.values():
        await db.dispose()


async def _services(db: Database, slug: str, user: str | None = None) -> Services:
    settings = Settings(database_url=PG_URL, tenant=slug, user=user)
    return await build_services(db, settings, Clock(TEST_TODAY))


# --- plain SQL -------------------------------------------------------------------------------


async def _plain(world: World, login: str, sql: str, *args: object) -> list[tuple[object, ...]]:
    """A query over a plain asyncpg connection as `login`: no renubu code in the way."""
    import asyncpg
    from sqlalchemy.engine import make_url

    url = make_url(PG_URL)
    conn = await asyncpg.connect(
        host=url.host,
        port=url.port or 5432,
        user=world.role(login),
        password=world.password,
        database=url.database,
        server_settings={"search_path": world.schema},
    )
    try:
        return [tuple(r) for r in await conn.fetch(sql, *args)]
    finally:
        await conn.close()


@pytest.mark.parametrize(("login", "own"), [("maya", A), ("gmaya", B)])
async def test_plain_sql_sees_no_row_of_the_other_tenants_customers(
    world: World, login: str, own: str
) -> None:
    other = world.tenant_ids[world.other(own)]
    rows = await _plain(world, login, "SELECT count(*) FROM customers WHERE tenant_id = $1", other)
    assert rows == [(0,)]
    by_id = await _plain(
        world,
        login,
        "SELECT count(*) FROM customers WHERE id = ANY($1::uuid[])",
        list(world.customers[world.other(own)]),
    )
    assert by_id == [(0,)]
    mine = await _plain(world, login, "SELECT id FROM customers")
    assert {r[0] for r in mine} == world.customers[own]
    assert await _plain(world, login, "SELECT slug FROM tenants") == [(own,)]
    # the assistant's role, set by the login as the tool does, is confined the same way
    assert await _role_query(world, login, other) == (0, len(world.customers[own]))


async def _role_query(world: World, login: str, other: uuid.UUID) -> tuple[int, int]:
    db = world.database(login)
    try:
        async with db.engine.begin() as conn:
            await conn.exec_driver_sql("SET LOCAL ROLE renubu_query")
            row = (
                await conn.execute(
                    text(
                        "SELECT (SELECT count(*) FROM customers WHERE tenant_id = :o), "
                        "(SELECT count(*) FROM customers)"
                    ),
                    {"o": other},
                )
            ).one()
        return int(row[0]), int(row[1])
    finally:
        await db.dispose()


async def test_every_row_is_seen_by_its_tenants_login_only(world: World) -> None:
    """Every table: the two logins' rows overlap in exactly the shared rows, cover the table,
    and a login never sees a row whose tenant_id is the other tenant's."""
    from renubu_tui.data.models import Base

    owner = pg_database(world.schema)
    try:
        async with owner.engine.connect() as conn:
            checked = 0
            for table in Base.metadata.sorted_tables:
                name = table.name
                every = {r[0] for r in await conn.execute(text(f"SELECT ctid::text FROM {name}"))}
                shared_sql = SHARED.get(name) or (
                    "tenant_id IS NULL" if "tenant_id" in table.c else "false"
                )
                shared = {
                    r[0]
                    for r in await conn.execute(
                        text(f"SELECT ctid::text FROM {name} WHERE {shared_sql}")
                    )
                }
                seen = {}
                for login, slug in (("maya", A), ("gmaya", B)):
                    rows = await _plain(world, login, f"SELECT ctid::text FROM {name}")
                    seen[slug] = {r[0] for r in rows}
                    if "tenant_id" in table.c:
                        theirs = await _plain(
                            world,
                            login,
                            f"SELECT count(*) FROM {name} WHERE tenant_id = $1",
                            world.tenant_ids[world.other(slug)],
                        )
                        assert theirs == [(0,)], name
                if name == "tenants":
                    assert seen[A] | seen[B] == every and not seen[A] & seen[B]
                else:
                    assert seen[A] & seen[B] == shared, name
                    assert seen[A] | seen[B] == every, name
                checked += bool(every - shared)
    finally:
        await owner.dispose()
    assert checked >= 20  # the seeded tables with tenant rows really were compared


async def test_a_login_cannot_write_into_the_other_tenant(world: World) -> None:
    import asyncpg

    other = world.tenant_ids[B]
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="row-level security"):
        await _plain(
            world,
            "maya",
            "INSERT INTO customers (id, tenant_id, name, slug, domain, is_synthetic) "
            "VALUES (gen_random_uuid(), $1, 'Intruder', 'intruder', 'intruder.example', false)",
            other,
        )
    updated = await _plain(
        world, "maya", "UPDATE customers SET name = name WHERE tenant_id = $1 RETURNING id", other
    )
    assert updated == []
    # the audit trail is append-only for a login
    assert await _plain(world, "maya", "DELETE FROM audit_log RETURNING id") == []


# --- through the services --------------------------------------------------------------------


@pytest.mark.parametrize(("login", "own"), [("maya", A), ("gmaya", B)])
async def test_services_show_a_login_its_own_tenant_only(
    world: World, as_login: dict[str, Database], login: str, own: str
) -> None:
    from sqlalchemy.exc import DBAPIError

    from renubu_tui.data.engine import database_error
    from renubu_tui.services.chat.store import ChatError
    from renubu_tui.services.chat.tools.db_query import run_query
    from renubu_tui.services.customers.context import build_context
    from renubu_tui.services.customers.lookup import customer_by_ref
    from renubu_tui.services.queue.service import QueueFilters

    db = as_login[login]
    services = await _services(db, own)
    theirs = world.other(own)
    mine_id, their_id = world.tenant_ids[own], world.tenant_ids[theirs]
    assert services.user.email == MAYA and services.tenant.id == mine_id

    # lookup
    async with db.sessions() as session:
        assert (await customer_by_ref(session, services.tenant, "Bluesoft")).id == (
            world.bluesoft[own]
        )
    assert await services.find_customer(str(world.bluesoft[theirs])) is None

    # queue: the own tenant's rows; the other tenant's queue cannot be read (nor built)
    page = await services.queue.page(mine_id, TEST_TODAY, QueueFilters(), limit=500)
    assert page.rows and {r.customer_id for r in page.rows} <= world.customers[own]
    with pytest.raises(DBAPIError) as refused:  # reading it would build it: not this login's
        await services.queue.page(their_id, TEST_TODAY, QueueFilters(), limit=500)
    said = database_error(refused.value, PG_URL)
    assert said is not None and "row-level security" in str(said), said

    # customer context
    context = await build_context(db, own, "bluesoft.com", TEST_TODAY)
    assert context["customer"]["name"].startswith("Bluesoft")  # type: ignore[index]
    with pytest.raises(LookupError):
        await build_context(db, theirs, "bluesoft.com", TEST_TODAY)
    with pytest.raises(LookupError):
        await build_context(db, own, str(world.bluesoft[theirs]), TEST_TODAY)

    # executions
    assert (await services.executions.view(mine_id, world.execution[own])).id == (
        world.execution[own]
    )
    with pytest.raises(LookupError):
        await services.executions.view(their_id, world.execution[theirs])
    assert await services.executions.open_for(their_id, world.bluesoft[theirs]) == []

    # tasks and artifacts
    assert await services.tasks.list(mine_id)
    assert await services.tasks.list(their_id) == []
    assert await services.artifacts.list(their_id) == []

    # notifications
    assert await services.notifications.inbox(mine_id, MAYA)
    assert await services.notifications.inbox(their_id, MAYA) == []

    # chat
    chat = services.chat(pace=0)
    await chat.thread(world.thread[own])
    with pytest.raises(ChatError, match="no chat thread"):
        await chat.thread(world.thread[theirs])

    # the assistant's database tool, as this login: own customer yes, the other's no rows
    sql = "SELECT name FROM customer_overview"
    ours = await run_query(db, mine_id, world.bluesoft[own], sql, today=TEST_TODAY)
    assert ours.rows
    leaked = await run_query(db, their_id, world.bluesoft[theirs], sql, today=TEST_TODAY)
    assert leaked.rows == []


# --- who the login is -----------------------------------------------------------------------


async def test_the_user_is_the_logins_not_the_settings(
    world: World, as_login: dict[str, Database]
) -> None:
    from renubu_tui.services.customers.lookup import IdentityRefused

    # named as itself: fine; no one named: the login's user, not the tenant's default
    assert (await _services(as_login["maya"], A, MAYA)).user.email == MAYA
    assert (await _services(as_login["gmaya"], B)).user.email == MAYA
    # a login without the admin grant may not be someone else: one line, exit 2 (LookupError)
    with pytest.raises(IdentityRefused) as refused:
        await _services(as_login["maya"], A, DANIEL)
    message = str(refused.value)
    assert "\n" not in message
    assert f"--user {DANIEL} refused" in message and "renubu_admin" in message
    # the other tenant is nobody's for this login: it says where the login is somebody
    with pytest.raises(IdentityRefused, match=f"tenant {A!r}"):
        await _services(as_login["gmaya"], A)
    # a member of the tenant's group linked to no user
    with pytest.raises(IdentityRefused, match="UPDATE users SET db_role"):
        await _services(as_login["nobody"], A)


async def test_an_admin_acts_as_another_user_and_the_audit_shows_both(
    world: World, as_login: dict[str, Database]
) -> None:
    from renubu_tui.data.models import AuditEntry

    db = as_login["jordan"]
    assert (await _services(db, A)).user.email == JORDAN
    acting = await _services(db, A, MAYA)
    assert acting.user.email == MAYA
    key = "thresholds.riskScoreMin"
    await acting.config.set(
        acting.tenant.id, key, 55, actor=acting.user.email, actor_id=acting.user.id
    )
    async with db.sessions() as session:
        from sqlalchemy import select

        entry = (
            await session.scalars(
                select(AuditEntry)
                .where(AuditEntry.tenant_id == acting.tenant.id, AuditEntry.entity_id == key)
                .order_by(AuditEntry.created_at.desc())
            )
        ).first()
    assert entry is not None
    assert (entry.actor_label, entry.actor_id, entry.db_role) == (
        MAYA,
        acting.user.id,
        world.role("jordan"),
    )
    # the login is written by the database: a row claiming another login is corrected
    await _plain(
        world,
        "maya",
        "INSERT INTO audit_log (id, tenant_id, actor_label, entity_type, entity_id, action, "
        "db_role, created_at) VALUES (gen_random_uuid(), $1, 'x', 'test', 'forged', 'test', "
        "'someone_else', now())",
        world.tenant_ids[A],
    )
    forged = await _plain(world, "maya", "SELECT db_role FROM audit_log WHERE entity_id = 'forged'")
    assert forged == [(world.role("maya"),)]


def test_the_command_line_refuses_user_for_a_login_without_the_admin_grant(
    world: World,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:

    from renubu_tui.cli import main

    def renubu(login: str, *args: str) -> tuple[int, str, str]:
        monkeypatch.setenv("RENUBU_DATABASE_URL", world.url(login))
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("RENUBU_TODAY", TEST_TODAY.isoformat())
    for name in ("RENUBU_CONFIG", "RENUBU_TENANT", "RENUBU_USER", "RENUBU_DEBUG"):
        monkeypatch.delenv(name, raising=False)

    code, out, err = renubu("maya", "--user", DANIEL, "queue", "--json")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and f"--user {DANIEL} refused" in err, err
    code, out, err = renubu("maya", "queue", "--json")
    assert code == 0, err
    rows = json.loads(out)["rows"]
    assert rows and all(uuid.UUID(r["customerId"]) in world.customers[A] for r in rows)
    code, out, err = renubu("jordan", "--user", MAYA, "queue", "--json")
    assert code == 0, err
    assert json.loads(out)["rows"] == rows  # the admin sees Maya's queue as Maya does


async def test_the_policy_is_evaluated_once_per_statement(world: World) -> None:
    """The tenant ids are an InitPlan (once per statement), not a function call per row."""
    plan = await _plain(world, "maya", "EXPLAIN SELECT * FROM customers")
    text_plan = "\n".join(str(r[0]) for r in plan)
    assert "InitPlan" in text_plan and "renubu_tenant_ids" not in text_plan.split("InitPlan")[0]


# --- today's behaviour: SQLite, and the owner on PostgreSQL ----------------------------------


async def test_sqlite_and_the_owner_keep_the_named_user(seeded_db: Database) -> None:
    from renubu_tui.data.models import AuditEntry

    async def services(user: str | None) -> Services:
        settings = Settings(database_url=PG_URL or "sqlite+aiosqlite://", tenant=A, user=user)
        return await build_services(seeded_db, settings, Clock(TEST_TODAY))

    assert (await services(DANIEL)).user.email == DANIEL
    default = await services(None)
    assert default.user.email == MAYA  # the tenant's default user, as before
    as_daniel = await services(DANIEL)
    await as_daniel.config.set(
        as_daniel.tenant.id,
        "thresholds.riskScoreMin",
        56,
        actor=as_daniel.user.email,
        actor_id=as_daniel.user.id,
    )
    async with seeded_db.sessions() as session:
        from sqlalchemy import select

        entry = (
            await session.scalars(
                select(AuditEntry).where(AuditEntry.entity_id == "thresholds.riskScoreMin")
            )
        ).first()
        assert entry is not None and entry.actor_label == DANIEL
        if seeded_db.dialect == "sqlite":
            assert entry.db_role is None
        else:
            login = (await session.execute(text("SELECT session_user::text"))).scalar_one()
            assert entry.db_role == login


async def test_a_logins_change_is_heard_by_its_tenant_only(
    world: World, as_login: dict[str, Database]
) -> None:
    """Live updates under row-level security: a CSM's login publishes (an identity column: no
    grant on a sequence), its tenant's watcher hears it, the other tenant's sees nothing."""
    import asyncio

    from renubu_tui.services.changes import ChangeWatcher, publish

    mine, theirs = as_login["maya"], as_login["gmaya"]
    heard: dict[str, list[str]] = {"maya": [], "gmaya": []}
    watchers = {
        "maya": ChangeWatcher(mine, world.tenant_ids[A], interval=0.05),
        "gmaya": ChangeWatcher(theirs, world.tenant_ids[A], interval=0.05),  # asks for A's
    }

    async def listen(login: str) -> None:
        async for batch in watchers[login].batches():
            heard[login] += [c.actor_name for c in batch.changes]

    tasks = [asyncio.create_task(listen(login)) for login in watchers]
    try:
        for watcher in watchers.values():
            await asyncio.wait_for(watcher.listening.wait(), 10)
        async with mine.sessions() as session, session.begin():
            await publish(
                session, world.tenant_ids[A], world.bluesoft[A], "snooze", actor_name="Maya"
            )
        for _ in range(100):
            if heard["maya"]:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)
        assert heard == {"maya": ["Maya"], "gmaya": []}
        theirs_sql = "SELECT id FROM change_events WHERE tenant_id = $1"
        assert await _plain(world, "gmaya", theirs_sql, world.tenant_ids[A]) == []
        assert await _plain(world, "maya", theirs_sql, world.tenant_ids[A]) != []
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def test_an_import_by_a_login_writes_its_own_tenant_only(
    world: World, as_login: dict[str, Database], tmp_path: Path
) -> None:
    """`renubu import` as a CSM's login: the customers, their terms, the audit rows, the change
    event and the rebuilt queue all land in the login's tenant; the other tenant sees none of
    them, and the same account ids there are its own customers."""
    path = tmp_path / "accounts.csv"
    path.write_text(
        "Account ID,Account Name,Account Owner,Annual Revenue,Contract End Date\n"
        f'RLS-1,Row Level One,{MAYA},"$90,000",2025-10-10\n'
        "RLS-2,Row Level Two,,12000,2026-01-31\n",
        encoding="utf-8",
    )
    mine = await _services(as_login["maya"], A)
    result = await mine.importer().run("customers", path)
    assert result.written and result.inserted == 2 and result.queue_rows
    sql = "SELECT external_id FROM customers WHERE external_id LIKE 'RLS-%' ORDER BY 1"
    assert [r[0] for r in await _plain(world, "maya", sql)] == ["RLS-1", "RLS-2"]
    assert await _plain(world, "gmaya", sql) == []
    queued = (
        "SELECT count(*) FROM queue_items q JOIN customers c ON c.id = q.customer_id "
        "WHERE c.external_id = 'RLS-1'"
    )
    assert (await _plain(world, "maya", queued))[0][0] >= 1
    theirs = await _services(as_login["gmaya"], B)
    again = await theirs.importer().run("customers", path, dry_run=True)
    assert again.inserted == 2 and again.updated == 0  # B has no such accounts: new there


async def test_a_note_is_seen_by_its_tenant_only(
    world: World, as_login: dict[str, Database]
) -> None:
    """Notes (migration 0011) under row-level security: a CSM's note and its kept wordings are
    read by its tenant's logins only; the other tenant's timeline, knowledge search and plain SQL
    see none of it, cannot edit it (unknown there) and cannot write a note into that tenant."""
    from renubu_tui.services.chat.knowledge import search
    from renubu_tui.services.customers.timeline import customer_timeline, end_of

    mine = await _services(as_login["maya"], A)
    note = await mine.notes().add(BLUESOFT, "RLS secret: the CFO wants a discount", tag="risk")
    await mine.notes().edit(note.id, "RLS secret: the CFO wants a bigger discount", tag="risk")
    theirs = await _services(as_login["gmaya"], B)
    assert (await theirs.notes().of_customer(world.bluesoft[B])) == []
    view = await customer_timeline(
        theirs.db, theirs.tenant, BLUESOFT, TEST_TODAY, kinds=frozenset({"note"})
    )
    assert view.entries == []
    found = await search(
        theirs.db,
        world.tenant_ids[B],
        "CFO discount",
        customer_id=world.bluesoft[A],
        until=end_of(TEST_TODAY),
    )
    assert not any(p.doc_slug.startswith("note:") for p in found)
    with pytest.raises(NotFound):
        await theirs.notes().edit(note.id, "changed by the other tenant")
    for table in ("customer_notes", "customer_note_revisions"):
        assert await _plain(world, "gmaya", f"SELECT count(*) FROM {table}") == [(0,)]
        assert (await _plain(world, "maya", f"SELECT count(*) FROM {table}"))[0][0] >= 1
    with pytest.raises(Exception, match="row-level security"):
        await _plain(
            world,
            "gmaya",
            "INSERT INTO customer_notes (id, tenant_id, customer_id, body, updated_at) "
            "VALUES ($1, $2, $3, 'x', now())",
            uuid.uuid4(),
            world.tenant_ids[A],
            world.bluesoft[A],
        )
