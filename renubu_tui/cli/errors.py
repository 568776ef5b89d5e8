"""Errors a person can cause, and how they are shown: one line, no traceback."""

from __future__ import annotations

from renubu_tui.clock import ClockError
from renubu_tui.data.engine import DatabaseBusy, DatabaseError
from renubu_tui.settings import SettingsError

EXIT_BUSY = 75  # EX_TEMPFAIL: the database was busy; the same command can simply be run again
EXIT_PIPE_CLOSED = 141  # 128 + SIGPIPE, what a shell reports for `git log | head`


class UserError(Exception):
    """A request that cannot be carried out as asked (unknown customer, bad value…)."""

    exit_code = 2


class OutputClosed(Exception):
    """Whoever read our output stopped reading (`renubu queue | head -3`): end quietly.

    Raised instead of BrokenPipeError inside a command so that click, which would turn an EPIPE
    into exit 1, passes it on to `renubu_tui.cli.main` like any other error.
    """


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
    """2 for what the person asked wrongly (unknown names, bad dates), 75 for a busy database
    (try again), 1 for everything else."""
    if isinstance(exc, UserError | LookupError | ClockError | SettingsError):
        return 2
    if isinstance(exc, DatabaseBusy):
        return EXIT_BUSY
    return 1
