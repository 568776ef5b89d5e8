"""`renubu queue`: the ranked queue as a table, `--explain` for one customer, and `queue build`
(a team's nightly job: the coming days' queues built ahead)."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from renubu_tui.cli.errors import UserError
from renubu_tui.cli.queue_text import empty_line, header_line, queue_json, result_lines
from renubu_tui.cli.queue_text import money as _money
from renubu_tui.cli.root import Context, command_options, pass_context
from renubu_tui.safe_text import printable

if TYPE_CHECKING:
    from renubu_tui.data.models import User
    from renubu_tui.services.container import Services
    from renubu_tui.services.queue.service import CustomerExplanation

MAX_SCORE = 2**31 - 1  # a score filter the database's integer column can compare with


def _finite(_ctx: click.Context, _param: click.Parameter, value: float | None) -> float | None:
    if value is not None and not math.isfinite(value):
        raise click.BadParameter(f"{value} is not an amount")
    return value


@click.group(invoke_without_command=True)
@click.option(
    "--owner", metavar="EMAIL", help="Whose work (default: you); a unique prefix will do."
)
@click.option("--all", "everyone", is_flag=True, help="Everyone's work.")
@click.option("--type", "types", multiple=True, metavar="T", help="renewal, strategic, …")
@click.option("--stage", "stages", multiple=True, metavar="S", help="Stage name, e.g. Critical.")
@click.option("--plan", "plans", multiple=True, metavar="P", help="invest, expand, …")
@click.option("--min-score", type=click.IntRange(-MAX_SCORE, MAX_SCORE), metavar="N")
@click.option("--min-arr", type=float, metavar="USD", callback=_finite)
@click.option("--max-arr", type=float, metavar="USD", callback=_finite)
@click.option("--search", metavar="TEXT", help="Customer name contains TEXT.")
@click.option("--snoozed", is_flag=True, help="Show snoozed work instead.")
@click.option("--escalated", is_flag=True, help="Show work escalated to you (whoever owns it).")
@click.option("--limit", type=click.IntRange(1, 10_000), default=25, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--explain", metavar="CUSTOMER", help="Explain one customer's scores instead.")
@command_options
@pass_context
def queue(ctx: Context, **options: Any) -> None:
    """Print the prioritized queue: rank, customer, type, stage, days, ARR, plan, score."""
    if click.get_current_context().invoked_subcommand is not None:
        return  # `queue build`: its own options and output
    from renubu_tui.domain.enums import AccountPlan, WorkflowType
    from renubu_tui.services.customers.lookup import customer_by_ref
    from renubu_tui.services.queue.service import QueueFilters

    if options["owner"] and options["everyone"]:
        raise click.UsageError("--owner and --all cannot be used together")
    if options["snoozed"] and options["escalated"]:
        raise click.UsageError("--snoozed and --escalated cannot be used together")
    types = _named(options["types"], [t.value for t in WorkflowType], "workflow type")
    plans = _named(options["plans"], [p.value for p in AccountPlan], "plan")

    async def body(s: Services) -> None:
        today = s.clock.today()
        if options["explain"]:
            async with s.db.sessions() as session:
                customer = await customer_by_ref(session, s.tenant, options["explain"])
            _print_explanation(await s.queue.explain(s.tenant.id, today, customer.id))
            return
        # Whose view this is: yours, or --owner's. Its tab counts are that person's, and
        # "escalated" is what was escalated to them, whoever owns the customer (as in the app).
        viewer = s.user
        if options["owner"]:
            viewer = await _person(s, options["owner"])
        config = await s.config.get(s.tenant.id)
        stages = _named(options["stages"], [st.name for st in config.stages], "stage")
        escalated = options["escalated"]
        filters = QueueFilters(
            owner_id=None if options["everyone"] or escalated else viewer.id,
            types=types,
            stages=stages,
            plans=plans,
            min_arr=options["min_arr"],
            max_arr=options["max_arr"],
            min_score=options["min_score"],
            search=options["search"],
            snoozed=options["snoozed"],
            escalated_to=viewer.id if escalated else None,
        )
        page = await s.queue.page(s.tenant.id, today, filters, limit=options["limit"])
        total = await s.queue.count(s.tenant.id, today, filters)
        counts = await s.queue.counts(s.tenant.id, today, viewer.id, mine=not options["everyone"])
        if options["as_json"]:
            data = queue_json(page.rows, total, today)
            click.echo(json.dumps(data, indent=2, ensure_ascii=False))
            return
        me = viewer.id == s.user.id
        who = "everyone" if options["everyone"] else f"{viewer.name} <{viewer.email}>"
        if escalated:
            who = f"escalations to {viewer.name} <{viewer.email}>"
        click.echo(
            header_line(
                who,
                today,
                counts.active,
                counts.snoozed,
                counts.escalated_to_me,
                to="me" if me else viewer.name,
            )
        )
        tab = "escalated" if escalated else "snoozed" if options["snoozed"] else "active"
        empty = empty_line(tab, _described(options, stages), to="you" if me else viewer.name)
        for line in result_lines(page.rows, total, empty):
            click.echo(line)

    ctx.with_services(body)


@queue.command("build")
@click.option(
    "--days",
    type=click.IntRange(1, 366),
    default=1,
    show_default=True,
    metavar="N",
    help="Build today and the next N-1 days.",
)
@click.option("--full", is_flag=True, help="Rebuild every day from scratch, even if built.")
@command_options
@pass_context
def build(ctx: Context, days: int, full: bool) -> None:
    """Build the queue of today and the next N-1 days ahead (a team's nightly job).

    A day already built from the configuration now stored is left as it is (changes since were
    re-scored in place when they were made); a new day is built from the day before it when it
    can (only the customers whose rows can change are re-scored), else in full. One line per
    day: its rows, how it was built, and how long it took.
    """
    import datetime as dt

    from renubu_tui.services.container import open_services

    async def go() -> None:
        async with open_services(ctx.settings) as s:
            first = s.clock.today()
            for n in range(days):
                day = first + dt.timedelta(days=n)
                if not full and await s.queue.is_built(s.tenant.id, day):
                    click.echo(f"{day}  already built")
                    continue
                result = await s.queue.build(s.tenant.id, day, full=full)
                how = (
                    "in full"
                    if result.from_day is None
                    else f"from {result.from_day}, {result.changed:,} customers re-scored"
                )
                click.echo(f"{day}  {result.rows:>9,} rows  {result.seconds:7.2f} s  {how}")

    ctx.run(go())


def _named(given: Sequence[str], known: list[str], what: str) -> tuple[str, ...]:
    """The known names `given` stands for, in any case; an unknown one is a one-line error."""
    by_key = {name.casefold(): name for name in known}
    names = []
    for value in given:
        name = by_key.get(value.strip().casefold())
        if name is None:
            raise UserError(f"unknown {what} {value!r} (one of: {', '.join(known)})")
        names.append(name)
    return tuple(names)


def _described(options: dict[str, Any], stages: tuple[str, ...]) -> list[str]:
    """The filters given, in words, for the line that says nothing matched them."""
    said = []
    if options["search"]:
        said.append(f"search {options['search']!r}")
    if options["types"]:
        said.append("type " + " or ".join(name.casefold() for name in options["types"]))
    if stages:
        said.append("stage " + " or ".join(stages))
    if options["plans"]:
        said.append("plan " + " or ".join(name.casefold() for name in options["plans"]))
    if options["min_score"] is not None:
        said.append(f"score ≥ {options['min_score']}")
    if options["min_arr"] is not None:
        said.append(f"ARR ≥ {_money(options['min_arr'])}")
    if options["max_arr"] is not None:
        said.append(f"ARR ≤ {_money(options['max_arr'])}")
    return said


async def _person(s: Services, ref: str) -> User:
    """The tenant's user `ref` names: an e-mail, or a unique prefix of an e-mail or a name."""
    from sqlalchemy import func, or_, select

    from renubu_tui.data.models import User
    from renubu_tui.services.customers.lookup import user_by_email

    async with s.db.sessions() as session:
        try:
            return await user_by_email(session, s.tenant, ref)
        except LookupError:
            prefix = ref.strip().casefold()
            escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            found = (
                await session.scalars(
                    select(User)
                    .where(
                        User.tenant_id == s.tenant.id,
                        or_(
                            User.email.like(f"{escaped}%", escape="\\"),
                            func.lower(User.name).like(f"{escaped}%", escape="\\"),
                        ),
                    )
                    .order_by(User.email)
                )
            ).all()
    if len(found) == 1 and prefix:
        return found[0]
    if len(found) > 1 and prefix:
        emails = ", ".join(user.email for user in found[:5])
        raise UserError(f"{ref!r} could be several people: {emails}")
    raise UserError(f"unknown user {ref!r} in tenant {s.tenant.slug!r}")


def _print_explanation(x: CustomerExplanation) -> None:
    """One customer: its stage (with why, when a running workflow raised it), then every
    workflow type with its reason, score, label, factors and formula."""
    click.echo(f"{printable(x.customer_name)} · as of {x.today}")
    days = "no renewal date" if x.days is None else f"{x.days} days until renewal"
    stage = "no stage" if x.stage is None else f"stage {x.stage}"
    plan = x.plan + ("" if x.plan_is_set else " (derived)")
    health = "-" if x.health is None else f"{x.health:g}"
    click.echo(f"  {days} · {stage} · ARR {_money(x.arr)} · plan {plan} · health {health}")
    if x.stage_note and not any(x.stage_note in t.determination.reason for t in x.types):
        click.echo(f"  {printable(x.stage_note)}")  # said once: the renewal reason has it
    for t in x.types:
        d = t.determination
        click.echo("")
        click.echo(f"{d.type.value}: {printable(d.reason)}")
        if t.breakdown is None:
            continue
        b = t.breakdown
        click.echo(f"  score {b.total} ({printable(b.label)})")
        for factor in b.factors:
            click.echo(f"  - {printable(factor.text)}")
        click.echo(f"  {b.formula_line}")
