"""Every exception a service defines chooses: a refusal (a person caused it; said as a warning
in the app, one line and exit 1 or 2 on the command line) or a fault (listed here, with why).

A new exception class fails this test until it derives from `Refused` or is listed below.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import renubu_tui.services
from renubu_tui.services.refusals import BadInput, Conflict, NotFound, Refused

# Not a person's doing, each with why. Shown as a fault (the app's error toast, the CLI's
# "internal error" line) if one ever escapes, or handled where it is raised.
FAULTS = {
    "renubu_tui.services.chat.tools.sql_check.QueryRefused": (
        "the model's SQL, refused inside the assistant's tool loop and told to the model"
    ),
    "renubu_tui.services.chat.tools.db_query.QueryFailed": (
        "the model's query failing in the database, told to the model by the tool loop"
    ),
    "renubu_tui.services.chat.tools.charts.ChartError": (
        "a chart the model described wrongly: the tool loop and the chat panel say so"
    ),
    "renubu_tui.services.demo.journey.JourneyError": "the shipped journey script is broken: a bug",
    "renubu_tui.services.config.values.ConfigValueError": (
        "a stored configuration that no longer validates: a settings error (exit 2, like a "
        "settings file that cannot be used); its subclass ConfigChangeRefused is the refusal"
    ),
}


def _service_exceptions() -> dict[str, type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for info in pkgutil.walk_packages(renubu_tui.services.__path__, "renubu_tui.services."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseException)
                and value.__module__ == info.name
            ):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return found


EXCEPTIONS = _service_exceptions()


def test_the_walk_finds_the_service_exceptions() -> None:
    assert len(EXCEPTIONS) >= 20
    assert "renubu_tui.services.workflows.executions.GateClosed" in EXCEPTIONS


@pytest.mark.parametrize("name", sorted(EXCEPTIONS))
def test_every_service_exception_is_a_refusal_or_a_listed_fault(name: str) -> None:
    cls = EXCEPTIONS[name]
    refusal = issubclass(cls, Refused)
    assert refusal != (name in FAULTS), (
        f"{name} must derive from services.refusals.Refused (a person caused it) "
        "or be listed in FAULTS with why it is not"
        if not refusal
        else f"{name} is a Refused: take it off FAULTS"
    )


def test_the_faults_listed_exist() -> None:
    assert set(FAULTS) <= set(EXCEPTIONS), set(FAULTS) - set(EXCEPTIONS)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("workflows.versions.WorkflowNotFound", NotFound),
        ("queue.service.QueueError", NotFound),
        ("workflows.versions.WorkflowInvalid", BadInput),
        ("config.preferences.PreferenceError", BadInput),
        ("config.values.ConfigChangeRefused", BadInput),
        ("workflows.versions.StaleWorkflow", Conflict),
        ("workflows.versions.WorkflowExists", Conflict),
    ],
)
def test_kinds(name: str, kind: type[Refused]) -> None:
    assert issubclass(EXCEPTIONS[f"renubu_tui.services.{name}"], kind)


def test_not_found_is_still_a_lookup_error() -> None:
    """Code that catches LookupError (an unknown user falls back to a prefix) still does."""
    assert issubclass(NotFound, LookupError) and issubclass(NotFound, ValueError)
