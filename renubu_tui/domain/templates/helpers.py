"""The template helpers of DOMAIN §9, with the semantics of their JavaScript definitions.

Each helper is called as Handlebars.js calls one: `helper(this, *params, options)`. A parameter
the template leaves out is therefore the options object (`{{eq a}}` compares `a` with it), as
in JS. The JavaScript definitions these mirror (also registered by the oracle,
tools/handlebars_oracle/make_oracle.js):

    eq(a, b)        a === b
    gte/lte/gt/lt   a >= b, a <= b, a > b, a < b
    and(...args)    args.pop(); args.reduce((acc, x) => acc && x, true)
    or(...args)     args.pop(); args.reduce((acc, x) => acc || x, false)
    not(a)          !a
    abs(n)          Math.abs(n)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from renubu_tui.domain.templates.js import (
    UNDEFINED,
    js_abs,
    less_than,
    strict_equals,
    truthy,
)

__all__ = ["DOMAIN_HELPERS"]


def _arg(args: tuple[Any, ...], index: int) -> Any:
    return args[index] if index < len(args) else UNDEFINED


def _eq(this: Any, *args: Any) -> bool:
    return strict_equals(_arg(args, 0), _arg(args, 1))


def _lt(this: Any, *args: Any) -> bool:
    return less_than(_arg(args, 0), _arg(args, 1)) is True


def _gt(this: Any, *args: Any) -> bool:
    return less_than(_arg(args, 1), _arg(args, 0)) is True


def _lte(this: Any, *args: Any) -> bool:
    return less_than(_arg(args, 1), _arg(args, 0)) is False


def _gte(this: Any, *args: Any) -> bool:
    return less_than(_arg(args, 0), _arg(args, 1)) is False


def _and(this: Any, *args: Any) -> Any:
    result: Any = True
    for operand in args[:-1]:
        result = operand if truthy(result) else result
    return result


def _or(this: Any, *args: Any) -> Any:
    result: Any = False
    for operand in args[:-1]:
        result = result if truthy(result) else operand
    return result


def _not(this: Any, *args: Any) -> bool:
    return not truthy(_arg(args, 0))


def _abs(this: Any, *args: Any) -> float:
    return js_abs(_arg(args, 0))


DOMAIN_HELPERS: dict[str, Callable[..., Any]] = {
    "eq": _eq,
    "gte": _gte,
    "lte": _lte,
    "gt": _gt,
    "lt": _lt,
    "and": _and,
    "or": _or,
    "not": _not,
    "abs": _abs,
}
