"""A workflow config as typed values: parsed once, then read by attribute (issue 15 §2).

`workflow_config.validate_config` tells a person everything wrong with a file; this module reads
a config that passed it (or one the code built, as the composer's expansion does), so the
services read `step.routes` and `notification.priority` instead of re-walking
`(step.get("routing") or {}).get("routes", [])` with its own defaults in every place: one
reading, one set of defaults, and a misspelt field is a type error instead of a silent None.

Each value keeps the mapping it was read from (`raw`). The stored JSON is the document people
wrote and is written back as it is — unknown keys and key order included — so import, export,
clone and versions stay byte for byte what they were; `to_dict()` gives that document back.

Reading is lenient where the validator is strict: a missing optional field takes the default the
code always used (a step's name is its id, a notification's priority 3), and only a shape that
cannot be read at all (a step that is not an object, or has no string id) is refused.
Pure: no I/O.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

EMPTY: Mapping[str, Any] = MappingProxyType({})
DEFAULT_PRIORITY = 3  # domain.md §7: a notification without a priority is a 3


class ConfigShapeError(ValueError):
    """A config that cannot be read at all (validate it first to learn everything wrong)."""


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else EMPTY


def _text(raw: Mapping[str, Any], key: str, default: str = "") -> str:
    value = raw.get(key)
    return value if isinstance(value, str) else default


def _template(raw: Mapping[str, Any], key: str) -> str | None:
    """An optional template: the text when there is some, else None (an empty one is absent)."""
    value = raw.get(key)
    return value if isinstance(value, str) and value else None


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


@dataclass(frozen=True)
class Route:
    """A way out of a step: its UPPER_SNAKE code, where it goes, when it is true, its meaning."""

    id: str
    next_step_id: str | None
    when: str | None  # a template; None when the route is only chosen (or named by an output)
    condition: str  # what the route means, for people ("" when the config says nothing)
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> Route:
        target = raw.get("nextStepId")
        condition = raw.get("condition")
        return cls(
            id=str(raw.get("id", "")),
            next_step_id=target if isinstance(target, str) else None,
            when=_template(raw, "when"),
            condition=condition if isinstance(condition, str) else "",
            raw=raw,
        )


@dataclass(frozen=True)
class Routing:
    """A step's routes in config order and the step its default route goes to."""

    routes: tuple[Route, ...] = ()
    default_route: str | None = None

    @classmethod
    def parse(cls, raw: Any) -> Routing:
        raw = _mapping(raw)
        default = raw.get("defaultRoute")
        return cls(
            tuple(Route.parse(r) for r in _items(raw.get("routes")) if isinstance(r, Mapping)),
            default if isinstance(default, str) and default else None,
        )


@dataclass(frozen=True)
class StepTask:
    """A step's `execution` block: the assistant's task, where its output is kept, its shape."""

    llm_prompt: str | None = None  # None when the step has none (an empty one is kept)
    store_in: str | None = None
    output_schema: Mapping[str, Any] | None = None  # JSON Schema: stays a document

    @classmethod
    def parse(cls, raw: Any) -> StepTask:
        raw = _mapping(raw)
        store = raw.get("storeIn")
        schema = raw.get("outputSchema")
        prompt = raw.get("llmPrompt")
        return cls(
            prompt if isinstance(prompt, str) else None,
            store if isinstance(store, str) and store else None,
            schema if isinstance(schema, Mapping) and schema else None,
        )


@dataclass(frozen=True)
class Notification:
    """One notification of a step (domain.md §7): evaluated when the step starts, or when the
    action it names succeeds; its title, message and metadata are templates."""

    type: str
    title: str
    message: str
    priority: int
    recipients: tuple[str, ...]
    condition: str | None
    action_triggered: str | None
    metadata: Mapping[str, Any]  # templates at any depth, kept as written
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> Notification:
        priority = raw.get("priority", DEFAULT_PRIORITY)
        trigger = raw.get("actionTriggered")
        return cls(
            type=str(raw.get("type", "")),
            title=_text(raw, "title"),
            message=_text(raw, "message"),
            priority=int(priority) if isinstance(priority, int | float) else DEFAULT_PRIORITY,
            recipients=tuple(str(r) for r in _items(raw.get("recipients"))),
            condition=_template(raw, "condition"),
            action_triggered=trigger if isinstance(trigger, str) and trigger else None,
            metadata=_mapping(raw.get("metadata")),
            raw=raw,
        )

    @property
    def gate(self) -> str | None:
        """The action this notification asks for before its step may be left (`metadata.gate`,
        as the emergency workflow's manager acknowledgment does)."""
        gate = self.metadata.get("gate")
        return gate if isinstance(gate, str) and gate else None


@dataclass(frozen=True)
class Step:
    """One step of a workflow, as the services read it."""

    id: str
    name: str  # the step id when the config names none
    type: str
    description: str
    task: StepTask
    routing: Routing
    when: str | None  # conditionalLogic.when: the step is skipped when it renders false
    notifications: tuple[Notification, ...]
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def parse(cls, raw: Any) -> Step:
        if not isinstance(raw, Mapping) or not isinstance(raw.get("id"), str):
            raise ConfigShapeError("a step must be an object with a string 'id'")
        step_id: str = raw["id"]
        return cls(
            id=step_id,
            name=_text(raw, "name", step_id),
            type=_text(raw, "type"),
            description=_text(raw, "description"),
            task=StepTask.parse(raw.get("execution")),
            routing=Routing.parse(raw.get("routing")),
            when=_template(_mapping(raw.get("conditionalLogic")), "when"),
            notifications=tuple(
                Notification.parse(n)
                for n in _items(raw.get("notifications"))
                if isinstance(n, Mapping)
            ),
            raw=raw,
        )

    @property
    def routes(self) -> tuple[Route, ...]:
        return self.routing.routes

    @property
    def route_ids(self) -> list[str]:
        return [r.id for r in self.routes]

    def route(self, route_id: str) -> Route | None:
        return next((r for r in self.routes if r.id == route_id), None)

    @property
    def store_key(self) -> str:
        """Where the step's outputs are kept in the context: its storeIn, else its id."""
        return self.task.store_in or self.id

    @property
    def gate(self) -> str | None:
        """The action that must succeed before the step may be left, if any: the config stays
        the only source (the first notification naming a `metadata.gate`)."""
        return next((n.gate for n in self.notifications if n.gate), None)


@dataclass(frozen=True)
class Trigger:
    """When a renewal workflow applies: days until renewal, both bounds inclusive."""

    days_min: int | None = None
    days_max: int | None = None

    @classmethod
    def parse(cls, raw: Any) -> Trigger:
        days = _mapping(_mapping(raw).get("daysUntilRenewal"))
        low, high = days.get("min"), days.get("max")
        return cls(
            low if isinstance(low, int) and not isinstance(low, bool) else None,
            high if isinstance(high, int) and not isinstance(high, bool) else None,
        )


@dataclass(frozen=True)
class WorkflowConfig:
    """A workflow (or a composition's header: its `steps` are then empty until expanded)."""

    id: str
    name: str  # the id when the config names none
    description: str
    version: str  # the semver the author gave
    trigger: Trigger
    system_prompt: str  # context.systemPrompt, a template ("" when there is none)
    steps: tuple[Step, ...]
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def parse(cls, raw: Any) -> WorkflowConfig:
        """Read a config (validated, or built by the code): see the module's docstring."""
        if not isinstance(raw, Mapping):
            raise ConfigShapeError("a workflow config must be an object")
        slug = _text(raw, "id")
        name = raw.get("name")
        return cls(
            id=slug,
            name=name if isinstance(name, str) and name else slug,
            description=_text(raw, "description"),
            version=_text(raw, "version"),
            trigger=Trigger.parse(raw.get("trigger")),
            system_prompt=_text(_mapping(raw.get("context")), "systemPrompt"),
            steps=tuple(Step.parse(s) for s in _items(raw.get("steps"))),
            raw=raw,
        )

    def step(self, step_id: str | None) -> Step | None:
        return next((s for s in self.steps if s.id == step_id), None)

    def index(self, step_id: str) -> int | None:
        """The step's position in the config (the order routing falls back to)."""
        return next((i for i, s in enumerate(self.steps) if s.id == step_id), None)

    def by_store_key(self) -> dict[str, Step]:
        """Output key → the step storing under it (the last one, if two share a key)."""
        return {s.store_key: s for s in self.steps}

    def to_dict(self) -> dict[str, Any]:
        """The config as the document it was read from (a copy: callers may change it)."""
        return copy.deepcopy(dict(self.raw))


def as_config(config: WorkflowConfig | Mapping[str, Any]) -> WorkflowConfig:
    """A config as typed values; the stored form is parsed (for callers holding the document)."""
    return config if isinstance(config, WorkflowConfig) else WorkflowConfig.parse(config)


def as_step(step: Step | Mapping[str, Any]) -> Step:
    """A step as typed values; the stored form is parsed."""
    return step if isinstance(step, Step) else Step.parse(step)


def as_route(route: Route | Mapping[str, Any]) -> Route:
    """A route as typed values; the stored form is parsed."""
    return route if isinstance(route, Route) else Route.parse(route)


__all__ = [
    "ConfigShapeError",
    "Notification",
    "Route",
    "Routing",
    "Step",
    "StepTask",
    "Trigger",
    "WorkflowConfig",
    "as_config",
    "as_route",
    "as_step",
]
