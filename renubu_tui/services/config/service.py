"""Stages, weights and thresholds from the database, through a short-lived cache.

Global rows hold the shipped configuration; a tenant's rows override whole sections. Reads go
through a cache with a 5-minute time-to-live (so other CSMs' changes arrive within minutes); a
change made through this service clears the cache at once and is audited with old and new value.
"""

from __future__ import annotations

import copy
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import or_, select

from renubu_tui.data.engine import Database
from renubu_tui.data.models import AuditEntry, ConfigEntry
from renubu_tui.domain.config import ConfigError, DomainConfig
from renubu_tui.services.config.values import (
    SECTIONS,
    ConfigChangeRefused,
    ConfigValueError,
    LoadedConfig,
    config_digest,
    merge_config,
    merge_raw,
    refusal,
)

__all__ = [
    "SECTIONS",
    "ConfigChangeRefused",
    "ConfigService",
    "ConfigValueError",
    "LoadedConfig",
    "config_digest",
    "merge_config",
]

TTL_SECONDS = 300.0


class ConfigService:
    def __init__(
        self,
        db: Database,
        *,
        ttl: float = TTL_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._db = db
        self._ttl = ttl
        self._now = monotonic
        self._cache: dict[uuid.UUID, tuple[float, LoadedConfig]] = {}

    def invalidate(self, tenant_id: uuid.UUID | None = None) -> None:
        if tenant_id is None:
            self._cache.clear()
        else:
            self._cache.pop(tenant_id, None)

    async def load(self, tenant_id: uuid.UUID) -> LoadedConfig:
        hit = self._cache.get(tenant_id)
        if hit is not None and self._now() - hit[0] < self._ttl:
            return hit[1]
        loaded = await self._read(tenant_id)
        self._cache[tenant_id] = (self._now(), loaded)
        return loaded

    async def get(self, tenant_id: uuid.UUID) -> DomainConfig:
        return (await self.load(tenant_id)).config

    async def _rows(self, tenant_id: uuid.UUID) -> list[Any]:
        async with self._db.sessions() as session:
            return list(
                (
                    await session.execute(
                        select(ConfigEntry.tenant_id, ConfigEntry.key, ConfigEntry.value).where(
                            ConfigEntry.key.in_(SECTIONS),
                            or_(
                                ConfigEntry.tenant_id.is_(None),
                                ConfigEntry.tenant_id == tenant_id,
                            ),
                        )
                    )
                ).all()
            )

    async def _read(self, tenant_id: uuid.UUID) -> LoadedConfig:
        return merge_config(await self._rows(tenant_id), tenant_id)

    async def set(
        self, tenant_id: uuid.UUID, path: str, value: Any, *, actor: str, actor_id: uuid.UUID | None
    ) -> tuple[Any, Any]:
        """Set `path` (e.g. `thresholds.riskScoreMin`) for the tenant; returns (old, new).

        The whole configuration is validated with the change, so a value out of its range
        (domain.config.RANGES) is refused naming the key, the value and the range, and nothing
        is written. The stored configuration need not be valid already: a value stored before
        ranges existed can be set right (the result must be valid).
        """
        current, _ = merge_raw(await self._rows(tenant_id), tenant_id)
        parts = [p for p in path.split(".") if p]
        if not parts or parts[0] not in SECTIONS:
            raise ConfigChangeRefused(f"unknown configuration key {path!r}: start with {SECTIONS}")
        updated = copy.deepcopy(current)
        old, where = _assign(updated, parts, value, path)
        try:
            DomainConfig.from_dict(updated)
        except ConfigError as exc:
            if exc.path == where:  # the value given: named as it was typed
                raise ConfigChangeRefused(refusal(path, exc)) from None
            raise ConfigChangeRefused(f"{path}: {refusal(exc.path, exc)}") from None
        section = parts[0]
        async with self._db.write() as session:
            entry = await session.scalar(
                select(ConfigEntry).where(
                    ConfigEntry.tenant_id == tenant_id, ConfigEntry.key == section
                )
            )
            if entry is None:
                session.add(
                    ConfigEntry(
                        tenant_id=tenant_id, key=section, value=updated[section], updated_by=actor
                    )
                )
            else:
                entry.value = updated[section]
                entry.updated_by = actor
            session.add(
                AuditEntry(
                    tenant_id=tenant_id,
                    actor_id=actor_id,
                    actor_label=actor,
                    entity_type="config",
                    entity_id=path,
                    action="set",
                    old_value=old,
                    new_value=value,
                )
            )
            from renubu_tui.services.changes import publish

            await publish(session, tenant_id, None, "config", actor_id=actor_id, actor_name=actor)
        self.invalidate(tenant_id)
        return old, value


def _assign(tree: dict[str, Any], parts: list[str], value: Any, path: str) -> tuple[Any, str]:
    """Put `value` at `parts`; (the old value, the path as the validator names it:
    `stages.Critical.urgency` is `stages[2].urgency`)."""
    node: Any = tree
    where = ""
    for i, part in enumerate(parts[:-1]):
        node, where = _child(node, part, ".".join(parts[: i + 1]), where)
    last = parts[-1]
    if isinstance(node, list):
        index = _index(node, last, path)
        old = node[index]
        node[index] = value
        return old, f"{where}[{index}]"
    if not isinstance(node, dict) or last not in node:
        raise ConfigChangeRefused(f"unknown configuration key {path!r}")
    old = node[last]
    node[last] = value
    return old, f"{where}.{last}" if where else last


def _child(node: Any, part: str, typed: str, where: str) -> tuple[Any, str]:
    if isinstance(node, list):
        index = _index(node, part, typed)
        return node[index], f"{where}[{index}]"
    if isinstance(node, dict) and part in node:
        return node[part], f"{where}.{part}" if where else part
    raise ConfigChangeRefused(f"unknown configuration key {typed!r}")


def _index(node: list[Any], part: str, where: str) -> int:
    if part.isdigit() and int(part) < len(node):
        return int(part)
    for i, item in enumerate(node):  # stages can be named: stages.Critical.urgency
        if isinstance(item, dict) and item.get("name") == part:
            return i
    raise ConfigChangeRefused(f"unknown configuration key {where!r}")


def parse_value(text: str) -> Any:
    """A value typed on the command line: JSON when it parses, else the text itself.

    Refused over 64 KB or nested over 16 levels (a whole section nests 4): Python's json
    module recurses per level, and nothing in the configuration is that big.
    """
    from renubu_tui.handlebars.limits import LimitError, check_json_text

    try:
        check_json_text(text, "value", max_bytes=64 * 1024, max_depth=16)
    except LimitError as exc:
        raise ConfigChangeRefused(str(exc)) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text
