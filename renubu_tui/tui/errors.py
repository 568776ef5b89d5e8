"""Failed workers become one message the app handles in one place.

Textual posts `Worker.StateChanged` to the widget that owns the worker and does not bubble it,
so widgets that run workers mix in `ReportsWorkerErrors`: a failure is re-posted as
`WorkerFailed`, which bubbles up to `RenubuApp.on_worker_failed`. There it is said once, by
`say_failure`: a request a person caused and a service refused (`services.refusals.Refused`: a
closed gate, a wrong state, a bad value, a lost race) is a warning with its message; anything
else is a fault (the database banner, or an error). Code that runs a service call therefore
catches no refusal itself: it lets it rise out of the worker. Every `@work` uses
`exit_on_error=False` so a failure never ends the app.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from textual.message import Message
from textual.worker import Worker, WorkerState

from renubu_tui.tui.text import one_line

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel


class WorkerFailed(Message):
    """A worker ended with an exception."""

    def __init__(self, worker: Worker[object], error: BaseException) -> None:
        super().__init__()
        self.worker = worker
        self.error = error

    @property
    def group(self) -> str:
        return self.worker.group


class _PostsMessages(Protocol):
    def post_message(self, message: Message) -> bool: ...


class _Notifies(Protocol):
    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None: ...


class ReportsWorkerErrors:
    """Mixin for DOM nodes that run workers: re-post failures as a bubbling WorkerFailed."""

    def on_worker_state_changed(self: _PostsMessages, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.post_message(WorkerFailed(event.worker, event.worker.error))


def is_database_error(error: BaseException) -> bool:
    """A connection/database problem (shown as the banner) rather than a one-off failure."""
    from renubu_tui.data.engine import DatabaseError  # light: no SQLAlchemy at import

    if isinstance(error, DatabaseError | ConnectionError | TimeoutError):
        return True
    module = type(error).__module__
    return module.startswith(("sqlalchemy", "aiosqlite", "asyncpg", "sqlite3"))


def is_refusal(error: BaseException) -> bool:
    """A request a service refused (closed gate, wrong state, bad value), or a write that lost a
    race with another session (DatabaseConflict, said in what-happened words): said, not
    feared. The database is fine either way, so no banner and no retry."""
    from renubu_tui.data.engine import DatabaseConflict  # light: no SQLAlchemy at import
    from renubu_tui.services.refusals import Refused  # light: four classes

    return isinstance(error, Refused | DatabaseConflict)


def say_refusal(node: _Notifies, error: BaseException) -> bool:
    """Say a refusal as a warning toast with its message; False (nothing said) for a fault."""
    if not is_refusal(error):
        return False
    node.notify(one_line(error), title="Not done", severity="warning", markup=False)
    return True
