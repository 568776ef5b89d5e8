"""Workflows as data: configs with immutable version history, the step library, and their runs.

A core workflow has no tenant; a tenant's workflow with the same slug overrides it for that tenant
only. Executions pin the version they started with.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from renubu_tui.data.models.base import (
    Base,
    JSONType,
    UTCDateTime,
    created_at,
    one_of,
    utcnow,
    uuid_pk,
)
from renubu_tui.domain.vocabulary import (
    ARTIFACT_STATUSES,
    EXECUTION_STATUSES,
    OPEN_EXECUTION_STATUSES,
    STEP_STATUSES,
    TASK_PRIORITIES,
    TASK_STATUSES,
    WORKFLOW_FORMATS,
    WORKFLOW_TYPES,
)

_OPEN = ", ".join(f"'{s}'" for s in OPEN_EXECUTION_STATUSES)


def _scoped_unique(table: str, *columns: str) -> tuple[Index, Index]:
    """Unique per tenant, and unique among core rows (NULL tenants are distinct to UNIQUE)."""
    return (
        Index(
            f"uq_{table}_core_{columns[-1]}",
            *columns,
            unique=True,
            sqlite_where=text("tenant_id IS NULL"),
            postgresql_where=text("tenant_id IS NULL"),
        ),
        Index(
            f"uq_{table}_tenant_{columns[-1]}",
            "tenant_id",
            *columns,
            unique=True,
            sqlite_where=text("tenant_id IS NOT NULL"),
            postgresql_where=text("tenant_id IS NOT NULL"),
        ),
    )


class Workflow(Base):
    __tablename__ = "workflows"
    __table_args__ = (
        *_scoped_unique("workflows", "slug"),
        CheckConstraint(
            "(is_core AND tenant_id IS NULL) OR (NOT is_core AND tenant_id IS NOT NULL)",
            name="core_has_no_tenant",
        ),
        CheckConstraint(
            "trigger_min_days IS NULL OR trigger_max_days IS NULL "
            "OR trigger_min_days <= trigger_max_days",
            name="trigger_ordered",
        ),
        CheckConstraint("current_version >= 1", name="version_positive"),
        one_of("workflow_type", WORKFLOW_TYPES),
        one_of("format", WORKFLOW_FORMATS),
        Index("ix_workflows_type_active", "workflow_type", "is_active"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE")
    )
    is_core: Mapped[bool] = mapped_column(Boolean)
    slug: Mapped[str] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    workflow_type: Mapped[str] = mapped_column(String(20))
    format: Mapped[str] = mapped_column(String(20), default="config")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    trigger_min_days: Mapped[int | None] = mapped_column(Integer)
    trigger_max_days: Mapped[int | None] = mapped_column(Integer)
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    config: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[dt.datetime] = created_at()
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class WorkflowVersion(Base):
    """An immutable snapshot of a workflow's config; written in the same transaction as the edit."""

    __tablename__ = "workflow_versions"
    __table_args__ = (
        UniqueConstraint("workflow_id", "version_number"),
        CheckConstraint("version_number >= 1", name="version_positive"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    workflow_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workflows.id", ondelete="CASCADE"))
    version_number: Mapped[int] = mapped_column(Integer)
    semver: Mapped[str] = mapped_column(String(40))
    config: Mapped[dict[str, Any]] = mapped_column()
    change_note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[dt.datetime] = created_at()


class LibraryStep(Base):
    """A reusable step ("slide") that compositions refer to by slug."""

    __tablename__ = "workflow_step_library"
    __table_args__ = (*_scoped_unique("workflow_step_library", "slug"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE")
    )
    slug: Mapped[str] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(200))
    step_type: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text, default="")
    definition: Mapped[dict[str, Any]] = mapped_column()
    data_required: Mapped[list[Any]] = mapped_column(default=list)
    collects: Mapped[list[Any]] = mapped_column(default=list)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class WorkflowExecution(Base):
    __tablename__ = "workflow_executions"
    __table_args__ = (
        one_of("status", EXECUTION_STATUSES),
        one_of("workflow_type", WORKFLOW_TYPES),
        Index(
            "uq_workflow_executions_one_open",
            "customer_id",
            "workflow_id",
            unique=True,
            sqlite_where=text(f"status IN ({_OPEN})"),
            postgresql_where=text(f"status IN ({_OPEN})"),
        ),
        Index("ix_workflow_executions_tenant_status", "tenant_id", "status"),
        Index("ix_workflow_executions_owner_status", "owner_id", "status"),
        Index("ix_workflow_executions_customer", "customer_id", "started_at"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    workflow_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workflows.id", ondelete="RESTRICT"))
    workflow_version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workflow_versions.id", ondelete="RESTRICT")
    )
    workflow_type: Mapped[str] = mapped_column(String(20))
    owner_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default="not_started")
    current_step_id: Mapped[str | None] = mapped_column(String(120))
    outputs: Mapped[dict[str, Any]] = mapped_column(default=dict)
    outcome: Mapped[str | None] = mapped_column(Text)
    snoozed_until: Mapped[dt.date | None] = mapped_column(Date)
    snooze_reason: Mapped[str | None] = mapped_column(Text)
    escalated_to_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    escalation_level: Mapped[str | None] = mapped_column(String(20))
    skip_reason: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = created_at()
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class StepExecution(Base):
    __tablename__ = "workflow_step_executions"
    __table_args__ = (
        UniqueConstraint("execution_id", "step_id", "attempt"),
        one_of("status", STEP_STATUSES),
        CheckConstraint("attempt >= 1", name="attempt_positive"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    execution_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workflow_executions.id", ondelete="CASCADE")
    )
    step_id: Mapped[str] = mapped_column(String(120))
    step_index: Mapped[int] = mapped_column(Integer)
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    outputs: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    chosen_route: Mapped[str | None] = mapped_column(String(80))
    skip_reason: Mapped[str | None] = mapped_column(Text)
    snoozed_until: Mapped[dt.date | None] = mapped_column(Date)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    message_count: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    token_count: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))


class WorkflowTask(Base):
    __tablename__ = "workflow_tasks"
    __table_args__ = (
        one_of("status", TASK_STATUSES),
        one_of("priority", TASK_PRIORITIES),
        Index("ix_workflow_tasks_execution", "execution_id"),
        Index("ix_workflow_tasks_owner_status", "owner_id", "status", "due_date"),
        Index("ix_workflow_tasks_customer", "customer_id"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    execution_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("workflow_executions.id", ondelete="CASCADE")
    )
    step_id: Mapped[str | None] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    owner_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    priority: Mapped[str] = mapped_column(String(10), default="medium")
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    first_snoozed_on: Mapped[dt.date | None] = mapped_column(Date)
    snoozed_until: Mapped[dt.date | None] = mapped_column(Date)
    skip_reason: Mapped[str | None] = mapped_column(Text)
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = created_at()
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class TaskArtifact(Base):
    """A document produced in a workflow (an assessment, an email draft…), by the AI or by hand."""

    __tablename__ = "workflow_task_artifacts"
    __table_args__ = (
        one_of("status", ARTIFACT_STATUSES),
        Index("ix_workflow_task_artifacts_execution", "execution_id"),
        Index("ix_workflow_task_artifacts_task", "task_id"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    execution_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("workflow_executions.id", ondelete="CASCADE")
    )
    task_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("workflow_tasks.id", ondelete="SET NULL")
    )
    step_id: Mapped[str | None] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(300))
    content: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_by_ai: Mapped[bool] = mapped_column(Boolean, default=False)
    model: Mapped[str | None] = mapped_column(String(120))
    prompt: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    approved_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    approved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = created_at()
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
