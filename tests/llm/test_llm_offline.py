"""The offline assistant: deterministic, honest about what it is, and useful with Bluesoft's
real context on 2025-09-24 (health 74, ARR 180,000, signature pending with Sarah Chen)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from renubu_tui.llm import (
    ChatMessage,
    ChatRequest,
    Done,
    OfflineProvider,
    TextDelta,
    ToolCallRequest,
    collect,
)
from renubu_tui.llm.offline.provider import OFFLINE_NOTE, chunks
from renubu_tui.llm.tools import STANDARD_TOOLS
from tests.llm.conftest import FakeSleep, events_of

ROOT = Path(__file__).resolve().parents[2]
CRITICAL = json.loads((ROOT / "seeds/workflows/renewal/critical.json").read_text())
ASSESS_PROMPT = CRITICAL["steps"][0]["execution"]["llmPrompt"]
ROUTES = ["ALL_COMPLETE", "SIGNATURE_PENDING", "PAYMENT_PENDING", "NEGOTIATION_BREAKDOWN"]
ROUTES += ["CUSTOMER_GHOSTING", "AT_RISK_CHURN"]


def ask(question: str, context: dict[str, Any] | None, **kw: Any) -> ChatRequest:
    system = kw.pop("system", "You are renubu's assistant.")
    return ChatRequest(
        [ChatMessage("system", system), ChatMessage("user", question)], context=context, **kw
    )


async def answer_text(request: ChatRequest) -> str:
    answer = await collect(OfflineProvider(), request)
    assert answer.done is not None and answer.error is None
    return answer.text


QUESTIONS = [
    "Summarize health, usage and engagement",
    "Draft an email to the decision maker about the signature",
    "Who are the stakeholders?",
    "What are the risks here?",
    "How has usage trended over time?",
    "What does the discount policy say?",
    "Help me with critical status assessment",
]


@pytest.mark.parametrize("question", QUESTIONS)
async def test_same_input_same_output(question: str, bluesoft_context: dict[str, Any]) -> None:
    request = ask(question, bluesoft_context, tools=list(STANDARD_TOOLS), system=ASSESS_PROMPT)
    first = await events_of(OfflineProvider(), request)
    second = await events_of(OfflineProvider(words_per_chunk=3), request)
    assert first == second
    assert isinstance(first[-1], Done) and first[-1].provider_label == "offline assistant"
    assert first[-1].usage.estimated


async def test_summary_has_the_real_figures(bluesoft_context: dict[str, Any]) -> None:
    text = await answer_text(
        ask("Summarize this account's health, usage and engagement", bluesoft_context)
    )
    assert text.startswith(OFFLINE_NOTE)  # says plainly what wrote it
    for fact in ("Bluesoft Corporation", "Health** 74/100", "ARR $180,000", "38 of 40"):
        assert fact in text
    assert "trend flat" in text and "trend down" in text  # health flat, engagement down
    assert "David Kim" in text and "Sarah Chen" in text
    assert "Signature pending" in text  # the newest note that matters


async def test_email_is_addressed_to_a_decision_maker(bluesoft_context: dict[str, Any]) -> None:
    text = await answer_text(
        ask("Draft an email to the decision maker about the signature", bluesoft_context)
    )
    deciders = {
        s["name"]: s["email"] for s in bluesoft_context["stakeholders"] if s["decisionMaker"]
    }
    to_line = next(line for line in text.splitlines() if line.startswith("**To:**"))
    assert any(f"{name} <{email}>" in to_line for name, email in deciders.items())
    assert "Sarah Chen" in to_line  # the order form went to her
    assert "Hi Sarah," in text and "Bluesoft Corporation" in text
    assert "2025-10-09" in text and "15 days" in text and "38 active users" in text
    assert text.rstrip().endswith("Maya Patel\nSenior Customer Success Manager, Acme Cloud")


async def test_email_to_someone_named(bluesoft_context: dict[str, Any]) -> None:
    text = await answer_text(ask("Write an email to David about the pricing", bluesoft_context))
    assert "**To:** David Kim <david.kim@bluesoft.com>" in text
    assert "$198,000" in text and "$180,000" in text


async def test_json_answer_picks_a_route_from_the_prompt(bluesoft_context: dict[str, Any]) -> None:
    text = await answer_text(ask(ASSESS_PROMPT, bluesoft_context, response_format_json=True))
    data = json.loads(text)  # no banner in JSON: it must parse
    assert data["route"] == "SIGNATURE_PENDING"
    assert data["route"] in ROUTES
    assert data["summary"].startswith("Offline assistant:") and "Bluesoft" in data["summary"]
    assert data["recommendations"] and all(isinstance(r, str) for r in data["recommendations"])
    assert data["warRoomRecommended"] is True  # expand plan and ARR ≥ 50,000
    assert data["fullRenewalAtRisk"] is False


def variant(context: dict[str, Any], **changes: Any) -> dict[str, Any]:
    changed = copy.deepcopy(context)
    for path, value in changes.items():
        *parents, leaf = path.split("__")
        node = changed
        for key in parents:
            node = node[key]
        node[leaf] = value
    return changed


@pytest.mark.parametrize(
    ("changes", "routes", "expected"),
    [
        ({"intelligence__churnProbability": 65}, ROUTES, "AT_RISK_CHURN"),
        ({"data__engagement__lastContact": "2025-08-20"}, ROUTES, "CUSTOMER_GHOSTING"),
        (
            {"stakeholders": [], "data__financials__paymentStatus": "late"},
            ROUTES,
            "PAYMENT_PENDING",
        ),
        ({"stakeholders": []}, ROUTES, "SIGNATURE_PENDING"),  # no proof of completion
        ({}, ["FINAL_PUSH", "EXTENSION_OFFER", "ACCEPT_CHURN"], "FINAL_PUSH"),
        ({}, ["ALL_COMPLETE", "SIGNATURES_PENDING", "SALESFORCE_UPDATE"], "SIGNATURES_PENDING"),
    ],
)
async def test_route_follows_the_context(
    bluesoft_context: dict[str, Any], changes: dict[str, Any], routes: list[str], expected: str
) -> None:
    prompt = f"Pick one route: {', '.join(routes)}."
    text = await answer_text(
        ask(prompt, variant(bluesoft_context, **changes), response_format_json=True)
    )
    assert json.loads(text)["route"] == expected


async def test_completed_renewal_routes_to_complete(bluesoft_context: dict[str, Any]) -> None:
    context = variant(bluesoft_context)
    context["stakeholders"][1]["notes"].append(
        {"date": "2025-09-30", "text": "Countersigned: fully signed order form returned."}
    )
    prompt = f"Pick one route: {', '.join(ROUTES)}."
    text = await answer_text(ask(prompt, context, response_format_json=True))
    assert json.loads(text)["route"] == "ALL_COMPLETE"


async def test_chart_tool_round_trip(bluesoft_context: dict[str, Any]) -> None:
    question = "How has health and usage trended over time?"
    first = await collect(
        OfflineProvider(), ask(question, bluesoft_context, tools=list(STANDARD_TOOLS))
    )
    assert first.text == "" and first.done is not None and first.done.stop_reason == "tool_use"
    [call] = first.tool_calls
    assert call.name == "create_chart"
    assert call.arguments["metrics"] == ["healthScore", "activeUsers", "utilizationRate"]
    result = {
        "series": {"healthScore": [["2025-06", 70], ["2025-09", 74]], "activeUsers": [32, 38]}
    }
    follow_up = ChatRequest(
        [
            ChatMessage("user", question),
            ChatMessage("assistant", "", tool_calls=(call,)),
            ChatMessage("tool", json.dumps(result), tool_call_id=call.id),
        ],
        context=bluesoft_context,
        tools=list(STANDARD_TOOLS),
    )
    final = await collect(OfflineProvider(), follow_up)
    assert final.tool_calls == [] and final.done.stop_reason == "end_turn"
    assert "healthScore: 70 → 74 (up, +4 over 2 points" in final.text
    assert "activeUsers: 32 → 38" in final.text
    assert "Health: flat — now 74/100" in final.text


async def test_policy_question_searches_then_quotes_with_sources(
    bluesoft_context: dict[str, Any],
) -> None:
    question = "What does the discount policy say about approvals?"
    first = await collect(
        OfflineProvider(), ask(question, bluesoft_context, tools=list(STANDARD_TOOLS))
    )
    [call] = first.tool_calls
    assert call == ToolCallRequest(call.id, "rag_search", {"query": question})
    passages = [
        {
            "source": "renewal-pricing-policy.md",
            "text": "Up to 10% the CSM decides. Up to 20% needs the CSM's manager.",
        }
    ]
    follow_up = ChatRequest(
        [
            ChatMessage("user", question),
            ChatMessage("assistant", "", tool_calls=(call,)),
            ChatMessage("tool", json.dumps(passages), name="rag_search", tool_call_id=call.id),
        ],
        context=bluesoft_context,
    )
    text = (await collect(OfflineProvider(), follow_up)).text
    assert "> Up to 10% the CSM decides." in text and "*renewal-pricing-policy.md*" in text
    assert "each 1% of discount is $1,800" in text and "manager Jordan Lee" in text


async def test_without_tools_it_answers_from_the_context(bluesoft_context: dict[str, Any]) -> None:
    text = await answer_text(ask("How has usage trended over time?", bluesoft_context))
    assert "Usage: up — 38 of 40 users active" in text
    text = await answer_text(ask("What does the escalation policy say?", bluesoft_context))
    assert "cannot search the knowledge base" in text and "$180,000" in text


async def test_step_guidance_works_through_the_checklist(bluesoft_context: dict[str, Any]) -> None:
    text = await answer_text(
        ask("Help me with critical status assessment", bluesoft_context, system=ASSESS_PROMPT)
    )
    lines = text.splitlines()
    assert any(
        line.startswith("1. **Commercial terms agreed") and "reads as done" in line
        for line in lines
    )
    assert any(line.startswith("2. **Order form issued") and "(pending)" in line for line in lines)
    assert any(line.startswith("5. **Invoice sent") and "current" in line for line in lines)
    assert "Key contact: Sarah Chen" in text


async def test_missing_data_stays_missing() -> None:
    sparse = {
        "customer": {"name": "Quietco", "arr": None, "healthScore": None, "renewalDate": None},
        "csm": {"name": "Tom Becker"},
        "data": {"usage": {}, "engagement": {}, "financials": {}},
        "intelligence": {},
        "stakeholders": [],
        "workflow": {},
    }
    text = await answer_text(ask("Give me a summary", sparse))
    assert "Quietco" in text and "ARR not recorded" in text and "Health** not recorded" in text
    assert "no stakeholders on record" in text
    email = await answer_text(ask("Draft an email about the renewal", sparse))
    assert "(no stakeholder on record — add the recipient)" in email and "Tom Becker" in email
    data = json.loads(
        await answer_text(ask("Route: ALL_COMPLETE, STILL_OPEN", sparse, response_format_json=True))
    )
    assert data["route"] == "STILL_OPEN"  # nothing proves completion


async def test_no_context_says_so() -> None:
    text = await answer_text(ask("Summarize", None))
    assert "No customer is in context" in text


async def test_streams_in_word_groups_at_the_configured_pace(
    bluesoft_context: dict[str, Any],
) -> None:
    sleep = FakeSleep()
    provider = OfflineProvider(pace_seconds=0.02, words_per_chunk=4, sleep=sleep)
    events = await events_of(provider, ask("Summarize", bluesoft_context))
    deltas = [e.text for e in events if isinstance(e, TextDelta)]
    body, _ = provider.compose(ask("Summarize", bluesoft_context))
    assert "".join(deltas) == OFFLINE_NOTE + body
    assert len(deltas) > 50 and all(len(d.split()) <= 4 for d in deltas)
    assert sleep.calls == [0.02] * (len(deltas) - 1)


def test_chunks_keep_every_character() -> None:
    text = "  Leading space, line\n\n- item  two\n"
    assert "".join(chunks(text, 2)) == text
    assert chunks("", 3) == []
