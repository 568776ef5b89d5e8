"""Typed settings: config file < RENUBU_* environment < command-line flags.

The config file is TOML. Top-level keys name fields directly (`database_url = "…"`) and tables
name their prefix (`[database] url = "…"` is `database_url`). Paths come from platformdirs so the
embedded database lives where the platform keeps user data.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from renubu_tui.clock import Clock, ClockError, parse_date

APP_NAME = "renubu"
ENV_PREFIX = "RENUBU_"
UI_TABLES = frozenset({"keys", "ui"})


class SettingsError(ValueError):
    """Settings that cannot be used; the message is one line for a person."""


def config_dir() -> Path:
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False)


def data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def default_config_file() -> Path:
    override = os.environ.get(f"{ENV_PREFIX}CONFIG")
    return Path(override).expanduser() if override else config_dir() / "config.toml"


def default_database_url() -> str:
    return f"sqlite+aiosqlite:///{data_dir() / 'renubu.sqlite3'}"


@dataclass
class Settings:
    """Everything renubu can be configured with; each field is documented for `renubu locate`."""

    database_url: str = field(
        default_factory=default_database_url,
        metadata={"doc": "SQLAlchemy URL: sqlite+aiosqlite:///path or postgresql+asyncpg://…"},
    )
    tenant: str = field(default="acme-cs", metadata={"doc": "Tenant slug the app works in."})
    user: str | None = field(
        default=None, metadata={"doc": "Your e-mail; defaults to the tenant's first CSM."}
    )
    today: dt.date | None = field(
        default=None, metadata={"doc": "Fixed 'today' (YYYY-MM-DD); the system date if unset."}
    )
    auto_seed: bool = field(
        default=True, metadata={"doc": "Seed the demo data into a new embedded database."}
    )
    llm_provider: str = field(
        default="offline", metadata={"doc": "offline, ollama, openai or anthropic."}
    )
    llm_model: str | None = field(default=None, metadata={"doc": "Model name for the provider."})
    llm_base_url: str | None = field(default=None, metadata={"doc": "Provider base URL."})
    llm_api_key: str | None = field(default=None, metadata={"doc": "Provider API key."})
    llm_timeout: float = field(
        default=60.0,
        metadata={"doc": "Seconds a connection may stay silent before a model call gives up."},
    )
    llm_first_token_timeout: float = field(
        default=120.0,
        metadata={
            "doc": "Seconds an answer may wait for its first token (keep-alives do not count)."
        },
    )
    llm_deadline: float = field(
        default=600.0, metadata={"doc": "Seconds an answer may take in all, then it is stopped."}
    )
    llm_max_tokens: int | None = field(
        default=None,
        metadata={"doc": "Most tokens one answer may have (unset: 2000, or the thread's own)."},
    )
    llm_context_tokens: int | None = field(
        default=None,
        metadata={"doc": "The model's context window in tokens; prompts are cut to fit it."},
    )
    llm_fallback: bool = field(
        default=False,
        metadata={"doc": "Answer with the offline assistant when the model is unreachable."},
    )
    config_file: Path | None = field(
        default=None, metadata={"doc": "The config file these settings were read from."}
    )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def clock(self) -> Clock:
        return Clock(self.today)

    def sqlite_path(self) -> Path | None:
        """The database file of an SQLite URL (None for memory or other backends)."""
        if not self.is_sqlite:
            return None
        _, _, rest = self.database_url.partition(":///")
        if not rest or rest.startswith(":memory:"):
            return None
        return Path(rest.split("?", 1)[0])


_FIELDS = {f.name: f for f in fields(Settings) if f.name != "config_file"}


# The numbers a setting may take: (low, high, unit); low itself is excluded (a timeout of 0
# seconds gives up before it starts). docs/rules.md, "Settings file, templates and workflows".
RANGES: dict[str, tuple[float, float, str]] = {
    "llm_timeout": (0.0, 3600.0, "seconds"),
    "llm_first_token_timeout": (0.0, 3600.0, "seconds"),
    "llm_deadline": (0.0, 86400.0, "seconds"),
    "llm_max_tokens": (0.0, 1_000_000.0, "tokens"),
    "llm_context_tokens": (0.0, 10_000_000.0, "tokens"),
}


def _coerce(name: str, value: Any, source: str = "") -> Any:
    """Turn a file or environment value into the field's type, or say why not (and where the
    value came from: the file, or the RENUBU_* variable)."""
    kind = _FIELDS[name].type
    if value is None:
        return None
    try:
        if "dt.date" in str(kind):
            return value if isinstance(value, dt.date) else parse_date(str(value))
        if kind == "bool":
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in {"1", "true", "yes", "on"}:
                return True
            if text in {"0", "false", "no", "off"}:
                return False
            raise ValueError(f"expected true or false, got {value!r}")
        if kind == "float":
            return _number(name, value)
        if kind.startswith("int"):
            number = _number(name, value)
            if number != int(number):
                raise ValueError(f"expected a whole number, got {value!r}")
            return int(number)
        if not isinstance(value, str):  # `tenant = 5` in the file: a typo, not the text "5"
            raise ValueError(f"expected text, got {_kind(value)}")
        return value
    except (ClockError, ValueError) as exc:
        where = f" (in {source})" if source else ""
        raise SettingsError(f"setting {name}: {exc}{where}") from None


def _number(name: str, value: Any) -> float:
    """A finite number within RANGES, from the file (a TOML number) or the environment (text)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"expected a number, got {_kind(value)}")
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"expected a number, got {value!r}") from None
    low, high, unit = RANGES.get(name, (-math.inf, math.inf, ""))
    if not math.isfinite(number) or not low < number <= high:
        shown = value if isinstance(value, str) else json.dumps(value)
        raise ValueError(f"{shown} is out of range: above {low:g}, up to {high:,g} {unit}".rstrip())
    return number


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}".replace("-", "_")
        if isinstance(value, dict) and name not in _FIELDS:
            flat.update(_flatten(value, f"{name}_"))
        else:
            flat[name] = value
    return flat


def read_config_file(path: Path) -> dict[str, Any]:
    """Values of a TOML config file; a missing file is empty, a broken one is an error."""
    if not path.exists():
        return {}
    import tomllib  # only when there is a file (most starts have none)

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"cannot read config file {path}: {exc}") from None
    if "keys" in data:  # read by the app, checked here: every command refuses a broken table
        from renubu_tui.tui.keymap import KeymapError, check_keys

        try:
            check_keys(data["keys"], str(path))
        except KeymapError as exc:
            raise SettingsError(str(exc)) from None
    # Tables the UI reads itself (key remaps, layout) are not settings; anything else must be.
    values = _flatten({k: v for k, v in data.items() if k not in UI_TABLES})
    unknown = sorted(set(values) - set(_FIELDS))
    if unknown:
        raise SettingsError(f"{path}: unknown setting {unknown[0]!r}")
    return values


def read_environment(environ: dict[str, str] | os._Environ[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in _FIELDS:
        raw = environ.get(ENV_PREFIX + name.upper())
        if raw is not None and raw != "":
            values[name] = raw
    return values


def load_settings(
    overrides: dict[str, Any] | None = None,
    *,
    config_file: Path | None = None,
    environ: dict[str, str] | os._Environ[str] | None = None,
) -> Settings:
    """Merge the three sources, later ones winning, and coerce each value to its type."""
    env = os.environ if environ is None else environ
    path = config_file or default_config_file()
    merged: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for values, source in (
        (read_config_file(path), str(path)),
        (read_environment(env), "environment"),
        ({k: v for k, v in (overrides or {}).items() if v is not None}, ""),
    ):
        merged.update(values)
        for name in values:
            where = f"{ENV_PREFIX}{name.upper()}" if source == "environment" else source
            sources[name] = where
    unknown = sorted(set(merged) - set(_FIELDS))
    if unknown:
        raise SettingsError(f"unknown setting {unknown[0]!r}")
    typed = {name: _coerce(name, value, sources[name]) for name, value in merged.items()}
    return dataclasses.replace(Settings(), **typed, config_file=path)


def describe(settings: Settings) -> list[tuple[str, str, str]]:
    """(name, value, doc) rows, secrets masked, for `renubu locate`."""
    rows = []
    for name, f in _FIELDS.items():
        value = getattr(settings, name)
        shown = "" if value is None else str(value)
        if name == "llm_api_key" and value:
            shown = "****"
        rows.append((name, shown, f.metadata.get("doc", "")))
    return rows
