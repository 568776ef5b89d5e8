"""Sign-in tokens: shown once, kept only as a hash, replaced or ended by an admin."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from renubu_tui.web.tokens import Login, TokenFileError, TokenStore


def test_a_token_signs_its_person_in_and_is_never_stored(tmp_path: Path) -> None:
    store = TokenStore(tmp_path / "tokens.json")
    token = store.add("maya@acme.test", "acme-cs")
    assert store.login(token) == Login(email="maya@acme.test", tenant="acme-cs")
    written = store.path.read_text()
    assert token not in written
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600  # readable by its owner only


def test_adding_a_person_again_ends_their_old_link(tmp_path: Path) -> None:
    store = TokenStore(tmp_path / "tokens.json")
    old = store.add("maya@acme.test", None)
    other = store.add("sam@acme.test", None)
    new = store.add("maya@acme.test", None)
    assert store.login(old) is None
    assert store.login(new) == Login("maya@acme.test", None)
    assert store.login(other) == Login("sam@acme.test", None)
    assert store.emails() == ["maya@acme.test", "sam@acme.test"]


def test_removing_a_person_ends_their_link(tmp_path: Path) -> None:
    store = TokenStore(tmp_path / "tokens.json")
    token = store.add("maya@acme.test", None)
    assert store.remove("maya@acme.test") is True
    assert store.login(token) is None
    assert store.remove("maya@acme.test") is False


@pytest.mark.parametrize("token", ["", "x", "not-a-token"])
def test_anything_else_signs_nobody_in(tmp_path: Path, token: str) -> None:
    store = TokenStore(tmp_path / "tokens.json")
    store.add("maya@acme.test", None)
    assert store.login(token) is None


def test_a_damaged_file_is_named_not_guessed_at(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    path.write_text("{not json")
    with pytest.raises(TokenFileError, match=r"tokens\.json is not a renubu token file"):
        TokenStore(path).login("x")
