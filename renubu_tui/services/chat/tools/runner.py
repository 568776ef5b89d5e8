"""Running a tool a model asked for: the specs offered, the dispatch, one result shape.

A tool never raises to the chat: a refusal or failure is a result with `success=False` and an
error the model can read (and fix its next call by), logged like any other call.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from renubu_tui.data.engine import Database
from renubu_tui.llm.messages import ToolSpec
from renubu_tui.llm.tools import RAG_SEARCH
from renubu_tui.services.chat import knowledge
from renubu_tui.services.chat.tools import charts, db_query
from renubu_tui.services.chat.tools.sql_check import QueryRefused

MAX_OUTPUT_CHARS = 12_000


def database_query_spec() -> ToolSpec:
    return ToolSpec(
        name="database_query",
        description=(
            "Run ONE read-only SQL SELECT over these views of the current customer only (no "
            f"other tables; at most {db_query.ROW_LIMIT} rows): {db_query.describe_views()}."
        ),
        parameters={
            "type": "object",
            "properties": {"sql": {"type": "string", "description": "One SELECT statement."}},
            "required": ["sql"],
        },
    )


CREATE_CHART = ToolSpec(
    name="create_chart",
    description=(
        "Draw a chart in the conversation. Either name metrics of the current customer "
        f"({', '.join(charts.METRICS)}) to chart their recorded history, or pass series."
    ),
    parameters={
        "type": "object",
        "properties": {
            "type": {"type": "string", "enum": list(charts.CHART_TYPES)},
            "title": {"type": "string"},
            "metrics": {"type": "array", "items": {"type": "string", "enum": list(charts.METRICS)}},
            "series": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string"},
                        "points": {"type": "array", "items": {"type": "array"}},
                    },
                    "required": ["name", "points"],
                },
            },
        },
        "required": ["type"],
    },
)


def tool_specs(
    names: tuple[str, ...] = ("rag_search", "database_query", "create_chart"),
) -> list[ToolSpec]:
    known = {"rag_search": RAG_SEARCH, "create_chart": CREATE_CHART}
    return [known[n] if n in known else database_query_spec() for n in names]


@dataclass(frozen=True)
class ToolScope:
    """Whose data a tool may touch: one tenant, at most one customer, as of one day."""

    db: Database
    tenant_id: uuid.UUID
    customer_id: uuid.UUID | None
    today: dt.date


@dataclass(frozen=True)
class ToolResult:
    name: str
    arguments: dict[str, Any]
    success: bool
    output: Any
    error: str | None
    duration_ms: int
    chart: charts.Chart | None = None

    def for_model(self) -> str:
        """What the model reads back: the output as JSON, or the error."""
        payload = self.output if self.success else {"error": self.error}
        text = json.dumps(payload, ensure_ascii=False, default=str)
        return text if len(text) <= MAX_OUTPUT_CHARS else text[:MAX_OUTPUT_CHARS] + "…"


async def run_tool(scope: ToolScope, name: str, arguments: Mapping[str, Any]) -> ToolResult:
    started = time.monotonic()
    args = dict(arguments) if isinstance(arguments, Mapping) else {}
    chart = None
    try:
        if name == "rag_search":
            query = args.get("query")
            if not isinstance(query, str) or not query.strip():
                raise ValueError("rag_search needs a query")
            from renubu_tui.services.customers.timeline import end_of

            passages = await knowledge.search(
                scope.db,
                scope.tenant_id,
                query,
                customer_id=scope.customer_id,
                until=end_of(scope.today),
            )
            output: Any = {"passages": [p.as_json() for p in passages]}
        elif name == "database_query":
            if scope.customer_id is None:
                raise ValueError("database_query needs a customer in context")
            result = await db_query.run_query(
                scope.db, scope.tenant_id, scope.customer_id, args.get("sql", ""), today=scope.today
            )
            output = result.as_json()
        elif name == "create_chart":
            chart = await charts.build_chart(
                scope.db, scope.tenant_id, scope.customer_id, args, scope.today
            )
            output = {  # compact for the model: {name: [[x, y], …]}; the message keeps the chart
                "type": chart.type,
                "title": chart.title,
                "series": {s.name: [list(p) for p in s.points] for s in chart.series},
                "shown": "the chart is displayed to the reader above your answer",
            }
        else:
            raise ValueError(f"unknown tool {name!r}")
    except (ValueError, QueryRefused, db_query.QueryFailed) as exc:
        return ToolResult(name, args, False, None, str(exc), _ms(started))
    return ToolResult(name, args, True, output, None, _ms(started), chart)


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


__all__ = [
    "CREATE_CHART",
    "ToolResult",
    "ToolScope",
    "database_query_spec",
    "run_tool",
    "tool_specs",
]
