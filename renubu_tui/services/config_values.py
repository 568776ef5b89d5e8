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

from renubu_tui.domain.config import ConfigError, DomainConfig

SECTIONS = ("stages", "scoring", "thresholds")


class ConfigValueError(ValueError):
    """A configuration that would not validate (a change is refused; nothing was written)."""


@dataclass(frozen=True)
class LoadedConfig:
    config: DomainConfig
    raw: dict[str, Any]
    key: str  # digest of the raw configuration: materializations built from it carry it
    sources: dict[str, str]  # section -> "global" | "tenant"


def config_digest(raw: dict[str, Any]) -> str:
    canonical = json.dumps(raw, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def merge_config(
    rows: Iterable[tuple[uuid.UUID | None, str, Any]], tenant_id: uuid.UUID
) -> LoadedConfig:
    """Merge (tenant_id or None, section, value) rows over the defaults; the tenant's rows win."""
    rows = list(rows)
    raw = DomainConfig.default().to_dict()
    sources = dict.fromkeys(SECTIONS, "default")
    for scope in (None, tenant_id):
        for row_tenant, key, value in rows:
            if row_tenant == scope and key in SECTIONS:
                raw[key] = value
                sources[key] = "global" if scope is None else "tenant"
    try:
        config = DomainConfig.from_dict(raw)
    except ConfigError as exc:
        raise ConfigValueError(f"the stored configuration is invalid: {exc}") from None
    return LoadedConfig(config=config, raw=raw, key=config_digest(raw), sources=sources)
