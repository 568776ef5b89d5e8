"""A request the services refuse reaches the shell as one line on stderr, no traceback, exit 1
(2 when it names something that is not there), mapped in one place (cli/errors.py)."""

from __future__ import annotations

import pytest

from renubu_tui.cli import _report
from renubu_tui.services.config.values import ConfigChangeRefused, ConfigValueError
from renubu_tui.services.queue.service import QueueError
from renubu_tui.services.refusals import BadInput, Conflict, NotFound, Refused
from renubu_tui.services.workflows.executions import GateClosed, RouteRequired
from tests.cli.conftest import Run

GATE = (
    "renubu: This step waits for Jordan Lee (manager) to acknowledge the escalation; "
    "it can be {} once that is recorded"
)


def _one_line(err: str) -> str:
    assert err.count("\n") == 1 and "Traceback" not in err and "internal error" not in err, err
    return err.strip()


def test_a_closed_gate_is_one_line_and_exit_1_from_every_command(cli: Run) -> None:
    assert cli("execution", "start", "kestrel", "--workflow", "emergency")[0] == 0
    code, _, err = cli("execution", "complete", "kestrel", "--route", "FINAL_PUSH")
    assert code == 0, err
    for args, done in [
        (("execution", "complete", "kestrel"), "completed"),
        (("execution", "skip", "kestrel", "--reason", "busy"), "skipped"),
        (("step", "kestrel", "--run"), "run"),
        (("step", "kestrel", "--choose", "acknowledged"), "answered"),
    ]:
        code, out, err = cli(*args)
        assert (code, out) == (1, ""), (args, err)
        assert _one_line(err) == GATE.format(done), args


def test_a_step_with_routes_names_them_and_the_flag(cli: Run) -> None:
    assert cli("execution", "start", "kestrel", "--workflow", "emergency")[0] == 0
    code, out, err = cli("execution", "complete", "kestrel")
    assert (code, out) == (1, "")
    line = _one_line(err)
    assert line.startswith("renubu: ") and "has routes; choose one with --route: " in line
    assert "FINAL_PUSH (" in line
    code, out, err = cli("execution", "complete", "kestrel", "--route", "NOPE")
    assert (code, out) == (1, "")
    assert "has no route 'NOPE'" in _one_line(err)


def test_unknown_names_exit_2(cli: Run) -> None:
    for args, said in [
        (("execution", "start", "nosuchco"), "no customer matches 'nosuchco'"),
        (("workflows", "show", "nope"), "no workflow 'nope'"),
        (("act", "nosuchco", "snooze", "--days", "3"), "no customer matches 'nosuchco'"),
    ]:
        code, out, err = cli(*args)
        assert (code, out) == (2, ""), (args, err)
        assert said in _one_line(err)


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (Refused("This renewal is snoozed\n until Wed 01 Oct"), 1),
        (GateClosed("This step waits"), 1),
        (BadInput("a reason is required"), 1),
        (Conflict("another session already moved this workflow step on"), 1),
        (ConfigChangeRefused("stages.Critical.urgency: 1e20 is out of range"), 1),
        (NotFound("no customer matches 'x'"), 2),
        (QueueError("unknown stage 'x'"), 2),
        (ConfigValueError("the stored configuration is invalid: …"), 2),  # a settings error
    ],
)
def test_the_one_mapping(error: Exception, code: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert _report(error) == code
    out, err = capsys.readouterr()
    assert out == "" and _one_line(err) == "renubu: " + " ".join(str(error).split())


def test_route_required_is_said_with_the_flag(capsys: pytest.CaptureFixture[str]) -> None:
    error = RouteRequired("Choose where X goes next", "Signature", [("A", "one"), ("B", "two")])
    assert _report(error) == 1
    assert _one_line(capsys.readouterr().err) == (
        "renubu: Signature has routes; choose one with --route: A (one); B (two)"
    )
