"""PostgreSQL: identities the database vouches for, and tenant isolation by row-level security

Each CSM connects with a login role of their own, a member of their tenant's group role. This
revision records which role is whom (`users.db_role`: a login role; `tenants.db_role`: the
tenant's group role) and lets a connection see only the rows of the tenants whose group role
its login (`session_user`) is a member of, through row-level security policies on every table
that holds tenant rows — for the app, the assistant's `renubu_query` role and psql alike.

- `renubu_tenant_ids()` (STABLE, SECURITY DEFINER, search path pinned to this schema): the ids
  of the tenants the login belongs to; every tenant for a login that bypasses row-level security
  anyway (a superuser, BYPASSRLS, the tables' owner), so the owner's `SET ROLE renubu_query`
  keeps seeing what it sees today. Policies call it as `(SELECT renubu_tenant_ids())`, an
  InitPlan evaluated once per statement, not once per row.
- Tables with a `tenant_id`: a row is visible and writable when its tenant is the login's. Where
  `tenant_id` may be NULL (shipped rows shared by every tenant: core workflows, the global
  configuration, saved actions, the step library, knowledge), NULL rows are readable, never
  writable. `tenants`: readable for the login's own tenants only. `audit_log`: readable and
  insertable, never changed or deleted (append-only for CSMs).
- Tables without a `tenant_id` (contracts, customer facts, steps, chat messages …): a row is
  visible when its parent row is (the policy reads the parent, itself under its own policy).
- Row-level security is enabled, not forced: the tables' owner (migrations, `renubu db seed`,
  a nightly `renubu queue build`) and superusers see everything, as before this revision.
- `audit_log.db_role` is set by a trigger to the login (`session_user`) of every insert, so the
  trail records the login beside the user it acted as, and no session can write another login.
- The role `renubu_admin` (NOLOGIN, cluster-wide like `renubu_query`): a login that is a member
  may act as another user of its tenants with `--user`; no other login may.

SQLite gets the three columns and nothing else: it has one user and no roles.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08 07:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ADMIN_ROLE = "renubu_admin"
TENANT_IDS = "renubu_tenant_ids"
AUDIT_TRIGGER = "renubu_audit_login"

# tenant_id NOT NULL: visible and writable for the login's tenants
TENANT_TABLES = (
    "action_executions",
    "company_settings",
    "customers",
    "notification_sweeps",
    "notifications",
    "queue_items",
    "queue_state",
    "users",
    "workflow_chat_threads",
    "workflow_executions",
    "workflow_task_artifacts",
    "workflow_tasks",
)
# tenant_id NULL for shipped rows every tenant shares: those are readable, not writable
SHARED_TABLES = (
    "config_entries",
    "knowledge_documents",
    "saved_actions",
    "workflow_step_library",
    "workflows",
)
# tables without tenant_id: (table, [(column, parent table)]); visible when a parent row is
CHILD_TABLES: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("contracts", (("customer_id", "customers"),)),
    ("customer_engagement", (("customer_id", "customers"),)),
    ("customer_financials", (("customer_id", "customers"),)),
    ("customer_intelligence", (("customer_id", "customers"),)),
    ("customer_stakeholders", (("customer_id", "customers"),)),
    ("customer_usage_metrics", (("customer_id", "customers"),)),
    ("user_preferences", (("user_id", "users"),)),
    ("workflow_step_executions", (("execution_id", "workflow_executions"),)),
    (
        "workflow_llm_context",
        (("execution_id", "workflow_executions"), ("thread_id", "workflow_chat_threads")),
    ),
    ("workflow_chat_messages", (("thread_id", "workflow_chat_threads"),)),
    ("workflow_llm_tool_calls", (("thread_id", "workflow_chat_threads"),)),
)
# children of a table with shared rows: readable with the parent, writable under a tenant's own
SHARED_CHILD_TABLES = (
    ("workflow_versions", "workflow_id", "workflows"),
    ("workflow_chat_branches", "workflow_id", "workflows"),
)
POLICY_TABLES = (
    *TENANT_TABLES,
    *SHARED_TABLES,
    *(t for t, _ in CHILD_TABLES),
    *(t for t, _, _ in SHARED_CHILD_TABLES),
    "tenants",
    "audit_log",
)


def upgrade() -> None:
    op.add_column("tenants", sa.Column("db_role", sa.String(length=63), nullable=True))
    op.create_index("ix_tenants_db_role", "tenants", ["db_role"], unique=True)
    op.add_column("users", sa.Column("db_role", sa.String(length=63), nullable=True))
    op.create_index("ix_users_tenant_db_role", "users", ["tenant_id", "db_role"], unique=True)
    op.add_column("audit_log", sa.Column("db_role", sa.String(length=63), nullable=True))
    if op.get_bind().dialect.name != "postgresql":
        return
    schema = _quote(op.get_bind().exec_driver_sql("SELECT current_schema()").scalar_one())
    _create_admin_role()
    op.execute(
        f"""
        CREATE OR REPLACE FUNCTION {schema}.{TENANT_IDS}() RETURNS uuid[]
        LANGUAGE sql STABLE SECURITY DEFINER
        SET search_path = {schema}, pg_catalog, pg_temp
        AS $fn$
            SELECT CASE
                WHEN EXISTS (
                        SELECT 1 FROM pg_roles r
                        WHERE r.rolname = session_user AND (r.rolsuper OR r.rolbypassrls)
                    )
                    OR pg_has_role(
                        session_user,
                        (SELECT c.relowner FROM pg_class c WHERE c.oid = '{schema}.tenants'::regclass),
                        'USAGE'
                    )
                THEN (SELECT coalesce(array_agg(t.id), '{{}}') FROM tenants t)
                ELSE (
                    SELECT coalesce(array_agg(t.id), '{{}}')
                    FROM tenants t JOIN pg_roles g ON g.rolname = t.db_role
                    WHERE pg_has_role(session_user, g.oid, 'MEMBER')
                )
            END
        $fn$
        """
    )
    op.execute(f"GRANT EXECUTE ON FUNCTION {schema}.{TENANT_IDS}() TO PUBLIC")
    mine = f"tenant_id = ANY ((SELECT {schema}.{TENANT_IDS}())::uuid[])"
    for table in POLICY_TABLES:
        op.execute(f"ALTER TABLE {schema}.{table} ENABLE ROW LEVEL SECURITY")
    for table in TENANT_TABLES:
        op.execute(
            f"CREATE POLICY renubu_tenant ON {schema}.{table} USING ({mine}) WITH CHECK ({mine})"
        )
    for table in SHARED_TABLES:
        op.execute(
            f"CREATE POLICY renubu_shared ON {schema}.{table} FOR SELECT "
            f"USING (tenant_id IS NULL OR {mine})"
        )
        op.execute(
            f"CREATE POLICY renubu_tenant ON {schema}.{table} USING ({mine}) WITH CHECK ({mine})"
        )
    for table, parents in CHILD_TABLES:
        visible = " OR ".join(
            f"EXISTS (SELECT 1 FROM {schema}.{parent} p WHERE p.id = {table}.{column})"
            for column, parent in parents
        )
        op.execute(
            f"CREATE POLICY renubu_parent ON {schema}.{table} "
            f"USING ({visible}) WITH CHECK ({visible})"
        )
    for table, column, parent in SHARED_CHILD_TABLES:
        visible = f"EXISTS (SELECT 1 FROM {schema}.{parent} p WHERE p.id = {table}.{column})"
        own = (
            f"EXISTS (SELECT 1 FROM {schema}.{parent} p "
            f"WHERE p.id = {table}.{column} AND p.tenant_id IS NOT NULL)"
        )
        op.execute(f"CREATE POLICY renubu_shared ON {schema}.{table} FOR SELECT USING ({visible})")
        op.execute(
            f"CREATE POLICY renubu_tenant ON {schema}.{table} USING ({own}) WITH CHECK ({own})"
        )
    op.execute(
        f"CREATE POLICY renubu_tenant ON {schema}.tenants FOR SELECT "
        f"USING (id = ANY ((SELECT {schema}.{TENANT_IDS}())::uuid[]))"
    )
    op.execute(
        f"CREATE POLICY renubu_read ON {schema}.audit_log FOR SELECT "
        f"USING (tenant_id IS NULL OR {mine})"
    )
    op.execute(f"CREATE POLICY renubu_append ON {schema}.audit_log FOR INSERT WITH CHECK ({mine})")
    op.execute(
        f"""
        CREATE OR REPLACE FUNCTION {schema}.{AUDIT_TRIGGER}() RETURNS trigger
        LANGUAGE plpgsql AS $fn$
        BEGIN
            NEW.db_role := session_user;
            RETURN NEW;
        END
        $fn$
        """
    )
    op.execute(
        f"CREATE TRIGGER {AUDIT_TRIGGER} BEFORE INSERT ON {schema}.audit_log "
        f"FOR EACH ROW EXECUTE FUNCTION {schema}.{AUDIT_TRIGGER}()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        schema = _quote(op.get_bind().exec_driver_sql("SELECT current_schema()").scalar_one())
        op.execute(f"DROP TRIGGER IF EXISTS {AUDIT_TRIGGER} ON {schema}.audit_log")
        op.execute(f"DROP FUNCTION IF EXISTS {schema}.{AUDIT_TRIGGER}()")
        for table in POLICY_TABLES:
            for policy in ("renubu_tenant", "renubu_shared", "renubu_parent", "renubu_read"):
                op.execute(f"DROP POLICY IF EXISTS {policy} ON {schema}.{table}")
            op.execute(f"DROP POLICY IF EXISTS renubu_append ON {schema}.{table}")
            op.execute(f"ALTER TABLE {schema}.{table} DISABLE ROW LEVEL SECURITY")
        op.execute(f"DROP FUNCTION IF EXISTS {schema}.{TENANT_IDS}()")
        # renubu_admin stays: roles belong to the cluster, other databases may use it
    op.drop_column("audit_log", "db_role")
    op.drop_index("ix_users_tenant_db_role", table_name="users")
    op.drop_column("users", "db_role")
    op.drop_index("ix_tenants_db_role", table_name="tenants")
    op.drop_column("tenants", "db_role")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _create_admin_role() -> None:
    op.execute(
        f"""
        DO $$
        BEGIN
            -- shared by every database of the cluster; two upgrades at once must not both make it
            PERFORM pg_advisory_xact_lock(hashtext('{ADMIN_ROLE}'));
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{ADMIN_ROLE}') THEN
                BEGIN
                    CREATE ROLE {ADMIN_ROLE} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
                EXCEPTION WHEN duplicate_object OR unique_violation THEN
                    NULL;  -- made meanwhile from another database of the cluster
                END;
            END IF;
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE 'renubu: cannot create the role {ADMIN_ROLE} (%); '
                'until an owner does, no login may act as another user', SQLERRM;
        END
        $$;
        """
    )
