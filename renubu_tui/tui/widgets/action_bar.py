"""One row of buttons for the actions on the selected customer (the same `action_*` as the keys)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button

# (action, label with its key)
ACTIONS = [
    ("snooze", "s Snooze"),
    ("skip", "X Skip"),
    ("escalate", "e Escalate"),
    ("meeting", "M Meeting"),
    ("email", "E E-mail"),
    ("new_task", "T New task"),
    ("tasks", "K Tasks"),
    ("artifacts", "a Artifacts"),
    ("inbox", "n Inbox"),
]


class ActionBar(Horizontal):
    DEFAULT_CSS = """
    ActionBar { height: 1; padding: 0 1; background: $panel; }
    ActionBar Button { margin-right: 1; min-width: 0; }
    """

    def compose(self) -> ComposeResult:
        for action, label in ACTIONS:
            button = Button(label, id=f"act-{action}", compact=True)
            button.can_focus = False  # the queue keeps the focus; keys do the same
            yield button

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id:
            self.app.run_action(event.button.id.removeprefix("act-"))
