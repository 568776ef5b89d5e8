"""Compiling templates to Python closures, and rendering them: `render` and `check`.

The tree comes from `whitespace.parse` (the Handlebars 4.7 grammar and whitespace control).
Each program (a template's body, a block's body or its {{else}}) compiles to one function that
evaluates its statements in order and joins them as Handlebars' JavaScriptCompiler does
(`runtime.merge`); each mustache or block is one closure whose Python code calls into `runtime`
(Handlebars' lookup, helper and escaping rules, with JS values).

Linear compile. Handlebars.js and pybars3 generate the source of one function per template and
compile it; pybars3 assembles it by walking the tree with an OMeta grammar (PyMeta): about 60 µs
per node, a memo per node kept to the end, every nested block's source copied into its parent's,
then Python's compiler over the whole module. A 64 KB template took over half a second (a
template of newline-separated tags several seconds, 1 MB 46 s and 800 MB). Here the code of an
expression is written with its values lifted out as parameters (`resolve(context.ctx, c0)`,
`options(context, c1, {}, None, None)`), so it depends only on the expression's *shape*; the
shape is compiled once into a factory (`_factory`, cached), and each occurrence is that factory
called with its own values. A template is compiled in pieces, one per statement, no piece
larger than one tag, and most pieces are cache hits: compile time is linear in the template
(64 KB in a few tens of ms; `python bench/engine.py`). The code is the same code pybars3 was
given, so the output is unchanged (tests/handlebars/test_oracle.py).

Two output modes. HTML (the default, `render`): `{{x}}` is HTML-escaped as Handlebars.js does,
which `renubu template render` and the oracle promise byte for byte. Text (`render_text`, or
`escape=False`): what Handlebars.js gives with the `noEscape: true` compile option, where
`{{x}}` appends the value exactly as `{{{x}}}` does (numbers next to each other add up, as in
JS). Text is what people read in a terminal or a plain-text e-mail and what a model reads, where
`&amp;` would be shown literally; it is never markup, so whoever displays it must show it as
plain text (`renubu_tui.tui.text.plain`, `safe_text.printable`).

Limits (limits.py): a template over 64 KB or nesting blocks and subexpressions over 64 levels is
refused before it is parsed; a context that nests too deeply to render is refused by name.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from renubu_tui.handlebars import runtime
from renubu_tui.handlebars.errors import TemplateError
from renubu_tui.handlebars.helpers import DOMAIN_HELPERS
from renubu_tui.handlebars.js import JSError, to_string
from renubu_tui.handlebars.limits import (
    MAX_CONTEXT_DEPTH,
    LimitError,
    check_template_size,
    value_depth,
)
from renubu_tui.handlebars.syntax import (
    Block,
    Comment,
    Content,
    Expr,
    Literal,
    Mustache,
    Partial,
    Path,
    Program,
    SubExpr,
)
from renubu_tui.handlebars.whitespace import parse

__all__ = ["HELPERS", "check", "parse_template", "render", "render_text"]

HELPERS: dict[str, Callable[..., Any]] = {**runtime.BUILTIN_HELPERS, **DOMAIN_HELPERS}
_CACHE_SIZE = 2048  # compiled templates
_SHAPE_CACHE_SIZE = 4096  # compiled expression shapes (a template has a few dozen)
_LARGE = 8 * 1024  # a template this long compiles without the cyclic collector
_SCOPED = re.compile(r"^\.|this\b", re.ASCII)
_NAMESPACE: dict[str, Any] = {
    name: getattr(runtime, name)
    for name in (
        "Program",
        "NOOP",
        "UNDEFINED",
        "raw",
        "escape_expression",
        "resolve",
        "resolve_falsy",
        "depth",
        "data_at",
        "block_param",
        "options",
        "invoke_helper",
        "invoke_known",
        "invoke_ambiguous",
        "ambiguous_block",
        "simple_block",
        "unsupported",
    )
}
_NAMESPACE["__builtins__"] = {}  # the generated code calls the runtime and nothing else


def check(template: str) -> None:
    """Raise TemplateError where Handlebars.js would refuse to compile `template`.

    Also where it is over the limits (limits.py): 64 KB, 64 levels of nesting.
    """
    parse_template(template)


def render(template: str, context: Mapping[str, Any], *, escape: bool = True) -> str:
    """Render `template` against `context` exactly as Handlebars.js 4 would.

    HTML-escaped by default; `escape=False` renders as Handlebars.js with `noEscape: true`.
    """
    if not isinstance(template, str):
        raise TemplateError(f"a template must be a string, not {type(template).__name__}")
    try:
        return _compiled(template, escape)(runtime.Frame.root(context))
    except JSError as exc:
        raise TemplateError(f"render error: {exc}") from None
    except RecursionError:
        raise _too_deep(context) from None


def render_text(template: str, context: Mapping[str, Any]) -> str:
    """Text for people and models, not HTML: "Pinnacle & Sons <Edu>" stays as written.

    Handlebars.js with `noEscape: true`; everything else (helpers, whitespace, JS values) as
    `render`.
    """
    return render(template, context, escape=False)


def parse_template(template: str) -> Program:
    """The Handlebars AST of a template, whitespace control applied; TemplateError if invalid."""
    if not isinstance(template, str):
        raise TemplateError(f"a template must be a string, not {type(template).__name__}")
    check_template_size(template)
    try:
        return parse(template)
    except RecursionError:  # pragma: no cover - the nesting limit comes first
        raise TemplateError("template is too deeply nested") from None


@contextmanager
def _no_cycle_collection(large: bool) -> Iterator[None]:
    """Without the cyclic garbage collector while a large template compiles.

    Compiling allocates tens of thousands of small objects (tokens, AST nodes, closures) that
    all live until it ends and form no cycles; the collector would scan them again each time
    they are promoted: a quarter of a 64 KB compile. Reference counting still frees as usual.
    Only switched off if it was on, and always back on: another thread that switched it off
    meanwhile finds it as it left it when this one started after it.
    """
    if not large or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _too_deep(context: Any) -> TemplateError:
    """Why a render ran out of stack: the templates' nesting is capped, so mostly the context
    (an array nested 2 000 deep is stringified recursively, as JS does)."""
    depth = value_depth(context)
    if depth > MAX_CONTEXT_DEPTH:
        return LimitError(f"context nests {depth} levels; the limit is {MAX_CONTEXT_DEPTH}")
    return TemplateError("template or context too deeply nested to render")


@lru_cache(maxsize=_CACHE_SIZE)
def _compiled(template: str, escape: bool = True) -> Callable[[runtime.Frame], str]:
    with _no_cycle_collection(len(template) > _LARGE):
        body = _Compiler(escape=escape).program(parse_template(template))
    to_output = runtime.to_output

    def render_frame(frame: runtime.Frame) -> str:
        return to_output(body(frame, HELPERS, None, None))

    return render_frame


@lru_cache(maxsize=_SHAPE_CACHE_SIZE)
def _factory(code: str, count: int) -> Callable[..., Callable[[runtime.Frame, Any], Any]]:
    """`lambda c0, c1, …: lambda context, helpers: <code>`, compiled once per shape."""
    parameters = ", ".join(f"c{i}" for i in range(count))
    source = f"lambda {parameters}: lambda context, helpers: {code}"
    factory: Callable[..., Callable[[runtime.Frame, Any], Any]] = eval(
        compile(source, "<template>", "eval"), _NAMESPACE
    )
    return factory


def _body(ops: tuple[Any, ...], kinds: str, simple: bool) -> Callable[..., Any]:
    """A program's function: each statement's value in order (text as is), merged as in JS."""
    merge = runtime.merge

    def body(context: runtime.Frame, helpers: Any, partials: Any = None, root: Any = None) -> Any:
        return merge(
            [op if op.__class__ is str else op(context, helpers) for op in ops], kinds, simple
        )

    return body


# --- AST → closures --------------------------------------------------------------------------


def _as_path(expr: Expr) -> Path:
    """transformLiteralToPath: `{{"a b"}}`, `{{1}}`, `{{true}}` name context keys."""
    if isinstance(expr, Path):
        return expr
    name = to_string(expr.original) if not isinstance(expr, SubExpr) else "undefined"
    return Path(False, 0, [name], name, expr.pos)


def _scoped(path: Path) -> bool:
    return _SCOPED.search(path.original) is not None


def _simple(path: Path) -> bool:
    return len(path.parts) == 1 and not _scoped(path) and not path.depth


class _Compiler:
    """Compiles the Handlebars AST into one function per program.

    A statement's code names its values c0, c1 … (`const`); `closure` turns the code into a
    function of (frame, helpers) through the shape's cached factory. `kinds` records, per
    statement, "a" (appended) or "b" (an ambiguous block, `{{#name}}`) for `runtime.merge`.
    Block param scopes are tracked as Handlebars' compiler does (one level per program).
    Without `escape` (noEscape), `{{x}}` compiles as `{{{x}}}` does: Handlebars' `append`
    opcode.
    """

    def __init__(self, *, escape: bool = True) -> None:
        self.escape = escape
        self.block_params: list[list[str] | None] = []
        self.consts: list[Any] = []

    def const(self, value: Any) -> str:
        self.consts.append(value)
        return f"c{len(self.consts) - 1}"

    def closure(self, code: str) -> Callable[[runtime.Frame, Any], Any]:
        consts, self.consts = self.consts, []
        return _factory(code, len(consts))(*consts)

    def program(self, program: Program) -> Callable[..., Any]:
        self.block_params.insert(0, program.block_params)
        ops: list[Any] = []
        kinds = ""
        for node in program.body:
            if isinstance(node, Content):
                if node.value:
                    ops.append(node.value)
                    kinds += "a"
            elif isinstance(node, Comment):
                continue
            elif isinstance(node, Mustache):
                self.consts = []
                code = (
                    'unsupported("decorators")' if node.decorator else self.call(node, block=False)
                )
                escaped = node.escaped and self.escape
                code = f"escape_expression({code})" if escaped else f"raw({code})"
                ops.append(self.closure(code))
                kinds += "a"
            elif isinstance(node, Partial):
                self.consts = []
                ops.append(self.closure('unsupported("partials")'))
                kinds += "a"
            else:
                op, kind = self.block(node)
                ops.append(op)
                kinds += kind
        self.block_params.pop(0)
        return _body(tuple(ops), kinds, len(program.body) == 1)

    def block(self, node: Block) -> tuple[Callable[[runtime.Frame, Any], Any], str]:
        """The closure of a block, and "b" if it is an ambiguous block (else "a")."""
        main = self.program(node.program) if node.program is not None else None
        inverse = self.program(node.inverse) if node.inverse is not None else None
        self.consts = []
        kind = "a"
        if node.partial or node.decorator:
            what = "partials" if node.partial else "decorators"
            code = f'unsupported("{what}")'
        else:
            fn = f"Program({self.const(main)}, context, helpers)" if main is not None else "NOOP"
            inv = (
                f"Program({self.const(inverse)}, context, helpers)"
                if inverse is not None
                else "NOOP"
            )
            code = self.call(node, block=True, fn=fn, inverse=inv)
            if code.startswith("ambiguous_block("):
                kind = "b"
            else:
                code = f"raw({code})"
        return self.closure(code), kind

    # --- expressions ------------------------------------------------------------------------

    def block_param_index(self, name: str) -> tuple[int, int] | None:
        for level, names in enumerate(self.block_params):
            if names and name in names:
                return level, names.index(name)
        return None

    def path(self, path: Path, *, falsy: bool = False) -> str:
        """The value of a path (lookupOnContext / lookupData / lookupBlockParam)."""
        name = path.parts[0] if path.parts else ""
        found = None
        if not path.depth and not _scoped(path) and name:
            found = self.block_param_index(name)
        if found is not None:
            base = f"block_param(context, {self.const(found[0])}, {self.const(found[1])})"
            if len(path.parts) > 1:
                return f"resolve({base}, {self.const(tuple(path.parts[1:]))})"
            return base
        if path.data and name:
            base = "context.data"
            if path.depth:
                base = f"data_at(context, {self.const(path.depth)})"
            return f"resolve_falsy({base}, {self.const(tuple(path.parts))})"
        base = "context.ctx" if not path.depth else f"depth(context, {self.const(path.depth)})"
        if not name:  # `this`, `.`, `..`, and {{""}}: the context itself
            return base
        lookup = "resolve_falsy" if falsy else "resolve"
        return f"{lookup}({base}, {self.const(tuple(path.parts))})"

    def expr(self, expr: Expr) -> str:
        if isinstance(expr, Literal):
            return self.const(expr.value)  # UNDEFINED for `undefined`
        if isinstance(expr, SubExpr):
            return self.call(expr, block=False)
        return self.path(expr)

    def hash(self, pairs: list[tuple[str, Expr]] | None) -> str:
        if not pairs:
            return "{}"
        first: dict[str, str] = {}
        for key, value in pairs:
            if key not in first:  # Handlebars assigns the pairs last to first: the first wins
                first[key] = self.expr(value)
        return "{" + ", ".join(f"{self.const(key)}: {code}" for key, code in first.items()) + "}"

    def call(
        self,
        node: Mustache | Block | SubExpr,
        *,
        block: bool,
        fn: str = "None",
        inverse: str = "None",
    ) -> str:
        """The code of a mustache, block or subexpression, classified as classifySexpr does."""
        path = _as_path(node.path)
        is_block_param = _simple(path) and self.block_param_index(path.parts[0]) is not None
        is_helper = not is_block_param and (
            isinstance(node, SubExpr) or bool(node.params) or node.hash is not None
        )
        is_eligible = not is_block_param and (is_helper or _simple(path))
        if is_eligible and not is_helper and path.parts[0] in runtime.KNOWN_HELPERS:
            is_helper = True
        if is_helper:
            args = "".join(f"{self.expr(p)}, " for p in node.params)
            options = f"options(context, {self.const(path.original)}, {self.hash(node.hash)}"
            opts = f"{options}, {fn}, {inverse})"
            name = path.parts[0] if path.parts else None
            if name in runtime.KNOWN_HELPERS:
                return f"invoke_known(context, helpers, {self.const(name)}, ({args}), {opts})"
            simple = path.original if _simple(path) else None  # "@eq" for {{@eq 1 1}}
            non_helper = self.path(path, falsy=True)
            helper = self.const(simple)
            return f"invoke_helper(context, helpers, {helper}, {non_helper}, ({args}), {opts})"
        value = self.path(path)
        if is_eligible:
            name = path.parts[0]
            opts = f"options(context, {self.const(name)}, {{}}, {fn}, {inverse})"
            invoke = "ambiguous_block" if block else "invoke_ambiguous"
            return f"{invoke}(context, helpers, {self.const(name)}, {value}, {opts})"
        if block:
            opts = f"options(context, {self.const(path.original)}, {{}}, {fn}, {inverse})"
            return f"simple_block(context, helpers, {value}, {opts})"
        return value
