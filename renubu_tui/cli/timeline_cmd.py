"""`renubu timeline CUSTOMER` and `renubu note CUSTOMER TEXT`: a customer's touches, and notes.

The timeline prints one line per touch, newest first (when, kind, who, what); `--json` prints
the same entries with a note's full text. Everything printed from the database is made printable
first (names and notes are untrusted: no terminal control sequences).
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING

import click

from renubu_tui.cli.root import Context, command_options, pass_context
from renubu_tui.safe_text import printable

if TYPE_CHECKING:
    from renubu_tui.services.container import Services
    from renubu_tui.services.customers.timeline import TimelineView

KIND_HELP = "note, workflow, step, action, meeting, email, notification, chat, health, arr, import"


@click.command()
@click.argument("customer")
@click.option(
    "--kind", "kinds", multiple=True, metavar="K", help=f"Only these kinds (repeat): {KIND_HELP}."
)
@click.option("--search", default="", metavar="WORDS", help="Only touches holding every word.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@command_options
@pass_context
def timeline(
    ctx: Context, customer: str, kinds: tuple[str, ...], search: str, as_json: bool
) -> None:
    """Every touch with CUSTOMER, newest first: steps, actions, notes, notifications …"""
    from renubu_tui.services.customers.timeline import customer_timeline, parse_kinds

    wanted = parse_kinds(kinds)  # a bad kind is refused before the database is opened

    async def body(s: Services) -> TimelineView:
        return await customer_timeline(
            s.db, s.tenant, customer, s.clock.today(), kinds=wanted, search=search
        )

    view = ctx.with_services(body)
    if as_json:
        click.echo(json.dumps(as_dict(view), indent=2, ensure_ascii=False))
        return
    if not view.entries:
        asked = f" of kind {', '.join(sorted(view.kinds))}" if view.kinds else ""
        click.echo(f"nothing on {printable(view.customer_name)}'s timeline{asked} yet")
        return
    for e in view.entries:
        when = e.at.strftime("%Y-%m-%d %H:%M")
        click.echo(f"{when}  {e.kind:<12}  {printable(e.who)[:24]:<24}  {printable(e.title)}")


def as_dict(view: TimelineView) -> dict[str, object]:
    return {
        "customer": {"id": str(view.customer_id), "name": view.customer_name},
        "today": view.today.isoformat(),
        "kinds": sorted(view.kinds),
        "entries": [
            {
                "at": e.at.isoformat(),
                "kind": e.kind,
                "who": e.who,
                "title": e.title,
                "detail": e.detail,
                "id": e.ref,
            }
            for e in view.entries
        ],
    }


@click.command()
@click.argument("customer")
@click.argument("text", required=False)
@click.option("--tag", metavar="T", help="call, e-mail, meeting or risk.")
@click.option(
    "--edit", "note_id", type=click.UUID, metavar="NOTE", help="Edit your note NOTE instead."
)
@click.option(
    "--history",
    "history_id",
    type=click.UUID,
    metavar="NOTE",
    help="Print NOTE's earlier wordings, oldest first, then the current one.",
)
@command_options
@pass_context
def note(
    ctx: Context,
    customer: str,
    text: str | None,
    tag: str | None,
    note_id: uuid.UUID | None,
    history_id: uuid.UUID | None,
) -> None:
    """Write a note (Markdown) on CUSTOMER's timeline, --edit one of your own, or show a
    note's --history."""
    from renubu_tui.services.customers.notes import check_body, check_tag

    if history_id is not None:
        if text is not None or note_id is not None:
            raise click.UsageError("--history takes no TEXT and no --edit")
        _print_history(ctx, customer, history_id)
        return
    if text is None:
        raise click.UsageError("a note needs TEXT (or --history NOTE)")
    check_body(text), check_tag(tag)  # refused before the database is opened

    async def body(s: Services) -> str:
        notes = s.notes()
        if note_id is not None:
            view = await notes.edit(note_id, text, tag, customer_ref=customer)
            return f"note {view.id} edited ({view.revisions} earlier wording(s) kept)"
        view = await notes.add(customer, text, tag)
        return f"note {view.id} added to {printable(view.customer_name)}"

    click.echo(ctx.with_services(body))


def _print_history(ctx: Context, customer: str, note_id: uuid.UUID) -> None:
    from renubu_tui.services.customers.notes import NoteView, RevisionView

    async def body(s: Services) -> tuple[NoteView, list[RevisionView]]:
        notes = s.notes()
        current = await notes.get(note_id, customer_ref=customer)
        return current, await notes.history(note_id)

    current, earlier = ctx.with_services(body)
    for r in earlier:
        tag = f" [{r.tag}]" if r.tag else ""
        when = f"{r.written_at:%Y-%m-%d %H:%M}"
        click.echo(f"— revision {r.revision}, {when}, {printable(r.written_by)}{tag}")
        click.echo(printable(r.body, keep_newlines=True))
    tag = f" [{current.tag}]" if current.tag else ""
    when = f"{current.updated_at:%Y-%m-%d %H:%M}"
    click.echo(f"— current, {when}, {printable(current.author)}{tag}")
    click.echo(printable(current.body, keep_newlines=True))
