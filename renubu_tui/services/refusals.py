"""The one base of every "the request was refused" error (a closed gate, a wrong state, a bad
parameter): the app says these as a warning, not as a fault. Light to import on purpose."""

from __future__ import annotations


class Refused(ValueError):
    """A request a service declined; nothing was changed."""
