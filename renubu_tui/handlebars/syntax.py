"""The Handlebars 4.7 grammar (src/handlebars.yy) and AST: `check` refuses what Handlebars does.

A recursive-descent parser over the tokens of `lexer`, building the nodes Handlebars builds
(compiler/helpers.js: prepareBlock, preparePath, validateClose …), including the quirks the
whitespace control depends on: an `{{else if}}` chain is an inverse program holding one block,
and strip flags are read from the tag text exactly as stripFlags does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from renubu_tui.handlebars.errors import TemplateError
from renubu_tui.handlebars.js import UNDEFINED, strict_equals, to_string
from renubu_tui.handlebars.lexer import Token, line_column, tokenize
from renubu_tui.handlebars.limits import MAX_TEMPLATE_NESTING, LimitError

__all__ = [
    "Block",
    "Comment",
    "Content",
    "Expr",
    "Literal",
    "Mustache",
    "Partial",
    "Path",
    "Program",
    "Strip",
    "SubExpr",
    "parse_without_processing",
]


@dataclass(slots=True)
class Strip:
    open: bool = False
    close: bool = False


@dataclass(slots=True)
class Path:
    data: bool
    depth: int
    parts: list[str]
    original: str
    pos: int = 0


@dataclass(slots=True)
class Literal:
    """A string, number, boolean, undefined or null literal; `value` is its JS value."""

    kind: str
    value: Any
    pos: int = 0

    @property
    def original(self) -> Any:
        return self.value


@dataclass(slots=True)
class SubExpr:
    path: Expr
    params: list[Expr]
    hash: list[tuple[str, Expr]] | None
    pos: int = 0

    @property
    def original(self) -> Any:
        return UNDEFINED


Expr = Path | Literal | SubExpr


@dataclass(slots=True)
class Content:
    original: str
    value: str
    left_stripped: bool = False
    right_stripped: bool = False


@dataclass(slots=True)
class Comment:
    value: str
    strip: Strip


@dataclass(slots=True)
class Mustache:
    path: Expr
    params: list[Expr]
    hash: list[tuple[str, Expr]] | None
    escaped: bool
    strip: Strip
    decorator: bool = False
    pos: int = 0


@dataclass(slots=True)
class Program:
    body: list[Any]
    block_params: list[str] | None = None
    chained: bool = False


@dataclass(slots=True)
class Block:
    path: Expr
    params: list[Expr]
    hash: list[tuple[str, Expr]] | None
    program: Program | None
    inverse: Program | None
    open_strip: Strip
    inverse_strip: Strip | None
    close_strip: Strip | None
    decorator: bool = False
    partial: bool = False  # a partial block {{#> name}}…{{/name}}
    pos: int = 0


@dataclass(slots=True)
class Partial:
    name: Expr
    params: list[Expr]
    hash: list[tuple[str, Expr]] | None
    strip: Strip
    pos: int = 0


@dataclass(slots=True)
class _Open:
    """An opening tag: {{#name params hash as |bp|}} (also {{^…}} and {{else …}})."""

    path: Expr
    params: list[Expr]
    hash: list[tuple[str, Expr]] | None
    block_params: list[str] | None
    strip: Strip
    decorator: bool = False
    pos: int = 0


@dataclass(slots=True)
class _Close:
    path: Expr
    strip: Strip


@dataclass(slots=True)
class _Inverse:
    """`{{else}}` + program, or an `{{else if …}}` chain (`chain`)."""

    strip: Strip
    program: Program
    chain: bool = False


_STRAY = {  # what these tokens mean where a statement or the end of the template was expected
    "OPEN_ENDBLOCK": "this {{/…}} closes a block that was never opened",
    "INVERSE": "{{else}} outside a block ({{#if …}}, {{#each …}} …)",
    "OPEN_INVERSE_CHAIN": "{{else …}} outside a block ({{#if …}}, {{#each …}} …)",
}
_BLOCK_OPENS = frozenset({"OPEN_BLOCK", "OPEN_INVERSE", "OPEN_PARTIAL_BLOCK", "OPEN_RAW_BLOCK"})
_STATEMENT_STARTS = frozenset(
    {
        "CONTENT",
        "COMMENT",
        "OPEN",
        "OPEN_UNESCAPED",
        "OPEN_BLOCK",
        "OPEN_INVERSE",
        "OPEN_RAW_BLOCK",
        "OPEN_PARTIAL",
        "OPEN_PARTIAL_BLOCK",
    }
)
_HELPER_NAME_STARTS = frozenset({"ID", "DATA", "STRING", "NUMBER", "BOOLEAN", "UNDEFINED", "NULL"})
_PARAM_STARTS = _HELPER_NAME_STARTS | {"OPEN_SEXPR"}
_TAG_OPENS = frozenset(
    {
        "OPEN",
        "OPEN_UNESCAPED",
        "OPEN_BLOCK",
        "OPEN_INVERSE",
        "OPEN_INVERSE_CHAIN",
        "OPEN_ENDBLOCK",
        "OPEN_PARTIAL",
        "OPEN_PARTIAL_BLOCK",
        "OPEN_RAW_BLOCK",
    }
)
_TAG_CLOSES = frozenset({"CLOSE", "CLOSE_UNESCAPED", "CLOSE_RAW_BLOCK", "INVERSE", "COMMENT"})
_BRACKETED = re.compile(r"\[[^\n\r\u2028\u2029]*\]\Z")
_COMMENT_OPEN = re.compile(r"\A\{\{~?!-?-?")
_COMMENT_CLOSE = re.compile(r"-?-?~?\}\}\Z")
_DESCRIBE = {
    "EOF": "end of template",
    "CLOSE": "'}}'",
    "CLOSE_UNESCAPED": "'}}}'",
    "CLOSE_SEXPR": "')'",
    "OPEN_ENDBLOCK": "'{{/'",
    "ID": "a name",
    "CLOSE_BLOCK_PARAMS": "'|'",
}


def _id(token: str) -> str:
    """yy.id: `[foo bar]` names the property "foo bar"."""
    return token[1:-1] if token[:1] == "[" and _BRACKETED.match(token) else token


def _strip_flags(open_text: str, close_text: str) -> Strip:
    return Strip(
        open=open_text[2:3] == "~",
        close=len(close_text) >= 3 and close_text[-3] == "~",
    )


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = tokenize(source)
        self.count = len(self.tokens)
        _check_nesting(source, self.tokens)
        # EOF repeated past the end: looking one or two tokens ahead never runs off the list
        self.tokens += [self.tokens[-1]] * 3
        self.index = 0

    # --- tokens ---------------------------------------------------------------------------

    def peek(self, ahead: int = 0) -> Token:
        index = self.index + ahead
        return self.tokens[index] if index < self.count else self.tokens[self.count - 1]

    def next(self) -> Token:
        index = self.index
        self.index = index + 1
        return self.tokens[index] if index < self.count else self.tokens[self.count - 1]

    def expect(self, *kinds: str) -> Token:
        token = self.tokens[self.index]  # the parser never reads past EOF: see __init__
        if token.type not in kinds:
            raise self.error(token, " or ".join(_DESCRIBE.get(k, k) for k in kinds))
        self.index += 1
        return token

    def error(self, token: Token, expected: str) -> TemplateError:
        unclosed = self.unclosed(token)
        if unclosed is not None:
            return unclosed
        line, column = line_column(self.source, token.pos)
        if token.type == "EOF":
            got = _DESCRIBE["EOF"]
        elif token.type == "INVALID":  # show the whole word the lexer could not take
            got = repr((self.source[token.pos :].split(None, 1) or [""])[0][:30])
        else:
            got = repr(token.text)
        return TemplateError(f"line {line}, column {column}: expected {expected}, got {got}")

    def unclosed(self, token: Token) -> TemplateError | None:
        """What is wrong when a tag, string or [name] is never closed, said as such.

        "expected a name or a literal, got 'name'" for `{{name` at the end of a template
        becomes "unclosed {{ at line 1, column 1: '{{name' has no }} before the end of the
        template".
        """
        source = self.source
        opening = self.opening_tag()
        if opening is None and token.type in _TAG_OPENS:  # `{{/if` where no block is open
            opening = token
        if opening is not None:
            after = opening.pos + len(opening.text)
            close, following = source.find("}}", after), source.find("{{", after)
            if close < 0 or 0 <= following < close:
                line, column = line_column(source, opening.pos)
                shown = _snippet(source, opening.pos)
                if following < 0:
                    where = "the end of the template"
                else:
                    next_line, next_column = line_column(source, following)
                    where = f"the next {{{{ at line {next_line}, column {next_column}"
                return TemplateError(
                    f"unclosed {{{{ at line {line}, column {column}: {shown} has no }}}} "
                    f"before {where}"
                )
        if token.type == "INVALID" and source[token.pos] in "\"'[":
            quote = source[token.pos]
            closing = "]" if quote == "[" else quote
            what = "[name]" if quote == "[" else "string"
            line, column = line_column(source, token.pos)
            return TemplateError(
                f"unclosed {what} at line {line}, column {column}: "
                f"{_snippet(source, token.pos)} has no closing {closing}"
            )
        return None

    def opening_tag(self) -> Token | None:
        """The token that opened the tag being parsed (None between tags)."""
        for index in range(min(self.index, self.count) - 1, -1, -1):
            kind = self.tokens[index].type
            if kind in _TAG_CLOSES:
                return None
            if kind in _TAG_OPENS:
                return self.tokens[index]
        return None

    def fail(self, pos: int, message: str) -> TemplateError:
        line, column = line_column(self.source, pos)
        return TemplateError(f"line {line}, column {column}: {message}")

    # --- statements -----------------------------------------------------------------------

    def root(self) -> Program:
        program = self.program()
        token = self.peek()
        if token.type in _STRAY and self.unclosed(token) is None:
            line, column = line_column(self.source, token.pos)
            raise TemplateError(f"line {line}, column {column}: {_STRAY[token.type]}")
        self.expect("EOF")
        return program

    def program(self) -> Program:
        body: list[Any] = []
        tokens = self.tokens
        while tokens[self.index].type in _STATEMENT_STARTS:
            body.append(self.statement())
        return Program(body)

    def statement(self) -> Any:
        token = self.peek()
        kind = token.type
        if kind == "CONTENT":
            self.next()
            return Content(token.text, token.text)
        if kind == "COMMENT":
            self.next()
            text = _COMMENT_CLOSE.sub("", _COMMENT_OPEN.sub("", token.text))
            return Comment(text, _strip_flags(token.text, token.text))
        if kind in ("OPEN", "OPEN_UNESCAPED"):
            return self.mustache()
        if kind == "OPEN_BLOCK":
            return self.block()
        if kind == "OPEN_INVERSE":
            return self.inverted_block()
        if kind == "OPEN_RAW_BLOCK":
            return self.raw_block()
        if kind == "OPEN_PARTIAL":
            return self.partial()
        return self.partial_block()

    def mustache(self) -> Mustache:
        open_token = self.next()
        path = self.helper_name()
        params, hash_ = self.params_and_hash()
        closing = "CLOSE" if open_token.type == "OPEN" else "CLOSE_UNESCAPED"
        close = self.expect(closing)
        flag = open_token.text[3:4] or open_token.text[2:3]
        return Mustache(
            path,
            params,
            hash_,
            escaped=flag not in ("{", "&"),
            strip=_strip_flags(open_token.text, close.text),
            decorator="*" in open_token.text,
            pos=open_token.pos,
        )

    def open_tag(self) -> _Open:
        open_token = self.next()
        path = self.helper_name()
        params, hash_ = self.params_and_hash()
        block_params = None
        if self.peek().type == "OPEN_BLOCK_PARAMS":
            self.next()
            block_params = [self.expect("ID").text]
            while self.peek().type == "ID":
                block_params.append(self.next().text)
            self.expect("CLOSE_BLOCK_PARAMS")
        close = self.expect("CLOSE")
        return _Open(
            path,
            params,
            hash_,
            block_params,
            _strip_flags(open_token.text, close.text),
            decorator=open_token.type == "OPEN_BLOCK" and "*" in open_token.text,
            pos=open_token.pos,
        )

    def block(self) -> Block:
        opening = self.open_tag()
        program = self.program()
        inverse = None
        if self.peek().type in ("INVERSE", "OPEN_INVERSE_CHAIN"):
            inverse = self.inverse_chain()
        close = self.close_block(opening, "#")
        return self.prepare_block(opening, program, inverse, close, inverted=False)

    def inverted_block(self) -> Block:
        opening = self.open_tag()
        program = self.program()
        inverse = None
        if self.peek().type == "INVERSE":
            token = self.next()
            inverse = _Inverse(_strip_flags(token.text, token.text), self.program())
        close = self.close_block(opening, "^")
        return self.prepare_block(opening, program, inverse, close, inverted=True)

    def inverse_chain(self) -> _Inverse:
        if self.peek().type == "INVERSE":
            token = self.next()
            return _Inverse(_strip_flags(token.text, token.text), self.program())
        opening = self.open_tag()
        program = self.program()
        nested = None
        if self.peek().type in ("INVERSE", "OPEN_INVERSE_CHAIN"):
            nested = self.inverse_chain()
        block = self.prepare_block(opening, program, nested, nested, inverted=False)
        return _Inverse(opening.strip, Program([block], chained=True), chain=True)

    def close_block(self, opening: _Open | None = None, sigil: str = "#") -> _Close:
        if opening is not None and self.peek().type == "EOF":
            name = to_string(opening.path.original)
            raise self.fail(opening.pos, f"{{{{{sigil}{name}}}}} is never closed")
        open_token = self.expect("OPEN_ENDBLOCK")
        path = self.helper_name()
        close = self.expect("CLOSE")
        return _Close(path, _strip_flags(open_token.text, close.text))

    def prepare_block(
        self,
        opening: _Open,
        program: Program,
        inverse_and_program: _Inverse | None,
        close: _Close | _Inverse | None,
        *,
        inverted: bool,
    ) -> Block:
        if isinstance(close, _Close):
            self.validate_close(opening.path, close.path.original, opening.pos)
        program.block_params = opening.block_params
        inverse: Program | None = None
        inverse_strip = None
        if inverse_and_program is not None:
            if opening.decorator:
                raise self.fail(opening.pos, "unexpected inverse block on decorator")
            if inverse_and_program.chain and close is not None:
                inverse_and_program.program.body[0].close_strip = close.strip
            inverse_strip = inverse_and_program.strip
            inverse = inverse_and_program.program
        main: Program | None = program
        if inverted:
            main, inverse = inverse, program
        return Block(
            opening.path,
            opening.params,
            opening.hash,
            main,
            inverse,
            open_strip=opening.strip,
            inverse_strip=inverse_strip,
            close_strip=close.strip if close is not None else None,
            decorator=opening.decorator,
            pos=opening.pos,
        )

    def validate_close(self, path: Expr, close: Any, pos: int) -> None:
        if not strict_equals(path.original, close):
            opened, closed = to_string(path.original), to_string(close)
            raise self.fail(pos, f"{{{{/{closed}}}}} doesn't match {{{{#{opened}}}}}")

    def raw_block(self) -> Block:
        open_token = self.next()
        path = self.helper_name()
        params, hash_ = self.params_and_hash()
        self.expect("CLOSE_RAW_BLOCK")
        contents: list[Any] = []
        while self.peek().type == "CONTENT":
            token = self.next()
            contents.append(Content(token.text, token.text))
        end = self.expect("END_RAW_BLOCK")
        self.validate_close(path, end.text, open_token.pos)
        return Block(
            path,
            params,
            hash_,
            Program(contents),
            None,
            open_strip=Strip(),
            inverse_strip=Strip(),
            close_strip=Strip(),
            pos=open_token.pos,
        )

    def partial(self) -> Partial:
        open_token = self.next()
        name = self.param()
        params, hash_ = self.params_and_hash()
        close = self.expect("CLOSE")
        if len(params) > 1:
            raise self.fail(
                open_token.pos, f"Unsupported number of partial arguments: {len(params)}"
            )
        return Partial(
            name, params, hash_, _strip_flags(open_token.text, close.text), open_token.pos
        )

    def partial_block(self) -> Block:
        open_token = self.next()
        name = self.param()
        params, hash_ = self.params_and_hash()
        close_open = self.expect("CLOSE")
        program = self.program()
        close = self.close_block()
        self.validate_close(name, close.path.original, open_token.pos)
        if len(params) > 1:
            raise self.fail(
                open_token.pos, f"Unsupported number of partial arguments: {len(params)}"
            )
        return Block(
            name,
            params,
            hash_,
            program,
            None,
            open_strip=_strip_flags(open_token.text, close_open.text),
            inverse_strip=None,
            close_strip=close.strip,
            partial=True,
            pos=open_token.pos,
        )

    # --- expressions ----------------------------------------------------------------------

    def params_and_hash(self) -> tuple[list[Expr], list[tuple[str, Expr]] | None]:
        params: list[Expr] = []
        tokens = self.tokens
        while tokens[self.index].type in _PARAM_STARTS and not self.at_hash():
            params.append(self.param())
        if not self.at_hash():
            return params, None
        pairs: list[tuple[str, Expr]] = []
        while self.at_hash():
            key = _id(self.next().text)
            self.next()
            pairs.append((key, self.param()))
        return params, pairs

    def at_hash(self) -> bool:
        index = self.index
        return self.tokens[index].type == "ID" and self.tokens[index + 1].type == "EQUALS"

    def param(self) -> Expr:
        if self.peek().type == "OPEN_SEXPR":
            open_token = self.next()
            path = self.helper_name()
            params, hash_ = self.params_and_hash()
            self.expect("CLOSE_SEXPR")
            return SubExpr(path, params, hash_, open_token.pos)
        return self.helper_name()

    def helper_name(self) -> Expr:
        token = self.peek()
        kind = token.type
        if kind == "ID":
            return self.path(data=False)
        if kind == "DATA":
            self.next()
            return self.path(data=True, pos=token.pos)
        if kind not in _HELPER_NAME_STARTS:
            raise self.error(token, "a name or a literal")
        self.next()
        if kind == "STRING":
            return Literal("string", token.text, token.pos)
        if kind == "NUMBER":
            return Literal("number", _number(token.text), token.pos)
        if kind == "BOOLEAN":
            return Literal("boolean", token.text == "true", token.pos)
        if kind == "UNDEFINED":
            return Literal("undefined", UNDEFINED, token.pos)
        return Literal("null", None, token.pos)

    def path(self, *, data: bool, pos: int | None = None) -> Path:
        first = self.expect("ID")
        tokens = self.tokens
        if tokens[self.index].type != "SEP":  # most paths: one plain name
            text = first.text
            if not data and text[:1] != "[" and text not in ("..", ".", "this"):
                return Path(False, 0, [text], text, first.pos if pos is None else pos)
        segments = [(first.text, "")]
        while tokens[self.index].type == "SEP":
            separator = self.next().text
            segments.append((self.expect("ID").text, separator))
        return self.prepare_path(data, segments, first.pos if pos is None else pos)

    def prepare_path(self, data: bool, segments: list[tuple[str, str]], pos: int) -> Path:
        original = "@" if data else ""
        dig: list[str] = []
        depth = 0
        for token, separator in segments:
            part = _id(token)
            literal = token != part
            original += separator + part
            if not literal and part in ("..", ".", "this"):
                if dig:
                    raise self.fail(pos, f"Invalid path: {original}")
                if part == "..":
                    depth += 1
            else:
                dig.append(part)
        return Path(data, depth, dig, original, pos)


def _snippet(source: str, pos: int) -> str:
    """The text at `pos`, to the end of its line, at most 20 characters, quoted."""
    text = source[pos : pos + 20].split("\n", 1)[0]
    return repr(text + ("…" if len(text) == 20 else ""))


def _check_nesting(source: str, tokens: list[Token]) -> None:
    """Refuse more than MAX_TEMPLATE_NESTING levels of blocks and subexpressions.

    Counted on the tokens, before parsing: the parser, the whitespace pass, the compiler and
    rendering all recurse once per level. An {{else if}} chain nests one level per link (it
    is a block inside the {{else}}), all closed by the one {{/if}}.
    """
    blocks: list[int] = []  # levels held by each open block
    depth = deepest = subexpressions = 0
    first_over: Token | None = None
    for token in tokens:
        kind = token.type
        if kind in _BLOCK_OPENS:
            blocks.append(1)
            depth += 1
        elif kind == "OPEN_INVERSE_CHAIN" and blocks:
            blocks[-1] += 1
            depth += 1
        elif kind in ("OPEN_ENDBLOCK", "END_RAW_BLOCK") and blocks:
            depth -= blocks.pop()
        elif kind == "OPEN_SEXPR":
            subexpressions += 1
        elif kind == "CLOSE_SEXPR" and subexpressions:
            subexpressions -= 1
        elif kind in _TAG_CLOSES:
            subexpressions = 0
        level = depth + subexpressions
        if level > deepest:
            deepest = level
            if first_over is None and level > MAX_TEMPLATE_NESTING:
                first_over = token
    if first_over is not None:
        line, column = line_column(source, first_over.pos)
        raise LimitError(
            f"template nests {deepest} levels of blocks and subexpressions; the limit is "
            f"{MAX_TEMPLATE_NESTING} (level {MAX_TEMPLATE_NESTING + 1} opens at line {line}, "
            f"column {column})"
        )


def _number(text: str) -> int | float:
    """Number(text) for a NUMBER token (-?[0-9]+(.[0-9]+)?)."""
    if "." not in text:
        value = int(text)
        if abs(value) < 2**53:
            return value
    return float(text)


def parse_without_processing(source: str) -> Program:
    """The AST of a template, before whitespace control; raises TemplateError where JS would."""
    return _Parser(source).root()
