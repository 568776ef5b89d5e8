"""Compiling is linear: a template is compiled in pieces of one tag, most of them cache hits.

The speed itself is measured by `python bench/engine.py`; these tests hold the behaviour that
makes it linear: the code compiled per statement depends on the statement's shape only (not on
the template's length or its values), the shapes are compiled once, pybars3's grammar is not
used, and the rewritten hot spots (the lexer's rule dispatch and its text scan, the whitespace
tests that were quadratic regular expressions) decide exactly as the rules they replace.
"""

from __future__ import annotations

import random
import re

import pytest

from renubu_tui.handlebars import engine, lexer, render, render_text
from renubu_tui.handlebars.js import WHITESPACE
from renubu_tui.handlebars.whitespace import (
    _ends_with_newline_then_blank,
    parse,
)

_S = f"[{WHITESPACE}]"


def _shapes(template: str) -> set[str]:
    """The code of every statement compiled for `template` (cache bypassed)."""
    seen: set[str] = set()
    real = engine._factory

    def spy(code: str, count: int):  # type: ignore[no-untyped-def]
        seen.add(code)
        return real(code, count)

    engine._factory = spy  # type: ignore[assignment]
    try:
        engine._compiled.__wrapped__(template, True)
    finally:
        engine._factory = real
    return seen


def test_statements_compile_by_shape_whatever_the_template_length() -> None:
    unit = (
        "Dear {{customer.name}}, {{money workflow.renewalARR}} is due in "
        "{{workflow.daysUntilRenewal}} days.{{#if (gte workflow.daysOverdue 5)}} Late by "
        "{{workflow.daysOverdue}}.{{else}} On time.{{/if}}\n"
    )
    small, large = _shapes(unit), _shapes(unit * 300)
    assert small == large  # 300 times the statements, the same pieces of code
    assert max(len(code) for code in large) < 300  # each piece is one tag's code
    assert all("Bluesoft" not in code and "customer" not in code for code in large)


def test_a_shape_is_compiled_once_then_reused_with_other_values() -> None:
    engine._factory.cache_clear()
    render("{{a}}", {"a": 1})
    misses = engine._factory.cache_info().misses
    many = "".join(f"{{{{name{i}}}}} " for i in range(2000))  # 2 000 different names
    assert render(many, {"name7": "x"}).startswith("  ")
    assert engine._factory.cache_info().misses == misses  # same shape as {{a}}


def test_values_are_not_written_into_the_code() -> None:
    """A value is a closure cell, never source text: numbers JS reads as Infinity included."""
    assert render("{{lookup this 1e3}}", {"1e3": "no"}) == ""  # 1e3 is not a literal
    huge = "1" + "0" * 400  # a NUMBER token: Number() of it is Infinity in JS
    assert render("{{#each xs}}{{lookup ../n @index}}{{/each}}", {"xs": [0], "n": {"0": "a"}})
    assert render_text(f'{{{{lookup m "{huge}"}}}}', {"m": {huge: "k"}}) == "k"
    assert render_text(f"{{{{#if {huge}}}}}yes{{{{/if}}}}", {}) == "yes"


def test_pybars3_is_not_used() -> None:
    import sys

    render("{{#if a}}{{b}}{{/if}}", {"a": 1, "b": 2})
    assert "pybars" not in sys.modules and "pymeta" not in sys.modules


# --- the lexer: rules dispatched by first character decide as all the rules in order -------

_PIECES = [
    *("{{", "}}", "{{{", "}}}", "{{{{", "}}}}", "{{#", "{{/", "{{^", "{{>", "{{&", "{{!", "{{!--"),
    *("--}}", "{{~", "~}}", "{{else", "else", "as |x y|", "|", "true", "false", "null"),
    *("undefined", "-1.5", "42", "..", ".", "/", "this", "@index", "=", "(", ")", '"a b"'),
    *("'c'", '"', "'", "[x y]", "[", "]", "\\", "\\\\", "#*", "*", " ", "\n", "\r\n", "\t"),
    *("\u00a0", "é", "名", "a", "b", "foo", "x1", "$y", "_z", "-", "\x00", "%", ";", "`"),
]


def _random_template(rng: random.Random) -> str:
    return "".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 40)))


def _tokens_or_error(source: str) -> object:
    try:
        return lexer.tokenize(source)
    except Exception as exc:  # the error itself is compared
        return (type(exc).__name__, str(exc))


_TAG_PIECES = [
    *("if", "each", "customer", "name", "x1", "_z", "a_b", "this", "as", "else", "elsewhere"),
    *("true", "false", "null", "undefined", "trueish", "1", "-", ".", "/", " ", "  ", "\t"),
    *("}", "~", "=", "(", ")", "@", "[a]", "é"),
]


def _random_tag(rng: random.Random) -> str:
    """Mostly tags of names, near the fast path's edges: {{#if a.b}}, {{true}}, {{else.x}}…"""
    body = "".join(rng.choice(_TAG_PIECES) for _ in range(rng.randint(1, 6)))
    tail = rng.choice(["}}", "}}", "}}}", "}}}}", "}", ""])
    return (
        "{{"
        + rng.choice(["", "", "#", "/", "^", "~", "#*"])
        + body
        + tail
        + rng.choice(["", "x", "{{/if}}", "\n"])
    )


def test_the_rule_dispatch_and_the_plain_tag_path_tokenize_as_every_rule_in_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = random.Random(14)
    samples = [_random_template(rng) for _ in range(4000)]
    samples += ["".join(_random_tag(rng) for _ in range(rng.randint(1, 3))) for _ in range(4000)]
    fast = [_tokens_or_error(s) for s in samples]
    plain = [s for s in samples if lexer._SIMPLE_TAG.search(s)]
    monkeypatch.setattr(lexer, "_DISPATCH", [lexer._MU] * 128)
    monkeypatch.setattr(lexer, "_NON_ASCII", lexer._MU)
    monkeypatch.setattr(lexer, "_SIMPLE_TAG", re.compile(r"(?!)"))  # every tag through mu
    reference = [_tokens_or_error(s) for s in samples]
    assert fast == reference
    assert sum(isinstance(t, list) for t in fast) > 2500  # not only errors
    assert len(plain) > 300  # the plain tag path was taken, and agreed


_OLD_CONTENT = re.compile(r"[^\x00]*?(?=\{\{)")  # the INITIAL rules the lexer used to run
_OLD_REST = re.compile(r"[^\x00]+")


def _old_initial(source: str, start: int) -> tuple[str, int, bool] | None:
    """(text, end, whether a mustache follows) as the old rules matched."""
    match = _OLD_CONTENT.match(source, start)
    if match is not None:
        return match.group(), match.end(), True
    match = _OLD_REST.match(source, start)
    return None if match is None else (match.group(), match.end(), False)


def test_the_text_scan_finds_what_the_lazy_regular_expression_found(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(lexer, "_SIMPLE_TAG", re.compile(r"(?!)"))  # the scan alone
    rng = random.Random(7)
    for _ in range(3000):
        source = "".join(rng.choice(["a", "{", "{{", "\x00", "\\", "\n", "}"]) for _ in range(12))
        start = rng.randint(0, len(source))
        scanner = lexer._Lexer(source)
        scanner.pos = start
        expected = _old_initial(source, start)
        try:
            scanner._initial(start)
        except Exception:  # a lexical error where neither rule matches
            assert expected is None and start < len(source)
            continue
        if expected is None:
            assert scanner.tokens[-1].type == "EOF"
            continue
        text, end, mustache = expected
        assert scanner.pos == end
        emitted = "".join(t.text for t in scanner.tokens if t.type == "CONTENT")
        assert emitted == (text[:-1] if mustache and text.endswith("\\") else text)


# --- whitespace control: no regular expression rescans the text ------------------------------

_PREV_WS = re.compile(rf"\r?\n{_S}*?\Z")  # Handlebars' isPrevWhitespace, as it was searched
_PREV_WS_ROOT = re.compile(rf"(?:\A|\r?\n){_S}*?\Z")
_TRAIL_ALL = re.compile(rf"{_S}+\Z")
_TRAIL_LINE = re.compile(r"[ \t]+\Z")


def test_the_end_of_text_tests_answer_as_the_regular_expressions() -> None:
    rng = random.Random(3)
    alphabet = ["a", " ", "\t", "\n", "\r", "\r\n", "\u00a0", "\u2028", "x\n"]
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 10)))
        assert _ends_with_newline_then_blank(text, at_start_too=False) == bool(
            _PREV_WS.search(text)
        )
        assert _ends_with_newline_then_blank(text, at_start_too=True) == bool(
            _PREV_WS_ROOT.search(text)
        )
        assert text.rstrip(WHITESPACE) == _TRAIL_ALL.sub("", text, count=1)
        assert text.rstrip(" \t") == _TRAIL_LINE.sub("", text, count=1)


@pytest.mark.parametrize(
    "template",
    [
        "\n" * 60_000 + "x{{#if a}}\n{{/if}}",  # each of these took 25 s with the old tests
        "{{#if a}}" + "\n" * 60_000 + "x\n{{/if}}",
        " " * 60_000 + "x{{~a}}",
    ],
)
def test_long_runs_of_whitespace_are_parsed(template: str) -> None:
    assert parse(template).body
