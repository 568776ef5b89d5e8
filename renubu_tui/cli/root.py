"""The command group, its global options and the shared context object."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from renubu_tui import __version__
from renubu_tui.cli.fast_path import named_config
from renubu_tui.settings import Settings, load_settings

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

    def run(self, coro: Awaitable[T]) -> T:
        return asyncio.run(coro)  # type: ignore[arg-type]


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
        click.get_current_context().find_object(Context).update(**_flags(picked))  # type: ignore[union-attr]
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
        click.option("--user", metavar="EMAIL", help="Who you are (RENUBU_USER)."),
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
        locate,
        queue,
        template,
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

    from renubu_tui.cli.demo_cmd import demo

    cli.add_command(demo)


register()
