"""`renubu act`, `renubu tasks`, `renubu artifacts`: the saved actions and their results.

With a fixed day (`--as-of`), tasks and artifacts are listed as they stood at its end: nothing
created later, nothing done later shown as done (`TaskService.list`, `ArtifactService.list`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from renubu_tui.cli.root import Context, as_of_day, command_options, pass_context
from renubu_tui.safe_text import printable

if TYPE_CHECKING:
    from renubu_tui.services.container import Services


@click.command()
@click.argument("customer")
@click.argument("action")
@click.option("--days", type=int, help="snooze: days (1–30).")
@click.option("--reason", help="snooze, skip (one of the listed reasons), escalate.")
@click.option("--note", help="skip: a note beside the reason.")
@click.option("--level", type=click.Choice(["manager", "vp_cs", "ceo"]), help="escalate.")
@click.option("--title", help="create-task, schedule-meeting.")
@click.option("--due", "due_date", metavar="YYYY-MM-DD", help="create-task: due date.")
@click.option("--priority", type=click.Choice(["low", "medium", "high", "urgent"]))
@click.option("--duration", type=click.Choice(["15", "30", "45", "60"]), help="schedule-meeting.")
@click.option("--to", "to", multiple=True, help="send-email: recipient (repeat).")
@click.option("--subject", help="send-email.")
@click.option("--body", help="send-email.")
@click.option(
    "--workflow",
    "workflow_type",
    type=click.Choice(["renewal", "opportunity", "risk", "strategic"]),
    help="Which of the customer's workflows to act on (default: the renewal, else any open).",
)
@command_options
@pass_context
def act(ctx: Context, customer: str, action: str, **options: Any) -> None:
    """Run a saved ACTION on CUSTOMER's open workflow (snooze, skip, escalate, create-task…)."""
    from renubu_tui.services.customers.lookup import customer_by_ref

    params = {
        "days": options["days"],
        "reason": options["reason"],
        "note": options["note"],
        "level": options["level"],
        "title": options["title"],
        "dueDate": options["due_date"],
        "priority": options["priority"],
        "duration": int(options["duration"]) if options["duration"] else None,
        "to": list(options["to"]) or None,
        "subject": options["subject"],
        "body": options["body"],
    }

    async def body(s: Services) -> None:
        async with s.db.sessions() as session:
            found = await customer_by_ref(session, s.tenant, customer)
        known = {a.slug: a for a in await s.actions.available(s.tenant.id)}
        if action not in known:
            raise click.BadParameter(
                f"unknown action {action!r} (one of: {', '.join(sorted(known))})",
                param_hint="ACTION",
            )
        wanted = set((known[action].params_schema or {}).get("properties", {}))
        given = {k: v for k, v in params.items() if v is not None and k in wanted}
        outcome = await s.actions.run(
            s.tenant.id,
            action,
            actor=s.user,
            customer_id=found.id,
            params=given,
            workflow_type=options["workflow_type"],
            start_hint="start one with `renubu execution start`",
        )
        click.echo(printable(outcome.message))

    ctx.with_services(body)


@click.command()
@click.argument("customer", required=False)
@click.option("--mine", is_flag=True, help="Only tasks you own.")
@click.option("--open", "only_open", is_flag=True, help="Hide completed and skipped tasks.")
@command_options
@pass_context
def tasks(ctx: Context, customer: str | None, mine: bool, only_open: bool) -> None:
    """List tasks (of CUSTOMER, or all) with status, due date and priority."""
    from renubu_tui.services.customers.lookup import customer_by_ref

    async def body(s: Services) -> None:
        customer_id = None
        if customer:
            async with s.db.sessions() as session:
                customer_id = (await customer_by_ref(session, s.tenant, customer)).id
        rows = await s.tasks.list(
            s.tenant.id,
            customer_id=customer_id,
            owner_id=s.user.id if mine else None,
            include_done=not only_open,
            as_of=as_of_day(s.clock),
        )
        for t in rows:
            due = t.due_date.isoformat() if t.due_date else "-"
            name = printable(t.customer_name)[:24]
            click.echo(
                f"{t.status:<10} {t.priority:<7} {due:<10}  {name:<24}"
                f"  {printable(t.title)}  ({t.owner_email or 'unassigned'})"
            )
        click.echo(f"{len(rows)} tasks")

    ctx.with_services(body)


@click.command()
@click.argument("customer")
@click.option(
    "--export",
    "folder",
    type=click.Path(path_type=Path, file_okay=False),
    help="Write each artifact as Markdown into this folder.",
)
@command_options
@pass_context
def artifacts(ctx: Context, customer: str, folder: Path | None) -> None:
    """List CUSTOMER's artifacts (assessments, drafts…), or export them to Markdown."""
    from renubu_tui.services.customers.lookup import customer_by_ref

    async def body(s: Services) -> None:
        async with s.db.sessions() as session:
            found = await customer_by_ref(session, s.tenant, customer)
        items = await s.artifacts.list(s.tenant.id, customer_id=found.id, as_of=as_of_day(s.clock))
        if folder is not None:
            for path in await s.artifacts.export(items, folder):
                click.echo(str(path))
            return
        for a in items:
            who = f"AI ({a.model})" if a.created_by_ai else "by hand"
            click.echo(f"{a.status:<9} {a.kind:<22} {printable(a.title)}  — {who}")
        click.echo(f"{len(items)} artifacts")

    ctx.with_services(body)
