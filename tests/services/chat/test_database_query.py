"""database_query: one SELECT over the current customer's views, refused or confined otherwise.

Every attack runs on both backends: the static check must refuse it, and where it is a valid
SELECT the bound views must confine it to one tenant and one customer.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import func, select

from renubu_tui.data.engine import Database
from renubu_tui.data.models import Contract, Customer, Tenant
from renubu_tui.services.chat.tools import db_query
from renubu_tui.services.chat.tools.db_query import QueryFailed, QueryRefused, run_query
from renubu_tui.services.chat.tools.sql_check import check
from tests.conftest import TEST_TODAY
from tests.services.chat.helpers import TENANT


async def _bluesoft(db: Database) -> uuid.UUID:
    async with db.sessions() as s:
        cid = await s.scalar(select(Customer.id).where(Customer.name == "Bluesoft Corporation"))
    assert cid is not None
    return cid


async def _query(db: Database, sql: str, **kw: object) -> db_query.QueryResult:
    return await run_query(db, TENANT, await _bluesoft(db), sql, today=TEST_TODAY, **kw)  # type: ignore[arg-type]


async def test_views_show_the_current_customer_as_known_today(seeded_db: Database) -> None:
    result = await _query(seeded_db, "SELECT name, domain, csm_email FROM customer_overview")
    assert result.columns == ["name", "domain", "csm_email"]
    assert result.rows == [["Bluesoft Corporation", "bluesoft.com", "maya.patel@acmecloud.com"]]
    health = await _query(
        seeded_db, "SELECT as_of_date, health_score FROM health_history ORDER BY as_of_date;"
    )
    assert [r[1] for r in health.rows] == [72, 78, 68, 75, 74, 74]  # D-120 … D-15, not later
    assert all(r[0] <= TEST_TODAY.isoformat() for r in health.rows)
    contracts = await _query(seeded_db, "SELECT arr FROM contracts ORDER BY start_date")
    assert [r[0] for r in contracts.rows] == [150000, 180000]  # the D+1 renewal is not signed yet
    people = await _query(
        seeded_db, "SELECT count(*) AS n FROM stakeholders WHERE is_decision_maker = true"
    )
    assert people.rows == [[2]]
    notes = await _query(seeded_db, "SELECT stakeholder, date, text FROM notes ORDER BY date DESC")
    assert notes.rows[0][1] <= TEST_TODAY.isoformat()
    assert not result.truncated


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT c.arr, h.health_score FROM contracts AS c JOIN health_history h ON 1 = 1",
        "SELECT * FROM (SELECT arr FROM contracts) AS sub WHERE sub.arr > 0",
        "WITH big AS (SELECT arr FROM contracts WHERE arr > 160000) SELECT count(*) FROM big",
        "SELECT extract(year FROM as_of_date) AS y FROM usage_history",
        "SELECT name FROM stakeholders WHERE name IS NOT DISTINCT FROM 'Sarah Chen'",
        "SELECT CASE WHEN arr > 100 THEN 'big' ELSE 'small' END AS size FROM contracts",
        "SELECT title, status FROM tasks ORDER BY due_date LIMIT 3",
        "SELECT replace(name, 'Corporation', 'Corp') FROM customer_overview",
        "SELECT max(health_score) - min(health_score) FROM health_history",
        "SELECT name FROM stakeholders UNION SELECT csm_name FROM customer_overview",
        "SELECT a.name FROM stakeholders a, stakeholders b WHERE a.name = b.name",
    ],
)
async def test_ordinary_questions_are_answered(seeded_db: Database, sql: str) -> None:
    if "extract" in sql and seeded_db.dialect == "sqlite":
        sql = "SELECT strftime('%Y', as_of_date) AS y FROM usage_history"
    result = await _query(seeded_db, sql)
    assert result.columns and result.rows


REFUSED = [
    # more than one statement, or not a SELECT
    "SELECT 1; SELECT 2",
    "SELECT * FROM contracts; DELETE FROM contracts",
    "DELETE FROM contracts",
    "UPDATE contracts SET arr = 0",
    "INSERT INTO tasks (title) VALUES ('x')",
    "REPLACE INTO tasks (title) VALUES ('x')",
    "UPSERT INTO tasks VALUES (1)",
    "DROP TABLE customers",
    "CREATE TABLE stolen AS SELECT * FROM contracts",
    "ALTER TABLE contracts ADD COLUMN x int",
    "TRUNCATE contracts",
    "GRANT ALL ON contracts TO PUBLIC",
    "COPY contracts TO '/tmp/out.csv'",
    "WITH gone AS (DELETE FROM contracts RETURNING *) SELECT * FROM gone",
    "SELECT * INTO stolen FROM contracts",
    "SELECT * FROM contracts FOR UPDATE",
    "SELECT * FROM contracts FOR SHARE",
    "EXPLAIN SELECT * FROM contracts",
    "VALUES (1)",
    "",
    # database commands
    "PRAGMA table_info(customers)",
    "PRAGMA writable_schema = ON",
    "ATTACH DATABASE '/tmp/x.db' AS x",
    "DETACH DATABASE main",
    "VACUUM",
    "SELECT * FROM pragma_table_info('customers')",
    "SET search_path TO public",
    # comments
    "SELECT * FROM contracts -- the rest",
    "SELECT /* hidden */ * FROM contracts",
    "SELECT * FROM contracts /*",
    # other tables, catalogs and schemas
    "SELECT * FROM users",
    "SELECT * FROM customers",
    "SELECT * FROM tenants",
    "SELECT * FROM workflow_executions",
    "SELECT * FROM alembic_version",
    "SELECT * FROM knowledge_fts",
    "SELECT * FROM sqlite_master",
    "SELECT * FROM sqlite_schema",
    "SELECT * FROM information_schema.tables",
    "SELECT * FROM pg_catalog.pg_tables",
    "SELECT * FROM pg_user",
    "SELECT * FROM pg_shadow",
    "SELECT * FROM main.customers",
    "SELECT * FROM public.customers",
    "SELECT * FROM renubu_customer",
    'SELECT * FROM "users"',
    'SELECT * FROM "USERS"',
    "SELECT * FROM [users]",
    "SELECT * FROM `users`",
    "SELECT * FROM 'users'",
    "SELECT * FROM contracts c, users u",
    "SELECT * FROM contracts JOIN customers ON 1 = 1",
    "SELECT * FROM contracts JOIN stakeholders s ON true, spatial_ref_sys",
    "SELECT * FROM (users)",
    "SELECT * FROM (contracts CROSS JOIN some_other_table)",
    "SELECT (SELECT count(*) FROM users)",
    "SELECT * FROM contracts WHERE 'x' IN users",
    "SELECT * FROM contracts WHERE 'x' IN somewhere_else",
    "TABLE users",
    "SELECT * FROM (TABLE users) t",
    "SELECT arr FROM contracts UNION SELECT email FROM users",
    "SELECT array(SELECT email FROM users)",
    "SELECT * FROM unknown_view",
    "SELECT * FROM generate_series(1, 2) AS g(n) JOIN users ON true",
    "SELECT * FROM contracts WHERE arr IN (SELECT arr FROM customers)",
    "SELECT * FROM LATERAL (SELECT * FROM users) x",
    "SELECT * FROM contracts AS users",
    "SELECT * FROM contracts AS c(a, b), tenants",
    "SELECT * FROM ROWS FROM (generate_series(1, 3))",
    # names that shadow or sneak past scoping
    "WITH users AS (SELECT 1) SELECT * FROM users",
    "WITH customer_overview AS (SELECT 1) SELECT * FROM customer_overview",
    "WITH a AS (SELECT * FROM b), b AS (SELECT 1) SELECT * FROM a",
    "WITH spatial_ref_sys AS (SELECT * FROM spatial_ref_sys) SELECT * FROM spatial_ref_sys",
    "SELECT * FROM (WITH x AS (SELECT 1) SELECT * FROM x) t",
    "SELECT x.users.email FROM contracts x",
    "SELECT nope.email FROM contracts",
    "SELECT public.version()",
    # the server and the session: who, where, which version, catalog objects by name
    "SELECT version()",
    "SELECT current_user",
    "SELECT session_user, current_database()",
    "SELECT inet_server_addr(), inet_server_port()",
    "SELECT 'pg_class'::regclass",
    "SELECT 'customers'::regclass::oid",
    "SELECT CAST('users' AS regclass)",
    "SELECT to_regclass('users')",
    "SELECT has_table_privilege('users', 'select')",
    "SELECT sqlite_version()",
    # functions that touch files, the server or other databases, or run SQL text
    "SELECT load_extension('/tmp/evil')",
    "SELECT readfile('/etc/passwd')",
    "SELECT writefile('/tmp/x', 'y')",
    "SELECT pg_read_file('/etc/passwd')",
    "SELECT pg_read_binary_file('/etc/passwd')",
    "SELECT pg_ls_dir('.')",
    "SELECT pg_sleep(10)",
    "SELECT dblink('host=evil', 'select 1')",
    "SELECT lo_import('/etc/passwd')",
    "SELECT query_to_xml('select * from users', true, true, '')",
    "SELECT database_to_xml(true, true, '')",
    "SELECT table_to_xml('users', true, true, '')",
    "SELECT ts_stat('select search from knowledge_documents')",
    "SELECT current_setting('data_directory')",
    "SELECT set_config('search_path', 'public', false)",
    "SELECT nextval('x')",
    "SELECT randomblob(1000000000)",
    "SELECT zeroblob(1000000000)",
    "SELECT * FROM generate_series(1, 3) g, json_each('{}') j, dbstat",
    "SELECT * FROM pg_stat_activity",
    # parameters, escapes and quoting tricks
    "SELECT * FROM contracts WHERE arr > ?",
    "SELECT * FROM contracts WHERE arr > :tenant",
    "SELECT * FROM contracts WHERE arr > $1",
    "SELECT * FROM contracts WHERE arr > @users",
    "SELECT $$users$$",
    "SELECT E'\\' FROM users --'",
    "SELECT U&'\\0075sers'",
    'SELECT U&"\\0075sers".email FROM contracts',
    "SELECT 'unterminated",
    'SELECT "unterminated',
    "SELECT * FROM contracts WHERE note = 'a\\' OR 1=1",
    "SELECT 1)) AS x, users u CROSS JOIN ((SELECT 1",
]


async def test_everything_else_is_refused_with_a_reason(db: Database) -> None:
    """Each attack is refused before the database sees it (one test per backend, for speed)."""
    customer = uuid.uuid4()
    let_through: list[str] = []
    for sql in REFUSED:
        try:
            await run_query(db, TENANT, customer, sql, today=TEST_TODAY)
        except QueryRefused as exc:
            assert str(exc), sql
        else:
            let_through.append(sql)
    assert let_through == []


async def _other_rows(db: Database) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    """Another customer of the tenant, and a customer of another tenant, each with a contract."""
    other_tenant, other_customer = uuid.uuid4(), uuid.uuid4()
    async with db.sessions() as s, s.begin():
        s.add(Tenant(id=other_tenant, slug="rival-co", name="Rival Co"))
        await s.flush()
        s.add(
            Customer(
                id=other_customer,
                tenant_id=other_tenant,
                name="Rival Secret Customer",
                slug="rival-secret",
                domain="rival.example",
            )
        )
        await s.flush()
        s.add(
            Contract(
                customer_id=other_customer,
                start_date=dt.date(2025, 1, 1),
                end_date=dt.date(2025, 12, 31),
                arr=999999,
                term_months=12,
            )
        )
        kestrel = await s.scalar(select(Customer.id).where(Customer.name == "Kestrel Networks"))
    assert kestrel is not None
    return kestrel, other_tenant, other_customer


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT arr FROM contracts WHERE 1 = 1 OR 1 = 1",
        "SELECT arr FROM contracts WHERE arr = 999999 OR arr > 0",
        "SELECT arr FROM contracts UNION ALL SELECT arr FROM contracts WHERE arr <> 150000",
        "SELECT name FROM customer_overview WHERE name <> 'Bluesoft Corporation' OR 1 = 1",
        "SELECT name FROM stakeholders WHERE name LIKE '%' OR name IS NULL",
    ],
)
async def test_crafted_filters_never_reach_other_customers(seeded_db: Database, sql: str) -> None:
    await _other_rows(seeded_db)
    result = await _query(seeded_db, sql)
    shown = {str(v) for row in result.rows for v in row}
    assert "999999" not in shown and "Rival Secret Customer" not in shown
    assert not any("Kestrel" in v for v in shown)


async def test_the_binding_confines_even_a_borrowed_customer_id(seeded_db: Database) -> None:
    kestrel, other_tenant, other_customer = await _other_rows(seeded_db)
    bluesoft = await _bluesoft(seeded_db)
    sql = "SELECT arr FROM contracts"

    async def rows(tenant: uuid.UUID, customer: uuid.UUID) -> list[list[object]]:
        return (await run_query(seeded_db, tenant, customer, sql, today=TEST_TODAY)).rows

    assert await rows(TENANT, other_customer) == []  # another tenant's customer
    assert await rows(other_tenant, bluesoft) == []  # our customer, another tenant
    assert await rows(other_tenant, other_customer) == [[999999]]
    async with seeded_db.sessions() as s:
        kestrel_count = await s.scalar(
            select(func.count()).select_from(Contract).where(Contract.customer_id == kestrel)
        )
    assert len(await rows(TENANT, kestrel)) <= int(kestrel_count or 0)


async def test_a_huge_result_is_cut_at_the_row_limit(seeded_db: Database) -> None:
    sql = (
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000) "
        "SELECT i FROM n"
    )
    result = await _query(seeded_db, sql)
    assert len(result.rows) == db_query.ROW_LIMIT and result.truncated
    small = await _query(seeded_db, sql, row_limit=5)
    assert [r[0] for r in small.rows] == [1, 2, 3, 4, 5] and small.truncated


async def test_a_slow_query_is_stopped(seeded_db: Database) -> None:
    sql = (
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000000000) "
        "SELECT count(*) FROM n"
    )
    with pytest.raises(QueryFailed, match=r"longer than 0\.3 s"):
        await _query(seeded_db, sql, timeout_s=0.3)


async def test_database_errors_are_reported_not_raised_raw(seeded_db: Database) -> None:
    with pytest.raises(QueryFailed, match="refused the query"):
        await _query(seeded_db, "SELECT no_such_column FROM contracts")


async def test_the_database_itself_refuses_writes(seeded_db: Database) -> None:
    """The second fence: even a write that slipped past the check could not change anything."""
    async with seeded_db.sessions() as s:
        before = await s.scalar(select(func.count()).select_from(Contract))
    write = "DELETE FROM contracts"
    with pytest.raises(QueryFailed):
        if seeded_db.dialect == "sqlite":
            db_query._sqlite_fetch(db_query._sqlite_path(seeded_db), write, {}, 1, 2.0)
        else:
            await db_query._postgres_fetch(seeded_db, write, (), 2.0)
    async with seeded_db.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Contract)) == before


async def test_the_tool_runs_as_its_own_role_on_postgresql(seeded_db: Database) -> None:
    """Third fence (PostgreSQL): the statement runs as renubu_query, which may read the views'
    tables and nothing else — not even with the check bypassed."""
    if seeded_db.dialect != "postgresql":
        pytest.skip("SQLite has no roles: its tool connection is read-only instead")
    _columns, rows = await db_query._postgres_fetch(seeded_db, "SELECT current_user", (), 2.0)
    assert rows == [("renubu_query",)]
    for table in ("tenants", "notifications", "audit_log", "company_settings"):
        with pytest.raises(QueryFailed, match="permission denied"):
            await db_query._postgres_fetch(seeded_db, f"SELECT count(*) FROM {table}", (), 2.0)


def test_the_check_reports_relations_and_strips_the_semicolon() -> None:
    checked = check(
        "SELECT c.arr FROM contracts c JOIN health_history h ON true;  ",
        dialect="sqlite",
        views=db_query.VIEWS,
    )
    assert checked.sql == "SELECT c.arr FROM contracts c JOIN health_history h ON true"
    assert checked.relations == ["contracts", "health_history"]
