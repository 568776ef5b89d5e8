"""Skip dialog: one of the five reasons (required) and a note."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from renubu_tui.tui.screens.dialog import Dialog
from renubu_tui.tui.text import clean

SKIP_REASONS = [
    "Not applicable",
    "Already completed",
    "Customer requested skip",
    "Internal decision",
    "Other",
]


@dataclass(frozen=True)
class Skip:
    reason: str
    note: str


class SkipScreen(Dialog[Skip | None]):
    def __init__(self, customer: str) -> None:
        super().__init__()
        self.customer = customer

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(
                f"Skip {clean(self.customer)}'s workflow (final)",
                classes="dialog-title",
                markup=False,
            )
            with RadioSet(id="skip-reason"):
                for reason in SKIP_REASONS:
                    yield RadioButton(reason)
            yield Label("Note")
            yield Input(placeholder="optional", id="skip-note", max_length=1000)
            yield Static("", classes="dialog-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Skip", id="ok", variant="error")

    def on_mount(self) -> None:
        self.query_one(RadioSet).focus()

    @on(Button.Pressed, "#ok")
    @on(Input.Submitted)
    def action_submit(self) -> None:
        index = self.query_one(RadioSet).pressed_index
        if index < 0:
            self.fail("A reason is required to skip.")
            return
        note = self.query_one("#skip-note", Input).value.strip()
        self.dismiss(Skip(SKIP_REASONS[index], note))
