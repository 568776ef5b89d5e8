"""Schema upgrades through Alembic, and the cheap "is this database current?" check.

The check reads `alembic_version` directly and compares it with HEAD_REVISION, so starting the
app does not import Alembic (a test keeps HEAD_REVISION equal to Alembic's head).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from renubu_tui.data.engine import Database, DatabaseError

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.engine import Connection

HEAD_REVISION = "0011"

# Search objects made by migration 0004 outside the models (dialect-specific, never written by the
# app): the SQLite FTS5 table with its shadow tables, the PostgreSQL tsvector column and its index.
SEARCH_TABLE_PREFIX = "knowledge_fts"
SEARCH_COLUMN = ("knowledge_documents", "search")
SEARCH_INDEX = "ix_knowledge_documents_search"


def include_name(name: str | None, type_: str, parent_names: dict[str, str | None]) -> bool:
    """Autogenerate filter: leave the FTS5 tables (SQLite) out of model comparisons."""
    return not (type_ == "table" and name is not None and name.startswith(SEARCH_TABLE_PREFIX))


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Autogenerate filter: leave the tsvector column and its GIN index (PostgreSQL) out."""
    if type_ == "column" and reflected and compare_to is None:
        table = getattr(getattr(obj, "table", None), "name", None)
        return (table, name) != SEARCH_COLUMN
    if type_ == "index" and reflected and compare_to is None:
        return name != SEARCH_INDEX
    return True


def autogenerate_options() -> dict[str, object]:
    """Options for comparing a database with the models (env.py and the schema test share them)."""
    return {"compare_type": True, "include_name": include_name, "include_object": include_object}


def alembic_config() -> Config:
    from alembic.config import Config

    from renubu_tui.resources import migrations_dir

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    return cfg


def script_head() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


async def upgrade(db: Database, revision: str = "head") -> tuple[str | None, str | None]:
    """Upgrade to `revision`; returns (before, after)."""
    from alembic import command

    before = await current_revision(db)
    cfg = alembic_config()

    def _run(conn: Connection) -> None:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)

    async with db.engine.begin() as conn:
        await conn.run_sync(_run)
    return before, await current_revision(db)


async def current_revision(db: Database) -> str | None:
    """The database's revision, or None for an empty database."""
    from sqlalchemy import inspect, text

    async with db.engine.connect() as conn:
        has_table = await conn.run_sync(lambda sync: inspect(sync).has_table("alembic_version"))
        if not has_table:
            return None
        row = (await conn.execute(text("SELECT version_num FROM alembic_version"))).first()
        return row[0] if row else None


async def ensure_current(db: Database, *, auto_upgrade: bool) -> bool:
    """Make sure the schema is at head. Returns True when it upgraded.

    The embedded SQLite database is upgraded silently; a shared PostgreSQL database never is,
    because other CSMs' clients use it too: the person is told which command to run.
    """
    revision = await current_revision(db)
    if revision == HEAD_REVISION:
        return False
    if auto_upgrade:
        await upgrade(db)
        return True
    state = "is empty" if revision is None else f"is at revision {revision}"
    raise DatabaseError(
        f"the database {db.url} {state} and needs {HEAD_REVISION}: run `renubu db upgrade`"
    )


async def downgrade_to_base(db: Database) -> None:
    """Drop every renubu table (used by `renubu db reset`)."""
    from alembic import command

    if await current_revision(db) is None:
        return
    cfg = alembic_config()

    def _run(conn: Connection) -> None:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")

    async with db.engine.begin() as conn:
        await conn.run_sync(_run)
