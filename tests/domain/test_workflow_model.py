"""The typed workflow config reads every seeded workflow as the dict readings did, and gives the
document back unchanged (issue 15 §2)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from renubu_tui.domain.composer import expand
from renubu_tui.domain.enums import ExecutionStatus, StepStatus
from renubu_tui.domain.vocabulary import EXECUTION_STATUSES, STEP_STATUSES
from renubu_tui.domain.workflow_config import validate_config
from renubu_tui.domain.workflow_model import (
    ConfigShapeError,
    Step,
    WorkflowConfig,
    as_config,
)

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
CORE = sorted((SEEDS / "workflows").glob("*/*.json"))
COMPOSITIONS = sorted((SEEDS / "compositions").glob("*.json"))


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def _library() -> dict[str, dict[str, Any]]:
    steps = json.loads((SEEDS / "step_library.json").read_text())
    items = steps if isinstance(steps, list) else steps.get("steps", [])
    return {s["id"]: s for s in items}


def _expanded_compositions() -> list[dict[str, Any]]:
    library = _library()
    return [expand(_load(p), library) for p in COMPOSITIONS]


def _all_configs() -> list[dict[str, Any]]:
    return [_load(p) for p in CORE] + _expanded_compositions()


def test_the_seeds_are_there() -> None:
    assert len(CORE) >= 12 and COMPOSITIONS


@pytest.mark.parametrize("path", CORE, ids=lambda p: p.stem)
def test_every_core_workflow_is_valid_and_parses(path: Path) -> None:
    raw = _load(path)
    assert validate_config(raw) == []
    parsed = WorkflowConfig.parse(raw)
    assert parsed.id == raw["id"] == path.stem
    assert [s.id for s in parsed.steps] == [s["id"] for s in raw["steps"]]


@pytest.mark.parametrize("path", CORE, ids=lambda p: p.stem)
def test_a_parsed_config_renders_back_to_the_same_json(path: Path) -> None:
    text = path.read_text()
    raw = json.loads(text)
    parsed = WorkflowConfig.parse(raw)
    again = parsed.to_dict()
    assert again == raw
    assert json.dumps(again, indent=2, ensure_ascii=False) == json.dumps(
        raw, indent=2, ensure_ascii=False
    )  # key order too: the stored document is written back byte for byte
    again["steps"][0]["id"] = "changed"  # a copy: the parsed config is not changed through it
    assert parsed.steps[0].id == raw["steps"][0]["id"]


def test_unknown_keys_are_kept_in_the_document() -> None:
    raw = _load(CORE[0])
    raw["x-owner"] = {"team": "renewals"}
    raw["steps"][0]["x-note"] = "kept"
    parsed = WorkflowConfig.parse(raw)
    assert parsed.to_dict()["x-owner"] == {"team": "renewals"}
    assert parsed.steps[0].raw["x-note"] == "kept"


def _old_reading(config: dict[str, Any]) -> list[dict[str, Any]]:
    """What the services read with `.get(...)` before the typed config, step by step."""
    out = []
    for step in config.get("steps", []):
        execution = step.get("execution") or {}
        routing = step.get("routing") or {}
        out.append(
            {
                "id": step["id"],
                "name": step.get("name", step["id"]),
                "type": step.get("type", ""),
                "description": step.get("description", ""),
                "store_key": execution.get("storeIn") or step["id"],
                "llm_prompt": execution.get("llmPrompt"),
                "schema": execution.get("outputSchema") or None,
                "when": (step.get("conditionalLogic") or {}).get("when") or None,
                "default": routing.get("defaultRoute"),
                "routes": [
                    (
                        r["id"],
                        r.get("nextStepId"),
                        r.get("when") or None,
                        r.get("condition", ""),
                    )
                    for r in routing.get("routes", [])
                ],
                "notifications": [
                    (
                        n["type"],
                        n.get("title", ""),
                        n.get("message", ""),
                        int(n.get("priority", 3)),
                        list(n.get("recipients") or []),
                        n.get("condition") or None,
                        n.get("actionTriggered"),
                        n.get("metadata") or {},
                    )
                    for n in step.get("notifications") or []
                ],
                "gate": next(
                    (
                        g
                        for n in step.get("notifications") or []
                        if isinstance(g := (n.get("metadata") or {}).get("gate"), str) and g
                    ),
                    None,
                ),
            }
        )
    return out


def _new_reading(config: WorkflowConfig) -> list[dict[str, Any]]:
    return [
        {
            "id": s.id,
            "name": s.name,
            "type": s.type,
            "description": s.description,
            "store_key": s.store_key,
            "llm_prompt": s.task.llm_prompt,
            "schema": s.task.output_schema,
            "when": s.when,
            "default": s.routing.default_route,
            "routes": [(r.id, r.next_step_id, r.when, r.condition) for r in s.routes],
            "notifications": [
                (
                    n.type,
                    n.title,
                    n.message,
                    n.priority,
                    list(n.recipients),
                    n.condition,
                    n.action_triggered,
                    dict(n.metadata),
                )
                for n in s.notifications
            ],
            "gate": s.gate,
        }
        for s in config.steps
    ]


@pytest.mark.parametrize("raw", _all_configs(), ids=lambda c: str(c.get("id")))
def test_attributes_give_what_the_dict_readings_gave(raw: dict[str, Any]) -> None:
    parsed = WorkflowConfig.parse(raw)
    assert _new_reading(parsed) == _old_reading(raw)
    days = (raw.get("trigger") or {}).get("daysUntilRenewal") or {}
    assert (parsed.trigger.days_min, parsed.trigger.days_max) == (days.get("min"), days.get("max"))
    assert parsed.name == raw["name"] and parsed.version == raw["version"]
    assert parsed.system_prompt == ((raw.get("context") or {}).get("systemPrompt") or "")


def test_lookups_by_id_and_store_key() -> None:
    parsed = WorkflowConfig.parse(_load(SEEDS / "workflows" / "renewal" / "critical.json"))
    first = parsed.steps[0]
    assert parsed.step(first.id) is first and parsed.index(first.id) == 0
    assert parsed.step("no-such-step") is None and parsed.index("no-such-step") is None
    assert parsed.step(None) is None
    assert parsed.by_store_key()[first.store_key] is first
    route = first.routes[0]
    assert first.route(route.id) is route and first.route("NOPE") is None


def test_a_composition_header_parses_without_steps() -> None:
    raw = _load(COMPOSITIONS[0])
    parsed = WorkflowConfig.parse(raw)
    assert parsed.id == raw["id"] and parsed.steps == ()


def test_defaults_for_a_sparse_config() -> None:
    parsed = as_config({"id": "wf", "steps": [{"id": "a"}]})
    step = parsed.steps[0]
    assert (step.name, step.type, step.description, step.store_key) == ("a", "", "", "a")
    assert step.routes == () and step.gate is None and step.when is None
    assert parsed.name == "wf" and parsed.system_prompt == "" and as_config(parsed) is parsed


@pytest.mark.parametrize("bad", [[], {"steps": [{"name": "no id"}]}, {"steps": ["text"]}])
def test_a_shape_that_cannot_be_read_is_refused(bad: Any) -> None:
    with pytest.raises(ConfigShapeError):
        WorkflowConfig.parse(bad)
    with pytest.raises(ConfigShapeError):
        Step.parse("not a step")


def test_status_enums_are_the_stored_strings() -> None:
    assert tuple(ExecutionStatus) == EXECUTION_STATUSES
    assert tuple(StepStatus) == STEP_STATUSES
    assert ExecutionStatus.IN_PROGRESS == "in_progress" and f"{StepStatus.SKIPPED}" == "skipped"
    assert json.dumps({"s": ExecutionStatus.COMPLETED}) == '{"s": "completed"}'
