"""`renubu locate`: where configuration and data live, and the settings in force."""

from __future__ import annotations

import click

from renubu_tui.cli.root import Context, command_options, pass_context


def _assistant(settings: object) -> list[tuple[str, str]]:
    """Who answers, how a step's output is held to its schema, and the context window."""
    from renubu_tui.llm.factory import make_provider
    from renubu_tui.llm.provider import schema_mode

    try:
        provider = make_provider(settings, shared=False)
    except ValueError as exc:
        return [("assistant", str(exc))]
    rows = [("assistant", provider.label), ("step outputs", schema_mode(provider))]
    if provider.name != "offline":
        window = getattr(settings, "llm_context_tokens", None)
        rows.append(
            (
                "context",
                f"{window:,} tokens ([llm] context_tokens)"
                if window
                else "asked of the server at the first answer (or set [llm] context_tokens)",
            )
        )
    return rows


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
    for name, value in _assistant(settings):
        click.echo(f"{name:<13} {value}")
    click.echo("")
    click.echo("settings (config file < RENUBU_* environment < flags):")
    for name, value, doc in describe(settings):
        if name == "database_url":
            value = safe_url(value)
        click.echo(f"  {name:<14} {value or '-':<40} {doc}")
