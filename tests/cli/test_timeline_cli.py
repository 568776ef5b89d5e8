"""`renubu timeline` and `renubu note` as a person uses them (the seeded demo, a fixed day)."""

from __future__ import annotations

import json
import sys
from subprocess import PIPE, Popen

import pytest

from tests.cli.conftest import Run, child_env


def test_a_note_lands_on_the_timeline(cli: Run) -> None:
    code, out, err = cli("note", "bluesoft", "Call with **Sarah**\n\n- pricing ok", "--tag", "call")
    assert code == 0 and out.startswith("note ") and "added to Bluesoft Corporation" in out, err
    code, out, err = cli("timeline", "bluesoft", "--kind", "note")
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 1 and "note" in lines[0] and "Maya Patel" in lines[0]
    assert lines[0].endswith("[call] Call with **Sarah**")
    code, out, _ = cli("timeline", "bluesoft", "--json", "--kind", "note", "--kind", "step")
    data = json.loads(out)
    assert data["customer"]["name"] == "Bluesoft Corporation" and data["kinds"] == ["note", "step"]
    assert data["entries"][0]["detail"] == "Call with **Sarah**\n\n- pricing ok"
    assert {e["kind"] for e in data["entries"]} == {"note", "step"}


def test_editing_a_note_and_refusing_another_authors(cli: Run) -> None:
    _, out, _ = cli("note", "bluesoft", "first")
    note_id = out.split()[1]
    code, out, err = cli("note", "bluesoft", "second", "--edit", note_id)
    assert code == 0 and "1 earlier wording(s) kept" in out, err
    code, out, err = cli(
        "--user", "daniel.okafor@acmecloud.com", "note", "bluesoft", "x", "--edit", note_id
    )
    assert code == 1 and out == ""
    assert err == "renubu: only Maya Patel, who wrote this note, can edit it\n"
    code, out, err = cli("note", "bluesoft", "--history", note_id)
    assert code == 0, err
    assert out.splitlines()[1::2] == ["first", "second"]
    assert out.startswith("— revision 1, 2025-09-24 ") and "— current, 2025-09-24 " in out
    code, out, err = cli("note", "kestrel", "x", "--edit", note_id)
    assert code == 2 and err.startswith("renubu: note ") and "not on Kestrel" in err, err


def test_an_empty_timeline_says_so(cli: Run) -> None:
    code, out, err = cli("timeline", "bluesoft", "--kind", "import")
    assert code == 0 and err == ""
    assert out == "nothing on Bluesoft Corporation's timeline of kind import yet\n"
    code, out, _ = cli("timeline", "bluesoft", "--kind", "import", "--json")
    assert json.loads(out)["entries"] == []


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["timeline", "no-such-customer-xyz"], 2, "no-such-customer-xyz"),
        (["note", "no-such-customer-xyz", "text"], 2, "no-such-customer-xyz"),
        (["note", "bluesoft", "text", "--tag", "lunch"], 1, "unknown tag 'lunch'"),
        (["note", "bluesoft", "  "], 1, "a note needs some text"),
        (["timeline", "bluesoft", "--kind", "notes"], 1, "did you mean note?"),
    ],
)
def test_refusals_are_one_line(cli: Run, args: list[str], code: int, says: str) -> None:
    got, out, err = cli(*args)
    assert got == code and out == "", err
    assert len(err.strip().splitlines()) == 1 and says in err and "Traceback" not in err


def test_a_note_cannot_put_control_sequences_on_the_terminal(cli: Run) -> None:
    cli("note", "bluesoft", "evil \x1b]0;pwned\x07 \x1b[31mred\x1b[0m text")
    _, out, _ = cli("timeline", "bluesoft", "--kind", "note")
    assert "\x1b" not in out and "\x07" not in out and "evil" in out and "red" in out


def test_the_timeline_into_a_closed_pipe_ends_quietly(cli_env: dict[str, str]) -> None:
    """`renubu timeline bluesoft | head -1`: no traceback, nothing on stderr."""
    with Popen(
        [sys.executable, "-m", "renubu_tui", "timeline", "bluesoft"],
        env=child_env(cli_env),
        stdout=PIPE,
        stderr=PIPE,
    ) as child:
        assert child.stdout is not None and child.stderr is not None
        first = child.stdout.readline()
        child.stdout.close()
        err = child.stderr.read().decode()
        child.wait(timeout=60)
    assert first.startswith(b"2025-09-24 ")
    assert "Traceback" not in err and "Error" not in err, err
    assert child.returncode in (0, 141), err
