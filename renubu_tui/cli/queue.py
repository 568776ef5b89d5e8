"""`renubu queue`: the ranked queue as a table, and `--explain` for one customer."""

from __future__ import annotations

import json
from typing import Any

import click

from renubu_tui.cli.root import Context, command_options, pass_context
from renubu_tui.safe_text import printable


def _money(value: float | None) -> str:
    return "-" if value is None else f"${value:,.0f}"


@click.command()
@click.option("--owner", metavar="EMAIL", help="Whose work (default: you).")
@click.option("--all", "everyone", is_flag=True, help="Everyone's work.")
@click.option("--type", "types", multiple=True, metavar="T", help="renewal, strategic, …")
@click.option("--stage", "stages", multiple=True, metavar="S", help="Stage name, e.g. Critical.")
@click.option("--plan", "plans", multiple=True, metavar="P", help="invest, expand, …")
@click.option("--min-score", type=int, metavar="N")
@click.option("--min-arr", type=float, metavar="USD")
@click.option("--max-arr", type=float, metavar="USD")
@click.option("--search", metavar="TEXT", help="Customer name contains TEXT.")
@click.option("--snoozed", is_flag=True, help="Show snoozed work instead.")
@click.option("--escalated", is_flag=True, help="Show work escalated to you instead.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=25, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--explain", metavar="CUSTOMER", help="Explain one customer's scores instead.")
@command_options
@pass_context
def queue(ctx: Context, **options: Any) -> None:
    """Print the prioritized queue: rank, customer, type, stage, days, ARR, plan, score."""
    from renubu_tui.services.container import open_services
    from renubu_tui.services.lookup import customer_by_ref, user_by_email
    from renubu_tui.services.queue import QueueFilters

    if options["owner"] and options["everyone"]:
        raise click.UsageError("--owner and --all cannot be used together")
    if options["snoozed"] and options["escalated"]:
        raise click.UsageError("--snoozed and --escalated cannot be used together")

    async def go() -> None:
        async with open_services(ctx.settings) as s:
            today = s.clock.today()
            if options["explain"]:
                async with s.db.sessions() as session:
                    customer = await customer_by_ref(session, s.tenant, options["explain"])
                _print_explanation(await s.queue.explain(s.tenant.id, today, customer.id))
                return
            owner = s.user
            if options["owner"]:
                async with s.db.sessions() as session:
                    owner = await user_by_email(session, s.tenant, options["owner"])
            filters = QueueFilters(
                owner_id=None if options["everyone"] else owner.id,
                types=tuple(options["types"]),
                stages=tuple(options["stages"]),
                plans=tuple(options["plans"]),
                min_arr=options["min_arr"],
                max_arr=options["max_arr"],
                min_score=options["min_score"],
                search=options["search"],
                snoozed=options["snoozed"],
                escalated_to=s.user.id if options["escalated"] else None,
            )
            page = await s.queue.page(s.tenant.id, today, filters, limit=options["limit"])
            total = await s.queue.count(s.tenant.id, today, filters)
            counts = await s.queue.counts(
                s.tenant.id, today, s.user.id, mine=not options["everyone"]
            )
            if options["as_json"]:
                click.echo(json.dumps(_json(page.rows, total, today), indent=2, ensure_ascii=False))
                return
            who = "everyone" if options["everyone"] else f"{owner.name} <{owner.email}>"
            if options["escalated"]:
                who = f"escalations to {s.user.name} <{s.user.email}>"
            click.echo(
                f"Queue of {printable(who)} · {today} · Active {counts.active} · "
                f"Snoozed {counts.snoozed} · Escalated to me {counts.escalated_to_me}"
            )
            _print_table(page.rows)
            click.echo(f"showing {len(page.rows)} of {total}")

    ctx.run(go())


def _json(rows: list[Any], total: int, today: Any) -> dict[str, Any]:
    return {
        "today": today.isoformat(),
        "total": total,
        "rows": [
            {
                "rank": rank,
                "customerId": str(r.customer_id),
                "customer": r.customer_name,
                "type": r.workflow_type,
                "stage": r.stage,
                "daysUntilRenewal": r.days,
                "arr": r.arr,
                "plan": r.plan,
                "planIsSet": r.plan_is_set,
                "score": r.score,
                "label": r.label,
                "status": r.status,
                "snoozeEnded": r.snooze_ended,
                "topFactors": r.top_factors,
                "formula": r.breakdown.formula_line,
            }
            for rank, r in enumerate(rows, start=1)
        ],
    }


def _print_table(rows: list[Any]) -> None:
    headers = ("#", "Customer", "Type", "Stage", "Days", "ARR", "Plan", "Score", "Label")
    table = [
        (
            str(rank),
            printable(r.customer_name)[:36] + (" ⏰" if r.snooze_ended else ""),
            r.workflow_type,
            r.stage or "-",
            "-" if r.days is None else str(r.days),
            _money(r.arr),
            (r.plan or "-") + ("" if r.plan_is_set else "*"),
            str(r.score),
            r.label,
        )
        for rank, r in enumerate(rows, start=1)
    ]
    widths = [max(len(h), *(len(row[i]) for row in table)) for i, h in enumerate(headers)]
    right = {0, 4, 5, 7}

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(
            c.rjust(widths[i]) if i in right else c.ljust(widths[i]) for i, c in enumerate(cells)
        ).rstrip()

    click.echo(line(headers))
    for row in table:
        click.echo(line(row))
    if any(not r.plan_is_set for r in rows):
        click.echo("* plan derived from ARR and health (none set)")


def _print_explanation(x: Any) -> None:
    click.echo(f"{printable(x.customer_name)} · as of {x.today}")
    days = "no renewal date" if x.days is None else f"{x.days} days until renewal"
    plan = x.plan + ("" if x.plan_is_set else " (derived)")
    click.echo(f"  {days} · ARR {_money(x.arr)} · plan {plan} · health {x.health}")
    for t in x.types:
        d = t.determination
        click.echo("")
        click.echo(f"{d.type.value}: {d.reason}")
        if t.breakdown is None:
            continue
        b = t.breakdown
        click.echo(
            f"  score {b.total} ({b.label}){'' if t.stage is None else f' · stage {t.stage}'}"
        )
        for factor in b.factors:
            click.echo(f"  - {factor.text}")
        click.echo(f"  {b.formula_line}")
