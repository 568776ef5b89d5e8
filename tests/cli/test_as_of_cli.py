"""`--as-of` at the command line: what was done later does not show, and a day before the
record begins is refused in one line.

The book is the seeded demo copy with work done on later days through the services (see
tests/services/test_as_of_no_leaks.py, whose `build_world` marks each piece `later-day-N`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from pathlib import Path

import pytest

from renubu_tui.data.engine import create_database
from tests.cli.conftest import Run
from tests.services.test_as_of_no_leaks import WORK_DAYS, World, build_world, day, mark

DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


@pytest.fixture
def world(db_file: Path, cli_env: dict[str, str]) -> World:
    async def build() -> World:
        database = create_database(f"sqlite+aiosqlite:///{db_file}")
        try:
            return await build_world(database)
        finally:
            await database.dispose()

    return asyncio.run(build())


def later_marks(as_of: dt.date) -> list[str]:
    return [mark(n) for n in WORK_DAYS if day(n) > as_of]


def assert_nothing_later(out: str, as_of: dt.date) -> None:
    found = [m for m in later_marks(as_of) if m in out]
    assert found == [], f"as of {as_of} the output shows {found}:\n{out}"


@pytest.mark.parametrize("n", [0, 2, 4])
def test_lists_show_nothing_done_later(cli: Run, world: World, n: int) -> None:
    as_of = day(n).isoformat()
    a, b, c = (str(x) for x in world.customers)
    commands = [
        ["tasks"],
        *(["artifacts", x] for x in (a, b, c)),
        *(["execution", "show", x] for x in (a, b, c)),
        *(["notifications", "--for", email] for email in world.emails),
        ["queue", "--all", "--limit", "200"],
        ["queue", "--all", "--snoozed", "--limit", "200"],
        *(["queue", "--explain", x] for x in (a, b, c)),
        *(["context", x] for x in (a, b, c)),
    ]
    for command in commands:
        code, out, err = cli(*command, "--as-of", as_of)
        if command[0] == "execution" and n == 0:  # started on day 1: nothing open yet
            assert code == 2 and "has no open workflow on" in err, (command, err)
            continue
        assert code == 0, (command, err)
        assert_nothing_later(out, day(n))
        if command[0] == "notifications":  # each line is dated when it was sent
            sent = [dt.date.fromisoformat(d) for d in DATE.findall(out)]
            assert all(d <= day(n) for d in sent), out
            if n < 3:  # every one was read on day 3: unread before
                assert all(x.startswith("●") for x in out.splitlines()[:-1]), out


def test_work_done_later_is_not_done_on_the_command_line(cli: Run, world: World) -> None:
    as_of = day(2).isoformat()
    a, b, c = (str(x) for x in world.customers)
    code, out, _ = cli("tasks", "--as-of", as_of)
    [line] = [x for x in out.splitlines() if mark(1) in x and "Call the sponsor" in x]
    assert line.startswith("pending")  # completed on day 3
    code, out, _ = cli("artifacts", a, "--as-of", as_of)
    assert code == 0 and out.splitlines()[0].startswith("draft")  # approved on day 3
    for customer in (b, c):  # snoozed, escalated on day 3
        code, out, err = cli("execution", "show", customer, "--as-of", as_of)
        assert code == 0 and " · in_progress · " in out.splitlines()[0], err
    code, out, _ = cli("execution", "show", a, "--as-of", as_of)
    assert "✓" not in out and out.count("▶") == 1  # its first step completed on day 3
    assert "history — the record goes on after this day" in out


def test_acting_on_a_day_the_record_goes_on_after_is_refused(cli: Run, world: World) -> None:
    a = str(world.customers[0])
    code, _out, err = cli("execution", "complete", a, "--as-of", day(2).isoformat())
    assert code == 1
    assert "acting on it as of that day would rewrite it" in err
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    "args",
    [
        ["tasks", "--as-of", "2000-01-01"],
        ["--as-of", "2000-01-01", "notifications"],
        ["queue", "--as-of", "2000-01-01"],
        ["execution", "show", "bluesoft", "--as-of", "2000-01-01"],
        ["summary", "--as-of", "2000-01-01"],
    ],
)
def test_a_day_before_the_record_begins_is_refused_plainly(cli: Run, args: list[str]) -> None:
    code, out, err = cli(*args)
    assert code == 2 and out == ""
    assert err.startswith("renubu: nothing is recorded before ")
    assert err.endswith("showing the book as it stood on 2000-01-01 is not possible\n")
    assert err.count("\n") == 1 and "Traceback" not in err


def test_the_day_before_the_record_begins_from_the_environment_too(
    cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RENUBU_TODAY", "2000-01-01")
    code, _out, err = cli("tasks")
    assert code == 2 and err.startswith("renubu: nothing is recorded before ")


def test_setting_the_database_up_is_not_a_day_of_the_book(cli: Run) -> None:
    code, _out, err = cli("db", "stats", "--as-of", "2000-01-01")
    assert code == 0, err


def test_the_first_recorded_day_is_shown(cli: Run) -> None:
    code, _out, err = cli("tasks", "--as-of", "2000-01-01")
    first = dt.date.fromisoformat(DATE.findall(err)[0])
    code, _out, err = cli("tasks", "--as-of", first.isoformat())
    assert code == 0, err
    code, _out, err = cli("tasks", "--as-of", (first - dt.timedelta(days=1)).isoformat())
    assert code == 2
