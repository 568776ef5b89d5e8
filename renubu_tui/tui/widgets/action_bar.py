"""One row of buttons for the actions on the selected customer, for the mouse.

A button runs the same main-screen action as its key (`run_action`, so the same dialog and the
same rows). The buttons never take the
focus: the queue keeps it, so the keys go on working after a click.

Fitting the width (the bar measures itself on every resize): each button always shows its key
and its name ("s Snooze"), a button being how a person learns the key. When all of them fit
with a column between them (from 108 columns) they have one; narrower, they sit side by side
(each button's colour and padding set it apart), and the row scrolls sideways (mouse wheel)
with no scrollbar rather than dropping buttons or keys: all stay reachable, and the first ones,
the customer's actions, are the ones in view (at 80 columns: Snooze to Tasks). The key shown is
the one in force (a remap in the config file's [keys] shows up here too).

In the narrow layout's customer view (`-narrow -detail`, the queue hidden) the row starts with
"◂ Queue" (what Esc does), the only way back for the mouse; Inbox makes room for it there (the
bell in the header opens the inbox too).
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.containers import HorizontalScroll
from textual.content import Content
from textual.widgets import Button

ACTIONS = [
    ("snooze", "Snooze"),
    ("skip", "Skip"),
    ("escalate", "Escalate"),
    ("meeting", "Meeting"),
    ("email", "E-mail"),
    ("new_task", "New task"),
    ("tasks", "Tasks"),
    ("artifacts", "Artifacts"),
    ("inbox", "Inbox"),
]
"""(main-screen action, name) in the order of the row: the customer's actions, then the screens."""
BACK = ("back", "◂ Queue")
"""First in the narrow layout's customer view only."""

GAP = 1  # columns between buttons
PAD = 2  # a compact button's padding (one column each side)


class ActionBar(HorizontalScroll):
    can_focus = False
    can_focus_children = False

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._short: bool | None = None

    def compose(self) -> ComposeResult:
        for action, name in [BACK, *ACTIONS]:
            button = Button(name, id=f"act-{action}", compact=True)
            button.can_focus = False  # the queue keeps the focus; keys do the same
            button.tooltip = f"{name} ({self._key(action) or 'palette'})"
            yield button

    def on_mount(self) -> None:
        self._fit(self.size.width)

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.width)

    def _fit(self, width: int) -> None:
        """Gaps between the buttons when they all fit, else none (then the row scrolls)."""
        if width <= 0:
            return
        short = self.needed(with_keys=True) > width - 2  # the bar's padding
        if short == self._short:
            return
        self._short = short
        self.set_class(short, "-short")
        for action, name in [BACK, *ACTIONS]:
            key = self._key(action)
            label = (
                Content(name) if key is None else Content.assemble((key, "$text-accent"), " ", name)
            )
            button = self.query_one(f"#act-{action}", Button)
            button.label = label
            button.refresh(layout=True)  # `label` alone keeps the old width

    def needed(self, *, with_keys: bool) -> int:
        """Columns the widest row takes (with Inbox or with Back) with the keys and gaps, or
        without either."""
        rows = [ACTIONS, [BACK, *ACTIONS[:-1]]]
        if not with_keys:
            return max(sum(len(name) + PAD for _, name in row) for row in rows)
        return max(
            sum(len(name) + PAD + GAP + len(self._key(action) or "") + 1 for action, name in row)
            - GAP
            for row in rows
        )

    def _key(self, action: str) -> str | None:
        """How the key bound to `action` on the screen shows (after the config's remaps)."""
        app = self.app
        keymap: dict[str, str] = getattr(app, "_keymap", {})  # no public getter (see help.py)
        for _, binding in self.screen._bindings:
            if binding.action == action:
                key = keymap.get(binding.id or "", binding.key).split(",")[0].strip()
                return app.get_key_display(binding.with_key(key))
        return None

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id:
            await self.screen.run_action(event.button.id.removeprefix("act-"))
