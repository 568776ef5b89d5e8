"""`renubu execution …`, `renubu sweep`, `renubu notifications`: run workflows from a shell.

With a fixed day (`--as-of`) a customer's workflow is the one open at the end of that day, as it
stood then (`ExecutionHistory`); when its record goes on after that day it is history: `show`
says so, and `complete`, `skip` and `action` refuse, since acting would rewrite a later record.
Notifications are the inbox of that day (sent by then, read only if read by then).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from renubu_tui.cli.root import Context, as_of_day, command_options, pass_context
from renubu_tui.safe_text import printable

if TYPE_CHECKING:
    from renubu_tui.data.models import Customer
    from renubu_tui.services.container import Services
    from renubu_tui.services.workflows.as_of import History
    from renubu_tui.services.workflows.executions import ExecutionView


@click.group()
def execution() -> None:
    """Start and move a customer's workflow: start, show, complete, skip, action."""


async def _customer(s: Services, ref: str) -> Customer:
    from renubu_tui.services.customers.lookup import customer_by_ref

    async with s.db.sessions() as session:
        return await customer_by_ref(session, s.tenant, ref)


async def _open_run(s: Services, ref: str, *, acting: bool = True) -> ExecutionView:
    """The customer's open workflow (as of the fixed day, if there is one); `acting` refuses
    one whose record goes on after that day."""
    from renubu_tui.services.workflows.as_of import ExecutionHistory

    customer = await _customer(s, ref)
    day = as_of_day(s.clock)
    if day is None:
        runs = await s.executions.open_for(s.tenant.id, customer.id)
    else:
        runs = await ExecutionHistory(s.db, s.executions).open_as_of(s.tenant.id, customer.id, day)
    if not runs:
        when = f" on {day}" if day is not None else ""
        raise LookupError(
            f"{customer.name} has no open workflow{when} (start one: renubu execution start)"
        )
    if acting and _history(runs[0]) is not None:
        raise click.ClickException(
            f"{customer.name}'s {runs[0].workflow_name} has a record after {day}; "
            "acting on it as of that day would rewrite it (act on the latest day instead)"
        )
    return runs[0]


def _history(run: ExecutionView) -> History | None:
    """How the record goes on after the day a view shows (it is history), or None."""
    history: History | None = getattr(run, "history", None)  # a ViewAsOf's
    return history


def _print_run(run: ExecutionView) -> None:
    name = printable(run.workflow_name)
    click.echo(f"{name} (v{run.version_number}) · {run.status} · execution {run.id}")
    marks = {"completed": "✓", "in_progress": "▶", "skipped": "↷", "snoozed": "z", "pending": "·"}
    for step in run.steps:
        extra = ""
        if step.route:  # a route taken is said in words (route_text), then its code
            said = step.route_text or step.route
            extra = f" → {printable(said)} [{printable(step.route)}]"
        extra += f" (skipped: {printable(step.skip_reason)})" if step.skip_reason else ""
        click.echo(f"  {marks.get(step.status, '?')} {printable(step.name)}{extra}")
    if run.gate_state is not None and not run.gate_state.open:
        click.echo(f"  gate: {printable(run.gate_state.reason)}")
    for created in run.fired.created:
        click.echo(f"  notified {created.recipient_email}: {printable(created.title)}")
    for error in run.fired.errors:
        click.echo(f"  warning: {error}", err=True)
    for unknown in run.fired.unknown_recipients:
        click.echo(f"  warning: unknown recipient {unknown}", err=True)


@execution.command()
@click.argument("customer")
@click.option(
    "--workflow", "slug", metavar="ID", help="Workflow to start (default: the one that fits)."
)
@command_options
@pass_context
def start(ctx: Context, customer: str, slug: str | None) -> None:
    """Start the workflow that fits CUSTOMER today (an open one is shown instead)."""

    async def body(s: Services) -> None:
        found = await _customer(s, customer)
        _print_run(
            await s.executions.start(s.tenant.id, found.id, actor=s.user, workflow_slug=slug)
        )

    ctx.with_services(body)


@execution.command()
@click.argument("customer")
@command_options
@pass_context
def show(ctx: Context, customer: str) -> None:
    """Show CUSTOMER's open workflow: every step and where it stands."""

    async def body(s: Services) -> None:
        run = await _open_run(s, customer, acting=False)
        _print_run(run)
        history = _history(run)
        if history is not None:
            click.echo(
                f"  as of {history.as_of}: history — the record goes on after this day (read only)"
            )

    ctx.with_services(body)


@execution.command()
@click.argument("customer")
@click.option(
    "--route",
    metavar="CODE",
    help="Where the step goes (e.g. SIGNATURE_PENDING); required when the step has routes.",
)
@click.option("--outputs", metavar="JSON", help="The step's outputs as a JSON object.")
@command_options
@pass_context
def complete(ctx: Context, customer: str, route: str | None, outputs: str | None) -> None:
    """Complete CUSTOMER's current step on the --route you choose (a step with routes refuses
    without one, listing them; a step without routes goes on to the next)."""

    try:
        data = json.loads(outputs) if outputs else None
    except json.JSONDecodeError as exc:
        raise click.BadParameter(f"not JSON: {exc}", param_hint="--outputs") from None
    except RecursionError:
        raise click.BadParameter("nested too deeply", param_hint="--outputs") from None

    async def body(s: Services) -> None:
        run = await _open_run(s, customer)
        _print_run(
            await s.executions.complete_step(
                s.tenant.id, run.id, actor=s.user, outputs=data, chosen_route=route
            )
        )

    ctx.with_services(body)


@execution.command()
@click.argument("customer")
@click.option("--reason", required=True, help="Why the step is skipped.")
@command_options
@pass_context
def skip(ctx: Context, customer: str, reason: str) -> None:
    """Skip CUSTOMER's current step, with a reason."""

    async def body(s: Services) -> None:
        run = await _open_run(s, customer)
        _print_run(await s.executions.skip_step(s.tenant.id, run.id, actor=s.user, reason=reason))

    ctx.with_services(body)


@execution.command()
@click.argument("customer")
@click.argument("action")
@command_options
@pass_context
def action(ctx: Context, customer: str, action: str) -> None:
    """Record a workflow ACTION: create-war-room, create-team-slack-channel, manager-acknowledge."""

    async def body(s: Services) -> None:
        run = await _open_run(s, customer)
        result, fired = await s.executions.perform_action(s.tenant.id, run.id, action, actor=s.user)
        click.echo(json.dumps(result, indent=2))
        for created in fired.created:
            click.echo(f"notified {created.recipient_email}: {printable(created.title)}")

    ctx.with_services(body)


@click.command()
@command_options
@pass_context
def sweep(ctx: Context) -> None:
    """Evaluate day-based notifications for every day since the last sweep, up to today."""

    async def body(s: Services) -> None:
        report = await s.notifications.sweep(s.tenant.slug, s.clock.today())
        span = f"{report.first_day} … {report.last_day}" if report.first_day else "nothing new"
        click.echo(
            f"swept {span}: {report.days_evaluated} step-days, "
            f"{len(report.fire.created)} notifications"
        )
        for error in report.fire.errors:
            click.echo(f"warning: {error}", err=True)

    ctx.with_services(body)


@click.command()
@click.option("--for", "email", metavar="EMAIL", help="Whose inbox (default: yours).")
@click.option("--unread", is_flag=True, help="Only unread ones.")
@click.option("--mark-read", is_flag=True, help="Mark every listed notification read.")
@command_options
@pass_context
def notifications(ctx: Context, email: str | None, unread: bool, mark_read: bool) -> None:
    """List notifications in inbox order: unread first, then priority, then newest."""

    async def body(s: Services) -> None:
        who = (email or s.user.email).lower()
        # as of a fixed day (the demo, --as-of), later ones were not sent yet
        items = await s.notifications.inbox(
            s.tenant.id, who, unread_only=unread, as_of=as_of_day(s.clock)
        )
        for item in items:
            mark = " " if item.read else "●"
            click.echo(
                f"{mark} P{item.priority} {item.created_at:%Y-%m-%d} "
                f"{item.notification_type:<24} {printable(item.title)}"
            )
        click.echo(f"{len(items)} notifications for {printable(who)}")
        if mark_read and items:
            count = await s.notifications.mark_read(
                s.tenant.id, who, [i.id for i in items], s.clock.now()
            )
            click.echo(f"marked {count} read")

    ctx.with_services(body)
