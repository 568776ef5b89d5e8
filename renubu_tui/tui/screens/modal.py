"""A screen over the main screen that shows its own keys, never the main screen's.

Textual draws the screen beneath a modal, footer included, so without a footer of its own a
dialog would list keys (Snooze, Run step…) that do nothing while it is open.
"""

from __future__ import annotations

from typing import TypeVar

from textual.screen import ModalScreen

T = TypeVar("T")


class Modal(ModalScreen[T]):
    # Dimmed, not faded away: what is beneath stays legible (1.5:1 at least) in light themes too.
    DEFAULT_CSS = """
    Modal { background: $background 50%; }
    """

    def on_mount(self) -> None:
        from textual.widgets import Footer, Input

        self.mount(Footer())
        for field in self.query(Input):
            field.select_on_focus = False  # Tab back into a field keeps what was typed there
