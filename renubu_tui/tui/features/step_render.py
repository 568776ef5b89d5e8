"""The step pane's text: progress strip, current step, earlier outputs (all plain, never markup)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.text import Text

from renubu_tui.tui.text import clean, join, pairs, plain

if TYPE_CHECKING:
    from renubu_tui.services.customers.step_view import StepView
    from renubu_tui.services.workflows.as_of import Closed
    from renubu_tui.services.workflows.executions import ExecutionView, StepState

MARKS = {"completed": "✓", "in_progress": "▶", "skipped": "↷", "snoozed": "z", "pending": "·"}
STYLES = {"completed": "green", "in_progress": "bold", "skipped": "dim", "snoozed": "yellow"}
HISTORY_STYLE = "bold italic"  # the theme's own text colour: a named colour can fade on light


def progress(steps: list[StepState]) -> Text:
    """One mark per step: ✓ done, ▶ current, ↷ skipped, z snoozed, · pending."""
    return Text(" ").join(
        Text(MARKS.get(s.status, "·"), style=STYLES.get(s.status, "dim")) for s in steps
    )


def gate_line(view: ExecutionView) -> str:
    """The step's gate in words: who must do what before the work can go on (or who did)."""
    if view.gate_state is not None:
        return clean(view.gate_state.reason)
    return "Waits for an approval before the workflow can go on"


def header(data: StepView) -> RenderableType:
    view = data.execution
    dated = [plain(data.history, HISTORY_STYLE)] if data.history else []
    if view is None:
        lines: list[RenderableType] = [plain(data.customer_name, "bold"), *dated]
        if data.closed is not None:
            lines.append(closed_line(data.closed))
        if data.fits:
            lines.append(join(["No workflow open", plain(f"{data.fits} fits now")]))
        else:
            lines.append(plain(f"No workflow open · {data.fits_problem or ''}", "dim"))
        return Group(*lines)
    title = join(
        [plain(data.customer_name, "bold"), plain(view.workflow_name), f"v{view.version_number}"]
    )
    lines = [title, *dated, progress(view.steps)]
    step = view.step
    if step is None:
        lines.append(plain(f"The workflow is {view.status}.", "italic"))
        return Group(*lines)
    index = next((i for i, s in enumerate(view.steps) if s.step_id == view.current_step_id), 0)
    lines += [
        Text.assemble(
            (f"Step {index + 1} of {len(view.steps)}: ", "dim"),
            plain(step.name, "bold"),
            (" · ", "dim"),
            plain(step.type, "italic"),
        ),
        plain(step.description),
    ]
    if view.gate:
        lines.append(Text.assemble("⛔ ", (gate_line(view), "bold")))
    elif view.gate_state is not None:
        lines.append(Text.assemble("✓ ", gate_line(view)))
    return Group(*lines)


def closed_line(closed: Closed) -> Text:
    """The execution that closed last: its name, how and when, and the recorded outcome."""
    parts = [plain(f"{closed.workflow_name} {closed.status} on {closed.completed_on}")]
    if closed.outcome:
        parts.append(plain(closed.outcome, "italic"))
    return join(parts)


def _compact(value: Any, width: int = 70) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    text = clean(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def earlier_outputs(view: ExecutionView) -> RenderableType | None:
    """What earlier steps recorded (and the assistant's draft for this one), in words."""
    from renubu_tui.services.workflows.step_text import output_sections

    rows: list[tuple[str, Text | str]] = []
    for section in output_sections(view):
        title = (
            f"{section.step_name} (the assistant's draft)" if section.draft else section.step_name
        )
        rows.append(("", plain(title, "bold")))
        for line in section.lines:
            text = "; ".join(line.items) if line.items else line.text
            rows.append((clean(line.label), plain(_compact(text, 90))))
    for s in view.steps:
        if s.status == "skipped" and s.skip_reason:
            rows.append(("↷", plain(f"{s.name}: {s.skip_reason}", "dim")))
    if not rows:
        return None
    return Group(Text("Earlier steps", style="bold dim"), pairs(rows, key_width=14))


def routes(view: ExecutionView) -> list[Text]:
    """The current step's routes in words ("Signature pending → Executive escalation"); the
    route codes are for admins (the workflow admin screen shows the config)."""
    from renubu_tui.domain.routing import route_description

    step = view.step
    names = {s.step_id: s.name for s in view.steps}
    return [
        Text.assemble(
            plain(route_description(r)),
            ("  → ", "dim"),
            plain(names.get(r.next_step_id or "", "the next step"), "dim"),
        )
        for r in (step.routes if step is not None else ())
    ]
