"""`renubu context CUSTOMER`: the template context of a customer, to see what templates see."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import click

from renubu_tui.cli.root import Context, command_options, pass_context
from renubu_tui.safe_text import printable

_MAX_KEY_WIDTH = 40


@click.command()
@click.argument("customer")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option(
    "--execution",
    "execution_id",
    type=click.UUID,
    metavar="ID",
    help="Chain in this execution's outputs (outputs.<storeIn>, <storeIn>).",
)
@command_options
@pass_context
def context(ctx: Context, customer: str, as_json: bool, execution_id: uuid.UUID | None) -> None:
    """Print the template context of CUSTOMER (id, domain, slug or name prefix) as of today."""
    from renubu_tui.services.bootstrap import open_database, prepare
    from renubu_tui.services.customers.context import build_context

    settings = ctx.settings
    today = settings.clock().today()

    async def go() -> dict[str, Any]:
        async with open_database(settings) as database:
            await prepare(database, settings, today)
            return await build_context(
                database, settings.tenant, customer, today, execution_id=execution_id
            )

    values = ctx.run(go())
    if as_json:
        click.echo(json.dumps(values, indent=2, ensure_ascii=False, sort_keys=True))
        return
    lines = list(flatten(values))
    width = min(_MAX_KEY_WIDTH, max((len(path) for path, _ in lines), default=0))
    for path, text in lines:
        click.echo(f"{path:<{width}}  {text}".rstrip())


def flatten(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(dotted path, readable value) for every leaf, in the context's own order.

    Lists index as `stakeholders[0].name`; empty objects and lists show as {} and [] so that a
    present-but-empty section is not mistaken for a missing one; null shows as `null`.
    """
    if isinstance(value, dict) and value:
        for key, item in value.items():
            yield from flatten(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            yield from flatten(item, f"{path}[{index}]")
    else:
        yield path, _text(value)


def _text(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return printable(str(value).replace("\n", "\\n"))  # a value is shown, never obeyed
