"""Notification recipients: templates that render to comma-separated e-mail addresses."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from renubu_tui.handlebars.engine import render_text
from renubu_tui.handlebars.errors import TemplateError

__all__ = ["Recipients", "render_recipients"]


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

    An address is text, not HTML: rendered without escaping (o'brien@x.com stays as written).
    Duplicates and `known` compare case-insensitively (e-mail addresses do in practice); the
    first spelling is kept. A template that fails is reported in `errors`, the others still count.
    """
    emails: list[str] = []
    seen: set[str] = set()
    errors: list[str] = []
    for number, template in enumerate(templates, start=1):
        try:
            text = render_text(template, context)
        except TemplateError as exc:
            errors.append(f"recipient {number} {template!r}: {exc}")
            continue
        for part in text.split(","):
            address = part.strip()
            if address and address.casefold() not in seen:
                seen.add(address.casefold())
                emails.append(address)
    unknown: list[str] = []
    if known is not None:
        known_folded = {address.strip().casefold() for address in known}
        unknown = [address for address in emails if address.casefold() not in known_folded]
    return Recipients(emails, unknown, errors)
