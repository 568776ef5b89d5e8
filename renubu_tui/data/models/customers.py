"""Customers and everything dated about them: contracts, intelligence, money, usage, engagement.

Every snapshot table is keyed by (customer, date) so "the newest at or before today" is one
indexed lookup, and time travel (the demo) sees exactly what was known on that day.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from renubu_tui.data.models.base import (
    Base,
    JSONType,
    SortKeyType,
    UTCDateTime,
    between,
    created_at,
    one_of,
    utcnow,
    uuid_pk,
)
from renubu_tui.domain.vocabulary import (
    ACCOUNT_PLANS,
    CONTRACT_STATUSES,
    INFLUENCE_LEVELS,
    PAYMENT_STATUSES,
    SENTIMENTS,
    STAKEHOLDER_ROLES,
    TRENDS,
)

Money = Numeric(14, 2, asdecimal=False)


def _name_key(context: Any) -> str:
    return str(context.get_current_parameters().get("name", "")).casefold()


def _customer_fk() -> Mapped[uuid.UUID]:
    return mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))


class Customer(Base):
    __tablename__ = "customers"
    __table_args__ = (
        UniqueConstraint("tenant_id", "domain"),
        UniqueConstraint("tenant_id", "slug"),
        Index("ix_customers_tenant_owner", "tenant_id", "owner_id"),
        Index("ix_customers_tenant_name", "tenant_id", "name"),
        Index("uq_customers_tenant_external_id", "tenant_id", "external_id", unique=True),
        one_of("account_plan", ACCOUNT_PLANS),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    # casefold(name): the queue's tie-break and search key (SQL lower() differs outside ASCII)
    name_key: Mapped[str] = mapped_column(SortKeyType, default=_name_key)
    slug: Mapped[str] = mapped_column(String(200))
    domain: Mapped[str] = mapped_column(String(253))
    industry: Mapped[str | None] = mapped_column(String(120))
    owner_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    account_plan: Mapped[str | None] = mapped_column(String(20))
    ae_email: Mapped[str | None] = mapped_column(String(254))
    sa_email: Mapped[str | None] = mapped_column(String(254))
    executive_sponsor_email: Mapped[str | None] = mapped_column(String(254))
    is_synthetic: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    # the CRM's id of the account (`renubu import` upserts by it); NULL for rows made here
    external_id: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = created_at()
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Contract(Base):
    """A contract term; the one in force on today gives the renewal date (its end)."""

    __tablename__ = "contracts"
    __table_args__ = (
        UniqueConstraint("customer_id", "start_date"),
        Index("ix_contracts_customer_period", "customer_id", "end_date", "start_date"),
        Index("uq_contracts_customer_external_id", "customer_id", "external_id", unique=True),
        CheckConstraint("end_date >= start_date", name="period_ordered"),
        CheckConstraint("arr >= 0", name="arr_not_negative"),
        one_of("status", CONTRACT_STATUSES),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    customer_id: Mapped[uuid.UUID] = _customer_fk()
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    arr: Mapped[float] = mapped_column(Money)
    term_months: Mapped[int] = mapped_column(Integer)
    seats: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="active")
    # When the term was signed; a later term signed by today means the renewal is secured.
    signed_on: Mapped[dt.date | None] = mapped_column(Date)
    # the CRM's id of the deal or term (`renubu import contracts`); NULL for rows made here
    external_id: Mapped[str | None] = mapped_column(String(120))


class CustomerIntelligence(Base):
    __tablename__ = "customer_intelligence"
    __table_args__ = (
        UniqueConstraint("customer_id", "as_of_date"),
        between("risk_score", 0, 100),
        between("opportunity_score", 0, 100),
        between("health_score", 0, 100),
        one_of("health_trend", TRENDS),
        one_of("usage_trend", TRENDS),
        one_of("engagement_trend", TRENDS),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    customer_id: Mapped[uuid.UUID] = _customer_fk()
    as_of_date: Mapped[dt.date] = mapped_column(Date)
    risk_score: Mapped[float | None] = mapped_column(Float)
    opportunity_score: Mapped[float | None] = mapped_column(Float)
    health_score: Mapped[float | None] = mapped_column(Float)
    churn_probability: Mapped[float | None] = mapped_column(Float)
    expansion_probability: Mapped[float | None] = mapped_column(Float)
    health_trend: Mapped[str | None] = mapped_column(String(10))
    usage_trend: Mapped[str | None] = mapped_column(String(10))
    engagement_trend: Mapped[str | None] = mapped_column(String(10))


class CustomerFinancials(Base):
    """ARR valid over a period; the record valid on today wins over the contract's ARR."""

    __tablename__ = "customer_financials"
    __table_args__ = (
        UniqueConstraint("customer_id", "valid_from"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="period_ordered"),
        one_of("trend", TRENDS),
        one_of("payment_status", PAYMENT_STATUSES),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    customer_id: Mapped[uuid.UUID] = _customer_fk()
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    current_arr: Mapped[float] = mapped_column(Money)
    previous_arr: Mapped[float | None] = mapped_column(Money)
    projected_arr: Mapped[float | None] = mapped_column(Money)
    trend: Mapped[str | None] = mapped_column(String(10))
    growth_rate: Mapped[float | None] = mapped_column(Float)
    payment_status: Mapped[str | None] = mapped_column(String(10))


class CustomerUsage(Base):
    __tablename__ = "customer_usage_metrics"
    __table_args__ = (UniqueConstraint("customer_id", "as_of_date"), one_of("trend", TRENDS))

    id: Mapped[uuid.UUID] = uuid_pk()
    customer_id: Mapped[uuid.UUID] = _customer_fk()
    as_of_date: Mapped[dt.date] = mapped_column(Date)
    active_users: Mapped[int | None] = mapped_column(Integer)
    licensed_users: Mapped[int | None] = mapped_column(Integer)
    utilization_rate: Mapped[float | None] = mapped_column(Float)
    trend: Mapped[str | None] = mapped_column(String(10))
    adoption_rate: Mapped[float | None] = mapped_column(Float)
    last_activity_date: Mapped[dt.date | None] = mapped_column(Date)


class CustomerEngagement(Base):
    __tablename__ = "customer_engagement"
    __table_args__ = (
        UniqueConstraint("customer_id", "as_of_date"),
        between("nps_score", -100, 100),
        one_of("sentiment", SENTIMENTS),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    customer_id: Mapped[uuid.UUID] = _customer_fk()
    as_of_date: Mapped[dt.date] = mapped_column(Date)
    last_contact_date: Mapped[dt.date | None] = mapped_column(Date)
    last_qbr_date: Mapped[dt.date | None] = mapped_column(Date)
    next_qbr_date: Mapped[dt.date | None] = mapped_column(Date)
    nps_score: Mapped[int | None] = mapped_column(Integer)
    csat_score: Mapped[float | None] = mapped_column(Float)
    sentiment: Mapped[str | None] = mapped_column(String(10))
    open_tickets: Mapped[int | None] = mapped_column(Integer)
    engagement_score: Mapped[float | None] = mapped_column(Float)


class CustomerStakeholder(Base):
    __tablename__ = "customer_stakeholders"
    __table_args__ = (
        UniqueConstraint("customer_id", "name"),
        one_of("role", STAKEHOLDER_ROLES),
        one_of("influence", INFLUENCE_LEVELS),
        one_of("sentiment", SENTIMENTS),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    customer_id: Mapped[uuid.UUID] = _customer_fk()
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    role: Mapped[str | None] = mapped_column(String(30))
    is_champion: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    is_decision_maker: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )
    influence: Mapped[str | None] = mapped_column(String(10))
    sentiment: Mapped[str | None] = mapped_column(String(10))
    notes: Mapped[list[Any]] = mapped_column(default=list)
    description: Mapped[str | None] = mapped_column(Text)


class ConfigEntry(Base):
    """Stages, scoring weights and thresholds (domain.md §2–§5): global rows; tenant rows win."""

    __tablename__ = "config_entries"
    __table_args__ = (
        Index(
            "uq_config_entries_global_key",
            "key",
            unique=True,
            sqlite_where=text("tenant_id IS NULL"),
            postgresql_where=text("tenant_id IS NULL"),
        ),
        Index(
            "uq_config_entries_tenant_key",
            "tenant_id",
            "key",
            unique=True,
            sqlite_where=text("tenant_id IS NOT NULL"),
            postgresql_where=text("tenant_id IS NOT NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE")
    )
    key: Mapped[str] = mapped_column(String(120))
    value: Mapped[Any] = mapped_column(JSONType)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(254))
