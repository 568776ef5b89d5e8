"""Writes tests/handlebars/oracle/cases.json: the corpus the Handlebars.js oracle renders.

Cross products of JSON values (numbers JS prints its own way, strings with HTML characters,
unicode, null, missing keys, booleans, arrays, objects) and constructs (mustaches, blocks,
helpers with every type pairing and missing arguments, subexpressions, paths, whitespace
control, standalone lines with LF/CRLF/CR, comments, escapes, invalid templates), plus every
template string in seeds/**/*.json rendered against real contexts (Bluesoft, and a customer
with missing data), made by running renubu on a temporary SQLite database.

Run from the repository root: `.venv/bin/python tools/handlebars_oracle/make_cases.py`, then
`cd tools/handlebars_oracle && node make_oracle.js` (see README.md).

Every case named `text/…` is rendered in renubu's text mode (`render_text`), which is
Handlebars.js with the `noEscape: true` compile option: the values, listed, money and fuzz cases
again, and every seed template against the real contexts (the app renders those as text).

Format: {"contexts": {name: context}, "cases": [{"name", "template", "context"} or
{"name", "template", "context_ref"}, optionally with "options": {"noEscape": true}]}. A missing
key is simply absent (JSON has no undefined).
"""

from __future__ import annotations

import itertools
import json
import random
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "templates" / "oracle" / "cases.json"
AS_OF = "2025-09-24"
REAL_CUSTOMERS = {"bluesoft": "bluesoft", "sparse": "saffrongroup.com"}

MISSING = object()
Case = dict[str, Any]

VALUES: list[tuple[str, Any]] = [
    ("zero", 0),
    ("seven", 7),
    ("neg", -12),
    ("float85", 85.0),
    ("pointthree", 0.1 + 0.2),
    ("negzero", -0.0),
    ("e21", 1e21),
    ("e20", 1e20),
    ("small", 1.5e-7),
    ("micro", 0.000001),
    ("e_7", 1e-7),
    ("frac", 123456.789),
    ("bigint", 12345678901234567890),
    ("maxsafe1", 2**53 + 1),
    ("huge", 1.7976931348623157e308),
    ("tiny", 5e-324),
    ("neghalf", -0.5),
    ("empty", ""),
    ("space", " "),
    ("word", "plain"),
    ("html", "A&B <c> \"d\" 'e' `f` =g"),
    ("unicode", "Zoë — 日本 😀"),
    ("str0", "0"),
    ("strfalse", "false"),
    ("strnum", "42"),
    ("padded", "  7  "),
    ("multiline", "line1\nline2"),
    ("crlf", "a\r\nb"),
    ("hex", "0x1A"),
    ("null", None),
    ("missing", MISSING),
    ("true", True),
    ("false", False),
    ("arr_empty", []),
    ("arr", [1, 2]),
    ("arr_mixed", [None, 1, "a&b", True, 2.5]),
    ("arr_nested", [[1, 2], [3, [4]]]),
    ("arr_objs", [{"name": "n1"}, {"name": "n2 <b>", "a": 0}]),
    ("obj_empty", {}),
    ("obj", {"a": 1, "b": "two"}),
    ("obj_numkeys", {"b": 1, "10": "ten", "2": "two", "a": None, "01": "lead"}),
    ("nested", {"x": {"y": "z"}, "a": [5]}),
]

CONSTRUCTS: list[tuple[str, str]] = [
    ("mustache", "[{{v}}]"),
    ("triple", "[{{{v}}}]"),
    ("amp", "[{{&v}}]"),
    ("this_path", "[{{this.v}}|{{./v}}|{{[v]}}]"),
    ("if", "{{#if v}}T{{else}}F{{/if}}"),
    ("unless", "{{#unless v}}T{{else}}F{{/unless}}"),
    ("if_zero", "{{#if v includeZero=true}}T{{else}}F{{/if}}"),
    (
        "each",
        "{{#each v}}[{{@index}}|{{@key}}|{{@first}}|{{@last}}|{{this}}]{{else}}empty{{/each}}",
    ),
    ("with", "{{#with v}}<{{this}}|{{../other}}|{{a}}>{{else}}none{{/with}}"),
    ("section", "{{#v}}[{{this}}|{{@index}}]{{else}}no{{/v}}"),
    ("inverted", "{{^v}}inv{{else}}has{{/v}}"),
    ("length", "{{v.length}}|{{v.[0]}}|{{v.a}}|{{v.x.y}}|{{v.a.[0]}}"),
    ("not_abs", "{{not v}}|{{abs v}}"),
    ("and_or", '{{and v "x"}}|{{and "x" v}}|{{or v "fallback"}}|{{or missing v}}'),
    ("eq_self", "{{eq v v}}|{{eq v}}|{{gt v}}|{{lt v}}"),
    ("lookup", '{{lookup . "v"}}|{{lookup v 0}}|{{lookup v "a"}}|{{lookup v "length"}}'),
    ("sub_if", "{{#if (not v)}}neg{{else}}pos{{/if}}|{{#if (gt v 0)}}+{{/if}}"),
    ("block_params", "{{#each v as |item key|}}{{key}}={{item}};{{else}}-{{/each}}"),
    ("with_bp", "{{#with v as |w|}}{{w}}{{/with}}"),
    ("data_path", "{{@root.v}}|{{@root.v.length}}|{{@root.v.a}}"),
    ("helper_block", "{{#eq v v}}x{{/eq}}|{{#or v}}y{{/or}}|{{#abs v}}z{{/abs}}"),
]

# money(n) (helpers.py): rounding halves, thousands, numeric strings, what gives "".
MONEY_VALUES: list[tuple[str, Any]] = [
    ("renewal_arr", 180000),
    ("half", 0.5),
    ("twohalf", 2.5),
    ("negtwohalf", -2.5),
    ("negsmall", -0.4),
    ("under_half", 0.49999999999999994),
    ("n999_5", 999.5),
    ("thousand", 1000),
    ("million", 1234567.891),
    ("neg_million", -1234567.5),
    ("e20_999", 9.99e20),
    ("pow60", 2**60),
    ("half_ulp", 4503599627370495.5),
    ("s_arr", "180000"),
    ("s_comma", "1,000"),
    ("s_padded", " 12.5 "),
    ("s_hex", "0x1F"),
    ("s_exp", "1e3"),
    ("s_inf", "Infinity"),
    ("s_neg", "-4500.5"),
    ("s_newline", "\n"),
    ("s_nbsp", "\u00a0"),
    ("s_dollar", "$5"),
]
MONEY_TEMPLATE = (
    "{{money v}}|{{{money v}}}|{{#if (money v)}}has{{else}}none{{/if}}|{{money (abs v)}}|"
    "{{money v 2}}|{{money}}|{{money v.length}}|{{#money v}}x{{/money}}"
)

PAIR_VALUES: list[tuple[str, Any]] = [
    ("zero", 0),
    ("seven", 7),
    ("s7", "7"),
    ("s07", "07"),
    ("f7", 7.0),
    ("negzero", -0.0),
    ("f15", 1.5),
    ("ten", 10),
    ("s1e1", "1e1"),
    ("empty", ""),
    ("abc", "abc"),
    ("ABC", "ABC"),
    ("b", "b"),
    ("emoji", "😀"),
    ("fffe", "\ufffe"),
    ("null", None),
    ("missing", MISSING),
    ("true", True),
    ("false", False),
    ("arr_empty", []),
    ("arr7", [7]),
    ("obj", {}),
]
PAIR_TEMPLATE = (
    "{{eq a b}} {{gt a b}} {{gte a b}} {{lt a b}} {{lte a b}} {{and a b}} {{or a b}} "
    "{{#if (and a b)}}A{{/if}}{{#if (or a b)}}O{{/if}}"
)

MISSING_ARGS = [
    "{{eq a}}",
    "{{eq}}",
    "{{gt a}}",
    "{{gte a}}",
    "{{lt s}}",
    "{{lte s}}",
    "{{lt s2}}",
    "{{gt}}",
    "{{and}}",
    "{{or}}",
    "{{and a}}",
    "{{or a}}",
    "{{not}}",
    "{{abs}}",
    "{{#if (gt a)}}Y{{else}}N{{/if}}",
    "{{#if (lt s)}}Y{{else}}N{{/if}}",
    "{{eq (gt) false}}",
    "{{eq a 5 6}}",
    "{{gt a 1 100}}",
    "{{not a b}}",
    "{{abs a b}}",
    "{{and a 0 b}}",
    "{{or missing 0 b}}",
    "{{eq a 5 foo=1}}",
]

LITERALS = [
    "{{eq 1 1.0}}",
    '{{eq 1 "1"}}',
    "{{eq 1.5 1.50}}",
    '{{"weird key"}}',
    "{{1}}",
    "{{true}}",
    "{{false}}",
    "{{null}}",
    "{{undefined}}",
    "{{-1}}",
    "{{1.50}}",
    "{{eq null undefined}}",
    "{{eq undefined missing}}",
    "{{eq null missing}}",
    "{{eq n null}}",
    '{{eq "a\\"b" q}}',
    "{{eq 'it\\'s' q2}}",
    "{{eq \"single\" 'single'}}",
    "{{abs -2.50}}",
    "{{abs 007}}",
    "{{abs -0}}",
    '{{abs "abc"}}',
    '{{abs "1e400"}}',
    '{{abs "-Infinity"}}',
    '{{abs "  12  "}}',
    '{{abs "0x1F"}}',
    '{{abs "0b11"}}',
    '{{abs "1_000"}}',
    '{{abs ""}}',
    "{{abs null}}",
    "{{abs true}}",
    "{{abs list}}",
    "{{abs one}}",
    "{{gt 10 9}}",
    '{{gt "10" "9"}}',
    '{{gt "10" 9}}',
    "{{or null undefined}}",
    "{{and 1 0}}",
    '{{or 0 "" false}}',
    '{{and "a" "b" "c"}}',
    "{{lt null 1}}",
    "{{gte null 0}}",
    "{{lte undefined 0}}",
    "{{gte undefined undefined}}",
    "{{eq list list}}",
    "{{eq list one}}",
    '{{lt "a" "B"}}',
    '{{lt "Z" "a"}}',
    '{{gt "\uffff" "😀"}}',
    "{{#if 0}}y{{else}}n{{/if}}",
    '{{#if "0"}}y{{else}}n{{/if}}',
    "{{#if list}}y{{else}}n{{/if}}",
    "{{#with 1}}{{this}}{{/with}}",
    '{{#each "str"}}x{{else}}no{{/each}}',
    "{{#each 5}}x{{else}}no{{/each}}",
    "{{lookup list 1}}",
    '{{lookup "abc" 1}}',
    '{{lookup list "length"}}',
    "{{lookup missing 1}}",
    "{{lookup one.two 1}}",
]
LITERAL_CONTEXT = {
    "weird key": "W",
    "1": "one",
    "true": "T",
    "false": "F",
    "null": "N",
    "undefined": "U",
    "-1": "minus",
    "1.5": "onefive",
    "n": None,
    "q": 'a"b',
    "q2": "it's",
    "list": [3, 4],
    "one": [1],
}

SUBEXPRESSIONS = [
    ("{{#if (and (gt a 1) (not b))}}Y{{else}}N{{/if}}", [{"a": 2, "b": False}, {"a": 2}, {}]),
    ('{{or (eq a 1) "no"}}', [{"a": 1}, {"a": "1"}]),
    ("{{abs (abs -3)}}|{{not (not (not a))}}", [{"a": 0}, {"a": "x"}]),
    ('{{eq (lookup o "k") "K"}}', [{"o": {"k": "K"}}, {"o": None}]),
    (
        "{{#if (or csm.manager company.ceo)}}to {{or csm.manager company.ceo}}{{/if}}",
        [
            {"csm": {"manager": None}, "company": {"ceo": "ceo@x.com"}},
            {"csm": {"manager": "m@x.com"}, "company": {"ceo": "ceo@x.com"}},
            {"csm": {}, "company": {}},
        ],
    ),
    ("{{#unless (eq a b)}}diff{{else}}same{{/unless}}", [{"a": 1, "b": 1}, {"a": 1, "b": "1"}]),
    ('{{#each (lookup o "list")}}{{this}},{{/each}}', [{"o": {"list": [1, 2]}}]),
    ("{{eq (missing) undefined}}|{{eq (missing) null}}", [{}]),
    ("{{eq (eq 1 1 foo=2) true}}", [{}]),
    ("{{#with (lookup list 1)}}{{n}}{{/with}}", [{"list": [{"n": 1}, {"n": 2}]}]),
    (
        "{{#if (and customer.hasAccountPlan (gte workflow.renewalARR 50000))}}war room{{/if}}",
        [
            {"customer": {"hasAccountPlan": True}, "workflow": {"renewalARR": 50000}},
            {"customer": {"hasAccountPlan": True}, "workflow": {"renewalARR": 49999.5}},
            {"customer": {"hasAccountPlan": False}, "workflow": {"renewalARR": 90000}},
            {"customer": {"hasAccountPlan": True}, "workflow": {"renewalARR": "50000"}},
        ],
    ),
    ("{{{or a (and b c)}}}", [{"a": "", "b": "<b>", "c": "<c>"}, {"b": 1}]),
    ("{{gt (abs a) (abs b)}}", [{"a": -5, "b": 3}, {"a": "-5", "b": "x"}]),
]

PATH_CONTEXT = {
    "x": 1,
    "o": {"k": "K", "x": 2, "inner": {"k": "I"}, "list": [7, 8]},
    "list": [{"n": 1, "sub": [10, 20]}, {"n": 2, "sub": []}],
    "weird key": "W",
    "a-b": "AB",
    "arr": [1, 2, 3],
    "nulls": [None, None],
    "zeros": [0, ""],
    "objs": {"first": {"v": 1}, "second": {"v": 2}},
    "flag": True,
}
PATHS = [
    "{{#with o}}{{k}} {{../x}} {{@root.x}} {{#with inner}}{{k}} {{../k}} {{../../x}}{{/with}}"
    "{{/with}}",
    "{{#each list}}{{n}}:{{#each sub}}{{this}}@{{@index}}/{{@../index}} {{../n}} {{../../x}};"
    "{{/each}}{{/each}}",
    "{{#if x}}{{../x}}|{{x}}{{/if}}",
    "{{[weird key]}}|{{a-b}}|{{o/k}}|{{o.[k]}}|{{arr.length}}|{{list.[1].n}}|{{list.0.n}}",
    "{{@root.o.k}}|{{@root}}|{{this}}|{{.}}|{{..}}|{{../x}}|{{@index}}|{{@first}}",
    "{{#each o}}{{@key}}{{#if @last}}!{{/if}};{{/each}}",
    "{{#with o as |obj|}}{{obj.k}}{{obj.inner.k}}{{/with}}",
    "{{#each list as |item idx|}}{{idx}}{{item.n}}{{#each item.sub as |s|}}<{{s}}{{idx}}>{{/each}}"
    "{{/each}}",
    "{{#each arr}}{{.}}{{this}}{{@key}}{{/each}}",
    "{{#each list}}{{#if n}}{{../x}}{{/if}}{{/each}}",
    "{{#each arr}}{{#with ../o}}{{k}}{{../x}}{{/with}}{{/each}}",
    "{{#each nulls}}{{#if true}}[{{this}}|{{../x}}]{{/if}}{{/each}}",
    "{{#each nulls}}[{{this}}|{{../x}}]{{/each}}",
    "{{#each zeros}}{{#if this}}t{{else}}f{{/if}}{{#with this}}w{{else}}nw{{/with}}{{/each}}",
    "{{#each list}}{{@first}}{{@last}}{{/each}}|{{#each o}}{{@last}}{{/each}}",
    "{{#each list}}{{#each ../arr}}{{../n}}{{@../index}}{{/each}}{{/each}}",
    "{{#list}}{{n}}{{@index}}{{/list}}|{{#o}}{{k}}{{/o}}|{{#x}}{{this}}{{/x}}|{{#flag}}{{x}}{{/flag}}",
    "{{#each objs}}{{@key}}:{{v}}:{{../x}};{{/each}}",
    "{{#each o.inner}}{{@key}}={{this}}{{/each}}",
    "{{#with list}}{{length}}{{/with}}|{{list.length}}",
    "{{#each arr}}{{@index.foo}}{{/each}}",
    "{{#each list}}{{@root.x}}{{/each}}",
    "{{#o.inner}}{{k}}{{/o.inner}}|{{^o.missing}}none{{/o.missing}}",
    "{{#each list}}{{#each sub}}{{@../../index}}{{/each}}{{/each}}",
    "{{#with o}}{{#with missing}}x{{else}}{{k}}{{/with}}{{/with}}",
    "{{#each list}}{{this.n}}{{./n}}{{/each}}",
    "{{#if flag}}{{#if x}}{{../../x}}{{/if}}{{/if}}",
    '{{lookup o.list 1}}|{{lookup list.[0] "n"}}',
]

ESCAPES = [
    ("\\{{x}}", {"x": 1}),
    ("\\\\{{x}}", {"x": 1}),
    ("\\\\\\{{x}}", {"x": 1}),
    ("a\\{{x}} {{x}} \\{{y}} b", {"x": 1, "y": 2}),
    ("\\{{x}}\\{{x}}", {"x": 1}),
    ("\\{{x", {"x": 1}),
    ("end \\", {}),
    ("{{{{raw}}}}{{x}} {{#if}}{{{{/raw}}}}", {"x": 1}),
    ("{{{{raw}}}}{{x}}{{{{/raw}}}}", {"raw": True, "x": 1}),
    ("{{{{raw}}}}{{x}}{{{{/raw}}}}", {"raw": "str"}),
    ("{{{{raw}}}}{{{{raw}}}}in{{{{/raw}}}}{{{{/raw}}}}", {"raw": True}),
    ("{{{{raw}}}} a {{{{/raw}}}}", {"raw": [1, 2]}),
    ("{ {{x}} }", {"x": 1}),
    ("}}{{x}}{{", {"x": 1}),
]

WHITESPACE = [
    "a{N}{I}{{#if t}}{N}{I}yes{N}{I}{{else}}{N}{I}no{N}{I}{{/if}}{N}b",
    "{I}{{#if t}}{N}x{N}{I}{{/if}}",
    "{I}{{#each list}}{N}{I}  - {{this}}{N}{I}{{/each}}{N}",
    "{I}{{! comment }}{N}text{N}",
    "{I}{{!-- long }} comment --}}{N}text",
    "a{N}{I}{{#if f}}{N}x{N}{I}{{else if t}}{N}y{N}{I}{{else}}{N}z{N}{I}{{/if}}{N}b",
    "{{#if t}}{I}{N}{I}{{#if t}}{N}in{N}{I}{{/if}}{N}{{/if}}",
    "a {{#if t}} b {{/if}} c{N}",
    "{I}{{#if t}}{{/if}}{N}x",
    "{I}{{x}}{N}y",
    "x{N}{I}{{^t}}{N}no{N}{I}{{/t}}{N}y",
    "x{N}{I}{{#with o}}{N}{{k}}{N}{I}{{/with}}{N}",
    "{N}{I}{{#if t}}{N}{N}{I}{{/if}}{N}{N}",
    "{I}{{#unless t}}{N}u{N}{I}{{^}}{N}v{N}{I}{{/unless}}{I}",
    "{{#if t}}{N}{I}{{#each list}}{N}{I}{I}{{this}},{N}{I}{{/each}}{N}{{/if}}",
    "{I}{{!x}}{I}{{!y}}{N}z",
    "{{#if t}}{I}{{else}}{I}{{/if}}{N}",
    "{I}{{{{raw}}}}{N}r{N}{I}{{{{/raw}}}}{N}",
]

TILDES = [
    ("a  {{~x~}}  b", {"x": 1}),
    ("a\n\n{{~x}}\n\nb", {"x": 1}),
    ("{{#if t~}}\n  x  \n{{~/if}}", {"t": True}),
    ("{{~#if t}} x {{/if~}} y", {"t": True}),
    ("{{#if f}}a{{~else~}}  b  {{/if}}", {}),
    ("{{#if f}} a {{~^~}} b {{/if}}", {}),
    ("a {{~! c ~}} b", {}),
    ("a {{~!-- c --~}} b", {}),
    ("{{#each list~}} {{this}} {{~/each}}", {"list": [1, 2]}),
    ("  {{~{x}~}}  ", {"x": "<>"}),
    ("x {{~&x~}} y", {"x": "&"}),
    ("{{#if f}}a{{~else if t~}} b {{~else~}} c{{/if}}", {"t": True}),
    ("{{#if f}}a{{else if f}}b{{~else if t}} c {{/if}}", {"t": True}),
    ("{{#if f}}a{{else if f}}b{{else if t ~}} c {{~/if}}", {"t": True}),
    ("\u00a0\u2028 {{~x}}", {"x": 1}),
    ("{{x~}}\ufeff\t y", {"x": 1}),
    ("a \n {{~#if t~}} \n b \n {{~else~}} \n c \n {{~/if~}} \n d", {"t": True}),
    ("a \r\n {{~^t~}} \r\n b \r\n {{~/t~}} \r\n d", {"t": False}),
    ("{{~x}}", {"x": 1}),
    ("{{x ~}}\n", {"x": 1}),
    ("{{#if t}}\n{{~x}}\n{{/if}}", {"t": True, "x": 1}),
]

COMPILE_ERRORS = [
    "{{#if a}}",
    "{{/if}}",
    "{{#if a}}{{/each}}",
    "{{foo",
    "{{foo}}}",
    "{{{foo}}",
    "{{.foo}}",
    "{{foo..bar}}",
    "{{foo.this}}",
    "{{foo.../bar}}",
    "{{!-- unclosed",
    "{{else}}",
    "{{#each a}}x{{else if b}}y{{else}}z{{else}}w{{/each}}",
    "{{^a}}x{{else if b}}y{{/a}}",
    "{{arr.0}}",
    "{{foo bar=}}",
    "{{foo (bar}}",
    "{{foo bar)}}",
    "{{#if a}}{{else}}{{else}}{{/if}}",
    "{{^}}",
    "nul\x00byte",
    "{{}}",
    "{{ }}",
    "{{#}}{{/}}",
    "{{foo as |x|}}",
    "{{#if a as ||}}{{/if}}",
    "{{(foo)}}",
    "{{foo a=1 b}}",
    "{{foo=1}}",
    '{{"foo"}}}',
    "{{#foo/bar}}{{/foo.bar}}",
    '{{#"a"}}x{{/"b"}}',
    '{{#1}}x{{/"1"}}',
    "{{@}}",
    "{{@foo.}}",
    "{{> a b c}}",
    "{{#if a}}{{#each b}}{{/if}}{{/each}}",
    "{{{{raw}}}}x",
    "{{{{raw}}}}x{{{{/other}}}}",
    "text {{! unclosed",
    "{{foo 1a.b}}",
    "{{foo 1.5.3}}",
    '{{#*inline "x"}}a{{else}}b{{/inline}}',
    "{{foo}",
    "{foo}}",
    "{{#each}}{{/each}}{{/each}}",
    "{{foo 'unterminated}}",
    "{{foo [unterminated}}",
]

RENDER_ERRORS = [
    ("{{missing 1}}", {}),
    ("{{#each}}x{{/each}}", {}),
    ("{{#if}}x{{/if}}", {}),
    ("{{#if a b}}x{{/if}}", {"a": 1}),
    ("{{if a}}", {"a": 1}),
    ("{{unless a}}", {"a": 1}),
    ("{{with a}}", {"a": 1}),
    ("{{each a}}", {"a": [1]}),
    ("{{each}}", {}),
    ("{{lookup}}", {}),
    ("{{lookup a}}", {"a": 1}),
    ("{{blockHelperMissing}}", {}),
    ("{{foo.bar 1}}", {"foo": {"bar": 2}}),
    ("{{foo.bar 1}}", {}),
    ("{{this.eq 1 1}}", {}),
    ("{{../eq 1 1}}", {}),
    ("{{> partial}}", {}),
    ("{{#if a as |x|}}{{x}}{{/if}}", {"a": 1}),
    ("{{o}}", {"o": {"toString": "x"}}),
    ("{{o}}", {"o": {"toHTML": "x"}}),
    ("{{#with}}x{{/with}}", {}),
    ("{{#unless a b}}x{{/unless}}", {}),
    ("{{x y}}", {"x": "not a function"}),
    ("{{#each a b}}x{{/each}}", {"a": [1], "b": 2}),
]

# Valid and rendered as in JS although unusual: names that are helpers, known helpers as values.
ODDITIES = [
    ("{{helperMissing}}|{{log}}|{{log 1 2}}|{{lookup}}", {}),
    ("{{@eq 1 1}}|{{@index}}|{{@abs -3}}", {}),
    ("{{foo.}}", {"foo": 1}),
    ("{{elsewhere}}|{{else-x}}", {"elsewhere": "E", "else-x": "X"}),
    ("{{#eq}}x{{/eq}}|{{^eq}}y{{/eq}}", {}),
    ("{{#each list as |eq|}}{{eq}}{{eq 1}}{{/each}}", {"list": ["a"]}),
    ("{{{{raw}}}} {{x}} {{{{/raw}}}}", {"raw": {"x": 1}}),
    ("{{thisfoo}}|{{foo-this}}", {"thisfoo": 1, "foo-this": 2}),
    ("{{#each o}}{{@key}}{{/each}}", {"o": {"z": 1, "5": 2, "1": 3, "-1": 4, "4294967295": 5}}),
    ("{{s.length}}|{{s.[1]}}|{{s.[0]}}", {"s": "a😀b"}),
    ("{{#with a}}{{#with a}}{{../b}}{{/with}}{{/with}}", {"a": {"a": {"b": 2}, "b": 1}, "b": 0}),
    ("{{#each list}}{{#each this}}{{../.}}{{/each}}{{/each}}", {"list": [[1, 2]]}),
    ("{{#if a}}{{else if b}}B{{else if c}}C{{else}}D{{/if}}", {"c": 1}),
    ("{{#unless a}}U{{else unless b}}V{{else}}W{{/unless}}", {"a": 1}),
    ("{{#with a}}{{else with b}}{{this}}{{/with}}", {"b": "bee"}),
    ("{{#each a}}{{else each b}}{{this}}{{/each}}", {"b": [1, 2]}),
    ("{{x}}", {"x": [None, [None, []], {}]}),
    ("{{constructor}}|{{a.constructor}}|{{__proto__}}|{{a.hasOwnProperty}}", {"a": {}}),
    ("{{s.toString}}|{{n.toFixed}}|{{l.push}}", {"s": "x", "n": 1, "l": []}),
    ("{{#each list}}{{this}}{{/each}}", {"list": [0.1, -0.0, 1e21, 1e-7, 2.5e-5]}),
    ("{{''}}|{{\"\"}}|{{eq '' this}}", {"": "empty key"}),
    # Handlebars joins a program's appends with JS `+`: raw numbers and booleans add up.
    ("{{{a}}}{{{a}}}|{{&t}}{{{t}}}|{{{a}}}{{{l}}}", {"a": 1, "t": True, "l": [2]}),
    ("{{#if t}}{{{a}}}{{/if}}{{{a}}}", {"a": 1, "t": True}),
    ("{{#with a}}{{{this}}}{{/with}}{{{b}}}", {"a": 0.1, "b": 0.2}),
    ("{{{a}}}{{{a}}}{{#o}}{{/o}}{{{a}}}{{{a}}}", {"a": 1, "o": {}}),
    ("{{#o}}{{{a}}}{{/o}}{{{a}}}{{{a}}}", {"a": 1, "o": {"a": 2}}),
    ("{{#eq a 1}}{{/eq}}{{#abs a}}{{/abs}}{{{a}}}", {"a": 1}),
    ("{{#each l}}{{{this}}}{{{this}}}{{/each}}", {"l": [1, 2]}),
]


def _ctx(name: str, value: Any, **extra: Any) -> dict[str, Any]:
    context = dict(extra)
    if value is not MISSING:
        context[name] = value
    return context


def value_cases() -> Iterator[Case]:
    for (value_name, value), (construct, template) in itertools.product(VALUES, CONSTRUCTS):
        yield {
            "name": f"value/{construct}/{value_name}",
            "template": template,
            "context": _ctx("v", value, other="O"),
        }


def money_cases() -> Iterator[Case]:
    for value_name, value in [*VALUES, *MONEY_VALUES]:
        yield {
            "name": f"money/{value_name}",
            "template": MONEY_TEMPLATE,
            "context": _ctx("v", value),
        }


def text_cases(cases: list[Case]) -> Iterator[Case]:
    """The same cases in text mode (Handlebars' noEscape), named text/<name>."""
    for case in cases:
        yield {**case, "name": f"text/{case['name']}", "options": {"noEscape": True}}


def pair_cases() -> Iterator[Case]:
    for (name_a, a), (name_b, b) in itertools.product(PAIR_VALUES, PAIR_VALUES):
        context = _ctx("a", a)
        if b is not MISSING:
            context["b"] = b
        yield {"name": f"pair/{name_a}/{name_b}", "template": PAIR_TEMPLATE, "context": context}


def listed_cases() -> Iterator[Case]:
    missing_context = {"a": 5, "b": "B", "s": "A", "s2": "z"}
    for i, template in enumerate(MISSING_ARGS):
        yield {"name": f"missing-arg/{i}", "template": template, "context": missing_context}
    for i, template in enumerate(LITERALS):
        yield {"name": f"literal/{i}", "template": template, "context": LITERAL_CONTEXT}
    for i, (template, contexts) in enumerate(SUBEXPRESSIONS):
        for j, context in enumerate(contexts):
            yield {"name": f"subexpr/{i}/{j}", "template": template, "context": context}
    for i, template in enumerate(PATHS):
        yield {"name": f"path/{i}", "template": template, "context": PATH_CONTEXT}
    groups = [
        ("escape", ESCAPES),
        ("tilde", TILDES),
        ("render-error", RENDER_ERRORS),
        ("oddity", ODDITIES),
    ]
    for group, items in groups:
        for i, (template, context) in enumerate(items):
            yield {"name": f"{group}/{i}", "template": template, "context": context}
    for i, template in enumerate(COMPILE_ERRORS):
        yield {"name": f"compile-error/{i}", "template": template, "context": {}}


def whitespace_cases() -> Iterator[Case]:
    newlines = {"lf": "\n", "crlf": "\r\n", "cr": "\r"}
    indents = {"none": "", "spaces": "  ", "tab": "\t", "mixed": " \t "}
    for i, shape in enumerate(WHITESPACE):
        for (nl_name, nl), (ind_name, ind) in itertools.product(newlines.items(), indents.items()):
            template = shape.replace("{N}", nl).replace("{I}", ind)
            for flag in (True, False):
                yield {
                    "name": f"standalone/{i}/{nl_name}/{ind_name}/{str(flag).lower()}",
                    "template": template,
                    "context": {
                        "t": flag,
                        "f": not flag,
                        "list": [1, 2],
                        "o": {"k": "K"},
                        "x": "X",
                        "raw": flag,
                    },
                }


def seed_templates() -> Iterator[tuple[str, str]]:
    """(file:json path, template) for every string containing '{{' in seeds/**/*.json."""
    seeds = ROOT / "seeds"
    for path in sorted(seeds.rglob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        relative = path.relative_to(seeds).as_posix()
        yield from ((f"{relative}:{where}", text) for where, text in _strings(data, ""))


def _strings(value: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{where}[{index}]")
    elif isinstance(value, str) and "{{" in value:
        yield where, value


def real_contexts() -> dict[str, Any]:
    """The template contexts of real customers: renubu on a fresh seeded SQLite database."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'oracle.sqlite3'}"
        base = [sys.executable, "-m", "renubu_tui", "--database-url", url, "--as-of", AS_OF]
        for command in (["db", "upgrade"], ["db", "seed"]):
            subprocess.run([*base, *command], check=True, capture_output=True, cwd=ROOT)
        contexts = {}
        for name, customer in REAL_CUSTOMERS.items():
            out = subprocess.run(
                [*base, "context", customer, "--json"],
                check=True,
                capture_output=True,
                cwd=ROOT,
            ).stdout
            contexts[name] = json.loads(out)
    return contexts


def seed_cases(context_names: list[str], *, crlf: bool = True) -> Iterator[Case]:
    for (where, template), name in itertools.product(seed_templates(), context_names):
        yield {"name": f"seed/{name}/{where}", "template": template, "context_ref": name}
    if not crlf:
        return
    for where, template in seed_templates():  # the same prompts saved with Windows line ends
        if "\n" in template:
            crlf = template.replace("\n", "\r\n")
            yield {"name": f"seed-crlf/{where}", "template": crlf, "context_ref": context_names[0]}


FUZZ_CONTEXTS = [
    {
        "a": 1,
        "b": "B&",
        "c": 0,
        "list": [1, "two", None],
        "o": {"k": "K", "n": 0},
        "e": [],
        "t": True,
        "n": 2.5,
        "arr": [1],
    },
    {
        "a": 0,
        "b": "",
        "c": None,
        "list": [],
        "o": {},
        "e": [0],
        "t": False,
        "n": -1,
        "arr": [[1, 2], 3],
    },
]
_SPACES = ["", "", "", " ", "\n", "  \n", "\r\n", "\n  ", "\t", "\n\n", " \r\n  "]
_NAMES = [
    "a",
    "b",
    "c",
    "list",
    "o",
    "o.k",
    "o.n",
    "e",
    "this",
    ".",
    "../a",
    "@index",
    "@key",
    "@first",
    "@last",
    "@root.a",
    "missing",
    "o/k",
    "[o]",
    "t",
    "n",
    "arr",
    "../n",
]
_PARAMS = [
    *_NAMES,
    "1",
    "0",
    "-1.5",
    '"s"',
    "'q'",
    "true",
    "false",
    "null",
    "undefined",
    "(not a)",
    "(eq a 1)",
    "(or c b)",
    "(and a (gt a 0))",
]
_HELPERS = ["eq", "gt", "gte", "lt", "lte", "and", "or", "not", "abs"]
_FRAGMENTS = [
    "{{",
    "}}",
    "{{{",
    "}}}",
    "{{#if a}}",
    "{{/if}}",
    "{{else}}",
    "{{else if b}}",
    "{{^}}",
    "{{~",
    "~}}",
    "\\",
    "\\{{",
    "{{!",
    "{{!--",
    "--}}",
    "a",
    " ",
    "\n",
    "\r\n",
    "{{#each list}}",
    "{{/each}}",
    "{{this}}",
    "{{@index}}",
    "(",
    ")",
    "..",
    "/",
    "=",
    "{{a}}",
    "{{{a}}}",
    "}",
    "{",
    "@",
    "|",
    "as |x|",
    "{{#with o}}",
    "{{/with}}",
    "{{> p}}",
    "{{&a}}",
    "\t",
    "x=1",
    '"',
    "'",
    "[",
    "]",
]


class _Fuzz:
    """Random well-formed templates: every construct, with random whitespace and tildes."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def pick(self, items: list[str]) -> str:
        return self.rng.choice(items)

    def tag(self, inner: str) -> str:
        left = "~" if self.rng.random() < 0.2 else ""
        right = "~" if self.rng.random() < 0.2 else ""
        return f"{self.pick(_SPACES)}{{{{{left}{inner}{right}}}}}{self.pick(_SPACES)}"

    def body(self, depth: int) -> str:
        return "".join(self.statement(depth) for _ in range(self.rng.randint(0, 3)))

    def statement(self, depth: int) -> str:
        roll = self.rng.random()
        if roll < 0.2:
            return self.pick(["x", " y ", "z\n", "<&>", "\n", "  ", "w\r\n"])
        if roll < 0.45 or depth > 2:
            return self.mustache()
        if roll < 0.5:
            return self.tag("! note ") if self.rng.random() < 0.5 else self.tag("!-- long --")
        return self.block(depth)

    def mustache(self) -> str:
        roll = self.rng.random()
        if roll < 0.5:
            return self.tag(self.pick(_NAMES))
        if roll < 0.7:
            text = self.tag(self.pick(_NAMES))
            return text.replace("{{", "{{{", 1).replace("}}", "}}}", 1) if "~" not in text else text
        params = " ".join(self.pick(_PARAMS) for _ in range(self.rng.randint(0, 3)))
        return self.tag(f"{self.pick(_HELPERS)} {params}".strip())

    def block(self, depth: int) -> str:
        kind = self.pick(["if", "unless", "each", "with", "if", "section", "inverted"])
        target = self.pick(_NAMES if kind != "if" else [*_NAMES, *_PARAMS[-4:]])
        if kind == "section":
            name = self.pick(["a", "list", "o", "e", "c", "t", "n", "arr", "o.k", "eq", "this"])
            opening, closing = self.tag(f"#{name}"), self.tag(f"/{name}")
        elif kind == "inverted":
            name = self.pick(["a", "list", "o", "e", "c"])
            opening, closing = self.tag(f"^{name}"), self.tag(f"/{name}")
        else:
            opening, closing = self.tag(f"#{kind} {target}"), self.tag(f"/{kind}")
        text = opening + self.body(depth + 1)
        if kind in ("if", "unless") and self.rng.random() < 0.4:
            text += self.tag(f"else {kind} {self.pick(_NAMES)}") + self.body(depth + 1)
        if self.rng.random() < 0.5:
            text += self.tag(self.pick(["else", "^", " else "])) + self.body(depth + 1)
        return text + closing


def fuzz_cases(count: int = 600) -> Iterator[Case]:
    rng = random.Random(20250924)
    fuzz = _Fuzz(rng)
    for i in range(count):
        template = fuzz.body(0) + fuzz.statement(0)
        yield {"name": f"fuzz/{i}", "template": template, "context": FUZZ_CONTEXTS[i % 2]}
    for i in range(count // 2):
        pieces = [rng.choice(_FRAGMENTS) for _ in range(rng.randint(2, 9))]
        yield {"name": f"fragments/{i}", "template": "".join(pieces), "context": FUZZ_CONTEXTS[0]}


def main() -> None:
    contexts = real_contexts()
    cases = [
        *value_cases(),
        *pair_cases(),
        *listed_cases(),
        *whitespace_cases(),
        *fuzz_cases(),
        *money_cases(),
        *seed_cases(list(contexts)),
    ]
    cases += text_cases(
        [
            *value_cases(),
            *listed_cases(),
            *money_cases(),
            *fuzz_cases(300),
            *seed_cases(list(contexts), crlf=False),
        ]
    )
    names = [case["name"] for case in cases]
    duplicates = {name for name in names if names.count(name) > 1}
    if duplicates:
        raise SystemExit(f"duplicate case names: {sorted(duplicates)[:5]}")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"contexts": contexts, "cases": cases}, ensure_ascii=False, indent=1)
    OUT.write_text(text + "\n", encoding="utf-8")
    print(f"{len(cases)} cases → {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
