"""`renubu queue` as a person uses it: empty results, names in any case, whose counts, speed."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from tests.cli.conftest import Run, child_env

MAYA = "maya.patel@acmecloud.com"
JORDAN = "jordan.lee@acmecloud.com"  # Maya's manager
HEADER = re.compile(
    r"^Queue of (?P<who>.+) · 2025-09-24 · Active (?P<active>\d+) · Snoozed (?P<snoozed>\d+) · "
    r"Escalated to (?P<to>.+) (?P<escalated>\d+)$"
)


def _header(out: str) -> dict[str, str]:
    match = HEADER.match(out.splitlines()[0])
    assert match, out
    return match.groupdict()


def _customers(out: str) -> list[tuple[str, str]]:
    """(customer, type) of each table row."""
    rows = []
    for line in out.splitlines()[2:]:
        cells = re.split(r"\s{2,}", line.strip())
        if cells and cells[0].isdigit():
            rows.append((cells[1], cells[2]))
    return rows


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--search", "zzz"], "No work matches search 'zzz'."),
        (["--min-score", "100000"], "No work matches score ≥ 100000."),
        (["--stage", "critical", "--type", "risk"], "No work matches type risk, stage Critical."),
        (["--escalated"], "Nothing is escalated to you."),
        (["--snoozed"], "Nothing is snoozed."),
    ],
)
def test_an_empty_result_is_said_in_one_line_and_exits_0(
    cli: Run, args: list[str], said: str
) -> None:
    code, out, err = cli("queue", *args)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert _header(out)["who"] == f"Maya Patel <{MAYA}>" or "escalations" in lines[0]
    assert lines[1:] == [said]


def test_an_empty_result_as_json_is_an_empty_list(cli: Run) -> None:
    code, out, err = cli("queue", "--search", "zzz", "--json")
    assert (code, err) == (0, "")
    assert json.loads(out) == {"today": "2025-09-24", "total": 0, "rows": []}


def test_stage_type_and_plan_names_are_taken_in_any_case(cli: Run) -> None:
    _, exact, _ = cli("queue", "--stage", "Critical", "--type", "renewal", "--plan", "invest")
    code, lower, err = cli("queue", "--stage", "critical", "--type", "RENEWAL", "--plan", "Invest")
    assert (code, err) == (0, "")
    assert lower == exact
    assert _customers(lower) == [("Kestrel Networks", "renewal")]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--stage", "Nope"], "renubu: unknown stage 'Nope' (one of: Overdue, Emergency, "),
        (["--type", "renew"], "renubu: unknown workflow type 'renew' (one of: renewal, "),
        (["--plan", "gold"], "renubu: unknown plan 'gold' (one of: invest, expand, "),
        (["--owner", "zed"], "renubu: unknown user 'zed' in tenant 'acme-cs'"),
    ],
)
def test_an_unknown_name_is_one_line_and_exit_2(cli: Run, args: list[str], expected: str) -> None:
    code, out, err = cli("queue", *args)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and err.startswith(expected), err


def test_the_manager_sees_what_is_escalated_to_them_and_counts_agree(cli: Run) -> None:
    assert cli("execution", "start", "cobalt")[0] == 0
    code, out, err = cli("act", "cobalt", "escalate", "--reason", "pricing", "--level", "manager")
    assert (code, err) == (0, ""), err
    assert "to Jordan Lee" in out

    code, out, err = cli("--user", JORDAN, "queue", "--escalated")
    assert (code, err) == (0, "")
    header = _header(out)
    assert (header["who"], header["to"]) == (f"escalations to Jordan Lee <{JORDAN}>", "me")
    assert header["escalated"] == "1"
    assert _customers(out) == [("Cobalt Financial Group", "renewal")]  # Maya's customer
    assert out.splitlines()[-1] == "showing 1 of 1"

    # Maya looking at Jordan's view sees Jordan's counts, not her own.
    code, out, err = cli("queue", "--owner", "jordan", "--escalated")
    assert (code, err) == (0, "")
    header = _header(out)
    assert (header["to"], header["escalated"]) == ("Jordan Lee", "1")
    assert _customers(out) == [("Cobalt Financial Group", "renewal")]
    code, out, _ = cli("queue", "--owner", "jordan")
    header = _header(out)
    assert header["who"] == f"Jordan Lee <{JORDAN}>"
    assert (header["active"], header["snoozed"]) == ("0", "0")  # Jordan owns no customers
    assert out.splitlines()[1:] == ["Nothing in the queue today."]


@pytest.mark.parametrize(
    ("args", "count"),
    [([], "active"), (["--escalated"], "escalated"), (["--owner", "maya"], "active")],
)
def test_the_count_in_the_header_is_the_number_of_rows(
    cli: Run, args: list[str], count: str
) -> None:
    cli("execution", "start", "cobalt")
    cli("act", "cobalt", "escalate", "--reason", "pricing", "--level", "manager")
    code, out, _ = cli("--user", JORDAN if count == "escalated" else MAYA, "queue", *args)
    assert code == 0
    shown = int(_header(out)[count])
    assert shown > 0
    assert out.splitlines()[-1] == f"showing {min(shown, 25)} of {shown}"


# --- the quick path -------------------------------------------------------------------------

_PROBE = """
import sys, time
from renubu_tui.cli import main
started = time.perf_counter()
try:
    main(sys.argv[1:])
finally:
    sys.stdout.flush()
    loaded = "sqlalchemy" in sys.modules
    print(f"{loaded} {time.perf_counter() - started:.3f}", file=sys.stderr)
"""


def _probe(cli_env: dict[str, str], *args: str) -> tuple[str, bool, float]:
    """stdout of `renubu ARGS` in a child process, whether it loaded SQLAlchemy, and seconds."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *args],
        env=child_env(cli_env),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    loaded, seconds = done.stderr.strip().splitlines()[-1].split()
    return done.stdout, loaded == "True", float(seconds)


def test_the_first_page_comes_from_the_materialized_queue_as_the_full_command_prints_it(
    cli: Run, cli_env: dict[str, str]
) -> None:
    full = cli("queue", "--owner", "maya.patel@acmecloud.com", "--limit", "5")[1]  # builds the day
    full_json = cli("queue", "--owner", "maya.patel@acmecloud.com", "--json")[1]

    quick, loaded, _ = _probe(cli_env, "queue", "--limit", "5")
    assert not loaded, "renubu queue loaded SQLAlchemy although the day's queue was built"
    assert quick == full
    assert _probe(cli_env, "queue", "--json")[0] == full_json
    assert quick.splitlines()[-1] == "showing 5 of 21"


def test_a_queue_that_is_not_current_is_computed_the_full_way(
    cli: Run, cli_env: dict[str, str]
) -> None:
    cli("queue")  # today's queue is built
    # another day: nothing built for it yet
    out, loaded, _ = _probe(cli_env, "--as-of", "2025-09-25", "queue", "--limit", "3")
    assert loaded and "· 2025-09-25 ·" in out.splitlines()[0]
    # a changed configuration: today's rows were scored with the old weights
    before = cli("queue")[1]
    code, _, err = cli("config", "set", "stages.Critical.urgency", "85")
    assert code == 0, err
    out, loaded, _ = _probe(cli_env, "queue")
    assert loaded
    assert out != before  # Critical rows score higher
    assert out == cli("queue", "--owner", "maya")[1]


def test_queue_build_builds_the_coming_days_from_the_day_before(cli: Run) -> None:
    code, out, err = cli("queue", "build", "--days", "3")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == ["2025-09-24", "2025-09-25", "2025-09-26"]
    assert lines[0].endswith("in full")
    assert "from 2025-09-24" in lines[1] and "customers re-scored" in lines[1]
    assert "from 2025-09-25" in lines[2]
    assert all(re.search(r" \d+ rows +\d+\.\d\d s ", line) for line in lines), out
    # a second run leaves built days alone; --full rebuilds them
    code, out, _ = cli("queue", "build", "--days", "2")
    assert (code, out.splitlines()) == (
        0,
        ["2025-09-24  already built", "2025-09-25  already built"],
    )
    code, out, _ = cli("queue", "build", "--full")
    assert code == 0 and out.rstrip().endswith("in full")
    # and the queue reads the day built
    code, out, _ = cli("queue", "--as-of", "2025-09-25", "--limit", "1")
    assert code == 0 and " · 2025-09-25 · " in out.splitlines()[0]
