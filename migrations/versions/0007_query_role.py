"""PostgreSQL: the role the assistant's database_query tool runs as

The tool's SELECT ran as the app's own login (often a superuser on a team's server): its rows
were confined to one customer, but the server's catalog and settings were readable. This
revision creates `renubu_query` (NOLOGIN, no rights of its own), lets it read only the tables the
tool's views are built on, in this schema, and makes the migrating login a member so the app can
`SET LOCAL ROLE renubu_query` for each query. On a team's database the owner runs this once;
each CSM's login role needs `GRANT renubu_query TO <role>` (README, "A team's database").

A login that may not create roles gets a notice instead of a failure; the tool then refuses to
run until an owner has run `renubu db upgrade` (it never falls back to the app's own rights).
SQLite has no roles: its tool connection is opened read-only instead. Nothing to do there.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 07:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLE = "renubu_query"
TABLES = (
    "customers",
    "users",
    "customer_intelligence",
    "customer_usage_metrics",
    "customer_engagement",
    "customer_financials",
    "customer_stakeholders",
    "contracts",
    "workflow_tasks",
    "workflow_executions",
    "workflow_step_executions",
    "workflows",
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    tables = ", ".join(f"%1$I.{t}" for t in TABLES)
    op.execute(
        f"""
        DO $$
        BEGIN
            -- Roles are shared by every schema of the cluster: two migrations at once (a team
            -- upgrading, parallel test workers) would both see no role and both create it.
            PERFORM pg_advisory_xact_lock(hashtext('{ROLE}'));
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{ROLE}') THEN
                BEGIN
                    CREATE ROLE {ROLE} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
                EXCEPTION WHEN duplicate_object OR unique_violation THEN
                    NULL;  -- made meanwhile from another database of the cluster
                END;
            END IF;
            EXECUTE format('GRANT USAGE ON SCHEMA %1$I TO {ROLE}', current_schema());
            EXECUTE format('GRANT SELECT ON {tables} TO {ROLE}', current_schema());
            EXECUTE format('GRANT {ROLE} TO %I', current_user);
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE 'renubu: cannot create or grant the role {ROLE} (%); '
                'the assistant''s database_query tool stays off until an owner runs '
                '`renubu db upgrade`', SQLERRM;
        END
        $$;
        """
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    tables = ", ".join(f"%1$I.{t}" for t in TABLES)
    op.execute(
        f"""
        DO $$
        BEGIN
            IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{ROLE}') THEN
                EXECUTE format('REVOKE SELECT ON {tables} FROM {ROLE}', current_schema());
                EXECUTE format('REVOKE USAGE ON SCHEMA %1$I FROM {ROLE}', current_schema());
            END IF;
        END
        $$;
        """
    )
