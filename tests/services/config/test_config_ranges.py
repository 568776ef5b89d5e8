"""Every numeric setting has a range (domain.config.RANGES, docs/rules.md "Configuration ranges"),
and no path can store a value outside it (issue 14 §5).

Before: `renubu config set stages.Critical.urgency 99999999999999999999` was accepted, and every
PostgreSQL queue read then failed with "integer out of range" (SQLite saturated the scores).
Now the service refuses it naming the key, the value and the range, nothing is written, and the
queue reads on; every setting at the edge of its range still reads on PostgreSQL; a value stored
before the ranges existed is named when read, and can be set right.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from renubu_tui.data.engine import Database
from renubu_tui.data.models import AuditEntry, ConfigEntry
from renubu_tui.data.seed.ids import key_id
from renubu_tui.domain.config import (
    DEFAULT_CONFIG,
    RANGES,
    ConfigError,
    DomainConfig,
    default_config_dict,
    range_for,
)
from renubu_tui.services.config.service import ConfigService, ConfigValueError, parse_value
from renubu_tui.services.queue.service import QueueFilters, QueueService

TENANT = key_id("tenant", "acme-cs")
TODAY = dt.date(2025, 9, 24)
ROOT = Path(__file__).resolve().parents[3]


def _leaves(value: Any, path: str = "") -> list[tuple[str, Any]]:
    """(path as the validator names it, value) of every number in a configuration."""
    if isinstance(value, dict):
        return [
            leaf
            for key, item in value.items()
            for leaf in _leaves(item, f"{path}.{key}" if path else key)
        ]
    if isinstance(value, list):
        return [leaf for i, item in enumerate(value) for leaf in _leaves(item, f"{path}[{i}]")]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return [(path, value)]
    return []


def _set_at(data: dict[str, Any], path: str, value: Any) -> None:
    parts = path.replace("[", ".").replace("]", "").split(".")
    node: Any = data
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    last = parts[-1]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


# --- the ranges themselves -------------------------------------------------------------------


def test_every_number_of_the_configuration_has_a_range_that_holds_the_shipped_value() -> None:
    shipped = json.loads((ROOT / "seeds" / "config.json").read_text(encoding="utf-8"))
    for config in (dict(DEFAULT_CONFIG), shipped):
        for path, value in _leaves(json.loads(json.dumps(config))):
            allowed = range_for(path)
            assert allowed is not None, f"{path} has no range"
            assert allowed.contains(value), f"{path} = {value} is outside {allowed.text}"
    assert DomainConfig.from_dict(shipped) == DomainConfig.default()
    used = {
        generic
        for path, _ in _leaves(default_config_dict())
        for generic in RANGES
        if range_for(path) is RANGES[generic]
    }
    assert used == set(RANGES)  # no range for a setting that does not exist


def test_the_documented_table_is_the_ranges_in_force() -> None:
    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    section = text.split("## Configuration ranges", 1)[1].split("\n#", 1)[0]
    rows = {
        cells[0].strip("` "): cells[1].strip()
        for line in section.splitlines()
        if line.startswith("| `")
        for cells in [line.strip("|").split("|")]
    }
    assert rows == {key: allowed.text for key, allowed in RANGES.items()}


@pytest.mark.parametrize("path", [path for path, _ in _leaves(default_config_dict())])
def test_each_setting_refuses_a_value_past_either_end(path: str) -> None:
    allowed = range_for(path)
    assert allowed is not None
    for bad in (allowed.high + 1, allowed.low - 1, allowed.low if allowed.above else None):
        if bad is None:
            continue
        data = default_config_dict()
        _set_at(data, path, bad)
        with pytest.raises(ConfigError) as info:
            DomainConfig.from_dict(data)
        assert info.value.allowed is allowed and info.value.value == bad, str(info.value)
        assert info.value.path == path


def test_huge_and_non_finite_numbers_are_refused() -> None:
    for bad in (99999999999999999999, 1e300, float("inf"), float("nan")):
        data = default_config_dict()
        data["stages"][2]["urgency"] = bad
        with pytest.raises(ConfigError, match=r"^stages\[2\]\.urgency: must be"):
            DomainConfig.from_dict(data)


# --- the service: both backends ----------------------------------------------------------------


async def _audit_count(db: Database) -> int:
    async with db.sessions() as s:
        return int(
            await s.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.entity_type == "config")
            )
            or 0
        )


async def test_a_value_out_of_range_is_refused_and_the_queue_still_reads(
    seeded_db: Database,
) -> None:
    config = ConfigService(seeded_db)
    queue = QueueService(seeded_db, config)
    before = (await queue.page(TENANT, TODAY, QueueFilters(), limit=5)).rows
    audits = await _audit_count(seeded_db)
    with pytest.raises(ConfigValueError) as info:
        await config.set(
            TENANT,
            "stages.Critical.urgency",
            parse_value("99999999999999999999"),
            actor="x",
            actor_id=None,
        )
    assert str(info.value) == (
        "stages.Critical.urgency: 99999999999999999999 is out of range: 0 to 1,000"
    )
    assert await _audit_count(seeded_db) == audits  # nothing written
    critical = next(s for s in (await config.get(TENANT)).stages if s.name == "Critical")
    assert critical.urgency == 80
    await queue.invalidate(TENANT)
    after = (await queue.page(TENANT, TODAY, QueueFilters(), limit=5)).rows
    assert [(r.customer_name, r.score) for r in after] == [
        (r.customer_name, r.score) for r in before
    ]


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("scoring.planMultipliers.invest", 0, "0 is out of range: above 0, up to 10"),
        ("scoring.arrMultipliers.0.multiplier", 11, "11 is out of range: above 0, up to 10"),
        ("stages.Emergency.maxDays", 5000, "5000 is out of range: -3,650 to 3,650 days"),
        ("scoring.workloadPenaltyPerWorkflow", 3, "3 is out of range: -1,000 to 0"),
        ("thresholds.warRoom.minArr", 1e12, "1000000000000.0 is out of range: 0 to 1,000,000,000"),
        ("scoring.labels.0.minScore", -2e7, "-20000000.0 is out of range: -10,000,000 to"),
    ],
)
async def test_each_refusal_names_key_value_and_range(
    db: Database, key: str, value: Any, message: str
) -> None:
    with pytest.raises(ConfigValueError) as info:
        await ConfigService(db).set(TENANT, key, value, actor="x", actor_id=None)
    assert str(info.value).startswith(f"{key}: {message}")


async def test_every_setting_at_the_edge_of_its_range_still_reads(seeded_db: Database) -> None:
    """The largest scores the ranges allow fit the queue's integer columns on both backends."""
    config = ConfigService(seeded_db)
    queue = QueueService(seeded_db, config)
    edge = {
        "stages.Emergency.urgency": 1000,
        "stages.Emergency.bonus": 1000,
        "stages.Critical.urgency": 1000,
        "scoring.arrMultipliers.0.multiplier": 10,
        "scoring.planMultipliers.invest": 10,
        "scoring.planMultipliers.expand": 10,
        "scoring.experienceMultipliers.expert": 10,
        "scoring.experienceMultipliers.senior": 10,
        "scoring.opportunityBase.perPoint": 10,
        "scoring.labels.0.minScore": 10_000_000,
    }
    for key, value in edge.items():
        await config.set(TENANT, key, value, actor="x", actor_id=None)
    await queue.invalidate(TENANT)
    rows = (await queue.page(TENANT, TODAY, QueueFilters(), limit=10_000)).rows
    assert rows and max(r.score for r in rows) <= 2_000_000
    assert max(r.score for r in rows) > 100_000  # the edge values were in force
    await config.set(TENANT, "scoring.workloadPenaltyPerWorkflow", -1000, actor="x", actor_id=None)
    await queue.invalidate(TENANT)
    low = (await queue.page(TENANT, TODAY, QueueFilters(), limit=10_000)).rows
    assert min(r.score for r in low) >= -10_000_000


async def test_a_value_stored_before_the_ranges_is_named_and_can_be_set_right(
    seeded_db: Database,
) -> None:
    config = ConfigService(seeded_db)
    stages = default_config_dict()["stages"]
    stages[2]["urgency"] = 99999999999999999999
    async with seeded_db.sessions() as s, s.begin():  # as `config set` stored it before
        s.add(ConfigEntry(tenant_id=TENANT, key="stages", value=stages, updated_by="old version"))
    with pytest.raises(ConfigValueError) as info:
        await config.get(TENANT)
    assert str(info.value) == (
        "the stored configuration is invalid: stages[2].urgency: 99999999999999999999 is out "
        "of range: 0 to 1,000 (change it with `renubu config set`)"
    )
    queue = QueueService(seeded_db, config)
    with pytest.raises(ConfigValueError, match="stages\\[2\\]\\.urgency"):
        await queue.page(TENANT, TODAY, QueueFilters(), limit=5)  # named, not a database error
    old, new = await config.set(TENANT, "stages.Critical.urgency", 80, actor="x", actor_id=None)
    assert (old, new) == (99999999999999999999, 80)
    assert (await queue.page(TENANT, TODAY, QueueFilters(), limit=5)).rows


async def test_a_whole_section_is_checked_item_by_item(db: Database) -> None:
    stages = default_config_dict()["stages"]
    stages[0]["bonus"] = 5000
    with pytest.raises(ConfigValueError) as info:
        await ConfigService(db).set(TENANT, "stages", stages, actor="x", actor_id=None)
    assert str(info.value) == "stages: stages[0].bonus: 5000 is out of range: 0 to 1,000"
    async with db.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(ConfigEntry)) == 0


def test_a_value_nested_too_deep_to_parse_is_refused() -> None:
    assert parse_value("85") == 85 and parse_value("high") == "high"
    with pytest.raises(ConfigValueError, match=r"^value nests 2000 levels; the limit is 16$"):
        parse_value("[" * 2000 + "]" * 2000)


async def test_the_refused_value_never_reaches_the_table(seeded_db: Database) -> None:
    config = ConfigService(seeded_db)
    await config.set(TENANT, "stages.Critical.urgency", 85, actor="x", actor_id=None)
    with pytest.raises(ConfigValueError):
        await config.set(TENANT, "stages.Critical.bonus", 10**30, actor="x", actor_id=None)
    async with seeded_db.sessions() as s:
        stored = await s.scalar(
            select(ConfigEntry.value).where(
                ConfigEntry.tenant_id == TENANT, ConfigEntry.key == "stages"
            )
        )
    assert stored[2]["bonus"] == 10 and stored[2]["urgency"] == 85
