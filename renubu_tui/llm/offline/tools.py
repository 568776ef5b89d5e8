"""Tool use by the offline assistant: which tool a question needs, and the final answer
written from what the caller's tool returned (never from memory)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from typing import Any

from renubu_tui.llm.events import ToolCallRequest
from renubu_tui.llm.messages import ChatMessage
from renubu_tui.llm.offline.facts import Facts, number
from renubu_tui.llm.offline.writer import applied_facts, trends

METRIC_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("health", ("healthScore",)),
    ("risk", ("riskScore",)),
    ("usage", ("activeUsers", "utilizationRate")),
    ("user", ("activeUsers",)),
    ("seat", ("activeUsers", "utilizationRate")),
    ("adoption", ("utilizationRate",)),
    ("engagement", ("engagementScore",)),
    ("nps", ("npsScore",)),
    ("arr", ("arr",)),
    ("revenue", ("arr",)),
)
TEXT_KEYS = ("text", "passage", "content", "excerpt", "snippet", "chunk")
SOURCE_KEYS = ("source", "title", "path", "document", "file", "slug")


def call_id(name: str, arguments: dict[str, Any]) -> str:
    digest = hashlib.sha1(f"{name}{json.dumps(arguments, sort_keys=True)}".encode()).hexdigest()
    return f"offline-{digest[:10]}"


def chart_call(question: str, facts: Facts) -> ToolCallRequest:
    low = question.lower()
    metrics: list[str] = []
    for word, names in METRIC_WORDS:
        if word in low:
            metrics += [n for n in names if n not in metrics]
    metrics = metrics or ["healthScore", "activeUsers", "engagementScore"]
    title = f"{facts.customer if facts.present else 'Customer'}: " + ", ".join(metrics)
    arguments: dict[str, Any] = {"type": "line", "title": title, "metrics": metrics}
    return ToolCallRequest(call_id("create_chart", arguments), "create_chart", arguments)


def search_call(question: str) -> ToolCallRequest:
    query = " ".join(question.split())[:200]
    arguments = {"query": query}
    return ToolCallRequest(call_id("rag_search", arguments), "rag_search", arguments)


def pending_tool_results(messages: Sequence[ChatMessage]) -> list[tuple[str, ChatMessage]]:
    """(tool name, result) for the tool messages after the last user message, if any."""
    names: dict[str, str] = {}
    results: list[tuple[str, ChatMessage]] = []
    for message in messages:
        if message.role == "user":
            names, results = {}, []
        for call in message.tool_calls:
            names[call.id] = call.name
        if message.role == "tool":
            name = message.name or names.get(message.tool_call_id or "", "tool")
            results.append((name, message))
    return results


def _load(content: str) -> Any:
    try:
        return json.loads(content)
    except (json.JSONDecodeError, ValueError):
        return None


def _failed(content: str, data: Any) -> str | None:
    if isinstance(data, dict) and data.get("error"):
        return str(data["error"])
    if re.match(r"\s*(error|failed)\b", content, re.I):
        return " ".join(content.split())[:200]
    return None


def _passages(data: Any, content: str) -> list[tuple[str, str]]:
    """(text, source) pairs from whatever shape the search tool returned."""
    if isinstance(data, dict):
        data = data.get("passages") or data.get("results") or data.get("items") or [data]
    found: list[tuple[str, str]] = []
    if isinstance(data, list):
        for item in data:
            if isinstance(item, str):
                found.append((item, ""))
            elif isinstance(item, dict):
                body = next((str(item[k]) for k in TEXT_KEYS if item.get(k)), "")
                source = next((str(item[k]) for k in SOURCE_KEYS if item.get(k)), "")
                if body:
                    found.append((body, source))
    if not found and content.strip():
        found = [(p, "") for p in re.split(r"\n\s*\n", content.strip()) if p.strip()]
    return found


def _quote(passage: str, limit: int = 320) -> str:
    flat = " ".join(passage.replace("#", " ").split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit]
    end = max(cut.rfind(". "), cut.rfind("; "))
    return (cut[: end + 1] if end > limit // 2 else cut.rstrip() + "…").strip()


def search_answer(question: str, content: str, facts: Facts) -> str:
    data = _load(content)
    failure = _failed(content, data)
    if failure:
        return (
            f"The knowledge-base search failed ({failure}); I will not quote policy from "
            f"memory.\n\n{applied_facts(facts)}"
        )
    passages = _passages(data, content)[:3]
    if not passages:
        return f"The knowledge base has nothing on “{question.strip()}”.\n\n{applied_facts(facts)}"
    lines = ["From the knowledge base (quoted, not paraphrased):", ""]
    for body, source in passages:
        cite = f" — *{source}*" if source else ""
        lines.append(f"> {_quote(body)}{cite}")
        lines.append("")
    lines.append(applied_facts(facts))
    return "\n".join(lines)


def _series(data: Any) -> dict[str, list[float]]:
    """Numeric series from {series: {name: values}} or {name: [[label, value], …]} shapes."""
    if isinstance(data, dict) and isinstance(data.get("data"), dict):
        data = data["data"]
    if isinstance(data, dict) and isinstance(data.get("series"), dict | list):
        data = data["series"]
    if isinstance(data, list):  # [{name, values}]
        data = {
            str(s.get("name", i)): s.get("values") or s.get("data") or []
            for i, s in enumerate(data)
            if isinstance(s, dict)
        }
    out: dict[str, list[float]] = {}
    if not isinstance(data, dict):
        return out
    for name, values in data.items():
        if not isinstance(values, list):
            continue
        numbers = []
        for value in values:
            if isinstance(value, list | tuple) and value:
                value = value[-1]
            elif isinstance(value, dict):
                value = value.get("value", value.get("y"))
            if isinstance(value, int | float) and not isinstance(value, bool):
                numbers.append(float(value))
        if numbers:
            out[str(name)] = numbers
    return out


def chart_answer(content: str, facts: Facts) -> str:
    data = _load(content)
    failure = _failed(content, data)
    if failure:
        return f"The chart could not be drawn ({failure}).\n\n{trends(facts)}"
    series = _series(data)
    lines = ["The chart is above. Reading it:", ""]
    for name, values in series.items():
        first, last = values[0], values[-1]
        change = last - first
        direction = "up" if change > 0 else "down" if change < 0 else "flat"
        lines.append(
            f"- {name}: {number(first)} → {number(last)} ({direction}, {change:+g} over "
            f"{len(values)} points; low {number(min(values))}, high {number(max(values))})."
        )
    if not series:
        lines = ["The chart is above.", ""]
    lines += ["", trends(facts)]
    return "\n".join(lines)


def tool_answer(question: str, results: list[tuple[str, ChatMessage]], facts: Facts) -> str:
    parts = []
    for name, message in results:
        if name == "rag_search":
            parts.append(search_answer(question, message.content, facts))
        elif name == "create_chart":
            parts.append(chart_answer(message.content, facts))
        else:
            shown = message.content.strip()
            shown = shown if len(shown) <= 1200 else shown[:1200] + "…"
            parts.append(f"The {name} tool returned:\n\n```\n{shown}\n```")
    return "\n\n".join(parts)
