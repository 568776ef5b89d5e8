"""A workflow's JSON text over the limits is refused before it is parsed (no RecursionError)."""

from __future__ import annotations

from renubu_tui.domain.workflow_config import parse_json_text


def test_deeply_nested_json_is_refused_in_words() -> None:
    value, problems = parse_json_text("[" * 3000 + "]" * 3000)
    assert value is None
    assert [p.message for p in problems] == ["the workflow nests 3000 levels; the limit is 64"]


def test_ordinary_json_still_parses() -> None:
    value, problems = parse_json_text('{"id": "x", "steps": [{"id": "a"}]}')
    assert problems == [] and value == {"id": "x", "steps": [{"id": "a"}]}
