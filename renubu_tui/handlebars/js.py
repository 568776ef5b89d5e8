"""JavaScript value semantics, so that templates render exactly as Handlebars.js would.

Templates are specified as Handlebars.js 4.x (domain.md §9), and their helpers as JavaScript
definitions. JSON-like Python values stand for JS values: None is null, `UNDEFINED` is
undefined (a missing key), bool is boolean, int/float are numbers (85.0 is the number 85), str is
a string, list an array, dict an object. Only what templates can observe is modelled: ToString,
ToNumber, ToBoolean, ToPrimitive, equality, relational comparison, property lookup.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final

__all__ = [
    "NULL_CONTEXT",
    "UNDEFINED",
    "WHITESPACE",
    "JSError",
    "JSObject",
    "is_nullish",
    "js_abs",
    "js_add",
    "js_keys",
    "js_type",
    "less_than",
    "lookup_property",
    "loose_equals",
    "number_to_string",
    "property_key",
    "strict_equals",
    "to_number",
    "to_string",
    "truthy",
]


class _Undefined:
    """JavaScript `undefined`: a missing key, a missing argument; distinct from null (None)."""

    _instance: _Undefined | None = None

    def __new__(cls) -> _Undefined:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "UNDEFINED"

    def __reduce__(self) -> str:
        return "UNDEFINED"


UNDEFINED: Final = _Undefined()


class JSError(Exception):
    """An exception Handlebars.js would throw at render time (a TypeError or its own Exception)."""


class JSObject:
    """A plain JS object that is not data: renders as "[object Object]", has no own properties.

    Subclassed by the helper `options` argument; `NULL_CONTEXT` is Handlebars' `nullContext`.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return "[object Object]"


NULL_CONTEXT: Final = JSObject()

# JS WhiteSpace and LineTerminator (what \s matches in a JS regular expression).
WHITESPACE: Final = (
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000\ufeff"
)

_MAX_SAFE = 2**53
_DECIMAL = re.compile(r"[+-]?(?:Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\Z")
_RADIX = re.compile(r"0(?:([xX])[0-9a-fA-F]+|([oO])[0-7]+|([bB])[01]+)\Z")
_ARRAY_INDEX = re.compile(r"(?:0|[1-9][0-9]*)\Z")


def js_type(value: Any) -> str:
    """typeof, except that arrays are "array" (an object to JS, but joined when stringified)."""
    if value is None:
        return "null"
    if value is UNDEFINED:
        return "undefined"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping | JSObject):
        return "object"
    if isinstance(value, Sequence):
        return "array"
    if callable(value):
        return "function"
    return "number" if _is_real(value) else "string"


def _is_real(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def is_nullish(value: Any) -> bool:
    """`value == null`: null or undefined."""
    return value is None or value is UNDEFINED


def truthy(value: Any) -> bool:
    """ToBoolean: false for undefined, null, false, 0, -0, NaN and ""; true for [] and {}."""
    kind = js_type(value)
    if kind in ("undefined", "null"):
        return False
    if kind == "boolean":
        return bool(value)
    if kind == "number":
        number = float(value)
        return number == number and number != 0
    if kind == "string":
        return str(value) != ""
    return True


def number_to_string(value: float) -> str:
    """Number::toString(10): 85.0 → "85", -0 → "0", 1e21 → "1e+21", 1.5e-7 → "1.5e-7".

    Python's repr gives the same shortest round-trip digits as JS; only the layout differs.
    """
    if value != value:
        return "NaN"
    if value == 0:
        return "0"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    sign = "-" if value < 0 else ""
    mantissa, _, exponent = repr(abs(value)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = whole + fraction
    point = len(whole) + (int(exponent) if exponent else 0)
    zeros = len(digits) - len(digits.lstrip("0"))
    digits = digits[zeros:].rstrip("0")
    n, k = point - zeros, len(digits)
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = f"{digits[:n]}.{digits[n:]}"
    elif -6 < n <= 0:
        text = "0." + "0" * -n + digits
    else:
        e = n - 1
        head = digits if k == 1 else f"{digits[0]}.{digits[1:]}"
        text = f"{head}e{'+' if e >= 0 else '-'}{abs(e)}"
    return sign + text


def _number_text(value: Any) -> str:
    if isinstance(value, int) and -_MAX_SAFE < value < _MAX_SAFE:
        return str(value)
    try:
        return number_to_string(float(value))
    except OverflowError:
        return "Infinity" if value > 0 else "-Infinity"


def to_string(value: Any) -> str:
    """ToString (after ToPrimitive): what `'' + value` gives in JS."""
    kind = js_type(value)
    if kind == "string":
        return str(value)
    if kind == "number":
        return _number_text(value)
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "null":
        return "null"
    if kind == "undefined":
        return "undefined"
    if kind == "array":
        return ",".join("" if is_nullish(item) else to_string(item) for item in value)
    if kind == "object":
        if isinstance(value, Mapping) and "toString" in value:
            # An own, non-callable toString: OrdinaryToPrimitive finds nothing to call.
            raise JSError("Cannot convert object to primitive value")
        return "[object Object]"
    return "function () { [native code] }"


def to_number(value: Any) -> float:
    """ToNumber: null → 0, undefined → NaN, booleans → 0/1, strings parsed as JS does."""
    kind = js_type(value)
    if kind == "number":
        try:
            return float(value)
        except OverflowError:
            return math.inf if value > 0 else -math.inf
    if kind == "null":
        return 0.0
    if kind == "undefined" or kind == "function":
        return math.nan
    if kind == "boolean":
        return 1.0 if value else 0.0
    text = to_string(value) if kind != "string" else str(value)
    return _string_to_number(text)


def _string_to_number(text: str) -> float:
    text = text.strip(WHITESPACE)
    if not text:
        return 0.0
    if _DECIMAL.match(text):
        return float(text.replace("Infinity", "inf"))
    radix = _RADIX.match(text)
    if radix:
        base = 16 if radix.group(1) else 8 if radix.group(2) else 2
        return float(int(text[2:], base))
    return math.nan


def _to_primitive(value: Any) -> Any:
    """ToPrimitive with hint number: arrays and objects become their string form."""
    kind = js_type(value)
    if kind in ("array", "object", "function"):
        return to_string(value)
    return value


def strict_equals(a: Any, b: Any) -> bool:
    """`a === b`: same type and value; NaN is unequal to itself; objects by identity."""
    kind = js_type(a)
    if kind != js_type(b):
        return False
    if kind == "number":
        return to_number(a) == to_number(b)
    if kind in ("string", "boolean"):
        return a == b
    if kind in ("null", "undefined"):
        return True
    return a is b


def loose_equals(a: Any, b: Any) -> bool:
    """`a == b` (the abstract equality comparison)."""
    ka, kb = js_type(a), js_type(b)
    if ka == kb:
        return strict_equals(a, b)
    if {ka, kb} == {"null", "undefined"}:
        return True
    if ka in ("null", "undefined") or kb in ("null", "undefined"):
        return False
    if ka == "boolean":
        return loose_equals(to_number(a), b)
    if kb == "boolean":
        return loose_equals(a, to_number(b))
    if {ka, kb} == {"number", "string"}:
        return to_number(a) == to_number(b)
    if ka in ("array", "object", "function") and kb in ("number", "string"):
        return loose_equals(_to_primitive(a), b)
    if kb in ("array", "object", "function") and ka in ("number", "string"):
        return loose_equals(a, _to_primitive(b))
    return False


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-be", "surrogatepass")


def less_than(a: Any, b: Any) -> bool | None:
    """IsLessThan(a, b): True/False, or None ("undefined") when a NaN is involved.

    Two strings compare by UTF-16 code units, as JS does; anything else compares as numbers.
    """
    pa, pb = _to_primitive(a), _to_primitive(b)
    if js_type(pa) == "string" and js_type(pb) == "string":
        return _utf16(pa) < _utf16(pb)
    na, nb = to_number(pa), to_number(pb)
    if na != na or nb != nb:
        return None
    return na < nb


def js_add(a: Any, b: Any) -> Any:
    """`a + b`: string concatenation if either side is (or converts to) a string, else numbers."""
    pa, pb = _to_primitive(a), _to_primitive(b)
    if isinstance(pa, str) or isinstance(pb, str):
        return to_string(pa) + to_string(pb)
    return to_number(pa) + to_number(pb)


def js_abs(value: Any) -> float:
    """Math.abs(value), ToNumber first ("-5" → 5, null → 0, undefined → NaN)."""
    return abs(to_number(value))


def property_key(value: Any) -> str:
    """ToPropertyKey: the string a value names as a property (1 → "1", null → "null")."""
    return value if isinstance(value, str) else to_string(value)


def lookup_property(parent: Any, name: str) -> Any:
    """Handlebars' lookupProperty: own properties only (prototype members stay hidden).

    Arrays own their indexes and `length`, strings their UTF-16 code units and `length`;
    numbers and booleans own nothing.
    """
    if isinstance(parent, Mapping):
        return parent.get(name, UNDEFINED)
    if isinstance(parent, str):
        units = _utf16(parent)
        if name == "length":
            return len(units) // 2
        if _ARRAY_INDEX.match(name) and int(name) < len(units) // 2:
            index = int(name) * 2
            return units[index : index + 2].decode("utf-16-be", "surrogatepass")
        return UNDEFINED
    if isinstance(parent, Sequence) and js_type(parent) == "array":
        if name == "length":
            return len(parent)
        if _ARRAY_INDEX.match(name) and int(name) < len(parent):
            return parent[int(name)]
    return UNDEFINED


def js_keys(value: Mapping[str, Any]) -> Iterator[str]:
    """Object.keys order: array-index keys ascending, then the others in insertion order."""
    keys = [str(key) for key in value]
    indexes = sorted(
        (k for k in keys if _ARRAY_INDEX.match(k) and int(k) < 2**32 - 1),
        key=int,
    )
    index_set = set(indexes)
    yield from indexes
    yield from (k for k in keys if k not in index_set)
