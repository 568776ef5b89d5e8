"""Hostile input at every entry point: refused in one line, nothing changed, nothing obeyed.

Entry points: the command line's arguments (unknown names, bad dates, huge and non-finite
numbers, malformed JSON, escape sequences), `config set`, workflow import, template render, and
the assistant's `database_query` tool. A refusal is one line on stderr starting "renubu: ", an
exit code other than 0, no traceback and no "internal error", and every table as it was.
Hostile text that is accepted (an escape sequence in a customer's name, a skip reason, a task
title, a snooze reason) is shown without its control bytes: the output is read as a terminal
would get it (click's own stripping of escape sequences for a pipe is turned off).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import sys
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from sqlalchemy import update

from renubu_tui.data.engine import Database
from renubu_tui.data.models import Customer, Workflow, WorkflowExecution, WorkflowVersion
from renubu_tui.services.chat.tools.db_query import QueryFailed, QueryRefused, run_query
from tests.conftest import BACKENDS, TEST_TODAY
from tests.faults.faultkit import (
    ESCAPES,
    TENANT,
    Ran,
    Target,
    clean,
    count,
    customer_id,
    fingerprint,
    one_line,
)

pytestmark = pytest.mark.faults

Cli = Callable[..., Awaitable[Ran]]
HOSTILE = "\x1b]0;pwned\x07Ev\x1b[2Jil\x9b31m \x1b[31mred\x1b[0m\x07 co"
HUGE = "99999999999999999999999"
ON_SQLITE = [pytest.param("sqlite", id="sqlite")]


@pytest.fixture
def cli(target: Target, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Cli:
    """`await cli(*args, stdin=…)`: `renubu` in this process (on a thread: it runs its own event
    loop) against the test database, its output as a terminal would receive it."""
    import click.utils

    from renubu_tui.cli import main
    from renubu_tui.data import engine
    from renubu_tui.services import bootstrap

    for name, value in target.env().items():
        if name.startswith(("RENUBU_", "XDG_")):
            monkeypatch.setenv(name, value)
    for name in ("RENUBU_CONFIG", "RENUBU_TENANT", "RENUBU_USER", "RENUBU_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(click.utils, "should_strip_ansi", lambda *_a, **_k: False)
    if target.schema:
        real = engine.create_database
        monkeypatch.setattr(
            bootstrap,
            "create_database",
            lambda url, **kw: real(url, schema=target.schema, **kw),
        )

    async def run(*args: str, stdin: bytes | str = b"") -> Ran:
        data = stdin.encode() if isinstance(stdin, str) else stdin
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))

        def go() -> int:
            try:
                main(list(args))
            except SystemExit as exc:
                return exc.code if isinstance(exc.code, int) else 1
            return 0

        code = await asyncio.to_thread(go)
        out, err = capsys.readouterr()
        return Ran(code, out, err)

    return run


class Findings(list[str]):
    """What went wrong across many requests, all reported at once."""

    def check(self, ok: bool, what: str) -> None:
        if not ok:
            self.append(what)


async def refused(
    target: Target,
    cli: Cli,
    found: Findings,
    *args: str,
    stdin: bytes | str = b"",
    listing: bool = False,
) -> Ran:
    """Run a request that must be refused, and check that it was, cleanly, changing nothing.
    `listing`: a validator's refusal, one problem a line, then the one line that says so."""
    before = await fingerprint(target.db)
    ran = await cli(*args, stdin=stdin)
    shown = " ".join(repr(a)[:60] for a in args)
    lines = ran.err.strip().splitlines()
    found.check(ran.code != 0, f"{shown}: accepted: {ran.out[:200]!r}")
    found.check(ran.code in (1, 2), f"{shown}: exit code {ran.code}")
    found.check(
        bool(lines) and (listing or len(lines) == 1) and lines[-1].startswith("renubu: "),
        f"{shown}: not one line: {ran.err[:400]!r}",
    )
    found.check(clean(ran.out + ran.err), f"{shown}: {(ran.out + ran.err)[:400]!r}")
    after = await fingerprint(target.db)
    changed = sorted(k for k in before if before[k] != after[k])
    found.check(not changed, f"{shown}: changed {changed}")
    return ran


async def shown_clean(cli: Cli, found: Findings, *args: str) -> Ran:
    """Run a request that may succeed or be refused; its output carries no control bytes."""
    ran = await cli(*args)
    text = ran.out + ran.err
    leaks = [c for c in ESCAPES if c in text]
    found.check(clean(text), f"{args[:2]}: wrote {leaks}: {text[:300]!r}")
    return ran


# --- command-line arguments ------------------------------------------------------------------


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


ARGUMENTS = [
    # unknown names, in any shape
    ("execution", "start", "Nobody Such Inc"),
    ("context", "\x1b[31mKes"),
    ("execution", "show", ""),
    ("queue", "--explain", "   "),
    ("act", "Kestrel", "no-such-action"),
    ("--tenant", "no-such-tenant", "queue"),
    ("--user", "\x1b]0;x\x07nobody@example.com", "queue"),
    ("queue", "--owner", "\x1b[2Jnobody"),
    ("queue", "--type", "\x1b[31mrenewal"),
    ("queue", "--plan", "nope"),
    # bad dates
    ("--as-of", "2025-02-30", "queue"),
    ("--as-of", "99999-01-01", "queue"),
    ("--as-of", "0001-01-01", "queue"),
    ("--as-of", "yesterday\x1b[2J", "queue"),
    ("act", "Kestrel", "create-task", "--title", "t", "--due", "2025-13-45"),
    ("act", "Kestrel", "create-task", "--title", "t", "--due", "99999-01-01"),
    # huge, negative and non-finite numbers
    ("act", "Kestrel", "snooze", "--days", HUGE),
    ("act", "Kestrel", "snooze", "--days", "-5"),
    ("act", "Kestrel", "snooze", "--days", "0"),
    ("act", "Kestrel", "snooze", "--days", "1e3"),
    ("queue", "--limit", HUGE),
    ("queue", "--limit", "-1"),
    ("queue", "--min-score", HUGE),
    ("queue", "--min-score", "-" + HUGE),
    ("queue", "--min-arr", "1e400"),
    ("queue", "--max-arr", "-inf"),
    ("queue", "--min-arr", "nan"),
    # malformed JSON and routes
    ("execution", "complete", "Kestrel", "--outputs", '{"a":'),
    ("execution", "complete", "Kestrel", "--outputs", "[1, 2]"),
    ("execution", "complete", "Kestrel", "--outputs", _deep(100_000)),
    ("execution", "complete", "Kestrel", "--outputs", '{"a": ' * 5000 + "1" + "}" * 5000),
    ("execution", "complete", "Kestrel", "--route", "\x1b]0;pwned\x07NOPE"),
    ("execution", "complete", "Kestrel", "--route", "x" * 100_000),
    ("execution", "skip", "Kestrel", "--reason", "   "),
    # a database that is not one
    ("--database-url", "mysql://root@127.0.0.1/renubu", "queue"),
    ("--database-url", "postgresql+asyncpg://nobody@127.0.0.1:9/none", "queue"),
]


@pytest.mark.parametrize("seeded_db", BACKENDS, indirect=True)
async def test_hostile_arguments_are_refused_in_one_line(target: Target, cli: Cli) -> None:
    """Every malformed argument is refused: one line, exit code ≠ 0, no traceback, no raw
    escape byte, nothing changed (Kestrel's renewal is open, so each reaches its check)."""
    found = Findings()
    setup = await target.setup()
    await setup.executions.start(TENANT, await customer_id(target.db, "Kestrel"), actor=setup.user)
    for args in ARGUMENTS:
        await refused(target, cli, found, *args)
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("seeded_db", BACKENDS, indirect=True)
async def test_a_wrong_state_or_closed_gate_is_refused_in_one_line(
    target: Target, cli: Cli
) -> None:
    """Every way of leaving or working a step the state or the gate does not allow (complete,
    skip, run with the assistant, a fixed reply) is a refusal: one line, exit 1, the same words
    from each command, nothing changed; never a traceback or an internal error."""
    found = Findings()
    setup = await target.setup()
    kestrel = await customer_id(target.db, "Kestrel")
    view = await setup.executions.start(
        TENANT, kestrel, actor=setup.user, workflow_slug="emergency"
    )
    await setup.executions.complete_step(
        TENANT, view.id, actor=setup.user, chosen_route="FINAL_PUSH"
    )
    at_gate = [
        ("execution", "complete", "Kestrel"),
        ("execution", "skip", "Kestrel", "--reason", "busy"),
        ("step", "Kestrel", "--run"),
        ("step", "Kestrel", "--choose", "acknowledged"),
    ]
    for args in at_gate:
        ran = await refused(target, cli, found, *args)
        found.check(ran.code == 1, f"{args}: exit {ran.code}")
        found.check("waits for Jordan Lee (manager)" in ran.err, f"{args}: {ran.err!r}")
    async with target.db.sessions() as s, s.begin():
        await s.execute(
            update(WorkflowExecution)
            .where(WorkflowExecution.id == view.id)
            .values(status="snoozed", snoozed_until=TEST_TODAY + dt.timedelta(days=3))
        )
    for args in at_gate:
        ran = await refused(target, cli, found, *args)
        found.check(ran.code == 1, f"{args}: exit {ran.code}")
        found.check("is snoozed until" in ran.err and "wake it before" in ran.err, ran.err)
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("seeded_db", ON_SQLITE, indirect=True)
async def test_hostile_text_is_stored_but_never_obeyed(target: Target, cli: Cli) -> None:
    """Escape sequences in a customer's name, a skip reason, a task title, a snooze reason and
    an e-mail address are kept as data; every command that shows them (lists, the workflow,
    confirmations, refusals) writes no ESC, BEL or C1 control byte."""
    found = Findings()
    fathom = await customer_id(target.db, "Fathom")
    async with target.db.sessions() as s, s.begin():
        await s.execute(update(Customer).where(Customer.id == fathom).values(name=HOSTILE))
    ref = str(fathom)
    await shown_clean(cli, found, "queue", "--all")
    await shown_clean(cli, found, "queue", "--all", "--search", "ev")
    await shown_clean(cli, found, "queue", "--explain", ref)
    await shown_clean(cli, found, "context", ref)
    assert (await shown_clean(cli, found, "execution", "start", ref)).code == 0
    skipped = await shown_clean(cli, found, "execution", "skip", ref, "--reason", HOSTILE)
    assert skipped.code == 0, skipped.err
    await shown_clean(cli, found, "execution", "show", ref)
    task = await shown_clean(
        cli, found, "act", ref, "create-task", "--title", HOSTILE, "--due", "2025-10-01"
    )
    assert task.code == 0, task.err
    await shown_clean(cli, found, "tasks", ref)
    await shown_clean(cli, found, "tasks")
    await shown_clean(cli, found, "artifacts", ref)
    await shown_clean(cli, found, "act", ref, "send-email", "--to", "a@b.c", "--subject", HOSTILE)
    snoozed = await shown_clean(
        cli, found, "act", ref, "snooze", "--days", "2", "--reason", HOSTILE
    )
    assert snoozed.code == 0, snoozed.err
    await shown_clean(cli, found, "queue", "--all", "--snoozed")
    refusal = await shown_clean(cli, found, "act", ref, "escalate", "--reason", HOSTILE)
    assert refusal.code != 0  # snoozed: it says so, with the customer's name, cleanly
    await shown_clean(cli, found, "execution", "complete", ref)
    await shown_clean(cli, found, "notifications", "--for", "\x1b]0;pwned\x07x@example.com")
    await shown_clean(cli, found, "notifications", "--for", "maya.patel@acmecloud.com")
    assert found == [], "\n".join(found)


# --- config set --------------------------------------------------------------------------------


@pytest.mark.parametrize("seeded_db", ON_SQLITE, indirect=True)
async def test_config_set_refuses_what_would_take_the_product_down(
    target: Target, cli: Cli
) -> None:
    """A setting out of its range, of the wrong type, not JSON or unknown is refused in one line
    and changes nothing; the queue still reads afterwards."""
    found = Findings()
    for key, value in [
        ("stages.Critical.urgency", HUGE),
        ("stages.Critical.urgency", "-" + HUGE),
        ("stages.Critical.urgency", '"high"'),
        ("stages.Critical.urgency", "not json"),
        ("stages.Critical.urgency", "NaN"),
        ("stages.Nope.urgency", "5"),
        ("no.such.key", "1"),
        ("\x1b]0;pwned\x07", "1"),
    ]:
        await refused(target, cli, found, "config", "set", key, value)
    assert (await cli("queue", "--all", "--limit", "3")).code == 0
    assert found == [], "\n".join(found)


# --- workflow import ---------------------------------------------------------------------------


def _broken_workflows(folder: Path, good: dict[str, object]) -> list[Path]:
    """Files that are not a valid workflow, each in its own way."""
    steps = good["steps"]
    assert isinstance(steps, list)
    first = dict(steps[0])

    def variant(**changes: object) -> str:
        return json.dumps({**good, **changes})

    texts: dict[str, str | bytes] = {
        "empty.json": "",
        "not-json.json": "{ this is not json",
        "array.json": "[1, 2, 3]",
        "null.json": "null",
        "object.json": "{}",
        "no-steps.json": variant(steps=[]),
        "steps-not-list.json": variant(steps="all of them"),
        "step-not-object.json": variant(steps=[42]),
        "no-step-id.json": variant(steps=[{k: v for k, v in first.items() if k != "id"}]),
        "twice-the-same-step.json": variant(steps=[first, first]),
        "dangling-route.json": variant(
            steps=[{**first, "routing": {"routes": [{"id": "X", "nextStepId": "nowhere"}]}}]
        ),
        "bad-template.json": variant(steps=[{**first, "name": "{{#if x}}unclosed"}]),
        "bad-condition.json": variant(
            steps=[{**first, "notifications": [{"type": "x", "condition": "{{#if"}]}]
        ),
        "escape-id.json": variant(id="\x1b]0;pwned\x07wf"),
        "deep.json": _deep(100_000),
        "huge.json": variant(description="x" * (2 * 1024 * 1024)),
        "not-utf8.json": b"\xff\xfe{\x00}",
    }
    paths = []
    for name, text in texts.items():
        path = folder / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


@pytest.mark.parametrize("seeded_db", ON_SQLITE, indirect=True)
async def test_broken_workflow_imports_are_refused(
    target: Target, cli: Cli, tmp_path: Path
) -> None:
    """Each broken workflow file (not JSON, wrong shapes, dangling routes, broken templates,
    too big, too deep, not UTF-8, a folder, no file) is refused in one line; no workflow and no
    version is added."""
    found = Findings()
    exported = await cli("workflows", "export", "critical")
    assert exported.code == 0, exported.err
    good = json.loads(exported.out)
    good["id"] = "fault-suite-import"
    folder = tmp_path / "broken"
    folder.mkdir()
    workflows = await count(target.db, Workflow)
    versions = await count(target.db, WorkflowVersion)
    for path in [*_broken_workflows(folder, good), folder, tmp_path / "missing.json"]:
        await refused(
            target, cli, found, "workflows", "import", str(path), "--type", "renewal", listing=True
        )
    assert await count(target.db, Workflow) == workflows
    assert await count(target.db, WorkflowVersion) == versions
    assert found == [], "\n".join(found)


# --- template render ---------------------------------------------------------------------------


@pytest.mark.parametrize("seeded_db", ON_SQLITE, indirect=True)
async def test_malformed_templates_and_contexts_are_refused(
    target: Target, cli: Cli, tmp_path: Path
) -> None:
    """`template render` refuses a malformed template (unclosed blocks and mustaches, unknown
    partials, too big, too deeply nested, not UTF-8) and a malformed context (not JSON, too
    deep, too big, missing) in one line."""
    found = Findings()
    context = tmp_path / "context.json"
    context.write_text(json.dumps({"customer": {"name": "Acme"}}))
    for template in [
        "{{#if customer.name}}open",
        "{{customer.name",
        "{{/if}}",
        "{{> nowhere}}",
        "{{#each}}x{{/each}}",
        "{{#if a}}" * 200 + "x" + "{{/if}}" * 200,
        "{{" * 10_000,
        "x" * (65 * 1024),
        b"\xff\xfe{{customer.name}}",
    ]:
        await refused(
            target, cli, found, "template", "render", "--context", str(context), stdin=template
        )
    broken = {
        "not-json.json": "{customer: 1",
        "deep.json": _deep(5000),
        "huge.json": json.dumps({"x": "y" * (2 * 1024 * 1024)}),
    }
    for name, text in broken.items():
        (tmp_path / name).write_text(text)
    for name in [*broken, "missing.json"]:
        path = str(tmp_path / name)
        await refused(target, cli, found, "template", "render", "--context", path, stdin="{{x}}")
    assert found == [], "\n".join(found)


# --- the assistant's query tool ------------------------------------------------------------------

ROLE_CONFINEMENT = "role confinement: issue 14 §7"
QUERIES = [
    "DELETE FROM contracts",
    "UPDATE contracts SET arr = 0",
    "INSERT INTO tasks (title) VALUES ('x')",
    "DROP TABLE customers",
    "SELECT 1; DELETE FROM contracts",
    "SELECT arr FROM contracts; SELECT 2",
    "SELECT pg_sleep(30)",
    "SELECT * FROM contracts, pg_sleep(30)",
    "SELECT * FROM contracts WHERE arr > (SELECT count(*) FROM pg_sleep(30))",
]
# What the database says about itself: refused (or reaching nothing) once the tool's queries
# run as a role of their own (issue 14 §7); today PostgreSQL answers some of them.
CATALOG = [
    "SELECT version()",
    "SELECT current_user",
    "SELECT session_user",
    "SELECT current_database()",
    "SELECT inet_server_addr()",
    "SELECT 'pg_class'::regclass",
    "SELECT 'customers'::regclass::oid",
    "SELECT CAST('users' AS regclass)",
    "SELECT pg_backend_pid()",
    "SELECT sqlite_version()",
]
ANSWERED_TODAY: set[tuple[str, str]] = set()  # (dialect, query) still answered: xfail, strict


async def _query_refused(db: Database, sql: str) -> None:
    before = await fingerprint(db)
    try:
        result = await asyncio.wait_for(
            run_query(db, TENANT, uuid.uuid4(), sql, today=TEST_TODAY), 10
        )
    except (QueryRefused, QueryFailed) as exc:
        assert str(exc) and one_line(str(exc)), repr(str(exc))
    else:
        raise AssertionError(f"{sql!r} was answered: {result.rows[:3]}")
    assert await fingerprint(db) == before


async def test_the_query_tool_refuses_writes_several_statements_and_sleeps(db: Database) -> None:
    """database_query refuses anything but one SELECT, and a query that would hold the
    database: one line each (refused, or stopped at the tool's time limit), nothing changed."""
    for sql in QUERIES:
        await _query_refused(db, sql)


@pytest.mark.parametrize("sql", CATALOG)
async def test_the_query_tool_says_nothing_about_the_database(
    db: Database, sql: str, request: pytest.FixtureRequest
) -> None:
    """database_query does not tell who it runs as, on which server, in which database or
    what the catalog holds: each such query is refused in one line."""
    if (db.dialect, sql) in ANSWERED_TODAY:
        request.applymarker(pytest.mark.xfail(reason=ROLE_CONFINEMENT, strict=True))
    await _query_refused(db, sql)
