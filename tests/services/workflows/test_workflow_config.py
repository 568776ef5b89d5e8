"""Workflow validation (domain.md §7) and the composer: every problem, at its JSON path."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from renubu_tui.domain.composer import CompositionError, deep_merge, expand
from renubu_tui.domain.workflow_config import (
    REQUIRED_FIELDS,
    STEP_TYPES,
    Problem,
    is_composition,
    parse_json_text,
    validate_composition,
    validate_config,
)

SEEDS = Path(__file__).resolve().parents[3] / "seeds"
WORKFLOW_FILES = sorted((SEEDS / "workflows").glob("*/*.json"))
COMPOSITION_FILES = sorted((SEEDS / "compositions").glob("*.json"))
LIBRARY = {s["id"]: s for s in json.loads((SEEDS / "step_library.json").read_text())}


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def base() -> dict[str, Any]:
    """A small valid workflow touching every checked feature."""
    return {
        "id": "mini",
        "name": "Mini",
        "description": "A small workflow.",
        "version": "1.0.0",
        "trigger": {
            "daysUntilRenewal": {"min": 7, "max": 14},
            "manualTriggers": [{"condition": "by_hand", "description": "Started by hand"}],
        },
        "context": {"systemPrompt": "Help {{csm.name}} with {{customer.name}}."},
        "steps": [
            {
                "id": "check",
                "name": "Check",
                "type": "conditional_routing",
                "description": "",
                "execution": {"llmPrompt": "Check {{customer.name}}", "storeIn": "check"},
                "routing": {
                    "routes": [
                        {
                            "id": "ALL_DONE",
                            "nextStepId": "finish",
                            "condition": "Nothing left",
                            "when": "{{eq check.route 'ALL_DONE'}}",
                        }
                    ],
                    "defaultRoute": "act",
                },
            },
            {
                "id": "act",
                "name": "Act",
                "type": "action",
                "conditionalLogic": {
                    "condition": "needs_action",
                    "description": "Only when needed",
                    "when": "{{check.needsAction}}",
                },
                "execution": {"llmPrompt": "Act on {{check.summary}}", "storeIn": "act"},
                "notifications": [
                    {
                        "type": "key_task_pending",
                        "title": "Act on {{customer.name}}",
                        "message": "Due {{customer.renewalDate}}",
                        "priority": 2,
                        "recipients": ["{{csm.email}}"],
                        "condition": "{{check.needsAction}}",
                        "metadata": {"customerId": "{{customer.id}}", "n": 3, "tags": ["{{x}}"]},
                    }
                ],
            },
            {
                "id": "finish",
                "name": "Finish",
                "type": "completion",
                "execution": {"llmPrompt": "Done"},
            },
        ],
    }


def _walk(obj: Any, dotted: str) -> tuple[Any, Any]:
    *parents, last = dotted.split(".")
    for part in parents:
        obj = obj[int(part)] if isinstance(obj, list) else obj[part]
    return obj, (int(last) if isinstance(obj, list) else last)


def put(dotted: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def apply(cfg: dict[str, Any]) -> None:
        parent, key = _walk(cfg, dotted)
        parent[key] = value

    return apply


def drop(dotted: str) -> Callable[[dict[str, Any]], None]:
    def apply(cfg: dict[str, Any]) -> None:
        parent, key = _walk(cfg, dotted)
        del parent[key]

    return apply


def _find(problems: list[Problem], path: str, fragment: str) -> Problem:
    for p in problems:
        if p.path == path and fragment in p.message:
            return p
    raise AssertionError(
        f"no problem at {path} with {fragment!r}; got:\n" + "\n".join(map(str, problems))
    )


# --- the seeds --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.stem)
def test_every_seeded_workflow_is_valid(path: Path) -> None:
    assert validate_config(_load(path)) == []


@pytest.mark.parametrize("path", COMPOSITION_FILES, ids=lambda p: p.stem)
def test_stock_compositions_and_their_expansions_are_valid(path: Path) -> None:
    composition = _load(path)
    assert is_composition(composition)
    assert validate_composition(composition, set(LIBRARY)) == []
    expanded = expand(composition, LIBRARY)
    assert validate_config(expanded) == []
    assert expanded == expand(copy.deepcopy(composition), copy.deepcopy(LIBRARY))  # deterministic
    assert list(expanded) == ["id", "name", "description", "version", "trigger", "context", "steps"]
    assert [s["id"] for s in expanded["steps"]] == [e["stepId"] for e in composition["composition"]]


def test_seeds_match_the_stage_table() -> None:
    assert len(WORKFLOW_FILES) == 12 and len(COMPOSITION_FILES) == 2
    assert set(STEP_TYPES) >= {s["type"] for f in WORKFLOW_FILES for s in _load(f)["steps"]}


# --- the composer -----------------------------------------------------------------------------


def test_expansion_routes_in_order_applies_overrides_and_extends_prompts() -> None:
    composition = _load(SEEDS / "compositions" / "standard-renewal.json")
    steps = expand(composition, LIBRARY)["steps"]
    ids = [s["id"] for s in steps]
    for step, following in zip(steps, ids[1:], strict=False):
        assert step["routing"] == {"routes": [], "defaultRoute": following}
    assert "routing" not in steps[-1]
    quote = steps[ids.index("prepare-quote")]
    assert quote["name"] == "Prepare renewal quote"  # override
    assert quote["type"] == LIBRARY["prepare-quote"]["type"]
    prompt = steps[ids.index("pricing-strategy")]["execution"]["llmPrompt"]
    assert prompt.startswith(LIBRARY["pricing-strategy"]["execution"]["llmPrompt"])
    assert "Purpose of this step: Decide the renewal price position" in prompt
    assert "Urgency: medium" in prompt and "- standardUpliftPercent: 6" in prompt
    email = steps[ids.index("draft-email")]
    assert email["notifications"] == LIBRARY["draft-email"]["notifications"]  # carried
    assert email["dataRequired"] == LIBRARY["draft-email"]["dataRequired"]


def test_expansion_adds_a_notice_deep_merges_and_keeps_ids_unique() -> None:
    composition = {
        "id": "tiny",
        "name": "Tiny",
        "description": "",
        "version": "0.1.0",
        "trigger": {},
        "context": {"systemPrompt": "Hi"},
        "stepContext": {"greeting": {"purpose": "shared purpose", "urgency": "low"}},
        "composition": [
            {"stepId": "greeting", "context": {"overrides": {"execution": {"processor": "p"}}}},
            {"stepId": "greeting", "context": {"urgency": "high"}},
        ],
    }
    assert validate_composition(composition, set(LIBRARY)) == []
    expanded = expand(composition, LIBRARY)
    first, second = expanded["steps"]
    assert (first["id"], second["id"]) == ("greeting", "greeting-2")
    assert second["execution"]["storeIn"] == "greeting_2"
    assert first["execution"]["processor"] == "p"  # deep merge keeps the rest of execution
    assert first["execution"]["outputSchema"] == LIBRARY["greeting"]["execution"]["outputSchema"]
    assert "Purpose of this step: shared purpose" in second["execution"]["llmPrompt"]
    assert "Urgency: high" in second["execution"]["llmPrompt"]
    assert [n["type"] for n in first["notifications"]] == ["workflow_started"]
    assert validate_config(expanded) == []
    with pytest.raises(CompositionError, match="nope"):
        expand({**composition, "composition": [{"stepId": "nope"}]}, LIBRARY)


def test_deep_merge_merges_objects_and_replaces_the_rest() -> None:
    merged = deep_merge({"a": {"b": 1, "c": [1]}, "d": 1}, {"a": {"c": [2]}, "e": 3})
    assert merged == {"a": {"b": 1, "c": [2]}, "d": 1, "e": 3}


# --- broken configs: one problem of each kind, at its path ---------------------------------

ROUTE = "steps.0.routing.routes.0"
NOTE = "steps.1.notifications.0"

BROKEN: list[tuple[str, list[Callable[[dict[str, Any]], None]], str, str]] = [
    *[(f"missing-{f}", [drop(f)], f"$.{f}", "is missing") for f, _, _ in REQUIRED_FIELDS],
    ("steps-not-list", [put("steps", {})], "$.steps", "must be a list"),
    ("name-not-string", [put("name", 7)], "$.name", "must be a string, not a number"),
    ("trigger-not-object", [put("trigger", [])], "$.trigger", "must be an object"),
    ("id-not-slug", [put("id", "Mini Flow")], "$.id", "not a slug"),
    ("version-not-semver", [put("version", "1.0")], "$.version", "not semver"),
    ("ui-top", [put("ui", {"cards": []})], "$.ui", "ui is not workflow configuration"),
    ("ui-artifacts", [put("ui", {"artifacts": []})], "$.ui", "ui.artifacts is not"),
    ("ui-step-actions", [put("steps.2.ui", {"actions": []})], "$.steps[2].ui", "ui.actions is not"),
    ("no-notification", [drop("steps.1.notifications")], "$.steps", "no notification"),
    (
        "bad-system-prompt",
        [put("context.systemPrompt", "Hi {{csm.name")],
        "$.context.systemPrompt",
        "does not compile",
    ),
    (
        "bad-llm-prompt",
        [put("steps.0.execution.llmPrompt", "{{customer.name")],
        "$.steps[0].execution.llmPrompt",
        "does not compile",
    ),
    (
        "bad-title",
        [put(f"{NOTE}.title", "{{x")],
        "$.steps[1].notifications[0].title",
        "does not compile",
    ),
    (
        "bad-message",
        [put(f"{NOTE}.message", "Due {{customer.renewalDate")],
        "$.steps[1].notifications[0].message",
        "does not compile",
    ),
    (
        "bad-recipient",
        [put(f"{NOTE}.recipients", ["{{csm.email"])],
        "$.steps[1].notifications[0].recipients[0]",
        "does not compile",
    ),
    (
        "bad-condition",
        [put(f"{NOTE}.condition", "{{gt a")],
        "$.steps[1].notifications[0].condition",
        "does not compile",
    ),
    (
        "bad-metadata",
        [put(f"{NOTE}.metadata.customerId", "{{customer.id")],
        "$.steps[1].notifications[0].metadata.customerId",
        "does not compile",
    ),
    (
        "bad-metadata-list",
        [put(f"{NOTE}.metadata.tags", ["ok", "{{x"])],
        "$.steps[1].notifications[0].metadata.tags[1]",
        "does not compile",
    ),
    (
        "bad-route-when",
        [put(f"{ROUTE}.when", "{{eq a")],
        "$.steps[0].routing.routes[0].when",
        "does not compile",
    ),
    (
        "bad-conditional-when",
        [put("steps.1.conditionalLogic.when", "{{x")],
        "$.steps[1].conditionalLogic.when",
        "does not compile",
    ),
    (
        "template-not-string",
        [put("steps.0.execution.llmPrompt", 5)],
        "$.steps[0].execution.llmPrompt",
        "must be a template string",
    ),
    ("step-no-id", [drop("steps.2.id")], "$.steps[2].id", "'id' is required"),
    ("step-no-name", [drop("steps.2.name")], "$.steps[2].name", "'name' is required"),
    ("step-no-type", [drop("steps.2.type")], "$.steps[2].type", "'type' is required"),
    ("step-empty-name", [put("steps.2.name", " ")], "$.steps[2].name", "non-empty string"),
    (
        "step-unknown-type",
        [put("steps.2.type", "dance")],
        "$.steps[2].type",
        "unknown step type 'dance'",
    ),
    ("step-not-object", [put("steps.2", "finish")], "$.steps[2]", "must be an object"),
    ("duplicate-step-id", [put("steps.2.id", "act")], "$.steps[2].id", "duplicate step id 'act'"),
    (
        "note-no-type",
        [drop(f"{NOTE}.type")],
        "$.steps[1].notifications[0].type",
        "'type' is required",
    ),
    (
        "note-unknown-type",
        [put(f"{NOTE}.type", "sms")],
        "$.steps[1].notifications[0].type",
        "unknown notification type",
    ),
    (
        "note-no-title",
        [drop(f"{NOTE}.title")],
        "$.steps[1].notifications[0].title",
        "'title' is required",
    ),
    (
        "note-no-recipients",
        [drop(f"{NOTE}.recipients")],
        "$.steps[1].notifications[0].recipients",
        "at least one recipient",
    ),
    (
        "note-empty-recipients",
        [put(f"{NOTE}.recipients", [])],
        "$.steps[1].notifications[0].recipients",
        "at least one recipient",
    ),
    (
        "note-blank-recipient",
        [put(f"{NOTE}.recipients", [""])],
        "$.steps[1].notifications[0].recipients[0]",
        "non-empty string",
    ),
    ("priority-0", [put(f"{NOTE}.priority", 0)], "$.steps[1].notifications[0].priority", "1–5"),
    ("priority-6", [put(f"{NOTE}.priority", 6)], "$.steps[1].notifications[0].priority", "1–5"),
    (
        "priority-text",
        [put(f"{NOTE}.priority", "high")],
        "$.steps[1].notifications[0].priority",
        "1–5",
    ),
    (
        "priority-fraction",
        [put(f"{NOTE}.priority", 2.5)],
        "$.steps[1].notifications[0].priority",
        "1–5",
    ),
    (
        "priority-bool",
        [put(f"{NOTE}.priority", True)],
        "$.steps[1].notifications[0].priority",
        "1–5",
    ),
    (
        "notifications-not-list",
        [put("steps.1.notifications", {})],
        "$.steps[1].notifications",
        "must be a list",
    ),
    (
        "next-step-unknown",
        [put(f"{ROUTE}.nextStepId", "nowhere")],
        "$.steps[0].routing.routes[0].nextStepId",
        "'nowhere' is not a step",
    ),
    (
        "next-step-missing",
        [drop(f"{ROUTE}.nextStepId")],
        "$.steps[0].routing.routes[0].nextStepId",
        "is required",
    ),
    (
        "default-route-unknown",
        [put("steps.0.routing.defaultRoute", "gone")],
        "$.steps[0].routing.defaultRoute",
        "'gone' is not a step",
    ),
    (
        "route-id-case",
        [put(f"{ROUTE}.id", "allDone")],
        "$.steps[0].routing.routes[0].id",
        "not UPPER_SNAKE",
    ),
    (
        "route-id-dash",
        [put(f"{ROUTE}.id", "ALL-DONE")],
        "$.steps[0].routing.routes[0].id",
        "not UPPER_SNAKE",
    ),
    (
        "route-id-duplicate",
        [
            lambda c: c["steps"][0]["routing"]["routes"].append(
                dict(c["steps"][0]["routing"]["routes"][0])
            )
        ],
        "$.steps[0].routing.routes[1].id",
        "duplicate route id 'ALL_DONE'",
    ),
    (
        "routes-not-list",
        [put("steps.0.routing.routes", {})],
        "$.steps[0].routing.routes",
        "must be a list",
    ),
    (
        "min-over-max",
        [put("trigger.daysUntilRenewal", {"min": 15, "max": 14})],
        "$.trigger.daysUntilRenewal.min",
        "greater than max",
    ),
    (
        "bound-text",
        [put("trigger.daysUntilRenewal.max", "14")],
        "$.trigger.daysUntilRenewal.max",
        "whole number",
    ),
    (
        "bound-float",
        [put("trigger.daysUntilRenewal.min", 6.5)],
        "$.trigger.daysUntilRenewal.min",
        "whole number",
    ),
    (
        "bound-unknown",
        [put("trigger.daysUntilRenewal.minimum", 3)],
        "$.trigger.daysUntilRenewal.minimum",
        "unknown bound",
    ),
    (
        "manual-trigger-no-condition",
        [drop("trigger.manualTriggers.0.condition")],
        "$.trigger.manualTriggers[0].condition",
        "is required",
    ),
    (
        "store-in-duplicate",
        [put("steps.1.execution.storeIn", "check")],
        "$.steps[1].execution.storeIn",
        "already used at $.steps[0].execution.storeIn",
    ),
    (
        "conditional-without-logic",
        [drop("steps.1.conditionalLogic"), put("steps.1.conditional", True)],
        "$.steps[1].conditionalLogic",
        "needs conditionalLogic",
    ),
]


def test_the_base_config_is_valid() -> None:
    assert validate_config(base()) == []
    absent = base()
    del absent["steps"][1]["notifications"][0]["priority"]  # 3 by default
    assert validate_config(absent) == []


@pytest.mark.parametrize(
    ("mutations", "path", "fragment"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN]
)
def test_each_kind_of_problem_is_reported_at_its_path(
    mutations: list[Callable[[dict[str, Any]], None]], path: str, fragment: str
) -> None:
    cfg = base()
    for mutate in mutations:
        mutate(cfg)
    _find(validate_config(cfg), path, fragment)


def test_every_problem_is_reported_not_just_the_first() -> None:
    cfg = base()
    for mutate in (
        drop("description"),
        put("version", "one"),
        put("steps.2.type", "dance"),
        put(f"{NOTE}.priority", 9),
        put(f"{ROUTE}.nextStepId", "nowhere"),
        put("context.systemPrompt", "{{x"),
    ):
        mutate(cfg)
    paths = {p.path for p in validate_config(cfg)}
    assert paths >= {
        "$.description",
        "$.version",
        "$.steps[2].type",
        "$.steps[1].notifications[0].priority",
        "$.steps[0].routing.routes[0].nextStepId",
        "$.context.systemPrompt",
    }


def test_hints_help() -> None:
    cfg = base()
    cfg["steps"][2]["type"] = "dance"
    cfg["steps"][0]["routing"]["routes"][0]["nextStepId"] = "nowhere"
    problems = validate_config(cfg)
    assert "conditional_routing" in _find(problems, "$.steps[2].type", "unknown").hint
    route = _find(problems, "$.steps[0].routing.routes[0].nextStepId", "not a step")
    assert route.hint == "one of: act, check, finish"
    assert str(problems[0]).startswith("$.")


# --- templates that would only fail when they render ------------------------------------------

MSG = "$.steps[1].notifications[0].message"
CHECK_SCHEMA = {
    "type": "object",
    "properties": {
        "route": {"type": "string"},
        "summary": {"type": "string"},
        "needsAction": {"type": "boolean"},
        "blocker": {"type": "string"},
        "range": {"type": "string", "properties": {"low": {"type": "number"}}},
        "quote": {
            "type": "object",
            "properties": {"total": {"type": "number"}, "tax": {"type": "number"}},
            "required": ["total"],
        },
        "concerns": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["route", "needsAction", "blocker", "quote"],
}
RENDER_TIME: list[tuple[str, str, str, str]] = [
    ("unknown-helper", "Due {{mony customer.arr}}", MSG, "unknown helper 'mony'"),
    ("unknown-subexpr-helper", "{{#if (nope a)}}x{{/if}}", MSG, "unknown helper 'nope'"),
    ("never-stored", "{{outputs.nowhere.x}}", MSG, "no step that can run before 'act' stores"),
    ("own-output", "{{outputs.act.summary}}", MSG, "before 'act' stores 'act'"),
    ("own-alias", "{{act.summary}}", MSG, "before 'act' stores 'act'"),
    ("undeclared", "{{outputs.check.blockr}}", MSG, "declares no 'blockr' in its outputSchema"),
    ("scalar-field", "{{check.range.low}}", MSG, "declares range a string, which has no field"),
    ("nested-optional", "{{money check.quote.tax}}", MSG, "not require 'tax'"),
    ("optional-printed", "Blocker: {{outputs.check.summary}}.", MSG, "may leave out"),
]


@pytest.mark.parametrize(
    ("message", "path", "fragment"), [c[1:] for c in RENDER_TIME], ids=[c[0] for c in RENDER_TIME]
)
def test_what_would_fail_when_rendering_is_reported_at_its_path(
    message: str, path: str, fragment: str
) -> None:
    cfg = base()
    cfg["steps"][0]["execution"]["outputSchema"] = CHECK_SCHEMA
    cfg["steps"][1]["notifications"][0]["message"] = message
    _find(validate_config(cfg), path, fragment)


@pytest.mark.parametrize(
    "message",
    [
        "Blocker: {{outputs.check.blocker}} ({{money check.quote.total}})",  # required
        "{{#if check.summary}}Summary: {{check.summary}}{{/if}}",  # tested first
        "{{#with check.quote}}{{total}}{{/with}} {{#each outputs.check.concerns}}{{.}}{{/each}}",
        "{{#if (gt check.quote.total 0)}}{{money check.quote.total}}{{/if}}",
        "{{outputs.check.blocker.length}} characters",  # a string has a length
    ],
)
def test_outputs_stored_before_and_declared_are_fine(message: str) -> None:
    cfg = base()
    cfg["steps"][0]["execution"]["outputSchema"] = CHECK_SCHEMA
    cfg["steps"][1]["notifications"][0]["message"] = message
    cfg["steps"][1]["execution"]["llmPrompt"] = "Act on {{check.summary}} {{check.range}}"
    assert validate_config(cfg) == []


def test_a_step_reads_outputs_of_steps_routed_to_it_only() -> None:
    """`finish` reads act's output: act runs before it; `check` cannot, nothing runs before it."""
    cfg = base()
    cfg["steps"][2]["execution"]["llmPrompt"] = "Done: {{act.summary}} {{outputs.check.route}}"
    assert validate_config(cfg) == []
    cfg["steps"][0]["execution"]["llmPrompt"] = "Check {{outputs.act.summary}}"
    problem = _find(validate_config(cfg), "$.steps[0].execution.llmPrompt", "stores 'act'")
    assert problem.hint == "no step runs before this one: its outputs do not exist yet"
    cfg["steps"][2]["routing"] = {"routes": [], "defaultRoute": "check"}  # a loop back
    assert validate_config(cfg) == []


def test_the_war_room_notice_needs_the_blocker_the_assessment_stores() -> None:
    """Issue 12 ("Blocker: ."): the assessment must store the blocker the notice prints."""
    critical = _load(SEEDS / "workflows" / "renewal" / "critical.json")
    assessment = critical["steps"][0]["execution"]
    assert assessment["storeIn"] == "assessment"
    assert "primaryBlocker" in assessment["outputSchema"]["required"]
    assessment["outputSchema"]["required"].remove("primaryBlocker")
    problem = _find(
        validate_config(critical),
        MSG,
        "prints outputs.assessment.primaryBlocker, which step 'critical-status-assessment' "
        "may leave out",
    )
    assert "add 'primaryBlocker' to that outputSchema's required" in problem.hint


def test_a_non_object_is_one_problem() -> None:
    assert validate_config([1, 2]) == [Problem("$", "a workflow must be a JSON object, not a list")]


def test_json_syntax_errors_name_line_and_column() -> None:
    text = '{\n  "id": "mini",\n  "name": "Mini"\n  "version": "1.0.0"\n}\n'
    obj, problems = parse_json_text(text)
    assert obj is None and len(problems) == 1
    assert problems[0].path == "$"
    assert "line 4, column 3" in problems[0].message
    assert parse_json_text('{"a": 1}') == ({"a": 1}, [])
    _, problems = parse_json_text("")
    assert "line 1, column 1" in problems[0].message


# --- compositions ---------------------------------------------------------------------------


def _composition() -> dict[str, Any]:
    return _load(SEEDS / "compositions" / "standard-renewal.json")


COMPOSITION_BROKEN: list[tuple[str, Callable[[dict[str, Any]], None], str, str]] = [
    (
        "unknown-step",
        put("composition.1.stepId", "nope"),
        "$.composition[1].stepId",
        "no library step 'nope'",
    ),
    ("missing-step-id", drop("composition.2.stepId"), "$.composition[2].stepId", "is required"),
    ("empty", put("composition", []), "$.composition", "non-empty list"),
    ("missing", drop("composition"), "$.composition", "non-empty list"),
    (
        "context-key",
        put("composition.0.context.colour", "red"),
        "$.composition[0].context.colour",
        "unknown context key",
    ),
    (
        "urgency",
        put("composition.0.context.urgency", "asap"),
        "$.composition[0].context.urgency",
        "unknown urgency",
    ),
    (
        "overrides-id",
        put("composition.0.context.overrides", {"id": "x"}),
        "$.composition[0].context.overrides.id",
        "cannot change the step id",
    ),
    (
        "variables-type",
        put("composition.0.context.variables", [1]),
        "$.composition[0].context.variables",
        "must be an object",
    ),
    (
        "step-context-key",
        put("stepContext", {"schedule-call": {}, "nope": {}}),
        "$.stepContext.nope",
        "not a step of the sequence",
    ),
    ("has-steps", put("steps", []), "$.steps", "has no 'steps'"),
    ("top-level", drop("version"), "$.version", "is missing"),
    ("ui", put("ui", {"actions": []}), "$.ui", "ui.actions"),
]


@pytest.mark.parametrize(
    ("mutate", "path", "fragment"),
    [b[1:] for b in COMPOSITION_BROKEN],
    ids=[b[0] for b in COMPOSITION_BROKEN],
)
def test_composition_problems(
    mutate: Callable[[dict[str, Any]], None], path: str, fragment: str
) -> None:
    composition = _composition()
    mutate(composition)
    _find(validate_composition(composition, set(LIBRARY)), path, fragment)


def test_odd_keys_are_quoted_in_paths() -> None:
    composition = _composition()
    composition["stepContext"] = {"no such step": {}}
    _find(validate_composition(composition, set(LIBRARY)), '$.stepContext["no such step"]', "not")
