"""Saved actions and their runs, chat branches and threads, model calls, notifications, knowledge.

Saved actions name a built-in handler from a closed list: the database never names code to load.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    Float,
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
    between,
    created_at,
    one_of,
    uuid_pk,
)
from renubu_tui.data.models.workflows import _scoped_unique
from renubu_tui.domain.vocabulary import (
    ACTION_HANDLERS,
    ACTION_TYPES,
    BRANCH_TYPES,
    MESSAGE_ROLES,
    MESSAGE_STATUSES,
    MESSAGE_TYPES,
    NOTIFICATION_TYPES,
    THREAD_STATUSES,
    TOOL_NAMES,
)


class SavedAction(Base):
    __tablename__ = "saved_actions"
    __table_args__ = (
        *_scoped_unique("saved_actions", "slug"),
        one_of("action_type", ACTION_TYPES),
        one_of("handler", ACTION_HANDLERS),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE")
    )
    slug: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(200))
    action_type: Mapped[str] = mapped_column(String(30))
    handler: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text, default="")
    params_schema: Mapped[dict[str, Any]] = mapped_column(default=dict)
    defaults: Mapped[dict[str, Any]] = mapped_column(default=dict)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))


class ActionExecution(Base):
    """The durable trail of every action: who, with what, what came of it."""

    __tablename__ = "action_executions"
    __table_args__ = (
        Index("ix_action_executions_execution", "execution_id", "created_at"),
        Index("ix_action_executions_customer", "customer_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    saved_action_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("saved_actions.id", ondelete="SET NULL")
    )
    action_slug: Mapped[str] = mapped_column(String(80))
    execution_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("workflow_executions.id", ondelete="CASCADE")
    )
    step_execution_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("workflow_step_executions.id", ondelete="SET NULL")
    )
    customer_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE")
    )
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    success: Mapped[bool] = mapped_column(Boolean)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = created_at()


class ChatBranch(Base):
    __tablename__ = "workflow_chat_branches"
    __table_args__ = (
        UniqueConstraint("workflow_id", "step_id", "branch_key"),
        one_of("branch_type", BRANCH_TYPES),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    workflow_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workflows.id", ondelete="CASCADE"))
    step_id: Mapped[str] = mapped_column(String(120))
    branch_key: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer, default=0)
    label: Mapped[str] = mapped_column(String(200))
    branch_type: Mapped[str] = mapped_column(String(20))
    prompts: Mapped[list[Any]] = mapped_column(default=list)
    response: Mapped[str | None] = mapped_column(Text)
    next_step_id: Mapped[str | None] = mapped_column(String(120))
    route: Mapped[str | None] = mapped_column(String(80))
    saved_action_slug: Mapped[str | None] = mapped_column(String(80))
    return_step_id: Mapped[str | None] = mapped_column(String(120))


class ChatThread(Base):
    __tablename__ = "workflow_chat_threads"
    __table_args__ = (
        one_of("status", THREAD_STATUSES),
        Index("ix_workflow_chat_threads_execution", "execution_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    execution_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("workflow_executions.id", ondelete="CASCADE")
    )
    step_execution_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("workflow_step_executions.id", ondelete="SET NULL")
    )
    branch_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("workflow_chat_branches.id", ondelete="SET NULL")
    )
    customer_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE")
    )
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default="active")
    system_prompt: Mapped[str] = mapped_column(Text, default="")
    provider: Mapped[str | None] = mapped_column(String(40))
    model: Mapped[str | None] = mapped_column(String(120))
    temperature: Mapped[float] = mapped_column(Float, default=0.7)
    max_tokens: Mapped[int] = mapped_column(Integer, default=2000)
    context_snapshot: Mapped[dict[str, Any]] = mapped_column(default=dict)
    tokens_in: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    tokens_out: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    created_at: Mapped[dt.datetime] = created_at()
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class ChatMessage(Base):
    __tablename__ = "workflow_chat_messages"
    __table_args__ = (
        UniqueConstraint("thread_id", "seq"),
        one_of("role", MESSAGE_ROLES),
        one_of("message_type", MESSAGE_TYPES),
        one_of("status", MESSAGE_STATUSES),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    thread_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workflow_chat_threads.id", ondelete="CASCADE")
    )
    seq: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(20))
    message_type: Mapped[str] = mapped_column(String(20), default="text")
    content: Mapped[str] = mapped_column(Text, default="")
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSONType, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="complete")
    provider_label: Mapped[str | None] = mapped_column(String(120))
    tokens: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = created_at()


class LlmContext(Base):
    """What was sent to a model for a step and what came back: prompt, model, tokens."""

    __tablename__ = "workflow_llm_context"
    __table_args__ = (Index("ix_workflow_llm_context_execution", "execution_id", "created_at"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    execution_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("workflow_executions.id", ondelete="CASCADE")
    )
    step_execution_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("workflow_step_executions.id", ondelete="SET NULL")
    )
    thread_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("workflow_chat_threads.id", ondelete="SET NULL")
    )
    provider: Mapped[str] = mapped_column(String(40))
    model: Mapped[str | None] = mapped_column(String(120))
    system_prompt: Mapped[str | None] = mapped_column(Text)
    prompt: Mapped[str] = mapped_column(Text)
    response: Mapped[str | None] = mapped_column(Text)
    tokens_in: Mapped[int] = mapped_column(Integer, default=0)
    tokens_out: Mapped[int] = mapped_column(Integer, default=0)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = created_at()


class ToolCall(Base):
    __tablename__ = "workflow_llm_tool_calls"
    __table_args__ = (one_of("tool_name", TOOL_NAMES), Index("ix_tool_calls_thread", "thread_id"))

    id: Mapped[uuid.UUID] = uuid_pk()
    thread_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("workflow_chat_threads.id", ondelete="CASCADE")
    )
    message_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("workflow_chat_messages.id", ondelete="SET NULL")
    )
    tool_name: Mapped[str] = mapped_column(String(40))
    input: Mapped[dict[str, Any]] = mapped_column(default=dict)
    output: Mapped[Any | None] = mapped_column(JSONType)
    success: Mapped[bool] = mapped_column(Boolean)
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = created_at()


class Notification(Base):
    """One notification per recipient; the idempotency key makes every send happen once."""

    __tablename__ = "notifications"
    __table_args__ = (
        one_of("notification_type", NOTIFICATION_TYPES),
        between("priority", 1, 5),
        Index("ix_notifications_inbox", "tenant_id", "recipient_email", "read_at", "priority"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recipient_email: Mapped[str] = mapped_column(String(254))
    customer_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE")
    )
    execution_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("workflow_executions.id", ondelete="CASCADE")
    )
    step_id: Mapped[str | None] = mapped_column(String(120))
    notification_type: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    message: Mapped[str] = mapped_column(Text, default="")
    priority: Mapped[int] = mapped_column(Integer, default=3)
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSONType, default=dict)
    idempotency_key: Mapped[str] = mapped_column(String(400), unique=True)
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = created_at()


class KnowledgeDocument(Base):
    __tablename__ = "knowledge_documents"
    __table_args__ = (*_scoped_unique("knowledge_documents", "slug"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE")
    )
    slug: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(300))
    category: Mapped[str | None] = mapped_column(String(80))
    tags: Mapped[list[Any]] = mapped_column(default=list)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = created_at()


class SweepState(Base):
    """The last day whose day-based notifications were evaluated, per tenant (catch-up sweeps)."""

    __tablename__ = "notification_sweeps"

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    last_day: Mapped[dt.date] = mapped_column(Date)
    updated_at: Mapped[dt.datetime] = created_at()
