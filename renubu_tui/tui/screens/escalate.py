"""Escalate dialog: to the manager, the VP of Customer Success or the CEO, with a reason."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from renubu_tui.tui.screens.dialog import Dialog
from renubu_tui.tui.text import clean

LEVELS = [("manager", "Manager"), ("vp_cs", "VP Customer Success"), ("ceo", "CEO")]


@dataclass(frozen=True)
class Escalation:
    level: str
    reason: str


class EscalateScreen(Dialog[Escalation | None]):
    def __init__(self, customer: str) -> None:
        super().__init__()
        self.customer = customer

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(f"Escalate {clean(self.customer)}", classes="dialog-title", markup=False)
            with RadioSet(id="escalate-level"):
                for index, (_level, label) in enumerate(LEVELS):
                    yield RadioButton(label, value=index == 0)
            yield Label("Reason (required)")
            yield Input(placeholder="what needs their help", id="escalate-reason", max_length=1000)
            yield Static("", classes="dialog-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Escalate", id="ok", variant="warning")

    def on_mount(self) -> None:
        self.query_one(RadioSet).focus()

    @on(Button.Pressed, "#ok")
    @on(Input.Submitted)
    def action_submit(self) -> None:
        index = max(self.query_one(RadioSet).pressed_index, 0)
        reason = self.query_one("#escalate-reason", Input).value.strip()
        if not reason:
            self.fail("A reason is required to escalate.")
            return
        self.dismiss(Escalation(LEVELS[index][0], reason))
