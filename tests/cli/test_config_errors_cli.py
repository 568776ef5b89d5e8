"""Values that would take the product down are refused in one line (issue 14 §5).

A settings file with `[llm] timeout = -5`, a `[keys]` value that is not text or an id no binding
has stops the app and every command alike: one line naming the file, exit 2, before anything
runs. `renubu config set` refuses a value out of its range naming the key, the value and the
range (exit 1, as every refused `config set`), and the queue reads on.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.cli.conftest import Run

BROKEN = {
    "timeout": ("[llm]\ntimeout = -5\n", "setting llm_timeout: -5 is out of range: above 0, up to"),
    "int key": ('[keys]\n"queue.why" = 5\n', "[keys] 'queue.why' = 5: a key must be text"),
    "unknown id": ('[keys]\n"queue.whyy" = "y"\n', "[keys] 'queue.whyy': no binding has this id"),
}
COMMANDS = [
    ["locate"],
    ["queue"],
    ["summary"],
    ["config", "show"],
    ["context", "Bluesoft"],
    ["workflows", "list"],
    ["template", "check"],
]


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "broken.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_every_command_refuses_a_settings_file_that_cannot_be_used(
    cli: Run, tmp_path: Path, case: str
) -> None:
    text, message = BROKEN[case]
    path = _config(tmp_path, text)
    for args in COMMANDS:
        code, out, err = cli("--config", str(path), *args)
        assert (code, out) == (2, ""), (args, err)
        assert err.count("\n") == 1 and err.startswith("renubu: "), (args, err)
        assert message in err and str(path) in err, (args, err)
        assert "Traceback" not in err and "internal error" not in err


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_the_app_does_not_start_on_such_a_file(
    cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    text, message = BROKEN[case]
    started: list[object] = []
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    monkeypatch.setattr("renubu_tui.cli.fast_path.start_app", started.append)
    code, _, err = cli("--config", str(_config(tmp_path, text)))
    assert (code, started) == (2, [])
    assert message in err and err.count("\n") == 1


def test_the_default_config_file_is_checked_too(cli: Run, cli_env: dict[str, str]) -> None:
    folder = Path(cli_env["XDG_CONFIG_HOME"]) / "renubu"
    folder.mkdir(parents=True)
    (folder / "config.toml").write_text("[llm]\ntimeout = -5\n", encoding="utf-8")
    code, _, err = cli("queue")
    assert code == 2 and "setting llm_timeout: -5 is out of range" in err


def test_config_set_out_of_range_names_key_value_and_range(cli: Run) -> None:
    code, out, err = cli("config", "set", "stages.Critical.urgency", "99999999999999999999")
    assert (code, out) == (1, "")
    assert err == (
        "renubu: stages.Critical.urgency: 99999999999999999999 is out of range: 0 to 1,000\n"
    )
    code, out, err = cli("config", "set", "scoring.planMultipliers.invest", "0")
    assert code == 1 and err == (
        "renubu: scoring.planMultipliers.invest: 0 is out of range: above 0, up to 10\n"
    )
    code, out, err = cli("config", "set", "stages.Critical.urgency", "[" * 2000 + "]" * 2000)
    assert code == 1 and err == "renubu: value nests 2000 levels; the limit is 16\n"
    code, out, err = cli("queue")
    assert code == 0 and out, err  # the queue still reads
    code, out, _ = cli("config", "show")
    assert '"urgency": 80' in out and "99999999999999999999" not in out


def test_a_value_stored_before_the_ranges_is_one_line_then_set_right(
    cli: Run, db_file: Path
) -> None:
    with sqlite3.connect(db_file) as conn:  # as `config set` stored it before the ranges
        conn.execute(
            "UPDATE config_entries SET value = json_set(value, '$[2].urgency', 1e20) "
            "WHERE key = 'stages'"
        )
    code, out, err = cli("queue")
    assert (code, out) == (2, "")
    assert err == (
        "renubu: the stored configuration is invalid: stages[2].urgency: 1e+20 is out of range: "
        "0 to 1,000 (change it with `renubu config set`)\n"
    )
    code, out, _ = cli("config", "set", "stages.Critical.urgency", "80")
    assert code == 0 and "1e+20 → 80" in out
    code, out, _ = cli("queue")
    assert code == 0 and out
