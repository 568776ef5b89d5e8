"""Templates and contexts have limits, refused in one line that says how big and what the limit is.

64 KB of template, 64 levels of blocks and subexpressions, a context nested 64 levels, 1 MB of
JSON (handlebars/limits.py). Checked by `check`, `render` and the workflow validator, and
where input enters (`renubu template`, workflow import: test_template_limits_cli.py,
tests/services/workflows/test_workflow_limits.py).
"""

from __future__ import annotations

import json

import pytest

from renubu_tui.domain.workflow_config import validate_config
from renubu_tui.handlebars import (
    LimitError,
    TemplateError,
    check,
    referenced_paths,
    render,
    render_text,
)
from renubu_tui.handlebars.limits import (
    MAX_CONTEXT_DEPTH,
    MAX_TEMPLATE_BYTES,
    MAX_TEMPLATE_NESTING,
    check_context,
    check_json_text,
    check_json_value,
    json_text_depth,
    size_text,
    too_big,
    value_depth,
)


def _nested_list(levels: int) -> object:
    value: object = 1
    for _ in range(levels - 1):
        value = [value]
    return [value]


# --- size ----------------------------------------------------------------------------------


def test_a_template_of_64_kb_is_accepted_and_one_byte_more_is_not() -> None:
    exactly = "{{name}} " + "x" * (MAX_TEMPLATE_BYTES - 9)
    assert len(exactly.encode()) == MAX_TEMPLATE_BYTES
    check(exactly)
    assert render_text(exactly, {"name": "Bluesoft"}).startswith("Bluesoft x")
    with pytest.raises(LimitError) as info:
        check(exactly + "x")
    assert str(info.value) == "template is 65,537 bytes; the limit is 65,536 bytes (64 KB)"


def test_a_megabyte_template_is_refused_at_once_by_check_and_render() -> None:
    big = "Dear {{customer.name}},\n" * (1024 * 1024 // 24)
    for call in (lambda: check(big), lambda: render(big, {}), lambda: referenced_paths(big)):
        with pytest.raises(TemplateError, match=r"^template is 1\.0 MB; the limit is 64 KB$"):
            call()


def test_the_size_is_counted_in_utf8_bytes() -> None:
    text = "é" * (MAX_TEMPLATE_BYTES // 2)  # 2 bytes each: exactly the limit
    check(text)
    with pytest.raises(LimitError, match="template is 65,538 bytes"):
        check(text + "é")


def test_sizes_read_as_people_write_them() -> None:
    assert [size_text(n) for n in (512, 65536, 1536, 1_048_560, 1024 * 1024)] == [
        "512 bytes",
        "64 KB",
        "1.5 KB",
        "1.0 MB",
        "1.0 MB",
    ]
    assert too_big("template", 125 * 1024, 64 * 1024) == "template is 125 KB; the limit is 64 KB"


def test_an_oversized_template_in_a_workflow_is_a_problem_at_its_path() -> None:
    from renubu_tui.resources import seeds_dir

    config = json.loads((seeds_dir() / "workflows/renewal/critical.json").read_text())
    config["steps"][0]["execution"]["llmPrompt"] = "{{customer.name}} " + "x" * 100_000
    problems = [p for p in validate_config(config) if "the limit is" in p.message]
    assert problems and problems[0].path == "$.steps[0].execution.llmPrompt"
    assert "template is 97.7 KB; the limit is 64 KB" in problems[0].message


# --- nesting -------------------------------------------------------------------------------


def test_blocks_nest_64_levels_and_no_more() -> None:
    deepest = "{{#if a}}" * MAX_TEMPLATE_NESTING + "x" + "{{/if}}" * MAX_TEMPLATE_NESTING
    assert render(deepest, {"a": True}) == "x"
    over = "{{#if a}}" * 2000 + "x" + "{{/if}}" * 2000
    with pytest.raises(LimitError) as info:
        check(over)
    assert str(info.value) == (
        "template nests 2000 levels of blocks and subexpressions; the limit is 64 "
        "(level 65 opens at line 1, column 577)"
    )


def test_else_if_chains_and_subexpressions_count_as_levels() -> None:
    chain = "{{#if a}}" + "{{else if b}}" * 63 + "{{/if}}"
    assert render(chain, {"b": 0}) == ""
    with pytest.raises(LimitError, match="template nests 65 levels"):
        check("{{#if a}}" + "{{else if b}}" * 64 + "{{/if}}")
    with pytest.raises(LimitError, match="template nests 100 levels"):
        check("{{x " + "(y " * 100 + ")" * 100 + "}}")


def test_64_levels_of_each_render_from_deep_in_a_call_stack() -> None:
    template = "{{#each xs}}" + "{{#each this}}" * 63 + "[{{this}}]" + "{{/each}}" * 64

    def from_depth(n: int) -> str:
        return from_depth(n - 1) if n else render(template, {"xs": _nested_list(64)})

    assert from_depth(300) == "[1]"


# --- contexts ------------------------------------------------------------------------------


def test_a_context_too_deep_to_render_is_named_not_an_internal_error() -> None:
    deep = {"a": _nested_list(2000)}  # stringified recursively, as JS does
    with pytest.raises(LimitError) as info:
        render("{{a}}", deep)
    assert str(info.value) == "context nests 2001 levels; the limit is 64"
    assert render("{{b}}", {**deep, "b": 1}) == "1"  # what the template does not touch


def test_check_context_refuses_more_than_64_levels() -> None:
    check_context({"a": _nested_list(MAX_CONTEXT_DEPTH - 1)})
    with pytest.raises(LimitError, match=r"^context nests 65 levels; the limit is 64$"):
        check_context({"a": _nested_list(MAX_CONTEXT_DEPTH)})


def test_depths_are_measured_without_recursion() -> None:
    assert value_depth(_nested_list(100_000)) == 100_000
    assert value_depth({"a": [1, {"b": []}], "c": 2}) == 4
    assert value_depth(7) == 0
    assert value_depth(_nested_list(100_000), stop_after=64) == 65


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ('{"a": [1, "]]\\"[", {"b": []}]}', 4),
        ("[" * 2000 + "]" * 2000, 2000),
        ('"[[[["', 0),
        ('["unterminated [[[', 1),
        ('"' + '\\"' * 50_000, 0),  # one string left open: scanned once, not once per quote
    ],
)
def test_json_text_depth_ignores_brackets_in_strings(text: str, depth: int) -> None:
    assert json_text_depth(text) == depth


def test_json_text_and_values_over_the_limits_are_refused_before_parsing() -> None:
    with pytest.raises(LimitError, match=r"^context nests 2000 levels; the limit is 64$"):
        check_json_text("[" * 2000 + "]" * 2000, "context", max_bytes=1 << 20, max_depth=64)
    with pytest.raises(LimitError, match=r"^context is 2\.0 MB; the limit is 1\.0 MB$"):
        check_json_text('"' + "x" * (2 << 20) + '"', "context", max_bytes=1 << 20, max_depth=64)
    with pytest.raises(LimitError, match=r"^workflow nests 3000 levels; the limit is 64$"):
        check_json_value(_nested_list(3000), "workflow", max_bytes=1 << 20, max_depth=64)
    with pytest.raises(LimitError, match=r"^workflow is 2\.0 MB"):
        check_json_value({"a": "x" * (2 << 20)}, "workflow", max_bytes=1 << 20, max_depth=64)
