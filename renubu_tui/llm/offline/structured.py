"""The offline assistant's structured answers: one JSON object with a summary, a route picked
from the codes the prompt lists, and recommendations — all derived from the context."""

from __future__ import annotations

import json
import re
from typing import Any

from renubu_tui.llm.offline.facts import Cue, Facts, money, number, percent

ROUTE_CODE = re.compile(r"\b[A-Z][A-Z0-9]+(?:_[A-Z0-9]+)+\b")

# Blockers in order of seriousness, each with the words of route codes that name it.
ROUTE_TOPICS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("churn", ("CHURN", "AT_RISK")),
    ("overdue", ("OVERDUE",)),
    ("ghost", ("GHOST", "UNRESPONSIVE", "NO_RESPONSE", "EXTENSION")),
    ("negotiation", ("NEGOTIATION", "PRICING", "EXTENSION")),
    ("signature", ("SIGNATURE", "FINAL_PUSH")),
    ("payment", ("PAYMENT",)),
    ("crm", ("SALESFORCE", "CRM")),
)
COMPLETE_WORDS = ("COMPLETE", "DONE", "CLOSED")


def route_codes(prompt: str) -> list[str]:
    """Route codes the prompt offers (SIGNATURE_PENDING …), in order of first mention."""
    seen: dict[str, None] = {}
    for code in ROUTE_CODE.findall(prompt):
        seen.setdefault(code, None)
    return list(seen)


def pick_route(codes: list[str], facts: Facts) -> tuple[str, str]:
    """(code, why): the listed code naming the most serious blocker the context shows."""
    topics = {cue.topic: cue for cue in facts.cues()}
    for topic, words in ROUTE_TOPICS:
        if topic not in topics:
            continue
        for code in codes:
            if any(word in code for word in words):
                return code, topics[topic].observation
    complete = [c for c in codes if any(w in c for w in COMPLETE_WORDS)]
    signed = facts.signed()
    if complete and signed and not facts.unpaid():
        return complete[0], f"signed ({signed.who}, {signed.date}: “{signed.text}”)"
    # No blocker recorded but no proof of completion either: the first open route.
    open_codes = [c for c in codes if c not in complete] or codes
    return open_codes[0], "no blocker is recorded, and nothing records the renewal as complete"


def summary_line(facts: Facts) -> str:
    if not facts.present:
        return "Offline assistant: no customer context was provided."
    health = number(facts.get("customer", "healthScore"))
    return (
        f"Offline assistant: {facts.customer} {facts.renewal_phrase()}; ARR "
        f"{money(facts.get('customer', 'arr'))}, health {health}, churn probability "
        f"{percent(facts.get('intelligence', 'churnProbability'))}."
    )


def recommendations(cues: list[Cue]) -> list[str]:
    return [cue.action for cue in cues][:5] or ["Confirm the renewal plan with the customer."]


def json_answer(prompt: str, facts: Facts) -> dict[str, Any]:
    """The object; optional keys appear only when the prompt asks for them by name."""
    cues = facts.cues()
    answer: dict[str, Any] = {"summary": summary_line(facts)}
    codes = route_codes(prompt)
    blockers = [c for c in cues if c.topic in {t for t, _ in ROUTE_TOPICS}]
    if codes:
        route, why = pick_route(codes, facts)
        answer["route"] = route
        answer["summary"] += f" {why}"  # the route itself is said in words by the step pane
    answer["recommendations"] = recommendations(cues)
    if "primaryBlocker" in prompt:
        answer["primaryBlocker"] = blockers[0].observation if blockers else "none recorded"
    if "blockers" in prompt:
        answer["blockers"] = [c.observation for c in blockers]
    if "warRoomRecommended" in prompt:
        answer["warRoomRecommended"] = facts.war_room_recommended()
    if "fullRenewalAtRisk" in prompt:
        days = facts.days_until
        answer["fullRenewalAtRisk"] = facts.at_risk() or bool(
            facts.open_pushback() or (days is not None and days < 10 and blockers)
        )
    return answer


def json_text(prompt: str, facts: Facts) -> str:
    return json.dumps(json_answer(prompt, facts), indent=2, ensure_ascii=False)
