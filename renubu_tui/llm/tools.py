"""The chat tools of domain.md §11 as specs a model can be offered; the caller runs them."""

from __future__ import annotations

from renubu_tui.llm.messages import ToolSpec

CHART_METRICS = (
    "healthScore",
    "riskScore",
    "activeUsers",
    "utilizationRate",
    "engagementScore",
    "npsScore",
    "arr",
)

RAG_SEARCH = ToolSpec(
    name="rag_search",
    description=(
        "Search the knowledge base (policies and playbooks) and return passages with their "
        "sources. Use it for questions about policy, playbooks, discounts, approvals or "
        "escalation."
    ),
    parameters={
        "type": "object",
        "properties": {"query": {"type": "string", "description": "What to look for."}},
        "required": ["query"],
    },
)

CREATE_CHART = ToolSpec(
    name="create_chart",
    description=(
        "Draw a chart in the conversation. Name the metrics to chart the current customer's "
        "history, or pass the data to draw."
    ),
    parameters={
        "type": "object",
        "properties": {
            "type": {"type": "string", "enum": ["line", "bar"]},
            "title": {"type": "string"},
            "metrics": {"type": "array", "items": {"type": "string", "enum": list(CHART_METRICS)}},
            "data": {
                "type": "object",
                "description": "Optional: {labels: [...], series: {name: [numbers]}}.",
            },
        },
        "required": ["type"],
    },
)

DATABASE_QUERY = ToolSpec(
    name="database_query",
    description=(
        "Run one read-only SELECT over the allow-listed views of the current customer and "
        "tenant; rows are limited."
    ),
    parameters={
        "type": "object",
        "properties": {"sql": {"type": "string"}},
        "required": ["sql"],
    },
)

STANDARD_TOOLS: tuple[ToolSpec, ...] = (RAG_SEARCH, CREATE_CHART, DATABASE_QUERY)
