"""Which context paths a template reads, and which of them a context lacks.

Used to check a step's `data_required` before running it and to show what a preview is
missing. Paths are dotted from the root ("customer.name"); helper names, @data variables
(except @root.…), `this` and block parameters are not paths. Inside `{{#with x}}` and
`{{#x}}` paths are prefixed with x; inside `{{#each xs}}` they name an element's fields, so
only `xs` itself is reported; `../` climbs back out (best effort, as the scope is static).

`guarded_paths` lists the paths a template tests before relying on them (the subject of an
`{{#if}}`, `{{#unless}}`, `{{#each}}`, `{{#with}}` or `{{#path}}` block), so a validator can
tell a template that handles a missing value from one that prints "Blocker: .".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from renubu_tui.handlebars.engine import HELPERS, parse_template
from renubu_tui.handlebars.js import is_nullish, lookup_property
from renubu_tui.handlebars.syntax import (
    Block,
    Expr,
    Mustache,
    Partial,
    Path,
    Program,
    SubExpr,
)

__all__ = ["guarded_paths", "missing_paths", "referenced_paths"]

Scope = tuple[str, ...] | None  # the path of the current context; None inside an element
_TESTS = frozenset({"if", "unless", "each", "with"})


def referenced_paths(template: str) -> list[str]:
    """The context paths `template` reads, first occurrence first; TemplateError if invalid."""
    found: dict[str, None] = {}
    _Walker(found).program(parse_template(template), [()], frozenset())
    return list(found)


def guarded_paths(template: str) -> list[str]:
    """The context paths `template` tests in a block condition; TemplateError if invalid.

    `{{#if (gt a.b 1)}}` tests a.b; `{{#each xs}}` and `{{#xs}}` test xs.
    """
    tested: dict[str, None] = {}
    _Walker({}, tested).program(parse_template(template), [()], frozenset())
    return list(tested)


def missing_paths(paths: Iterable[str], context: Mapping[str, Any]) -> list[str]:
    """The paths that are absent or null in `context` (as a template would see them)."""
    missing = []
    for path in paths:
        value: Any = context
        for part in path.split("."):
            value = value if is_nullish(value) else lookup_property(value, part)
        if is_nullish(value):
            missing.append(path)
    return missing


class _Walker:
    def __init__(self, found: dict[str, None], tested: dict[str, None] | None = None) -> None:
        self.found = found
        self.tested = tested

    def program(self, program: Program | None, scopes: list[Scope], outer: frozenset[str]) -> None:
        if program is None:
            return
        block_params = outer | frozenset(program.block_params or ())
        for node in program.body:
            if isinstance(node, Mustache):
                self.call(node.path, node.params, node.hash, scopes, block_params)
            elif isinstance(node, Partial):
                self.exprs([node.name, *node.params], node.hash, scopes, block_params)
            elif isinstance(node, Block):
                self.block(node, scopes, block_params)

    def block(self, node: Block, scopes: list[Scope], block_params: frozenset[str]) -> None:
        self.call(node.path, node.params, node.hash, scopes, block_params)
        name = node.path.parts[0] if isinstance(node.path, Path) and node.path.parts else None
        if self.tested is not None:
            self.record_tests(node, name, scopes, block_params)
        inner = scopes
        if name in ("with", "each") and node.params:
            target = self.scope_of(node.params[0], scopes)
            inner = [*scopes, target if name == "with" else None]
        elif isinstance(node.path, Path) and not node.params and name not in HELPERS:
            inner = [*scopes, self.scope_of(node.path, scopes)]  # {{#customer}}…{{/customer}}
        self.program(node.program, inner, block_params)
        self.program(node.inverse, scopes, block_params)

    def record_tests(
        self, node: Block, name: str | None, scopes: list[Scope], block_params: frozenset[str]
    ) -> None:
        """The paths this block's condition reads, into `tested`."""
        assert self.tested is not None
        subject: list[Expr] = []
        if name in _TESTS and node.params:
            subject = [node.params[0]]
        elif isinstance(node.path, Path) and not node.params and name not in HELPERS:
            subject = [node.path]
        found: dict[str, None] = {}
        _Walker(found).exprs(subject, None, scopes, block_params)
        for path in found:
            self.tested.setdefault(path)

    def call(
        self,
        path: Expr,
        params: list[Expr],
        hash_: list[tuple[str, Expr]] | None,
        scopes: list[Scope],
        block_params: frozenset[str],
    ) -> None:
        is_helper = bool(params) or hash_ is not None
        if isinstance(path, Path) and not is_helper and not _helper_name(path):
            self.add(path, scopes, block_params)
        self.exprs(params, hash_, scopes, block_params)

    def exprs(
        self,
        exprs: list[Expr],
        hash_: list[tuple[str, Expr]] | None,
        scopes: list[Scope],
        block_params: frozenset[str],
    ) -> None:
        for expr in [*exprs, *(value for _, value in hash_ or ())]:
            if isinstance(expr, SubExpr):
                self.exprs(expr.params, expr.hash, scopes, block_params)
            elif isinstance(expr, Path):
                self.add(expr, scopes, block_params)

    def add(self, path: Path, scopes: list[Scope], block_params: frozenset[str]) -> None:
        full = self.resolve(path, scopes, block_params)
        if full:
            self.found.setdefault(".".join(full))

    def resolve(self, path: Path, scopes: list[Scope], block_params: frozenset[str]) -> Scope:
        parts = tuple(path.parts)
        if path.data:
            return parts[1:] if parts[:1] == ("root",) and not path.depth else None
        if not path.depth and parts and parts[0] in block_params:
            return None
        if path.depth >= len(scopes):
            return None
        scope = scopes[len(scopes) - 1 - path.depth]
        return None if scope is None else scope + parts

    def scope_of(self, expr: Expr, scopes: list[Scope]) -> Scope:
        return self.resolve(expr, scopes, frozenset()) if isinstance(expr, Path) else None


def _helper_name(path: Path) -> bool:
    return len(path.parts) == 1 and not path.depth and path.parts[0] in HELPERS
