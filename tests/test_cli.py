"""The command line: what a person types and reads, errors included (one line, no traceback)."""

from __future__ import annotations

from pathlib import Path

import pytest

from renubu_tui.cli import main
from renubu_tui.data.migrate import HEAD_REVISION
from tests.conftest import PG_URL


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    for name in ("RENUBU_DATABASE_URL", "RENUBU_TODAY", "RENUBU_CONFIG", "RENUBU_TENANT"):
        monkeypatch.delenv(name, raising=False)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_upgrade_seed_stats_and_reseed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}"
    code, out, _ = run(capsys, "--database-url", url, "db", "current")
    assert code == 0 and "empty" in out
    code, out, _ = run(capsys, "--database-url", url, "db", "upgrade")
    assert code == 0 and f"to revision {HEAD_REVISION}" in out
    code, out, _ = run(capsys, "--database-url", url, "db", "current")
    assert "(head)" in out
    code, out, _ = run(capsys, "--database-url", url, "--as-of", "2025-09-24", "db", "seed")
    assert code == 0
    total = out.strip().splitlines()[-1].split()
    assert total[0] == "total" and int(total[1]) > 500
    first = {line.split()[0]: line.split() for line in out.strip().splitlines()}
    assert first["journey"][2] == "54"  # the script's events from D−120 to D−15
    # the same day again: nothing changes
    code, out, _ = run(capsys, "--database-url", url, "--as-of", "2025-09-24", "db", "seed")
    assert out.strip().splitlines()[-1].split()[1:5] == ["0", "inserted", "0", "updated"]
    # renewal day (D): the facts known since arrive and the rest of the journey is played
    code, out, _ = run(capsys, "--database-url", url, "--as-of", "2025-10-09", "db", "seed")
    lines = {line.split()[0]: line.split() for line in out.strip().splitlines()}
    assert code == 0 and lines["contracts"][1] == "1"  # the renewal, signed on D
    assert lines["journey"][2] == "23"  # the script's events from D−14 to D
    code, out, _ = run(capsys, "--database-url", url, "db", "stats")
    assert code == 0 and "customers" in out


def test_reset_needs_confirmation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'reset.sqlite3'}"
    run(capsys, "--database-url", url, "db", "upgrade")
    code, _, err = run(capsys, "--database-url", url, "db", "reset", "--empty")
    assert code == 2 and "--yes" in err
    code, out, _ = run(capsys, "--database-url", url, "db", "reset", "--yes", "--empty")
    assert code == 0 and out.startswith("reset ")


@pytest.mark.parametrize(
    ("args", "expected", "exit_code"),
    [
        (["--database-url", "nonsense", "db", "current"], "invalid database URL", 1),
        (["--database-url", "mysql://x/y", "db", "current"], "unsupported database URL", 1),
        (
            ["--database-url", "postgresql+asyncpg://nobody@127.0.0.1:9/none", "db", "current"],
            "cannot reach the database postgresql+asyncpg://nobody@127.0.0.1:9/none",
            1,
        ),
        (["db", "stats", "--frobnicate"], "No such option '--frobnicate'", 2),
        (["--as-of", "2025-13-40", "locate"], "invalid date '2025-13-40'", 2),
        (["--user", "nobody@x.test", "summary"], "unknown user 'nobody@x.test'", 2),
        (["db", "seed", "--synthetic", "0"], "Invalid value for '--synthetic'", 2),
    ],
)
def test_errors_are_one_line(
    capsys: pytest.CaptureFixture[str], args: list[str], expected: str, exit_code: int
) -> None:
    code, out, err = run(capsys, *args)
    assert code == exit_code
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("renubu: ") and expected in lines[0]
    assert "Traceback" not in err


async def test_postgres_behind_is_not_migrated_silently(pg_schemas: object) -> None:
    """The app's start-up check: a shared PostgreSQL database is never upgraded behind people."""
    if not PG_URL:
        pytest.skip("needs RENUBU_TEST_DATABASE_URL")
    import asyncio
    import datetime as dt

    from renubu_tui.data.engine import DatabaseError
    from renubu_tui.data.migrate import current_revision
    from renubu_tui.services.bootstrap import prepare
    from renubu_tui.settings import Settings
    from tests.conftest import pg_database

    schema = await asyncio.to_thread(pg_schemas.new)  # type: ignore[attr-defined]
    database = pg_database(schema)
    try:
        with pytest.raises(
            DatabaseError, match=rf"is empty and needs {HEAD_REVISION}: run `renubu db upgrade`"
        ):
            await prepare(database, Settings(database_url=PG_URL), dt.date(2025, 9, 24))
        assert await current_revision(database) is None
    finally:
        await database.dispose()


def test_locate_prints_paths(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "locate")
    assert code == 0
    assert f"config file   {tmp_path / 'config' / 'renubu' / 'config.toml'}" in out
    assert f"database file {tmp_path / 'data' / 'renubu' / 'renubu.sqlite3'}" in out
    assert "assistant     offline assistant\n" in out
    assert "step outputs  written to fit the schema (offline)\n" in out


def test_locate_says_how_step_outputs_fit_their_schema(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Constrained by the provider, and how; the context window's source (issue 17)."""
    monkeypatch.setenv("RENUBU_LLM_PROVIDER", "ollama")
    code, out, _ = run(capsys, "locate")
    assert code == 0
    assert "assistant     ollama · llama3.1\n" in out
    assert "step outputs  schema-constrained (format)\n" in out
    assert "context       asked of the server at the first answer" in out
    monkeypatch.setenv("RENUBU_LLM_PROVIDER", "anthropic")
    monkeypatch.setenv("RENUBU_LLM_CONTEXT_TOKENS", "200000")
    code, out, _ = run(capsys, "locate")
    assert "step outputs  schema-constrained (a forced tool)\n" in out
    assert "context       200,000 tokens ([llm] context_tokens)\n" in out


def test_first_start_creates_migrates_and_seeds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "--as-of", "2025-09-24", "summary")
    assert code == 0, err
    assert (tmp_path / "data" / "renubu" / "renubu.sqlite3").exists()
    assert "migrated and seeded" in err
    assert "Maya Patel" in out and "Bluesoft Corporation" in out
