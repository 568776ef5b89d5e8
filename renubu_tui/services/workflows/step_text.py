"""Step outputs in words, for the step pane: labels for field names, plain text for values.

Outputs are JSON a model or a person wrote (`missing: ["Only 4 days…"]`, `route: FINAL_PUSH`);
people should read "Missing: Only 4 days to renewal…" and the route's meaning, with the route
code kept aside (`OutputLine.code`) for whoever administers the workflow. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from renubu_tui.domain.routing import describe_route
from renubu_tui.domain.workflow_model import Step

if TYPE_CHECKING:
    from renubu_tui.services.workflows.executions import ExecutionView

_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+\d*|[A-Z]+\d*|\d+")


@dataclass(frozen=True)
class OutputLine:
    label: str  # "Customer committed"
    text: str  # one line: "yes", "Only 4 days to renewal (Emergency).; Payment pending"
    items: tuple[str, ...] = ()  # a list's entries, one each (for bullets)
    code: str | None = None  # the route code behind a route line, for admins


@dataclass(frozen=True)
class OutputSection:
    step_id: str
    step_name: str
    lines: tuple[OutputLine, ...]
    draft: bool = False  # the assistant's answer for the open step, not applied yet


def field_label(key: str) -> str:
    """customerCommitted → "Customer committed", finalARR → "Final ARR", next_step → "Next step"."""
    words = _WORD.findall(key.replace("-", "_")) or [key]
    said = [w if (w.isupper() and len(w) > 1) else w.lower() for w in words]
    text = " ".join(said)
    return text[:1].upper() + text[1:]


def value_text(value: Any) -> str:
    """A JSON value as plain words: yes/no, numbers without ".0", lists joined with "; "."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return " ".join(value.split()) or "—"
    if isinstance(value, list):
        return "; ".join(value_text(v) for v in value) or "none"
    if isinstance(value, Mapping):
        return ", ".join(
            f"{field_label(str(k)).lower()}: {value_text(v)}" for k, v in value.items()
        )
    return str(value)


def output_lines(step: Step | None, outputs: Any) -> tuple[OutputLine, ...]:
    """One step's outputs as labelled lines; `route` says the route's meaning, code aside."""
    if not isinstance(outputs, Mapping):
        return (OutputLine("Answer", value_text(outputs)),)
    lines: list[OutputLine] = []
    for key, value in outputs.items():
        if key == "route" and isinstance(value, str) and value:
            lines.append(OutputLine("Route", describe_route(step, value) or value, code=value))
        elif isinstance(value, list):
            items = tuple(value_text(v) for v in value)
            lines.append(OutputLine(field_label(str(key)), value_text(value), items))
        else:
            lines.append(OutputLine(field_label(str(key)), value_text(value)))
    return tuple(lines)


def output_sections(view: ExecutionView) -> list[OutputSection]:
    """The execution's outputs step by step in words, then the open step's unapplied draft."""
    by_store = view.workflow.by_store_key()
    sections = [
        OutputSection(
            step.id if (step := by_store.get(store)) else store,
            step.name if step else field_label(store),
            output_lines(step, outputs),
        )
        for store, outputs in view.outputs.items()
    ]
    current = view.step
    if current is not None and view.draft:
        sections.append(
            OutputSection(
                current.id,
                current.name,
                output_lines(current, view.draft),
                draft=True,
            )
        )
    return sections


__all__ = [
    "OutputLine",
    "OutputSection",
    "field_label",
    "output_lines",
    "output_sections",
    "value_text",
]
