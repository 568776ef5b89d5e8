"""Every oracle case renders byte-identically to Handlebars.js 4.7 (tests/handlebars/oracle).

expected.json was produced by the real handlebars package (tools/handlebars_oracle): a case
Handlebars refuses to compile must fail `check` (and `render`), one that compiles but throws
while rendering must pass `check` and make `render` raise TemplateError, and every other case
must render to exactly the same string. Cases named `text/…` carry Handlebars' `noEscape: true`
option and are rendered in renubu's text mode (`render(..., escape=False)`, as `render_text`).
Regenerate with tools/handlebars_oracle/README.md; never edit the expectations to make a case
pass.
"""

from __future__ import annotations

import json
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from renubu_tui.handlebars import TemplateError, check, render

ORACLE = Path(__file__).parent / "oracle"
_SHOWN = 10


@cache
def _load() -> tuple[dict[str, list[dict[str, Any]]], dict[str, Any]]:
    data = json.loads((ORACLE / "cases.json").read_text(encoding="utf-8"))
    expected = json.loads((ORACLE / "expected.json").read_text(encoding="utf-8"))
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for case in data["cases"]:
        if "context_ref" in case:
            case = {**case, "context": data["contexts"][case["context_ref"]]}
        groups[_group(case["name"])].append(case)
    return dict(groups), expected


def _group(name: str) -> str:
    parts = name.split("/")
    if parts[0] == "text":
        return f"text/{_group('/'.join(parts[1:]))}"
    return "/".join(parts[:2]) if parts[0] in ("value", "standalone") else parts[0]


def _outcome(template: str, context: Any, *, escape: bool = True) -> dict[str, Any]:
    """What renubu does with a case, in the shape of expected.json."""
    try:
        check(template)
    except TemplateError:
        try:
            render(template, context, escape=escape)
        except TemplateError:
            return {"error": True, "phase": "compile"}
        return {"error": "check refused a template that renders"}
    try:
        return {"output": render(template, context, escape=escape)}
    except TemplateError:
        return {"error": True, "phase": "render"}


def test_the_corpus_is_complete() -> None:
    groups, expected = _load()
    names = [case["name"] for cases in groups.values() for case in cases]
    assert len(names) == len(set(names)) >= 3000
    assert set(names) == set(expected)
    outcomes = {("output" in e, e.get("phase")) for e in expected.values()}
    assert {(True, None), (False, "compile"), (False, "render")} <= outcomes
    text = [case for cases in groups.values() for case in cases if case["name"][:5] == "text/"]
    assert len(text) >= 2000 and all(case["options"] == {"noEscape": True} for case in text)
    assert {"text/seed", "money", "text/money"} <= set(groups)


@pytest.mark.parametrize("group", sorted(_load()[0]))
def test_matches_handlebars_js(group: str) -> None:
    groups, expected = _load()
    failures = []
    for case in groups[group]:
        want = expected[case["name"]]
        want = {"output": want["output"]} if "output" in want else {**want, "message": None}
        escape = not case.get("options", {}).get("noEscape", False)
        got = _outcome(case["template"], case["context"], escape=escape)
        if {**got, "message": None} != {**want, "message": None}:
            failures.append(f"{case['name']}: {case['template']!r}\n  want {want}\n  got  {got}")
    shown = "\n".join(failures[:_SHOWN])
    assert not failures, f"{len(failures)} of {len(groups[group])} differ:\n{shown}"
