"""Saved-action parameters are checked against their stored schema, defaults applied."""

import pytest

from renubu_tui.domain.params import ParamsError, check_params

SNOOZE = {
    "type": "object",
    "properties": {
        "days": {"type": "integer", "minimum": 1, "maximum": 30, "default": 7},
        "reason": {"type": "string", "maxLength": 20},
    },
    "required": ["days"],
}
TASK = {
    "type": "object",
    "properties": {
        "title": {"type": "string", "minLength": 1},
        "dueDate": {"type": "string", "format": "date"},
        "priority": {"type": "string", "enum": ["low", "medium", "high"], "default": "medium"},
        "tags": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["title", "dueDate"],
}


def test_defaults_are_applied() -> None:
    assert check_params(SNOOZE, {}) == {"days": 7}
    assert check_params(SNOOZE, {"days": 3, "reason": "OOO"}) == {"days": 3, "reason": "OOO"}
    assert check_params(TASK, {"title": "Call", "dueDate": "2025-10-01"})["priority"] == "medium"


@pytest.mark.parametrize(
    ("schema", "params", "problem"),
    [
        (SNOOZE, {"days": 0}, "days: at least 1, got 0"),
        (SNOOZE, {"days": 31}, "days: at most 30, got 31"),
        (SNOOZE, {"days": "3"}, "days: expected integer"),
        (SNOOZE, {"days": True}, "days: expected integer"),
        (SNOOZE, {"reason": "x" * 21}, "reason: at most 20 characters"),
        (SNOOZE, {"colour": "red"}, "colour: unknown parameter"),
        (TASK, {"title": "Call"}, "dueDate: required"),
        (TASK, {"title": " ", "dueDate": "2025-10-01"}, "title: must not be empty"),
        (TASK, {"title": "Call", "dueDate": "tomorrow"}, "dueDate: 'tomorrow' is not a valid date"),
        (TASK, {"title": "Call", "dueDate": "2025-10-01", "priority": "asap"}, "is not one of"),
        (TASK, {"title": "C", "dueDate": "2025-10-01", "tags": [1]}, "tags: [0] expected string"),
    ],
)
def test_problems_are_named(schema: dict, params: dict, problem: str) -> None:
    with pytest.raises(ParamsError) as info:
        check_params(schema, params)
    assert any(problem in p for p in info.value.problems), info.value.problems
