"""A small modal asking why a step is skipped; returns the reason or None."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Label

from renubu_tui.tui.screens.modal import Modal


class SkipReasonScreen(Modal[str | None]):
    CSS_PATH = "../styles/skip_reason.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="skip.cancel"),
    ]

    def __init__(self, step_name: str) -> None:
        super().__init__()
        self.step_name = step_name

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"Skip {self.step_name}: why?", markup=False)
            yield Input(placeholder="reason (required)", id="skip-reason")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)
