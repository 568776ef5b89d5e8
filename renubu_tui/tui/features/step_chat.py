"""The workflow step and its chat as keys of the main screen (a plain mixin of MainScreen).

It holds no state; the work happens in `StepPane` and `ChatPanel`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.binding import Binding, BindingType

from renubu_tui.tui.features import ScreenMixin

if TYPE_CHECKING:
    from renubu_tui.tui.widgets.step_pane import StepPane

STEP_CHAT_BINDINGS: list[BindingType] = [
    Binding("g", "step_start", "Start workflow", id="step.start"),
    Binding("x", "step_run", "Run step", id="step.run"),
    Binding("c", "step_complete", "Complete", id="step.complete"),
    Binding("k", "step_skip", "Skip step", id="step.skip", show=False),
    Binding("A", "step_acknowledge", "Acknowledge (manager)", id="step.ack", show=False),
    Binding("i", "chat_focus", "Ask", id="chat.ask"),
    # One id for the nine: the help shows them as one line ("1…9").
    *(
        Binding(str(n), f"chat_reply({n})", "Suggested reply", show=False, id="chat.reply")
        for n in range(1, 10)
    ),
]


class StepChatKeys(ScreenMixin):
    """Start, run, complete, skip and acknowledge a step; ask; take a suggested reply."""

    def _step_pane(self) -> StepPane | None:
        from renubu_tui.tui.widgets.step_pane import StepPane

        panes = self.query(StepPane)
        return panes.first() if panes else None

    def action_step_start(self) -> None:
        if (pane := self._step_pane()) is not None:
            pane.action_start()

    def action_step_run(self) -> None:
        if (pane := self._step_pane()) is not None:
            pane.action_run()

    def action_step_complete(self) -> None:
        if (pane := self._step_pane()) is not None:
            pane.action_complete()

    def action_step_skip(self) -> None:
        if (pane := self._step_pane()) is not None:
            pane.action_skip()

    def action_step_acknowledge(self) -> None:
        if (pane := self._step_pane()) is not None:
            pane.action_acknowledge()

    def action_chat_reply(self, number: int) -> None:
        """Take the step's n-th suggested reply (typing in the chat input keeps its digits)."""
        from renubu_tui.tui.widgets.chat_panel import ChatPanel

        panels = self.query(ChatPanel)
        if not panels or not panels.first().press_reply(number):
            self.notify(f"No suggested reply {number} here.", severity="warning")

    def action_chat_focus(self) -> None:
        from renubu_tui.tui.widgets.chat_panel import HistoryInput

        fields = self.query(HistoryInput)
        if fields:
            fields.first().focus()
