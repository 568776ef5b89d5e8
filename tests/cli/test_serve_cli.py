"""`renubu serve` as an admin uses it: sign-in links for known people only, one line otherwise."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import Run


def test_a_link_is_printed_once_for_a_known_person(cli: Run, cli_env: dict[str, str]) -> None:
    code, out, err = cli("serve", "--port", "8123", "--add-user", "Maya.Patel@acmecloud.com")
    assert (code, err) == (0, "")
    link = out.strip().splitlines()[-1]
    assert link.startswith("http://localhost:8123/?token=")
    stored = Path(cli_env["XDG_DATA_HOME"]) / "renubu" / "serve_tokens.json"
    assert link.split("token=")[1] not in stored.read_text()  # kept only as its hash
    assert [u["email"] for u in json.loads(stored.read_text())["users"]] == [
        "maya.patel@acmecloud.com"
    ]
    assert cli("serve", "--list-users")[1] == "maya.patel@acmecloud.com\n"


def test_an_unknown_person_gets_no_link(cli: Run) -> None:
    code, out, err = cli("serve", "--add-user", "stranger@example.com")
    assert code == 2
    assert out == ""
    assert err.strip().count("\n") == 0
    assert "unknown user 'stranger@example.com'" in err
    assert cli("serve", "--list-users")[1] == ""


def test_serving_to_nobody_is_refused_before_listening(cli: Run) -> None:
    code, _, err = cli("serve")
    assert code == 2
    assert err.strip() == (
        "renubu: nobody can sign in yet: add someone with `renubu serve --add-user EMAIL`"
    )


def test_removing_a_link_says_what_happened(cli: Run) -> None:
    cli("serve", "--add-user", "maya.patel@acmecloud.com")
    assert cli("serve", "--remove-user", "maya.patel@acmecloud.com")[1].endswith(
        "sign-in link no longer works\n"
    )
    code, _, err = cli("serve", "--remove-user", "maya.patel@acmecloud.com")
    assert code == 2
    assert "has no sign-in link" in err
