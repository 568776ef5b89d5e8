"""Errors a person can cause, and how they are shown: one line, no traceback.

The one place the command line maps them (`renubu_tui.cli.main` prints `said(exc)` and exits
with `exit_code(exc)`): every service refusal (`services.refusals.Refused`), the CLI's own
`UserError`, a bad date, settings that cannot be used, an unreachable or busy database. Commands
let them rise; none converts them itself.
"""

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


def _refused() -> type[Exception]:
    from renubu_tui.services.refusals import Refused  # light: four classes

    return Refused


KNOWN_ERRORS: tuple[type[BaseException], ...] = (
    _refused(),
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


def said(exc: BaseException) -> str:
    """What a known error says, as one line. A step with routes completed without `--route`
    names the flag and the routes to choose from (the app asks with its picker instead)."""
    routes = getattr(exc, "routes", None)
    if isinstance(exc, _refused()) and routes is not None:
        from renubu_tui.services.workflows.executions import RouteRequired  # loaded: it raised

        if isinstance(exc, RouteRequired):
            listed = "; ".join(f"{code} ({text})" for code, text in exc.routes)
            return f"{exc.step_name} has routes; choose one with --route: {listed}"
    return one_line(exc)


def exit_code(exc: BaseException) -> int:
    """2 for what the person asked wrongly (unknown names, bad dates), 1 for a request the
    services refused (a wrong state, a closed gate, a bad value, a lost race), 75 for a busy
    database (try again), 1 for everything else."""
    from renubu_tui.services.refusals import NotFound

    if isinstance(exc, NotFound):
        return 2
    if isinstance(exc, _refused()):
        return 1  # before SettingsError: a refused `config set` is one as well
    if isinstance(exc, UserError | LookupError | ClockError | SettingsError):
        return 2
    if isinstance(exc, DatabaseBusy):
        return EXIT_BUSY
    return 1
