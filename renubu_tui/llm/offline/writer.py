"""The offline assistant's prose: summaries, step guidance, stakeholder maps, risk reviews
and email drafts, written from the customer context with its real names and figures.

Deterministic by construction: no clock, no randomness, stable orderings.
"""

from __future__ import annotations

import re

from renubu_tui.llm.offline.facts import (
    SIGNATURE_PENDING,
    Facts,
    Note,
    Stakeholder,
    money,
    number,
    percent,
    text,
)

NO_CONTEXT = (
    "No customer is in context for this question, so I have no figures to work from. Open a "
    "customer (or a workflow step) and ask again, or configure a model (`renubu config` / "
    "`RENUBU_LLM_PROVIDER`) for open-ended questions."
)

INTENTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("email", re.compile(r"\b(e-?mail|draft|write (?:to|a note)|message to|note to)\b", re.I)),
    (
        "chart",
        re.compile(r"\b(trends?|trending|over time|chart|graph|plot|history|trajector\w*)\b", re.I),
    ),
    (
        "policy",
        re.compile(
            r"\b(polic(?:y|ies)|playbooks?|discounts?|escalat\w*|approv\w*|guidelines?)\b", re.I
        ),
    ),
    (
        "stakeholders",
        re.compile(
            r"\b(stakeholders?|who\b|decision[- ]makers?|champions?|contacts?|buying group)", re.I
        ),
    ),
    ("risk", re.compile(r"\b(risks?|risky|churn|concerns?|worr\w*|red flags?)\b", re.I)),
    (
        "guidance",
        re.compile(
            r"\b(help|what should|next steps?|how (?:do|should|can)|guide|plan|prepare|"
            r"checklist|assess\w*)\b",
            re.I,
        ),
    ),
)
NUMBERED = re.compile(r"^\s*(\d{1,2})[.)]\s+(.+)$", re.M)
STOPWORDS = frozenset(
    {
        *("with", "from", "that", "this", "their", "they", "them", "what", "when", "which"),
        *("where", "whether", "each", "every", "have", "been", "about", "into", "then", "than"),
        *("only", "also", "your", "ours", "more", "most", "less", "least", "must", "should"),
        *("would", "could", "item", "items", "mark", "done", "pending", "unknown", "owes"),
        *("days", "date", "dates"),
    }
)
PENDING_WORDS = re.compile(r"pending|waiting|awaiting|no committed|in review|not yet", re.I)
DONE_WORDS = re.compile(r"\b(agreed|accepted|completed|resolved|paid)\b", re.I)


def intent_of(question: str) -> str:
    """What the question asks for; a long task prompt with numbered items is step guidance."""
    if len(NUMBERED.findall(question)) >= 2:
        return "guidance"
    head = question.strip().split("\n", 1)[0]
    for name, pattern in INTENTS:
        if pattern.search(head):
            return name
    return "summary"


# --- summary ------------------------------------------------------------------------------


def summary(facts: Facts) -> str:
    if not facts.present:
        return NO_CONTEXT
    g = facts.get
    trends = g("intelligence", "trends") or {}
    lines = [
        f"**{facts.customer}** {facts.renewal_phrase()}; ARR {money(g('customer', 'arr'))}"
        f"{_plan(facts)}.",
        "",
        f"- **Health** {number(g('customer', 'healthScore'))}/100 (trend "
        f"{text(trends.get('health'))}); risk {number(g('intelligence', 'riskScore'))}, churn "
        f"probability {percent(g('intelligence', 'churnProbability'))}, expansion probability "
        f"{percent(g('intelligence', 'expansionProbability'))}.",
        f"- **Usage** {number(g('data', 'usage', 'activeUsers'))} of "
        f"{number(g('data', 'usage', 'licensedUsers'))} licensed users active (utilization "
        f"{percent(g('data', 'usage', 'utilizationRate'))}, adoption "
        f"{percent(g('data', 'usage', 'adoptionRate'))}), trend {text(trends.get('usage'))}; "
        f"last activity {text(g('data', 'usage', 'lastActivityDate'))}.",
        f"- **Engagement** score {number(g('data', 'engagement', 'engagementScore'))}, trend "
        f"{text(trends.get('engagement'))}; NPS {number(g('data', 'engagement', 'npsScore'))}, "
        f"CSAT {number(g('data', 'engagement', 'csatScore'))}, sentiment "
        f"{text(g('data', 'engagement', 'sentiment'))}; last contact "
        f"{text(g('data', 'engagement', 'lastContact'))}, next QBR "
        f"{text(g('data', 'engagement', 'nextQbr'))}.",
        f"- **Financials** current ARR {money(g('data', 'financials', 'currentARR'))} (previous "
        f"{money(g('data', 'financials', 'previousARR'))}, growth "
        f"{percent(g('data', 'financials', 'growthRate'))}), projected "
        f"{money(g('data', 'financials', 'projectedARR'))}; payment "
        f"{text(g('data', 'financials', 'paymentStatus'))}.",
        f"- **People** {_people_line(facts)}",
    ]
    latest = facts.notes()[:3]
    if latest:
        lines += ["", "**Latest notes**"]
        lines += [f"- {n.date} · {n.who}: {n.text}" for n in latest]
    lines += ["", *_stands_out(facts)]
    return "\n".join(lines)


def _plan(facts: Facts) -> str:
    plan = facts.get("customer", "accountPlan")
    return f", {plan} plan" if plan else ""


def _people_line(facts: Facts) -> str:
    people = facts.stakeholders
    if not people:
        return "no stakeholders on record."
    shown = "; ".join(p.describe() for p in people[:4])
    more = f"; and {len(people) - 4} more" if len(people) > 4 else ""
    return f"{shown}{more}. CSM {facts.csm}, manager {facts.manager}."


def _stands_out(facts: Facts) -> list[str]:
    cues = facts.cues()
    if not cues:
        return ["Nothing in the data calls for action today."]
    lines = ["**What stands out**"]
    lines += [f"- {c.observation} → {c.action}" for c in cues[:6]]
    return lines


# --- guidance -----------------------------------------------------------------------------


def _keywords(item: str) -> set[str]:
    words = re.findall(r"[a-z]{4,}", item.lower())
    return {w[:5] for w in words if w not in STOPWORDS}


def _evidence(item: str, facts: Facts) -> Note | None:
    """The newest note sharing the most keywords with the item (at least one)."""
    wanted = _keywords(item)
    if re.search(r"sign", item, re.I):
        wanted |= {"signa", "docus", "order"}
    best: tuple[int, Note] | None = None
    for note in facts.notes():
        score = len(wanted & _keywords(note.text))
        if score and (best is None or score > best[0]):
            best = (score, note)
    return best[1] if best else None


def _item_line(number_: str, item: str, facts: Facts) -> str:
    head = f"{number_}. **{item.strip().rstrip(':;.')}**"
    low = item.lower()
    if "payment" in low or "invoice" in low:
        status = facts.get("data", "financials", "paymentStatus")
        return f"{head} — payment status is {text(status)} in the account data."
    if "war room" in low:
        verdict = "recommended" if facts.war_room_recommended() else "not required"
        return (
            f"{head} — {verdict} by the rule (account plan and ARR ≥ $50,000, or ARR ≥ "
            f"$100,000); renewal ARR is {money(facts.arr)}."
        )
    if "crm" in low or "salesforce" in low:
        return f"{head} — not in renubu's data; confirm it in the CRM."
    if "sign" in low:
        return _signature_line(head, low, facts)
    note = _evidence(item, facts)
    if note is None:
        return f"{head} — nothing recorded; confirm it and note who owns it."
    status = "pending" if PENDING_WORDS.search(note.text) else ""
    if not status and DONE_WORDS.search(note.text):
        status = "reads as done"
    label = f" ({status})" if status else ""
    return f"{head}{label} — {note.who}, {note.date}: “{note.text}”"


def _signature_line(head: str, item: str, facts: Facts) -> str:
    """Signing is read from the signature notes as a whole, not from the best keyword match:
    "sent for signature" is not "signed"."""
    pending, signed = facts.signature_pending(), facts.signed()
    if "countersign" in item:
        if signed and "countersign" in signed.text.lower():
            return f"{head} (reads as done) — {signed.who}, {signed.date}: “{signed.text}”"
        if pending:
            return f"{head} (pending) — waits for the customer's signature first."
        return f"{head} — nothing recorded; confirm it and note who owns it."
    if pending:
        return f"{head} (pending) — {pending.who}, {pending.date}: “{pending.text}”"
    if signed:
        return f"{head} (reads as done) — {signed.who}, {signed.date}: “{signed.text}”"
    return f"{head} — nothing recorded; confirm it and note who owns it."


def guidance(task: str, facts: Facts) -> str:
    """Work through the numbered items of the step's instructions with the evidence on file."""
    if not facts.present:
        return NO_CONTEXT
    items = NUMBERED.findall(task)
    lines = [f"**{facts.customer}** {facts.renewal_phrase()}; ARR {money(facts.arr)}.", ""]
    if items:
        lines.append("Working through this step with what the account data shows:")
        lines += [_item_line(n, item, facts) for n, item in items]
    else:
        lines.append("Next steps, most urgent first:")
        cues = facts.cues()
        lines += [f"{i}. {c.action} ({c.observation})" for i, c in enumerate(cues[:6], 1)]
        if not cues:
            lines.append("1. Nothing urgent is recorded; confirm the renewal plan and date.")
    signer = facts.signer()
    if signer:
        lines += ["", f"Key contact: {signer.describe()}, {signer.email or 'email not recorded'}."]
    return "\n".join(lines)


# --- people and risk ----------------------------------------------------------------------


def stakeholders(facts: Facts) -> str:
    if not facts.present:
        return NO_CONTEXT
    people = facts.stakeholders
    if not people:
        return (
            f"No stakeholders are on record for {facts.customer} — never guess contacts; add them."
        )
    lines = [f"**Stakeholders at {facts.customer}**", ""]
    for person in people:
        latest = person.notes[-1] if person.notes else None
        note = f" Latest ({latest.date}): {latest.text}" if latest else ""
        influence = f", {person.influence} influence" if person.influence else ""
        lines.append(f"- {person.describe()}{influence}.{note}")
    gaps = []
    if not facts.decision_makers():
        gaps.append("no decision maker on record")
    if not facts.champions():
        gaps.append("no champion on record")
    negative = [p.name for p in people if p.sentiment == "negative"]
    if negative:
        gaps.append(f"negative sentiment: {', '.join(negative)}")
    if gaps:
        lines += ["", "Gaps: " + "; ".join(gaps) + "."]
    return "\n".join(lines)


def risk(facts: Facts) -> str:
    if not facts.present:
        return NO_CONTEXT
    g = facts.get
    trends = g("intelligence", "trends") or {}
    lines = [
        f"**Risk at {facts.customer}**: risk score {number(g('intelligence', 'riskScore'))}, churn "
        f"probability {percent(g('intelligence', 'churnProbability'))}, health "
        f"{number(g('customer', 'healthScore'))} (trend {text(trends.get('health'))}); "
        f"{facts.renewal_phrase()}, ARR {money(facts.arr)}.",
        "",
    ]
    risky = {"overdue", "emergency", "churn", "ghost", "negotiation", "signature", "payment"}
    risky |= {"adoption", "engagement", "health", "nps", "tickets", "champion"}
    cues = [c for c in facts.cues() if c.topic in risky]
    if cues:
        lines += [f"- {c.observation} → {c.action}" for c in cues]
    else:
        lines.append(
            "- No risk signal in the data: scores, trends, contact and payment look sound."
        )
    return "\n".join(lines)


def trends(facts: Facts) -> str:
    """Without a chart tool: the direction of each trend with today's figures."""
    if not facts.present:
        return NO_CONTEXT
    g = facts.get
    t = g("intelligence", "trends") or {}
    return "\n".join(
        [
            f"**Trends at {facts.customer}** (latest snapshot; no chart tool was offered, so no "
            "history is drawn):",
            "",
            f"- Health: {text(t.get('health'))} — now {number(g('customer', 'healthScore'))}/100.",
            f"- Usage: {text(t.get('usage'))} — {number(g('data', 'usage', 'activeUsers'))} of "
            f"{number(g('data', 'usage', 'licensedUsers'))} users active, utilization "
            f"{percent(g('data', 'usage', 'utilizationRate'))}.",
            f"- Engagement: {text(t.get('engagement'))} — score "
            f"{number(g('data', 'engagement', 'engagementScore'))}, last contact "
            f"{text(g('data', 'engagement', 'lastContact'))}.",
            f"- ARR: {text(g('data', 'financials', 'trend'))} — "
            f"{money(g('data', 'financials', 'previousARR'))} → "
            f"{money(g('data', 'financials', 'currentARR'))}.",
        ]
    )


def policy_without_search(facts: Facts) -> str:
    facts_line = applied_facts(facts)
    return (
        "I cannot search the knowledge base here (no rag_search tool was offered), so I will "
        "not quote policy from memory.\n\n" + facts_line
    )


def applied_facts(facts: Facts) -> str:
    """The figures policies key on, so the reader can apply a passage to this account."""
    if not facts.present:
        return "No customer is in context to apply it to."
    arr = facts.arr
    per_point = f"; each 1% of discount is {money(arr / 100)}" if isinstance(arr, int) else ""
    return (
        f"For {facts.customer}: renewal ARR {money(arr)}{per_point}; {facts.renewal_phrase()}; "
        f"risk {number(facts.get('intelligence', 'riskScore'))}, churn probability "
        f"{percent(facts.get('intelligence', 'churnProbability'))}; account plan "
        f"{text(facts.get('customer', 'accountPlan'))}; CSM {facts.csm}, manager {facts.manager}."
    )


# --- email --------------------------------------------------------------------------------

TOPICS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("signature", re.compile(r"sign|order form|docusign|contract", re.I)),
    ("pricing", re.compile(r"pric|uplift|quote|discount|proposal", re.I)),
    ("meeting", re.compile(r"\bqbr\b|meeting|call|schedule|review", re.I)),
    ("executive", re.compile(r"escalat|executive|sponsor", re.I)),
    ("renewal", re.compile(r"renew", re.I)),
)


def recipient(question: str, facts: Facts) -> Stakeholder | None:
    """Whom the email is for: someone the question names, else by role asked, else the signer."""
    people = facts.stakeholders
    low = question.lower()
    for person in people:
        if person.name.lower() in low:
            return person
    for person in people:
        if re.search(rf"\b{re.escape(person.first_name.lower())}\b", low):
            return person
    if "champion" in low and facts.champions():
        return facts.champions()[0]
    for person in people:
        if person.title and re.search(rf"\b{re.escape(person.title.lower())}\b", low):
            return person
    return facts.signer()


def email(question: str, facts: Facts) -> str:
    if not facts.present:
        return NO_CONTEXT
    topic = next((name for name, p in TOPICS if p.search(question)), "check-in")
    to = recipient(question, facts)
    greeting = f"Hi {to.first_name}," if to else "Hi,"
    address = f"{to.name} <{to.email}>" if to and to.email else (to.name if to else None)
    date = facts.get("customer", "renewalDate")
    days = facts.days_until
    when = f"on {date}" if date else "soon"
    if days is not None and days >= 0:
        when += f", {days} days from now"
    active = facts.get("data", "usage", "activeUsers")
    users = f"your {number(active)} active users" if isinstance(active, int) else "your team"
    subject, body = _email_body(topic, facts, when, users)
    lines = [f"**To:** {address or '(no stakeholder on record — add the recipient)'}"]
    cc = facts.get("csm", "manager")
    if topic in {"executive", "signature"} and cc:
        lines.append(f"**Cc:** {facts.manager} <{cc}>")
    paragraphs = [line for paragraph in body for line in (paragraph, "")]
    lines += [f"**Subject:** {subject}", "", greeting, "", *paragraphs, "Best regards,", facts.csm]
    title = facts.get("csm", "title")
    lines.append(f"{title}, {facts.company}" if title else facts.company)
    return "\n".join(lines)


def _email_body(topic: str, facts: Facts, when: str, users: str) -> tuple[str, list[str]]:
    name, arr = facts.customer, money(facts.arr)
    projected = facts.get("data", "financials", "projectedARR")
    if topic == "signature":
        pending = facts.latest_note(SIGNATURE_PENDING)
        status = (
            "The renewal order form is with your team for signature."
            if pending
            else "The renewal order form is ready for signature."
        )
        return f"{name} renewal — signature before {facts.get('customer', 'renewalDate')}", [
            f"Thank you for working through the renewal with us. Your agreement renews {when}. "
            f"{status}",
            f"To keep service uninterrupted for {users}, could you let me know whether anything "
            "is holding up the signature, and whether a 15-minute call with your legal or "
            "procurement team this week would help?",
        ]
    if topic == "pricing":
        price = f" at {money(projected)}" if projected is not None else ""
        return f"{name} renewal — proposal{price}", [
            f"Ahead of your renewal {when}, I want to walk you through the proposal{price} "
            f"(current ARR {arr}).",
            f"Utilization is at {percent(facts.get('data', 'usage', 'utilizationRate'))}, so I "
            "would like to show you the per-seat breakdown and the options for the seats your "
            "team is adding. Would Thursday or Friday suit for 30 minutes?",
        ]
    if topic == "meeting":
        return f"{name} — time for a review before your renewal", [
            f"Your renewal is {when}. I would like to book 30 minutes to review results with "
            f"{users} (adoption {percent(facts.get('data', 'usage', 'adoptionRate'))}) and agree "
            "the priorities for the next term.",
            "Could you suggest two slots that work this week or next?",
        ]
    if topic == "executive":
        return f"{name} and {facts.company} — executive check-in", [
            f"With your renewal {when}, I would like to set up a short executive conversation "
            f"between our leadership and yours to confirm the value delivered and the plan for "
            "the next term.",
            "Would you be open to a 20-minute call in the next few days?",
        ]
    return f"{name} — your renewal {when.split(',')[0]}", [
        f"I am reaching out ahead of your renewal {when} (current ARR {arr}).",
        f"It would help to hear how {users} are getting on and whether anything should change "
        "for the next term. Do you have 20 minutes this week?",
    ]


__all__ = [
    "applied_facts",
    "email",
    "guidance",
    "intent_of",
    "policy_without_search",
    "risk",
    "stakeholders",
    "summary",
    "trends",
]
