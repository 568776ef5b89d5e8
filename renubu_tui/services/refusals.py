"""The one root of every error a person caused: a request the services declined, with nothing
changed, said in words the person can act on.

Every service exception of that kind derives from `Refused`, so each front end maps them once:
the CLI (`cli/errors.py`) prints the message as one line (exit 2 for `NotFound`, 1 for the
others) and the app (`tui/errors.py`) shows it as a warning toast. What a person did not cause —
the database down, a bug, a model that broke its contract — is a fault and is not a `Refused`
(tests/services/test_refusals.py holds every service exception to that choice).

Light to import on purpose: the CLI and the app's error paths import it before anything else.
"""

from __future__ import annotations


class Refused(ValueError):
    """A request a service declined (a wrong state, a closed gate…); nothing was changed."""


class NotFound(Refused, LookupError):
    """The request names something that is not there: a customer, a user, a workflow, a
    version, an execution or a filter value no one has. Also a LookupError, as it always was."""


class BadInput(Refused):
    """A value the request gave that is not accepted (out of range, malformed, missing)."""


class Conflict(Refused):
    """The request lost to another change: it already exists, or someone moved it on first."""


__all__ = ["BadInput", "Conflict", "NotFound", "Refused"]
