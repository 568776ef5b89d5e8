"""`renubu locate`: where configuration and data live, and the settings in force."""

from __future__ import annotations

import click

from renubu_tui.cli.root import Context, command_options, pass_context


@click.command()
@command_options
@pass_context
def locate(ctx: Context) -> None:
    """Print where config and data live, and every setting with its source-merged value."""
    from renubu_tui.data.engine import safe_url
    from renubu_tui.settings import config_dir, data_dir, describe

    settings = ctx.settings
    click.echo(f"config file   {settings.config_file}")
    click.echo(f"config dir    {config_dir()}")
    click.echo(f"data dir      {data_dir()}")
    click.echo(f"database      {safe_url(settings.database_url)}")
    if (path := settings.sqlite_path()) is not None:
        click.echo(f"database file {path}{'' if path.exists() else ' (created on first start)'}")
    click.echo(f"today         {settings.clock().today()}{'' if settings.today else ' (system)'}")
    click.echo("")
    click.echo("settings (config file < RENUBU_* environment < flags):")
    for name, value, doc in describe(settings):
        if name == "database_url":
            value = safe_url(value)
        click.echo(f"  {name:<14} {value or '-':<40} {doc}")
