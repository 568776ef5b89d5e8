"""The offline assistant's structured step outputs, fitted to each step's `outputSchema`.

The offline provider answers JSON requests with `{summary, route, recommendations, …}`; step
schemas ask for more (a signatory, a finalARR, talking points…). `SchemaOfflineProvider` wraps
it for one step: it keeps what the offline answer gave when it fits, and fills every other
property from the customer context by its name and type — real names, figures and dates from
the context, deterministic, never random. The label stays the offline assistant's: this is
still the offline assistant writing, now to the step's shape.

It lives in services because the provider request carries no schema; moving it into
`renubu_tui.llm` (with a schema on ChatRequest) would change no caller but the step runner.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import AsyncGenerator, Mapping
from typing import Any

from renubu_tui.llm.events import Done, StreamEvent, TextDelta, Usage
from renubu_tui.llm.messages import ChatRequest
from renubu_tui.llm.offline.facts import Facts, money, number, percent
from renubu_tui.llm.offline.structured import json_answer, pick_route, summary_line
from renubu_tui.llm.offline.writer import email
from renubu_tui.llm.provider import Provider, collect
from renubu_tui.llm.resilience import estimate_tokens
from renubu_tui.services.workflows.schema_check import problems

_EMAIL_BODY = re.compile(r"(?i)(body|email$|message|invite|customermessage|proposalemail)")
_SUBJECT = re.compile(r"(?i)subject")
_DATE = re.compile(r"(?i)(date|by$|^when$|^sent$|signby|revisit|^date$)")
_PERSON = re.compile(
    r"(?i)(contact|champion|decisionmaker|economicbuyer|signatory|owner|approver|^who$|"
    r"theirs|ours|customerowner)"
)
_NEGATIVE_LIST = re.compile(
    r"(?i)(blocker|concern|gap|missing|weakness|risk|open|remaining|atrisk|warning|driver|"
    r"objection|theirleverage|outstanding|signals$|keysignals)"
)
_POSITIVE_LIST = re.compile(r"(?i)(strength|valuedelivered|ourleverage|agreed|priorit|goal)")
_PEOPLE_LIST = re.compile(
    r"(?i)(contacts|attendees|recipients|signingorder|signers|buyinggroup|pairings)"
)


class SchemaOfflineProvider:
    """The offline provider, answering JSON requests in the shape of `schema`."""

    def __init__(self, inner: Provider, schema: Mapping[str, Any]) -> None:
        self.inner = inner
        self.schema = schema
        self.name = inner.name

    @property
    def label(self) -> str:
        return self.inner.label

    async def aclose(self) -> None:
        await self.inner.aclose()

    async def stream(self, request: ChatRequest) -> AsyncGenerator[StreamEvent, None]:
        if not request.response_format_json:
            async for event in self.inner.stream(request):
                yield event
            return
        answer = await collect(self.inner, request)
        if answer.error is not None:
            yield answer.error
            return
        try:
            base = json.loads(answer.text)
        except json.JSONDecodeError:
            base = {}
        facts = Facts(request.context)
        prompt = f"{request.system_text()}\n{request.last_user_text()}"
        if not isinstance(base, dict):
            base = json_answer(prompt, facts)
        filled = fill(self.schema, base, facts, prompt)
        text = json.dumps(filled, indent=2, ensure_ascii=False)
        yield TextDelta(text)
        done = answer.done
        yield Done(
            provider_label=done.provider_label if done else self.label,
            model=done.model if done else "offline",
            stop_reason="end_turn",
            usage=Usage(
                input_tokens=done.usage.input_tokens if done else 0,
                output_tokens=estimate_tokens(text),
                estimated=True,
            ),
        )


def fill(schema: Mapping[str, Any], base: Mapping[str, Any], facts: Facts, prompt: str) -> Any:
    """An object fitting `schema`: `base`'s fitting values, the rest written from the facts."""
    writer = _Writer(facts, prompt, base)
    return writer.value("", schema, base)


class _Writer:
    def __init__(self, facts: Facts, prompt: str, base: Mapping[str, Any]) -> None:
        self.f = facts
        self.prompt = prompt
        self.base = base
        self._email: str | None = None

    # --- dispatch ------------------------------------------------------------------------

    def value(self, name: str, schema: Mapping[str, Any], given: Any = None) -> Any:
        if given is not None and not problems(schema, given) and not isinstance(given, dict):
            return given
        kind = schema.get("type")
        kind = kind[0] if isinstance(kind, list) else kind
        if schema.get("enum"):
            return self.enum(name, list(schema["enum"]))
        if kind == "object" or (kind is None and "properties" in schema):
            return self.object(schema, given if isinstance(given, Mapping) else {})
        if kind == "array":
            return self.array(name, schema.get("items") or {"type": "string"})
        if kind == "boolean":
            return self.boolean(name)
        if kind == "integer":
            return self.integer(name)
        if kind == "number":
            return self.number(name)
        return self.string(name)

    def object(self, schema: Mapping[str, Any], given: Mapping[str, Any]) -> dict[str, Any]:
        properties: Mapping[str, Any] = schema.get("properties") or {}
        out: dict[str, Any] = {}
        for key, rule in properties.items():
            out[key] = self.value(key, rule if isinstance(rule, Mapping) else {}, given.get(key))
        for key in ("summary", "recommendations"):  # keep the offline answer's own fields
            if key in given and key not in out and not properties:
                out[key] = given[key]
        return out

    # --- scalars -------------------------------------------------------------------------

    def enum(self, name: str, options: list[Any]) -> Any:
        given = self.base.get(name)
        if given in options:
            return given
        if name == "route":
            return pick_route([str(o) for o in options], self.f)[0]
        f, low = self.f, name.lower()
        signed, risky = self.f.signed() is not None, self.f.at_risk()

        def first(*wanted: str) -> Any:
            return next((w for w in wanted if w in options), options[0])

        if low == "outcome":
            projected = f.get("data", "financials", "projectedARR")
            grew = isinstance(projected, int | float) and projected > (f.arr or 0)
            if "handed_off" in options:
                return first("handed_off") if _has_cue(f, "expansion") else first("not_now")
            if signed:
                return first("renewed_with_expansion" if grew else "renewed", "renewed")
            return first("pending", "extended") if not risky else first("churned")
        if low == "rating":
            score = _num(f.get("data", "engagement", "engagementScore"))
            return first("strong" if score >= 75 else "adequate" if score >= 55 else "weak")
        if low == "intent":
            churn = _num(f.get("intelligence", "churnProbability"))
            label = "committed" if signed else "likely" if churn < 20 else "uncertain"
            return first("at_risk" if risky else label)
        if low == "severity":
            risk = _num(f.get("intelligence", "riskScore"))
            return first("critical" if risky else "high" if risk >= 50 else "moderate")
        if low == "status":
            trend = (f.get("intelligence", "trends") or {}).get("health")
            status = {"up": "reduced", "down": "worsening"}
            return first(
                status.get(trend, "persisting") if isinstance(trend, str) else "persisting"
            )
        if low == "channel":
            days = f.days_until
            return first("executive" if days is not None and days < -14 else "email")
        return options[0]

    def boolean(self, name: str) -> bool:
        f, low = self.f, name.lower()
        if "warroom" in low or "slack" in low:
            return f.war_room_recommended()
        if "risk" in low:
            return f.at_risk()
        if low in {"secured", "resolved", "customercommitted", "ontrack", "poreceived"}:
            return f.signed() is not None
        if low == "qbrbeforerenewal":
            qbr, renewal = f.get("data", "engagement", "nextQbr"), f.get("customer", "renewalDate")
            return bool(qbr and renewal and str(qbr) <= str(renewal))
        # coTerm by default; crmUpdated, invoiceRequested, approvalNeeded…: not recorded, so no
        return low == "coterm"

    def integer(self, name: str) -> int:
        f, low = self.f, name.lower()
        active = f.get("data", "usage", "activeUsers")
        licensed = f.get("data", "usage", "licensedUsers")
        if "term" in low or "months" in low:
            term = f.get("customer", "contractTerm")
            return term if isinstance(term, int) else 12
        if "seatgap" in low:
            return (
                int(licensed - active)
                if isinstance(licensed, int) and isinstance(active, int)
                else 0
            )
        if "user" in low or "seat" in low or "quantity" in low:
            return int(licensed or active or 0)
        if "hour" in low:
            hours = f.get("workflow", "hoursUntilRenewal")
            return int(hours) if isinstance(hours, int | float) and hours > 0 else 24
        if "day" in low:
            return abs(f.days_until or 0)
        return 0

    def number(self, name: str) -> float | int:
        f, low = self.f, name.lower()
        arr = f.arr if isinstance(f.arr, int | float) else 0
        projected = f.get("data", "financials", "projectedARR")
        if "arr" in low or "total" in low or "price" in low:
            if any(w in low for w in ("target", "opening", "total")) and isinstance(
                projected, int | float
            ):
                return projected
            return arr
        if "percent" in low:
            growth = f.get("data", "financials", "growthRate")
            uplift = "uplift" in low or "change" in low
            return growth if uplift and isinstance(growth, int | float) else 0
        return 0

    def string(self, name: str) -> str:
        f, low = self.f, name.lower()
        cues = f.cues()
        if _SUBJECT.search(name):
            return self._subject()
        if _EMAIL_BODY.search(name):
            return self._email_text()
        if "time" in low:
            return "09:00"
        if "channel" in low:
            return f"#renewal-{f.get('customer', 'slug') or 'account'}"
        if _DATE.search(name):
            return self._date(low)
        if "pairing" in low:
            ours = f.get("company", "vpCustomerSuccess") or f.csm
            signer = f.signer()
            theirs = signer.name if signer is not None else "their executive sponsor"
            return f"{ours} ↔ {theirs}"
        if _PERSON.search(name):
            return self._person(low)
        if low in {"summary", "trajectory", "adoptiondepth", "changesincelastpulse"}:
            given = self.base.get("summary")
            return given if isinstance(given, str) and given else summary_line(f)
        if low in {"reason", "rootcause", "primaryblocker", "signal", "need", "customerresponse"}:
            return cues[0].observation if cues else summary_line(f)
        if cues and low in {"decision", "nextstep", "unblocker", "executiveask", "recommended"}:
            return cues[0].action
        if "timing" in low:
            return f.renewal_phrase()
        return self._paragraph()

    # --- lists ---------------------------------------------------------------------------

    def array(self, name: str, items: Mapping[str, Any]) -> list[Any]:
        kind = items.get("type")
        if kind == "object":
            return [self.object(items, {})]
        if kind not in (None, "string"):
            return []
        f = self.f
        cues = f.cues()
        if _PEOPLE_LIST.search(name):
            people = f.stakeholders or []
            return [p.describe() for p in people[:5]] or [f"{f.csm} (CSM)"]
        if name.lower() == "questions":
            return self._questions()
        if _POSITIVE_LIST.search(name):
            return self._strengths()
        if _NEGATIVE_LIST.search(name):
            return [c.observation for c in cues if c.topic != "expansion"][:5]
        if name == "recommendations" and isinstance(self.base.get(name), list):
            return [str(r) for r in self.base[name]]
        actions = [c.action for c in cues][:5]
        return actions or [f"Confirm the renewal plan with {self._person('contact')}."]

    # --- pieces ---------------------------------------------------------------------------

    def _email_text(self) -> str:
        if self._email is None:
            self._email = email(self.prompt, self.f)
        return self._email

    def _subject(self) -> str:
        match = re.search(r"\*\*Subject:\*\* (.+)", self._email_text())
        return match.group(1).strip() if match else f"{self.f.customer} renewal"

    def _date(self, low: str) -> str:
        today = self.f.today or dt.date(2000, 1, 1)
        renewal = self.f.get("customer", "renewalDate")
        if any(w in low for w in ("signby", "decision")) and renewal:
            return str(renewal)
        days = 30 if any(w in low for w in ("review", "pulse", "revisit")) else 7
        return (today + dt.timedelta(days=days)).isoformat()

    def _person(self, low: str) -> str:
        f = self.f
        signer, champions = f.signer(), f.champions()
        if "champion" in low and champions:
            return champions[0].name
        if "approver" in low or "countersign" in low:
            return f.manager
        if low in {"owner", "ours", "ourowner", "customerowner"}:
            return f.csm
        if signer is not None:
            return signer.name
        return f.csm

    def _strengths(self) -> list[str]:
        f = self.f
        out = []
        health = f.get("customer", "healthScore")
        if health is not None:
            out.append(f"Health {number(health)}/100")
        util = f.get("data", "usage", "utilizationRate")
        if util is not None:
            out.append(f"Utilization {percent(util)}")
        nps = f.get("data", "engagement", "npsScore")
        if nps is not None:
            out.append(f"NPS {number(nps)}")
        if f.champions():
            out.append(f"Champion: {f.champions()[0].describe()}")
        return out or ["Nothing recorded yet"]

    def _questions(self) -> list[str]:
        f = self.f
        who = f.champions()[0].first_name if f.champions() else "the team"
        return [
            f"Which team beyond the current {number(f.get('data', 'usage', 'activeUsers'))} "
            "users has the same need?",
            f"What would {who} measure to call the expansion a success?",
            "Who owns the budget, and when is it decided?",
        ]

    def _paragraph(self) -> str:
        f = self.f
        cues = f.cues()
        head = (
            f"{f.customer} {f.renewal_phrase()}; renewal ARR {money(f.arr)}."
            if f.present
            else summary_line(f)
        )
        return f"{head} {cues[0].observation} {cues[0].action}" if cues else head


def _num(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def _has_cue(facts: Facts, topic: str) -> bool:
    return any(c.topic == topic for c in facts.cues())


__all__ = ["SchemaOfflineProvider", "fill"]
