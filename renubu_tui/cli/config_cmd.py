"""`renubu config show|set`: stages, weights and thresholds, validated and audited."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from renubu_tui.cli.root import Context, command_options, pass_context

if TYPE_CHECKING:
    from renubu_tui.services.container import Services


@click.group("config")
def config() -> None:
    """Show or change stages, scoring weights and thresholds."""


@config.command()
@command_options
@pass_context
def show(ctx: Context) -> None:
    """Print the configuration in force for the tenant, and where each section comes from."""

    async def body(s: Services) -> None:
        loaded = await s.config.load(s.tenant.id)
        for section, source in loaded.sources.items():
            click.echo(f"# {section}: {source}")
        click.echo(json.dumps(loaded.raw, indent=2, ensure_ascii=False))

    ctx.with_services(body)


@config.command("set")
@click.argument("key")
@click.argument("value")
@command_options
@pass_context
def set_(ctx: Context, key: str, value: str) -> None:
    """Set KEY (e.g. thresholds.riskScoreMin or stages.Critical.urgency) to VALUE (JSON)."""
    from renubu_tui.services.config.service import parse_value

    async def body(s: Services) -> None:
        old, new = await s.config.set(
            s.tenant.id, key, parse_value(value), actor=s.user.email, actor_id=s.user.id
        )
        await s.queue.invalidate(s.tenant.id)
        click.echo(f"{key}: {json.dumps(old)} → {json.dumps(new)} (by {s.user.email})")

    ctx.with_services(body)
