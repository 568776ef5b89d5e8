"""A customer's artifacts: list, read (Markdown), edit and save, approve, export to Markdown."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Markdown, Static, TextArea

from renubu_tui.safe_text import printable
from renubu_tui.tui.errors import ReportsWorkerErrors
from renubu_tui.tui.screens.modal import Modal
from renubu_tui.tui.text import clean, plain

if TYPE_CHECKING:
    from collections.abc import Awaitable

    from renubu_tui.services.workflows.tasks import ArtifactView
    from renubu_tui.tui.session import Session


def export_folder() -> Path:
    """`exports/` under the user's data dir (else the working directory)."""
    try:
        from renubu_tui.settings import data_dir

        return data_dir() / "exports"
    except Exception:  # no data dir: fall back to the working directory
        return Path.cwd() / "renubu-exports"


def safe_markdown(text: str) -> str:
    return printable(text, keep_newlines=True)


class ArtifactViewer(Modal[None]):
    CSS_PATH = "../styles/artifacts.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Close", id="viewer.close")
    ]

    def __init__(self, markdown: str) -> None:
        super().__init__()
        self.markdown = markdown

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Markdown(safe_markdown(self.markdown))
        yield Footer()

    def action_close(self) -> None:
        self.dismiss(None)


class ArtifactEditor(Modal[str | None]):
    CSS_PATH = "../styles/artifacts.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="editor.save", priority=True),
        Binding("escape", "cancel", "Cancel", id="editor.cancel"),
    ]

    def __init__(self, content: str) -> None:
        super().__init__()
        self.content = content

    def compose(self) -> ComposeResult:
        yield TextArea(safe_markdown(self.content), id="artifact-text")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def action_save(self) -> None:
        self.dismiss(self.query_one(TextArea).text)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ArtifactsScreen(ReportsWorkerErrors, Screen[None]):
    CSS_PATH = "../styles/artifacts.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "view", "Read", id="artifacts.view", show=True),
        Binding("e", "edit", "Edit", id="artifacts.edit"),
        Binding("v", "approve", "Approve", id="artifacts.approve"),
        Binding("X", "export", "Export", id="artifacts.export"),
        Binding("escape,a", "close", "Close", id="artifacts.close"),
    ]

    def __init__(self, session: Session, customer_id: uuid.UUID, customer: str) -> None:
        super().__init__()
        self.session = session
        self.customer_id = customer_id
        self.customer = clean(customer)
        self.artifacts: list[ArtifactView] = []

    def compose(self) -> ComposeResult:
        yield Static(f"Artifacts · {self.customer}", id="artifacts-title", markup=False)
        yield DataTable(id="artifacts-table", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Status", "Kind", "By", "Title")
        table.focus()
        self.load()

    @work(exclusive=True, group="artifacts", exit_on_error=False)
    async def load(self) -> None:
        s = self.session
        as_of = s.today if s.services.clock.is_fixed else None  # time travel shows that day
        listed = await s.services.artifacts.list(
            s.tenant_id, customer_id=self.customer_id, as_of=as_of
        )
        self.show(listed)

    def show(self, artifacts: list[ArtifactView]) -> None:
        self.artifacts = artifacts
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for a in artifacts:
            table.add_row(
                Text(a.status, style="green" if a.status == "approved" else "yellow"),
                plain(a.kind.replace("_", " ")),
                Text("assistant" if a.created_by_ai else "by hand"),
                plain(a.title),
            )
        if artifacts:
            table.move_cursor(row=min(max(row, 0), len(artifacts) - 1), animate=False)
        self.query_one("#artifacts-title", Static).update(
            f"Artifacts · {self.customer} · {len(artifacts)}"
        )

    @property
    def current(self) -> ArtifactView | None:
        index = self.query_one(DataTable).cursor_row
        return self.artifacts[index] if 0 <= index < len(self.artifacts) else None

    def _pick(self) -> ArtifactView | None:
        if self.current is None:
            self.notify("No artifact selected.", severity="warning")
        return self.current

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_view()

    def action_view(self) -> None:
        from renubu_tui.services.workflows.tasks import ArtifactService

        artifact = self._pick()
        if artifact is not None:
            self.app.push_screen(ArtifactViewer(ArtifactService.to_markdown(artifact)))

    def action_edit(self) -> None:
        artifact = self._pick()
        if artifact is not None:
            self._edit(artifact)

    @work(exclusive=True, group="artifacts-edit", exit_on_error=False)
    async def _edit(self, artifact: ArtifactView) -> None:
        text = await self.app.push_screen_wait(ArtifactEditor(artifact.content))
        if text is None:
            return
        s = self.session
        await self._apply(
            s.services.artifacts.edit(s.tenant_id, artifact.id, s.services.user, text), "Saved"
        )

    def action_approve(self) -> None:
        artifact = self._pick()
        if artifact is not None:
            s = self.session
            self._approve(s.services.artifacts.approve(s.tenant_id, artifact.id, s.services.user))

    @work(exclusive=True, group="artifacts-change", exit_on_error=False)
    async def _approve(self, change: Awaitable[ArtifactView]) -> None:
        await self._apply(change, "Approved")

    async def _apply(self, change: Awaitable[ArtifactView], verb: str) -> None:
        artifact = await change  # a refusal rises: said once, as a warning (tui/errors.py)
        self.notify(f"{verb}: {clean(artifact.title)}", markup=False)
        self.load()

    def action_export(self) -> None:
        if not self.artifacts:
            self.notify("Nothing to export.", severity="warning")
            return
        self._export(list(self.artifacts))

    @work(exclusive=True, group="artifacts-export", exit_on_error=False)
    async def _export(self, artifacts: list[ArtifactView]) -> None:
        folder = export_folder()
        paths = await self.session.services.artifacts.export(artifacts, folder)
        self.last_export = paths
        self.notify(f"Exported {len(paths)} to {folder}", title="Markdown", markup=False)

    def action_close(self) -> None:
        self.app.pop_screen()
