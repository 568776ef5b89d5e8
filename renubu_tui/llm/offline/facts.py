"""Reading the customer context (domain.md §9) for the offline assistant: figures formatted for
people, stakeholders and their notes, and the observations ("cues") worth saying out loud.

Missing data stays missing: every reader tolerates None and absent keys, and a figure nobody
recorded is written as "not recorded", never guessed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MISSING = "not recorded"

SIGNATURE_PENDING = re.compile(
    r"signature pending|pending signature|awaiting signature|not (?:yet )?signed|unsigned|"
    r"for signature|docusign|order form",
    re.I,
)
SIGNED = re.compile(
    r"\b(?:fully signed|countersigned|has signed|was signed|signed and returned|"
    r"signature received|signed the order form)\b",
    re.I,
)
PUSHBACK = re.compile(
    r"push(?:ing|ed)? back|pushback|concern|objection|reject|walk away|competitor|stalled|"
    r"budget cut|downsell",
    re.I,
)
RESOLVED = re.compile(r"\b(?:agreed|accepted|resolved|approved|signed off)\b", re.I)
UNPAID = frozenset({"late", "overdue", "past_due", "pending", "failed", "unpaid"})


def dig(data: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(data, Mapping):
            return None
        data = data.get(key)
    return data


def number(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return MISSING
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")
    return str(value)


def money(value: Any) -> str:
    shown = number(value)
    return shown if shown == MISSING else f"${shown}"


def percent(value: Any) -> str:
    shown = number(value)
    return shown if shown == MISSING else f"{shown}%"


def text(value: Any) -> str:
    return MISSING if value is None or value == "" else str(value)


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Note:
    date: str
    who: str
    text: str


@dataclass(frozen=True)
class Stakeholder:
    name: str
    title: str
    role: str
    influence: str
    sentiment: str
    email: str
    champion: bool
    decision_maker: bool
    notes: tuple[Note, ...]

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name else self.name

    def describe(self) -> str:
        tags = [self.title] if self.title else []
        if self.decision_maker:
            tags.append("decision maker")
        if self.champion:
            tags.append("champion")
        if self.sentiment:
            tags.append(f"{self.sentiment} sentiment")
        return f"{self.name} ({', '.join(tags)})" if tags else self.name


@dataclass(frozen=True)
class Cue:
    """One observation and what to do about it; `topic` groups cues for routing."""

    topic: str
    observation: str
    action: str


class Facts:
    """A read-only view over one context dict."""

    def __init__(self, context: Mapping[str, Any] | None) -> None:
        self.ctx: Mapping[str, Any] = context or {}
        self.present = bool(dig(self.ctx, "customer", "name"))

    def get(self, *path: str) -> Any:
        return dig(self.ctx, *path)

    # --- who -----------------------------------------------------------------------------

    @property
    def customer(self) -> str:
        return text(self.get("customer", "name")) if self.present else "this customer"

    @property
    def csm(self) -> str:
        return self.get("csm", "name") or "your CSM"

    @property
    def manager(self) -> str:
        return self.get("csm", "managerName") or self.get("csm", "manager") or "your manager"

    @property
    def company(self) -> str:
        return self.get("company", "name") or "our team"

    @property
    def stakeholders(self) -> list[Stakeholder]:
        people = []
        for raw in self.get("stakeholders") or ():
            if not isinstance(raw, Mapping) or not raw.get("name"):
                continue
            notes = tuple(
                Note(str(n.get("date") or ""), str(raw["name"]), str(n.get("text") or ""))
                for n in raw.get("notes") or ()
                if isinstance(n, Mapping) and n.get("text")
            )
            people.append(
                Stakeholder(
                    name=str(raw["name"]),
                    title=str(raw.get("title") or ""),
                    role=str(raw.get("role") or ""),
                    influence=str(raw.get("influence") or ""),
                    sentiment=str(raw.get("sentiment") or ""),
                    email=str(raw.get("email") or ""),
                    champion=bool(raw.get("champion") or raw.get("isChampion")),
                    decision_maker=bool(raw.get("decisionMaker") or raw.get("isDecisionMaker")),
                    notes=notes,
                )
            )
        return people

    def decision_makers(self) -> list[Stakeholder]:
        return [s for s in self.stakeholders if s.decision_maker]

    def champions(self) -> list[Stakeholder]:
        return [s for s in self.stakeholders if s.champion]

    def notes(self) -> list[Note]:
        """Every stakeholder note, newest first (ties by name, so the order is stable)."""
        notes = [n for s in self.stakeholders for n in s.notes]
        notes.sort(key=lambda n: n.who)
        notes.sort(key=lambda n: n.date, reverse=True)
        return notes

    def latest_note(self, pattern: re.Pattern[str]) -> Note | None:
        return next((n for n in self.notes() if pattern.search(n.text)), None)

    # --- when and how much -----------------------------------------------------------------

    @property
    def today(self) -> dt.date | None:
        return _date(self.get("workflow", "currentDate"))

    @property
    def days_until(self) -> int | None:
        days = self.get("workflow", "daysUntilRenewal")
        return days if isinstance(days, int) else None

    @property
    def arr(self) -> Any:
        return self.get("workflow", "renewalARR") or self.get("customer", "arr")

    def renewal_phrase(self) -> str:
        date = self.get("customer", "renewalDate")
        days = self.days_until
        stage = self.get("workflow", "currentStage")
        if date is None:
            return "renewal date not recorded"
        if days is None:
            return f"renews on {date}"
        if days < 0:
            when = f"{-days} days overdue"
        elif days == 0:
            when = "today"
        else:
            when = f"in {days} days"
        staged = f", {stage} stage" if stage else ""
        return f"renews on {date} ({when}{staged})"

    def days_since_contact(self) -> int | None:
        last, today = _date(self.get("data", "engagement", "lastContact")), self.today
        return (today - last).days if last and today else None

    def war_room_recommended(self) -> bool:
        """domain.md §8: an account plan and renewal ARR ≥ 50,000, or ARR ≥ 100,000."""
        arr = self.arr if isinstance(self.arr, int | float) else 0
        has_plan = bool(self.get("customer", "hasAccountPlan"))
        return (has_plan and arr >= 50_000) or arr >= 100_000

    # --- evidence ------------------------------------------------------------------------

    def signature_pending(self) -> Note | None:
        pending, signed = self.latest_note(SIGNATURE_PENDING), self.latest_note(SIGNED)
        if pending and (signed is None or signed.date < pending.date):
            return pending
        return None

    def signed(self) -> Note | None:
        pending, signed = self.latest_note(SIGNATURE_PENDING), self.latest_note(SIGNED)
        if signed and (pending is None or pending.date <= signed.date):
            return signed
        return None

    def open_pushback(self) -> Note | None:
        """The latest objection, unless a later note says it was settled."""
        pushback = self.latest_note(PUSHBACK)
        if pushback is None:
            return None
        settled = self.latest_note(RESOLVED)
        return None if settled and settled.date > pushback.date else pushback

    def unpaid(self) -> bool:
        status = self.get("data", "financials", "paymentStatus")
        return str(status).lower() in UNPAID if status else False

    def at_risk(self) -> bool:
        churn = self.get("intelligence", "churnProbability")
        health = self.get("customer", "healthScore")
        risk = self.get("intelligence", "riskScore")
        return (
            (isinstance(churn, int | float) and churn >= 50)
            or (isinstance(health, int | float) and health < 40)
            or (isinstance(risk, int | float) and risk >= 70)
        )

    def signer(self) -> Stakeholder | None:
        """Who holds the pen: the decision maker the order form went to (their notes mention
        it, and not as stuck elsewhere in review), else any decision maker whose notes mention
        it, else the first decision maker, else the first champion, else anyone on record."""
        makers = self.decision_makers()
        mention = [p for p in makers if any(SIGNATURE_PENDING.search(n.text) for n in p.notes)]
        for person in mention:
            if not any(re.search(r"pending|review", n.text, re.I) for n in person.notes):
                return person
        if mention:
            return mention[0]
        people = makers or self.champions() or self.stakeholders
        return people[0] if people else None

    def cues(self) -> list[Cue]:
        """What stands out, most urgent first, each with a concrete next action."""
        cues: list[Cue] = []
        days = self.days_until
        signer = self.signer()
        signer_name = signer.name if signer else "the customer's signatory"
        if days is not None and days < 0:
            cues.append(
                Cue(
                    "overdue",
                    f"The renewal is {-days} days overdue.",
                    "Escalate per the overdue ladder and agree a recovery date with "
                    f"{signer_name}.",
                )
            )
        elif days is not None and days <= 6:
            cues.append(
                Cue(
                    "emergency",
                    f"Only {days} days to renewal (Emergency).",
                    f"Escalate to {self.manager} today; the manager must acknowledge.",
                )
            )
        if self.at_risk():
            churn = percent(self.get("intelligence", "churnProbability"))
            cues.append(
                Cue(
                    "churn",
                    f"Churn risk is high: churn probability {churn}, health "
                    f"{number(self.get('customer', 'healthScore'))}.",
                    "Build a save plan with an executive sponsor before discussing price.",
                )
            )
        silent = self.days_since_contact()
        if silent is not None and silent >= 14:
            cues.append(
                Cue(
                    "ghost",
                    f"No contact for {silent} days "
                    f"(last {self.get('data', 'engagement', 'lastContact')}).",
                    "Reach another stakeholder and ask for an executive-to-executive note.",
                )
            )
        pushback = self.open_pushback()
        if pushback:
            cues.append(
                Cue(
                    "negotiation",
                    f"Open objection from {pushback.who} ({pushback.date}): “{pushback.text}”",
                    "Answer it with value delivered, and trade any concession for term or timing.",
                )
            )
        pending = self.signature_pending()
        if pending:
            cues.append(
                Cue(
                    "signature",
                    f"Signature pending — {pending.who}, {pending.date}: “{pending.text}”",
                    f"Get a committed signature date from {signer_name} this week.",
                )
            )
        if self.unpaid():
            status = self.get("data", "financials", "paymentStatus")
            cues.append(
                Cue(
                    "payment",
                    f"Payment status is {status}.",
                    "Confirm the invoice and PO with their finance team before renewal day.",
                )
            )
        if days is not None and 0 <= days <= 14 and self.war_room_recommended():
            cues.append(
                Cue(
                    "war_room",
                    f"Renewal ARR {money(self.arr)} qualifies for a war room.",
                    "Open a war room with a daily 15-minute stand-up until it is signed.",
                )
            )
        cues.extend(self._usage_cues())
        return cues

    def _usage_cues(self) -> list[Cue]:
        cues: list[Cue] = []
        util = self.get("data", "usage", "utilizationRate")
        active = self.get("data", "usage", "activeUsers")
        licensed = self.get("data", "usage", "licensedUsers")
        seats = f"{number(active)} of {number(licensed)} seats active"
        if isinstance(util, int | float) and util >= 85:
            cues.append(
                Cue(
                    "expansion",
                    f"{seats} ({percent(util)} utilization) — they are near their limit.",
                    "Offer additional seats or an expansion bundle with the renewal.",
                )
            )
        elif isinstance(util, int | float) and util < 60:
            cues.append(
                Cue(
                    "adoption",
                    f"Only {seats} ({percent(util)} utilization).",
                    "Run an adoption plan before renewal; right-size only to seats in use.",
                )
            )
        trends = self.get("intelligence", "trends") or {}
        if trends.get("engagement") == "down":
            cues.append(
                Cue(
                    "engagement",
                    "Engagement is trending down (score "
                    f"{number(self.get('data', 'engagement', 'engagementScore'))}).",
                    "Book time with the champions and re-confirm the value story.",
                )
            )
        if trends.get("health") == "down":
            cues.append(
                Cue(
                    "health",
                    f"Health is trending down ({number(self.get('customer', 'healthScore'))}).",
                    "Find the cause in usage and tickets before the next conversation.",
                )
            )
        nps = self.get("data", "engagement", "npsScore")
        if isinstance(nps, int | float) and nps <= 6:
            cues.append(
                Cue("nps", f"NPS {number(nps)} (detractor).", "Follow up on the NPS comment.")
            )
        tickets = self.get("data", "engagement", "openTickets")
        if isinstance(tickets, int) and tickets > 0:
            plural = "s" if tickets != 1 else ""
            cues.append(
                Cue(
                    "tickets",
                    f"{tickets} open support ticket{plural}.",
                    "Check each has an owner and a date before the renewal call.",
                )
            )
        if self.stakeholders and not self.champions():
            cues.append(
                Cue("champion", "No champion on record.", "Identify and cultivate a champion.")
            )
        return cues
