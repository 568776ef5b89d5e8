"""Shared pieces of the small action dialogs: a frame, an error line, date parsing."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, TypeVar

from textual import on
from textual.binding import Binding, BindingType
from textual.widgets import Button, Static

from renubu_tui.tui.screens.modal import Modal

T = TypeVar("T")


def parse_day(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        return None


class Dialog(Modal[T]):
    """A centred box; Esc cancels (None), `ctrl+s` submits, Tab / shift+Tab move between the
    fields in order; `fail` shows why it cannot yet."""

    DEFAULT_CSS = """
    Dialog { align: center middle; }
    Dialog > .dialog {
        width: 72; height: auto; max-height: 90%;
        border: round $primary; background: $panel; color: $foreground; padding: 1 2;
    }
    Dialog .dialog-title { text-style: bold; margin-bottom: 1; color: $foreground; }
    Dialog Label, Dialog RadioButton { color: $foreground; }
    Dialog .dialog-error { color: $text-error; height: auto; }
    Dialog .dialog-buttons { height: auto; margin-top: 1; align-horizontal: right; }
    Dialog .dialog-buttons Button { margin-left: 1; }
    Dialog Label { margin-top: 1; }
    Dialog RadioSet { width: 100%; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "submit", "OK", id="dialog.submit"),
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
        Binding("tab", "app.focus_next", "Next field", id="dialog.next"),
        Binding("shift+tab", "app.focus_previous", "Previous field", id="dialog.previous"),
    ]

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Esc or the dialog's Cancel button (every dialog names it #cancel)."""
        self.dismiss(None)

    def action_submit(self) -> None:  # overridden
        raise NotImplementedError

    def fail(self, text: str) -> None:
        self.query_one(".dialog-error", Static).update(text)
