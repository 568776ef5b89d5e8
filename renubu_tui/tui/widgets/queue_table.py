"""The queue as a table over a window of rows (never the whole queue).

The built-in DataTable slows down with its row count (21 s to fill 100k rows), so it only ever
holds the pages fetched so far; the pane fetches the next page as the cursor nears the end.
Every cell is a `Text` (a `str` cell would be parsed as markup).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import DataTable

from renubu_tui.tui.text import DASH, clean, money

if TYPE_CHECKING:
    from renubu_tui.services.queue.service import QueueRow

# (label, width, right-aligned); every cell gets one space on its left as the column gap.
COLUMNS: tuple[tuple[str, int, bool], ...] = (
    ("#", 3, True),
    ("Customer", 22, False),
    ("Type", 11, False),
    ("Stage", 9, False),
    ("Days", 4, True),
    ("ARR", 9, True),
    ("Plan", 7, False),
    ("Score", 5, True),
    ("Label", 8, False),
)
# Narrow terminals (80 columns, the queue alone): no Plan column, shorter names.
COMPACT: tuple[tuple[str, int, bool], ...] = tuple(
    (label, 20 if label == "Customer" else width, right)
    for label, width, right in COLUMNS
    if label != "Plan"
)
# Beside the step pane below 200 columns: no Plan, and the label is the score's colour, so the
# step and its chat keep room to be read.
BRIEF: tuple[tuple[str, int, bool], ...] = tuple(
    column for column in COLUMNS if column[0] not in ("Plan", "Label")
)


def table_width(columns: Sequence[tuple[str, int, bool]]) -> int:
    return sum(width + 1 for _, width, _ in columns)


TABLE_WIDTH = table_width(COLUMNS)
BRIEF_WIDTH = table_width(BRIEF)


def _cell(value: str | Text, width: int, right: bool) -> Text:
    text = value if isinstance(value, Text) else Text(value)
    text.truncate(width, overflow="ellipsis")
    if right:
        text.pad_left(width - text.cell_len)
    text.pad_left(1)
    return text


class QueueTable(DataTable[Text]):
    """Rows of the queue in order (the i-th table row is `rows[i]`)."""

    DEFAULT_CSS = """
    QueueTable {
        height: 1fr;
        background: $surface;
        scrollbar-size-vertical: 1;
    }
    QueueTable > .datatable--header {
        text-style: bold;
        background: $panel;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Open the customer", id="queue.open", show=False),
        Binding("home", "scroll_top", "First row", id="queue.first", show=False),
        Binding("end", "scroll_bottom", "Last row (loads more)", id="queue.last", show=False),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True, cell_padding=0)
        self.rows_shown: list[QueueRow] = []
        self.columns_shown = COLUMNS

    def on_mount(self) -> None:
        self._add_columns()

    def on_resize(self) -> None:
        available = self.scrollable_content_region.width
        if available >= TABLE_WIDTH:
            columns = COLUMNS
        elif available >= table_width(COMPACT):
            columns = COMPACT
        else:
            columns = BRIEF
        if columns is not self.columns_shown:
            self.columns_shown = columns
            cursor = self.cursor_row
            self.clear(columns=True)
            self._add_columns()
            self.add_rows(self._cells(i + 1, row) for i, row in enumerate(self.rows_shown))
            self.move_cursor(row=cursor, animate=False)

    def _add_columns(self) -> None:
        for label, width, right in self.columns_shown:
            self.add_column(_cell(label, width, right), width=width + 1, key=label)

    def _label_style(self, rank: int) -> str:
        """By the label's place on the configured scale (0 = the top), not by its word."""
        variables = self.app.theme_variables
        # The warning colour reads on dark backgrounds only; on light ones the second level is
        # told apart by weight.
        second = variables.get("text-warning", "yellow") if self.app.current_theme.dark else "bold"
        return {0: f"bold {variables.get('text-error', 'red')}", 1: second}.get(rank, "")

    def _score_style(self, rank: int) -> str:
        """Bold; without a Label column, coloured by the label too."""
        if any(name == "Label" for name, _, _ in self.columns_shown):
            return "bold"
        return f"bold {self._label_style(rank)}"

    def _cells(self, rank: int, row: QueueRow) -> list[Text]:
        """The table cells of one queue row (database text through `clean`, never markup)."""
        name = Text(clean(row.customer_name))
        if row.snooze_ended:
            name = Text.assemble(name, " ⏰")
        plan = Text(row.plan or DASH)
        if row.plan and not row.plan_is_set:
            plan = Text(f"{row.plan}*", style="italic")
        values: dict[str, str | Text] = {
            "#": str(rank),
            "Customer": name,
            "Type": row.workflow_type,
            "Stage": clean(row.stage) or DASH,
            "Days": DASH if row.days is None else str(row.days),
            "ARR": money(row.arr),
            "Plan": plan,
            "Score": Text(str(row.score), style=self._score_style(row.label_rank)),
            "Label": Text(row.label, style=self._label_style(row.label_rank)),
        }
        return [_cell(values[label], width, right) for label, width, right in self.columns_shown]

    def show(self, rows: Sequence[QueueRow]) -> None:
        """Replace the rows."""
        self.rows_shown = []
        self.clear()
        self.append(rows)

    def append(self, rows: Sequence[QueueRow]) -> None:
        """Add rows after those shown (the next page)."""
        first = len(self.rows_shown) + 1
        self.rows_shown.extend(rows)
        self.add_rows(self._cells(first + i, row) for i, row in enumerate(rows))
