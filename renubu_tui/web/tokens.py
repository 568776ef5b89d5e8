"""Who may open renubu in a browser: one sign-in token per person, kept only as its hash.

`renubu serve --add-user EMAIL` makes a token, prints the sign-in link once and stores the
token's SHA-256 (a token is 256 random bits, so a fast hash is enough: nothing to guess from it)
in a JSON file readable by its owner only. Adding the same person again replaces their token, so
a leaked link is revoked by issuing a new one; `--remove-user` ends it outright.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path


class TokenFileError(ValueError):
    """The token file cannot be read as renubu wrote it."""


@dataclass(frozen=True)
class Login:
    """Who a valid token (or the proxy's header) says is at the browser."""

    email: str
    tenant: str | None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class TokenStore:
    def __init__(self, path: Path) -> None:
        self.path = path

    def _read(self) -> list[dict[str, str | None]]:
        if not self.path.exists():
            return []
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            entries = data["users"]
            if not isinstance(entries, list):
                raise TypeError
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise TokenFileError(f"{self.path} is not a renubu token file ({exc})") from None
        return entries

    def _write(self, entries: list[dict[str, str | None]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".tmp")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump({"users": entries}, out, indent=2)
        os.replace(partial, self.path)  # never a half-written file, even if interrupted

    def add(self, email: str, tenant: str | None, *, now: dt.datetime | None = None) -> str:
        """A new token for `email` (any earlier one stops working); returned once, never kept."""
        token = secrets.token_urlsafe(32)
        entries = [e for e in self._read() if e.get("email") != email]
        created = (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
        entries.append(
            {"email": email, "tenant": tenant, "sha256": _digest(token), "created": created}
        )
        self._write(entries)
        return token

    def remove(self, email: str) -> bool:
        entries = self._read()
        kept = [e for e in entries if e.get("email") != email]
        if len(kept) == len(entries):
            return False
        self._write(kept)
        return True

    def emails(self) -> list[str]:
        return sorted(str(e.get("email")) for e in self._read())

    def login(self, token: str) -> Login | None:
        """The person this token belongs to, compared in constant time."""
        if not token:
            return None
        digest = _digest(token)
        for entry in self._read():
            if hmac.compare_digest(str(entry.get("sha256", "")), digest):
                return Login(email=str(entry["email"]), tenant=entry.get("tenant"))
        return None
