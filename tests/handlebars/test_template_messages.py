"""A malformed template is refused with one line that says what is wrong and where.

"expected a name, got 'name'" for `{{name` at the end of a template said nothing useful: what
is left open is named, with the line and column where it was opened.
"""

from __future__ import annotations

import pytest

from renubu_tui.handlebars import TemplateError, check, render


@pytest.mark.parametrize(
    ("template", "message"),
    [
        (
            "Hi {{name",
            "unclosed {{ at line 1, column 4: '{{name' has no }} before the end of the template",
        ),
        (
            "Dear team,\n\nPlease call {{ customer.name ",
            "unclosed {{ at line 3, column 13: '{{ customer.name ' has no }} before the end of "
            "the template",
        ),
        (
            "{{name\n\nmore text {{other}}",
            "unclosed {{ at line 1, column 1: '{{name' has no }} before the next {{ at line 3, "
            "column 11",
        ),
        (
            "{{#if customer.arr}}big{{x",
            "unclosed {{ at line 1, column 24: '{{x' has no }} before the end of the template",
        ),
        (
            "{{#if a",
            "unclosed {{ at line 1, column 1: '{{#if a' has no }} before the end of the template",
        ),
        ('{{x "open}}', "unclosed string at line 1, column 5: '\"open}}' has no closing \""),
        ("{{x [a b}}", "unclosed [name] at line 1, column 5: '[a b}}' has no closing ]"),
        (
            "a\n{{!-- note",
            "unclosed comment at line 2, column 1: '{{!-- note' has no --}} before the end of "
            "the template",
        ),
        (
            "{{{{raw}}}} x",
            "unclosed raw block at line 1, column 1: '{{{{raw}}}} x' has no {{{{/…}}}} before "
            "the end of the template",
        ),
        ("{{/if}}", "line 1, column 1: this {{/…}} closes a block that was never opened"),
        ("{{#if a}}x{{/if}}{{/if}}", "line 1, column 18: this {{/…}} closes a block"),
        ("x {{else}} y", "line 1, column 3: {{else}} outside a block ({{#if …}}, {{#each …}} …)"),
        ("{{#if a}}x", "line 1, column 1: {{#if}} is never closed"),
        ("{{#if a}}{{/each}}", "line 1, column 1: {{/each}} doesn't match {{#if}}"),
        ("{{{x}}", "line 1, column 5: expected '}}}', got '}}'"),
        ("{{x (y}}", "line 1, column 7: expected ')', got '}}'"),
    ],
)
def test_malformed_templates_say_what_is_wrong(template: str, message: str) -> None:
    for call in (check, lambda t: render(t, {})):
        with pytest.raises(TemplateError) as info:
            call(template)
        assert str(info.value).startswith(message)
        assert "\n" not in str(info.value)


def test_a_closed_tag_is_never_called_unclosed() -> None:
    with pytest.raises(TemplateError) as info:
        check("{{x}} and {{y z=}}")
    assert str(info.value) == "line 1, column 17: expected a name or a literal, got '}}'"
