"""The context sidebar: who the customer is, how they are doing, and who is involved.

Reads the customer's template context (`services.context.build_context`: the latest snapshot of
everything) and their history (`services.history.snapshot_history`) in one worker. While the
sidebar is collapsed nothing is loaded; the last requested customer loads when it opens.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from renubu_tui.tui.errors import ReportsWorkerErrors
from renubu_tui.tui.text import DASH, clean, days_text, iso, join, money, number, pairs, plain
from renubu_tui.tui.widgets.trend import Trend

if TYPE_CHECKING:
    from renubu_tui.services.customers.history import History
    from renubu_tui.tui.session import Session

CHAMPION, DECISION_MAKER = "★", "◆"

Context = dict[str, Any]


def _section(title: str) -> Static:
    return Static(title, classes="section", markup=False)


class ContextSidebar(ReportsWorkerErrors, VerticalScroll):
    """Customer card, trends, ARR, usage, engagement, contract, stakeholders, account team."""

    can_focus = True

    class Loaded(Message):
        def __init__(self, customer_id: uuid.UUID, context: Context, history: History) -> None:
            super().__init__()
            self.customer_id, self.context, self.history = customer_id, context, history

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._session: Session | None = None
        self.customer_id: uuid.UUID | None = None
        self._loaded_id: uuid.UUID | None = None

    def compose(self) -> ComposeResult:
        yield Static("No customer selected.", id="card", markup=False)
        yield _section("Trends")
        yield Trend("Health", id="health")
        yield Trend("Risk", id="risk")
        yield Trend("Opportunity", id="opportunity")
        yield Trend("ARR", id="arr")
        yield Trend("Utilization", id="utilization")
        yield Trend("Engagement", id="engagement-score")
        yield _section("Usage")
        yield Static(DASH, id="usage", markup=False)
        yield _section("Engagement")
        yield Static(DASH, id="engagement", markup=False)
        yield _section("Contract")
        yield Static(DASH, id="contract", markup=False)
        yield _section("Stakeholders")
        yield Static(DASH, id="stakeholders", markup=False)
        yield _section("Account team")
        yield Static(DASH, id="team", markup=False)

    # --- loading ------------------------------------------------------------------------------

    def show(self, session: Session, customer_id: uuid.UUID) -> None:
        """Make `customer_id` current; load it now if visible, else when the sidebar opens."""
        self._session = session
        self.customer_id = customer_id
        self.refresh_content()

    def reload(self) -> None:
        """The customer's data changed (its workflow moved): read it again when visible."""
        self._loaded_id = None
        self.refresh_content()

    def on_show(self) -> None:
        self.refresh_content()

    def refresh_content(self) -> None:
        """Load the current customer unless it is already shown or the sidebar is collapsed."""
        if self._session is None or self.customer_id is None or not self.display:
            return
        if self.customer_id != self._loaded_id:
            self._load(self._session, self.customer_id)

    @work(exclusive=True, group="sidebar", exit_on_error=False)
    async def _load(self, session: Session, customer_id: uuid.UUID) -> None:
        from renubu_tui.services.customers.context import build_context
        from renubu_tui.services.customers.history import snapshot_history

        db, today = session.services.db, session.today
        context = await build_context(
            db, session.services.tenant.slug, customer_id, today, config=session.config
        )
        history = await snapshot_history(db, customer_id, today)
        self.post_message(self.Loaded(customer_id, context, history))

    def on_context_sidebar_loaded(self, message: Loaded) -> None:
        if message.customer_id != self.customer_id:
            return
        self._loaded_id = message.customer_id
        ctx, history = message.context, message.history
        self._card(ctx)
        self._trends(ctx, history)
        self._usage(ctx)
        self._engagement(ctx)
        self._contract(ctx)
        self._stakeholders(ctx)
        self._team(ctx)

    # --- sections -------------------------------------------------------------------------------

    def _set(self, id: str, text: RenderableType) -> None:
        self.query_one(f"#{id}", Static).update(text)

    def _card(self, ctx: Context) -> None:
        c, csm = ctx["customer"], ctx["csm"]
        plan = f"{c['accountPlan']} ({'set' if c['hasAccountPlan'] else 'derived'})"
        card = Group(
            plain(c["name"], "bold"),
            pairs(
                [
                    ("Domain", plain(c["domain"])),
                    ("Industry", plain(c["industry"] or DASH)),
                    ("Plan", plan),
                    ("CSM", plain(csm["name"] or DASH)),
                ]
            ),
        )
        self._set("card", card)

    def _trends(self, ctx: Context, history: History) -> None:
        intel = ctx["intelligence"]
        trends = intel.get("trends") or {}
        scores = history.scores
        health_trend = f" {_arrow(trends.get('health'))}" if trends.get("health") else ""
        self.query_one("#health", Trend).set(
            f"{number(intel['healthScore'])}{health_trend}", [p.health for p in scores]
        )
        self.query_one("#risk", Trend).set(number(intel["riskScore"]), [p.risk for p in scores])
        self.query_one("#opportunity", Trend).set(
            number(intel["opportunityScore"]), [p.opportunity for p in scores]
        )
        fin = ctx["data"]["financials"]
        growth = fin.get("growthRate")
        arr_text = money(ctx["customer"]["arr"])
        self.query_one("#arr", Trend).set(arr_text, [p.arr for p in history.arr])
        if growth is not None:
            self.query_one("#arr .trend--label", Static).update(f"ARR {growth:+g}%")
        usage = history.usage
        self.query_one("#utilization", Trend).set(
            number(ctx["data"]["usage"]["utilizationRate"], "%"), [p.utilization for p in usage]
        )
        self.query_one("#engagement-score", Trend).set(
            number(ctx["data"]["engagement"]["engagementScore"]),
            [p.engagement for p in history.engagement],
        )

    def _usage(self, ctx: Context) -> None:
        u = ctx["data"]["usage"]
        rows = [
            ("Users", f"{number(u['activeUsers'])} of {number(u['licensedUsers'])} active"),
            ("Adoption", number(u["adoptionRate"], "%")),
        ]
        self._set("usage", pairs(rows))

    def _engagement(self, ctx: Context) -> None:
        e = ctx["data"]["engagement"]
        rows = [
            ("NPS", number(e["npsScore"])),
            ("CSAT", number(e["csatScore"])),
            ("Tickets", f"{number(e['openTickets'])} open"),
            ("Last QBR", iso(e["lastQbr"])),
            ("Next QBR", iso(e["nextQbr"])),
        ]
        self._set("engagement", pairs(rows))

    def _contract(self, ctx: Context) -> None:
        c, w = ctx["customer"], ctx["workflow"]
        rows = [
            ("Renewal", iso(c["renewalDate"])),
            ("Due", days_text(w["daysUntilRenewal"])),
            ("Term", f"{c['contractTerm']} months" if c["contractTerm"] else DASH),
        ]
        self._set("contract", pairs(rows))

    def _stakeholders(self, ctx: Context) -> None:
        people = ctx["stakeholders"]
        if not people:
            self._set("stakeholders", Text("none recorded", style="dim"))
            return
        grid = Table.grid(padding=(0, 1))
        grid.add_column(width=2, no_wrap=True, style="bold")
        grid.add_column(ratio=1)
        for s in people:
            marks = (CHAMPION if s["isChampion"] else " ") + (
                DECISION_MAKER if s["isDecisionMaker"] else " "
            )
            detail = [plain(s["title"] or DASH)]
            if s["influence"]:
                detail.append(plain(f"{s['influence']} influence"))
            if s["sentiment"]:
                detail.append(plain(s["sentiment"]))
            lines = [plain(s["name"], "bold"), join(detail)]
            note = _latest_note(s.get("notes") or [])
            if note:
                lines.append(plain(f"“{note}”", "italic dim"))
            grid.add_row(Text(marks), Text("\n").join(lines))
        legend = Text(f"{CHAMPION} champion  {DECISION_MAKER} decision maker", style="dim")
        self._set("stakeholders", Group(grid, legend))

    def _team(self, ctx: Context) -> None:
        team, csm = ctx["accountTeam"], ctx["csm"]
        rows = [
            ("CSM", plain(csm["name"] or DASH)),
            ("AE", plain(team["ae"] or DASH)),
            ("SA", plain(team["sa"] or DASH)),
            ("Sponsor", plain(team["executiveSponsor"] or DASH)),
        ]
        self._set("team", pairs(rows))


def _arrow(trend: str | None) -> str:
    return {"up": "↑", "down": "↓", "flat": "→"}.get(trend or "", "")


def _latest_note(notes: list[Any]) -> str | None:
    """The newest note's text (notes are dicts with date and text, dated by today)."""
    dated = [n for n in notes if isinstance(n, dict) and n.get("text")]
    if not dated:
        return None
    newest = max(dated, key=lambda n: str(n.get("date") or ""))
    return clean(newest["text"])
