"""The step pane's text: progress strip, current step, earlier outputs (all plain, never markup)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.text import Text

from renubu_tui.tui.text import clean, join, pairs, plain

if TYPE_CHECKING:
    from renubu_tui.services.execution_history import Closed
    from renubu_tui.services.executions import ExecutionView, StepState
    from renubu_tui.tui.features.step_data import StepData

MARKS = {"completed": "✓", "in_progress": "▶", "skipped": "↷", "snoozed": "z", "pending": "·"}
STYLES = {"completed": "green", "in_progress": "bold", "skipped": "dim", "snoozed": "yellow"}
GATE_TEXT = "waits for manager acknowledgment"
HISTORY_STYLE = "bold yellow"


def progress(steps: list[StepState]) -> Text:
    """One mark per step: ✓ done, ▶ current, ↷ skipped, z snoozed, · pending."""
    return Text(" ").join(
        Text(MARKS.get(s.status, "·"), style=STYLES.get(s.status, "dim")) for s in steps
    )


def gate_text(gate: str) -> str:
    if gate == "manager-acknowledge":
        return GATE_TEXT
    return f"waits for {clean(gate)}"


def header(data: StepData) -> RenderableType:
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
    step = view.current_step
    if step is None:
        lines.append(plain(f"The workflow is {view.status}.", "italic"))
        return Group(*lines)
    index = next((i for i, s in enumerate(view.steps) if s.step_id == view.current_step_id), 0)
    lines += [
        Text.assemble(
            (f"Step {index + 1} of {len(view.steps)}: ", "dim"),
            plain(step.get("name", step["id"]), "bold"),
            (" · ", "dim"),
            plain(step.get("type", ""), "italic"),
        ),
        plain(step.get("description", "")),
    ]
    if view.gate:
        lines.append(Text.assemble(("⛔ gate: ", "bold yellow"), gate_text(view.gate)))
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
    """Earlier steps' outputs as compact `key: value` lines."""
    rows: list[tuple[str, Text | str]] = []
    names = {s.step_id: s.name for s in view.steps}
    for store, outputs in view.outputs.items():
        rows.append(("", plain(names.get(store, store), "bold")))
        if isinstance(outputs, dict):
            rows += [(clean(k), plain(_compact(v))) for k, v in outputs.items()]
        else:
            rows.append(("", plain(_compact(outputs))))
    for s in view.steps:
        if s.status == "skipped" and s.skip_reason:
            rows.append(("↷", plain(f"{s.name}: {s.skip_reason}", "dim")))
    if not rows:
        return None
    return Group(Text("Earlier steps", style="bold dim"), pairs(rows, key_width=14))


def routes(view: ExecutionView) -> list[tuple[str, str]]:
    """The current step's routes: (route id, condition text)."""
    step = view.current_step or {}
    return [
        (str(r["id"]), clean(r.get("condition", "")))
        for r in (step.get("routing") or {}).get("routes", [])
    ]
