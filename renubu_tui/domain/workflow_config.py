"""Validation of workflow configurations and compositions (domain.md §7).

Every problem is reported, each with the JSON path it is at and a hint, so a person fixes a file in
one pass instead of one error per save. Pure: no I/O; templates are checked with
`renubu_tui.handlebars.check`.

Beyond §7's list, templates are checked for what would only fail on the day they render: a call to
a helper that does not exist, and a read of a step output (`outputs.<key>.field` or
`<storeIn>.field`) that no step able to run before it stores, or that the storing step's
`outputSchema` does not declare. A notification's title, message and metadata are read by people
when the notification fires, so an output they print must be one the storing step's schema
requires, unless the template tests it first (`{{#if …}}`): otherwise the message reads
"Blocker: .".
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal, TypeGuard

from renubu_tui.domain.vocabulary import NOTIFICATION_TYPES

REQUIRED_FIELDS: tuple[tuple[str, type, str], ...] = (
    ("id", str, "a slug such as 'critical' or 'standard-renewal'"),
    ("name", str, "a short human name"),
    ("description", str, "one or two sentences for people"),
    ("version", str, "a semver string such as '1.0.0'"),
    ("trigger", dict, 'an object, e.g. {"daysUntilRenewal": {"min": 7, "max": 14}}'),
    ("context", dict, 'an object with the assistant\'s "systemPrompt"'),
    ("steps", list, "a list of step objects"),
)
STEP_TYPES = (
    "conditional_routing",
    "analysis",
    "action",
    "rapid_assessment",
    "escalation",
    "execution",
    "resolution",
    "completion",
    "planning",
    "review",
    "interview",
    "outreach",
    "approval",
    "data_analysis",
    "monitoring",
)
COMPOSITION_CONTEXT_KEYS = ("purpose", "urgency", "variables", "overrides")
URGENCIES = ("low", "medium", "high", "critical")
MAX_NAME = 200  # workflows.name
MAX_SLUG = 120  # workflows.slug
MAX_SEMVER = 40  # workflow_versions.semver

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$"
)
ROUTE_ID = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$")
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# The top-level names of a template context (domain.md §9): a storeIn never overrides them, so a
# path starting with one of them is not a step output.
CONTEXT_ROOTS = frozenset(
    {
        "customer",
        "csm",
        "workflow",
        "company",
        "accountTeam",
        "intelligence",
        "data",
        "stakeholders",
        "outputs",
    }
)
# When a template renders, relative to its step: "before" it runs (prompt, conditional step,
# notifications), or "after" it (its routes' `when`, which see the step's own outputs).
Moment = Literal["before", "after"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a config: where (a JSON path from `$`), what, and how to fix it."""

    path: str
    message: str
    hint: str = ""

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" + (f" (hint: {self.hint})" if self.hint else "")


def child(path: str, key: str | int) -> str:
    """`$.a` + `b` → `$.a.b`; ints index (`[2]`); odd keys are quoted (`["a b"]`)."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if _IDENT.match(key) else f"{path}[{json.dumps(key)}]"


def parse_json_text(text: str) -> tuple[Any | None, list[Problem]]:
    """Parse JSON text; a syntax error becomes a problem naming its line and column, and text
    over the workflow limits (size, nesting) is refused before parsing."""
    from renubu_tui.handlebars.limits import (
        MAX_WORKFLOW_BYTES,
        MAX_WORKFLOW_DEPTH,
        LimitError,
        check_json_text,
    )

    try:
        check_json_text(
            text, "the workflow", max_bytes=MAX_WORKFLOW_BYTES, max_depth=MAX_WORKFLOW_DEPTH
        )
    except LimitError as exc:
        return None, [Problem("$", str(exc), "split it or flatten it; see docs/rules.md")]
    try:
        return json.loads(text), []
    except json.JSONDecodeError as exc:
        return None, [
            Problem(
                "$",
                f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
                "check for a missing comma or quote, or a trailing comma, just before that spot",
            )
        ]


def _check_template(text: str) -> str | None:
    """Why `text` does not compile as Handlebars, or None."""
    from renubu_tui.handlebars import TemplateError, check

    try:
        check(text)
    except TemplateError as exc:
        return str(exc) or "does not compile"
    return None


def _unknown_helpers(text: str) -> list[str]:
    from renubu_tui.handlebars import TemplateError, unknown_helpers

    try:
        return unknown_helpers(text)
    except TemplateError:
        return []


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "an object"


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


_EXPECTED_KIND: dict[type, str] = {str: "a string", dict: "an object", list: "a list"}


class _Checker:
    """Collects problems while walking one config."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, path: str, message: str, hint: str = "") -> None:
        self.problems.append(Problem(path, message, hint))

    def template(self, path: str, value: Any) -> None:
        """An optional Handlebars template: when present, a string that compiles."""
        if value is None:
            return
        if not isinstance(value, str):
            self.add(path, f"must be a template string, not {_kind(value)}")
            return
        error = _check_template(value)
        if error:
            self.add(
                path,
                f"template does not compile: {error}",
                "check the {{…}} tags: each opened and closed",
            )
            return
        from renubu_tui.handlebars.names import KNOWN_HELPERS

        for name in _unknown_helpers(value):
            self.add(
                path,
                f"unknown helper {name!r}: the template would fail when it renders",
                f"helpers: {', '.join(sorted(KNOWN_HELPERS))}",
            )

    def text(self, obj: dict[str, Any], key: str, path: str, hint: str = "") -> str | None:
        """A required non-empty string field."""
        value = obj.get(key)
        if value is None:
            self.add(child(path, key), f"'{key}' is required", hint)
        elif not isinstance(value, str) or not value.strip():
            self.add(child(path, key), f"'{key}' must be a non-empty string", hint)
        else:
            return value
        return None

    def ui(self, obj: dict[str, Any], path: str) -> None:
        if "ui" not in obj:
            return
        ui = obj["ui"]
        parts = [k for k in ("artifacts", "actions") if isinstance(ui, dict) and k in ui]
        what = " and ".join(f"ui.{p}" for p in parts) or "ui"
        self.add(
            child(path, "ui"),
            f"{what} is not workflow configuration",
            "remove it: artifacts, actions, card titles and styling belong to the app",
        )

    def top_level(self, obj: dict[str, Any], *, fields: tuple[tuple[str, type, str], ...]) -> None:
        for name, kind, hint in fields:
            if name not in obj:
                self.add(child("$", name), f"required field '{name}' is missing", hint)
            elif not isinstance(obj[name], kind) or isinstance(obj[name], bool):
                expected = _EXPECTED_KIND[kind]
                self.add(
                    child("$", name), f"'{name}' must be {expected}, not {_kind(obj[name])}", hint
                )
        slug = obj.get("id")
        if isinstance(slug, str) and (not SLUG.match(slug) or len(slug) > MAX_SLUG):
            self.add("$.id", f"id {slug!r} is not a slug", "lower-case letters, digits and dashes")
        version = obj.get("version")
        if isinstance(version, str) and (not SEMVER.match(version) or len(version) > MAX_SEMVER):
            self.add("$.version", f"version {version!r} is not semver", "e.g. '1.0.0' or '2.1.0'")
        title = obj.get("name")
        if isinstance(title, str) and (not title.strip() or len(title) > MAX_NAME):
            self.add("$.name", f"name must be 1–{MAX_NAME} characters")
        self.ui(obj, "$")
        if isinstance(obj.get("trigger"), dict):
            self.trigger(obj["trigger"])
        if isinstance(obj.get("context"), dict):
            self.template("$.context.systemPrompt", obj["context"].get("systemPrompt"))

    def trigger(self, trigger: dict[str, Any]) -> None:
        path = "$.trigger"
        bounds = trigger.get("daysUntilRenewal")
        if bounds is not None:
            bpath = child(path, "daysUntilRenewal")
            if not isinstance(bounds, dict):
                self.add(bpath, f"must be an object {{min?, max?}}, not {_kind(bounds)}")
            else:
                for key in bounds:
                    if key not in ("min", "max"):
                        self.add(child(bpath, key), f"unknown bound {key!r}", "use min and max")
                for key in ("min", "max"):
                    if bounds.get(key) is not None and not _is_int(bounds[key]):
                        self.add(child(bpath, key), f"{key} must be a whole number of days")
                low, high = bounds.get("min"), bounds.get("max")
                if _is_int(low) and _is_int(high) and low > high:
                    self.add(
                        child(bpath, "min"),
                        f"min {low} is greater than max {high}",
                        "the range is inclusive: min ≤ max",
                    )
        for key in ("earlyTriggers", "manualTriggers"):
            items = trigger.get(key)
            if items is None:
                continue
            tpath = child(path, key)
            if not isinstance(items, list):
                self.add(tpath, f"must be a list of {{condition, description}}, not {_kind(items)}")
                continue
            for i, item in enumerate(items):
                if not isinstance(item, dict):
                    self.add(child(tpath, i), "must be an object {condition, description}")
                else:
                    self.text(item, "condition", child(tpath, i), "a named condition")

    def steps(self, steps: list[Any]) -> None:
        if not steps:
            self.add("$.steps", "a workflow needs at least one step")
        ids: dict[str, str] = {}
        for i, step in enumerate(steps):
            if isinstance(step, dict) and isinstance(step.get("id"), str):
                if step["id"] in ids:
                    self.add(
                        f"$.steps[{i}].id",
                        f"duplicate step id {step['id']!r} (also at {ids[step['id']]})",
                        "step ids must be unique in the workflow",
                    )
                else:
                    ids[step["id"]] = f"$.steps[{i}]"
        known = set(ids)
        store_keys: dict[str, str] = {}
        notifications = 0
        for i, step in enumerate(steps):
            path = f"$.steps[{i}]"
            if not isinstance(step, dict):
                self.add(path, f"a step must be an object, not {_kind(step)}")
                continue
            self.text(step, "id", path, "a unique step id such as 'status-check'")
            self.text(step, "name", path, "a short human name")
            step_type = self.text(step, "type", path, f"one of: {', '.join(STEP_TYPES)}")
            if step_type is not None and step_type not in STEP_TYPES:
                self.add(
                    child(path, "type"),
                    f"unknown step type {step_type!r}",
                    f"one of: {', '.join(STEP_TYPES)}",
                )
            self.ui(step, path)
            self.execution(step.get("execution"), child(path, "execution"), store_keys)
            self.routing(step.get("routing"), child(path, "routing"), known)
            self.conditional(step, path)
            notifications += self.notifications(
                step.get("notifications"), child(path, "notifications")
            )
        if steps and notifications == 0:
            self.add(
                "$.steps",
                "the workflow has no notification",
                "add at least one to a step's notifications, e.g. a workflow_started notice",
            )

    def execution(self, execution: Any, path: str, store_keys: dict[str, str]) -> None:
        if execution is None:
            return
        if not isinstance(execution, dict):
            self.add(path, f"execution must be an object, not {_kind(execution)}")
            return
        self.template(child(path, "llmPrompt"), execution.get("llmPrompt"))
        store = execution.get("storeIn")
        if store is not None:
            spath = child(path, "storeIn")
            if not isinstance(store, str) or not _IDENT.match(store):
                self.add(spath, f"storeIn {store!r} must be a name like 'assessment'")
            elif store in store_keys:
                self.add(
                    spath,
                    f"storeIn key {store!r} is already used at {store_keys[store]}",
                    "each step keeps its output under its own key",
                )
            else:
                store_keys[store] = spath
        schema = execution.get("outputSchema")
        if schema is not None and not isinstance(schema, dict):
            self.add(child(path, "outputSchema"), "outputSchema must be an object (JSON Schema)")

    def routing(self, routing: Any, path: str, known: set[str]) -> None:
        if routing is None:
            return
        if not isinstance(routing, dict):
            self.add(
                path, f"routing must be an object {{routes, defaultRoute}}, not {_kind(routing)}"
            )
            return
        hint = f"one of: {', '.join(sorted(known))}" if known else "add the step first"
        default = routing.get("defaultRoute")
        if default is not None and default not in known:
            self.add(child(path, "defaultRoute"), f"defaultRoute {default!r} is not a step", hint)
        routes = routing.get("routes", [])
        if not isinstance(routes, list):
            self.add(child(path, "routes"), f"routes must be a list, not {_kind(routes)}")
            return
        seen: set[str] = set()
        for j, route in enumerate(routes):
            rpath = child(child(path, "routes"), j)
            if not isinstance(route, dict):
                self.add(rpath, "a route must be an object {id, nextStepId, condition, when?}")
                continue
            route_id = self.text(route, "id", rpath, "an UPPER_SNAKE code such as ALL_COMPLETE")
            if route_id is not None:
                if not ROUTE_ID.match(route_id):
                    self.add(
                        child(rpath, "id"),
                        f"route id {route_id!r} is not UPPER_SNAKE",
                        f"e.g. {re.sub(r'[^A-Z0-9]+', '_', route_id.upper()).strip('_') or 'DONE'}",
                    )
                elif route_id in seen:
                    self.add(child(rpath, "id"), f"duplicate route id {route_id!r} in this step")
                seen.add(route_id)
            target = self.text(route, "nextStepId", rpath, hint)
            if target is not None and target not in known:
                self.add(child(rpath, "nextStepId"), f"nextStepId {target!r} is not a step", hint)
            if route.get("condition") is not None and not isinstance(route["condition"], str):
                self.add(child(rpath, "condition"), "condition must be text for people")
            self.template(child(rpath, "when"), route.get("when"))

    def conditional(self, step: dict[str, Any], path: str) -> None:
        logic = step.get("conditionalLogic")
        if logic is None:
            if step.get("conditional") is True:
                self.add(
                    child(path, "conditionalLogic"),
                    "a conditional step needs conditionalLogic",
                    "{condition, description, when?}",
                )
            return
        lpath = child(path, "conditionalLogic")
        if not isinstance(logic, dict):
            self.add(
                lpath, f"must be an object {{condition, description, when?}}, not {_kind(logic)}"
            )
            return
        self.text(logic, "condition", lpath, "a named condition such as full_renewal_at_risk")
        self.template(child(lpath, "when"), logic.get("when"))

    def notifications(self, items: Any, path: str) -> int:
        if items is None:
            return 0
        if not isinstance(items, list):
            self.add(path, f"notifications must be a list, not {_kind(items)}")
            return 0
        for k, n in enumerate(items):
            npath = child(path, k)
            if not isinstance(n, dict):
                self.add(npath, f"a notification must be an object, not {_kind(n)}")
                continue
            kind = self.text(n, "type", npath, f"one of: {', '.join(NOTIFICATION_TYPES)}")
            if kind is not None and kind not in NOTIFICATION_TYPES:
                self.add(
                    child(npath, "type"),
                    f"unknown notification type {kind!r}",
                    f"one of: {', '.join(NOTIFICATION_TYPES)}",
                )
            if self.text(n, "title", npath, "a short line, e.g. '{{customer.name}}: …'"):
                self.template(child(npath, "title"), n["title"])
            self.template(child(npath, "message"), n.get("message"))
            self.template(child(npath, "condition"), n.get("condition"))
            self.recipients(n.get("recipients"), child(npath, "recipients"))
            priority = n.get("priority", 3)
            if not _is_int(priority) or not 1 <= priority <= 5:
                self.add(
                    child(npath, "priority"),
                    f"priority must be a whole number 1–5, not {json.dumps(priority)}",
                    "1 urgent … 5 info; 3 when left out",
                )
            trigger = n.get("actionTriggered")
            if trigger is not None and (not isinstance(trigger, str) or not trigger):
                self.add(child(npath, "actionTriggered"), "actionTriggered must name an action")
            metadata = n.get("metadata")
            if metadata is not None:
                if not isinstance(metadata, dict):
                    self.add(child(npath, "metadata"), "metadata must be an object")
                else:
                    for mpath, text in _strings(metadata, child(npath, "metadata")):
                        self.template(mpath, text)
        return len(items)

    def recipients(self, recipients: Any, path: str) -> None:
        hint = 'a list of addresses or templates, e.g. ["{{csm.email}}"]'
        if not isinstance(recipients, list) or not recipients:
            self.add(path, "a notification needs at least one recipient", hint)
            return
        for r, value in enumerate(recipients):
            if not isinstance(value, str) or not value.strip():
                self.add(child(path, r), "a recipient must be a non-empty string", hint)
            else:
                self.template(child(path, r), value)


@dataclass(frozen=True)
class _Writer:
    """A step that stores outputs under a key, and its outputSchema (None when it has none)."""

    index: int
    step_id: str
    schema: dict[str, Any] | None


@dataclass(frozen=True)
class _Use:
    """A template of a step: where it is, when it renders, and whether people read it."""

    path: str
    text: str
    moment: Moment
    shown: bool  # a notification's title, message or metadata


def _step_uses(step: dict[str, Any], path: str) -> Iterator[_Use]:
    """Every template of a step that may read outputs, with when it renders."""
    execution = step.get("execution")
    if isinstance(execution, dict) and isinstance(execution.get("llmPrompt"), str):
        yield _Use(
            child(child(path, "execution"), "llmPrompt"), execution["llmPrompt"], "before", False
        )
    logic = step.get("conditionalLogic")
    if isinstance(logic, dict) and isinstance(logic.get("when"), str):
        yield _Use(child(child(path, "conditionalLogic"), "when"), logic["when"], "before", False)
    routing = step.get("routing")
    routes = routing.get("routes") if isinstance(routing, dict) else None
    for j, route in enumerate(routes if isinstance(routes, list) else []):
        if isinstance(route, dict) and isinstance(route.get("when"), str):
            rpath = child(child(child(path, "routing"), "routes"), j)
            yield _Use(child(rpath, "when"), route["when"], "after", False)
    notifications = step.get("notifications")
    for k, n in enumerate(notifications if isinstance(notifications, list) else []):
        if not isinstance(n, dict):
            continue
        npath = child(child(path, "notifications"), k)
        for key in ("title", "message"):
            if isinstance(n.get(key), str):
                yield _Use(child(npath, key), n[key], "before", True)
        if isinstance(n.get("condition"), str):
            yield _Use(child(npath, "condition"), n["condition"], "before", False)
        recipients = n.get("recipients")
        for r, value in enumerate(recipients if isinstance(recipients, list) else []):
            if isinstance(value, str):
                yield _Use(child(child(npath, "recipients"), r), value, "before", False)
        if isinstance(n.get("metadata"), dict):
            for mpath, text in _strings(n["metadata"], child(npath, "metadata")):
                yield _Use(mpath, text, "before", True)


def _writers(steps: list[Any]) -> dict[str, list[_Writer]]:
    """Output key → the steps storing under it: storeIn, or the step id when it names none."""
    writers: dict[str, list[_Writer]] = {}
    for i, step in enumerate(steps):
        if not isinstance(step, dict) or not isinstance(step.get("id"), str):
            continue
        execution = step.get("execution")
        if not isinstance(execution, dict):
            execution = {}
        store = execution.get("storeIn")
        key = store if isinstance(store, str) and store else step["id"]
        schema = execution.get("outputSchema")
        writer = _Writer(i, step["id"], schema if isinstance(schema, dict) else None)
        writers.setdefault(key, []).append(writer)
    return writers


def _runs_before(steps: list[Any]) -> list[set[int]]:
    """For each step, the steps that can run before it: those it can be routed to from.

    A step goes to its routes' targets and its defaultRoute, or without one to the next step in
    order (where routing falls back, and where a skipped conditional step continues).
    """
    index = {
        step["id"]: i
        for i, step in enumerate(steps)
        if isinstance(step, dict) and isinstance(step.get("id"), str)
    }
    successors: list[set[int]] = []
    for i, step in enumerate(steps):
        nexts: set[int] = set()
        routing = step.get("routing") if isinstance(step, dict) else None
        routing = routing if isinstance(routing, dict) else {}
        routes = routing.get("routes")
        for route in routes if isinstance(routes, list) else []:
            if isinstance(route, dict) and route.get("nextStepId") in index:
                nexts.add(index[route["nextStepId"]])
        default = routing.get("defaultRoute")
        if default in index:
            nexts.add(index[default])
        elif i + 1 < len(steps):
            nexts.add(i + 1)
        successors.append(nexts)
    predecessors: list[set[int]] = [set() for _ in steps]
    for i, nexts in enumerate(successors):
        for j in nexts:
            predecessors[j].add(i)
    before: list[set[int]] = []
    for i in range(len(steps)):
        seen: set[int] = set()
        todo = list(predecessors[i])
        while todo:
            j = todo.pop()
            if j not in seen:
                seen.add(j)
                todo.extend(predecessors[j])
        before.append(seen)
    return before


def _output_ref(ref: str, aliases: set[str]) -> tuple[str, list[str]] | None:
    """(output key, the fields read under it) when `ref` reads a step output."""
    parts = ref.split(".")
    if parts[0] == "outputs":
        parts = parts[1:]
    elif parts[0] not in aliases:
        return None
    return (parts[0], parts[1:]) if parts else None


def _check_outputs(checker: _Checker, steps: list[Any]) -> None:
    """Each template that reads a step output reads one a step before it stores and declares."""
    from renubu_tui.handlebars import TemplateError, guarded_paths, referenced_paths

    writers = _writers(steps)
    aliases = {
        step["execution"].get("storeIn")
        for step in steps
        if isinstance(step, dict) and isinstance(step.get("execution"), dict)
    }
    aliases = {a for a in aliases if isinstance(a, str) and a not in CONTEXT_ROOTS}
    before = _runs_before(steps)
    for i, step in enumerate(steps):
        if not isinstance(step, dict) or not isinstance(step.get("id"), str):
            continue
        for use in _step_uses(step, f"$.steps[{i}]"):
            try:
                refs = referenced_paths(use.text)
                tested = set(guarded_paths(use.text)) if use.shown else set()
            except TemplateError:
                continue  # reported as not compiling
            for ref in refs:
                found = _output_ref(ref, aliases)
                if found is None:
                    continue
                key, fields = found
                able = [
                    w
                    for w in writers.get(key, [])
                    if w.index in before[i] or (use.moment == "after" and w.index == i)
                ]
                if not able:
                    checker.add(use.path, *_not_stored(ref, key, step["id"], writers, before[i]))
                    continue
                shown = use.shown and ref not in tested
                issues = [_schema_issue(ref, w, fields, shown) for w in able]
                first = issues[0]
                if first is not None and all(issues):  # every step that may store it falls short
                    checker.add(use.path, *first)


def _not_stored(
    ref: str, key: str, step_id: str, writers: dict[str, list[_Writer]], before: set[int]
) -> tuple[str, str]:
    stored = sorted(k for k, ws in writers.items() if any(w.index in before for w in ws))
    hint = (
        f"steps that can run before it store: {', '.join(stored)}"
        if stored
        else "no step runs before this one: its outputs do not exist yet"
    )
    return f"reads {ref}, but no step that can run before {step_id!r} stores {key!r}", hint


_SCALARS = frozenset({"string", "number", "integer", "boolean", "null"})


def _schema_issue(
    ref: str, writer: _Writer, fields: list[str], shown: bool
) -> tuple[str, str] | None:
    """Why `writer`'s outputSchema does not provide `fields` (for people: for certain), or None.

    Followed as far as the schema describes objects: an undeclared field or a field of a scalar
    ("arrRange" declared a string has no "low") first, then, when `shown`, a field not required.
    """
    node: Any = writer.schema
    step = repr(writer.step_id)
    optional: str | None = None
    for depth, field in enumerate(fields):
        if not isinstance(node, dict):
            break
        kind = node.get("type")
        props = node.get("properties")
        where = ".".join(fields[:depth]) or "its output"
        if kind == "string" and (field == "length" or field.isdigit()):
            break  # a string's length and characters, as JS reads them
        if isinstance(kind, str) and kind in _SCALARS:
            return (
                f"reads {ref}, but step {step} declares {where} a {kind}, which has no "
                f"field {field!r}",
                'declare it {"type": "object", "properties": {…}}, or read it whole',
            )
        if not isinstance(props, dict) or not props:
            break  # an open object (or an array): anything may be there
        if field not in props:
            return (
                f"reads {ref}, but step {step} declares no {field!r} in its outputSchema",
                f"{where} declares: {', '.join(sorted(props))}",
            )
        required = node.get("required")
        if optional is None and not (isinstance(required, list) and field in required):
            optional = field
        node = props[field]
    if shown and optional is not None:
        return (
            f"prints {ref}, which step {step} may leave out (its outputSchema does not "
            f"require {optional!r}): the notification would read empty there",
            f"add {optional!r} to that outputSchema's required, or test it first: "
            f"{{{{#if {ref}}}}}…{{{{/if}}}}",
        )
    return None


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every string inside metadata (literals of other types keep their type, unchecked)."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, child(path, str(key)))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, child(path, i))


def validate_config(obj: Any) -> list[Problem]:
    """Every problem of a full workflow config (domain.md §7), in document order; [] when valid."""
    checker = _Checker()
    if not isinstance(obj, dict):
        checker.add("$", f"a workflow must be a JSON object, not {_kind(obj)}")
        return checker.problems
    checker.top_level(obj, fields=REQUIRED_FIELDS)
    if isinstance(obj.get("steps"), list):
        checker.steps(obj["steps"])
        _check_outputs(checker, obj["steps"])
    return checker.problems


def is_composition(obj: Any) -> bool:
    """A composition lists library steps under `composition` instead of `steps`."""
    return isinstance(obj, dict) and "composition" in obj and "steps" not in obj


def validate_composition(obj: Any, library_ids: set[str]) -> list[Problem]:
    """Every problem of a composition: §7's top-level fields (but `composition`, not `steps`).

    Each entry is `{stepId, context: {purpose, urgency, variables, overrides}}`. A composition may
    also carry a top-level `stepContext` map `{<stepId>: context}` (applied under each entry's own
    context); every key of it must name a step of the sequence.
    """
    checker = _Checker()
    if not isinstance(obj, dict):
        checker.add("$", f"a composition must be a JSON object, not {_kind(obj)}")
        return checker.problems
    fields = tuple(f for f in REQUIRED_FIELDS if f[0] != "steps")
    checker.top_level(obj, fields=fields)
    if "steps" in obj:
        checker.add("$.steps", "a composition has no 'steps'", "list library steps in composition")
    sequence = obj.get("composition")
    hint = f"one of: {', '.join(sorted(library_ids))}" if library_ids else "the library is empty"
    if not isinstance(sequence, list) or not sequence:
        checker.add(
            "$.composition",
            "the composition must be a non-empty list of library steps",
            '[{"stepId": "greeting", "context": {"purpose": "…"}}, …]',
        )
        sequence = sequence if isinstance(sequence, list) else []
    step_ids: set[str] = set()
    for i, entry in enumerate(sequence):
        path = f"$.composition[{i}]"
        if not isinstance(entry, dict):
            checker.add(path, f"an entry must be an object {{stepId, context}}, not {_kind(entry)}")
            continue
        step_id = checker.text(entry, "stepId", path, hint)
        if step_id is not None:
            step_ids.add(step_id)
            if step_id not in library_ids:
                checker.add(child(path, "stepId"), f"no library step {step_id!r}", hint)
        if entry.get("context") is not None:
            _step_context(checker, entry["context"], child(path, "context"))
    extra = obj.get("stepContext")
    if extra is not None:
        if not isinstance(extra, dict):
            checker.add("$.stepContext", "stepContext must be an object {<stepId>: context}")
        else:
            for key, ctx in extra.items():
                kpath = child("$.stepContext", key)
                if key not in step_ids:
                    checker.add(
                        kpath,
                        f"{key!r} is not a step of the sequence",
                        f"one of: {', '.join(sorted(step_ids))}" if step_ids else "",
                    )
                _step_context(checker, ctx, kpath)
    return checker.problems


def _step_context(checker: _Checker, ctx: Any, path: str) -> None:
    if not isinstance(ctx, dict):
        checker.add(path, "context must be an object {purpose, urgency, variables, overrides}")
        return
    for key in ctx:
        if key not in COMPOSITION_CONTEXT_KEYS:
            checker.add(
                child(path, key),
                f"unknown context key {key!r}",
                f"one of: {', '.join(COMPOSITION_CONTEXT_KEYS)}",
            )
    if ctx.get("purpose") is not None and not isinstance(ctx["purpose"], str):
        checker.add(child(path, "purpose"), "purpose must be text")
    urgency = ctx.get("urgency")
    if urgency is not None and urgency not in URGENCIES:
        checker.add(
            child(path, "urgency"),
            f"unknown urgency {urgency!r}",
            f"one of: {', '.join(URGENCIES)}",
        )
    for key in ("variables", "overrides"):
        if ctx.get(key) is not None and not isinstance(ctx[key], dict):
            checker.add(child(path, key), f"{key} must be an object")
    overrides = ctx.get("overrides")
    if isinstance(overrides, dict) and "id" in overrides:
        checker.add(
            child(child(path, "overrides"), "id"),
            "overrides cannot change the step id",
            "routing and chat branches refer to it",
        )
