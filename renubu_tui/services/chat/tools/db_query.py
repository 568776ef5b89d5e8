"""The `database_query` tool: one read-only SELECT over views of the current customer only.

Read-only by construction, in layers, so that no single mistake opens the data:

1. `sql_check` accepts one SELECT whose relations are all allow-listed views (or its own CTEs),
   with no writes, comments, parameters, catalogs, real table names or dangerous functions.
2. The views are CTEs this module prepends, each bound (parameters, never text) to the current
   tenant AND customer: the query text has no way to name another customer's rows.
3. The database enforces the rest: PostgreSQL runs it in a READ ONLY transaction with a
   statement timeout, as the role `renubu_query` (migration 0007: SELECT on the views' tables
   and nothing else, never the app's own rights); SQLite on a separate connection opened
   read-only (`mode=ro`, `query_only`, no ATTACH, capped value sizes) with a progress handler
   as the time limit.
4. The result is wrapped as `SELECT * FROM (…) LIMIT n+1`: at most n rows come back, and
   `truncated` says when there were more.

Dated views (history, contracts, notes, tasks, executions) show what was known on `today`, as
the context does; a task or an execution made or finished after the end of that day (UTC) is
not shown as made or finished.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from renubu_tui.data.engine import Database
from renubu_tui.services.chat.tools.sql_check import QueryRefused, check

QUERY_ROLE = "renubu_query"  # created by migration 0007
NO_ROLE = (
    f"the assistant's database queries run as the role {QUERY_ROLE}, which this database does "
    "not have or has not granted you: the database owner runs `renubu db upgrade` (README, "
    f"a team's database: GRANT {QUERY_ROLE} TO your role)"
)
ROW_LIMIT = 200
TIMEOUT_S = 2.0
MAX_CELL_CHARS = 500
SQLITE_MAX_VALUE_BYTES = 1_000_000

# name -> (columns for the tool description, body with {t} for the table prefix)
VIEWS: dict[str, tuple[str, str]] = {
    "customer_overview": (
        "name, slug, domain, industry, account_plan, csm_name, csm_email, ae_email, sa_email, "
        "executive_sponsor_email",
        "SELECT c.name, c.slug, c.domain, c.industry, c.account_plan, u.name AS csm_name, "
        "u.email AS csm_email, c.ae_email, c.sa_email, c.executive_sponsor_email "
        "FROM {t}customers AS c LEFT JOIN {t}users AS u "
        "ON u.id = c.owner_id AND u.tenant_id = c.tenant_id "
        "WHERE c.tenant_id = {tenant} AND c.id = {customer}",
    ),
    "health_history": (
        "as_of_date, health_score, risk_score, opportunity_score, churn_probability, "
        "expansion_probability, health_trend, usage_trend, engagement_trend",
        "SELECT i.as_of_date, i.health_score, i.risk_score, i.opportunity_score, "
        "i.churn_probability, i.expansion_probability, i.health_trend, i.usage_trend, "
        "i.engagement_trend FROM {t}customer_intelligence AS i "
        "JOIN renubu_customer AS k ON k.id = i.customer_id WHERE i.as_of_date <= {today}",
    ),
    "usage_history": (
        "as_of_date, active_users, licensed_users, utilization_rate, adoption_rate, trend, "
        "last_activity_date",
        "SELECT m.as_of_date, m.active_users, m.licensed_users, m.utilization_rate, "
        "m.adoption_rate, m.trend, m.last_activity_date FROM {t}customer_usage_metrics AS m "
        "JOIN renubu_customer AS k ON k.id = m.customer_id WHERE m.as_of_date <= {today}",
    ),
    "engagement_history": (
        "as_of_date, last_contact_date, last_qbr_date, next_qbr_date, nps_score, csat_score, "
        "sentiment, open_tickets, engagement_score",
        "SELECT e.as_of_date, e.last_contact_date, e.last_qbr_date, e.next_qbr_date, "
        "e.nps_score, e.csat_score, e.sentiment, e.open_tickets, e.engagement_score "
        "FROM {t}customer_engagement AS e JOIN renubu_customer AS k ON k.id = e.customer_id "
        "WHERE e.as_of_date <= {today}",
    ),
    "financial_history": (
        "valid_from, valid_to, current_arr, previous_arr, projected_arr, trend, growth_rate, "
        "payment_status",
        "SELECT f.valid_from, f.valid_to, f.current_arr, f.previous_arr, f.projected_arr, "
        "f.trend, f.growth_rate, f.payment_status FROM {t}customer_financials AS f "
        "JOIN renubu_customer AS k ON k.id = f.customer_id WHERE f.valid_from <= {today}",
    ),
    "stakeholders": (
        "name, title, email, role, is_champion, is_decision_maker, influence, sentiment, "
        "description",
        "SELECT s.name, s.title, s.email, s.role, s.is_champion, s.is_decision_maker, "
        "s.influence, s.sentiment, s.description FROM {t}customer_stakeholders AS s "
        "JOIN renubu_customer AS k ON k.id = s.customer_id",
    ),
    "notes": (
        "stakeholder, date, text",
        "{notes}",
    ),
    # tasks and executions as of the end of today ({eod}, UTC): none made later, none done later
    "tasks": (
        "title, description, status, priority, due_date, step_id, completed_at",
        "SELECT w.title, w.description, CASE WHEN w.completed_at >= {eod} "
        "AND w.status = 'completed' THEN 'pending' ELSE w.status END AS status, w.priority, "
        "w.due_date, w.step_id, CASE WHEN w.completed_at < {eod} THEN w.completed_at END "
        "AS completed_at FROM {t}workflow_tasks AS w "
        "WHERE w.tenant_id = {tenant} AND w.customer_id = {customer} AND w.created_at < {eod}",
    ),
    "executions": (
        "workflow, workflow_type, status, current_step_id, started_at, completed_at, outcome",
        "SELECT f.name AS workflow, x.workflow_type, CASE WHEN x.completed_at >= {eod} "
        "THEN 'in_progress' ELSE x.status END AS status, CASE WHEN x.completed_at >= {eod} "
        "OR x.current_step_id IS NOT NULL THEN (SELECT s.step_id FROM "
        "{t}workflow_step_executions AS s WHERE s.execution_id = x.id AND s.started_at < {eod} "
        "ORDER BY s.started_at DESC, s.attempt DESC LIMIT 1) END AS current_step_id, "
        "x.started_at, CASE WHEN x.completed_at < {eod} THEN x.completed_at END AS completed_at, "
        "CASE WHEN x.completed_at < {eod} THEN x.outcome END AS outcome "
        "FROM {t}workflow_executions AS x JOIN {t}workflows AS f ON f.id = x.workflow_id "
        "WHERE x.tenant_id = {tenant} AND x.customer_id = {customer} "
        "AND coalesce(x.started_at, x.created_at) < {eod}",
    ),
    # last: on PostgreSQL the real table is only reachable by this name before this CTE
    "contracts": (
        "start_date, end_date, arr, term_months, seats, status, signed_on",
        "SELECT o.start_date, o.end_date, o.arr, o.term_months, o.seats, o.status, o.signed_on "
        "FROM {t}contracts AS o JOIN renubu_customer AS k ON k.id = o.customer_id "
        # known on today (domain.contracts): signed by then, or unsigned and started by then
        "WHERE coalesce(o.signed_on, o.start_date) <= {today}",
    ),
}
_NOTES = {
    "sqlite": "SELECT s.name AS stakeholder, json_extract(n.value, '$.date') AS date, "
    "json_extract(n.value, '$.text') AS text FROM {t}customer_stakeholders AS s "
    "JOIN renubu_customer AS k ON k.id = s.customer_id, json_each(s.notes) AS n "
    "WHERE coalesce(json_extract(n.value, '$.date'), '') <= {today}",
    "postgresql": "SELECT s.name AS stakeholder, n.value ->> 'date' AS date, "
    "n.value ->> 'text' AS text FROM {t}customer_stakeholders AS s "
    "JOIN renubu_customer AS k ON k.id = s.customer_id, "
    "jsonb_array_elements(s.notes) AS n(value) "
    "WHERE coalesce(n.value ->> 'date', '') <= {today}::text",
}
_CUSTOMER = "SELECT c.id FROM {t}customers AS c WHERE c.tenant_id = {tenant} AND c.id = {customer}"


class QueryFailed(RuntimeError):
    """The database refused or stopped the query (syntax, time limit, read-only)."""


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[list[Any]]
    truncated: bool

    def as_json(self) -> dict[str, Any]:
        return {"columns": self.columns, "rows": self.rows, "truncated": self.truncated}


def describe_views() -> str:
    """The views and their columns, for the tool's description to the model."""
    return "; ".join(f"{name}({columns})" for name, (columns, _) in VIEWS.items())


def wrapped_sql(user_sql: str, dialect: str, row_limit: int) -> str:
    """The statement actually run: the bound views, then the user's query, row-limited."""
    if dialect == "sqlite":  # timestamps are UTC text: '2025-09-24 10:00:…' < '2025-09-25'
        names = {"tenant": ":tenant", "customer": ":customer", "today": ":today"}
        names["eod"] = "date(:today, '+1 day')"
        prefix = "main."
    else:
        names = {"tenant": "$1", "customer": "$2", "today": "$3::date"}
        names["eod"] = "(($3::date + 1)::timestamp AT TIME ZONE 'UTC')"
        prefix = ""
    ctes = [f"renubu_customer AS ({_CUSTOMER})"]
    for name, (_, body) in VIEWS.items():
        ctes.append(f"{name} AS ({_NOTES[dialect] if name == 'notes' else body})")
    views = ",\n".join(c.format(t=prefix, **names) for c in ctes)
    return f"WITH {views}\nSELECT * FROM (\n{user_sql}\n) AS renubu_query LIMIT {row_limit + 1}"


def _denied_names() -> set[str]:
    from renubu_tui.data.models import Base

    return {*Base.metadata.tables, "alembic_version", "renubu_customer", "renubu_query"}


async def run_query(
    db: Database,
    tenant_id: uuid.UUID,
    customer_id: uuid.UUID,
    sql: str,
    *,
    today: dt.date,
    row_limit: int = ROW_LIMIT,
    timeout_s: float = TIMEOUT_S,
) -> QueryResult:
    """Run the model's SELECT confined to one customer; QueryRefused / QueryFailed say why not."""
    if not isinstance(sql, str) or not sql.strip():
        raise QueryRefused("pass one SELECT statement as `sql`")
    checked = check(sql, dialect=db.dialect, views=VIEWS, denied_names=_denied_names())
    statement = wrapped_sql(checked.sql, db.dialect, row_limit)
    if db.dialect == "sqlite":
        params = {"tenant": tenant_id.hex, "customer": customer_id.hex, "today": today.isoformat()}
        columns, rows = await asyncio.to_thread(
            _sqlite_fetch, _sqlite_path(db), statement, params, row_limit + 1, timeout_s
        )
    else:
        columns, rows = await _postgres_fetch(
            db, statement, (tenant_id, customer_id, today), timeout_s
        )
    truncated = len(rows) > row_limit
    return QueryResult(
        columns, [[_jsonable(v) for v in row] for row in rows[:row_limit]], truncated
    )


def _sqlite_path(db: Database) -> Path:
    name = db.engine.url.database
    if not name or name == ":memory:" or name.startswith("file:"):
        raise QueryFailed("database_query needs a database file (not an in-memory database)")
    return Path(name).expanduser().resolve()


def _sqlite_fetch(
    path: Path, statement: str, params: dict[str, Any], limit: int, timeout_s: float
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """On its own read-only connection: no write can happen whatever the statement says."""
    con = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=timeout_s)
    try:
        con.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
        con.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, SQLITE_MAX_VALUE_BYTES)
        con.execute("PRAGMA query_only = ON")
        deadline = time.monotonic() + timeout_s
        con.set_progress_handler(lambda: int(time.monotonic() > deadline), 1000)
        try:
            cursor = con.execute(statement, params)
            rows = cursor.fetchmany(limit)
        except sqlite3.Error as exc:
            if time.monotonic() > deadline or "interrupted" in str(exc):
                raise QueryFailed(f"the query took longer than {timeout_s:g} s") from None
            raise QueryFailed(f"the database refused the query: {exc}") from None
        columns = [d[0] for d in cursor.description or ()]
        return columns, rows
    finally:
        con.close()


async def _postgres_fetch(
    db: Database, statement: str, params: tuple[Any, ...], timeout_s: float
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """In a READ ONLY transaction with a statement timeout, on the driver connection."""
    import asyncpg

    async with db.engine.connect() as conn:
        raw = await conn.get_raw_connection()
        driver: asyncpg.Connection = raw.driver_connection
        try:
            async with driver.transaction(readonly=True):
                await driver.execute("SET TRANSACTION READ ONLY")
                try:  # the tool's own role: SELECT on the views' tables, nothing else
                    await driver.execute(f"SET LOCAL ROLE {QUERY_ROLE}")
                except asyncpg.PostgresError:
                    raise QueryFailed(NO_ROLE) from None
                await driver.execute(f"SET LOCAL statement_timeout = {int(timeout_s * 1000)}")
                await driver.execute("SET LOCAL standard_conforming_strings = on")
                prepared = await driver.prepare(statement)
                records = await prepared.fetch(*params)
                columns = [a.name for a in prepared.get_attributes()]
        except asyncpg.QueryCanceledError:
            raise QueryFailed(f"the query took longer than {timeout_s:g} s") from None
        except asyncpg.PostgresError as exc:
            raise QueryFailed(f"the database refused the query: {exc}") from None
    return columns, [tuple(r) for r in records]


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return value if len(value) <= MAX_CELL_CHARS else value[:MAX_CELL_CHARS] + "…"
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return f"<{len(bytes(value))} bytes>"
    return _jsonable(str(value))


__all__ = [
    "ROW_LIMIT",
    "VIEWS",
    "QueryFailed",
    "QueryRefused",
    "QueryResult",
    "describe_views",
    "run_query",
    "wrapped_sql",
]
