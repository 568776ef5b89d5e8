"""The step's chat: its messages, the fixed branches as suggested replies, an input that streams.

Looking at a step writes nothing: the step's thread is shown if it exists and created on the
first message sent. The conversation of an earlier step (where a fixed branch moved the
execution on) stays above the current one, so the choice just made is still in view.

An answer streams into one Markdown widget through `Markdown.get_stream` (batched when behind);
the full text is kept aside and rendered once more at the end. One exclusive "chat" worker per
panel: Esc cancels it, and the service records the partial answer as "stopped". Database and
model text is shown as Markdown (never Rich markup) or as plain Text.

The chat never acts on the workflow itself: a suggested reply posts `BranchChosen` and a message
typed on a day that is history posts `HistoryRefused`, and the step pane around it (which owns
the step, its gate and its history rule) answers them; `ThreadRead` tells it the thread the
chat opened or read again, so the pane's view and the chat's agree.
"""

from __future__ import annotations

import time
import uuid
from contextlib import aclosing
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Input, Markdown, Static
from textual.worker import Worker

from renubu_tui.safe_text import printable
from renubu_tui.tui.errors import ReportsWorkerErrors
from renubu_tui.tui.text import clean, one_line, short_label

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.timer import Timer
    from textual.widgets.markdown import MarkdownStream

    from renubu_tui.llm.events import Done
    from renubu_tui.services.chat.service import ChatService
    from renubu_tui.services.chat.store import MessageView, ThreadView
    from renubu_tui.services.customers.step_view import StepView
    from renubu_tui.tui.session import Session


def block(text: str) -> str:
    return printable(text or "", keep_newlines=True)


def _same_execution(before: StepView | None, now: StepView) -> bool:
    return (
        before is not None
        and before.execution is not None
        and now.execution is not None
        and before.execution.id == now.execution.id
    )


def _said(m: MessageView) -> bool:
    """A message of the conversation (the system message is not shown)."""
    return m.role in ("user", "assistant")


def answer_status(done: Done, seconds: float) -> str:
    """The status line after an answer: the prompt's size (and the window it had), the
    answer's, the time, then who answered (the message's own line names them too)."""
    tokens = done.usage.output_tokens
    note = done.prompt_note()
    size = (
        f"{note} · answer {tokens:,}" if note else f"{done.usage.input_tokens:,}+{tokens:,} tokens"
    )
    return f"{size} · {seconds:.1f}s · {clean(done.provider_label)}"


PROGRESS_INTERVAL = 0.25  # seconds between redraws of the status while an answer comes
MAX_REPLY_KEYS = 9  # suggested replies 1…9 are also the keys 1…9 (features/step_chat.py)


class HistoryInput(Input):
    """An Input whose up/down walk the messages sent before."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "history(-1)", "Previous message", show=False, id="chat.history_prev"),
        Binding("down", "history(1)", "Next message", show=False, id="chat.history_next"),
    ]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.history: list[str] = []
        self._at = 0

    def remember(self, text: str) -> None:
        if text and (not self.history or self.history[-1] != text):
            self.history.append(text)
        self._at = len(self.history)

    def action_history(self, step: int) -> None:
        if not self.history:
            return
        self._at = max(0, min(len(self.history), self._at + step))
        self.value = self.history[self._at] if self._at < len(self.history) else ""
        self.cursor_position = len(self.value)


class WhoLine(Static):
    """Who wrote a message and its tag (stopped, error), shortened to the width it has: the
    tag and the host stay, the model name gives way (`short_label`)."""

    def __init__(self, who: str, tag: str = "") -> None:
        super().__init__(classes="who", markup=False)
        self.who = who
        self.tag = tag

    def render(self) -> Text:
        width = self.size.width or len(self.who) + len(self.tag) + 3
        return Text(short_label(self.who, width, self.tag))


class MessageBox(Vertical):
    """One message; focusable so `y` copies the one chosen."""

    DEFAULT_CSS = """
    MessageBox { height: auto; margin-bottom: 1; }
    MessageBox:focus { background: $boost; }
    MessageBox > .who { color: $text-muted; height: 1; }
    MessageBox.-user > .body { color: $text-accent; }
    MessageBox > Markdown { margin: 0; padding: 0; }
    MessageBox .chart { height: auto; }
    """
    can_focus = True

    def __init__(
        self,
        who: str,
        role: str,
        text: str = "",
        body: list[Any] | None = None,
        tag: str = "",
    ) -> None:
        super().__init__(classes=f"-{role}")
        self.who = who
        self.tag = tag
        self.role = role
        self.text = text
        self.body = body or []

    def compose(self) -> ComposeResult:
        yield WhoLine(self.who, self.tag)
        yield from self.body


def message_box(m: MessageView, width: int = 48) -> MessageBox:
    """A box for a stored message, its body inside."""
    from renubu_tui.services.chat.tools.charts import ChartError, render_text

    text = block(m.content)
    tag = "" if m.status == "complete" else clean(m.status)
    if m.role == "user":
        return MessageBox("you", "user", text, [Static(Text(text), classes="body")])
    box = MessageBox(clean(m.provider_label) or "assistant", "assistant", text, tag=tag)
    chart = m.meta.get("chart") if m.message_type == "chart" else None
    if chart is not None:
        try:
            lines = render_text(chart, width=max(20, width))
        except (ChartError, ValueError, KeyError, TypeError) as exc:
            lines = [f"(chart not drawable: {exc})"]
        box.text = "\n".join(lines)
        box.body = [Static(Text(block(box.text)), classes="chart")]
        return box
    widgets: list[Any] = [Markdown(text)]
    if m.error and m.status != "complete":
        widgets.append(Static(Text(clean(m.error), style="red")))
    box.body = widgets
    return box


class ChatPanel(ReportsWorkerErrors, Vertical):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "stop", "Stop the answer / leave", id="chat.stop"),
        Binding("ctrl+r", "retry", "Retry the answer", id="chat.retry"),
        Binding("ctrl+y", "copy", "Copy message", id="chat.copy"),
    ]

    class Finished(Message):
        def __init__(self, thread_id: uuid.UUID) -> None:
            super().__init__()
            self.thread_id = thread_id

    class BranchChosen(Message):
        """A suggested reply was chosen: the step pane takes the branch `key`."""

        def __init__(self, key: str) -> None:
            super().__init__()
            self.key = key

    class ThreadRead(Message):
        """The step's thread as the chat now shows it (opened by the first message, or read
        again after an answer): the step pane's view keeps it too."""

        def __init__(self, execution_id: uuid.UUID, thread: ThreadView) -> None:
            super().__init__()
            self.execution_id = execution_id
            self.thread = thread

    class HistoryRefused(Message):
        """Something was typed on a day that is history (`line` says which)."""

        def __init__(self, line: str) -> None:
            super().__init__()
            self.line = line

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.session: Session | None = None
        self.data: StepView | None = None
        self.thread_id: uuid.UUID | None = None
        self.answer_text = ""
        self.failed = False
        self.last_label: str | None = None
        self._worker: Worker[None] | None = None
        self._busy = False
        self._ticker: Timer | None = None  # redraws "asking… 12 s · ≈85 tokens" while busy
        self._asked_at = 0.0
        self._chars = 0
        self._note = ""  # the last tool that ran, said beside the time

    def compose(self) -> ComposeResult:
        yield Static("Chat", id="chat-title", markup=False)
        yield VerticalScroll(id="chat-log")
        yield Static(
            "Ask about this customer below, or answer with a suggested reply.",
            id="chat-hint",
            markup=False,
        )
        yield Vertical(id="chat-replies")
        yield Static("", id="chat-status", markup=False)
        yield HistoryInput(placeholder="Ask about this customer…", id="chat-input")

    @property
    def streaming(self) -> bool:
        return self._busy

    def show(self, session: Session | None, data: StepView) -> None:
        """The step's thread and suggested replies (data read by the step pane)."""
        previous, self.session, self.data = self.data, session, data
        thread = data.thread
        if self.streaming and (
            (thread is not None and thread.id == self.thread_id)
            or (thread is None and _same_execution(previous, data))
        ):
            if thread is None and previous is not None:
                # read before the first message opened it: keep the thread being streamed
                self.data = replace(data, thread=previous.thread)
            return  # the answer still streams into this thread
        self.thread_id = thread.id if thread else None
        log = self.query_one("#chat-log", VerticalScroll)
        log.remove_children()
        width = max(20, log.size.width - 2)
        earlier = [m for m in (data.earlier.messages if data.earlier else []) if _said(m)]
        if earlier:
            log.mount(Static(Text("earlier step · closed", style="dim italic"), classes="earlier"))
            log.mount_all(message_box(m, width) for m in earlier)
            log.mount(Static(Text("this step", style="dim italic"), classes="earlier"))
        for m in thread.messages if thread else []:
            if _said(m):
                log.mount(message_box(m, width))
        self.failed = bool(
            thread
            and thread.last
            and thread.last.role == "assistant"
            and thread.last.status in ("error", "stopped")
        )
        # Anchored, not scrolled once: the boxes just mounted (Markdown) reach their height
        # over the next refreshes, and a single scroll_end could land short of the last line.
        log.anchor()
        self.query_one("#chat-hint").display = (
            data.history is None
            and not earlier
            and not any(_said(m) for m in (thread.messages if thread else []))
        )
        replies = self.query_one("#chat-replies", Vertical)
        replies.remove_children()
        fixed = [b for b in (data.branches.branches if data.branches else []) if b.type == "fixed"]
        for number, b in enumerate(fixed, start=1):
            label = b.prompts[0] if b.prompts else b.label
            key = f"{number} " if number <= MAX_REPLY_KEYS else ""  # the app's digit keys
            replies.mount(
                Button(Content(f"{key}› {clean(label)}"), name=b.key, classes="reply", compact=True)
            )
        withheld = data.branches.withheld if data.branches else []
        gate = data.branches.gate if data.branches else None
        waiting = gate is not None and not gate.open and bool(withheld)
        if gate is not None and waiting:
            # What cannot be taken yet is not offered; the gate says what it waits for.
            replies.mount(
                Static(Text.assemble(("⛔ ", "bold"), clean(gate.reason)), classes="gate")
            )
        replies.display = bool(fixed) or waiting
        if data.history is not None:
            self.set_status("history: read only on this day")
        elif thread is None:
            self.set_status(
                "first message opens the thread"
                if data.can_chat
                else "no step open: nothing to discuss yet"
            )
        elif self.failed:
            self.set_status("the last answer did not finish · ctrl+r retries")
        else:
            self.set_status(f"{thread.tokens_in + thread.tokens_out} tokens in this thread")

    def set_status(self, text: str) -> None:
        self.query_one("#chat-status", Static).update(Text(text))

    # --- asking -------------------------------------------------------------------------------

    def press_reply(self, number: int) -> bool:
        """Choose the `number`-th suggested reply (1-based); False when there is none."""
        replies = list(self.query("#chat-replies Button.reply").results(Button))
        if not 1 <= number <= len(replies) or not replies[number - 1].name:
            return False
        self.post_message(self.BranchChosen(str(replies[number - 1].name)))
        return True

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.has_class("reply") and event.button.name:
            event.stop()
            self.post_message(self.BranchChosen(event.button.name))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.ask(event.value)

    def ask(self, text: str) -> None:
        text = text.strip()
        if not text:
            return
        if self.data is not None and self.data.history is not None:
            self.post_message(self.HistoryRefused(self.data.history))
            return
        opens = self.data is not None and self.data.can_chat
        if self.session is None or (self.thread_id is None and not opens):
            self.notify("Open a step first: the chat belongs to a step.", severity="warning")
            return
        if self.streaming:
            self.notify("An answer is still coming (Esc stops it).", severity="warning")
            return
        field = self.query_one(HistoryInput)
        field.remember(text)
        field.value = ""
        self._begin(Text(block(text)))
        self._busy = True
        self._worker = self._stream(self.session, self.thread_id, text)

    def action_retry(self) -> None:
        if self.session is None or self.thread_id is None or self.streaming:
            return
        if not self.failed:
            self.notify("Nothing to retry.", severity="information")
            return
        self._begin(None)
        self._busy = True
        self._worker = self._stream(self.session, self.thread_id, None)

    def _begin(self, question: Text | None) -> None:
        log = self.query_one("#chat-log", VerticalScroll)
        self.query_one("#chat-hint").display = False
        if question is not None:
            log.mount(MessageBox("you", "user", question.plain, [Static(question, classes="body")]))
        self.answer_text = ""
        self.failed = False
        self._asked_at, self._chars, self._note = self._now(), 0, ""
        self.set_status("asking… Esc stops")
        self._stop_ticker()
        self._ticker = self.set_interval(PROGRESS_INTERVAL, self._tick)
        log.anchor()  # follow the answer until the person scrolls away

    def _now(self) -> float:
        return float(getattr(self.app, "chat_timer", time.monotonic)())

    def _tick(self) -> None:
        """While the answer comes: seconds so far and tokens so far (≈4 characters each), so
        a slow local model's wait for its first token reads as work, not as a hang."""
        seconds = self._now() - self._asked_at
        tokens = f" · ≈{(self._chars + 3) // 4:,} tokens" if self._chars else ""
        note = f" · {self._note}" if self._note else ""
        self.set_status(f"asking… {seconds:.0f} s{tokens}{note} · Esc stops")

    def _stop_ticker(self) -> None:
        if self._ticker is not None:
            self._ticker.stop()
            self._ticker = None

    async def action_stop(self) -> None:
        """Esc: stop the answer that is coming; with none, leave the chat for the queue."""
        if self.streaming and self._worker is not None:
            self._worker.cancel()
            self._stop_ticker()
            self.set_status("stopped")
            return
        await self.screen.run_action("back")

    def action_copy(self) -> None:
        focused = self.app.focused
        boxes = list(self.query(MessageBox))
        chosen = focused if isinstance(focused, MessageBox) else (boxes[-1] if boxes else None)
        if chosen is None:
            self.notify("No message to copy.", severity="warning")
            return
        self.app.copy_to_clipboard(chosen.text)
        self.notify("Copied the message.", timeout=2)

    async def _thread_for(self, session: Session, chat: ChatService) -> uuid.UUID:
        """The step's thread, opened now if this is its first message."""
        if self.thread_id is not None:
            return self.thread_id
        assert self.data is not None and self.data.execution is not None
        execution_id = self.data.execution.id
        thread = await chat.open_thread(
            session.tenant_id, actor=session.services.user, execution_id=execution_id
        )
        self.data, self.thread_id = replace(self.data, thread=thread), thread.id
        self.post_message(self.ThreadRead(execution_id, thread))
        return thread.id

    @work(exclusive=True, group="chat", exit_on_error=False)
    async def _stream(
        self, session: Session, thread_id: uuid.UUID | None, text: str | None
    ) -> None:
        from renubu_tui.llm.events import Done, StreamError, TextDelta
        from renubu_tui.services.chat.answer import MessageSaved, ToolRan

        chat = session.chat(float(getattr(self.app, "chat_pace", 0.02)))
        log = self.query_one("#chat-log", VerticalScroll)
        timer = getattr(self.app, "chat_timer", time.monotonic)
        started = timer()
        box: MessageBox | None = None
        markdown: Markdown | None = None
        stream: MarkdownStream | None = None
        try:
            thread_id = thread_id or await self._thread_for(session, chat)
        except BaseException:
            self._busy = False
            self._stop_ticker()
            raise
        events = (
            chat.send(thread_id, text, tenant_id=session.tenant_id)
            if text is not None
            else chat.retry(thread_id, tenant_id=session.tenant_id)
        )
        try:
            async with aclosing(events) as answer:
                async for event in answer:
                    if isinstance(event, TextDelta):
                        if stream is None:  # the first words: the box and its stream
                            markdown = Markdown()
                            box = MessageBox(
                                "assistant", "assistant", "", [markdown], tag="streaming"
                            )
                            await log.mount(box)
                            stream = Markdown.get_stream(markdown)
                        self.answer_text += event.text
                        self._chars += len(event.text)
                        follow = log.is_vertical_scroll_end
                        await stream.write(block(event.text))
                        if follow:
                            log.scroll_end(animate=False)
                    elif isinstance(event, ToolRan):
                        self._note = f"ran {event.name}{'' if event.success else ' (failed)'}"
                        self.set_status(self._note)
                    elif isinstance(event, MessageSaved) and event.message.message_type == "chart":
                        await log.mount(message_box(event.message, log.size.width - 2))
                    elif isinstance(event, Done):
                        self._stop_ticker()
                        self.last_label = event.provider_label
                        seconds = timer() - started
                        self.set_status(answer_status(event, seconds))
                    elif isinstance(event, StreamError):
                        self._stop_ticker()
                        self.failed = True
                        # a configuration error stays until the setting changes: no retry hint
                        again = "" if event.kind == "config" else " · ctrl+r retries"
                        self.set_status(f"failed: {one_line(Exception(event.message))}{again}")
        finally:
            self._busy = False
            self._stop_ticker()
            if stream is not None:
                await stream.stop()
            if markdown is not None and box is not None:
                box.text = self.answer_text
                await markdown.update(block(self.answer_text))  # one full render at the end
            self.post_message(self.Finished(thread_id))

    def on_chat_panel_finished(self, message: Finished) -> None:
        """Read the thread again so every message shows as stored (labels, stopped…)."""
        if message.thread_id == self.thread_id and self.session is not None and self.data:
            self._reread(self.session, message.thread_id)

    @work(exclusive=True, group="chat-read", exit_on_error=False)
    async def _reread(self, session: Session, thread_id: uuid.UUID) -> None:
        chat = session.chat(float(getattr(self.app, "chat_pace", 0.02)))
        thread = await chat.thread(thread_id, tenant_id=session.tenant_id)
        self.post_message(self.Reread(thread))

    class Reread(Message):
        def __init__(self, thread: ThreadView) -> None:
            super().__init__()
            self.thread = thread

    def on_chat_panel_reread(self, message: Reread) -> None:
        if self.data is None or message.thread.id != self.thread_id or self.streaming:
            return
        status = self.query_one("#chat-status", Static).render()
        self.show(self.session, replace(self.data, thread=message.thread))
        if self.data.execution is not None:
            self.post_message(self.ThreadRead(self.data.execution.id, message.thread))
        if not self.failed or str(status).startswith("failed: "):
            # the line the answer ended with is the most specific (a failure's own words,
            # with ctrl+r only where retrying can help); a stop keeps "did not finish"
            self.set_status(str(status))
