"""JavaScript value semantics the renderer relies on (renubu_tui.handlebars.js)."""

from __future__ import annotations

import math

import pytest

from renubu_tui.handlebars.js import (
    NULL_CONTEXT,
    UNDEFINED,
    JSError,
    js_add,
    js_keys,
    less_than,
    lookup_property,
    loose_equals,
    number_to_string,
    strict_equals,
    to_number,
    to_string,
    truthy,
)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (85.0, "85"),
        (-0.0, "0"),
        (0.1 + 0.2, "0.30000000000000004"),
        (1e21, "1e+21"),
        (1e20, "100000000000000000000"),
        (1.5e-7, "1.5e-7"),
        (0.000001, "0.000001"),
        (123456.789, "123456.789"),
        (5e-324, "5e-324"),
        (-1.7976931348623157e308, "-1.7976931348623157e+308"),
        (math.nan, "NaN"),
        (math.inf, "Infinity"),
        (-math.inf, "-Infinity"),
    ],
)
def test_numbers_print_as_in_js(value: float, text: str) -> None:
    assert number_to_string(value) == text


def test_to_string_of_every_kind() -> None:
    assert to_string(12345678901234567890) == "12345678901234567000"  # a double, as in JS
    assert to_string([None, 1, [2, UNDEFINED], "a"]) == ",1,2,,a"
    assert to_string({"a": 1}) == to_string(NULL_CONTEXT) == "[object Object]"
    assert (to_string(True), to_string(None), to_string(UNDEFINED)) == ("true", "null", "undefined")
    with pytest.raises(JSError):
        to_string({"toString": "not callable"})


@pytest.mark.parametrize(
    ("value", "number"),
    [
        (" 12 ", 12),
        ("0x1A", 26),
        ("0b11", 3),
        ("", 0),
        (None, 0),
        (True, 1),
        ([5], 5),
        ("1e3", 1000),
    ],
)
def test_to_number(value: object, number: float) -> None:
    assert to_number(value) == number


@pytest.mark.parametrize("value", ["1_000", "nan", "inf", "abc", UNDEFINED, {}, [1, 2], "0x"])
def test_to_number_nan(value: object) -> None:
    assert math.isnan(to_number(value))


def test_truthiness_treats_empty_collections_as_true() -> None:
    assert [truthy(v) for v in ([], {}, "0", " ")] == [True] * 4
    assert [truthy(v) for v in (0, -0.0, math.nan, "", None, UNDEFINED, False)] == [False] * 7


def test_equality_and_comparison() -> None:
    assert strict_equals(7, 7.0) and not strict_equals(7, "7")
    assert not strict_equals(math.nan, math.nan) and strict_equals(-0.0, 0)
    assert not strict_equals(None, UNDEFINED) and loose_equals(None, UNDEFINED)
    assert loose_equals("1", 1) and loose_equals(True, "1") and loose_equals([7], 7)
    assert less_than("10", "9") is True and less_than("10", 9) is False
    assert less_than("abc", 1) is None and less_than(None, 1) is True
    assert less_than("\uffff", "😀") is False  # UTF-16 code units, not code points


def test_js_add_and_keys() -> None:
    assert js_add(1, True) == 2 and js_add(1, "1") == "11" and js_add([1], 1) == "11"
    assert list(js_keys({"b": 1, "10": 2, "2": 3, "01": 4})) == ["2", "10", "b", "01"]


def test_lookup_property_sees_own_properties_only() -> None:
    assert lookup_property("a😀", "length") == 3
    assert lookup_property([1, 2], "1") == 2 and lookup_property([1, 2], "01") is UNDEFINED
    assert lookup_property({}, "constructor") is UNDEFINED
    assert lookup_property(5, "toFixed") is UNDEFINED
