"""Workflow engine benchmark: `python bench/engine.py [--runs 30] [--only templates]`.

Prints: template import + first compile in a fresh process (cold), compile of a new template,
cached render; compile and render of large templates (16 KB and 64 KB made of the shipped seed
templates, and 64 KB of one `{{#if}}` block per line, the densest in tags); validation of every
seeded workflow (compositions expanded); and step transitions (ExecutionService.complete_step on
a seeded SQLite database, which includes the context, routing, notifications and the
transaction). Medians and 95th percentiles, in ms.
"""

from __future__ import annotations

import sys
from pathlib import Path

# keep bench/queue.py from shadowing the standard library's `queue` (asyncio drivers use it)
_HERE = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if str(Path(p or ".").resolve()) != _HERE]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import datetime as dt  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

from renubu_tui.resources import seeds_dir  # noqa: E402

TODAY = dt.date(2025, 9, 24)


def stats(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def seed_templates() -> list[str]:
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str) and "{{" in value:
            found.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for path in sorted(seeds_dir().glob("workflows/*/*.json")):
        walk(json.loads(path.read_text(encoding="utf-8")))
    return found


def cold_render(runs: int) -> tuple[float, float]:
    code = (
        "import time; t = time.perf_counter(); "
        "from renubu_tui.handlebars import render; "
        "render('{{customer.name}} {{#if (gte x 5)}}big{{/if}}', "
        "{'customer': {'name': 'A'}, 'x': 6}); "
        "print((time.perf_counter() - t) * 1000)"
    )
    samples = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(max(3, runs // 6))
    ]
    return stats(samples)


def template_figures(runs: int) -> dict[str, tuple[float, float]]:
    from renubu_tui.handlebars import engine, render

    templates = seed_templates()
    context = {"customer": {"name": "Bluesoft"}, "workflow": {"daysOverdue": 15}}
    compile_ms = []
    for i, text in enumerate(templates):
        fresh = f"{text}{{{{!-- {i} --}}}}"  # a template never seen: a cache miss
        start = time.perf_counter()
        engine.check(fresh)
        render(fresh, context)
        compile_ms.append((time.perf_counter() - start) * 1000)
    cached = []
    for _ in range(runs):
        for text in templates[:50]:
            start = time.perf_counter()
            render(text, context)
            cached.append((time.perf_counter() - start) * 1000)
    return {"compile (new template)": stats(compile_ms), "render (cached)": stats(cached)}


CONTEXT = {
    "customer": {"name": "Bluesoft", "arr": 180000, "renewalDate": "2025-10-09", "healthScore": 62},
    "csm": {"name": "Maya Patel", "email": "maya.patel@acmecloud.com", "manager": "Dana Lee"},
    "workflow": {"daysUntilRenewal": 15, "daysOverdue": 0, "renewalARR": 180000},
    "company": {"name": "Acme Cloud", "ceo": "ceo@acmecloud.com"},
    "accountTeam": {"ae": "ae@acmecloud.com", "allEmails": "ae@acmecloud.com"},
    "stakeholders": [{"name": "Marcus Chen", "role": "VP Engineering"}],
}


def large_template(size: int, dense: bool = False) -> str:
    """`size` bytes of template: whole seed templates one per line, then text to the size
    (or, `dense`, one `{{#if}}` block per line: the most tags a template of that size holds)."""
    if dense:
        line = "{{#if customer.name}}x{{/if}}\n"
        body = line * (size // len(line))
        return body + "x" * (size - len(body))
    parts: list[str] = []
    length = 0
    for text in seed_templates() * (size // 1000 + 1):
        if length + len(text) + 1 > size:
            break
        parts.append(text)
        length += len(text) + 1
    body = "\n".join(parts) + "\n"
    return body + "x" * (size - len(body.encode("utf-8")))


def large_template_figures(runs: int) -> list[tuple[str, float, float, str]]:
    """Compile (a template never seen: the compiled-template cache bypassed; expression shapes
    warm, as in a running app) and render (compiled) of 16 KB and 64 KB templates."""
    from renubu_tui.handlebars import engine, render

    rows = []
    for label, size, dense in (
        ("16 KB", 16 * 1024, False),
        ("64 KB", 64 * 1024, False),
        ("64 KB dense", 64 * 1024, True),
    ):
        text = large_template(size, dense)
        tags = text.count("{{")
        engine._compiled.__wrapped__(text, True)  # expression shapes compiled once
        compile_ms = []
        for _ in range(runs):
            start = time.perf_counter()
            engine._compiled.__wrapped__(text, True)
            compile_ms.append((time.perf_counter() - start) * 1000)
        render(text, CONTEXT)
        render_ms = []
        for _ in range(runs):
            start = time.perf_counter()
            render(text, CONTEXT)
            render_ms.append((time.perf_counter() - start) * 1000)
        what = "one {{#if}} block per line" if dense else "seed templates"
        note = f"{len(text.encode())} bytes, {tags} tags, {what}"
        rows.append((f"template {label}: compile", *stats(compile_ms), note))
        rows.append((f"template {label}: render (compiled)", *stats(render_ms), note))
    return rows


def validation_figures(runs: int) -> tuple[float, float, int]:
    from renubu_tui.domain.composer import expand
    from renubu_tui.domain.workflow_config import validate_config

    configs = [
        json.loads(p.read_text(encoding="utf-8"))
        for p in sorted(seeds_dir().glob("workflows/*/*.json"))
    ]
    library = {s["id"]: s for s in json.loads((seeds_dir() / "step_library.json").read_text())}
    compositions = [
        json.loads(p.read_text(encoding="utf-8"))
        for p in sorted(seeds_dir().glob("compositions/*.json"))
    ]
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        problems = [p for c in configs for p in validate_config(c)]
        problems += [p for c in compositions for p in validate_config(expand(c, library))]
        samples.append((time.perf_counter() - start) * 1000)
        assert not problems, problems[:3]
    median, p95 = stats(samples)
    return median, p95, len(configs) + len(compositions)


async def transition_figures(runs: int) -> tuple[float, float, int]:
    from sqlalchemy import select

    from renubu_tui.clock import Clock
    from renubu_tui.data.engine import create_database
    from renubu_tui.data.migrate import upgrade
    from renubu_tui.data.models import Customer, User
    from renubu_tui.data.seed.ids import key_id
    from renubu_tui.domain.routing import route_ids
    from renubu_tui.services.demo.seeding import seed_everything
    from renubu_tui.services.workflows.executions import ExecutionService

    tenant = key_id("tenant", "acme-cs")
    with tempfile.TemporaryDirectory() as tmp:
        db = create_database(f"sqlite+aiosqlite:///{Path(tmp) / 'engine.sqlite3'}")
        try:
            await upgrade(db)
            await seed_everything(db, today=TODAY)
            engine = ExecutionService(db, Clock(TODAY), tenant_slug="acme-cs")
            async with db.sessions() as s:
                maya = await s.scalar(select(User).where(User.email == "maya.patel@acmecloud.com"))
                customers = (
                    await s.scalars(
                        select(Customer.id)
                        .where(Customer.domain != "bluesoft.com")
                        .order_by(Customer.name)
                    )
                ).all()
            samples = []
            for customer_id in customers:
                try:
                    run = await engine.start(tenant, customer_id, actor=maya)
                except Exception:  # no renewal date, or no workflow for the day: skip it
                    continue
                while run.status == "in_progress" and run.gate is None:
                    # a step with routes is completed on a chosen one: the first
                    route = next(iter(route_ids(run.current_step or {})), None)
                    start = time.perf_counter()
                    run = await engine.complete_step(
                        tenant, run.id, actor=maya, outputs={}, chosen_route=route
                    )
                    samples.append((time.perf_counter() - start) * 1000)
                if len(samples) >= runs * 4:
                    break
        finally:
            await db.dispose()
    median, p95 = stats(samples)
    return median, p95, len(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument(
        "--only", choices=["templates"], help="Only the template figures (no database)."
    )
    args = parser.parse_args()
    rows: list[tuple[str, float, float, str]] = []
    median, p95 = cold_render(args.runs)
    rows.append(("template: import + first render (cold)", median, p95, "fresh process"))
    for name, (median, p95) in template_figures(args.runs).items():
        rows.append((f"template: {name}", median, p95, f"{len(seed_templates())} seed templates"))
    rows += large_template_figures(args.runs)
    if args.only is None:
        median, p95, count = validation_figures(args.runs)
        rows.append(("validate every seeded workflow", median, p95, f"{count} workflows"))
        median, p95, count = asyncio.run(transition_figures(args.runs))
        rows.append(("step transition (complete_step)", median, p95, f"{count} steps, SQLite"))
    print(f"{'measure':<42} {'median ms':>10} {'p95 ms':>10}  note")
    for name, median, p95, note in rows:
        print(f"{name:<42} {median:>10.3f} {p95:>10.3f}  {note}")


if __name__ == "__main__":
    main()
