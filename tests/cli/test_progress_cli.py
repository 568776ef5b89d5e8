"""Progress while the model works (issue 17, item 9): `renubu ask` and `renubu step --run` draw
a spinner with the elapsed time and tokens so far on stderr when stderr is a terminal, and
nothing of it into a pipe or a file."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
from typing import Any

import pytest

from renubu_tui.cli.progress import CLEAR, Spinner
from tests.cli.conftest import Run, child_env

SPINNER_MARKS = ("\r", "\x1b", "⠋")


class Clock:
    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now


async def test_the_spinner_says_elapsed_and_tokens_and_erases_itself() -> None:
    import asyncio

    out, clock = io.StringIO(), Clock()
    async with Spinner("asking smol", stream=out, enabled=True, clock=clock, interval=0.01) as s:
        clock.now += 7
        s.add("x" * 40)
        await asyncio.sleep(0.05)
    drawn = out.getvalue()
    assert drawn.startswith(CLEAR + "⠋ asking smol · 0 s")
    assert "asking smol · 7 s · ≈10 tokens" in drawn
    assert drawn.endswith(CLEAR)  # the line is gone before anything else is written


async def test_no_spinner_off_a_terminal() -> None:
    out = io.StringIO()  # not a terminal
    async with Spinner("asking smol", stream=out) as spinner:
        spinner.add("text")
    assert out.getvalue() == ""


def _as_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """stderr behaves as a terminal (stdout stays a pipe)."""
    monkeypatch.setattr("renubu_tui.cli.progress.is_terminal", lambda stream: stream is sys.stderr)


def test_ask_spins_on_a_terminal_and_the_answer_stays_clean(
    cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    _as_terminal(monkeypatch)
    code, out, err = cli("ask", "bluesoft", "How is Bluesoft doing?")
    assert code == 0, err
    assert err.startswith(CLEAR + "⠋ asking offline assistant · 0 s")
    assert err.endswith(CLEAR + "— answered by offline assistant\n")  # erased first
    assert not any(mark in out for mark in SPINNER_MARKS)  # the answer: text only


def test_ask_into_a_pipe_has_no_spinner(cli: Run) -> None:
    code, out, err = cli("ask", "bluesoft", "How is Bluesoft doing?")
    assert code == 0, err
    assert not any(mark in out + err for mark in SPINNER_MARKS)
    assert err.strip() == "— answered by offline assistant"


def test_step_run_spins_on_a_terminal_and_not_into_a_pipe(
    cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("execution", "start", "kestrel")[0] == 0
    code, out, err = cli("step", "kestrel", "--run")
    assert code == 0, err
    assert not any(mark in out + err for mark in SPINNER_MARKS)
    assert err.strip() == "— by offline assistant · written to fit the schema (offline)"
    _as_terminal(monkeypatch)
    code, out, err = cli("step", "kestrel", "--run")
    assert code == 0, err
    assert err.startswith(
        CLEAR + "⠋ running Critical status assessment with offline assistant · 0 s"
    )
    assert err.endswith(CLEAR + "— by offline assistant · written to fit the schema (offline)\n")


def _with_stderr_on_a_terminal(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    """`renubu ARGS` in a child process whose stderr is a real pseudo-terminal."""
    leader, follower = pty.openpty()
    child = subprocess.Popen(
        [sys.executable, "-m", "renubu_tui", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=follower,
        stdin=subprocess.DEVNULL,
    )
    os.close(follower)
    chunks: list[bytes] = []
    while True:
        try:
            piece = os.read(leader, 4096)
        except OSError:  # the child closed the terminal
            break
        if not piece:
            break
        chunks.append(piece)
    assert child.stdout is not None
    out = child.stdout.read().decode()
    code = child.wait(timeout=120)
    os.close(leader)
    return code, out, b"".join(chunks).decode("utf-8", "replace")


def test_a_real_terminal_gets_the_spinner_and_a_pipe_does_not(
    cli: Run, cli_env: dict[str, str], renubu: Any
) -> None:
    env = child_env(cli_env)
    code, out, err = _with_stderr_on_a_terminal(env, "ask", "bluesoft", "How is Bluesoft?")
    assert code == 0, err
    assert "⠋ asking offline assistant · 0 s" in err and "\x1b[K— answered by" in err
    assert "Bluesoft" in out and not any(mark in out for mark in SPINNER_MARKS)
    piped = renubu("ask", "bluesoft", "How is Bluesoft?")
    assert piped.returncode == 0, piped.stderr
    assert not any(mark in piped.stdout + piped.stderr for mark in SPINNER_MARKS)
