"""`renubu template`: render, check and preview Handlebars templates (domain.md §9).

`render` and `check` are filters: the template comes on standard input as raw UTF-8 bytes
(CRLF kept) and the result goes to standard output with nothing added, so they can be compared
byte for byte with Handlebars.js. `preview` renders against a customer's real context and lists
the variables that context lacks.

Escaping: `render` promises Handlebars.js identity, so it HTML-escapes by default as
Handlebars.js does (`--text`: as with its `noEscape: true` option). `preview` shows what the app
shows and sends to the assistant, which is text (`--html`: escaped as Handlebars.js would).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from renubu_tui.cli.root import Context, command_options, pass_context
from renubu_tui.safe_text import printable

if TYPE_CHECKING:
    from renubu_tui.services.container import Services


@click.group()
def template() -> None:
    """Render, check and preview Handlebars templates."""


@template.command()
@click.option(
    "--context",
    "context_file",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="JSON file with the template context.",
)
@click.option(
    "--html/--text",
    "escape",
    default=True,
    help="HTML-escape as Handlebars.js does (default), or render text (its noEscape option).",
)
@command_options
def render(context_file: Path, escape: bool) -> None:
    """Render the template on standard input against the JSON context file."""
    from renubu_tui.handlebars import TemplateError
    from renubu_tui.handlebars import render as render_template

    context = _read_context(context_file)
    source = _read_stdin()
    try:
        output = render_template(source, context, escape=escape)
    except TemplateError as exc:
        raise click.ClickException(str(exc)) from None
    _write(output)


@template.command()
@command_options
def check() -> None:
    """Check that the template on standard input compiles (exit 1 with the reason if not)."""
    from renubu_tui.handlebars import TemplateError
    from renubu_tui.handlebars import check as check_template

    try:
        check_template(_read_stdin())
    except TemplateError as exc:
        raise click.ClickException(str(exc)) from None


@template.command()
@click.argument("customer")
@click.option(
    "--step",
    metavar="WORKFLOW:STEP",
    help="Render this step's llmPrompt (else the template on standard input).",
)
@click.option(
    "--html/--text",
    "escape",
    default=False,
    help="Render text as the app does (default), or HTML-escape as Handlebars.js does.",
)
@command_options
@pass_context
def preview(ctx: Context, customer: str, step: str | None, escape: bool) -> None:
    """Render a template against CUSTOMER's context as of today; list what is missing.

    The rendered text goes to standard output (as the app renders it: text, not HTML); each
    variable the template reads that the context lacks is reported on standard error as
    `missing: <path>`.
    """
    from renubu_tui.handlebars import (
        TemplateError,
        missing_paths,
        referenced_paths,
    )
    from renubu_tui.handlebars import render as render_template

    workflow_slug, step_id = _parse_step(step) if step else (None, None)
    # In a terminal nothing will come on standard input: preview the current step instead.
    source = None if step or sys.stdin.isatty() else _read_stdin()

    async def body(services: Services) -> tuple[str, dict[str, Any]]:
        from renubu_tui.services.customers.context import build_context

        text = source
        if workflow_slug is not None and step_id is not None:
            text = await _step_prompt(services, workflow_slug, step_id)
        elif text is None:
            text = await _current_prompt(services, customer)
        values = await build_context(
            services.db, services.tenant.slug, customer, services.clock.today()
        )
        assert text is not None
        return text, values

    text, values = ctx.with_services(body)
    try:
        output = render_template(text, values, escape=escape)
        missing = missing_paths(referenced_paths(text), values)
    except TemplateError as exc:
        raise click.ClickException(str(exc)) from None
    if not escape:  # text for a person's terminal: shown, never obeyed
        output = printable(output, keep_newlines=True)
    _write(output if output.endswith("\n") else output + "\n")
    for path in missing:
        click.echo(f"missing: {path}", err=True)


async def _step_prompt(services: Services, workflow_slug: str, step_id: str) -> str:
    """The step's execution.llmPrompt: the tenant's own workflow first, else the core one."""
    from sqlalchemy import select

    from renubu_tui.cli.errors import UserError
    from renubu_tui.data.models import Workflow
    from renubu_tui.domain.workflow_model import WorkflowConfig

    tenant_id = services.tenant.id
    async with services.db.sessions() as session:
        rows = (
            await session.scalars(
                select(Workflow).where(
                    Workflow.slug == workflow_slug,
                    (Workflow.tenant_id == tenant_id) | Workflow.tenant_id.is_(None),
                )
            )
        ).all()
    if not rows:
        raise UserError(f"unknown workflow {workflow_slug!r}")
    workflow = min(rows, key=lambda row: row.tenant_id is None)  # the tenant's own first
    steps = WorkflowConfig.parse(workflow.config).steps
    for item in steps:
        if item.id == step_id:
            if item.task.llm_prompt is None:
                raise UserError(f"step {workflow_slug}:{step_id} has no llmPrompt")
            return item.task.llm_prompt
    known = ", ".join(s.id for s in steps) or "none"
    raise UserError(f"workflow {workflow_slug!r} has no step {step_id!r} (steps: {known})")


async def _current_prompt(services: Services, ref: str) -> str:
    """The llmPrompt of the step CUSTOMER's open workflow is on (said on standard error)."""
    from renubu_tui.cli.errors import UserError
    from renubu_tui.safe_text import printable
    from renubu_tui.services.customers.lookup import customer_by_ref

    async with services.db.sessions() as session:
        customer = await customer_by_ref(session, services.tenant, ref)
    runs = await services.executions.open_for(services.tenant.id, customer.id)
    hint = "name one with --step WORKFLOW:STEP, or pipe a template on standard input"
    run = runs[0] if runs else None
    if run is None or run.current_step_id is None:
        raise UserError(f"{customer.name} has no open workflow step to preview: {hint}")
    where = f"{run.workflow_slug}:{run.current_step_id}"
    step = run.step
    if step is not None and step.task.llm_prompt is not None:
        name = printable(customer.name)
        click.echo(f"previewing {where}, the current step of {name}", err=True)
        return step.task.llm_prompt
    raise UserError(f"step {where} has no llmPrompt: {hint}")


def _parse_step(value: str) -> tuple[str, str]:
    workflow, _, step = value.partition(":")
    if not workflow or not step:
        raise click.BadParameter("expected WORKFLOW:STEP, e.g. critical:executive-escalation")
    return workflow, step


def _read_context(path: Path) -> Any:
    """The JSON context file, refused over 1 MB or nested over 64 levels (limits.py) before
    it is parsed: Python's json module recurses per level and fails at about 1 000."""
    from renubu_tui.handlebars.limits import (
        MAX_CONTEXT_BYTES,
        MAX_CONTEXT_DEPTH,
        LimitError,
        check_json_text,
    )

    try:
        text = path.read_text(encoding="utf-8")
        check_json_text(text, "context", max_bytes=MAX_CONTEXT_BYTES, max_depth=MAX_CONTEXT_DEPTH)
        return json.loads(text)
    except LimitError as exc:
        raise click.BadParameter(f"{path}: {exc}", param_hint="--context") from None
    except FileNotFoundError:
        raise click.BadParameter(f"no such file: {path}", param_hint="--context") from None
    except (OSError, UnicodeDecodeError) as exc:
        message = f"cannot read {path}: {exc}"
        raise click.BadParameter(message, param_hint="--context") from None
    except json.JSONDecodeError as exc:
        message = f"{path} is not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        raise click.BadParameter(message, param_hint="--context") from None


def _read_stdin() -> str:
    """The template on standard input: refused over 64 KB (limits.py) with its size, which is
    counted without keeping more than the limit in memory."""
    from renubu_tui.handlebars.limits import MAX_TEMPLATE_BYTES, too_big

    stream = sys.stdin.buffer
    data = stream.read(MAX_TEMPLATE_BYTES + 1)
    if len(data) > MAX_TEMPLATE_BYTES:
        size = len(data)
        while chunk := stream.read(1 << 20):
            size += len(chunk)
        raise click.ClickException(too_big("template", size, MAX_TEMPLATE_BYTES))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise click.ClickException(f"standard input is not UTF-8 ({exc.reason})") from None


def _write(text: str) -> None:
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates (JSON escapes) become U+FFFD, as in Node
        fixed = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        data = fixed.encode("utf-8")
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
