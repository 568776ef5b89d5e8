"""Import the data layer and the later panes on a thread, after the first page has painted.

SQLAlchemy and the models take ~0.4 s to import. On the event loop that would freeze the screen
(no "loading" state, no keys) for that long; on a thread the UI stays live. It starts after the
first frame because imports hold the GIL: started earlier they only delay that frame. Should the
thread's import fail (two threads importing one module can see it half-initialised), the boot
worker imports again on the event loop, where a real error surfaces.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import threading

MODULES = (
    "renubu_tui.services.container",
    "renubu_tui.services.queue.service",
    "renubu_tui.services.customers.context",
    "renubu_tui.services.customers.history",
    "renubu_tui.services.customers.step_view",  # the step pane's first read (handlebars, as_of)
    # the panes mounted after the first page: the chat's Markdown alone is ~0.1 s
    "renubu_tui.tui.widgets.step_pane",
    "renubu_tui.tui.widgets.sidebar",
)

_thread: threading.Thread | None = None


def _import_all() -> None:
    for name in MODULES:
        importlib.import_module(name)


def _import_quietly() -> None:
    with contextlib.suppress(Exception):
        _import_all()


def start() -> None:
    """Begin importing in the background (idempotent)."""
    global _thread
    if _thread is None:
        _thread = threading.Thread(target=_import_quietly, name="renubu-preload", daemon=True)
        _thread.start()


async def ready() -> None:
    """Wait (without blocking the event loop) until the data layer is imported."""
    start()
    assert _thread is not None
    if _thread.is_alive():
        await asyncio.to_thread(_thread.join)
    _import_all()  # already imported: a no-op, or re-raises an import error here
