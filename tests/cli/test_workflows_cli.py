"""`renubu workflows …` end to end on the embedded database, with a fake $EDITOR."""

from __future__ import annotations

import io
import json
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    sqlite_templates: dict[str, Path],
) -> Run:
    from renubu_tui.cli import main

    database = tmp_path / "w.sqlite3"
    shutil.copyfile(sqlite_templates["seeded"], database)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("RENUBU_DATABASE_URL", f"sqlite+aiosqlite:///{database}")
    monkeypatch.setenv("RENUBU_TODAY", "2025-09-24")
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # pick up TMPDIR

    def run(*args: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    return run


def _editor(tmp_path: Path, name: str, body: str) -> str:
    """A fake $EDITOR: a Python script that loads the JSON file, runs `body`, writes it back."""
    script = tmp_path / f"{name}.py"
    script.write_text(
        f"#!{sys.executable}\n"
        "import json, subprocess, sys\n"
        "from pathlib import Path\n"
        "path = Path(sys.argv[1])\n"
        "cfg = json.loads(path.read_text())\n"
        f"{body}\n"
        "path.write_text(json.dumps(cfg, indent=2))\n"
    )
    script.chmod(0o755)
    return str(script)


def _kept_file(err: str) -> Path:
    path = Path(err.rsplit("kept in ", 1)[1].strip())
    assert path.exists()
    return path


# --- validate --------------------------------------------------------------------------------


def test_validate_the_database_and_the_seed_files(cli: Run) -> None:
    assert cli("workflows", "validate") == (0, "14 workflows valid\n", "")
    code, out, _ = cli("workflows", "validate", "--all")
    assert (code, out) == (0, "14 workflows valid\n")
    code, out, _ = cli(
        "workflows", "validate", str(SEEDS / "workflows"), str(SEEDS / "compositions")
    )
    assert (code, out) == (0, "14 workflows valid\n")


def test_validate_reports_every_problem_of_a_broken_file(cli: Run, tmp_path: Path) -> None:
    config = json.loads((SEEDS / "workflows" / "renewal" / "critical.json").read_text())
    config["steps"][0]["routing"]["routes"][0]["nextStepId"] = "nowhere"
    config["steps"][1]["notifications"][0]["priority"] = 7
    del config["version"]
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(config))
    bad_json = tmp_path / "bad.json"
    bad_json.write_text('{\n  "id": "x",\n  "name" "y"\n}\n')
    good = SEEDS / "workflows" / "renewal" / "emergency.json"
    code, out, err = cli("workflows", "validate", str(broken), str(bad_json), str(good))
    assert code == 1
    lines = out.splitlines()
    assert f"{broken}: $.version: required field 'version' is missing (hint: " in out
    assert any(
        line.startswith(f"{broken}: $.steps[0].routing.routes[0].nextStepId: ")
        and "'nowhere' is not a step (hint: one of: " in line
        for line in lines
    )
    assert f"{broken}: $.steps[1].notifications[0].priority: priority must be" in out
    assert f"{bad_json}: $: invalid JSON at line 3, column 10" in out
    assert "4 problem(s) in 2 of 3 workflows" in err
    assert cli("workflows", "validate", "--all", str(good))[0] == 2  # usage error


# --- reading ---------------------------------------------------------------------------------


def test_list_show_expanded_and_versions(cli: Run) -> None:
    code, out, _ = cli("workflows", "list")
    assert code == 0 and out.splitlines()[1].startswith("overdue ")
    assert "standard-renewal" in out and "composition" in out
    code, out, _ = cli("workflows", "show", "standard-renewal", "--expanded")
    header, _, body = out.partition("\n")
    assert code == 0 and "expanded composition" in header
    expanded = json.loads(body)
    assert len(expanded["steps"]) == 9 and "composition" not in expanded
    code, out, _ = cli("workflows", "show", "standard-renewal")
    assert "composition" in json.loads(out.partition("\n")[2])
    code, out, _ = cli("workflows", "versions", "critical")
    assert code == 0 and out.startswith("*   1  1.0.0") and "seed  seeded" in out
    code, _, err = cli("workflows", "show", "nope")
    assert code == 2 and "no workflow 'nope'" in err


# --- changing --------------------------------------------------------------------------------


def test_clone_edit_diff_and_rollback(
    cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = cli("workflows", "edit", "critical")
    assert code == 1 and "clone it for your tenant first" in err
    assert cli("workflows", "clone", "critical")[:2] == (
        0,
        "cloned critical for acme-cs: version 1\n",
    )
    code, _, err = cli("workflows", "clone", "critical")
    assert code == 1 and "already has its own 'critical'" in err
    monkeypatch.setenv(
        "EDITOR",
        _editor(tmp_path, "rename", 'cfg["name"] = "Critical (Acme)"; cfg["version"] = "1.1.0"'),
    )
    assert cli("workflows", "edit", "critical")[:2] == (0, "saved critical: version 2 (1.1.0)\n")
    code, out, _ = cli("workflows", "diff", "critical", "1", "2")
    assert code == 0 and out.startswith("--- critical version 1\n+++ critical version 2\n")
    assert '+  "name": "Critical (Acme)",' in out and '-  "version": "1.0.0"' in out
    assert cli("workflows", "diff", "critical", "2", "2")[1] == "versions 2 and 2 are equal\n"
    assert cli("workflows", "rollback", "critical", "1")[1] == (
        "rolled critical back to version 1: now version 3\n"
    )
    code, out, _ = cli("workflows", "versions", "critical")
    assert [line[:5] for line in out.splitlines()] == ["    1", "    2", "*   3"]
    assert "rollback to version 1" in out
    code, out, _ = cli("workflows", "show", "critical", "--version", "2")
    assert "version 2 (1.1.0)" in out.splitlines()[0]
    assert json.loads(out.partition("\n")[2])["name"] == "Critical (Acme)"
    code, out, _ = cli("workflows", "list")
    assert "tenant, overrides core" in next(x for x in out.splitlines() if x.startswith("critical"))


def test_edit_without_changes_saves_nothing(
    cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli("workflows", "clone", "critical")
    monkeypatch.setenv("EDITOR", _editor(tmp_path, "noop", "pass"))
    # the script rewrites the same JSON with its own formatting: same config, nothing saved
    assert cli("workflows", "edit", "critical")[:2] == (0, "no changes: nothing saved\n")
    monkeypatch.setenv("EDITOR", "true")  # leaves the file exactly as it was
    assert cli("workflows", "edit", "critical")[:2] == (0, "no changes: nothing saved\n")
    assert cli("workflows", "versions", "critical")[1].count("\n") == 1


def test_edit_invalid_then_abort_keeps_the_text(
    cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli("workflows", "clone", "critical")
    body = 'cfg["steps"][0]["routing"]["routes"][0]["nextStepId"] = "nowhere"'
    monkeypatch.setenv("EDITOR", _editor(tmp_path, "invalid", body))
    code, out, err = cli("workflows", "edit", "critical", stdin="n\n")
    assert code == 1 and out == ""
    assert "critical: $.steps[0].routing.routes[0].nextStepId: nextStepId 'nowhere'" in err
    assert "Edit again?" in err and "not saved; your edited text is kept in " in err
    assert '"nextStepId": "nowhere"' in _kept_file(err).read_text()
    assert cli("workflows", "versions", "critical")[1].count("\n") == 1


def test_edit_invalid_then_fixed_saves(
    cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli("workflows", "clone", "critical")
    counter = tmp_path / "runs"
    body = (
        f"runs = Path({str(counter)!r})\n"
        "n = int(runs.read_text()) if runs.exists() else 0\n"
        "runs.write_text(str(n + 1))\n"
        "cfg['version'] = 'one' if n == 0 else '2.0.0'"
    )
    monkeypatch.setenv("EDITOR", _editor(tmp_path, "twice", body))
    code, out, err = cli("workflows", "edit", "critical", stdin="y\n")
    assert code == 0 and "critical: $.version: version 'one' is not semver" in err
    assert out == "saved critical: version 2 (2.0.0)\n" and counter.read_text() == "2"


def test_edit_that_went_stale_is_refused_and_kept(
    cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli("workflows", "clone", "critical")
    theirs = json.loads((SEEDS / "workflows" / "renewal" / "critical.json").read_text())
    theirs["name"] = "Jordan's version"
    other = tmp_path / "theirs.json"
    other.write_text(json.dumps(theirs))
    body = (
        "subprocess.run([sys.executable, '-m', 'renubu_tui', 'workflows', 'import', "
        f"{str(other)!r}, '--user', 'jordan.lee@acmecloud.com'], check=True, "
        "capture_output=True)\n"
        "cfg['name'] = \"Maya's version\""
    )
    monkeypatch.setenv("EDITOR", _editor(tmp_path, "stale", body))
    code, out, err = cli("workflows", "edit", "critical")
    assert code == 1
    assert "workflow 'critical' was changed by jordan.lee@acmecloud.com at 2025-09-24 " in err
    assert "(now version 2); your edit was not saved" in err
    assert "Maya's version" in _kept_file(err).read_text()
    code, out, _ = cli("workflows", "show", "critical")
    assert json.loads(out.partition("\n")[2])["name"] == "Jordan's version"


def test_export_import_round_trip(cli: Run, tmp_path: Path) -> None:
    target = tmp_path / "critical.json"
    assert cli("workflows", "export", "critical", "-o", str(target))[0] == 0
    assert json.loads(target.read_text()) == json.loads(
        (SEEDS / "workflows" / "renewal" / "critical.json").read_text()
    )
    code, out, _ = cli("workflows", "export", "critical")
    assert out == target.read_text()
    config = json.loads(target.read_text())
    config["name"] = "Critical (imported)"
    target.write_text(json.dumps(config, indent=2))
    assert cli("workflows", "import", str(target)) == (
        0,
        "imported critical: version 1 (1.0.0)\n",
        "",
    )
    assert json.loads(cli("workflows", "export", "critical")[1]) == config
    config["description"] = "Second import."
    target.write_text(json.dumps(config))
    assert cli("workflows", "import", str(target))[1] == "imported critical: version 2 (1.0.0)\n"
    fresh = dict(config, id="acme-playbook")
    new = tmp_path / "new.json"
    new.write_text(json.dumps(fresh))
    assert cli("workflows", "import", str(new), "--type", "risk")[0] == 0
    assert "acme-playbook             risk" in cli("workflows", "list")[1]
    del fresh["steps"]
    new.write_text(json.dumps(fresh))
    code, _, err = cli("workflows", "import", str(new))
    assert code == 1 and f"{new}: $.steps: required field 'steps' is missing" in err
