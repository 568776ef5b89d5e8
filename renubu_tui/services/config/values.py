"""The configuration as stored rows merge into it: defaults < global rows < the tenant's rows.

Pure (no SQLAlchemy), so the app's first page can check that a materialized queue was built from
the configuration in force without importing the data layer.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from renubu_tui.domain.config import DEFAULT_FORECAST, ConfigError, DomainConfig
from renubu_tui.services.refusals import BadInput
from renubu_tui.settings import SettingsError

__all__ = [
    "SECTIONS",
    "ConfigChangeRefused",
    "ConfigValueError",
    "LoadedConfig",
    "config_digest",
    "merge_config",
    "merge_raw",
    "refusal",
]

SECTIONS = ("stages", "scoring", "thresholds")


class ConfigValueError(SettingsError):
    """A configuration that would not validate (a change is refused; nothing was written).

    A SettingsError (a ValueError): a stored configuration a read refuses is one line and exit
    2 from any command, like a settings file that cannot be used, not an internal error.
    """


class ConfigChangeRefused(ConfigValueError, BadInput):
    """A change to the configuration (`config set`) that would not validate: the person's to
    correct, so a refusal (exit 1, a warning), not a stored configuration gone bad."""


@dataclass(frozen=True)
class LoadedConfig:
    config: DomainConfig
    raw: dict[str, Any]
    key: str  # digest of the raw configuration: materializations built from it carry it
    sources: dict[str, str]  # section -> "global" | "tenant"


def config_digest(raw: dict[str, Any]) -> str:
    canonical = json.dumps(raw, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def merge_raw(
    rows: Iterable[tuple[uuid.UUID | None, str, Any]], tenant_id: uuid.UUID
) -> tuple[dict[str, Any], dict[str, str]]:
    """(raw configuration, section → source) of the rows over the defaults, not validated."""
    rows = list(rows)
    raw = DomainConfig.default().to_dict()
    sources = dict.fromkeys(SECTIONS, "default")
    for scope in (None, tenant_id):
        for row_tenant, key, value in rows:
            if row_tenant == scope and key in SECTIONS:
                raw[key] = value
                sources[key] = "global" if scope is None else "tenant"
    thresholds = raw.get("thresholds")
    if isinstance(thresholds, dict) and "forecast" not in thresholds:
        # stored before the forecast had settings: its defaults, so they can be set
        raw["thresholds"] = {**thresholds, "forecast": dict(DEFAULT_FORECAST)}
    return raw, sources


def merge_config(
    rows: Iterable[tuple[uuid.UUID | None, str, Any]], tenant_id: uuid.UUID
) -> LoadedConfig:
    """Merge (tenant_id or None, section, value) rows over the defaults; the tenant's rows win.

    A stored value the rules refuse (one written before a range existed, or by hand) is a
    ConfigValueError naming it, never a database error downstream.
    """
    raw, sources = merge_raw(rows, tenant_id)
    try:
        config = DomainConfig.from_dict(raw)
    except ConfigError as exc:
        problem = refusal(exc.path, exc)
        hint = "change it with `renubu config set`"
        raise ConfigValueError(f"the stored configuration is invalid: {problem} ({hint})") from None
    return LoadedConfig(config=config, raw=raw, key=config_digest(raw), sources=sources)


def refusal(key: str, exc: ConfigError) -> str:
    """One line naming `key`, the value and its range when a number is out of range, else the
    problem: "stages.Critical.urgency: 99999999999999999999 is out of range: 0 to 1,000"."""
    if exc.allowed is not None:
        value = json.dumps(exc.value)
        return f"{key}: {value} is out of range: {exc.allowed.text}"
    return f"{key}: {exc.problem}" if key == exc.path else f"{key}: {exc}"
