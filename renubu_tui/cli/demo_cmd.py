"""`renubu demo [--day N]`: the Bluesoft walkthrough on its own database, as Maya Patel.

The demo database is `demo.sqlite3` in the user data directory (never your own renubu.sqlite3).
On first use it is created, migrated and seeded with the portfolio anchored at D−15
(2025-09-24), so the whole book looks current while the clock walks the journey. The clock
starts at journey day 105 (D−15, the day the Critical workflow starts, where the seeded book is
anchored); `--day 0` starts at the baseline, `--day 120` on the renewal day.
"""

from __future__ import annotations

import click

from renubu_tui.cli.root import Context, command_options, pass_context

DEFAULT_DAY = 105


def demo_database_url() -> str:
    from renubu_tui.settings import data_dir

    return f"sqlite+aiosqlite:///{data_dir() / 'demo.sqlite3'}"


async def prepare_demo(database_url: str) -> list[str]:
    """Create, migrate and seed (at D−15) the demo database if it is new; idempotent."""
    from pathlib import Path

    from renubu_tui.domain.journey import DEMO_ANCHOR
    from renubu_tui.services.bootstrap import open_database, prepare
    from renubu_tui.settings import Settings

    settings = Settings(database_url=database_url, auto_seed=True)
    path = settings.sqlite_path()
    if path is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    async with open_database(settings) as db:
        return await prepare(db, settings, DEMO_ANCHOR)


@click.command()
@click.option(
    "--day",
    type=click.IntRange(0, 120),
    default=DEFAULT_DAY,
    show_default=True,
    help="Journey day to start on (0 = D−120 … 120 = renewal day D).",
)
@command_options
@pass_context
def demo(ctx: Context, day: int) -> None:
    """The Bluesoft walkthrough: [ and ] move between milestones, { and } by a day."""
    import sys

    from renubu_tui.tui.features.demo import DEMO_USER, journey_date

    url = demo_database_url()
    ctx.update(database_url=url, user=DEMO_USER, today=journey_date(day).isoformat())
    settings = ctx.settings
    done = ctx.run(prepare_demo(url))
    if done:
        click.echo(f"(demo database {' and '.join(done)}: {url})", err=True)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        from renubu_tui.cli.app import _print_summary

        _print_summary(ctx)
        return
    from renubu_tui.tui.app import RenubuApp
    from renubu_tui.tui.keymap import load_keymap

    app = RenubuApp(settings, keymap=load_keymap(settings.config_file))
    app.demo_mode = True
    app.run()
