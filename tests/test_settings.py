"""Settings come from the config file, then RENUBU_* variables, then flags — later ones win."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from renubu_tui.clock import Clock, ClockError, parse_date
from renubu_tui.settings import SettingsError, load_settings


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_precedence_file_then_environment_then_flags(tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        'tenant = "from-file"\ntoday = "2025-01-01"\n'
        '[database]\nurl = "sqlite+aiosqlite:///file.db"\n[keys]\nqueue_search = "ctrl+f"\n',
    )
    only_file = load_settings(config_file=path, environ={})
    assert only_file.database_url == "sqlite+aiosqlite:///file.db"
    assert only_file.tenant == "from-file"
    assert only_file.today == dt.date(2025, 1, 1)

    env = {"RENUBU_TENANT": "from-env", "RENUBU_TODAY": "2025-02-02"}
    with_env = load_settings(config_file=path, environ=env)
    assert (with_env.tenant, with_env.today) == ("from-env", dt.date(2025, 2, 2))
    assert with_env.database_url == "sqlite+aiosqlite:///file.db"

    with_flags = load_settings({"tenant": "from-flag"}, config_file=path, environ=env)
    assert (with_flags.tenant, with_flags.today) == ("from-flag", dt.date(2025, 2, 2))


def test_default_database_is_sqlite_in_the_user_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    settings = load_settings(config_file=tmp_path / "missing.toml", environ={})
    assert settings.database_url.startswith("sqlite+aiosqlite:///")
    assert settings.sqlite_path() == tmp_path / "data" / "renubu" / "renubu.sqlite3"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ({"RENUBU_TODAY": "yesterday"}, "setting today: invalid date 'yesterday'"),
        ({"RENUBU_AUTO_SEED": "maybe"}, "setting auto_seed: expected true or false"),
        ({"RENUBU_LLM_TIMEOUT": "soon"}, "setting llm_timeout"),
    ],
)
def test_bad_values_are_one_clear_error(
    tmp_path: Path, source: dict[str, str], message: str
) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings(config_file=tmp_path / "none.toml", environ=source)


def test_unknown_setting_in_file_is_refused(tmp_path: Path) -> None:
    path = _file(tmp_path, '[database]\ntenant = "misplaced"\n')
    with pytest.raises(SettingsError, match="unknown setting 'database_tenant'"):
        load_settings(config_file=path, environ={})


def test_broken_config_file_names_the_file(tmp_path: Path) -> None:
    path = _file(tmp_path, "tenant = [unclosed\n")
    with pytest.raises(SettingsError, match="cannot read config file"):
        load_settings(config_file=path, environ={})


def test_clock_is_fixed_or_system() -> None:
    fixed = Clock(dt.date(2025, 10, 9))
    assert fixed.today() == dt.date(2025, 10, 9)
    assert fixed.now().date() == dt.date(2025, 10, 9)
    fixed.set(dt.date(2025, 10, 10))
    assert fixed.today() == dt.date(2025, 10, 10)
    assert Clock().is_fixed is False
    with pytest.raises(ClockError, match="expected YYYY-MM-DD"):
        parse_date("09/10/2025")
