"""`renubu ask` and `renubu step`: the assistant from a shell.

`ask` streams the answer to stdout (charts drawn as text) and names who answered on stderr,
so piping the answer keeps only the answer. `step` shows the current step, its routes and its
branches, runs it with the assistant (`--run`: the answer is kept on the step and its route
suggested; `renubu execution complete --route` takes the step on) or takes a branch
(`--choose KEY`).

With a fixed day (`--as-of`), `step` shows the workflow open at the end of that day as it stood
then; when its record goes on after that day it is history and `--run` / `--choose` refuse.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from typing import TYPE_CHECKING

import click

from renubu_tui.cli.root import Context, command_options, pass_context
from renubu_tui.safe_text import printable

if TYPE_CHECKING:
    from collections.abc import Callable

    from renubu_tui.data.models import Customer
    from renubu_tui.llm.provider import Provider
    from renubu_tui.services.chat.service import BranchOutcome, ChatService
    from renubu_tui.services.container import Services
    from renubu_tui.services.workflows.executions import ExecutionView
    from renubu_tui.services.workflows.step_runner import StepRun, StepRunner
    from renubu_tui.settings import Settings


def _provider_factory(
    settings: Settings, provider: str | None, model: str | None
) -> Callable[[], Provider]:
    from renubu_tui.llm.factory import make_provider

    chosen = (
        dataclasses.replace(
            settings,
            llm_provider=provider or settings.llm_provider,
            llm_model=model or settings.llm_model,
        )
        if provider or model
        else settings
    )
    pace = 0.02 if sys.stdout.isatty() else 0.0  # typing pace is for people, not pipes
    make_provider(chosen, offline_pace=pace)  # fail now on a bad name, not mid-answer
    return lambda: make_provider(chosen, offline_pace=pace)


async def _customer(s: Services, ref: str) -> Customer:
    from renubu_tui.services.customers.lookup import customer_by_ref

    async with s.db.sessions() as session:
        return await customer_by_ref(session, s.tenant, ref)


def _services(s: Services, factory: Callable[[], Provider]) -> tuple[ChatService, StepRunner]:
    from renubu_tui.services.chat.service import ChatService
    from renubu_tui.services.workflows.step_runner import StepRunner

    chat = ChatService(s.db, s.clock, factory, s.executions, actions=s.actions)
    return chat, StepRunner(s.db, s.clock, factory, s.executions)


@click.command()
@click.argument("customer")
@click.argument("question")
@click.option("--provider", metavar="NAME", help="offline, ollama, openai or anthropic.")
@click.option("--model", metavar="NAME", help="Model name for the provider.")
@command_options
@pass_context
def ask(
    ctx: Context, customer: str, question: str, provider: str | None, model: str | None
) -> None:
    """Ask the assistant QUESTION about CUSTOMER (in its open workflow's step, if any)."""
    from contextlib import aclosing

    from renubu_tui.cli.progress import Spinner, is_terminal
    from renubu_tui.llm.events import Done, StreamError, TextDelta
    from renubu_tui.services.chat.answer import MessageSaved, ToolRan
    from renubu_tui.services.chat.tools.charts import render_text

    try:
        factory = _provider_factory(ctx.settings, provider, model)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--provider") from None

    async def body(s: Services) -> None:
        chat, _ = _services(s, factory)
        found = await _customer(s, customer)
        runs = await s.executions.open_for(s.tenant.id, found.id)
        thread = await chat.open_thread(
            s.tenant.id,
            actor=s.user,
            execution_id=runs[0].id if runs else None,
            customer_id=found.id,
            model=model,
        )
        failed: StreamError | None = None
        done: Done | None = None
        said = ""  # the answer's text so far: ended with a newline only when there is some
        # the spinner shares a terminal with the answer when stdout is one: the text is then
        # the progress, and the spinner goes at the first words
        shared = is_terminal(sys.stdout)
        async with (
            Spinner(f"asking {factory().label}") as spinner,
            aclosing(chat.send(thread.id, question)) as events,
        ):
            async for event in events:
                if isinstance(event, TextDelta):
                    spinner.add(event.text)
                    if shared:
                        spinner.hide()
                    said = printable(event.text, keep_newlines=True)
                    click.echo(said, nl=False)
                elif isinstance(event, ToolRan):
                    spinner.clear()
                    state = "ok" if event.success else f"failed: {event.error}"
                    click.echo(f"[{event.name}: {printable(state)}]", err=True)
                elif isinstance(event, MessageSaved) and event.message.message_type == "chart":
                    spinner.clear()
                    for line in render_text(event.message.meta["chart"]):
                        click.echo(printable(line))
                elif isinstance(event, Done):
                    done = event
                elif isinstance(event, StreamError):
                    failed = event
        if said and not said.endswith("\n"):
            click.echo("")
        if failed is not None:
            # "ask again" only where that may help: not after a configuration error, and
            # not twice when the message already says "try again"
            again = failed.retryable and "try again" not in failed.message
            suffix = " — ask again" if again else ""
            raise click.ClickException(f"the assistant failed: {failed.message}{suffix}")
        label = printable(done.provider_label) if done is not None else ""
        note = done.prompt_note() if done is not None else ""
        click.echo(f"— answered by {label}{f' · {note}' if note else ''}", err=True)

    ctx.with_services(body)


@click.command()
@click.argument("customer")
@click.option("--run", "run_it", is_flag=True, help="Run the step with the assistant.")
@click.option("--choose", "branch", metavar="KEY", help="Take one of the step's branches.")
@click.option("--provider", metavar="NAME", help="offline, ollama, openai or anthropic.")
@click.option("--model", metavar="NAME", help="Model name for the provider.")
@command_options
@pass_context
def step(
    ctx: Context,
    customer: str,
    run_it: bool,
    branch: str | None,
    provider: str | None,
    model: str | None,
) -> None:
    """Show CUSTOMER's current step and its branches; --run it with the assistant."""

    if run_it and branch:
        raise click.UsageError("use either --run or --choose")
    try:
        factory = _provider_factory(ctx.settings, provider, model)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--provider") from None

    async def body(s: Services) -> None:
        from renubu_tui.cli.engine_cmd import _history, _open_run, _print_run

        chat, runner = _services(s, factory)
        run = await _open_run(s, customer, acting=run_it or branch is not None)
        history = _history(run)
        if history is not None:  # as of a day the record goes on after: read only
            _print_run(run)
            click.echo(f"  as of {history.as_of}: history — read only")
            return
        if run_it:
            from renubu_tui.cli.progress import Spinner

            step_name = run.step.name if run.step is not None else run.current_step_id
            async with Spinner(f"running {step_name} with {factory().label}") as spinner:
                done = await runner.run_step(s.tenant.id, run.id, s.user, on_text=spinner.add)
            click.echo(json.dumps(done.outputs, indent=2, ensure_ascii=False))
            if done.advanced:
                _where(done.view, done.step_id, done.route)
            else:
                _suggested(done, customer)
            click.echo(f"— by {printable(done.by)}", err=True)
        elif branch:
            outcome = await chat.choose_branch(s.tenant.id, run.id, branch, actor=s.user)
            _print_outcome(outcome)
        else:
            await _show(chat, s, run)

    ctx.with_services(body)


def _where(view: ExecutionView, step_id: str, route: str | None) -> None:
    from renubu_tui.domain.enums import ExecutionStatus

    how = f" on route {route}" if route else ""
    if view.status == ExecutionStatus.COMPLETED:
        click.echo(f"{step_id} completed{how}; the workflow is complete.")
    else:
        nxt = view.step.name if view.step is not None else view.current_step_id
        click.echo(f"{step_id} completed{how}; next: {nxt}")
        if view.gate_state is not None and not view.gate_state.open:
            click.echo(f"  gate: {printable(view.gate_state.reason)}")


def _suggested(done: StepRun, customer: str) -> None:
    """The run kept its answer on the step: what it suggests and how to take the step on."""
    name = done.view.step.name if done.view.step is not None else done.step_id
    if done.suggestion is None:
        click.echo(f"{name}: the answer is kept on the step; nothing moved.")
        return
    route = done.suggestion
    click.echo(f"{name}: the assistant suggests {printable(route.description)} ({route.id}).")
    click.echo(
        f"Nothing moved: take it with `renubu execution complete {customer} --route {route.id}`."
    )


async def _show(chat: ChatService, s: Services, run: ExecutionView) -> None:
    step = run.step
    click.echo(f"{run.workflow_name} · {step.name if step is not None else run.current_step_id}")
    if step is not None and step.description:
        click.echo(f"  {printable(step.description)}")
    if run.gate_state is not None:
        click.echo(f"  gate ({run.gate_state.state}): {printable(run.gate_state.reason)}")
    choices = await s.executions.route_choices(s.tenant.id, run.id, actor=s.user)
    for r in choices.routes:
        mark = "→" if r.suggested else " "
        click.echo(f"  {mark} route {r.id:<22} {printable(r.description)}")
    listing = await chat.branches(s.tenant.id, run.id, actor=s.user)
    for b in listing.branches:
        click.echo(f"  {b.key:<22} {b.type:<12} {printable(b.label)}")
    for w in listing.withheld:
        click.echo(f"  ({w.branch.key}: {printable(w.reason)})")
    if listing.suggested_replies:
        click.echo(
            "suggested replies: " + " | ".join(printable(p) for p in listing.suggested_replies)
        )


def _print_outcome(outcome: BranchOutcome) -> None:
    view, thread, action = outcome.view, outcome.thread, outcome.action
    if outcome.kind == "moved" and view is not None:
        reply = thread.messages[-1].content if thread else ""
        click.echo(printable(reply, keep_newlines=True))
        click.echo(
            "the workflow is complete."
            if view.status == "completed"
            else f"next: {(view.current_step or {}).get('name', view.current_step_id)}"
        )
    elif outcome.kind == "action" and action is not None:
        click.echo(printable(action.message))
    elif thread is not None:
        click.echo(f"thread {thread.id} is open: ask with `renubu ask`")
