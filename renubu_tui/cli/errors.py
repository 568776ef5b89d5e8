"""Errors a person can cause, and how they are shown: one line, no traceback."""

from __future__ import annotations

from renubu_tui.clock import ClockError
from renubu_tui.data.engine import DatabaseError
from renubu_tui.settings import SettingsError


class UserError(Exception):
    """A request that cannot be carried out as asked (unknown customer, bad value…)."""

    exit_code = 2


def _seed_error() -> type[Exception]:
    from renubu_tui.data.seed.files import SeedFileError

    return SeedFileError


KNOWN_ERRORS: tuple[type[BaseException], ...] = (
    UserError,
    ClockError,
    DatabaseError,
    SettingsError,
    _seed_error(),
    LookupError,
)


def one_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return " ".join(text.split())


def exit_code(exc: BaseException) -> int:
    """2 for what the person asked wrongly (unknown names, bad dates), 1 for everything else."""
    if isinstance(exc, UserError | LookupError | ClockError | SettingsError):
        return 2
    return 1
