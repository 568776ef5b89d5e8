"""Where a step goes next, chosen by the person: each route in words, the suggestion pre-selected.

Completing a step with routes never picks one silently; this dialog lists every route's
plain-language description and the step it leads to, with the assistant's (or the rules')
suggestion highlighted, and returns the chosen route's id (None when cancelled).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from renubu_tui.tui.screens.modal import Modal
from renubu_tui.tui.text import clean, plain

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from renubu_tui.services.workflows.executions import RouteChoices


def route_label(description: str, next_step: str, suggested: bool) -> Text:
    """ "Signature pending → Executive escalation  (suggested)" — never the route's code."""
    label = Text.assemble(plain(description, "bold"), "  → ", plain(next_step))
    if suggested:
        label.append("  (suggested)", style="italic")
    return label


class RoutePickerScreen(Modal[str | None]):
    CSS_PATH = "../styles/route_picker.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "choose", "Complete on this route", id="routes.choose", priority=True),
        Binding("escape", "cancel", "Cancel", id="routes.cancel"),
    ]

    def __init__(self, choices: RouteChoices) -> None:
        super().__init__()
        self.choices = choices

    def compose(self) -> ComposeResult:
        step = clean(self.choices.step_name or "this step")
        with Vertical():
            yield Static(Text(f"Complete “{step}”: where does the work go now?"), id="route-title")
            yield OptionList(
                *(
                    Option(route_label(r.description, r.next_step_name, r.suggested), id=r.id)
                    for r in self.choices.routes
                ),
                id="route-options",
            )
            line = self.choices.suggestion_line()
            yield Static(
                plain(line or "Nothing is suggested: choose what happened."), id="route-suggestion"
            )

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = self.choices.suggested_index or 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_choose(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            self.dismiss(options.get_option_at_index(options.highlighted).id)

    def action_cancel(self) -> None:
        self.dismiss(None)
