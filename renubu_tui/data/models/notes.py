"""A customer's notes, written by a person, and every earlier wording of each (migration 0011).

A note belongs to its tenant (row-level security by `tenant_id`, as every tenant table) and to
its author: only the author edits it. An edit keeps the wording it replaces as a revision, so
nothing a person wrote about a customer is lost; the audit log says who did what and when.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from renubu_tui.data.models.base import Base, UTCDateTime, created_at, one_of, utcnow, uuid_pk
from renubu_tui.domain.vocabulary import NOTE_TAGS


class CustomerNote(Base):
    __tablename__ = "customer_notes"
    __table_args__ = (
        one_of("tag", NOTE_TAGS),
        Index("ix_customer_notes_customer", "customer_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    tag: Mapped[str | None] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = created_at()
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CustomerNoteRevision(Base):
    """The wording a note had before an edit (revision 1 is the note as first written)."""

    __tablename__ = "customer_note_revisions"
    __table_args__ = (UniqueConstraint("note_id", "revision"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    note_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customer_notes.id", ondelete="CASCADE"))
    revision: Mapped[int] = mapped_column(Integer)
    tag: Mapped[str | None] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text)
    written_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    written_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
