"""A customer's timeline (L): every touch newest first, a kind filter (k), a search (/), notes.

The list is a `DataTable` of plain `Text` (when, kind, who, what); the selected touch is read
beside it: a note as Markdown (Textual's Markdown widget over printable text — never Rich
markup, links not opened), anything else as plain text. `N` writes a note, `e` edits the
selected note (the service refuses another author's in one line). Everything comes from
`services.customers.timeline` and `notes`: this screen only draws what they return.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Markdown, Static

from renubu_tui.domain.timeline import KINDS
from renubu_tui.safe_text import printable
from renubu_tui.tui.errors import ReportsWorkerErrors
from renubu_tui.tui.text import clean, plain

if TYPE_CHECKING:
    from renubu_tui.domain.timeline import Entry
    from renubu_tui.services.customers.timeline import TimelineView
    from renubu_tui.tui.session import Session

KIND_STYLE = {
    "note": "bold",
    "workflow": "bold",
    "health": "italic",
    "arr": "italic",
}
CYCLE: tuple[str, ...] = ("", *KINDS)  # k: all, then one kind at a time
WHO_WIDTH = 16
FIXED = 16 + 12 + WHO_WIDTH + 4 * 2 + 2  # When, Kind, Who, cell padding, the scrollbar
NARROW = 120  # below: the selected touch is read under the list, not beside it


class TimelineScreen(ReportsWorkerErrors, Screen[None]):
    CSS_PATH = "../styles/timeline.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("N", "new_note", "Note", id="timeline.note"),
        Binding("e", "edit_note", "Edit note", id="timeline.edit"),
        Binding("k", "cycle_kind", "Kind", id="timeline.kind"),
        Binding("slash", "search", "Search", id="timeline.search"),
        Binding("escape,L", "close", "Close", id="timeline.close"),
    ]

    def __init__(self, session: Session, customer_id: uuid.UUID, customer: str) -> None:
        super().__init__()
        self.session = session
        self.customer_id = customer_id
        self.customer = clean(customer)
        self.kind = ""
        self.search = ""
        self.entries: list[Entry] = []
        self.view: TimelineView | None = None

    def compose(self) -> ComposeResult:
        yield Static(f"Timeline · {self.customer}", id="timeline-title", markup=False)
        yield Input(
            placeholder="search the timeline (Enter keeps it, Esc clears)", id="timeline-search"
        )
        with Horizontal(id="timeline-body"):
            yield DataTable(id="timeline-table", cursor_type="row", zebra_stripes=False)
            with VerticalScroll(id="timeline-detail"):
                yield Static("", id="timeline-detail-head", markup=False)
                yield Markdown("", id="timeline-note", open_links=False)
                yield Static("", id="timeline-detail-text", markup=False)
        yield Footer()

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width < NARROW, "-narrow")
        if self.view is not None:
            self.call_after_refresh(self.show, self.view)

    def _title_width(self) -> int:
        """The "What" column fills the list's width (no sideways scrolling); the whole text
        is read beside the list."""
        width = self.query_one(DataTable).size.width
        return max(20, width - FIXED) if width else 56

    def on_mount(self) -> None:
        self.set_class(self.app.size.width < NARROW, "-narrow")
        table = self.query_one(DataTable)
        table.add_columns("When", "Kind", "Who", "What")
        table.focus()
        self.load()

    # --- loading --------------------------------------------------------------------------------

    @work(exclusive=True, group="timeline", exit_on_error=False)
    async def load(self) -> None:
        from renubu_tui.services.customers.timeline import customer_timeline

        s = self.session
        view = await customer_timeline(
            s.services.db,
            s.services.tenant,
            self.customer_id,
            s.today,
            kinds=frozenset({self.kind}) if self.kind else frozenset(),
            search=self.search,
        )
        self.show(view)

    def show(self, view: TimelineView) -> None:
        self.view, self.entries = view, view.entries
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for e in view.entries:
            table.add_row(
                Text(e.at.strftime("%Y-%m-%d %H:%M")),
                Text(e.kind, style=KIND_STYLE.get(e.kind, "")),
                plain(_cut(e.who, WHO_WIDTH)),
                plain(_cut(e.title, self._title_width())),
            )
        if view.entries:
            table.move_cursor(row=min(max(row, 0), len(view.entries) - 1), animate=False)
        count = len(view.entries)
        parts = [f"Timeline · {self.customer} · {count} touch{'' if count == 1 else 'es'}"]
        parts.append(f"kind: {self.kind or 'all'} (k)")
        if self.search:
            parts.append(f"search: {clean(self.search)} (/)")
        if not view.entries:
            parts.append("nothing yet · N writes a note")
        self.query_one("#timeline-title", Static).update(Text(" · ".join(parts)))
        self.show_detail()

    @property
    def current(self) -> Entry | None:
        index = self.query_one(DataTable).cursor_row
        return self.entries[index] if 0 <= index < len(self.entries) else None

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self.show_detail()

    def show_detail(self) -> None:
        entry = self.current
        head = self.query_one("#timeline-detail-head", Static)
        note = self.query_one("#timeline-note", Markdown)
        text = self.query_one("#timeline-detail-text", Static)
        if entry is None:
            head.update("")
            note.update("")
            text.update("")
            note.display = text.display = False
            return
        when = entry.at.strftime("%a %d %b %Y, %H:%M")
        head.update(Text.assemble((entry.kind, "bold"), f" · {clean(entry.who)} · {when}"))
        is_note = entry.kind == "note"
        note.display, text.display = is_note, not is_note
        if is_note:
            note.update(printable(entry.detail, keep_newlines=True))
        else:
            body = entry.title if not entry.detail else f"{entry.title}\n\n{entry.detail}"
            text.update(Text(printable(body, keep_newlines=True)))

    # --- keys -----------------------------------------------------------------------------------

    def action_cycle_kind(self) -> None:
        self.kind = CYCLE[(CYCLE.index(self.kind) + 1) % len(CYCLE)]
        self.load()

    def action_search(self) -> None:
        field = self.query_one("#timeline-search", Input)
        field.add_class("-open")
        field.focus()

    @on(Input.Submitted, "#timeline-search")
    def _searched(self, event: Input.Submitted) -> None:
        self.search = event.value.strip()
        if not self.search:
            event.input.remove_class("-open")
        self.query_one(DataTable).focus()
        self.load()

    def action_close(self) -> None:
        field = self.query_one("#timeline-search", Input)
        if field.has_focus:  # Esc in the search: clear it, back to the list
            field.value = ""
            field.remove_class("-open")
            self.query_one(DataTable).focus()
            if self.search:
                self.search = ""
                self.load()
            return
        self.app.pop_screen()

    def action_new_note(self) -> None:
        self._write(None)

    def action_edit_note(self) -> None:
        entry = self.current
        if entry is None or entry.kind != "note":
            self.notify("Select a note to edit it.", severity="warning")
            return
        self._write(uuid.UUID(entry.ref))

    @work(exclusive=True, group="timeline-note", exit_on_error=False)
    async def _write(self, note_id: uuid.UUID | None) -> None:
        from renubu_tui.tui.screens.forms import note_form

        notes = self.session.services.notes()
        if note_id is None:
            form = note_form(f"A note on {self.customer}")
        else:
            existing = await notes.get(note_id)
            if existing.author_id != self.session.services.user.id:
                # said before the form opens; the service refuses it the same way anyway
                who = clean(existing.author) or "someone else"
                self.notify(
                    f"Only {who}, who wrote this note, can edit it.",
                    severity="warning",
                    markup=False,
                )
                return
            form = note_form("Edit your note", body=existing.body, tag=existing.tag)
        values = await self.app.push_screen_wait(form)
        if values is None:
            return
        tag = None if values["tag"] in ("", "none") else values["tag"]
        if note_id is None:
            await notes.add(self.customer_id, values["body"], tag)
            self.notify("Note added.", markup=False)
        else:
            await notes.edit(note_id, values["body"], tag)
            self.notify("Note edited (the earlier wording is kept).", markup=False)
        self.load()


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"
