"""knowledge search

Full-text search over knowledge_documents, in each backend's native engine:

- SQLite: an FTS5 virtual table `knowledge_fts(doc_id UNINDEXED, title, body)` with the porter
  stemmer, kept in sync by triggers on knowledge_documents (insert, update, delete) and
  backfilled here. Caution: a later batch-mode migration that recreates knowledge_documents drops
  these triggers; such a migration must recreate them (see `_sqlite_triggers`).
- PostgreSQL: a stored generated tsvector column `search` (title weighted A, body B) with a GIN
  index; the database keeps it current, no trigger needed.

None of these objects are in the SQLAlchemy models (they are dialect-specific and never written by
the application): `renubu_tui.data.migrate.include_object` / `include_name` keep autogenerate and
the schema-equals-models test from reporting them.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 05:10:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE_TRIGGERS = {
    "knowledge_fts_ai": """
        CREATE TRIGGER knowledge_fts_ai AFTER INSERT ON knowledge_documents BEGIN
            INSERT INTO knowledge_fts (doc_id, title, body) VALUES (new.id, new.title, new.body);
        END""",
    "knowledge_fts_au": """
        CREATE TRIGGER knowledge_fts_au AFTER UPDATE OF id, title, body ON knowledge_documents
        BEGIN
            DELETE FROM knowledge_fts WHERE doc_id = old.id;
            INSERT INTO knowledge_fts (doc_id, title, body) VALUES (new.id, new.title, new.body);
        END""",
    "knowledge_fts_ad": """
        CREATE TRIGGER knowledge_fts_ad AFTER DELETE ON knowledge_documents BEGIN
            DELETE FROM knowledge_fts WHERE doc_id = old.id;
        END""",
}

_PG_SEARCH = (
    "setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(body, '')), 'B')"
)


def _sqlite_triggers() -> None:
    for ddl in _SQLITE_TRIGGERS.values():
        op.execute(ddl)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE knowledge_fts USING fts5("
            "doc_id UNINDEXED, title, body, tokenize='porter unicode61')"
        )
        _sqlite_triggers()
        op.execute(
            "INSERT INTO knowledge_fts (doc_id, title, body) "
            "SELECT id, title, body FROM knowledge_documents"
        )
    else:
        op.execute(
            "ALTER TABLE knowledge_documents ADD COLUMN search tsvector "
            f"GENERATED ALWAYS AS ({_PG_SEARCH}) STORED"
        )
        op.execute(
            "CREATE INDEX ix_knowledge_documents_search ON knowledge_documents USING gin (search)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS knowledge_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_knowledge_documents_search")
        op.execute("ALTER TABLE knowledge_documents DROP COLUMN IF EXISTS search")
