"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 04:21:36.980797
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tenants",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenants")),
        sa.UniqueConstraint("slug", name=op.f("uq_tenants_slug")),
    )
    op.create_table(
        "company_settings",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("company_name", sa.String(length=200), nullable=False),
        sa.Column("vp_customer_success_email", sa.String(length=254), nullable=True),
        sa.Column("ceo_email", sa.String(length=254), nullable=True),
        sa.Column("cs_team_email", sa.String(length=254), nullable=True),
        sa.Column("seed_anchor_date", sa.Date(), nullable=True),
        sa.Column(
            "settings",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_company_settings_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_company_settings")),
    )
    op.create_table(
        "config_entries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=True),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column(
            "value",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=254), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_config_entries_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_config_entries")),
    )
    with op.batch_alter_table("config_entries", schema=None) as batch_op:
        batch_op.create_index(
            "uq_config_entries_global_key",
            ["key"],
            unique=True,
            sqlite_where=sa.text("tenant_id IS NULL"),
            postgresql_where=sa.text("tenant_id IS NULL"),
        )
        batch_op.create_index(
            "uq_config_entries_tenant_key",
            ["tenant_id", "key"],
            unique=True,
            sqlite_where=sa.text("tenant_id IS NOT NULL"),
            postgresql_where=sa.text("tenant_id IS NOT NULL"),
        )

    op.create_table(
        "knowledge_documents",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=True),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("category", sa.String(length=80), nullable=True),
        sa.Column(
            "tags",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_knowledge_documents_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_documents")),
    )
    with op.batch_alter_table("knowledge_documents", schema=None) as batch_op:
        batch_op.create_index(
            "uq_knowledge_documents_core_slug",
            ["slug"],
            unique=True,
            sqlite_where=sa.text("tenant_id IS NULL"),
            postgresql_where=sa.text("tenant_id IS NULL"),
        )
        batch_op.create_index(
            "uq_knowledge_documents_tenant_slug",
            ["tenant_id", "slug"],
            unique=True,
            sqlite_where=sa.text("tenant_id IS NOT NULL"),
            postgresql_where=sa.text("tenant_id IS NOT NULL"),
        )

    op.create_table(
        "saved_actions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=True),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("action_type", sa.String(length=30), nullable=False),
        sa.Column("handler", sa.String(length=40), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "params_schema",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "defaults",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("(true)"), nullable=False),
        sa.CheckConstraint(
            "action_type IN ('snooze', 'skip', 'escalate', 'schedule_meeting', 'send_email', 'create_task', 'workflow_action')",
            name=op.f("ck_saved_actions_action_type_valid"),
        ),
        sa.CheckConstraint(
            "handler IN ('snooze', 'skip', 'escalate', 'schedule_meeting', 'send_email', 'create_task', 'create_war_room', 'create_slack_channel', 'manager_acknowledge')",
            name=op.f("ck_saved_actions_handler_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_saved_actions_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_actions")),
    )
    with op.batch_alter_table("saved_actions", schema=None) as batch_op:
        batch_op.create_index(
            "uq_saved_actions_core_slug",
            ["slug"],
            unique=True,
            sqlite_where=sa.text("tenant_id IS NULL"),
            postgresql_where=sa.text("tenant_id IS NULL"),
        )
        batch_op.create_index(
            "uq_saved_actions_tenant_slug",
            ["tenant_id", "slug"],
            unique=True,
            sqlite_where=sa.text("tenant_id IS NOT NULL"),
            postgresql_where=sa.text("tenant_id IS NOT NULL"),
        )

    op.create_table(
        "users",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("experience_level", sa.String(length=20), nullable=True),
        sa.Column("manager_id", sa.Uuid(), nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("(true)"), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "experience_level IN ('junior', 'mid', 'senior', 'expert')",
            name=op.f("ck_users_experience_level_valid"),
        ),
        sa.CheckConstraint(
            "role IN ('csm', 'manager', 'vp', 'ceo')", name=op.f("ck_users_role_valid")
        ),
        sa.ForeignKeyConstraint(
            ["manager_id"],
            ["users.id"],
            name=op.f("fk_users_manager_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_users_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("tenant_id", "email", name=op.f("uq_users_tenant_id_email")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_manager_id"), ["manager_id"], unique=False)

    op.create_table(
        "workflow_step_library",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=True),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("step_type", sa.String(length=40), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "definition",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "data_required",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "collects",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_workflow_step_library_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_step_library")),
    )
    with op.batch_alter_table("workflow_step_library", schema=None) as batch_op:
        batch_op.create_index(
            "uq_workflow_step_library_core_slug",
            ["slug"],
            unique=True,
            sqlite_where=sa.text("tenant_id IS NULL"),
            postgresql_where=sa.text("tenant_id IS NULL"),
        )
        batch_op.create_index(
            "uq_workflow_step_library_tenant_slug",
            ["tenant_id", "slug"],
            unique=True,
            sqlite_where=sa.text("tenant_id IS NOT NULL"),
            postgresql_where=sa.text("tenant_id IS NOT NULL"),
        )

    op.create_table(
        "workflows",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=True),
        sa.Column("is_core", sa.Boolean(), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("workflow_type", sa.String(length=20), nullable=False),
        sa.Column("format", sa.String(length=20), nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("(true)"), nullable=False),
        sa.Column("trigger_min_days", sa.Integer(), nullable=True),
        sa.Column("trigger_max_days", sa.Integer(), nullable=True),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column(
            "config",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "format IN ('config', 'composition')", name=op.f("ck_workflows_format_valid")
        ),
        sa.CheckConstraint(
            "workflow_type IN ('renewal', 'strategic', 'opportunity', 'risk')",
            name=op.f("ck_workflows_workflow_type_valid"),
        ),
        sa.CheckConstraint(
            "(is_core AND tenant_id IS NULL) OR (NOT is_core AND tenant_id IS NOT NULL)",
            name=op.f("ck_workflows_core_has_no_tenant"),
        ),
        sa.CheckConstraint("current_version >= 1", name=op.f("ck_workflows_version_positive")),
        sa.CheckConstraint(
            "trigger_min_days IS NULL OR trigger_max_days IS NULL OR trigger_min_days <= trigger_max_days",
            name=op.f("ck_workflows_trigger_ordered"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_workflows_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflows")),
    )
    with op.batch_alter_table("workflows", schema=None) as batch_op:
        batch_op.create_index(
            "ix_workflows_type_active", ["workflow_type", "is_active"], unique=False
        )
        batch_op.create_index(
            "uq_workflows_core_slug",
            ["slug"],
            unique=True,
            sqlite_where=sa.text("tenant_id IS NULL"),
            postgresql_where=sa.text("tenant_id IS NULL"),
        )
        batch_op.create_index(
            "uq_workflows_tenant_slug",
            ["tenant_id", "slug"],
            unique=True,
            sqlite_where=sa.text("tenant_id IS NOT NULL"),
            postgresql_where=sa.text("tenant_id IS NOT NULL"),
        )

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=True),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("actor_label", sa.String(length=254), nullable=False),
        sa.Column("entity_type", sa.String(length=60), nullable=False),
        sa.Column("entity_id", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column(
            "old_value",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "new_value",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_audit_log_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_audit_log_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(
            "ix_audit_log_entity", ["entity_type", "entity_id", "created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_audit_log_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "customers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("domain", sa.String(length=253), nullable=False),
        sa.Column("industry", sa.String(length=120), nullable=True),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("account_plan", sa.String(length=20), nullable=True),
        sa.Column("ae_email", sa.String(length=254), nullable=True),
        sa.Column("sa_email", sa.String(length=254), nullable=True),
        sa.Column("executive_sponsor_email", sa.String(length=254), nullable=True),
        sa.Column("is_synthetic", sa.Boolean(), server_default=sa.text("(false)"), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "account_plan IN ('invest', 'expand', 'manage', 'monitor')",
            name=op.f("ck_customers_account_plan_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_customers_owner_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_customers_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
        sa.UniqueConstraint("tenant_id", "domain", name=op.f("uq_customers_tenant_id_domain")),
        sa.UniqueConstraint("tenant_id", "slug", name=op.f("uq_customers_tenant_id_slug")),
    )
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.create_index("ix_customers_tenant_name", ["tenant_id", "name"], unique=False)
        batch_op.create_index("ix_customers_tenant_owner", ["tenant_id", "owner_id"], unique=False)

    op.create_table(
        "user_preferences",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column(
            "preferences",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_user_preferences_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_user_preferences")),
    )
    op.create_table(
        "workflow_chat_branches",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workflow_id", sa.Uuid(), nullable=False),
        sa.Column("step_id", sa.String(length=120), nullable=False),
        sa.Column("branch_key", sa.String(length=80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("branch_type", sa.String(length=20), nullable=False),
        sa.Column(
            "prompts",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("response", sa.Text(), nullable=True),
        sa.Column("next_step_id", sa.String(length=120), nullable=True),
        sa.Column("route", sa.String(length=80), nullable=True),
        sa.Column("saved_action_slug", sa.String(length=80), nullable=True),
        sa.Column("return_step_id", sa.String(length=120), nullable=True),
        sa.CheckConstraint(
            "branch_type IN ('fixed', 'llm', 'saved_action', 'rag')",
            name=op.f("ck_workflow_chat_branches_branch_type_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["workflow_id"],
            ["workflows.id"],
            name=op.f("fk_workflow_chat_branches_workflow_id_workflows"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_chat_branches")),
        sa.UniqueConstraint(
            "workflow_id",
            "step_id",
            "branch_key",
            name=op.f("uq_workflow_chat_branches_workflow_id_step_id_branch_key"),
        ),
    )
    op.create_table(
        "workflow_versions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workflow_id", sa.Uuid(), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("semver", sa.String(length=40), nullable=False),
        sa.Column(
            "config",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("change_note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=254), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "version_number >= 1", name=op.f("ck_workflow_versions_version_positive")
        ),
        sa.ForeignKeyConstraint(
            ["workflow_id"],
            ["workflows.id"],
            name=op.f("fk_workflow_versions_workflow_id_workflows"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_versions")),
        sa.UniqueConstraint(
            "workflow_id",
            "version_number",
            name=op.f("uq_workflow_versions_workflow_id_version_number"),
        ),
    )
    op.create_table(
        "contracts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("arr", sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=False),
        sa.Column("term_months", sa.Integer(), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.CheckConstraint(
            "status IN ('active', 'renewed', 'pending', 'cancelled')",
            name=op.f("ck_contracts_status_valid"),
        ),
        sa.CheckConstraint("arr >= 0", name=op.f("ck_contracts_arr_not_negative")),
        sa.CheckConstraint("end_date >= start_date", name=op.f("ck_contracts_period_ordered")),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_contracts_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contracts")),
        sa.UniqueConstraint(
            "customer_id", "start_date", name=op.f("uq_contracts_customer_id_start_date")
        ),
    )
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_contracts_customer_period", ["customer_id", "end_date", "start_date"], unique=False
        )

    op.create_table(
        "customer_engagement",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("as_of_date", sa.Date(), nullable=False),
        sa.Column("last_contact_date", sa.Date(), nullable=True),
        sa.Column("last_qbr_date", sa.Date(), nullable=True),
        sa.Column("next_qbr_date", sa.Date(), nullable=True),
        sa.Column("nps_score", sa.Integer(), nullable=True),
        sa.Column("csat_score", sa.Float(), nullable=True),
        sa.Column("sentiment", sa.String(length=10), nullable=True),
        sa.Column("open_tickets", sa.Integer(), nullable=True),
        sa.Column("engagement_score", sa.Float(), nullable=True),
        sa.CheckConstraint(
            "sentiment IN ('positive', 'neutral', 'negative')",
            name=op.f("ck_customer_engagement_sentiment_valid"),
        ),
        sa.CheckConstraint(
            "nps_score BETWEEN -100 AND 100", name=op.f("ck_customer_engagement_nps_score_range")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_engagement_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_engagement")),
        sa.UniqueConstraint(
            "customer_id", "as_of_date", name=op.f("uq_customer_engagement_customer_id_as_of_date")
        ),
    )
    op.create_table(
        "customer_financials",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column(
            "current_arr", sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=False
        ),
        sa.Column(
            "previous_arr", sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=True
        ),
        sa.Column(
            "projected_arr", sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=True
        ),
        sa.Column("trend", sa.String(length=10), nullable=True),
        sa.Column("growth_rate", sa.Float(), nullable=True),
        sa.Column("payment_status", sa.String(length=10), nullable=True),
        sa.CheckConstraint(
            "payment_status IN ('current', 'pending', 'late', 'failed')",
            name=op.f("ck_customer_financials_payment_status_valid"),
        ),
        sa.CheckConstraint(
            "trend IN ('up', 'flat', 'down')", name=op.f("ck_customer_financials_trend_valid")
        ),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_to >= valid_from",
            name=op.f("ck_customer_financials_period_ordered"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_financials_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_financials")),
        sa.UniqueConstraint(
            "customer_id", "valid_from", name=op.f("uq_customer_financials_customer_id_valid_from")
        ),
    )
    op.create_table(
        "customer_intelligence",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("as_of_date", sa.Date(), nullable=False),
        sa.Column("risk_score", sa.Float(), nullable=True),
        sa.Column("opportunity_score", sa.Float(), nullable=True),
        sa.Column("health_score", sa.Float(), nullable=True),
        sa.Column("churn_probability", sa.Float(), nullable=True),
        sa.Column("expansion_probability", sa.Float(), nullable=True),
        sa.Column("health_trend", sa.String(length=10), nullable=True),
        sa.Column("usage_trend", sa.String(length=10), nullable=True),
        sa.Column("engagement_trend", sa.String(length=10), nullable=True),
        sa.CheckConstraint(
            "engagement_trend IN ('up', 'flat', 'down')",
            name=op.f("ck_customer_intelligence_engagement_trend_valid"),
        ),
        sa.CheckConstraint(
            "health_trend IN ('up', 'flat', 'down')",
            name=op.f("ck_customer_intelligence_health_trend_valid"),
        ),
        sa.CheckConstraint(
            "usage_trend IN ('up', 'flat', 'down')",
            name=op.f("ck_customer_intelligence_usage_trend_valid"),
        ),
        sa.CheckConstraint(
            "health_score BETWEEN 0 AND 100",
            name=op.f("ck_customer_intelligence_health_score_range"),
        ),
        sa.CheckConstraint(
            "opportunity_score BETWEEN 0 AND 100",
            name=op.f("ck_customer_intelligence_opportunity_score_range"),
        ),
        sa.CheckConstraint(
            "risk_score BETWEEN 0 AND 100", name=op.f("ck_customer_intelligence_risk_score_range")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_intelligence_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_intelligence")),
        sa.UniqueConstraint(
            "customer_id",
            "as_of_date",
            name=op.f("uq_customer_intelligence_customer_id_as_of_date"),
        ),
    )
    op.create_table(
        "customer_stakeholders",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("role", sa.String(length=30), nullable=True),
        sa.Column("is_champion", sa.Boolean(), server_default=sa.text("(false)"), nullable=False),
        sa.Column(
            "is_decision_maker", sa.Boolean(), server_default=sa.text("(false)"), nullable=False
        ),
        sa.Column("influence", sa.String(length=10), nullable=True),
        sa.Column("sentiment", sa.String(length=10), nullable=True),
        sa.Column(
            "notes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("description", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "influence IN ('high', 'medium', 'low')",
            name=op.f("ck_customer_stakeholders_influence_valid"),
        ),
        sa.CheckConstraint(
            "role IN ('decision_maker', 'champion', 'influencer', 'user', 'executive_sponsor')",
            name=op.f("ck_customer_stakeholders_role_valid"),
        ),
        sa.CheckConstraint(
            "sentiment IN ('positive', 'neutral', 'negative')",
            name=op.f("ck_customer_stakeholders_sentiment_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_stakeholders_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_stakeholders")),
        sa.UniqueConstraint(
            "customer_id", "name", name=op.f("uq_customer_stakeholders_customer_id_name")
        ),
    )
    op.create_table(
        "customer_usage_metrics",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("as_of_date", sa.Date(), nullable=False),
        sa.Column("active_users", sa.Integer(), nullable=True),
        sa.Column("licensed_users", sa.Integer(), nullable=True),
        sa.Column("utilization_rate", sa.Float(), nullable=True),
        sa.Column("trend", sa.String(length=10), nullable=True),
        sa.Column("adoption_rate", sa.Float(), nullable=True),
        sa.Column("last_activity_date", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "trend IN ('up', 'flat', 'down')", name=op.f("ck_customer_usage_metrics_trend_valid")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_usage_metrics_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_usage_metrics")),
        sa.UniqueConstraint(
            "customer_id",
            "as_of_date",
            name=op.f("uq_customer_usage_metrics_customer_id_as_of_date"),
        ),
    )
    op.create_table(
        "workflow_executions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("workflow_id", sa.Uuid(), nullable=False),
        sa.Column("workflow_version_id", sa.Uuid(), nullable=False),
        sa.Column("workflow_type", sa.String(length=20), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("current_step_id", sa.String(length=120), nullable=True),
        sa.Column(
            "outputs",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("snoozed_until", sa.Date(), nullable=True),
        sa.Column("snooze_reason", sa.Text(), nullable=True),
        sa.Column("escalated_to_id", sa.Uuid(), nullable=True),
        sa.Column("escalation_level", sa.String(length=20), nullable=True),
        sa.Column("skip_reason", sa.Text(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('not_started', 'in_progress', 'snoozed', 'escalated', 'completed', 'rejected', 'lost', 'skipped')",
            name=op.f("ck_workflow_executions_status_valid"),
        ),
        sa.CheckConstraint(
            "workflow_type IN ('renewal', 'strategic', 'opportunity', 'risk')",
            name=op.f("ck_workflow_executions_workflow_type_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_workflow_executions_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["escalated_to_id"],
            ["users.id"],
            name=op.f("fk_workflow_executions_escalated_to_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_workflow_executions_owner_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_workflow_executions_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workflow_id"],
            ["workflows.id"],
            name=op.f("fk_workflow_executions_workflow_id_workflows"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["workflow_version_id"],
            ["workflow_versions.id"],
            name=op.f("fk_workflow_executions_workflow_version_id_workflow_versions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_executions")),
    )
    with op.batch_alter_table("workflow_executions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_workflow_executions_customer", ["customer_id", "started_at"], unique=False
        )
        batch_op.create_index(
            "ix_workflow_executions_owner_status", ["owner_id", "status"], unique=False
        )
        batch_op.create_index(
            "ix_workflow_executions_tenant_status", ["tenant_id", "status"], unique=False
        )
        batch_op.create_index(
            "uq_workflow_executions_one_open",
            ["customer_id", "workflow_id"],
            unique=True,
            sqlite_where=sa.text(
                "status IN ('not_started', 'in_progress', 'snoozed', 'escalated')"
            ),
            postgresql_where=sa.text(
                "status IN ('not_started', 'in_progress', 'snoozed', 'escalated')"
            ),
        )

    op.create_table(
        "notifications",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("recipient_email", sa.String(length=254), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=True),
        sa.Column("execution_id", sa.Uuid(), nullable=True),
        sa.Column("step_id", sa.String(length=120), nullable=True),
        sa.Column("notification_type", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column(
            "metadata",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("idempotency_key", sa.String(length=400), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "notification_type IN ('task_requires_decision', 'task_deadline_approaching', 'workflow_started', 'escalation_required', 'overdue_alert', 'key_task_pending', 'recommendation_available', 'approval_needed', 'manager_notification')",
            name=op.f("ck_notifications_notification_type_valid"),
        ),
        sa.CheckConstraint(
            "priority BETWEEN 1 AND 5", name=op.f("ck_notifications_priority_range")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_notifications_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["execution_id"],
            ["workflow_executions.id"],
            name=op.f("fk_notifications_execution_id_workflow_executions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_notifications_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_notifications_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_notifications_idempotency_key")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_notifications_inbox",
            ["tenant_id", "recipient_email", "read_at", "priority"],
            unique=False,
        )

    op.create_table(
        "workflow_step_executions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("execution_id", sa.Uuid(), nullable=False),
        sa.Column("step_id", sa.String(length=120), nullable=False),
        sa.Column("step_index", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column(
            "outputs",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("chosen_route", sa.String(length=80), nullable=True),
        sa.Column("skip_reason", sa.Text(), nullable=True),
        sa.Column("snoozed_until", sa.Date(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("message_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("token_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'in_progress', 'completed', 'skipped', 'snoozed')",
            name=op.f("ck_workflow_step_executions_status_valid"),
        ),
        sa.CheckConstraint(
            "attempt >= 1", name=op.f("ck_workflow_step_executions_attempt_positive")
        ),
        sa.ForeignKeyConstraint(
            ["execution_id"],
            ["workflow_executions.id"],
            name=op.f("fk_workflow_step_executions_execution_id_workflow_executions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_step_executions")),
        sa.UniqueConstraint(
            "execution_id",
            "step_id",
            "attempt",
            name=op.f("uq_workflow_step_executions_execution_id_step_id_attempt"),
        ),
    )
    op.create_table(
        "workflow_tasks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("execution_id", sa.Uuid(), nullable=True),
        sa.Column("step_id", sa.String(length=120), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("priority", sa.String(length=10), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("first_snoozed_on", sa.Date(), nullable=True),
        sa.Column("snoozed_until", sa.Date(), nullable=True),
        sa.Column("skip_reason", sa.Text(), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "priority IN ('low', 'medium', 'high', 'urgent')",
            name=op.f("ck_workflow_tasks_priority_valid"),
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'in_progress', 'completed', 'skipped', 'snoozed', 'cancelled')",
            name=op.f("ck_workflow_tasks_status_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_workflow_tasks_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["execution_id"],
            ["workflow_executions.id"],
            name=op.f("fk_workflow_tasks_execution_id_workflow_executions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_workflow_tasks_owner_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_workflow_tasks_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_tasks")),
    )
    with op.batch_alter_table("workflow_tasks", schema=None) as batch_op:
        batch_op.create_index("ix_workflow_tasks_customer", ["customer_id"], unique=False)
        batch_op.create_index("ix_workflow_tasks_execution", ["execution_id"], unique=False)
        batch_op.create_index(
            "ix_workflow_tasks_owner_status", ["owner_id", "status", "due_date"], unique=False
        )

    op.create_table(
        "action_executions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("saved_action_id", sa.Uuid(), nullable=True),
        sa.Column("action_slug", sa.String(length=80), nullable=False),
        sa.Column("execution_id", sa.Uuid(), nullable=True),
        sa.Column("step_execution_id", sa.Uuid(), nullable=True),
        sa.Column("customer_id", sa.Uuid(), nullable=True),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column(
            "params",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "result",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_action_executions_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["execution_id"],
            ["workflow_executions.id"],
            name=op.f("fk_action_executions_execution_id_workflow_executions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["saved_action_id"],
            ["saved_actions.id"],
            name=op.f("fk_action_executions_saved_action_id_saved_actions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["step_execution_id"],
            ["workflow_step_executions.id"],
            name=op.f("fk_action_executions_step_execution_id_workflow_step_executions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_action_executions_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_action_executions_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_executions")),
    )
    with op.batch_alter_table("action_executions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_action_executions_customer", ["customer_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_action_executions_execution", ["execution_id", "created_at"], unique=False
        )

    op.create_table(
        "workflow_chat_threads",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("execution_id", sa.Uuid(), nullable=True),
        sa.Column("step_execution_id", sa.Uuid(), nullable=True),
        sa.Column("branch_id", sa.Uuid(), nullable=True),
        sa.Column("customer_id", sa.Uuid(), nullable=True),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("system_prompt", sa.Text(), nullable=False),
        sa.Column("provider", sa.String(length=40), nullable=True),
        sa.Column("model", sa.String(length=120), nullable=True),
        sa.Column("temperature", sa.Float(), nullable=False),
        sa.Column("max_tokens", sa.Integer(), nullable=False),
        sa.Column(
            "context_snapshot",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("tokens_in", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("tokens_out", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('active', 'completed', 'abandoned')",
            name=op.f("ck_workflow_chat_threads_status_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["branch_id"],
            ["workflow_chat_branches.id"],
            name=op.f("fk_workflow_chat_threads_branch_id_workflow_chat_branches"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_workflow_chat_threads_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["execution_id"],
            ["workflow_executions.id"],
            name=op.f("fk_workflow_chat_threads_execution_id_workflow_executions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["step_execution_id"],
            ["workflow_step_executions.id"],
            name=op.f("fk_workflow_chat_threads_step_execution_id_workflow_step_executions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_workflow_chat_threads_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_workflow_chat_threads_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_chat_threads")),
    )
    with op.batch_alter_table("workflow_chat_threads", schema=None) as batch_op:
        batch_op.create_index(
            "ix_workflow_chat_threads_execution", ["execution_id", "created_at"], unique=False
        )

    op.create_table(
        "workflow_task_artifacts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("execution_id", sa.Uuid(), nullable=True),
        sa.Column("task_id", sa.Uuid(), nullable=True),
        sa.Column("step_id", sa.String(length=120), nullable=True),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_by_ai", sa.Boolean(), nullable=False),
        sa.Column("model", sa.String(length=120), nullable=True),
        sa.Column("prompt", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("approved_by_id", sa.Uuid(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'approved')", name=op.f("ck_workflow_task_artifacts_status_valid")
        ),
        sa.ForeignKeyConstraint(
            ["approved_by_id"],
            ["users.id"],
            name=op.f("fk_workflow_task_artifacts_approved_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_workflow_task_artifacts_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_workflow_task_artifacts_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["execution_id"],
            ["workflow_executions.id"],
            name=op.f("fk_workflow_task_artifacts_execution_id_workflow_executions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["workflow_tasks.id"],
            name=op.f("fk_workflow_task_artifacts_task_id_workflow_tasks"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_workflow_task_artifacts_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_task_artifacts")),
    )
    with op.batch_alter_table("workflow_task_artifacts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_workflow_task_artifacts_execution", ["execution_id"], unique=False
        )
        batch_op.create_index("ix_workflow_task_artifacts_task", ["task_id"], unique=False)

    op.create_table(
        "workflow_chat_messages",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("thread_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("message_type", sa.String(length=20), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column(
            "metadata",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("provider_label", sa.String(length=120), nullable=True),
        sa.Column("tokens", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "message_type IN ('text', 'chart', 'table', 'code')",
            name=op.f("ck_workflow_chat_messages_message_type_valid"),
        ),
        sa.CheckConstraint(
            "role IN ('user', 'assistant', 'system', 'tool')",
            name=op.f("ck_workflow_chat_messages_role_valid"),
        ),
        sa.CheckConstraint(
            "status IN ('complete', 'streaming', 'stopped', 'error')",
            name=op.f("ck_workflow_chat_messages_status_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["workflow_chat_threads.id"],
            name=op.f("fk_workflow_chat_messages_thread_id_workflow_chat_threads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_chat_messages")),
        sa.UniqueConstraint(
            "thread_id", "seq", name=op.f("uq_workflow_chat_messages_thread_id_seq")
        ),
    )
    op.create_table(
        "workflow_llm_context",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("execution_id", sa.Uuid(), nullable=True),
        sa.Column("step_execution_id", sa.Uuid(), nullable=True),
        sa.Column("thread_id", sa.Uuid(), nullable=True),
        sa.Column("provider", sa.String(length=40), nullable=False),
        sa.Column("model", sa.String(length=120), nullable=True),
        sa.Column("system_prompt", sa.Text(), nullable=True),
        sa.Column("prompt", sa.Text(), nullable=False),
        sa.Column("response", sa.Text(), nullable=True),
        sa.Column("tokens_in", sa.Integer(), nullable=False),
        sa.Column("tokens_out", sa.Integer(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["execution_id"],
            ["workflow_executions.id"],
            name=op.f("fk_workflow_llm_context_execution_id_workflow_executions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["step_execution_id"],
            ["workflow_step_executions.id"],
            name=op.f("fk_workflow_llm_context_step_execution_id_workflow_step_executions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["workflow_chat_threads.id"],
            name=op.f("fk_workflow_llm_context_thread_id_workflow_chat_threads"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_llm_context")),
    )
    with op.batch_alter_table("workflow_llm_context", schema=None) as batch_op:
        batch_op.create_index(
            "ix_workflow_llm_context_execution", ["execution_id", "created_at"], unique=False
        )

    op.create_table(
        "workflow_llm_tool_calls",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("thread_id", sa.Uuid(), nullable=True),
        sa.Column("message_id", sa.Uuid(), nullable=True),
        sa.Column("tool_name", sa.String(length=40), nullable=False),
        sa.Column(
            "input",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "output",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "tool_name IN ('rag_search', 'database_query', 'create_chart')",
            name=op.f("ck_workflow_llm_tool_calls_tool_name_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["workflow_chat_messages.id"],
            name=op.f("fk_workflow_llm_tool_calls_message_id_workflow_chat_messages"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["workflow_chat_threads.id"],
            name=op.f("fk_workflow_llm_tool_calls_thread_id_workflow_chat_threads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_llm_tool_calls")),
    )
    with op.batch_alter_table("workflow_llm_tool_calls", schema=None) as batch_op:
        batch_op.create_index("ix_tool_calls_thread", ["thread_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("workflow_llm_tool_calls", schema=None) as batch_op:
        batch_op.drop_index("ix_tool_calls_thread")

    op.drop_table("workflow_llm_tool_calls")
    with op.batch_alter_table("workflow_llm_context", schema=None) as batch_op:
        batch_op.drop_index("ix_workflow_llm_context_execution")

    op.drop_table("workflow_llm_context")
    op.drop_table("workflow_chat_messages")
    with op.batch_alter_table("workflow_task_artifacts", schema=None) as batch_op:
        batch_op.drop_index("ix_workflow_task_artifacts_task")
        batch_op.drop_index("ix_workflow_task_artifacts_execution")

    op.drop_table("workflow_task_artifacts")
    with op.batch_alter_table("workflow_chat_threads", schema=None) as batch_op:
        batch_op.drop_index("ix_workflow_chat_threads_execution")

    op.drop_table("workflow_chat_threads")
    with op.batch_alter_table("action_executions", schema=None) as batch_op:
        batch_op.drop_index("ix_action_executions_execution")
        batch_op.drop_index("ix_action_executions_customer")

    op.drop_table("action_executions")
    with op.batch_alter_table("workflow_tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_workflow_tasks_owner_status")
        batch_op.drop_index("ix_workflow_tasks_execution")
        batch_op.drop_index("ix_workflow_tasks_customer")

    op.drop_table("workflow_tasks")
    op.drop_table("workflow_step_executions")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_inbox")

    op.drop_table("notifications")
    with op.batch_alter_table("workflow_executions", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_workflow_executions_one_open",
            sqlite_where=sa.text(
                "status IN ('not_started', 'in_progress', 'snoozed', 'escalated')"
            ),
            postgresql_where=sa.text(
                "status IN ('not_started', 'in_progress', 'snoozed', 'escalated')"
            ),
        )
        batch_op.drop_index("ix_workflow_executions_tenant_status")
        batch_op.drop_index("ix_workflow_executions_owner_status")
        batch_op.drop_index("ix_workflow_executions_customer")

    op.drop_table("workflow_executions")
    op.drop_table("customer_usage_metrics")
    op.drop_table("customer_stakeholders")
    op.drop_table("customer_intelligence")
    op.drop_table("customer_financials")
    op.drop_table("customer_engagement")
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.drop_index("ix_contracts_customer_period")

    op.drop_table("contracts")
    op.drop_table("workflow_versions")
    op.drop_table("workflow_chat_branches")
    op.drop_table("user_preferences")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index("ix_customers_tenant_owner")
        batch_op.drop_index("ix_customers_tenant_name")

    op.drop_table("customers")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_tenant_id"))
        batch_op.drop_index("ix_audit_log_entity")

    op.drop_table("audit_log")
    with op.batch_alter_table("workflows", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_workflows_tenant_slug",
            sqlite_where=sa.text("tenant_id IS NOT NULL"),
            postgresql_where=sa.text("tenant_id IS NOT NULL"),
        )
        batch_op.drop_index(
            "uq_workflows_core_slug",
            sqlite_where=sa.text("tenant_id IS NULL"),
            postgresql_where=sa.text("tenant_id IS NULL"),
        )
        batch_op.drop_index("ix_workflows_type_active")

    op.drop_table("workflows")
    with op.batch_alter_table("workflow_step_library", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_workflow_step_library_tenant_slug",
            sqlite_where=sa.text("tenant_id IS NOT NULL"),
            postgresql_where=sa.text("tenant_id IS NOT NULL"),
        )
        batch_op.drop_index(
            "uq_workflow_step_library_core_slug",
            sqlite_where=sa.text("tenant_id IS NULL"),
            postgresql_where=sa.text("tenant_id IS NULL"),
        )

    op.drop_table("workflow_step_library")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_manager_id"))

    op.drop_table("users")
    with op.batch_alter_table("saved_actions", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_saved_actions_tenant_slug",
            sqlite_where=sa.text("tenant_id IS NOT NULL"),
            postgresql_where=sa.text("tenant_id IS NOT NULL"),
        )
        batch_op.drop_index(
            "uq_saved_actions_core_slug",
            sqlite_where=sa.text("tenant_id IS NULL"),
            postgresql_where=sa.text("tenant_id IS NULL"),
        )

    op.drop_table("saved_actions")
    with op.batch_alter_table("knowledge_documents", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_knowledge_documents_tenant_slug",
            sqlite_where=sa.text("tenant_id IS NOT NULL"),
            postgresql_where=sa.text("tenant_id IS NOT NULL"),
        )
        batch_op.drop_index(
            "uq_knowledge_documents_core_slug",
            sqlite_where=sa.text("tenant_id IS NULL"),
            postgresql_where=sa.text("tenant_id IS NULL"),
        )

    op.drop_table("knowledge_documents")
    with op.batch_alter_table("config_entries", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_config_entries_tenant_key",
            sqlite_where=sa.text("tenant_id IS NOT NULL"),
            postgresql_where=sa.text("tenant_id IS NOT NULL"),
        )
        batch_op.drop_index(
            "uq_config_entries_global_key",
            sqlite_where=sa.text("tenant_id IS NULL"),
            postgresql_where=sa.text("tenant_id IS NULL"),
        )

    op.drop_table("config_entries")
    op.drop_table("company_settings")
    op.drop_table("tenants")
