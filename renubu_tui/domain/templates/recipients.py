"""Notification recipients: templates that render to comma-separated e-mail addresses."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from renubu_tui.domain.templates.engine import render
from renubu_tui.domain.templates.errors import TemplateError

__all__ = ["Recipients", "render_recipients"]

# The entities Handlebars' escaping produces: an address is not HTML, so they are undone
# (o'brien@x.com renders as o&#x27;brien@x.com).
_ENTITIES = {
    "&amp;": "&",
    "&lt;": "<",
    "&gt;": ">",
    "&quot;": '"',
    "&#x27;": "'",
    "&#x60;": "`",
    "&#x3D;": "=",
}
_ENTITY = re.compile("|".join(map(re.escape, _ENTITIES)))


@dataclass(frozen=True, slots=True)
class Recipients:
    """Addresses in first-seen order, those not among the known ones, and render errors."""

    emails: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def render_recipients(
    templates: Sequence[str],
    context: Mapping[str, Any],
    known: Collection[str] | None = None,
) -> Recipients:
    """Render each template, split on commas, trim, drop empties, remove duplicates in order.

    Duplicates and `known` compare case-insensitively (e-mail addresses do in practice); the
    first spelling is kept. A template that fails is reported in `errors`, the others still count.
    """
    emails: list[str] = []
    seen: set[str] = set()
    errors: list[str] = []
    for number, template in enumerate(templates, start=1):
        try:
            text = render(template, context)
        except TemplateError as exc:
            errors.append(f"recipient {number} {template!r}: {exc}")
            continue
        for part in _ENTITY.sub(lambda m: _ENTITIES[m.group()], text).split(","):
            address = part.strip()
            if address and address.casefold() not in seen:
                seen.add(address.casefold())
                emails.append(address)
    unknown: list[str] = []
    if known is not None:
        known_folded = {address.strip().casefold() for address in known}
        unknown = [address for address in emails if address.casefold() not in known_folded]
    return Recipients(emails, unknown, errors)
