"""The queue pane: Today's One Thing, tab counts, filters, search and the ranked table.

Rows are read by keyset, a page at a time (`QueueService.page(after=cursor)`), and the next page
is fetched as the cursor nears the end of what is loaded, so 100 000 customers cost what 100 do.
All reads run in workers that post a message; the handlers own the widgets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.timer import Timer, TimerCallback
from textual.widgets import DataTable, Input, Static

from renubu_tui.tui import timing
from renubu_tui.tui.errors import ReportsWorkerErrors
from renubu_tui.tui.messages import CustomerChosen
from renubu_tui.tui.queue_view import QueueView
from renubu_tui.tui.widgets.one_thing import OneThing
from renubu_tui.tui.widgets.queue_table import QueueTable

if TYPE_CHECKING:
    import uuid

    from renubu_tui.services.queue.peek import QueuePeek
    from renubu_tui.services.queue.rows import Cursor, QueueCounts, QueueRow
    from renubu_tui.tui.session import Session

PAGE_SIZE = 100
PREFETCH = 25  # fetch the next page when the cursor is this close to the last loaded row
HIGHLIGHT_DEBOUNCE = 0.15  # seconds the cursor rests on a row before the customer loads
SEARCH_DEBOUNCE = 0.2
SLOW_AFTER = 0.6  # seconds before "loading" becomes "building today's queue"


class QueuePane(ReportsWorkerErrors, Vertical):
    """Ranked work of the current CSM (or everyone), a window of rows at a time."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", "Search", id="queue.search"),
        Binding("o", "toggle_owner", "Owner", id="queue.owner"),
        Binding("t", "cycle_type", "Type", id="queue.type"),
        Binding("f", "filters", "Filters", id="queue.filters"),
        Binding("v", "next_tab", "Tabs", id="queue.tabs"),
        Binding("S", "toggle_snoozed", "Snoozed", id="queue.snoozed", show=False),
        Binding(
            "exclamation_mark",
            "toggle_escalated",
            "Escalated to me",
            id="queue.escalated",
            show=False,
        ),
        Binding("w", "why_here", "Why here", id="queue.why"),
        Binding("escape", "close_search", "Close search", show=False, id="queue.close_search"),
    ]

    class Loaded(Message):
        """A fresh first page with its totals."""

        def __init__(
            self,
            view: QueueView,
            top: QueueRow | None,
            rows: list[QueueRow],
            after: Cursor | None,
            total: int,
            counts: QueueCounts,
        ) -> None:
            super().__init__()
            self.view, self.top, self.rows, self.after = view, top, rows, after
            self.total, self.counts = total, counts

    class Previewed(Message):
        """A new day's first rows of the user's own work, scored while the day's queue builds."""

        def __init__(self, view: QueueView, rows: list[QueueRow]) -> None:
            super().__init__()
            self.view, self.rows = view, rows

    class More(Message):
        """The next page of the same view."""

        def __init__(self, view: QueueView, rows: list[QueueRow], after: Cursor | None) -> None:
            super().__init__()
            self.view, self.rows, self.after = view, rows, after

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.view = QueueView()
        self.total = 0
        self._session: Session | None = None
        self._after: Cursor | None = None
        self._loading = False
        self._pending: dict[str, Timer] = {}
        self._chosen: tuple[uuid.UUID, str] | None = None
        self._prefer_type: str | None = None  # the workflow type announce() looks for first
        self._peeked = False  # rows shown from the stored page, before the services opened
        self._keep: tuple[uuid.UUID, str] | None = None  # the row to stay on after a reload
        self._built = False
        self._when_built: list[Callable[[], None]] = []

    def compose(self) -> ComposeResult:
        # The first frame gets a line; the table and the rest follow at once (`_build`): their
        # styles and layout cost the first frame ~70 ms, a third of what the bare app takes.
        yield Static("Loading today's queue…", id="queue-placeholder", markup=False)

    def on_mount(self) -> None:
        self.call_after_refresh(self._build)

    async def _build(self) -> None:
        await self.mount_all(
            [
                OneThing(id="one-thing"),
                Static(id="queue-tabs", markup=False),
                Static(id="queue-filters", markup=False),
                # Mounted (hidden) with the table, not on first use: keys typed right after `/`
                # must land in it.
                Input(placeholder="Search customers by name…", id="queue-search"),
                QueueTable(id="queue-table"),
                Static("Opening the database…", id="queue-status", markup=False),
            ]
        )
        await self.query_one("#queue-placeholder").remove()
        self._built = True
        self._show_filters()
        self.watch(self.table, "scroll_y", self._scrolled, init=False)
        if self.screen.focused is None:
            self.table.focus()
        for call in self._when_built:
            call()
        self._when_built.clear()

    def _once_built(self, call: Callable[[], None]) -> bool:
        """Run `call` now (True) or once the table is mounted (False: deferred)."""
        if self._built:
            return True
        self._when_built.append(call)
        return False

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self._built  # the keys need the table

    @property
    def loading_page(self) -> bool:
        """A first page is on its way (shown rows are stored or previewed ones, or none)."""
        return self._loading or self._session is None

    @property
    def table(self) -> QueueTable:
        return self.query_one(QueueTable)

    @property
    def rows(self) -> list[QueueRow]:
        """The rows loaded so far, in queue order."""
        return self.table.rows_shown if self._built else []

    @property
    def current(self) -> QueueRow | None:
        """The row under the cursor."""
        if not self._built:
            return None
        index = self.table.cursor_row
        return self.rows[index] if 0 <= index < len(self.rows) else None

    # --- loading ------------------------------------------------------------------------------

    def show_peek(self, peek: QueuePeek) -> None:
        """The stored first page of the default view, shown while the services open."""
        if not self._once_built(lambda: self.show_peek(peek)):
            return
        if self._session is not None or self.view != QueueView():
            return
        self._peeked = True
        self._after = peek.next_cursor
        self.total = peek.total
        top = peek.rows[0] if peek.rows else None
        self._show_first(top, peek.rows, peek.counts)
        self.call_after_refresh(timing.mark, "queue shown (stored page)")

    def attach(self, session: Session) -> None:
        """Services are open: load the first page (quietly when the stored one is on screen)."""
        if not self._once_built(lambda: self.attach(session)):
            return
        self._session = session
        self.reload(quiet=self._peeked)

    def set_view(self, view: QueueView) -> None:
        if view != self.view:
            self._keep = None  # another view: start at its top
            self.view = view
            self._show_filters()
            self.reload()

    def reload(self, *, quiet: bool = False) -> None:
        """Read the page again; the cursor stays on the row the person is on (the same
        customer and workflow type), wherever re-scoring moved it."""
        if self._session is None:
            return
        if self._built and (row := self.current) is not None:
            self._keep = (row.customer_id, row.workflow_type)
        self._loading = True
        self.workers.cancel_group(self, "queue-more")
        if not quiet:
            self._status("Loading the queue…")
        self._later("slow", SLOW_AFTER, self._building)
        self._load_first(self._session, self.view)

    def _building(self) -> None:
        if self._loading and self._session is not None:
            day = self._session.today.isoformat()
            self._status(f"Building today's queue ({day})… the first open of a day takes longest")
            if not self.rows:
                self.query_one(OneThing).waiting("Building today's queue…")

    @work(exclusive=True, group="queue", exit_on_error=False)
    async def _load_first(self, session: Session, view: QueueView) -> None:
        queue, tenant, today = session.services.queue, session.tenant_id, session.today
        filters = view.to_filters(session.user_id)
        if view == QueueView() and not await queue.is_built(tenant, today):
            rows = await queue.preview(tenant, today, session.user_id, limit=PAGE_SIZE)
            self.post_message(self.Previewed(view, rows))
        page = await queue.page(tenant, today, filters, limit=PAGE_SIZE)
        top_filters = QueueView(mine=view.mine).to_filters(session.user_id)
        if view.to_filters(session.user_id) == top_filters:
            top = page.rows[0] if page.rows else None
        else:
            top_page = await queue.page(tenant, today, top_filters, limit=1)
            top = top_page.rows[0] if top_page.rows else None
        total = await queue.count(tenant, today, filters)
        counts = await queue.counts(tenant, today, session.user_id, mine=view.mine)
        self.post_message(self.Loaded(view, top, page.rows, page.next_cursor, total, counts))

    @work(exclusive=True, group="queue-more", exit_on_error=False)
    async def _load_more(self, session: Session, view: QueueView, after: Cursor) -> None:
        filters = view.to_filters(session.user_id)
        page = await session.services.queue.page(
            session.tenant_id, session.today, filters, limit=PAGE_SIZE, after=after
        )
        self.post_message(self.More(view, page.rows, page.next_cursor))

    def on_queue_pane_loaded(self, message: Loaded) -> None:
        if message.view != self.view:
            return
        timing.mark("queue page loaded")
        self._loading = False
        self._cancel("slow")
        # Where the cursor went while the stored page showed, it stays (same rows, same order).
        keep = self.table.cursor_row if self._peeked else 0
        # The row the person is on (or last opened, e.g. from the palette while this page was
        # being read) stays current, wherever re-scoring moved it.
        target = self._keep or self._chosen
        keys = [(r.customer_id, r.workflow_type) for r in message.rows]
        same_customer = [i for i, k in enumerate(keys) if target and k[0] == target[0]]
        if not self._peeked and target in keys:
            keep = keys.index(target)
        elif not self._peeked and same_customer:
            keep = same_customer[0]  # that row is gone today (e.g. renewed): the customer stays
        elif self._keep is not None:
            keep = self.table.cursor_row
        self._keep = None
        self._peeked = False
        self._after = message.after
        self.total = message.total
        self._show_first(message.top, message.rows, message.counts)
        self.call_after_refresh(timing.mark, "queue shown")
        if self.rows:
            index = keep if 0 <= keep < len(self.rows) else 0
            self.table.move_cursor(row=index, animate=False)
            row = self.rows[index]
            self._later("highlight", HIGHLIGHT_DEBOUNCE, lambda: self._choose(row))

    def on_queue_pane_previewed(self, message: Previewed) -> None:
        """Shown like the stored page: the cursor can move and open customers meanwhile."""
        if message.view != self.view or not self._loading:
            return
        self._peeked = True  # the cursor stays where it goes while the build runs
        self._after = None  # more rows come with the built queue
        self.query_one(OneThing).show(message.rows[0] if message.rows else None)
        self.table.show(message.rows)
        day = self._session.today.isoformat() if self._session else ""
        self._status(f"your first {len(message.rows):,} · building today's queue ({day})…")
        self._cancel("slow")
        if message.rows:
            row = message.rows[0]
            self._later("highlight", HIGHLIGHT_DEBOUNCE, lambda: self._choose(row))

    def _show_first(self, top: QueueRow | None, rows: list[QueueRow], counts: QueueCounts) -> None:
        self.query_one(OneThing).show(top)
        self._show_tabs(counts)
        self.table.show(rows)
        self._show_status()

    def on_queue_pane_more(self, message: More) -> None:
        if message.view != self.view or not message.rows:
            return
        self._after = message.after
        self.table.append(message.rows)
        self._show_status()

    # --- cursor and selection -------------------------------------------------------------------

    @on(DataTable.RowHighlighted, "#queue-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        index = event.cursor_row
        self._fetch_more_if_near(index)
        if 0 <= index < len(self.rows):
            row = self.rows[index]
            self._later("highlight", HIGHLIGHT_DEBOUNCE, lambda: self._choose(row))

    def _scrolled(self) -> None:
        table = self.table
        self._fetch_more_if_near(round(table.scroll_y) + table.scrollable_content_region.height)

    def _fetch_more_if_near(self, index: int) -> None:
        """Fetch the next page when row `index` is within PREFETCH rows of the loaded end."""
        if index < len(self.rows) - PREFETCH or self._after is None or self._session is None:
            return
        after, self._after = self._after, None  # one fetch per page
        self._load_more(self._session, self.view, after)

    @on(DataTable.RowSelected, "#queue-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if 0 <= event.cursor_row < len(self.rows):
            self._cancel("highlight")
            self._choose(self.rows[event.cursor_row], open=True)

    def _choose(self, row: QueueRow, *, open: bool = False) -> None:
        key = (row.customer_id, row.workflow_type)
        if self._session is None:  # the stored page shows; the panes cannot load yet
            return
        if key == self._chosen and not open:
            return
        self._chosen = key
        self.post_message(
            CustomerChosen(row.customer_id, row.customer_name, row.workflow_type, open=open)
        )

    def announce(self, customer_id: uuid.UUID) -> bool:
        """Put the cursor on the customer's row (the one of the type last chosen, if it is still
        there) and tell the panes now, even if it was already current (another day)."""
        rows = [i for i, r in enumerate(self.rows) if r.customer_id == customer_id]
        if not rows:
            return False
        # the type kept by forget_chosen() wins: a highlight that fired since may have chosen
        # the first row of the day's queue, which is no choice of the person's
        wanted = self._prefer_type or (self._chosen[1] if self._chosen else None)
        chosen = [i for i in rows if self.rows[i].workflow_type == wanted]
        index = (chosen or rows)[0]
        self._prefer_type = None
        self._cancel("highlight")
        self.table.move_cursor(row=index, animate=False)
        self._chosen = None
        self._choose(self.rows[index])
        return True

    def forget_chosen(self) -> None:
        """The next announce() tells the panes even if its row is unchanged (another day), and
        still prefers the row of the type last chosen (Bluesoft's renewal stays its renewal)."""
        if self._chosen is not None:
            self._prefer_type = self._chosen[1]
        self._chosen = None

    def move_to(self, customer_id: uuid.UUID) -> bool:
        """Put the cursor on the customer's first row if it is loaded (the panes already show
        the customer: a highlight still pending from before must not replace it)."""
        self._cancel("highlight")
        for index, row in enumerate(self.rows):
            if row.customer_id == customer_id:
                self.table.move_cursor(row=index, animate=False)
                return True
        return False

    # --- actions ----------------------------------------------------------------------------------

    def action_search(self) -> None:
        search = self.query_one("#queue-search", Input)
        # Shown and focused at once (inline style, Screen.set_focus rather than the deferred
        # Widget.focus): keys typed right after `/` are already queued and must land here.
        search.display = True
        self.screen.set_focus(search)

    def action_close_search(self) -> None:
        search = self.query_one("#queue-search", Input)
        if not search.display:
            return
        search.display = False
        if search.value:
            search.value = ""
            self.set_view(self.view.with_(search=""))
        self.table.focus()

    @on(Input.Changed, "#queue-search")
    def _search_changed(self, event: Input.Changed) -> None:
        value = event.value
        self._later("search", SEARCH_DEBOUNCE, lambda: self.set_view(self.view.with_(search=value)))

    @on(Input.Submitted, "#queue-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        self._cancel("search")
        self.set_view(self.view.with_(search=event.value))
        self.table.focus()

    def action_toggle_owner(self) -> None:
        self.set_view(self.view.with_(mine=not self.view.mine))

    def action_cycle_type(self) -> None:
        self.set_view(self.view.next_type())

    def action_next_tab(self) -> None:
        self.set_view(self.view.next_tab())

    def action_toggle_snoozed(self) -> None:
        self.set_view(self.view.with_tab("active" if self.view.snoozed else "snoozed"))

    def action_toggle_escalated(self) -> None:
        self.set_view(self.view.with_tab("active" if self.view.escalated else "escalated"))

    def action_filters(self) -> None:
        from renubu_tui.tui.screens.filters import FilterScreen

        stages = self._session.stage_names if self._session else []

        def chosen(view: QueueView | None) -> None:
            if view is not None:
                self.set_view(view)

        self.app.push_screen(FilterScreen(self.view, stages), chosen)

    def action_why_here(self) -> None:
        from renubu_tui.tui.screens.why_here import WhyHereScreen

        row = self.current
        if row is None:
            self.notify("No row selected.", severity="warning")
            return
        self.app.push_screen(WhyHereScreen(row, self.table.cursor_row + 1))

    # --- display ----------------------------------------------------------------------------------

    def _show_tabs(self, counts: QueueCounts) -> None:
        def tab(label: str, count: int, current: bool) -> Text:
            style = "reverse bold" if current else ""
            return Text(f" {label} {count:,} ", style=style)

        self.query_one("#queue-tabs", Static).update(
            Text("│").join(
                [
                    tab("Active", counts.active, self.view.tab == "active"),
                    tab("Snoozed", counts.snoozed, self.view.tab == "snoozed"),
                    tab("Escalated to me", counts.escalated_to_me, self.view.tab == "escalated"),
                ]
            )
        )

    def _show_filters(self) -> None:
        parts = [
            Text.assemble((f"{key} ", "bold"), f"{label}: ", (value, "bold"))
            for key, label, value in self.view.describe()
        ]
        if self.view.search:
            parts.append(Text.assemble(("/ ", "bold"), "name: ", (self.view.search, "bold")))
        self.query_one("#queue-filters", Static).update(Text("  ").join(parts))

    def _show_status(self) -> None:
        more = " · ↓ loads more" if self._after is not None else ""
        self._status(f"showing {len(self.rows):,} of {self.total:,}{more}")

    def _status(self, text: str) -> None:
        self.query_one("#queue-status", Static).update(text)

    # --- timers -----------------------------------------------------------------------------------

    def _later(self, name: str, delay: float, callback: TimerCallback) -> None:
        """Run `callback` after `delay` unless called again under the same name first."""
        self._cancel(name)
        self._pending[name] = self.set_timer(delay, callback, name=f"queue-{name}")

    def _cancel(self, name: str) -> None:
        timer = self._pending.pop(name, None)
        if timer is not None:
            timer.stop()
