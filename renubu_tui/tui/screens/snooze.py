"""Snooze dialog: tomorrow, 3 days, a week or a date (1–30 days ahead), with a reason."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from renubu_tui.tui.screens.dialog import Dialog, parse_day
from renubu_tui.tui.text import clean

MAX_DAYS = 30
CHOICES = [("Tomorrow", 1), ("3 days", 3), ("1 week", 7), ("A date…", None)]


@dataclass(frozen=True)
class Snooze:
    days: int
    until: dt.date
    reason: str


class SnoozeScreen(Dialog[Snooze | None]):
    def __init__(self, customer: str, today: dt.date) -> None:
        super().__init__()
        self.customer = customer
        self.today = today

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(f"Snooze {clean(self.customer)}", classes="dialog-title", markup=False)
            with RadioSet(id="snooze-when"):
                for index, (label, _days) in enumerate(CHOICES):
                    yield RadioButton(label, value=index == 0)
            yield Input(placeholder="YYYY-MM-DD", id="snooze-date", disabled=True)
            yield Label("Reason")
            yield Input(placeholder="why (optional)", id="snooze-reason", max_length=500)
            yield Static("", classes="dialog-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Snooze", id="ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one(RadioSet).focus()

    @on(RadioSet.Changed)
    def _when(self, event: RadioSet.Changed) -> None:
        is_date = CHOICES[event.index][1] is None
        field = self.query_one("#snooze-date", Input)
        field.disabled = not is_date
        if is_date:
            field.focus()

    @on(Button.Pressed, "#ok")
    @on(Input.Submitted)
    def action_submit(self) -> None:
        index = self.query_one(RadioSet).pressed_index
        days = CHOICES[index][1] if index >= 0 else 1
        if days is None:
            day = parse_day(self.query_one("#snooze-date", Input).value)
            if day is None:
                self.fail("Enter the date as YYYY-MM-DD.")
                return
            days = (day - self.today).days
            if not 1 <= days <= MAX_DAYS:
                self.fail(f"Choose a day 1 to {MAX_DAYS} days after {self.today.isoformat()}.")
                return
        reason = self.query_one("#snooze-reason", Input).value.strip()
        self.dismiss(Snooze(days, self.today + dt.timedelta(days=days), reason))
