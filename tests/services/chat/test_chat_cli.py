"""`renubu ask` and `renubu step`: answers on stdout, who answered on stderr, steps run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from renubu_tui.cli import main


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> str:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    for name in ("RENUBU_DATABASE_URL", "RENUBU_TODAY", "RENUBU_CONFIG", "RENUBU_TENANT"):
        monkeypatch.delenv(name, raising=False)
    database = f"sqlite+aiosqlite:///{tmp_path / 'chat.sqlite3'}"
    assert run(capsys, "--database-url", database, "db", "upgrade")[0] == 0
    assert run(capsys, "--database-url", database, "--as-of", "2025-09-24", "db", "seed")[0] == 0
    return database


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_ask_streams_the_answer_and_names_who_answered(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ("--database-url", url, "--as-of", "2025-09-24")
    code, out, err = run(
        capsys, *base, "ask", "bluesoft.com", "What does our escalation policy say?"
    )
    assert code == 0, err
    assert "escalation-policy" in out and "offline assistant" in out
    assert "[rag_search: ok]" in err and err.strip().endswith("— answered by offline assistant")
    code, out, err = run(capsys, *base, "ask", "bluesoft", "Show me the health trend")
    assert code == 0, err
    assert "Bluesoft Corporation: healthScore" in out and "● Health" in out
    assert "The chart is above" in out


def test_ask_refuses_an_unknown_provider(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "--database-url", url, "ask", "bluesoft", "hi", "--provider", "hal"
    )
    assert code == 2 and out == "" and "unknown LLM provider 'hal'" in err


def test_step_shows_runs_and_chooses(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    base = ("--database-url", url, "--as-of", "2025-09-24")
    code, out, err = run(capsys, *base, "execution", "start", "Kestrel Networks")
    assert code == 0, err
    code, out, err = run(capsys, *base, "step", "kestrel")
    assert code == 0, err
    assert "Critical status assessment" in out and "signature-pending" in out
    assert "route SIGNATURE_PENDING" in out  # the routes, each with its meaning
    assert "suggested replies: Everything is signed and paid |" in out
    code, out, err = run(capsys, *base, "step", "kestrel", "--run")
    assert code == 0, err
    body, _, where = out.rpartition("}")
    outputs = json.loads(body + "}")
    assert outputs["route"] in {
        "SIGNATURE_PENDING",
        "PAYMENT_PENDING",
        "CUSTOMER_GHOSTING",
        "NEGOTIATION_BREAKDOWN",
        "AT_RISK_CHURN",
        "ALL_COMPLETE",
    }
    # the run suggests; nothing moves until the person completes the step on a route
    assert "Critical status assessment: the assistant suggests " in where
    assert f"renubu execution complete kestrel --route {outputs['route']}" in where
    assert "— by offline assistant" in err
    code, out, err = run(capsys, *base, "execution", "show", "kestrel")
    assert "▶ Critical status assessment" in out
    code, out, err = run(capsys, *base, "execution", "complete", "kestrel")
    assert code == 1 and out == ""
    assert "Critical status assessment has routes; choose one with --route: ALL_COMPLETE (" in err
    code, out, err = run(
        capsys, *base, "execution", "complete", "kestrel", "--route", "SIGNATURE_PENDING"
    )
    assert code == 0, err
    assert "✓ Critical status assessment → Terms are agreed but one or more signatures" in out
    code, out, err = run(capsys, *base, "step", "kestrel", "--choose", "brief-ready")
    assert code == 0, err
    assert "Moving to the resolution plan" in out and "next: Emergency resolution" in out
    code, out, err = run(capsys, *base, "step", "kestrel", "--choose", "nope")
    assert code == 1 and "has no branch 'nope'" in err


def test_ask_errors_are_one_line_with_ask_again_only_where_it_helps(
    url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    base = ("--database-url", url, "--as-of", "2025-09-24", "ask", "bluesoft", "hi")
    monkeypatch.setenv("RENUBU_LLM_PROVIDER", "openai")
    monkeypatch.setenv("RENUBU_LLM_BASE_URL", "ftp://127.0.0.1:1")
    code, out, err = run(capsys, *base)
    assert code == 1 and out == ""  # no blank line before the error
    assert err.strip().splitlines() == [
        "renubu: the assistant failed: openai: 'ftp://127.0.0.1:1' is not an http(s) URL — "
        "check RENUBU_LLM_BASE_URL"
    ]
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("RENUBU_LLM_BASE_URL", f"http://127.0.0.1:{port}")
    code, out, err = run(capsys, *base)
    assert code == 1 and out == ""
    assert err.strip() == (
        "renubu: the assistant failed: cannot reach the OpenAI-compatible server at "
        f"http://127.0.0.1:{port} — is it running? — ask again"
    )
