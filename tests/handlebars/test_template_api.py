"""The template API others call: render, check, conditions, recipients, paths, values."""

from __future__ import annotations

import subprocess
import sys

import pytest

from renubu_tui.handlebars import (
    TemplateError,
    check,
    evaluate_condition,
    guarded_paths,
    missing_paths,
    referenced_paths,
    render,
    render_recipients,
    render_text,
    render_value,
    unknown_helpers,
)

CONTEXT = {
    "customer": {"name": "Bluesoft & Co", "arr": 180000.0, "hasAccountPlan": True},
    "csm": {"email": "maya@x.com", "manager": None},
    "company": {"ceo": "ceo@x.com"},
    "workflow": {"daysUntilRenewal": 15, "renewalARR": 180000},
    "stakeholders": [{"name": "A"}, {"name": "B"}],
}


def test_render_as_handlebars_does() -> None:
    assert render("{{customer.name}}: {{customer.arr}}", CONTEXT) == "Bluesoft &amp; Co: 180000"
    assert render("{{or csm.manager company.ceo}}", CONTEXT) == "ceo@x.com"
    assert (
        render("{{#each stakeholders}}{{name}}{{#unless @last}}, {{/unless}}{{/each}}", CONTEXT)
        == "A, B"
    )
    assert render('{{eq workflow.daysUntilRenewal 15}} {{eq 7 "7"}}', CONTEXT) == "true false"
    assert render("a\r\n  {{#if customer}}\r\n  b\r\n  {{/if}}\r\nc", CONTEXT) == "a\r\n  b\r\nc"


def test_render_text_is_text_not_html() -> None:
    """Handlebars' noEscape: what a terminal or a plain-text e-mail shows is the data as written."""
    context = {"customer": {"name": "Pinnacle & Sons <Edu>"}, "note": "a = 'b' \"c\" `d`", "n": 2}
    template = "{{customer.name}}: {{note}} {{{customer.name}}}"
    assert render_text(template, context) == (
        "Pinnacle & Sons <Edu>: a = 'b' \"c\" `d` Pinnacle & Sons <Edu>"
    )
    assert render(template, context) == (  # the same template, cached per mode
        "Pinnacle &amp; Sons &lt;Edu&gt;: a &#x3D; &#x27;b&#x27; &quot;c&quot; &#x60;d&#x60; "
        "Pinnacle & Sons <Edu>"
    )
    assert render(template, context, escape=False) == render_text(template, context)
    assert render_text("{{n}}{{n}} {{#if n}}{{n}}{{/if}}", context) == "4 2"  # JS `+`, as noEscape


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (180000, "$180,000"),
        (180000.0, "$180,000"),
        (1234567.891, "$1,234,568"),
        (999.5, "$1,000"),
        (-2.5, "-$3"),
        (-0.4, "$0"),
        (0, "$0"),
        ("198000", "$198,000"),
        (" 12.5 ", "$13"),
        ("1,000", ""),
        ("", ""),
        (None, ""),
        (True, ""),
        ([180000], ""),
    ],
)
def test_money_formats_dollars_for_people(value: object, text: str) -> None:
    assert render_text("{{money v}}", {"v": value}) == text
    assert render("{{money v}}", {"v": value}) == text


def test_money_of_missing_data_stays_missing() -> None:
    assert render_text("ARR {{money workflow.renewalARR}}.", {}) == "ARR ."
    assert render_text("{{money}}", {}) == ""
    assert render_text("${{x}}", {"x": 180000}) == "$180000"  # why the helper exists


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("Hi {{#if customer}}x", "line 1, column 4: {{#if}} is never closed"),
        ("{{#if a}}{{/each}}", "{{/each}} doesn't match {{#if}}"),
        ("{{foo.this}}", "Invalid path: foo.this"),
        ("a\n{{!-- open", "unclosed comment at line 2, column 1"),
        ("{{foo}}}", "expected '}}'"),
    ],
)
def test_invalid_templates_are_refused_with_a_one_line_reason(template: str, message: str) -> None:
    with pytest.raises(TemplateError) as info:
        check(template)
    assert message in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(TemplateError):
        render(template, CONTEXT)


def test_render_errors_are_template_errors() -> None:
    with pytest.raises(TemplateError, match='Missing helper: "nope"'):
        render("{{nope customer}}", CONTEXT)
    with pytest.raises(TemplateError, match="partials are not supported"):
        render("{{> card}}", CONTEXT)
    with pytest.raises(TemplateError, match="must be a string"):
        render(None, CONTEXT)  # type: ignore[arg-type]


def test_conditions() -> None:
    assert evaluate_condition("{{gte workflow.renewalARR 50000}}", CONTEXT).value
    for falsy in ("", "  0 ", "FALSE", "{{csm.manager}}", "{{not customer}}"):
        condition = evaluate_condition(falsy, CONTEXT)
        assert not condition.value and condition.error is None
    broken = evaluate_condition("{{#if customer}}", CONTEXT)
    assert broken.value is False and broken.error and "never closed" in broken.error
    failing = evaluate_condition("{{nope 1}}", CONTEXT)
    assert failing.value is False and failing.error and "Missing helper" in failing.error


def test_recipients() -> None:
    result = render_recipients(
        [
            "{{csm.email}}, {{csm.manager}}",
            " Maya@x.com ,ceo@x.com,,",
            "o'brien@x.com",
            "{{bad 1}}",
        ],
        CONTEXT,
        known=["maya@x.com", "CEO@x.com"],
    )
    assert result.emails == ["maya@x.com", "ceo@x.com", "o'brien@x.com"]
    assert result.unknown == ["o'brien@x.com"]
    assert len(result.errors) == 1 and "recipient 4" in result.errors[0]
    assert render_recipients(["a@x.com"], CONTEXT).unknown == []
    spelled = {"a": "o'neil=1@x.com", "b": "p&amp;q@x.com"}  # text: nothing escaped or undone
    assert render_recipients(["{{a}}, {{b}}"], spelled).emails == [
        "o'neil=1@x.com",
        "p&amp;q@x.com",
    ]


def test_referenced_and_missing_paths() -> None:
    template = (
        "{{customer.name}} {{#if (gt workflow.renewalARR 100)}}"
        "{{or csm.manager company.ceo}}{{/if}}"
        "{{#each stakeholders}}{{name}} {{../csm.email}} {{@index}}{{/each}}"
        "{{#with data.usage}}{{activeUsers}} {{../workflow.daysUntilRenewal}}{{/with}}"
        "{{@root.company.name}} {{this}} {{eq}} {{#each xs as |x|}}{{x.y}}{{/each}}"
    )
    assert referenced_paths(template) == [
        "customer.name",
        "workflow.renewalARR",
        "csm.manager",
        "company.ceo",
        "stakeholders",
        "csm.email",
        "data.usage",
        "data.usage.activeUsers",
        "workflow.daysUntilRenewal",
        "company.name",
        "xs",
    ]
    paths = ["customer.name", "csm.manager", "data.usage.activeUsers", "company.name", "xs"]
    assert missing_paths(paths, CONTEXT) == [
        "csm.manager",
        "data.usage.activeUsers",
        "company.name",
        "xs",
    ]
    with pytest.raises(TemplateError):
        referenced_paths("{{#if}}")


def test_render_value_keeps_literal_types() -> None:
    value = {"arr": "{{customer.arr}}", "flags": [True, None, 3, "{{eq 1 1}}"], "n": 2.5}
    assert render_value(value, CONTEXT) == {
        "arr": "180000",
        "flags": [True, None, 3, "true"],
        "n": 2.5,
    }
    with pytest.raises(TemplateError, match=r"^meta\[1\]\.x: "):
        render_value({"meta": [1, {"x": "{{oops 1}}"}]}, CONTEXT)
    value = {"who": "{{customer.name}}", "list": ["{{customer.name}}", 1]}
    assert render_value(value, CONTEXT, escape=False) == {
        "who": "Bluesoft & Co",
        "list": ["Bluesoft & Co", 1],
    }


def test_unknown_helpers_and_guarded_paths() -> None:
    template = (
        "{{mony a}} {{money a}} {{#if (nope b)}}{{/if}} {{#each xs as |x|}}{{x 1}}{{/each}} "
        "{{foo}} {{#each xs}}{{this}}{{/each}} {{lookup a 1}} {{helperMissing 1}}"
    )
    assert unknown_helpers(template) == ["mony", "nope", "x", "helperMissing"]
    assert guarded_paths(
        "{{#if o.a}}{{o.a}}{{/if}}{{#each o.list}}{{/each}}{{#with o}}{{#unless (gt n 1)}}"
        "{{/unless}}{{/with}}{{#o.s}}{{/o.s}}{{#if a}}{{else if b.c}}{{/if}}{{o.printed}}"
    ) == ["o.a", "o.list", "o", "o.n", "o.s", "a", "b.c"]


def test_compiled_templates_are_cached() -> None:
    from renubu_tui.handlebars.engine import _compiled

    template = "{{customer.name}} cached"
    render(template, CONTEXT)
    before = _compiled.cache_info().hits
    render(template, {"customer": {"name": "other"}})
    assert _compiled.cache_info().hits == before + 1


def test_importing_the_package_does_not_import_pybars() -> None:
    code = (
        "import sys, renubu_tui.handlebars as t\n"
        "assert 'pybars' not in sys.modules and 'pymeta' not in sys.modules\n"
        "t.check('{{x}}'); t.referenced_paths('{{x}}')\n"
        "assert 'pybars' not in sys.modules\n"
        "t.render('{{x}}', {})\n"
        "assert 'pybars' not in sys.modules and 'pymeta' not in sys.modules\n"  # engine.py
    )
    subprocess.run([sys.executable, "-c", code], check=True)
