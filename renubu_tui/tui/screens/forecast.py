"""The renewal forecast (F): a stacked bar per period with its figures beside it, the chosen
period's customers below (Enter opens one on the main screen), and the closed periods' GRR/NRR.

The bars are drawn with Rich text (one █ run per category) rather than plotext: each bar is a
row of a DataTable, so the cursor selects a bar, the figures sit beside it on the same line,
the colours are the theme-checked ones below, and the layout holds at 80 columns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from renubu_tui.domain.forecast import CATEGORY_ORDER, Category, LikelihoodModel
from renubu_tui.tui.errors import ReportsWorkerErrors
from renubu_tui.tui.messages import CustomerChosen
from renubu_tui.tui.text import clean, money, plain

if TYPE_CHECKING:
    from renubu_tui.services.forecast.service import ForecastItem, ForecastPeriod, ForecastView
    from renubu_tui.tui.session import Session

DARK = {
    Category.SECURED: "#3fb950",
    Category.LIKELY: "#58a6ff",
    Category.AT_RISK: "#e3b341",
    Category.CHURNED: "#ff7b72",
}
LIGHT = {
    Category.SECURED: "#1a7f37",
    Category.LIKELY: "#0969da",
    Category.AT_RISK: "#9a6700",
    Category.CHURNED: "#cf222e",
}
"""The categories' colours on a dark and on a light theme: each reads at 4.5:1 or more on its
theme's background (tests/tui/test_snapshot_contrast.py checks the approved pictures)."""
WORDS = {
    Category.SECURED: "secured",
    Category.LIKELY: "likely",
    Category.AT_RISK: "at risk",
    Category.CHURNED: "churned",
}
BAR_WIDTH = 24
NARROW_BELOW = 120
"""Narrower than this (an 80-column terminal): the short bar and three figures."""


def bar(
    period: ForecastPeriod,
    largest: float,
    width: int = BAR_WIDTH,
    colours: dict[Category, str] = DARK,
) -> Text:
    """The period's stacked bar: each category's share of the largest period's ARR, in cells
    (a non-empty category gets at least one), drawn as coloured background so a cell is a cell
    in any font."""
    text = Text()
    if largest <= 0:
        return Text(" " * width)
    for category in CATEGORY_ORDER:
        value = period.total(category)
        if value <= 0:
            continue
        cells = max(1, round(value / largest * width))
        text.append(" " * cells, style=f"on {colours[category]}")
    text.truncate(width, pad=True)
    return text


def legend(model: LikelihoodModel, colours: dict[Category, str] = DARK) -> Text:
    """Each category's colour, name and likelihood (the model the weighted figures use)."""
    parts: list[Text | str] = []
    for category in CATEGORY_ORDER:
        word = f" {WORDS[category]} {model.weight(category):.0%}   "
        parts += [Text("  ", style=f"on {colours[category]}"), word]
    return Text.assemble(*parts)


class ForecastScreen(ReportsWorkerErrors, Screen[None]):
    CSS_PATH = "../styles/forecast.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open", id="forecast.open", show=False),
        Binding("m", "toggle_by", "Month/quarter", id="forecast.by"),
        Binding("o", "toggle_everyone", "Mine/everyone", id="forecast.everyone"),
        Binding("escape,F", "close", "Close", id="forecast.close"),
    ]

    def __init__(self, session: Session, *, by: str = "month", everyone: bool = False) -> None:
        super().__init__()
        self.session = session
        self.by = by
        self.everyone = everyone
        self.view: ForecastView | None = None
        self.items: list[ForecastItem] = []
        self.narrow = False

    def compose(self) -> ComposeResult:
        yield Static("Renewal forecast", id="forecast-title", markup=False)
        yield Static("", id="forecast-legend")
        yield DataTable(id="forecast-bars", cursor_type="row", zebra_stripes=False)
        yield Static("", id="forecast-period", markup=False)
        yield DataTable(id="forecast-customers", cursor_type="row")
        yield Static("", id="forecast-retention", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.narrow = self.size.width < NARROW_BELOW
        self.set_class(self.narrow, "-narrow")
        self.query_one("#forecast-bars", DataTable).focus()
        self.load()

    def on_resize(self) -> None:
        narrow = self.size.width < NARROW_BELOW
        if narrow != self.narrow:
            self.narrow = narrow
            self.set_class(narrow, "-narrow")
            if self.view is not None:
                self.show(self.view)

    def _columns(self) -> None:
        """The columns for the width: at 80 columns the bar is shorter and the figures kept to
        up, at risk and weighted (the bar and its legend show the rest)."""
        bars = self.query_one("#forecast-bars", DataTable)
        customers = self.query_one("#forecast-customers", DataTable)
        bars.clear(columns=True)
        customers.clear(columns=True)
        if self.narrow:
            right: tuple[str, ...] = ("Up", "At risk", "Weighted")
            bars.add_columns("Period", "ARR up", *(Text(w, justify="right") for w in right))
            customers.add_columns("Customer", Text("ARR", justify="right"), "Status", "Why")
            return
        right = ("Up", "Secured", "Likely", "At risk", "Churned", "Weighted")
        bars.add_columns("Period", "ARR up for renewal", *(Text(w, justify="right") for w in right))
        customers.add_columns("Customer", "Renews", Text("ARR", justify="right"), "Status")
        customers.add_columns(Text("Likely", justify="right"), "Why")

    @work(exclusive=True, group="forecast", exit_on_error=False)
    async def load(self) -> None:
        s = self.session
        service = s.services.forecaster()
        owner = None if self.everyone else s.services.user
        self.show(await service.forecast(s.tenant_id, s.today, by=self.by, owner=owner))

    @property
    def colours(self) -> dict[Category, str]:
        return DARK if self.app.current_theme.dark else LIGHT

    def show(self, view: ForecastView) -> None:
        self.view = view
        colours = self.colours
        self.query_one("#forecast-legend", Static).update(legend(view.model, colours))
        bars = self.query_one("#forecast-bars", DataTable)
        row = bars.cursor_row
        self._columns()
        largest = max((p.up_for_renewal for p in view.periods), default=0.0)
        width = BAR_WIDTH // 2 if self.narrow else BAR_WIDTH
        for p in view.periods:
            figures = [p.up_for_renewal, *(p.total(c) for c in CATEGORY_ORDER), p.weighted]
            if self.narrow:
                figures = [p.up_for_renewal, p.total(Category.AT_RISK), p.weighted]
            bars.add_row(
                Text(p.label),
                bar(p, largest, width, colours=colours),
                *(Text(money(v), justify="right") for v in figures),
            )
        if view.periods:
            bars.move_cursor(row=min(max(row, 0), len(view.periods) - 1), animate=False)
        who = "everyone" if view.owner is None else clean(view.owner)
        up, weighted = money(view.up_for_renewal), money(view.weighted)
        title = (
            f"Renewal forecast · {who} · as of {view.today} · by {view.by} · "
            f"{up} up for renewal in 12 months, weighted {weighted}"
        )
        if self.narrow:
            title = f"Forecast · {who} · by {view.by} · {up} up, {weighted} weighted"
        self.query_one("#forecast-title", Static).update(title)
        self.query_one("#forecast-retention", Static).update(retention_text(view))
        self._period()

    @property
    def period(self) -> ForecastPeriod | None:
        if self.view is None:
            return None
        index = self.query_one("#forecast-bars", DataTable).cursor_row
        return self.view.periods[index] if 0 <= index < len(self.view.periods) else None

    @on(DataTable.RowHighlighted, "#forecast-bars")
    def _period(self) -> None:
        period = self.period
        customers = self.query_one("#forecast-customers", DataTable)
        customers.clear()
        self.items = list(period.items) if period is not None else []
        for item in self.items:
            status = Text(WORDS[item.category], style=self.colours[item.category])
            why = plain("; ".join(item.reasons))
            arr = Text(money(item.arr), justify="right")
            if self.narrow:
                customers.add_row(plain(item.customer), arr, status, why)
                continue
            renews = Text(item.renewal_date.isoformat())
            likely = Text(f"{item.likelihood:.0%}", justify="right")
            customers.add_row(plain(item.customer), renews, arr, status, likely, why)
        if period is None:
            heading = ""
        elif not period.items:
            heading = f"{period.label} · no renewals"
        else:
            heading = (
                f"{period.label} · {len(period.items)} renewal"
                f"{'s' if len(period.items) != 1 else ''} · {money(period.up_for_renewal)} up · "
                f"weighted {money(period.weighted)}"
            )
            if not self.narrow:
                heading += " · Enter: its customers, Enter again opens one"
        shown = Text()
        shown.append(heading, style="bold")
        if period is not None and period.risks and not self.narrow:
            risks = [
                Text.assemble(plain(r.customer), f" {money(r.arr)} ({r.reasons[0]})")
                for r in period.risks
            ]
            shown.append("\nLargest risks: ")
            shown.append_text(Text("; ").join(risks))
        self.query_one("#forecast-period", Static).update(shown)

    @on(DataTable.RowSelected, "#forecast-bars")
    def _bar_chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if self.items:
            self.query_one("#forecast-customers", DataTable).focus()

    @on(DataTable.RowSelected, "#forecast-customers")
    def _customer_chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        customers = self.query_one("#forecast-customers", DataTable)
        if not customers.has_focus:
            if self.items:
                customers.focus()
            return
        index = customers.cursor_row
        if not 0 <= index < len(self.items):
            return
        item = self.items[index]
        self.app.pop_screen()
        self.app.post_message(
            CustomerChosen(item.customer_id, clean(item.customer), None, open=True)
        )

    def action_toggle_by(self) -> None:
        self.by = "quarter" if self.by == "month" else "month"
        self.load()

    def action_toggle_everyone(self) -> None:
        self.everyone = not self.everyone
        self.load()

    def action_close(self) -> None:
        self.app.pop_screen()


def retention_text(view: ForecastView) -> Text:
    """The closed periods' GRR and NRR, one per period with renewals, on as few lines as fit."""
    kept = [r for r in view.retention if r.renewals]
    if not kept:
        return Text(f"Retention: no renewals fell due in the closed {view.by}s.")
    parts = [
        f"{r.label} GRR {_pct(r.grr)} NRR {_pct(r.nrr)}"
        for r in kept[-6:]  # the latest six: what fits
    ]
    up = sum(r.up for r in kept)
    lost = sum(r.contraction + r.churned + r.unresolved for r in kept)
    renewed = sum(r.renewed for r in kept)
    total = (
        f"12 months closed: GRR {_pct((up - lost) / up if up else None)} · "
        f"NRR {_pct(renewed / up if up else None)} · "
        f"expansion {money(sum(r.expansion for r in kept))} · "
        f"contraction {money(sum(r.contraction for r in kept))} · "
        f"churned {money(sum(r.churned for r in kept))} · "
        f"not yet renewed {money(sum(r.unresolved for r in kept))}"
    )
    return Text("Retention (renewed ARR ÷ ARR up) · " + total + "\n" + " · ".join(parts))


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"
