"""Which helpers a template calls that do not exist.

Handlebars compiles `{{mony workflow.renewalARR}}` without complaint and fails only when it
renders ('Missing helper: "mony"'), which for a notification means on the day it should fire.
Any call with arguments (a mustache, block or subexpression with params or a hash) needs a
registered helper: the context is JSON and holds no functions.
"""

from __future__ import annotations

from renubu_tui.handlebars.engine import HELPERS, parse_template
from renubu_tui.handlebars.syntax import (
    Block,
    Expr,
    Mustache,
    Partial,
    Path,
    Program,
    SubExpr,
)

__all__ = ["KNOWN_HELPERS", "unknown_helpers"]

# helperMissing and blockHelperMissing are Handlebars' internals: calling them by name fails.
KNOWN_HELPERS = frozenset(HELPERS) - {"helperMissing", "blockHelperMissing"}


def unknown_helpers(template: str) -> list[str]:
    """The names `template` calls as helpers that are not helpers, first occurrence first.

    Raises TemplateError if the template does not compile.
    """
    found: dict[str, None] = {}
    _program(parse_template(template), found)
    return list(found)


def _program(program: Program | None, found: dict[str, None]) -> None:
    if program is None:
        return
    for node in program.body:
        if isinstance(node, Mustache | Block):
            _call(node.path, node.params, node.hash, found)
            if isinstance(node, Block):
                _program(node.program, found)
                _program(node.inverse, found)
        elif isinstance(node, Partial):
            _exprs([*node.params, *(value for _, value in node.hash or ())], found)


def _call(
    path: Expr, params: list[Expr], hash_: list[tuple[str, Expr]] | None, found: dict[str, None]
) -> None:
    if params or hash_ is not None:
        name = path.original if isinstance(path, Path) else str(path.original)
        if not (isinstance(path, Path) and name in KNOWN_HELPERS):
            found.setdefault(name)
    _exprs([*params, *(value for _, value in hash_ or ())], found)


def _exprs(exprs: list[Expr], found: dict[str, None]) -> None:
    for expr in exprs:
        if isinstance(expr, SubExpr):
            _call(expr.path, expr.params, expr.hash, found)
