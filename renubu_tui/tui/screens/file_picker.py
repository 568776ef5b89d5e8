"""Pick a CRM export from the disk (the import screen's Browse): folders and the files renubu can
read (CSV, TSV, TXT, XLSX), nothing else, so a person does not have to type a path."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DirectoryTree, Label

from renubu_tui.tui.screens.modal import Modal

READABLE = frozenset({".csv", ".tsv", ".txt", ".xlsx"})


class ExportTree(DirectoryTree):
    """Folders, then the files an import reads; hidden entries left out."""

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [
            p
            for p in paths
            if not p.name.startswith(".") and (p.is_dir() or p.suffix.lower() in READABLE)
        ]


class FilePicker(Modal[Path | None]):
    """Dismissed with the chosen file, or None."""

    CSS_PATH = "../styles/file_picker.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Close", id="picker.cancel"),
        Binding("backspace", "up", "Parent folder", id="picker.up"),
    ]

    def __init__(self, start: Path) -> None:
        super().__init__()
        self._start = start

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Choose a CRM export"
            yield Label(self._caption(self._start), id="picker-folder", markup=False)
            yield ExportTree(self._start, id="picker-tree")

    @staticmethod
    def _caption(folder: Path) -> str:
        return f"{folder} · Enter opens a folder or picks a file · Backspace goes up"

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one(ExportTree).focus()

    def on_directory_tree_file_selected(self, event: DirectoryTree.FileSelected) -> None:
        event.stop()
        self.dismiss(event.path)

    def action_up(self) -> None:
        tree = self.query_one(ExportTree)
        parent = Path(tree.path).resolve().parent
        tree.path = parent
        self.query_one("#picker-folder", Label).update(self._caption(parent))

    def action_cancel(self) -> None:
        self.dismiss(None)


def start_folder(typed: str) -> Path:
    """Where browsing starts: the folder of what is typed when it exists, else home."""
    if typed.strip():
        path = Path(typed.strip()).expanduser()
        for candidate in (path, path.parent):
            if candidate.is_dir():
                return candidate
    return Path.home()
