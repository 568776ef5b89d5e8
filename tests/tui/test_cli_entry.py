"""`renubu` with no subcommand starts the app; without a terminal it prints the summary."""

from __future__ import annotations

from pathlib import Path

import pytest

from renubu_tui.cli import main
from renubu_tui.settings import Settings


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    for name in ("RENUBU_DATABASE_URL", "RENUBU_TODAY", "RENUBU_CONFIG", "RENUBU_TENANT"):
        monkeypatch.delenv(name, raising=False)


def test_without_a_terminal_it_prints_the_summary(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["--database-url", f"sqlite+aiosqlite:///{db_path}", "--as-of", "2025-09-24"])
    out = capsys.readouterr().out
    assert "Maya Patel <maya.patel@acmecloud.com> · acme-cs · today 2025-09-24" in out


def test_in_a_terminal_it_runs_the_app_with_the_settings(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[Settings] = []

    def fake_run(self: object) -> None:
        started.append(self.settings)  # type: ignore[attr-defined]

    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    monkeypatch.setattr("renubu_tui.tui.app.RenubuApp.run", fake_run)
    main(["--database-url", f"sqlite+aiosqlite:///{db_path}", "--as-of", "2025-09-24"])
    assert [(s.today.isoformat() if s.today else None, s.tenant) for s in started] == [
        ("2025-09-24", "acme-cs")
    ]
