"""`renubu db …`: schema upgrades, seeding, counts and reset."""

from __future__ import annotations

import sys
import time

import click

from renubu_tui.cli.root import Context, command_options, pass_context


@click.group()
def db() -> None:
    """Create, upgrade, seed and inspect the database."""


@db.command()
@command_options
@pass_context
def upgrade(ctx: Context) -> None:
    """Upgrade the schema to the newest revision."""
    from renubu_tui.data import migrate
    from renubu_tui.services.bootstrap import open_database

    async def go() -> tuple[str | None, str | None]:
        async with open_database(ctx.settings) as database:
            return await migrate.upgrade(database)

    before, after = ctx.run(go())
    if before == after:
        click.echo(f"already at revision {after}")
    else:
        click.echo(f"upgraded from {before or 'an empty database'} to revision {after}")


@db.command()
@command_options
@pass_context
def current(ctx: Context) -> None:
    """Show the schema revision of the database."""
    from renubu_tui.data.engine import safe_url
    from renubu_tui.data.migrate import HEAD_REVISION, current_revision
    from renubu_tui.services.bootstrap import open_database

    async def go() -> str | None:
        async with open_database(ctx.settings) as database:
            return await current_revision(database)

    revision = ctx.run(go())
    where = safe_url(ctx.settings.database_url)
    if revision is None:
        click.echo(f"{where}: empty (run `renubu db upgrade`)")
    elif revision == HEAD_REVISION:
        click.echo(f"{where}: revision {revision} (head)")
    else:
        click.echo(
            f"{where}: revision {revision}, behind {HEAD_REVISION} (run `renubu db upgrade`)"
        )


@db.command()
@click.option(
    "--synthetic",
    type=click.IntRange(min=1),
    metavar="N",
    help="Add N deterministic synthetic customers (scale data) instead.",
)
@command_options
@pass_context
def seed(ctx: Context, synthetic: int | None) -> None:
    """Load the shipped configuration, core workflows and demo data (idempotent)."""
    from renubu_tui.data.migrate import ensure_current
    from renubu_tui.services.bootstrap import open_database

    settings = ctx.settings
    today = settings.clock().today()

    tty = sys.stderr.isatty()
    shown: set[int] = set()

    def progress(done: int, total: int) -> None:
        tenth = done * 10 // total
        if tty:
            click.echo(f"\rsynthetic: {done:,}/{total:,} customers", err=True, nl=done == total)
        elif tenth not in shown:
            shown.add(tenth)
            click.echo(f"synthetic: {done:,}/{total:,} customers", err=True)

    async def go() -> None:
        async with open_database(settings) as database:
            await ensure_current(database, auto_upgrade=settings.is_sqlite)
            started = time.perf_counter()
            if synthetic:
                from renubu_tui.data.seed.synthetic import seed_synthetic

                report = await seed_synthetic(
                    database,
                    synthetic,
                    tenant_slug=settings.tenant,
                    today=today,
                    progress=progress if tty or synthetic >= 10000 else None,
                )
                elapsed = time.perf_counter() - started
                click.echo(
                    f"added {report.customers:,} synthetic customers "
                    f"(#{report.first_index}…#{report.first_index + report.customers - 1}, "
                    f"{report.rows:,} rows) in {elapsed:.1f} s"
                )
                return
            from renubu_tui.services.demo.seeding import seed_everything

            result = await seed_everything(database, today=today)
            width = max(len(name) for name in result.counts)
            for name, (inserted, updated) in sorted(result.counts.items()):
                click.echo(f"{name:<{width}}  {inserted:>6} inserted  {updated:>6} updated")
            click.echo(
                f"{'total':<{width}}  {result.inserted:>6} inserted  {result.updated:>6} updated"
            )

    ctx.run(go())


@db.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@command_options
@pass_context
def stats(ctx: Context, as_json: bool) -> None:
    """Count the rows of every table."""
    from renubu_tui.data.migrate import ensure_current
    from renubu_tui.data.stats import table_counts
    from renubu_tui.services.bootstrap import open_database

    async def go() -> dict[str, int]:
        async with open_database(ctx.settings) as database:
            await ensure_current(database, auto_upgrade=False)
            return await table_counts(database)

    counts = ctx.run(go())
    if as_json:
        import json

        click.echo(json.dumps(counts, indent=2, sort_keys=True))
        return
    width = max(len(name) for name in counts)
    for name, count in counts.items():
        click.echo(f"{name:<{width}}  {count:>9,}")
    click.echo(f"{'total':<{width}}  {sum(counts.values()):>9,}")


@db.command()
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--empty", is_flag=True, help="Leave the new schema empty (no seed).")
@command_options
@pass_context
def reset(ctx: Context, yes: bool, empty: bool) -> None:
    """Drop every table, recreate the schema and seed it again."""
    from renubu_tui.data import migrate
    from renubu_tui.data.engine import safe_url
    from renubu_tui.services.bootstrap import open_database

    where = safe_url(ctx.settings.database_url)
    if not yes:
        if not sys.stdin.isatty():
            raise click.UsageError("reset deletes all data: pass --yes to confirm")
        click.confirm(f"Delete ALL data in {where}?", abort=True)

    async def go() -> None:
        async with open_database(ctx.settings) as database:
            await migrate.downgrade_to_base(database)
            await migrate.upgrade(database)
            if not empty:
                from renubu_tui.services.demo.seeding import seed_everything

                report = await seed_everything(database, today=ctx.settings.clock().today())
                click.echo(f"seeded {report.inserted} rows")

    ctx.run(go())
    click.echo(f"reset {where}")
