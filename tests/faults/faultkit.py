"""What the fault suite is made of: clients of one test database, and the invariants checked on
its rows afterwards.

Clients are `renubu` processes (forked by a zygote that imported renubu once, see
renubu_child.py: each a process of its own with its own connections, as the installed command)
or services on an engine of their own each, in this process.

Invariants (each a function returning what breaks it, [] when it holds):

- `half_written`: an open execution is on exactly one step: its `current_step_id` has exactly one
  `in_progress` row in workflow_step_executions and no other step is in progress; a completed or
  closed one has none, a skipped one at most the step it stopped on (one completion per step
  attempt: a second completion of a step opens a second attempt of the next one).
- `open_per_workflow`: at most one open execution per customer and workflow.
- `doubled_notifications`: one notification per idempotency key.
- `queue_differs_from_rebuild`: the materialized queue of a day is what a fresh rebuild gives
  (its row count too), or it is marked stale and a read rebuilds it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from renubu_tui.clock import Clock
from renubu_tui.data.engine import (
    Database,
    DatabaseBusy,
    DatabaseConflict,
    create_database,
    database_error,
)
from renubu_tui.data.models import (
    ActionExecution,
    Customer,
    Notification,
    QueueItem,
    QueueState,
    StepExecution,
    WorkflowExecution,
)
from renubu_tui.data.models.base import Base
from renubu_tui.data.seed.ids import key_id
from renubu_tui.domain.routing import RoutingError
from renubu_tui.domain.vocabulary import OPEN_EXECUTION_STATUSES
from renubu_tui.services.config.service import ConfigService
from renubu_tui.services.container import Services, build_services
from renubu_tui.services.queue.service import STALE, QueueFilters, QueueService
from renubu_tui.services.queue.sql import ITEM_COLUMNS
from renubu_tui.services.refusals import Refused
from renubu_tui.settings import Settings
from tests.conftest import PG_URL, TEST_TODAY

TENANT = key_id("tenant", "acme-cs")
CHILD = Path(__file__).with_name("renubu_child.py")
ESCAPES = ("\x1b", "\x07", "\x9b", "\x9d")  # ESC, BEL, CSI and OSC as C1 bytes


# (backend, clients, how many), for `seeded_db` (indirect): processes are `renubu` children,
# engines are services on an engine of their own each, in this process. 8 clients on SQLite,
# 20 on PostgreSQL.
CLIENTS = [
    pytest.param("sqlite", "processes", 8, id="sqlite-processes-8"),
    pytest.param("sqlite", "engines", 8, id="sqlite-engines-8"),
    *([pytest.param("postgresql", "engines", 20, id="postgresql-engines-20")] if PG_URL else []),
]


def day(offset: int) -> dt.date:
    return TEST_TODAY + dt.timedelta(days=offset)


# --- clients ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ran:
    """How a `renubu` child ended: exit code (-9 when killed) and what it wrote."""

    code: int
    out: str
    err: str

    @property
    def said(self) -> str:
        return self.err.strip()


@dataclass
class Outcome:
    """How an in-process client's request ended: "ok", "refused" (a service said no), "conflict"
    (lost a race to another session), "busy" (waited for a lock in vain) or "database" (any
    other database failure); the message is the sentence the CLI would print."""

    kind: str
    message: str
    value: Any = None


class Child:
    """A `renubu` process forked by the zygote (tests/faults/renubu_child.py)."""

    def __init__(self, pid: int, folder: Path, go: Path, parent: int) -> None:
        self.pid = pid
        self.folder = folder
        self.go = go
        self.parent = parent  # the zygote: a pid with another parent is not (or no longer) ours
        self.killed = False

    def ready(self) -> bool:
        return Path(f"{self.go}.{self.pid}.ready").exists()

    def alive(self) -> bool:
        """Running (not a zombie), and still the zygote's child (its pid not reused)."""
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            return False
        return fields[0] not in ("Z", "X") and int(fields[1]) == self.parent

    def kill(self) -> Ran:
        """kill -9 (if it still runs), then what it had written."""
        if self.alive():
            os.kill(self.pid, signal.SIGKILL)
            self.killed = True
        return self.result()

    def result(self, timeout: float = 90) -> Ran:
        code_file = self.folder / f"{self.pid}.code"
        deadline = time.monotonic() + timeout
        while not code_file.exists() and self.alive():
            if time.monotonic() > deadline:
                os.kill(self.pid, signal.SIGKILL)
                raise AssertionError(f"renubu child {self.pid} still running after {timeout} s")
            time.sleep(0.01)
        code = int(code_file.read_text()) if code_file.exists() else -signal.SIGKILL
        read = lambda kind: (self.folder / f"{self.pid}.{kind}").read_text(errors="replace")  # noqa: E731
        return Ran(code, read("out"), read("err"))


class Zygote:
    """One process that imported `renubu` and forks a child per command (see renubu_child)."""

    def __init__(self, env: dict[str, str], folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self._log = folder / "zygote.err"
        with self._log.open("w") as log:
            self.proc = subprocess.Popen(
                [sys.executable, str(CHILD)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                env=env,
                text=True,
            )
        self._expect("ready")

    def _expect(self, what: str | None = None) -> str:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        if not line or (what is not None and line != what):
            raise AssertionError(f"the renubu zygote failed: {self._log.read_text()[-2000:]}")
        return line

    def fork(self, argv: Sequence[str], env: dict[str, str], go: Path) -> Child:
        assert self.proc.stdin is not None
        order = {"argv": list(argv), "env": env, "go": str(go), "folder": str(self.folder)}
        self.proc.stdin.write(json.dumps(order) + "\n")
        self.proc.stdin.flush()
        return Child(int(self._expect()), self.folder, go, self.proc.pid)

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class Target:
    """One test database as separate clients reach it: `renubu` processes and fresh engines."""

    def __init__(self, db: Database, url: str, schema: str | None, folder: Path) -> None:
        self.db = db
        self.url = url
        self.schema = schema
        self.folder = folder
        self.sqlite = db.dialect == "sqlite"
        self._barriers = 0
        self._zygote: Zygote | None = None
        self._children: list[Child] = []

    @classmethod
    async def of(cls, db: Database, folder: Path) -> Target:
        if db.dialect == "sqlite":
            return cls(db, db.engine.url.render_as_string(hide_password=False), None, folder)
        async with db.engine.connect() as conn:
            schema = await conn.scalar(text("SELECT current_schema()"))
        return cls(db, PG_URL, str(schema), folder)

    def close(self) -> None:
        """Kill what still runs or waits (a failed test leaves children at their barrier)."""
        for child in self._children:
            if child.alive():
                os.kill(child.pid, signal.SIGKILL)
        if self._zygote is not None:
            self._zygote.close()

    # child processes

    def env(self, today: dt.date = TEST_TODAY) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("RENUBU_")}
        env |= {
            "RENUBU_DATABASE_URL": self.url,
            "RENUBU_TODAY": today.isoformat(),
            "XDG_CONFIG_HOME": str(self.folder / "config"),
            "XDG_DATA_HOME": str(self.folder / "data"),
        }
        if self.schema:
            env["RENUBU_FAULTS_SCHEMA"] = self.schema
        return env

    def barrier(self) -> Path:
        self._barriers += 1
        return self.folder / f"go{self._barriers}"

    def spawn(self, args: Sequence[str], go: Path, today: dt.date = TEST_TODAY) -> Child:
        """A `renubu ARGS` process that waits for the file `go` before running."""
        if self._zygote is None:
            self._zygote = Zygote(self.env(), self.folder / "children")
        child = self._zygote.fork(args, {"RENUBU_TODAY": today.isoformat()}, go)
        self._children.append(child)
        return child

    def run_together(
        self, argvs: Sequence[Sequence[str]], today: dt.date = TEST_TODAY, timeout: float = 90
    ) -> list[Ran]:
        """Every command in a process of its own, all started at the same instant."""
        go = self.barrier()
        children = [self.spawn(args, go, today) for args in argvs]
        wait_ready(go, children)
        go.touch()
        return [child.result(timeout) for child in children]

    def run(self, *args: str, today: dt.date = TEST_TODAY) -> Ran:
        return self.run_together([args], today)[0]

    # in-process clients

    async def setup(self, today: dt.date = TEST_TODAY) -> Services:
        """The services over the test's own engine, to arrange a scene and read it back."""
        return await build_services(self.db, Settings(database_url=self.url), Clock(today))

    def engine(self) -> Database:
        return create_database(self.url, schema=self.schema)

    @asynccontextmanager
    async def services(self, today: dt.date = TEST_TODAY) -> AsyncIterator[Services]:
        """The services over an engine of their own (its own connections), as a CLI has."""
        db = self.engine()
        try:
            settings = Settings(database_url=self.url, tenant="acme-cs")
            yield await build_services(db, settings, Clock(today))
        finally:
            await db.dispose()


def wait_ready(go: Path, children: Sequence[Child], timeout: float = 90) -> None:
    """Until every child waits at the barrier `go` (a child that died says why)."""
    deadline = time.monotonic() + timeout
    while not all(child.ready() for child in children):
        for child in children:
            if not child.ready() and not child.alive():
                raise AssertionError(f"a child ended before its command: {child.result()}")
        if time.monotonic() > deadline:
            raise AssertionError("children did not get ready in time")
        time.sleep(0.005)


async def clients_together(
    target: Target,
    count: int,
    act: Callable[[Services, int], Awaitable[Any]],
    today: dt.date = TEST_TODAY,
) -> list[Outcome]:
    """`count` clients, each with its own engine, acting at once; how each ended."""
    ready = asyncio.Event()
    built = 0

    async def one(index: int) -> Outcome:
        nonlocal built
        async with target.services(today) as services:
            built += 1
            if built == count:
                ready.set()
            await ready.wait()
            return await outcome_of(act(services, index), target.url)

    return list(await asyncio.gather(*(one(i) for i in range(count))))


async def outcome_of(request: Awaitable[Any], url: str) -> Outcome:
    try:
        return Outcome("ok", "", await request)
    except (Refused, RoutingError, LookupError) as exc:
        return Outcome("refused", str(exc))
    except Exception as exc:
        problem = database_error(exc, url)
        if problem is None:
            raise
        kind = {DatabaseBusy: "busy", DatabaseConflict: "conflict"}.get(type(problem), "database")
        return Outcome(kind, str(problem))


async def customer_id(db: Database, name: str) -> uuid.UUID:
    async with db.sessions() as s:
        found = await s.scalar(select(Customer.id).where(Customer.name.startswith(name)))
    assert found is not None, name
    return found


# --- invariants ------------------------------------------------------------------------------


async def half_written(db: Database, only: set[uuid.UUID] | None = None) -> list[str]:
    """Executions not on exactly one step (see the module docstring). A skipped workflow
    stops where it was: its current step may stay in progress, no other."""
    async with db.sessions() as s:
        runs = (
            await s.execute(
                select(
                    WorkflowExecution.id,
                    WorkflowExecution.status,
                    WorkflowExecution.current_step_id,
                )
            )
        ).all()
        steps = (
            await s.execute(
                select(StepExecution.execution_id, StepExecution.step_id).where(
                    StepExecution.status == "in_progress"
                )
            )
        ).all()
    open_steps: dict[uuid.UUID, list[str]] = {}
    for execution_id, step_id in steps:
        open_steps.setdefault(execution_id, []).append(step_id)
    broken = []
    for run_id, status, current in runs:
        if only is not None and run_id not in only:
            continue
        found = sorted(open_steps.get(run_id, []))
        if status in OPEN_EXECUTION_STATUSES and status != "not_started":
            if current is None or found != [current]:
                broken.append(f"{run_id} {status} on {current}: steps in progress {found}")
        elif status == "skipped":  # a skipped workflow stops where it was (its step stays open)
            if found not in ([], [current]):
                broken.append(f"{run_id} skipped on {current}: steps in progress {found}")
        elif found:
            broken.append(f"{run_id} {status}: steps still in progress {found}")
    return broken


async def open_per_workflow(db: Database) -> list[str]:
    e = WorkflowExecution
    async with db.sessions() as s:
        rows = (
            await s.execute(
                select(e.customer_id, e.workflow_id, func.count())
                .where(e.status.in_(OPEN_EXECUTION_STATUSES))
                .group_by(e.customer_id, e.workflow_id)
                .having(func.count() > 1)
            )
        ).all()
    return [f"customer {c} workflow {w}: {n} open executions" for c, w, n in rows]


async def doubled_notifications(db: Database) -> list[str]:
    n = Notification
    async with db.sessions() as s:
        rows = (
            await s.execute(
                select(n.idempotency_key, func.count())
                .group_by(n.idempotency_key)
                .having(func.count() > 1)
            )
        ).all()
    return [f"{key}: {count} notifications" for key, count in rows]


async def _materialized(db: Database, as_of: dt.date) -> list[tuple[Any, ...]]:
    columns = [getattr(QueueItem, name) for name in ITEM_COLUMNS]
    async with db.sessions() as s:
        rows = (
            await s.execute(
                select(*columns)
                .where(QueueItem.tenant_id == TENANT, QueueItem.as_of == as_of)
                .order_by(QueueItem.customer_id, QueueItem.workflow_type)
            )
        ).all()
    return [tuple(r) for r in rows]


async def queue_differs_from_rebuild(db: Database, as_of: dt.date = TEST_TODAY) -> list[str]:
    """What in the stored queue of `as_of` a fresh rebuild changes ([] when nothing)."""
    queue = QueueService(db, ConfigService(db))
    key = (await ConfigService(db).load(TENANT)).key
    async with db.sessions() as s:
        state = await s.get(QueueState, (TENANT, as_of))
    if state is None or state.config_key in (STALE, None) or state.config_key != key:
        # the queue knows it must be rebuilt: a read does it
        await queue.page(TENANT, as_of, QueueFilters(), limit=1)
        async with db.sessions() as s:
            state = await s.get(QueueState, (TENANT, as_of))
        return [] if state is not None and state.config_key == key else ["not rebuilt on read"]
    stored = await _materialized(db, as_of)
    problems = []
    if state.row_count != len(stored):
        problems.append(f"queue_state says {state.row_count} rows, {len(stored)} stored")
    await queue.refresh(TENANT, as_of)
    rebuilt = await _materialized(db, as_of)
    if stored != rebuilt:
        gone = [r[2:4] for r in stored if r not in rebuilt]
        new = [r[2:4] for r in rebuilt if r not in stored]
        problems.append(f"rows differ from a rebuild: stale {gone}, missing {new}")
    return problems


async def fingerprint(db: Database) -> dict[str, Any]:
    """Row counts of every table (failed actions' trail rows aside, which a refusal writes by
    design) and the state of every execution and setting: equal before and after means a
    request changed nothing."""
    found: dict[str, Any] = {}
    async with db.sessions() as s:
        for table in Base.metadata.sorted_tables:
            query = select(func.count()).select_from(table)
            if table.name == ActionExecution.__tablename__:
                query = query.where(table.c.success.is_(True))
            found[table.name] = await s.scalar(query)
        e = WorkflowExecution
        found["executions"] = sorted(
            map(
                tuple,
                (
                    await s.execute(
                        select(e.id, e.status, e.current_step_id, e.snoozed_until, e.outcome)
                    )
                ).all(),
            ),
            key=str,
        )
        found["config"] = sorted(
            map(tuple, (await s.execute(text("SELECT key, value FROM config_entries"))).all()),
            key=str,
        )
    return found


async def count(db: Database, model: Any, *where: Any) -> int:
    async with db.sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def one_line(text_: str) -> bool:
    return len(text_.strip().splitlines()) == 1


def clean(text_: str) -> bool:
    """No traceback, no internal error, no raw terminal control bytes."""
    return (
        "Traceback" not in text_
        and "internal error" not in text_
        and not any(c in text_ for c in ESCAPES)
    )
