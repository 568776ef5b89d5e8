"""The command group, its global options and the shared context object.

A fixed day (`--as-of`, RENUBU_TODAY) earlier than where the database's record begins
(`services.record_start`) is refused in one line (exit 2) by every command that shows or works
the book as of a day: there is no book to show then. Setting the database up (`db`), the demo
(its own day), `locate`, `config`, `workflows` and `template` are not dated and not checked.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from renubu_tui import __version__
from renubu_tui.cli.fast_path import named_config
from renubu_tui.settings import Settings, load_settings

if TYPE_CHECKING:
    import datetime as dt

    from renubu_tui.clock import Clock
    from renubu_tui.services.container import Services

T = TypeVar("T")


@dataclass
class Context:
    """What every command gets: the flags given, and settings (file < env < flags) from them."""

    flags: dict[str, Any]
    _settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            flags = dict(self.flags)
            config = flags.pop("config", None)
            self._settings = load_settings(flags, config_file=named_config(config))
        return self._settings

    def update(self, **flags: Any) -> None:
        """Flags given after the subcommand win over those given before it."""
        given = {k: v for k, v in flags.items() if v is not None}
        if given:
            self.flags.update(given)
            self._settings = None

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run(coro)

    def with_services(self, body: Callable[[Services], Awaitable[T]]) -> T:
        """Open the services for these settings, run `body(services)`, close them; return what
        `body` returned. What goes wrong rises to `renubu_tui.cli.main`, which says it in one
        line (cli/errors.py): a command converts no error itself."""
        from renubu_tui.services.container import open_services

        async def go() -> T:
            async with open_services(self.settings) as services:
                return await body(services)

        return self.run(go())

    def check_record(self) -> None:
        """Refuse a fixed day before the record begins (see the module docstring)."""
        check_record(self.settings)


# Top-level commands that do not read the book as of a day (see the module docstring).
NOT_DATED = frozenset({"db", "demo", "locate", "config", "workflows", "template"})


def check_record(settings: Settings) -> None:
    """A fixed day before the database's record begins: one plain line (UserError, exit 2)."""
    day = settings.today
    if day is None:
        return
    begins = asyncio.run(_record_begins(settings))
    if begins is not None and day < begins:
        from renubu_tui.cli.errors import UserError

        raise UserError(
            f"nothing is recorded before {begins}; "
            f"showing the book as it stood on {day} is not possible"
        )


async def _record_begins(settings: Settings) -> dt.date | None:
    """Where the tenant's record begins; None when there is nothing to go by (no database file
    yet, an empty or unreadable database, an unknown tenant: the command itself says so)."""
    from sqlalchemy import select
    from sqlalchemy.exc import SQLAlchemyError

    from renubu_tui.data.engine import DatabaseError, sqlite_file
    from renubu_tui.data.migrate import current_revision
    from renubu_tui.data.models import Tenant
    from renubu_tui.services.bootstrap import open_database
    from renubu_tui.services.customers.record_start import record_begins

    file = sqlite_file(settings.database_url)
    if file is not None and not file.exists():
        return None
    try:
        async with open_database(settings) as db:
            if await current_revision(db) is None:
                return None
            async with db.sessions() as session:
                tenant_id = await session.scalar(
                    select(Tenant.id).where(Tenant.slug == settings.tenant)
                )
            return None if tenant_id is None else await record_begins(db, tenant_id)
    except (DatabaseError, SQLAlchemyError):
        return None


def as_of_day(clock: Clock) -> dt.date | None:
    """The day to read the book as of: the fixed day (--as-of, RENUBU_TODAY), or None in the
    present, where nothing can be later (and the end of the local day, counted in UTC, could
    hide what was just written west of Greenwich)."""
    return clock.today() if clock.is_fixed else None


def _dated(ctx: click.Context) -> bool:
    """Whether the command being run reads the book as of a day."""
    names = ctx.command_path.split()
    return len(names) < 2 or names[1] not in NOT_DATED


pass_context = click.make_pass_decorator(Context)

_FLAG_NAMES = {
    "database_url": "database_url",
    "tenant": "tenant",
    "user": "user",
    "as_of": "today",
    "config": "config",
}


def _flags(values: dict[str, Any]) -> dict[str, Any]:
    return {_FLAG_NAMES[k]: v for k, v in values.items() if k in _FLAG_NAMES}


def command_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The global options, accepted after a subcommand too (`renubu queue --as-of D`)."""
    import functools

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        picked = {k: kwargs.pop(k) for k in list(kwargs) if k in _FLAG_NAMES}
        current = click.get_current_context()
        obj = current.find_object(Context)
        assert obj is not None
        obj.update(**_flags(picked))
        _ = obj.settings  # a settings file that cannot be used stops every command (exit 2)
        if _dated(current):
            obj.check_record()
        with output_closed_quietly():
            return func(*args, **kwargs)

    return global_options(wrapper)


@contextmanager
def output_closed_quietly() -> Iterator[None]:
    """A reader that stops reading (`| head`) ends the command quietly, whatever it was doing."""
    from renubu_tui.cli.errors import OutputClosed

    try:
        yield
    except BrokenPipeError:
        raise OutputClosed from None


def global_options(func: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--database-url", metavar="URL", help="Database URL (RENUBU_DATABASE_URL)."),
        click.option("--tenant", metavar="SLUG", help="Tenant to work in (RENUBU_TENANT)."),
        click.option(
            "--user",
            metavar="EMAIL",
            help="Who you are (RENUBU_USER); on a team's PostgreSQL your login says who you "
            "are, and only a renubu_admin member may name someone else.",
        ),
        click.option("--as-of", metavar="YYYY-MM-DD", help="Fixed 'today' (RENUBU_TODAY)."),
        click.option(
            "--config",
            type=click.Path(path_type=Path, dir_okay=False),
            help="Config file (RENUBU_CONFIG).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@global_options
@click.version_option(__version__, prog_name="renubu")
@click.pass_context
def cli(
    ctx: click.Context,
    database_url: str | None,
    tenant: str | None,
    user: str | None,
    as_of: str | None,
    config: Path | None,
) -> None:
    """renubu — today's renewals, worked through guided workflows."""
    ctx.obj = Context(
        _flags(
            {
                "database_url": database_url,
                "tenant": tenant,
                "user": user,
                "as_of": as_of,
                "config": config,
            }
        )
    )
    if ctx.invoked_subcommand is None:
        from renubu_tui.cli.app import run_app

        ctx.obj.check_record()
        with output_closed_quietly():
            run_app(ctx.obj)


def register() -> None:
    from renubu_tui.cli import (
        app,
        chat_cmd,
        config_cmd,
        context,
        db,
        engine_cmd,
        forecast_cmd,
        import_cmd,
        locate,
        queue,
        serve_cmd,
        template,
        timeline_cmd,
        work_cmd,
        workflows,
    )

    cli.add_command(db.db)
    cli.add_command(locate.locate)
    cli.add_command(app.summary)
    cli.add_command(queue.queue)
    cli.add_command(config_cmd.config)
    cli.add_command(context.context)
    cli.add_command(engine_cmd.execution)
    cli.add_command(engine_cmd.sweep)
    cli.add_command(engine_cmd.notifications)
    cli.add_command(work_cmd.act)
    cli.add_command(work_cmd.tasks)
    cli.add_command(work_cmd.artifacts)
    cli.add_command(workflows.workflows)
    cli.add_command(chat_cmd.ask)
    cli.add_command(chat_cmd.step)
    cli.add_command(template.template)
    cli.add_command(serve_cmd.serve)
    cli.add_command(import_cmd.import_)
    cli.add_command(import_cmd.export)
    cli.add_command(forecast_cmd.forecast)
    cli.add_command(timeline_cmd.timeline)
    cli.add_command(timeline_cmd.note)

    from renubu_tui.cli.demo_cmd import demo

    cli.add_command(demo)


register()
