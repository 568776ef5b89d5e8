"""The command line as a person uses it: a private copy of the seeded demo database, a fixed day.

`cli(*args)` runs `renubu` in this process and returns (exit code, stdout, stderr);
`renubu(*args)` runs the installed entry point in a child process, for what only a real process
shows (a closed pipe, which modules were loaded, how long it took).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import TEST_TODAY

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def db_file(tmp_path: Path, sqlite_templates: dict[str, Path]) -> Path:
    path = tmp_path / "cli.sqlite3"
    shutil.copyfile(sqlite_templates["seeded"], path)
    return path


@pytest.fixture
def cli_env(tmp_path: Path, db_file: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The environment of a person with the demo database and the clock at TEST_TODAY."""
    values = {
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "RENUBU_DATABASE_URL": f"sqlite+aiosqlite:///{db_file}",
        "RENUBU_TODAY": TEST_TODAY.isoformat(),
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    for name in ("RENUBU_CONFIG", "RENUBU_TENANT", "RENUBU_USER", "RENUBU_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    return values


@pytest.fixture
def cli(cli_env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> Run:
    from renubu_tui.cli import main

    def run(*args: str) -> tuple[int, str, str]:
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    return run


def child_env(cli_env: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RENUBU_")}
    return {**env, **cli_env}


@pytest.fixture
def renubu(cli_env: dict[str, str]) -> Callable[..., subprocess.CompletedProcess[str]]:
    """`renubu ARGS` in a child process (its output read to the end)."""

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "renubu_tui", *args],
            env=child_env(cli_env),
            capture_output=True,
            text=True,
            timeout=120,
        )

    return run
