"""Compiling templates with pybars3, and rendering them: `render` and `check`.

pybars3 does the code generation: its compile grammar (an OMeta tree grammar) walks a template
tree and its CodeBuilder assembles one Python function per block body (`render`, `block_1` …),
which is executed once and cached. Its parser and runtime do not match Handlebars.js, so:

- the tree comes from `whitespace.parse` (the Handlebars 4.7 grammar and whitespace control)
  instead of pybars' own parser;
- `_Builder` subclasses pybars' CodeBuilder so that mustaches and blocks emit calls into
  `runtime` (Handlebars' lookup, helper and escaping rules, with JS values) instead of pybars'
  `resolve`/`prepare`/`escape` (which differ on escaping `=`, floats, arrays, helper arguments,
  `../` and `@data`);
- the generated code runs in a namespace of our own, not registered in sys.modules (pybars
  keeps every compiled template there forever).

Two output modes. HTML (the default, `render`): `{{x}}` is HTML-escaped as Handlebars.js does,
which `renubu template render` and the oracle promise byte for byte. Text (`render_text`, or
`escape=False`): what Handlebars.js gives with the `noEscape: true` compile option, where
`{{x}}` appends the value exactly as `{{{x}}}` does (numbers next to each other add up, as in
JS). Text is what people read in a terminal or a plain-text e-mail and what a model reads, where
`&amp;` would be shown literally; it is never markup, so whoever displays it must show it as
plain text (`renubu_tui.tui.text.plain`, `safe_text.printable`).

pybars3 is imported on the first compile only: its import costs about half a second. Its
grammar recurses per nesting level, so blocks nested deeper than about 60 levels are refused
with a TemplateError (Handlebars.js accepts them; no real template comes close).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from renubu_tui.domain.templates import runtime
from renubu_tui.domain.templates.errors import TemplateError
from renubu_tui.domain.templates.helpers import DOMAIN_HELPERS
from renubu_tui.domain.templates.js import JSError, to_string
from renubu_tui.domain.templates.syntax import (
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
from renubu_tui.domain.templates.whitespace import parse

__all__ = ["HELPERS", "check", "parse_template", "render", "render_text"]

HELPERS: dict[str, Callable[..., Any]] = {**runtime.BUILTIN_HELPERS, **DOMAIN_HELPERS}
_CACHE_SIZE = 2048
_FN = "\x00FN\x00"  # placeholders for block body function names, filled in by the builder
_INVERSE = "\x00INVERSE\x00"
_SCOPED = re.compile(r"^\.|this\b", re.ASCII)
_NAMESPACE: dict[str, Any] = {
    name: getattr(runtime, name)
    for name in (
        "Program",
        "NOOP",
        "UNDEFINED",
        "raw",
        "merge",
        "to_output",
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
_NAMESPACE["_pybars_"] = {"helpers": HELPERS}
_NAMESPACE["ensure_scope"] = lambda context, root: context


def check(template: str) -> None:
    """Raise TemplateError where Handlebars.js would refuse to compile `template`."""
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
        raise TemplateError("template or context too deeply nested") from None


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
    try:
        return parse(template)
    except RecursionError:
        raise TemplateError("template is too deeply nested") from None


@lru_cache(maxsize=_CACHE_SIZE)
def _compiled(template: str, escape: bool = True) -> Callable[[runtime.Frame], str]:
    program = parse_template(template)
    code = _pybars_codegen(*_TreeBuilder(escape=escape).build(program))
    namespace = dict(_NAMESPACE)
    exec(compile(code, "<template>", "exec"), namespace)
    return namespace["render"]


# --- AST → pybars tree, with the Python code of every expression ---------------------------------


def _literal_code(literal: Literal) -> str:
    if literal.kind == "undefined":
        return "UNDEFINED"
    return repr(literal.value)


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


class _TreeBuilder:
    """Turns the Handlebars AST into the tree pybars' compile grammar walks.

    Mustaches and blocks become ("escapedexpand"/"expand"/"block"/"invertedblock", key, …)
    where `key` names the Python code of the expression in `table`. `programs` lists, in the
    order the grammar starts them, each program's (simple, kinds) for `runtime.merge`. Block
    param scopes are tracked as Handlebars' compiler does (one level per program). Without
    `escape` (noEscape), `{{x}}` compiles as `{{{x}}}` does: Handlebars' `append` opcode.
    """

    def __init__(self, *, escape: bool = True) -> None:
        self.escape = escape
        self.table: dict[str, str] = {}
        self.programs: list[tuple[bool, str]] = []
        self.block_params: list[list[str] | None] = []

    def build(self, program: Program) -> tuple[list[Any], dict[str, str], list[tuple[bool, str]]]:
        return self.program(program), self.table, self.programs

    def key(self, code: str) -> str:
        key = f"k{len(self.table)}"
        self.table[key] = code
        return key

    def program(self, program: Program) -> list[Any]:
        index = len(self.programs)
        self.programs.append((False, ""))
        self.block_params.insert(0, program.block_params)
        tree: list[Any] = ["template"]
        kinds = ""
        for node in program.body:
            if isinstance(node, Content):
                if node.value:
                    tree.append(("literal", node.value))
                    kinds += "a"
            elif isinstance(node, Comment):
                continue
            elif isinstance(node, Mustache):
                code = (
                    'unsupported("decorators")' if node.decorator else self.call(node, block=False)
                )
                escaped = node.escaped and self.escape
                code = f"escape_expression({code})" if escaped else f"raw({code})"
                tree.append(("escapedexpand", ("path", [self.key(code)]), []))
                kinds += "a"
            elif isinstance(node, Partial):
                tree.append(("escapedexpand", ("path", [self.key('unsupported("partials")')]), []))
                kinds += "a"
            else:
                block, kind = self.block(node)
                tree.append(block)
                kinds += kind
        self.block_params.pop(0)
        self.programs[index] = (len(program.body) == 1, kinds)
        return tree

    def block(self, node: Block) -> tuple[tuple[Any, ...], str]:
        """The tree node of a block, and "b" if it is an ambiguous block (else "a")."""
        main = self.program(node.program) if node.program is not None else None
        inverse = self.program(node.inverse) if node.inverse is not None else None
        kind = "a"
        if node.partial or node.decorator:
            what = "partials" if node.partial else "decorators"
            code = f'unsupported("{what}")'
        else:
            fn = f"Program({_FN}, context, helpers)" if main is not None else "NOOP"
            inv = f"Program({_INVERSE}, context, helpers)" if inverse is not None else "NOOP"
            code = self.call(node, block=True, fn=fn, inverse=inv)
            if code.startswith("ambiguous_block("):
                kind = "b"
            else:
                code = f"raw({code})"
        if main is None:
            return ("invertedblock", self.key(code), [], inverse, []), kind
        return ("block", self.key(code), [], main, inverse or []), kind

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
            base = f"block_param(context, {found[0]}, {found[1]})"
            return f"resolve({base}, {tuple(path.parts[1:])!r})" if len(path.parts) > 1 else base
        if path.data and name:
            base = "context.data" if not path.depth else f"data_at(context, {path.depth})"
            return f"resolve_falsy({base}, {tuple(path.parts)!r})"
        base = "context.ctx" if not path.depth else f"depth(context, {path.depth})"
        if not name:  # `this`, `.`, `..`, and {{""}}: the context itself
            return base
        lookup = "resolve_falsy" if falsy else "resolve"
        return f"{lookup}({base}, {tuple(path.parts)!r})"

    def expr(self, expr: Expr) -> str:
        if isinstance(expr, Literal):
            return _literal_code(expr)
        if isinstance(expr, SubExpr):
            return self.call(expr, block=False)
        return self.path(expr)

    def hash(self, pairs: list[tuple[str, Expr]] | None) -> str:
        if not pairs:
            return "{}"
        first: dict[str, str] = {}
        for key, value in pairs:
            first.setdefault(key, self.expr(value))  # Handlebars assigns the pairs last to first
        return "{" + ", ".join(f"{key!r}: {code}" for key, code in first.items()) + "}"

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
            opts = f"options(context, {path.original!r}, {self.hash(node.hash)}, {fn}, {inverse})"
            name = path.parts[0] if path.parts else None
            if name in runtime.KNOWN_HELPERS:
                return f"invoke_known(context, helpers, {name!r}, ({args}), {opts})"
            simple = path.original if _simple(path) else None  # "@eq" for {{@eq 1 1}}
            non_helper = self.path(path, falsy=True)
            return f"invoke_helper(context, helpers, {simple!r}, {non_helper}, ({args}), {opts})"
        value = self.path(path)
        if is_eligible:
            name = path.parts[0]
            opts = f"options(context, {name!r}, {{}}, {fn}, {inverse})"
            invoke = "ambiguous_block" if block else "invoke_ambiguous"
            return f"{invoke}(context, helpers, {name!r}, {value}, {opts})"
        if block:
            opts = f"options(context, {path.original!r}, {{}}, {fn}, {inverse})"
            return f"simple_block(context, helpers, {value}, {opts})"
        return value


# --- pybars3 -------------------------------------------------------------------------------------

_lock = threading.Lock()
_grammar: list[Any] = []  # [compile grammar class, builder], made on first use


def _pybars_codegen(
    tree: list[Any], table: dict[str, str], programs: list[tuple[bool, str]]
) -> str:
    """Python source of a module defining `render(frame)`, generated by pybars' CodeBuilder."""
    with _lock:
        if not _grammar:
            _grammar.extend(_make_grammar())
        grammar, builder = _grammar
        builder.begin(table, programs)
        try:
            container = grammar(tree).apply("compile")[0]
        finally:
            builder.begin({}, [])
    return container.code


def _make_grammar() -> tuple[Any, Any]:
    from pybars._compiler import CodeBuilder, FunctionContainer, compile_grammar, strlist
    from pymeta.grammar import OMeta

    _NAMESPACE["strlist"] = strlist

    class _Builder(CodeBuilder):  # type: ignore[misc]
        """pybars' CodeBuilder, emitting calls into `runtime` for mustaches and blocks.

        Each statement appends its value to `result`; a body function returns
        `merge(result, kinds, simple)`, the root `to_output` of it (see runtime.merge).
        """

        table: dict[str, str]
        programs: list[tuple[bool, str]]
        metas: list[tuple[bool, str]]

        def begin(self, table: dict[str, str], programs: list[tuple[bool, str]]) -> None:
            self._reset()
            self.table, self.programs, self.metas = table, programs, []

        def start(self) -> None:
            self.metas.append(self.programs[self.render_counter])
            super().start()

        def finish(self) -> Any:
            lines, names, function_name = self.stack.pop(-1)
            simple, kinds = self.metas.pop()
            value = f"merge(result, {kinds!r}, {simple})"
            lines.grow(f"    return {value if self.stack else f'to_output({value})'}\n")
            self._result = self.stack and self.stack[-1][0]
            self._locals = self.stack and self.stack[-1][1]
            nested = "".join(f"{function.code}\n" for function in names.values())
            return FunctionContainer(function_name, nested + "".join(lines))

        def add_escaped_expand(self, path_type_path: tuple[str, str], arguments: Any) -> None:
            self._result.grow(f"    result.append({self.table[path_type_path[1]]})\n")

        def add_block(self, symbol: str, arguments: Any, nested: Any, alt_nested: Any) -> None:
            self._emit_block(symbol, nested, alt_nested)

        def add_invertedblock(
            self, symbol: str, arguments: Any, nested: Any, alt_nested: Any
        ) -> None:
            self._emit_block(symbol, None, nested)

        def _emit_block(self, symbol: str, fn: Any, inverse: Any) -> None:
            code = self.table[symbol]
            for nested, placeholder in ((fn, _FN), (inverse, _INVERSE)):
                if nested:
                    self._locals[nested.name] = nested
                    code = code.replace(placeholder, nested.name)
            self._result.grow(f"    result.append({code})\n")

    builder = _Builder()
    grammar = OMeta.makeGrammar(compile_grammar, {"builder": builder}, "renubu_templates")
    return grammar, builder
