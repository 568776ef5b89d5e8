"""Tenants, their people and settings, preferences and the audit trail."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
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
from renubu_tui.domain.vocabulary import EXPERIENCE_LEVELS, USER_ROLES


class Tenant(Base):
    __tablename__ = "tenants"

    id: Mapped[uuid.UUID] = uuid_pk()
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # PostgreSQL: the group role whose members are this tenant's people (row-level security)
    db_role: Mapped[str | None] = mapped_column(String(63), index=True, unique=True)
    created_at: Mapped[dt.datetime] = created_at()


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("tenant_id", "email"),
        Index("ix_users_tenant_db_role", "tenant_id", "db_role", unique=True),
        one_of("role", USER_ROLES),
        one_of("experience_level", EXPERIENCE_LEVELS),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    experience_level: Mapped[str | None] = mapped_column(String(20))
    manager_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    # PostgreSQL: the login role that is this person; a connection as it is this user
    db_role: Mapped[str | None] = mapped_column(String(63))
    created_at: Mapped[dt.datetime] = created_at()


class CompanySettings(Base):
    """Per-tenant company facts the templates need (company.*) and the demo's date anchor."""

    __tablename__ = "company_settings"

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    company_name: Mapped[str] = mapped_column(String(200))
    vp_customer_success_email: Mapped[str | None] = mapped_column(String(254))
    ceo_email: Mapped[str | None] = mapped_column(String(254))
    cs_team_email: Mapped[str | None] = mapped_column(String(254))
    seed_anchor_date: Mapped[dt.date | None] = mapped_column(Date)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class UserPreferences(Base):
    __tablename__ = "user_preferences"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    preferences: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class AuditEntry(Base):
    """Who changed what, when, from which value to which (configuration, workflows, actions)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "entity_type", "entity_id", "created_at"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_label: Mapped[str] = mapped_column(String(254))
    entity_type: Mapped[str] = mapped_column(String(60))
    entity_id: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60))
    old_value: Mapped[Any | None] = mapped_column(JSONType)
    new_value: Mapped[Any | None] = mapped_column(JSONType)
    note: Mapped[str | None] = mapped_column(Text)
    # PostgreSQL: the login that wrote the row (set by a trigger to session_user; NULL on SQLite).
    # Beside actor_id/actor_label (the user acted as) it shows an admin's `--user`.
    db_role: Mapped[str | None] = mapped_column(String(63))
    created_at: Mapped[dt.datetime] = created_at()


class ChangeEvent(Base):
    """A change that committed, for every open app on the database to show (rules.md, "Live
    updates"): who changed which customer's what. Never the data itself; pruned after a day."""

    __tablename__ = "change_events"
    __table_args__ = (Index("ix_change_events_tenant_id_id", "tenant_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False
    )
    customer_id: Mapped[uuid.UUID | None] = mapped_column(Uuid())
    kind: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid())
    actor_name: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[dt.datetime] = created_at()
