"""`renubu workflows …`: list, show, validate, edit, version and share workflow configs.

Workflows are data (domain.md §7): these commands are how a team changes them without code. Every
change is validated first and stored as a new immutable version; a concurrent edit is refused
with who changed what, and the refused text is kept in a file so no work is lost.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from renubu_tui.cli.root import Context, command_options, pass_context
from renubu_tui.safe_text import printable

if TYPE_CHECKING:
    from renubu_tui.domain.workflow_config import Problem
    from renubu_tui.services.container import Services
    from renubu_tui.services.workflows.registry import WorkflowRegistry

WORKFLOW_TYPE = click.Choice(["renewal", "strategic", "opportunity", "risk"])


@click.group("workflows")
def workflows() -> None:
    """List, show, validate, edit and version workflow configurations."""


def _run(
    ctx: Context,
    body: Callable[[Services, WorkflowRegistry], Awaitable[None]],
    name: str = "workflow",
) -> None:
    """Open the services and the registry, run `body(services, registry)`. Refusals rise to
    the one mapping (cli/errors.py); an invalid config first lists every problem, one a line,
    named after `name` (the file it came from)."""
    from renubu_tui.services.workflows.registry import WorkflowInvalid, WorkflowRegistry

    async def with_registry(s: Services) -> None:
        await body(s, WorkflowRegistry(s.db, clock=s.clock))

    try:
        ctx.with_services(with_registry)
    except WorkflowInvalid as exc:
        _print_problems(name, exc.problems)
        raise click.ClickException(f"not saved: {len(exc.problems)} problem(s)") from None


def _print_problems(name: str, problems: list[Problem], *, err: bool = True) -> None:
    """One line per problem: `name: path: message (hint: …)`."""
    for p in problems:
        hint = f" (hint: {printable(p.hint)})" if p.hint else ""
        line = f"{printable(name)}: {printable(p.path)}: {printable(p.message)}{hint}"
        click.echo(line, err=err)


def _read(path: Path) -> str:
    """A workflow file's text; one that is not UTF-8 is refused in one line."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise click.ClickException(
            f"{path}: not UTF-8 text (byte {exc.start}); a workflow file is JSON in UTF-8"
        ) from None


def _days(low: int | None, high: int | None) -> str:
    if low is None and high is None:
        return "-"
    if low is None:
        return f"≤ {high}"
    return f"≥ {low}" if high is None else f"{low}–{high}"


@workflows.command("list")
@command_options
@pass_context
def list_(ctx: Context) -> None:
    """Core and tenant workflows; a tenant copy replaces the core one of the same id."""

    async def body(s: Services, registry: WorkflowRegistry) -> None:
        rows = [
            (
                w.slug,
                w.workflow_type,
                w.format,
                _days(w.trigger_min_days, w.trigger_max_days),
                f"v{w.version_number} ({w.semver})",
                "core"
                if w.is_core
                else ("tenant, overrides core" if w.overrides_core else "tenant"),
                ("" if w.is_active else "[inactive] ") + printable(w.name),
            )
            for w in await registry.list(s.tenant.id)
        ]
        headers = ("ID", "Type", "Format", "Days", "Version", "Source", "Name")
        widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
        for row in (headers, *rows):
            click.echo("  ".join(c.ljust(widths[i]) for i, c in enumerate(row)).rstrip())

    _run(ctx, body)


@workflows.command()
@click.argument("workflow_id", metavar="ID")
@click.option("--expanded", is_flag=True, help="Show a composition expanded into its steps.")
@click.option("--version", "number", type=int, metavar="N", help="Show version N.")
@command_options
@pass_context
def show(ctx: Context, workflow_id: str, expanded: bool, number: int | None) -> None:
    """Print a workflow's config (a '#' header line, then JSON)."""

    async def body(s: Services, registry: WorkflowRegistry) -> None:
        if number is None:
            w = await registry.get(s.tenant.id, workflow_id, expanded=expanded)
        else:
            w = await registry.version(s.tenant.id, workflow_id, number, expanded=expanded)
        source = "core" if w.is_core else "tenant"
        shown = "expanded composition" if expanded and w.format == "composition" else w.format
        click.echo(
            f"# {w.slug} · {w.workflow_type} · {source} · version {w.version_number} "
            f"({w.semver}) · {shown}"
        )
        click.echo(json.dumps(w.config if expanded else w.raw_config, indent=2, ensure_ascii=False))

    _run(ctx, body)


@workflows.command()
@click.argument("workflow_id", metavar="ID")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here.")
@command_options
@pass_context
def export(ctx: Context, workflow_id: str, output: Path | None) -> None:
    """Print (or write) the workflow's JSON, ready for `workflows import`."""

    async def body(s: Services, registry: WorkflowRegistry) -> None:
        text = await registry.export(s.tenant.id, workflow_id)
        if output is None:
            click.echo(text, nl=False)
        else:
            output.write_text(text, encoding="utf-8")
            click.echo(f"exported {workflow_id} to {output}")

    _run(ctx, body)


@workflows.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--type", "workflow_type", type=WORKFLOW_TYPE, help="For a new workflow.")
@command_options
@pass_context
def import_(ctx: Context, file: Path, workflow_type: str | None) -> None:
    """Create the tenant's workflow from FILE, or store FILE as its next version."""
    text = _read(file)

    async def body(s: Services, registry: WorkflowRegistry) -> None:
        w = await registry.import_config(
            s.tenant.id, text, s.user.email, workflow_type, actor_id=s.user.id
        )
        click.echo(f"imported {w.slug}: version {w.version_number} ({w.semver})")

    _run(ctx, body, str(file))


@workflows.command()
@click.argument("workflow_id", metavar="ID")
@command_options
@pass_context
def edit(ctx: Context, workflow_id: str) -> None:
    """Edit the tenant's workflow in $EDITOR; saved as a new version once it validates."""
    from renubu_tui.domain.workflow_config import parse_json_text
    from renubu_tui.services.workflows.registry import StaleWorkflow, WorkflowInvalid

    async def body(s: Services, registry: WorkflowRegistry) -> None:
        loaded = await registry.get(s.tenant.id, workflow_id, expanded=False)
        if loaded.is_core:
            raise click.ClickException(
                f"{workflow_id!r} is a core workflow: clone it for your tenant first "
                f"(`renubu workflows clone {workflow_id}`), then edit your copy"
            )
        original = json.dumps(loaded.raw_config, indent=2, ensure_ascii=False) + "\n"
        text = original
        while True:
            edited = click.edit(text, extension=".json", require_save=False)
            if edited is None or edited == original:
                click.echo("no changes: nothing saved")
                return
            text = edited
            config, problems = parse_json_text(edited)
            if not problems:
                try:
                    w = await registry.save(
                        s.tenant.id,
                        workflow_id,
                        config,
                        expected_version=loaded.version_number,
                        actor=s.user.email,
                        actor_id=s.user.id,
                        note="edited",
                    )
                except WorkflowInvalid as exc:
                    problems = exc.problems
                except StaleWorkflow as exc:
                    kept = _keep(workflow_id, edited)
                    raise click.ClickException(
                        f"{exc}; your edited text is kept in {kept}"
                    ) from None
                else:
                    if w.version_number == loaded.version_number:
                        click.echo("no changes: nothing saved")
                    else:
                        click.echo(f"saved {w.slug}: version {w.version_number} ({w.semver})")
                    return
            _print_problems(workflow_id, problems)
            if not click.confirm("Edit again?", default=True, err=True):
                kept = _keep(workflow_id, edited)
                raise click.ClickException(f"not saved; your edited text is kept in {kept}")

    _run(ctx, body)


def _keep(slug: str, text: str) -> str:
    """Write refused text to a file that outlives the command, so no edit is ever lost."""
    fd, path = tempfile.mkstemp(prefix=f"renubu-{slug}-", suffix=".json")
    with open(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return path


@workflows.command()
@click.argument("workflow_id", metavar="ID")
@click.argument("a", type=int)
@click.argument("b", type=int)
@command_options
@pass_context
def diff(ctx: Context, workflow_id: str, a: int, b: int) -> None:
    """Unified diff between versions A and B (key-sorted JSON)."""

    async def body(s: Services, registry: WorkflowRegistry) -> None:
        text = await registry.diff(s.tenant.id, workflow_id, a, b)
        click.echo(
            printable(text, keep_newlines=True) if text else f"versions {a} and {b} are equal"
        )

    _run(ctx, body)


@workflows.command()
@click.argument("workflow_id", metavar="ID")
@command_options
@pass_context
def versions(ctx: Context, workflow_id: str) -> None:
    """Every version: number, semver, when, who, note (* = current)."""

    async def body(s: Services, registry: WorkflowRegistry) -> None:
        for v in await registry.versions(s.tenant.id, workflow_id):
            when = v.created_at.strftime("%Y-%m-%d %H:%M UTC")
            mark = "*" if v.is_current else " "
            who, note = printable(v.created_by or "-"), printable(v.note or "")
            click.echo(f"{mark} {v.number:>3}  {v.semver:<10} {when}  {who}  {note}".rstrip())

    _run(ctx, body)


@workflows.command()
@click.argument("workflow_id", metavar="ID")
@click.argument("number", metavar="N", type=int)
@command_options
@pass_context
def rollback(ctx: Context, workflow_id: str, number: int) -> None:
    """Make version N current again, as a new version (history is kept)."""

    async def body(s: Services, registry: WorkflowRegistry) -> None:
        before = await registry.get(s.tenant.id, workflow_id, expanded=False)
        w = await registry.rollback(
            s.tenant.id, workflow_id, number, s.user.email, actor_id=s.user.id
        )
        if w.version_number == before.version_number:
            click.echo(f"{w.slug} already equals version {number}: nothing saved")
        else:
            click.echo(f"rolled {w.slug} back to version {number}: now version {w.version_number}")

    _run(ctx, body)


@workflows.command()
@click.argument("workflow_id", metavar="ID")
@command_options
@pass_context
def clone(ctx: Context, workflow_id: str) -> None:
    """Copy a core workflow to your tenant (same id); your copy then replaces it for you."""

    async def body(s: Services, registry: WorkflowRegistry) -> None:
        w = await registry.clone(s.tenant.id, workflow_id, s.user.email, actor_id=s.user.id)
        click.echo(f"cloned {w.slug} for {s.tenant.slug}: version {w.version_number}")

    _run(ctx, body)


@workflows.command()
@click.argument("files", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--all", "everything", is_flag=True, help="Every workflow of the tenant (default).")
@command_options
@pass_context
def validate(ctx: Context, files: tuple[Path, ...], everything: bool) -> None:
    """Validate FILES (workflow or composition JSON; folders are searched) or every workflow."""
    from renubu_tui.domain.workflow_config import parse_json_text
    from renubu_tui.services.workflows.registry import problems_for

    if files and everything:
        raise click.UsageError("give FILES or --all, not both")
    paths = sorted({p for f in files for p in ([f] if f.is_file() else f.rglob("*.json"))})
    results: list[tuple[str, list[Problem]]] = []

    async def body(s: Services, registry: WorkflowRegistry) -> None:
        if not files:
            results.extend(await registry.validate_all(s.tenant.id))
            return
        library = await registry.library(s.tenant.id)
        for path in paths:
            config, problems = parse_json_text(_read(path))
            results.append((str(path), problems or problems_for(config, library)))

    _run(ctx, body)
    bad = [(name, problems) for name, problems in results if problems]
    for name, problems in bad:
        _print_problems(name, problems, err=False)
    if bad:
        count = sum(len(p) for _, p in bad)
        click.echo(f"{count} problem(s) in {len(bad)} of {len(results)} workflows", err=True)
        raise SystemExit(1)  # not ctx.exit: main() runs click with standalone_mode=False
    click.echo(f"{len(results)} workflows valid")
