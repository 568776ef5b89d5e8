"""A customer's notes: written by a person, edited by their author only, every wording kept.

`add` and `edit` are each one write transaction: the note (and, on an edit, the revision that
keeps the wording it replaces), an audit row (who, old and new value) and a change event, so
every open app reloads the customer (rules.md, "Notes"). Another person's note is refused in
one line; the text is stored as written (Markdown) and never interpreted here.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from renubu_tui.clock import Clock
from renubu_tui.data.engine import Database
from renubu_tui.data.models import (
    AuditEntry,
    Customer,
    CustomerNote,
    CustomerNoteRevision,
    Tenant,
    User,
)
from renubu_tui.domain.vocabulary import NOTE_TAGS
from renubu_tui.services.customers.lookup import customer_by_ref
from renubu_tui.services.refusals import BadInput, NotFound, Refused

MAX_NOTE_CHARS = 20_000

Publish = Callable[[AsyncSession, uuid.UUID, uuid.UUID | None, str], Awaitable[None]]


class NotYourNote(Refused):
    """Only a note's author edits it."""


@dataclass(frozen=True)
class NoteView:
    id: uuid.UUID
    customer_id: uuid.UUID
    customer_name: str
    author_id: uuid.UUID | None
    author: str
    tag: str | None
    body: str
    created_at: dt.datetime
    updated_at: dt.datetime
    revisions: int  # earlier wordings kept (0: never edited)

    @property
    def edited(self) -> bool:
        return self.revisions > 0


@dataclass(frozen=True)
class RevisionView:
    revision: int
    tag: str | None
    body: str
    written_by: str
    written_at: dt.datetime


def check_tag(tag: str | None) -> str | None:
    """A tag from NOTE_TAGS ("email" reads as "e-mail"), None for none, else BadInput."""
    if tag is None or not tag.strip():
        return None
    value = tag.strip().lower()
    value = "e-mail" if value == "email" else value
    if value not in NOTE_TAGS:
        raise BadInput(f"unknown tag {tag!r}; tags are {', '.join(NOTE_TAGS)}")
    return value


def check_body(body: str) -> str:
    text = body.strip()
    if not text:
        raise BadInput("a note needs some text")
    if len(text) > MAX_NOTE_CHARS:
        raise BadInput(f"a note holds at most {MAX_NOTE_CHARS} characters (got {len(text)})")
    return text


class NoteService:
    def __init__(
        self, db: Database, clock: Clock, tenant: Tenant, user: User, publish: Publish | None = None
    ) -> None:
        self._db, self._clock, self._tenant, self._user = db, clock, tenant, user
        self._publish = publish

    async def add(
        self, customer_ref: str | uuid.UUID, body: str, tag: str | None = None
    ) -> NoteView:
        text, tag = check_body(body), check_tag(tag)
        async with self._db.write() as session:
            customer = await self._customer(session, customer_ref)
            now = self._clock.now()
            note = CustomerNote(
                id=uuid.uuid4(),
                tenant_id=self._tenant.id,
                customer_id=customer.id,
                author_id=self._user.id,
                tag=tag,
                body=text,
                created_at=now,
                updated_at=now,
            )
            session.add(note)
            session.add(self._audit(note, "note-add", None, {"tag": tag, "body": text}))
            await session.flush()
            if self._publish is not None:
                await self._publish(session, self._tenant.id, customer.id, "note")
            return _view(note, customer, self._user.name, 0)

    async def edit(
        self,
        note_id: uuid.UUID,
        body: str,
        tag: str | None = None,
        *,
        customer_ref: str | uuid.UUID | None = None,
    ) -> NoteView:
        """New wording (and tag: None keeps none) for the author's own note; the old is kept.
        With `customer_ref`, the note must be on that customer's timeline (a CLI's check)."""
        text, tag = check_body(body), check_tag(tag)
        async with self._db.write() as session:
            note = await self._note(session, note_id, for_update=True)
            if customer_ref is not None:
                named = await self._customer(session, customer_ref)
                if named.id != note.customer_id:
                    raise NotFound(f"note {note_id} is not on {named.name}'s timeline")
            if note.author_id != self._user.id:
                author = await session.get(User, note.author_id) if note.author_id else None
                who = author.name if author else "someone else"
                raise NotYourNote(f"only {who}, who wrote this note, can edit it")
            customer = await session.get(Customer, note.customer_id)
            assert customer is not None
            count = await _revision_count(session, note.id)
            if note.body == text and note.tag == tag:
                return _view(note, customer, self._user.name, count)
            session.add(
                CustomerNoteRevision(
                    id=uuid.uuid4(),
                    note_id=note.id,
                    revision=count + 1,
                    tag=note.tag,
                    body=note.body,
                    written_by_id=note.author_id,
                    written_at=note.updated_at,
                )
            )
            old = {"tag": note.tag, "body": note.body}
            note.body, note.tag, note.updated_at = text, tag, self._clock.now()
            session.add(self._audit(note, "note-edit", old, {"tag": tag, "body": text}))
            await session.flush()
            if self._publish is not None:
                await self._publish(session, self._tenant.id, customer.id, "note")
            return _view(note, customer, self._user.name, count + 1)

    async def get(
        self, note_id: uuid.UUID, *, customer_ref: str | uuid.UUID | None = None
    ) -> NoteView:
        async with self._db.sessions() as session:
            note = await self._note(session, note_id)
            if customer_ref is not None:
                named = await self._customer(session, customer_ref)
                if named.id != note.customer_id:
                    raise NotFound(f"note {note_id} is not on {named.name}'s timeline")
            customer = await session.get(Customer, note.customer_id)
            author = await session.get(User, note.author_id) if note.author_id else None
            assert customer is not None
            count = await _revision_count(session, note.id)
            return _view(note, customer, author.name if author else "", count)

    async def history(self, note_id: uuid.UUID) -> list[RevisionView]:
        """Every earlier wording of the note, oldest first (the current one is the note)."""
        async with self._db.sessions() as session:
            await self._note(session, note_id)
            rows = (
                await session.execute(
                    select(CustomerNoteRevision, User.name)
                    .outerjoin(User, User.id == CustomerNoteRevision.written_by_id)
                    .where(CustomerNoteRevision.note_id == note_id)
                    .order_by(CustomerNoteRevision.revision)
                )
            ).all()
        return [
            RevisionView(r.revision, r.tag, r.body, name or "", r.written_at) for r, name in rows
        ]

    async def of_customer(self, customer_id: uuid.UUID, *, limit: int = 50) -> list[NoteView]:
        """The customer's notes written by today, newest first."""
        return await notes_of(self._db, self._tenant.id, customer_id, self._clock.now(), limit)

    # --- helpers -------------------------------------------------------------------------

    async def _customer(self, session: AsyncSession, ref: str | uuid.UUID) -> Customer:
        if isinstance(ref, uuid.UUID):
            found = await session.scalar(
                select(Customer).where(Customer.id == ref, Customer.tenant_id == self._tenant.id)
            )
            if found is None:
                raise NotFound(f"no customer {ref}")
            return found
        return await customer_by_ref(session, self._tenant, ref)

    async def _note(
        self, session: AsyncSession, note_id: uuid.UUID, *, for_update: bool = False
    ) -> CustomerNote:
        query = select(CustomerNote).where(
            CustomerNote.id == note_id, CustomerNote.tenant_id == self._tenant.id
        )
        note = await session.scalar(query.with_for_update() if for_update else query)
        if note is None:
            raise NotFound(f"no note {note_id}")
        return note

    def _audit(self, note: CustomerNote, action: str, old: object, new: object) -> AuditEntry:
        return AuditEntry(
            tenant_id=self._tenant.id,
            actor_id=self._user.id,
            actor_label=self._user.email,
            entity_type="customer_note",
            entity_id=str(note.id),
            action=action,
            old_value=old,
            new_value=new,
            note=f"customer {note.customer_id}",
        )


async def notes_of(
    db: Database,
    tenant_id: uuid.UUID,
    customer_id: uuid.UUID,
    until: dt.datetime,
    limit: int = 50,
) -> list[NoteView]:
    """A customer's notes written at or before `until`, newest first (the assistant reads
    these too)."""
    async with db.sessions() as session:
        rows = (
            await session.execute(
                select(CustomerNote, Customer, User.name)
                .join(Customer, Customer.id == CustomerNote.customer_id)
                .outerjoin(User, User.id == CustomerNote.author_id)
                .where(
                    CustomerNote.tenant_id == tenant_id,
                    CustomerNote.customer_id == customer_id,
                    CustomerNote.created_at <= until,
                )
                .order_by(CustomerNote.created_at.desc(), CustomerNote.id)
                .limit(limit)
            )
        ).all()
        counts = await _revision_counts(session, [note.id for note, _c, _n in rows])
    return [_view(note, c, name or "", counts.get(note.id, 0)) for note, c, name in rows]


async def _revision_counts(
    session: AsyncSession, note_ids: list[uuid.UUID]
) -> dict[uuid.UUID, int]:
    """How many earlier wordings each note keeps (one grouped read; absent: none)."""
    if not note_ids:
        return {}
    rows = await session.execute(
        select(CustomerNoteRevision.note_id, func.count())
        .where(CustomerNoteRevision.note_id.in_(note_ids))
        .group_by(CustomerNoteRevision.note_id)
    )
    return {note_id: int(count) for note_id, count in rows.all()}


async def _revision_count(session: AsyncSession, note_id: uuid.UUID) -> int:
    count = await session.scalar(
        select(func.count()).where(CustomerNoteRevision.note_id == note_id)
    )
    return int(count or 0)


def _view(note: CustomerNote, customer: Customer, author: str, revisions: int) -> NoteView:
    return NoteView(
        id=note.id,
        customer_id=customer.id,
        customer_name=customer.name,
        author_id=note.author_id,
        author=author,
        tag=note.tag,
        body=note.body,
        created_at=note.created_at,
        updated_at=note.updated_at,
        revisions=revisions,
    )


__all__ = [
    "MAX_NOTE_CHARS",
    "NotYourNote",
    "NoteService",
    "NoteView",
    "RevisionView",
    "check_body",
    "check_tag",
    "notes_of",
]
