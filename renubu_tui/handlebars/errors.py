"""The one error type of the template package."""

from __future__ import annotations

__all__ = ["TemplateError"]


class TemplateError(ValueError):
    """A template that does not compile, or fails to render; the message is one line."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(str(message).split()))
