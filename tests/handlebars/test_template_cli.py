"""`renubu template render|check|preview`: byte-exact filters, one-line errors, real contexts."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from renubu_tui.cli import main


def _run(args: list[str], stdin: bytes, tmp_path: Path) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path)}
    return subprocess.run(
        [sys.executable, "-m", "renubu_tui", "template", *args],
        input=stdin,
        capture_output=True,
        env=env,
        check=False,
    )


@pytest.fixture
def context_file(tmp_path: Path) -> Path:
    path = tmp_path / "context.json"
    path.write_text(json.dumps({"name": "Zoë & Co", "score": 85.0, "on": True}), encoding="utf-8")
    return path


def test_render_keeps_crlf_and_adds_nothing(tmp_path: Path, context_file: Path) -> None:
    template = "Hi {{name}}\r\n  {{#if on}}\r\n  score {{score}}\r\n  {{/if}}\r\n{{{name}}}"
    result = _run(["render", "--context", str(context_file)], template.encode(), tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Hi Zoë &amp; Co\r\n  score 85\r\nZoë & Co".encode()
    assert result.stderr == b""


def test_render_text_is_handlebars_no_escape(tmp_path: Path, context_file: Path) -> None:
    template = b"Hi {{name}} {{{name}}} {{money 180000}}"
    result = _run(["render", "--context", str(context_file), "--text"], template, tmp_path)
    assert (result.returncode, result.stderr) == (0, b"")
    assert result.stdout == "Hi Zoë & Co Zoë & Co $180,000".encode()
    result = _run(["render", "--context", str(context_file), "--html"], template, tmp_path)
    assert result.stdout == "Hi Zoë &amp; Co Zoë & Co $180,000".encode()


def test_invalid_template_is_one_line_and_exit_1(tmp_path: Path, context_file: Path) -> None:
    result = _run(["render", "--context", str(context_file)], b"{{#if on}}\r\nx", tmp_path)
    assert result.returncode == 1 and result.stdout == b""
    assert result.stderr.decode().count("\n") == 1 and "never closed" in result.stderr.decode()
    result = _run(["check"], b"{{#if on}}x{{/if}}", tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, b"", b"")


@pytest.mark.parametrize("content", [None, "{not json"])
def test_bad_context_file_is_one_line_and_exit_2(tmp_path: Path, content: str | None) -> None:
    path = tmp_path / "ctx.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    result = _run(["render", "--context", str(path)], b"{{x}}", tmp_path)
    assert result.returncode == 2 and result.stdout == b""
    assert result.stderr.decode().count("\n") == 1 and "--context" in result.stderr.decode()


def test_preview_renders_a_step_prompt_and_lists_missing_variables(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    for name in ("RENUBU_DATABASE_URL", "RENUBU_TODAY", "RENUBU_CONFIG", "RENUBU_TENANT"):
        monkeypatch.delenv(name, raising=False)
    url = f"sqlite+aiosqlite:///{tmp_path / 'preview.sqlite3'}"
    base = ["--database-url", url, "--as-of", "2025-09-24"]
    main([*base, "db", "upgrade"])
    main([*base, "db", "seed"])
    capsys.readouterr()
    with sqlite3.connect(tmp_path / "preview.sqlite3") as connection:
        connection.execute(
            "UPDATE customers SET name = 'Blue & Soft <Edu>' WHERE domain = 'bluesoft.com'"
        )
    main([*base, "template", "preview", "bluesoft.com", "--step", "critical:executive-escalation"])
    out, err = capsys.readouterr()
    assert "Prepare an executive escalation brief for Blue & Soft <Edu>." in out
    assert "renewal ARR $180,000" in out and "{{" not in out
    assert "missing: outputs.assessment.route" in err.splitlines()
    main(
        [
            *base,
            "template",
            "preview",
            "bluesoft.com",
            "--step",
            "critical:executive-escalation",
            "--html",
        ]
    )
    assert "brief for Blue &amp; Soft &lt;Edu&gt;." in capsys.readouterr().out
    with pytest.raises(SystemExit) as info:
        main([*base, "template", "preview", "bluesoft", "--step", "critical:nope"])
    assert info.value.code == 2
    assert "has no step 'nope'" in capsys.readouterr().err
