"""Handlebars' whitespace control (compiler/whitespace-control.js), ported statement for statement.

`~` strips all whitespace on its side; a block, `{{else}}` or comment alone on its line
("standalone") takes its line's indentation and newline with it. pybars3 approximates this with
regular expressions over the source and differs on CRLF, nested blocks and `{{else if}}` chains,
so the same visitor runs over the AST here. The regular expressions keep JS meanings (`\\s` is
JS whitespace, `$` the end of input).
"""

from __future__ import annotations

import re
from typing import Any

from renubu_tui.handlebars.js import WHITESPACE
from renubu_tui.handlebars.syntax import (
    Block,
    Comment,
    Content,
    Mustache,
    Partial,
    Program,
    parse_without_processing,
)

__all__ = ["parse"]

_S = f"[{WHITESPACE}]"
_NEXT_WS = re.compile(rf"\A{_S}*?\r?\n")
_NEXT_WS_ROOT = re.compile(rf"\A{_S}*?(?:\r?\n|\Z)")
_LEAD_ALL = re.compile(rf"\A{_S}+")
_LEAD_LINE = re.compile(r"\A[ \t]*\r?\n?")

# Handlebars tests the end of a text with /\r?\n\s*?$/ (isPrevWhitespace) and strips it with
# /\s+$/ and /[ \t]+$/ (omitLeft). Searched with a regular expression, each of these tries
# every start position and rescans the whitespace after it: a 64 KB run of newlines took 25 s.
# They are answered from the text's trailing whitespace instead, which is the same question:
# "\r?\n\s*?$" matches exactly when that whitespace holds a newline, and "\s+$" is rstrip.


def _trailing_whitespace(text: str) -> str:
    return text[len(text.rstrip(WHITESPACE)) :]


def _ends_with_newline_then_blank(text: str, *, at_start_too: bool) -> bool:
    r"""/\r?\n\s*?$/ (with `at_start_too`, /(^|\r?\n)\s*?$/) on `text`."""
    trailing = _trailing_whitespace(text)
    return "\n" in trailing or (at_start_too and len(trailing) == len(text))


class _Strip:
    __slots__ = ("close", "close_standalone", "inline_standalone", "open", "open_standalone")

    def __init__(
        self,
        *,
        open: bool = False,
        close: bool = False,
        open_standalone: bool = False,
        close_standalone: bool = False,
        inline_standalone: bool = False,
    ) -> None:
        self.open = open
        self.close = close
        self.open_standalone = open_standalone
        self.close_standalone = close_standalone
        self.inline_standalone = inline_standalone


def _at(body: list[Any], index: int) -> Any:
    return body[index] if 0 <= index < len(body) else None


def _is_prev_whitespace(body: list[Any], i: int | None = None, is_root: bool = False) -> bool:
    if i is None:
        i = len(body)
    prev, sibling = _at(body, i - 1), _at(body, i - 2)
    if prev is None:
        return is_root
    if isinstance(prev, Content):
        at_start_too = sibling is None and is_root
        return _ends_with_newline_then_blank(prev.original, at_start_too=at_start_too)
    return False


def _is_next_whitespace(body: list[Any], i: int | None = None, is_root: bool = False) -> bool:
    if i is None:
        i = -1
    following, sibling = _at(body, i + 1), _at(body, i + 2)
    if following is None:
        return is_root
    if isinstance(following, Content):
        pattern = _NEXT_WS if (sibling is not None or not is_root) else _NEXT_WS_ROOT
        return pattern.match(following.original) is not None
    return False


def _omit_right(body: list[Any], i: int | None = None, multiple: bool = False) -> None:
    current = _at(body, 0 if i is None else i + 1)
    if not isinstance(current, Content) or (not multiple and current.right_stripped):
        return
    original = current.value
    current.value = (_LEAD_ALL if multiple else _LEAD_LINE).sub("", original, count=1)
    current.right_stripped = current.value != original


def _omit_left(body: list[Any], i: int | None = None, multiple: bool = False) -> bool:
    current = _at(body, len(body) - 1 if i is None else i - 1)
    if not isinstance(current, Content) or (not multiple and current.left_stripped):
        return False
    original = current.value
    current.value = original.rstrip(WHITESPACE if multiple else " \t")
    current.left_stripped = current.value != original
    return current.left_stripped


class _WhitespaceControl:
    def __init__(self) -> None:
        self.is_root_seen = False

    def accept(self, node: Any) -> _Strip | None:
        if isinstance(node, Program):
            self.program(node)
            return None
        if isinstance(node, Block):
            return self.block(node)
        if isinstance(node, Mustache):
            return _Strip(open=node.strip.open, close=node.strip.close)
        if isinstance(node, Partial | Comment):
            return _Strip(open=node.strip.open, close=node.strip.close, inline_standalone=True)
        return None

    def program(self, program: Program) -> None:
        is_root = not self.is_root_seen
        self.is_root_seen = True
        body = program.body
        for i, current in enumerate(body):
            strip = self.accept(current)
            if strip is None:
                continue
            prev_ws = _is_prev_whitespace(body, i, is_root)
            next_ws = _is_next_whitespace(body, i, is_root)
            open_standalone = strip.open_standalone and prev_ws
            close_standalone = strip.close_standalone and next_ws
            inline_standalone = strip.inline_standalone and prev_ws and next_ws
            if strip.close:
                _omit_right(body, i, True)
            if strip.open:
                _omit_left(body, i, True)
            if inline_standalone:
                _omit_right(body, i)
                _omit_left(body, i)
            if open_standalone:
                _omit_right((current.program or current.inverse).body)
                _omit_left(body, i)
            if close_standalone:
                _omit_right(body, i)
                _omit_left((current.inverse or current.program).body)

    def block(self, block: Block) -> _Strip:
        if block.program is not None:
            self.accept(block.program)
        if block.inverse is not None:
            self.accept(block.inverse)
        program = block.program or block.inverse
        assert program is not None
        inverse = block.inverse if block.program is not None else None
        first_inverse = last_inverse = inverse
        if inverse is not None and inverse.chained:
            first_inverse = inverse.body[0].program
            last: Program = inverse  # a chained inverse ({{else if}}) holds a block with a program
            while last.chained:
                last = last.body[-1].program
            last_inverse = last
        close_strip = block.close_strip
        strip = _Strip(
            open=block.open_strip.open,
            close=bool(close_strip and close_strip.close),
            open_standalone=_is_next_whitespace(program.body),
            close_standalone=_is_prev_whitespace((first_inverse or program).body),
        )
        if block.open_strip.close:
            _omit_right(program.body, None, True)
        if inverse is not None and first_inverse is not None and last_inverse is not None:
            inverse_strip = block.inverse_strip
            if inverse_strip is not None and inverse_strip.open:
                _omit_left(program.body, None, True)
            if inverse_strip is not None and inverse_strip.close:
                _omit_right(first_inverse.body, None, True)
            if close_strip is not None and close_strip.open:
                _omit_left(last_inverse.body, None, True)
            if _is_prev_whitespace(program.body) and _is_next_whitespace(first_inverse.body):
                _omit_left(program.body)
                _omit_right(first_inverse.body)
        elif close_strip is not None and close_strip.open:
            _omit_left(program.body, None, True)
        return strip


def parse(source: str) -> Program:
    """Handlebars.parse: the AST with whitespace control applied (content values stripped)."""
    program = parse_without_processing(source)
    _WhitespaceControl().accept(program)
    return program
