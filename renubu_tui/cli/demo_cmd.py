"""`renubu demo [--day N] [--play]`: the Bluesoft walkthrough on its own database, as Maya Patel.

The demo database is `demo.sqlite3` in the user data directory (never your own renubu.sqlite3).
It holds exactly what had happened on the demo's day: the first run builds it from the seed,
playing the journey's script up to that day (a few seconds), and keeps a copy at each milestone
beside it, so moving back is quick. The clock starts at journey day 105 (D−15, the Critical
workflow's first day); `--day 0` starts at the baseline, `--day 120` on the renewal day.
`--play` walks the milestones by itself with a line of narration per event, for a presenter;
any key takes over. `--reset` throws the demo database away and builds it again.
"""

from __future__ import annotations

import click

from renubu_tui.cli.root import Context, command_options, pass_context

DEFAULT_DAY = 105


def demo_database_url() -> str:
    from renubu_tui.settings import data_dir

    return f"sqlite+aiosqlite:///{data_dir() / 'demo.sqlite3'}"


async def prepare_demo(database_url: str, day: int, *, reset: bool = False) -> str | None:
    """Bring the demo database to journey day `day`; says what was done, if worth saying."""
    from pathlib import Path

    from renubu_tui.services.demo.store import DemoStore
    from renubu_tui.settings import Settings
    from renubu_tui.tui.features.demo import journey_date

    path = Settings(database_url=database_url).sqlite_path()
    assert path is not None
    store = DemoStore(Path(path))
    if reset:
        store.discard()
    move = await store.open_at(journey_date(day))
    return "built from the seed" if move.rebuilt else None


@click.command()
@click.option(
    "--day",
    type=click.IntRange(0, 120),
    default=DEFAULT_DAY,
    show_default=True,
    help="Journey day to start on (0 = D−120 … 120 = renewal day D).",
)
@click.option("--play", is_flag=True, help="Walk the milestones by itself; any key takes over.")
@click.option("--reset", is_flag=True, help="Throw the demo database away and build it again.")
@command_options
@pass_context
def demo(ctx: Context, day: int, play: bool, reset: bool) -> None:
    """The Bluesoft walkthrough: [ and ] move between milestones, { and } by a day."""
    import sys

    from renubu_tui.tui.features.demo import DEMO_USER, journey_date

    url = demo_database_url()
    ctx.update(database_url=url, user=DEMO_USER, today=journey_date(day).isoformat())
    settings = ctx.settings
    path = settings.sqlite_path()
    if reset or path is None or not path.exists():
        click.echo("(building the demo database: the journey up to its day…)", err=True)
    done = ctx.run(prepare_demo(url, day, reset=reset))
    if done:
        click.echo(f"(demo database {done}: {url})", err=True)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        from renubu_tui.cli.app import _print_summary

        _print_summary(ctx)
        return
    from renubu_tui.tui.app import RenubuApp
    from renubu_tui.tui.keymap import load_keymap

    app = RenubuApp(settings, keymap=load_keymap(settings.config_file))
    app.demo_mode = True
    app.demo_autoplay = play
    app.run()
