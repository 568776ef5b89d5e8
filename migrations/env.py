"""Alembic environment for renubu.

Runs in-process from `renubu db upgrade` (a connection is handed over in `config.attributes`) or
from the `alembic` command with `-x url=…`. SQLite uses batch mode so ALTERs work there too.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from renubu_tui.data.migrate import autogenerate_options
from renubu_tui.data.models import Base

config = context.config
target_metadata = Base.metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        # compare_type, and filters hiding the search objects of 0004 that the models don't declare
        **autogenerate_options(),  # type: ignore[arg-type]
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_with_url(url: str) -> None:
    from renubu_tui.data.engine import create_database

    db = create_database(url)
    try:
        async with db.engine.connect() as conn:
            await conn.run_sync(_configure)
            await conn.commit()
    finally:
        await db.dispose()


def run() -> None:
    if context.is_offline_mode():
        raise SystemExit("renubu migrations run online only: use `renubu db upgrade`")
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise SystemExit("pass the database with -x url=… or use `renubu db upgrade`")
    asyncio.run(_run_with_url(url))


run()
