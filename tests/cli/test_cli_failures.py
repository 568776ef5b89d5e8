"""What a person sees when something is off: a closed pipe, a busy or conflicting database, a
config file or database folder that is not there, a preview with nothing to preview."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from renubu_tui.data.engine import BUSY_MESSAGE
from tests.cli.conftest import Run, child_env

BUSY = f"renubu: {BUSY_MESSAGE}"


def _one_line(err: str) -> str:
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err.strip()


# --- a closed pipe --------------------------------------------------------------------------


def _into_closed_pipe(cli_env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`renubu ARGS | head` once head has gone: every write meets a pipe nobody reads."""
    read, write = os.pipe()
    os.close(read)
    try:
        return subprocess.run(
            [sys.executable, "-m", "renubu_tui", *args],
            env=child_env(cli_env),
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(write)


@pytest.mark.parametrize(
    "args",
    [
        ["queue"],  # the quick path (the day's queue is built first)
        ["queue", "--all"],
        ["summary"],
        [],  # `renubu | head`: the summary, without a terminal
        ["workflows", "list"],
        ["notifications"],
    ],
    ids=["queue", "queue-all", "summary", "bare", "workflows-list", "notifications"],
)
def test_a_closed_pipe_ends_quietly(cli: Run, cli_env: dict[str, str], args: list[str]) -> None:
    assert cli("queue")[0] == 0
    done = _into_closed_pipe(cli_env, *args)
    assert done.stderr == ""
    assert done.returncode == 141  # as a shell reports `git log | head` under pipefail


class _ClosedPipe:
    """Standard output whose reader has gone."""

    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self) -> None:
        raise BrokenPipeError(32, "Broken pipe")

    def isatty(self) -> bool:
        return False


@pytest.mark.parametrize(
    "args",
    [
        ["tasks"],
        ["config", "show"],
        ["context", "bluesoft"],
        ["queue", "--explain", "bluesoft"],
        ["db", "stats"],
        ["locate"],
    ],
)
def test_every_printing_command_ends_quietly_on_a_closed_pipe(
    cli: Run, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    code, _, err = cli(*args)
    assert (code, err) == (141, "")


# --- the database: unreachable, busy, a conflict ---------------------------------------------


def test_a_locked_database_says_busy_not_unreachable(
    cli: Run, db_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("renubu_tui.data.engine.SQLITE_BUSY_TIMEOUT_MS", 100)
    writer = sqlite3.connect(db_file, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # another renubu in the middle of a write
        writer.execute("UPDATE tenants SET name = name")
        # a new day's queue must be written before it can be read
        code, out, err = cli("--as-of", "2025-09-25", "queue")
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert (code, out) == (75, "")
    assert _one_line(err) == BUSY
    code, out, _ = cli("--as-of", "2025-09-25", "queue")  # trying again works
    assert code == 0 and out.startswith("Queue of Maya Patel")


def test_a_workflow_started_by_another_session_is_said_so(
    cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("execution", "start", "cobalt")[0] == 0
    # The race: this session looked for an open run before the other session's was saved.
    monkeypatch.setattr("renubu_tui.services.workflows.executions.OPEN_EXECUTION_STATUSES", ())
    code, out, err = cli("execution", "start", "cobalt")
    assert (code, out) == (1, "")
    assert _one_line(err) == (
        "renubu: another session already started this workflow; nothing was saved "
        "(run the command again to see where things stand)"
    )


def test_a_file_that_is_not_a_database_cannot_be_opened(cli: Run, tmp_path: Path) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("not a database\n" * 100)
    url = f"sqlite+aiosqlite:///{junk}"
    code, out, err = cli("--database-url", url, "summary")
    assert (code, out) == (1, "")
    assert _one_line(err) == f"renubu: cannot open the database {url}: file is not a database"


# --- files and folders that are not there ----------------------------------------------------


def test_a_named_config_file_that_is_missing_is_an_error(
    cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "nonexistent.toml"
    for args in (["--config", str(missing), "locate"], ["queue", "--config", str(missing)]):
        code, out, err = cli(*args)
        assert (code, out) == (2, "")
        assert _one_line(err) == (
            f"renubu: config file {missing} does not exist (named by --config)"
        )
    monkeypatch.setenv("RENUBU_CONFIG", str(missing))
    code, _, err = cli("summary")
    assert code == 2
    assert (
        _one_line(err) == f"renubu: config file {missing} does not exist (named by RENUBU_CONFIG)"
    )


def test_a_named_config_file_that_is_missing_stops_the_app_too(
    cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[object] = []
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    monkeypatch.setattr("renubu_tui.cli.fast_path.start_app", started.append)
    code, _, err = cli("--config", str(tmp_path / "typo.toml"))
    assert (code, started) == (2, [])
    assert "typo.toml does not exist (named by --config)" in _one_line(err)


def test_a_database_in_a_folder_that_is_not_there_is_one_line(cli: Run, tmp_path: Path) -> None:
    where = tmp_path / "no" / "such"
    code, out, err = cli("--database-url", f"sqlite+aiosqlite:///{where}/renubu.sqlite3", "summary")
    assert (code, out) == (1, "")
    assert _one_line(err) == (
        f"renubu: cannot create the database file {where}/renubu.sqlite3: the folder {where} "
        "does not exist (create it, or choose another path)"
    )
    assert not (tmp_path / "no").exists()  # a typo does not leave folders behind
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    code, _, err = cli("--database-url", f"sqlite+aiosqlite:///{blocker}/x.sqlite3", "summary")
    assert code == 1
    assert _one_line(err).endswith(f": {blocker} is not a folder")


def test_the_default_database_folder_is_created(
    cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RENUBU_DATABASE_URL")
    code, out, err = cli("summary")
    assert code == 0, err
    assert (tmp_path / "data" / "renubu" / "renubu.sqlite3").is_file()
    assert "Maya Patel" in out


# --- template preview in a terminal ---------------------------------------------------------


def test_preview_in_a_terminal_previews_the_current_step(
    cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)  # nothing will come on stdin
    code, out, err = cli("template", "preview", "cobalt")
    assert (code, out) == (2, "")
    assert _one_line(err) == (
        "renubu: Cobalt Financial Group has no open workflow step to preview: name one with "
        "--step WORKFLOW:STEP, or pipe a template on standard input"
    )
    assert cli("execution", "start", "cobalt")[0] == 0
    code, out, err = cli("template", "preview", "cobalt")
    assert code == 0, err
    assert err.splitlines()[0] == (
        "previewing emergency:emergency-status-check, the current step of Cobalt Financial Group"
    )
    assert "Cobalt Financial Group" in out and "{{" not in out  # the step's prompt, rendered


def test_a_first_command_that_is_not_the_app_still_leaves_the_demo_seeded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """On a fresh machine any first command prepares the embedded database as the app does:
    `renubu context` once migrated it without seeding, and every later start said "unknown
    tenant"."""
    from renubu_tui.cli import main

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("RENUBU_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'fresh.sqlite3'}")
    monkeypatch.setenv("RENUBU_TODAY", "2025-09-24")
    for name in ("RENUBU_CONFIG", "RENUBU_TENANT", "RENUBU_USER"):
        monkeypatch.delenv(name, raising=False)
    for step in (["context", "bluesoft"], ["queue"]):
        try:
            main(step)
        except SystemExit as exc:
            assert not exc.code, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "Bluesoft Corporation" in out
    assert "Queue of" in out
