"""Settings come from the config file, then RENUBU_* variables, then flags — later ones win."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from renubu_tui.clock import Clock, ClockError, parse_date
from renubu_tui.settings import SettingsError, load_settings
from renubu_tui.tui.keymap import BINDING_IDS, RENAMED, load_keymap


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_precedence_file_then_environment_then_flags(tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        'tenant = "from-file"\ntoday = "2025-01-01"\n'
        '[database]\nurl = "sqlite+aiosqlite:///file.db"\n[keys]\n"queue.search" = "ctrl+f"\n',
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


# --- numbers and [keys] refused at load (issue 14 §5) -----------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[llm]\ntimeout = -5\n", "setting llm_timeout: -5 is out of range: above 0, up to 3,600"),
        ("[llm]\ntimeout = 0\n", "setting llm_timeout: 0 is out of range"),
        ("[llm]\ntimeout = 86400\n", "setting llm_timeout: 86400 is out of range"),
        ("[llm]\ntimeout = nan\n", "setting llm_timeout: NaN is out of range"),
        ("[llm]\ntimeout = true\n", "setting llm_timeout: expected a number, got the boolean true"),
        ('[llm]\ntimeout = "soon"\n', "setting llm_timeout: expected a number, got 'soon'"),
        ("tenant = 5\n", "setting tenant: expected text, got the number 5"),
        ("[database]\nurl = [1]\n", "setting database_url: expected text, got a list"),
        ('[keys]\n"queue.why" = 5\n', "[keys] 'queue.why' = 5: a key must be text"),
        ('[keys]\n"queue.whyy" = "y"\n', "[keys] 'queue.whyy': no binding has this id"),
        ('[keys]\n"queue.why" = "  "\n', "[keys] 'queue.why': the key is empty"),
        ('keys = "y"\n', "keys must be a table"),
    ],
)
def test_a_file_value_that_cannot_be_used_is_one_line_naming_the_file(
    tmp_path: Path, text: str, message: str
) -> None:
    path = _file(tmp_path, text)
    with pytest.raises(SettingsError) as info:
        load_settings(config_file=path, environ={})
    assert message in str(info.value)
    assert str(path) in str(info.value) and "\n" not in str(info.value)


def test_an_unknown_binding_id_gets_a_suggestion(tmp_path: Path) -> None:
    path = _file(tmp_path, '[keys]\n"queue.whyy" = "y"\n')
    with pytest.raises(SettingsError, match=r"did you mean 'queue\.why'"):
        load_settings(config_file=path, environ={})


def test_the_timeout_from_the_environment_is_checked_too(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as info:
        load_settings(config_file=tmp_path / "none.toml", environ={"RENUBU_LLM_TIMEOUT": "-5"})
    assert str(info.value) == (
        "setting llm_timeout: -5 is out of range: above 0, up to 3,600 seconds "
        "(in RENUBU_LLM_TIMEOUT)"
    )
    settings = load_settings(
        config_file=tmp_path / "none.toml", environ={"RENUBU_LLM_TIMEOUT": "90"}
    )
    assert settings.llm_timeout == 90.0


def test_good_keys_and_numbers_load(tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        '[llm]\ntimeout = 3600\n[keys]\n"queue.why" = "y"\n"app.sidebar" = "ctrl+b,f5"\n',
    )
    assert load_settings(config_file=path, environ={}).llm_timeout == 3600.0
    assert load_keymap(path) == {"queue.why": "y", "main.sidebar": "ctrl+b,f5"}  # an earlier id
    assert load_keymap(tmp_path / "missing.toml") == {}


def test_the_keymap_loader_refuses_what_the_settings_refuse(tmp_path: Path) -> None:
    """The app reads the table itself: a file changed since the settings were read is refused
    there too, never half applied."""
    path = _file(tmp_path, '[keys]\n"queue.why" = 7\n')
    with pytest.raises(SettingsError, match="a key must be text"):
        load_keymap(path)


def test_the_known_binding_ids_are_the_ones_the_app_declares() -> None:
    """keymap.BINDING_IDS is written out (settings are checked without importing Textual):
    it must list exactly the ids of the app's bindings. Add a new binding's id there."""
    import importlib
    import inspect
    import pkgutil

    from textual.binding import Binding

    import renubu_tui.tui as tui

    declared: set[str] = set()
    for module_info in pkgutil.walk_packages(tui.__path__, "renubu_tui.tui."):
        module = importlib.import_module(module_info.name)
        for value in vars(module).values():
            if inspect.isclass(value) and value.__module__ == module.__name__:
                for binding in getattr(value, "BINDINGS", None) or []:
                    if isinstance(binding, Binding) and binding.id:
                        declared.add(binding.id)
    assert declared == set(BINDING_IDS)
    assert set(RENAMED.values()) <= BINDING_IDS


def test_llm_deadlines_are_read_from_the_llm_table(tmp_path: Path) -> None:
    path = _file(tmp_path, "[llm]\nfirst_token_timeout = 30\ndeadline = 90\n")
    settings = load_settings(config_file=path, environ={"RENUBU_LLM_DEADLINE": "120"})
    assert (settings.llm_first_token_timeout, settings.llm_deadline) == (30.0, 120.0)
    with pytest.raises(SettingsError, match="setting llm_deadline: 0 is out of range"):
        load_settings(config_file=_file(tmp_path, "[llm]\ndeadline = 0\n"), environ={})


def test_llm_max_tokens_is_a_whole_number(tmp_path: Path) -> None:
    path = _file(tmp_path, "[llm]\nmax_tokens = 4096\n")
    assert load_settings(config_file=path, environ={}).llm_max_tokens == 4096
    with pytest.raises(SettingsError, match="expected a whole number"):
        load_settings(config_file=_file(tmp_path, "[llm]\nmax_tokens = 10.5\n"), environ={})
