r"""The template helpers of domain.md §9, with the semantics of their JavaScript definitions.

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
    money(n)        if (typeof n === 'string' && n.trim() !== '') n = Number(n);
                    if (typeof n !== 'number' || !isFinite(n)) return '';
                    const whole = Math.round(Math.abs(n));
                    const digits = String(whole).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
                    return (n < 0 && whole !== 0 ? '-' : '') + '$' + digits;

`money` is renubu's own (domain.md §9 lists the others): `{{money workflow.renewalARR}}` gives
"$180,000" where `${{workflow.renewalARR}}` gives "$180000". Whole dollars, rounded half away
from zero; a number or a numeric string; anything else (missing data, text, booleans) gives ""
so that a missing figure stays missing instead of reading "$0".
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from renubu_tui.handlebars.js import (
    UNDEFINED,
    WHITESPACE,
    js_abs,
    js_type,
    less_than,
    number_to_string,
    strict_equals,
    to_number,
    truthy,
)

__all__ = ["DOMAIN_HELPERS", "money"]

_THOUSANDS = re.compile(r"\B(?=(\d{3})+(?!\d))", re.ASCII)


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


def money(value: Any) -> str:
    """US dollars for people: 180000 → "$180,000", -1234.5 → "-$1,235", None → ""."""
    kind = js_type(value)
    if kind == "string" and str(value).strip(WHITESPACE):
        value, kind = to_number(value), "number"
    if kind != "number":
        return ""
    number = to_number(value)
    if not math.isfinite(number):
        return ""
    size = abs(number)
    floor = math.floor(size)
    whole = float(floor + 1 if size - floor >= 0.5 else floor)  # Math.round, exact for doubles
    digits = _THOUSANDS.sub(",", number_to_string(whole))
    return f"{'-' if number < 0 and whole != 0 else ''}${digits}"


def _money(this: Any, *args: Any) -> str:
    return money(_arg(args, 0))


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
    "money": _money,
}
