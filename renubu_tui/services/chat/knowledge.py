"""Knowledge-base search (the `rag_search` tool): ranked passages from core and tenant documents.

Each backend searches natively (migration 0004): SQLite's FTS5 ranked by bm25, PostgreSQL's
tsvector ranked by ts_rank, both with English stemming, titles weighted above bodies. User text
never reaches the query syntax: it is cut into words, each quoted (FTS5) or passed through
websearch_to_tsquery (PostgreSQL), joined by OR so a partly matching document still ranks.
Snippets are cut in Python, the same way on both backends.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text

from renubu_tui.data.engine import Database

MAX_TERMS = 16
SNIPPET_WORDS = 40
_WORD = re.compile(r"\w+", re.UNICODE)
_STOPWORD_TEXT = (
    "a an and are as at be by can do does for from how i if in is it me my of on or our should "
    "the this to was we what when which who why will with you your"
)
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_MARKUP = re.compile(r"[#*_`|>]+")


@dataclass(frozen=True)
class Passage:
    """A short excerpt of a document around what matched, with its source."""

    doc_slug: str
    title: str
    snippet: str
    score: float

    def as_json(self) -> dict[str, Any]:
        return {
            "source": self.doc_slug,
            "title": self.title,
            "text": self.snippet,
            "score": round(self.score, 4),
        }


def terms(query: str) -> list[str]:
    """The words of a query, lower-cased, stop words and letters dropped (unless none remain)."""
    words = [w.lower() for w in _WORD.findall(query)]
    kept = [w for w in words if w not in _STOPWORDS and len(w) > 1] or words
    return list(dict.fromkeys(kept))[:MAX_TERMS]


def fts5_query(words: list[str]) -> str:
    """An FTS5 MATCH expression that cannot be a syntax error: every term a quoted string."""
    return " OR ".join('"' + w.replace('"', '""') + '"' for w in words)


_SQLITE = text(
    """
    SELECT d.slug, d.title, d.body, -bm25(knowledge_fts, 0.0, 4.0, 1.0) AS score
    FROM knowledge_fts JOIN knowledge_documents AS d ON d.id = knowledge_fts.doc_id
    WHERE knowledge_fts MATCH :q AND (d.tenant_id IS NULL OR d.tenant_id = :tenant)
    ORDER BY score DESC, d.slug LIMIT :limit
    """
)
_POSTGRES = text(
    """
    SELECT d.slug, d.title, d.body, ts_rank(d.search, q.query) AS score
    FROM knowledge_documents AS d,
         websearch_to_tsquery('english'::regconfig, :q) AS q(query)
    WHERE d.search @@ q.query AND (d.tenant_id IS NULL OR d.tenant_id = :tenant)
    ORDER BY score DESC, d.slug LIMIT :limit
    """
)


async def search(
    db: Database,
    tenant_id: uuid.UUID,
    query: str,
    limit: int = 5,
    *,
    customer_id: uuid.UUID | None = None,
    until: dt.datetime | None = None,
) -> list[Passage]:
    """The best passages for `query` among core documents and the tenant's own, best first;
    with a customer, that customer's notes (written by `until`) come first when they match."""
    words = terms(query)
    if not words or limit <= 0:
        return []
    notes = (
        await note_passages(db, tenant_id, customer_id, words, until)
        if customer_id is not None
        else []
    )
    documents = await _documents(db, tenant_id, words, limit)
    return (notes + documents)[:limit] if notes else documents


async def note_passages(
    db: Database,
    tenant_id: uuid.UUID,
    customer_id: uuid.UUID,
    words: list[str],
    until: dt.datetime | None,
) -> list[Passage]:
    """The customer's notes holding a query term, most terms first, then newest (a customer
    has tens of notes, not thousands: matched here, the same way on both backends)."""
    from renubu_tui.clock import stamp
    from renubu_tui.services.customers.notes import notes_of

    found: list[tuple[int, Passage]] = []
    stems = {_stem(w) for w in words}
    for note in await notes_of(db, tenant_id, customer_id, until or stamp(), limit=200):
        tokens = {t.lower().strip(".,;:()!?\"'*_#`") for t in note.body.split()}
        hits = sum(1 for s in stems if any(t.startswith(s) for t in tokens))
        if not hits:
            continue
        tag = f" [{note.tag}]" if note.tag else ""
        title = f"Note by {note.author or 'someone'}, {note.created_at:%Y-%m-%d}{tag}"
        passage = Passage(f"note:{note.id}", title, snippet(note.body, words), float(hits))
        found.append((hits, passage))
    found.sort(key=lambda pair: -pair[0])  # stable: newest first among equals
    return [p for _, p in found]


async def _documents(
    db: Database, tenant_id: uuid.UUID, words: list[str], limit: int
) -> list[Passage]:
    tenant: str | uuid.UUID  # SQLite stores the id as hex text, PostgreSQL as a uuid
    if db.dialect == "sqlite":
        statement, q, tenant = _SQLITE, fts5_query(words), tenant_id.hex
    else:
        statement, q, tenant = _POSTGRES, " or ".join(words), tenant_id
    async with db.engine.connect() as conn:
        rows = (await conn.execute(statement, {"q": q, "tenant": tenant, "limit": limit})).all()
    return [
        Passage(slug, title, snippet(body, words), float(score))
        for slug, title, body, score in rows
    ]


def _stem(word: str) -> str:
    """A crude stem for spotting matches in the text (the index did the real stemming)."""
    return word[:5] if len(word) > 5 else word


def snippet(body: str, words: list[str], size: int = SNIPPET_WORDS) -> str:
    """The window of `size` words of the body holding the most query terms, as plain text."""
    tokens = _MARKUP.sub(" ", body).split()
    if len(tokens) <= size:
        return " ".join(tokens)
    stems = {_stem(w) for w in words}
    hits = [int(any(t.lower().strip(".,;:()!?\"'").startswith(s) for s in stems)) for t in tokens]
    best, best_start, current = -1, 0, sum(hits[:size])
    for start in range(0, len(tokens) - size + 1):
        if start:
            current += hits[start + size - 1] - hits[start - 1]
        if current > best:
            best, best_start = current, start
    # back up to the start of the sentence when it is close, so the excerpt reads well
    for back in range(best_start, max(-1, best_start - 12), -1):
        if back == 0 or tokens[back - 1].endswith((".", ":", "!", "?")):
            best_start = back
            break
    window = tokens[best_start : best_start + size]
    head = "…" if best_start else ""
    tail = "…" if best_start + size < len(tokens) else ""
    return f"{head}{' '.join(window)}{tail}"


__all__ = ["Passage", "fts5_query", "note_passages", "search", "snippet", "terms"]
