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

from renubu_tui.domain.forecast import CATEGORY_ORDER, Category
from renubu_tui.tui.errors import ReportsWorkerErrors
from renubu_tui.tui.messages import CustomerChosen
from renubu_tui.tui.text import clean, money, plain

if TYPE_CHECKING:
    from renubu_tui.services.forecast.service import ForecastItem, ForecastPeriod, ForecastView
    from renubu_tui.tui.session import Session

COLOURS = {
    Category.SECURED: "#3fb950",
    Category.LIKELY: "#58a6ff",
    Category.AT_RISK: "#e3b341",
    Category.CHURNED: "#ff7b72",
}
WORDS = {
    Category.SECURED: "secured",
    Category.LIKELY: "likely",
    Category.AT_RISK: "at risk",
    Category.CHURNED: "churned",
}
BAR_WIDTH = 24


def bar(period: ForecastPeriod, largest: float, width: int = BAR_WIDTH) -> Text:
    """The period's stacked bar: each category's share of the largest period's ARR, in cells
    (a non-empty category gets at least one)."""
    text = Text()
    if largest <= 0:
        return Text(" " * width)
    for category in CATEGORY_ORDER:
        value = period.total(category)
        if value <= 0:
            continue
        cells = max(1, round(value / largest * width))
        text.append("█" * cells, style=COLOURS[category])
    text.truncate(width, pad=True)
    return text


def legend() -> Text:
    parts: list[Text | str] = []
    for category in CATEGORY_ORDER:
        parts += [Text("█ ", style=COLOURS[category]), WORDS[category], "   "]
    return Text.assemble(*parts)


class ForecastScreen(ReportsWorkerErrors, Screen[None]):
    CSS_PATH = "../styles/forecast.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open", id="forecast.open", show=False),
        Binding("m", "toggle_by", "Month/quarter", id="forecast.by"),
        Binding("A", "toggle_everyone", "Mine/everyone", id="forecast.everyone"),
        Binding("escape,F", "close", "Close", id="forecast.close"),
    ]

    def __init__(self, session: Session, *, by: str = "month", everyone: bool = False) -> None:
        super().__init__()
        self.session = session
        self.by = by
        self.everyone = everyone
        self.view: ForecastView | None = None
        self.items: list[ForecastItem] = []

    def compose(self) -> ComposeResult:
        yield Static("Renewal forecast", id="forecast-title", markup=False)
        yield Static(legend(), id="forecast-legend")
        yield DataTable(id="forecast-bars", cursor_type="row", zebra_stripes=False)
        yield Static("", id="forecast-period", markup=False)
        yield DataTable(id="forecast-customers", cursor_type="row")
        yield Static("", id="forecast-retention", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        bars = self.query_one("#forecast-bars", DataTable)
        bars.add_columns("Period", "ARR up for renewal", "Up", "Secured", "Likely", "At risk")
        bars.add_columns("Churned", "Weighted")
        customers = self.query_one("#forecast-customers", DataTable)
        customers.add_columns("Customer", "Renews", "ARR", "Status", "Likely", "Why")
        bars.focus()
        self.load()

    @work(exclusive=True, group="forecast", exit_on_error=False)
    async def load(self) -> None:
        s = self.session
        service = s.services.forecaster()
        owner = None if self.everyone else s.services.user
        self.show(await service.forecast(s.tenant_id, s.today, by=self.by, owner=owner))

    def show(self, view: ForecastView) -> None:
        self.view = view
        bars = self.query_one("#forecast-bars", DataTable)
        row = bars.cursor_row
        bars.clear()
        largest = max((p.up_for_renewal for p in view.periods), default=0.0)
        for p in view.periods:
            bars.add_row(
                Text(p.label),
                bar(p, largest),
                Text(money(p.up_for_renewal), justify="right"),
                *(Text(money(p.total(c)), justify="right") for c in CATEGORY_ORDER),
                Text(money(p.weighted), justify="right"),
            )
        if view.periods:
            bars.move_cursor(row=min(max(row, 0), len(view.periods) - 1), animate=False)
        who = "everyone" if view.owner is None else clean(view.owner)
        m = view.model
        self.query_one("#forecast-title", Static).update(
            f"Renewal forecast · {who} · as of {view.today} · by {view.by} · "
            f"weighted {money(view.weighted)} of {money(view.up_for_renewal)} · "
            f"likelihood: secured {m.secured:.0%}, likely {m.likely:.0%}, "
            f"at risk {m.at_risk:.0%}, churned {m.churned:.0%}"
        )
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
            customers.add_row(
                plain(item.customer),
                Text(item.renewal_date.isoformat()),
                Text(money(item.arr), justify="right"),
                Text(WORDS[item.category], style=COLOURS[item.category]),
                Text(f"{item.likelihood:.0%}", justify="right"),
                plain("; ".join(item.reasons)),
            )
        if period is None:
            heading = ""
        elif not period.items:
            heading = f"{period.label} · no renewals"
        else:
            heading = (
                f"{period.label} · {len(period.items)} renewal"
                f"{'s' if len(period.items) != 1 else ''} · {money(period.up_for_renewal)} up · "
                f"weighted {money(period.weighted)} · Tab to the list, Enter opens a customer"
            )
        self.query_one("#forecast-period", Static).update(heading)

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
