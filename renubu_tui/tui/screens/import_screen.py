"""Import from a CRM export (palette: "Import"): pick a file and its kind, see the dry run,
confirm. The same use case as `renubu import` (services/imports): nothing is written until
Import is pressed, and then only if the check allows it (or "skip refused rows" is ticked).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from renubu_tui.tui.errors import ReportsWorkerErrors
from renubu_tui.tui.screens.modal import Modal

if TYPE_CHECKING:
    from renubu_tui.services.imports.service import ImportResult

KINDS = ("customers", "contracts", "contacts", "usage", "health")
SHOWN_REFUSALS = 12


def report_text(result: ImportResult) -> Text:
    """The check's (or the import's) counts and the first refused rows, file named by name."""
    would = result.dry_run or result.stopped
    head = (
        f"{result.path.name}: {result.rows:,} row{'' if result.rows == 1 else 's'} · "
        f"{'would insert' if would else 'inserted'} {result.inserted:,} · "
        f"{'would update' if would else 'updated'} {result.updated:,} · "
        f"unchanged {result.unchanged:,} · refused {len(result.refused):,}"
    )
    lines = [Text(head, style="bold")]
    shown = 0
    for rejected in result.refused:
        for column, reason in zip(rejected.columns, rejected.reasons, strict=True):
            if shown < SHOWN_REFUSALS:
                lines.append(Text(f"  line {rejected.line}: {column}: {reason}"))
            shown += 1
    if shown > SHOWN_REFUSALS:
        lines.append(Text(f"  … and {shown - SHOWN_REFUSALS} more", style="italic"))
    lines += [Text(f"note: {note}", style="italic") for note in result.notes]
    if result.rejects_path is not None:
        lines.append(Text(f"refused rows written to {result.rejects_path.name}"))
    return Text("\n").join(lines)


class ImportScreen(ReportsWorkerErrors, Modal[bool]):
    """Dismissed with True when something was imported (the queue then reloads)."""

    CSS_PATH = "../styles/import_screen.tcss"
    AUTO_FOCUS = "#import-path"  # opened to type (or browse for) the file
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Close", id="import.cancel"),
        Binding("ctrl+o", "browse", "Browse", id="import.browse"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._checked: tuple[str, str, bool] | None = None  # (kind, path, skip) checked

    def compose(self) -> ComposeResult:
        with VerticalScroll() as body:
            body.border_title = "Import from a CRM export"
            yield Label("File (CSV or XLSX), then Enter to check it · ctrl+o browses", markup=False)
            yield Input(placeholder="~/Downloads/accounts.csv", id="import-path")
            with Horizontal(id="import-options"):
                yield Select(
                    [(k, k) for k in KINDS], value="customers", allow_blank=False, id="import-kind"
                )
                yield Checkbox("Skip refused rows", id="import-skip")
            with Horizontal(id="import-buttons"):
                yield Button("Browse…", id="import-browse")
                yield Button("Check", id="import-check")
                yield Button("Import", id="import-run", variant="primary", disabled=True)
            yield Static(
                "Nothing is written until Import. Salesforce and HubSpot columns are "
                "recognised; other files need `renubu import --mapping`.",
                id="import-report",
                markup=False,
            )

    def _request(self) -> tuple[str, str, bool]:
        kind = str(self.query_one("#import-kind", Select).value)
        path = self.query_one("#import-path", Input).value.strip()
        return kind, path, self.query_one("#import-skip", Checkbox).value

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._check()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "import-browse":
            self.action_browse()
        elif event.button.id == "import-check":
            self._check()
        elif event.button.id == "import-run":
            self._import()

    def on_select_changed(self, _event: Select.Changed) -> None:
        self._forget()

    def on_checkbox_changed(self, _event: Checkbox.Changed) -> None:
        self._forget()

    def on_input_changed(self, _event: Input.Changed) -> None:
        self._forget()

    def _forget(self) -> None:
        """What was checked no longer matches the form: check again before importing."""
        if self._checked is not None and self._checked != self._request():
            self._checked = None
            self.query_one("#import-run", Button).disabled = True

    def _show(self, text: Text | str) -> None:
        self.query_one("#import-report", Static).update(text)

    def _check(self) -> None:
        kind, path, skip = self._request()
        if not path:
            self._show("Name a file first.")
            return
        self._show("Checking…")
        self._run(kind, path, skip, dry_run=True)

    def _import(self) -> None:
        if self._checked is None:
            return
        kind, path, skip = self._checked
        self.query_one("#import-run", Button).disabled = True
        self._show("Importing…")
        self._run(kind, path, skip, dry_run=False)

    @work(exclusive=True, group="import", exit_on_error=False)
    async def _run(self, kind: str, path: str, skip: bool, *, dry_run: bool) -> None:
        from renubu_tui.services.imports.service import kind_of

        session: Any = getattr(self.app, "session", None)
        if session is None:
            return
        try:
            result = await session.services.importer().run(
                kind_of(kind), Path(path).expanduser(), dry_run=dry_run, skip_invalid=skip
            )
        except Exception:
            self._show("")
            raise  # said once, by the app (a refusal is a warning in its words)
        self._show(report_text(result))
        if dry_run:
            ready = (result.inserted or result.updated) and (skip or not result.refused)
            self._checked = (kind, path, skip) if ready else None
            self.query_one("#import-run", Button).disabled = not ready
            return
        if result.written:
            self.app.notify(
                f"Imported {result.path.name}: {result.inserted:,} new, {result.updated:,} updated",
                markup=False,
            )
            self.dismiss(True)

    def action_browse(self) -> None:
        """Choose the file from a folder tree instead of typing it; the check runs at once."""
        from renubu_tui.tui.screens.file_picker import FilePicker, start_folder

        field = self.query_one("#import-path", Input)

        def chosen(path: Path | None) -> None:
            if path is not None:
                field.value = str(path)
                self._check()

        self.app.push_screen(FilePicker(start_folder(field.value)), chosen)

    def action_cancel(self) -> None:
        self.dismiss(False)
