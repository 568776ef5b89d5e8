"""Queue filters in a small modal: owner, type, stage, plan. Returns the new view or None."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical
from textual.widgets import Button, Label, Select

from renubu_tui.tui.queue_view import PLANS, TYPES, QueueView
from renubu_tui.tui.screens.modal import Modal


class FilterScreen(Modal[QueueView | None]):
    CSS_PATH = "../styles/filters.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="filters.cancel"),
        Binding("ctrl+s", "apply", "Apply", id="filters.apply"),
    ]

    def __init__(self, view: QueueView, stages: list[str]) -> None:
        super().__init__()
        self.view = view
        self.stages = stages

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Filter the queue"
            with Grid():
                yield Label("Owner")
                yield Select(
                    [("me", True), ("everyone", False)],
                    value=self.view.mine,
                    allow_blank=False,
                    id="owner",
                )
                yield Label("Type")
                yield Select(
                    [(t, t) for t in TYPES if t],
                    value=self.view.type or Select.NULL,
                    prompt="all types",
                    id="type",
                )
                yield Label("Stage")
                yield Select(
                    [(s, s) for s in self.stages],
                    value=self.view.stage or Select.NULL,
                    prompt="all stages",
                    id="stage",
                )
                yield Label("Plan")
                yield Select(
                    [(p, p) for p in PLANS],
                    value=self.view.plan or Select.NULL,
                    prompt="all plans",
                    id="plan",
                )
            with Horizontal():
                yield Button("Clear", id="clear")
                yield Button("Cancel", id="cancel")
                yield Button("Apply", id="apply", variant="primary")

    def _value(self, id: str) -> str | None:
        value = self.query_one(f"#{id}", Select).value
        return None if value is Select.NULL else str(value)

    def action_apply(self) -> None:
        mine = self.query_one("#owner", Select).value
        self.dismiss(
            self.view.with_(
                mine=bool(mine),
                type=self._value("type"),
                stage=self._value("stage"),
                plan=self._value("plan"),
            )
        )

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#apply")
    def _apply(self) -> None:
        self.action_apply()

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()

    @on(Button.Pressed, "#clear")
    def _clear(self) -> None:
        for id in ("type", "stage", "plan"):
            self.query_one(f"#{id}", Select).clear()
