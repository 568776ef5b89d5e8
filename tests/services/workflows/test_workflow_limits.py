"""Workflow import and edit refuse what is over the limits, in one problem, and store nothing.

A workflow's JSON is at most 1 MB and nests at most 64 levels; each template in it at most 64 KB
(handlebars/limits.py). Before, JSON nested 2 000 levels deep was "maximum recursion depth
exceeded" and a 1 MB prompt took 46 s to validate.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from sqlalchemy import func, select

from renubu_tui.data.engine import Database
from renubu_tui.data.models import Workflow
from renubu_tui.data.seed.ids import key_id
from renubu_tui.services.workflows.registry import WorkflowInvalid, WorkflowRegistry

ACME = key_id("tenant", "acme-cs")
MAYA = "maya.patel@acmecloud.com"


def _config(prompt: str = "Do it for {{customer.name}}") -> dict[str, Any]:
    return {
        "id": "acme-limits",
        "name": "Acme limits",
        "description": "Within the limits.",
        "version": "1.0.0",
        "trigger": {"daysUntilRenewal": {"min": 7, "max": 14}},
        "context": {"systemPrompt": "Help {{csm.name}}."},
        "steps": [
            {
                "id": "only",
                "name": "Only step",
                "type": "action",
                "execution": {"llmPrompt": prompt, "storeIn": "only"},
                "notifications": [
                    {
                        "type": "workflow_started",
                        "title": "Started",
                        "recipients": ["{{csm.email}}"],
                    }
                ],
            }
        ],
    }


async def _own_workflows(db: Database) -> int:
    async with db.sessions() as s:
        count = await s.scalar(select(func.count()).where(Workflow.tenant_id == ACME))
    return int(count or 0)


async def test_over_the_limits_nothing_is_stored(seeded_db: Database) -> None:
    registry = WorkflowRegistry(seeded_db)
    before = await _own_workflows(seeded_db)
    deep_text = '{"id": "x", "steps": ' + "[" * 2000 + "]" * 2000 + "}"
    deep_value: Any = []
    for _ in range(100):
        deep_value = [deep_value]
    cases: list[tuple[Any, str]] = [
        (deep_text, "workflow nests 2001 levels; the limit is 64"),
        ('{"id": "x", "notes": "' + "x" * (2 * 1024 * 1024) + '"}', "workflow is 2.0 MB"),
        ({**_config(), "extra": deep_value}, "workflow nests 102 levels; the limit is 64"),
        (_config("{{customer.name}} " + "x" * 100_000), "template is 97.7 KB; the limit is 64 KB"),
    ]
    for given, message in cases:
        with pytest.raises(WorkflowInvalid) as info:
            await registry.import_config(ACME, given, MAYA)
        assert any(message in str(p) for p in info.value.problems), info.value.problems
        assert "recursion" not in str(info.value)
    assert await _own_workflows(seeded_db) == before


async def test_an_edit_over_the_limits_is_refused(seeded_db: Database) -> None:
    registry = WorkflowRegistry(seeded_db)
    created = await registry.import_config(ACME, _config(), MAYA)
    edited = copy.deepcopy(created.raw_config)
    edited["steps"][0]["execution"]["llmPrompt"] = "{{#if a}}" * 100 + "{{/if}}" * 100
    with pytest.raises(WorkflowInvalid) as info:
        await registry.save(ACME, "acme-limits", edited, expected_version=1, actor=MAYA)
    assert "template nests 100 levels of blocks and subexpressions; the limit is 64" in str(
        info.value.problems[0]
    )
    assert (await registry.get(ACME, "acme-limits")).version_number == 1
