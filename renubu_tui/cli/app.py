"""`renubu` with no subcommand: the terminal app; `renubu summary`: the day as plain text."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from renubu_tui.cli.root import Context, command_options, pass_context

if TYPE_CHECKING:
    from renubu_tui.services.customers.summary import BookSummary


def run_app(ctx: Context) -> None:
    """Start the terminal UI (imported here, so other commands never load Textual).

    Without a terminal (piped output) it prints the summary instead of drawing a screen.
    """
    import sys

    settings = ctx.settings  # bad settings fail here, as one line, before the screen opens
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        _print_summary(ctx)
        return
    from renubu_tui.cli.fast_path import start_app

    start_app(settings)


@click.command()
@command_options
@pass_context
def summary(ctx: Context) -> None:
    """Print your book by renewal stage and the renewals that come first."""
    _print_summary(ctx)


def _print_summary(ctx: Context) -> None:
    from renubu_tui.services.bootstrap import open_database, prepare
    from renubu_tui.services.customers.summary import book_summary

    settings = ctx.settings
    today = settings.clock().today()

    async def go() -> tuple[list[str], BookSummary]:
        async with open_database(settings) as database:
            done = await prepare(database, settings, today)
            return done, await book_summary(database, settings.tenant, settings.user, today)

    done, book = ctx.run(go())
    if done:
        click.echo(f"(database {' and '.join(done)}: {settings.database_url})", err=True)
    click.echo(f"{book.user_name} <{book.user_email}> · {book.tenant} · today {book.today}")
    click.echo(f"{book.customers} customers by renewal stage:")
    for name, count in book.by_stage:
        click.echo(f"  {name:<12} {count:>4}")
    if book.soonest:
        click.echo("Renewals first:")
        for name, days, stage in book.soonest:
            when = f"{-days} days overdue" if days < 0 else f"in {days} days"
            click.echo(f"  {name:<36} {stage:<10} {when}")
