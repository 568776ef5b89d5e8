"""config: the score label scale Urgent / High / Normal / Low replaces Critical / High / Medium

The old default scale (≥ 80 Critical, ≥ 60 High, else Medium) put most of a book in "Critical"
(scores run to 300+) and used a stage's name for a score level. Every stored `scoring` section
(the global row and each tenant's) whose scale is still that old default gets the new default
scale; a scale a person changed keeps its thresholds and words, except a word that is a stage's
name, which becomes a word of its own at the same level (a label may no longer be a stage name:
the configuration would not load). Each change is written to the audit log.

Data only: no schema change. The figures are written out here, not imported, so this revision
does the same thing whatever later code says the defaults are.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 03:00:00
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_LABELS = [{"minScore": 80, "label": "Critical"}, {"minScore": 60, "label": "High"}]
OLD_DEFAULT = "Medium"
NEW_LABELS = [
    {"minScore": 200, "label": "Urgent"},
    {"minScore": 120, "label": "High"},
    {"minScore": 60, "label": "Normal"},
]
NEW_DEFAULT = "Low"
DEFAULT_STAGES = [
    "Overdue",
    "Emergency",
    "Critical",
    "Signature",
    "Finalize",
    "Negotiate",
    "Engage",
    "Prepare",
    "Monitor",
]
ACTOR = "renubu db upgrade (revision 0006)"

_JSON = sa.JSON().with_variant(JSONB(), "postgresql")
config_entries = sa.table(
    "config_entries",
    sa.column("id", sa.Uuid()),
    sa.column("tenant_id", sa.Uuid()),
    sa.column("key", sa.String()),
    sa.column("value", _JSON),
    sa.column("updated_by", sa.String()),
)
audit_log = sa.table(
    "audit_log",
    sa.column("id", sa.Uuid()),
    sa.column("tenant_id", sa.Uuid()),
    sa.column("actor_label", sa.String()),
    sa.column("entity_type", sa.String()),
    sa.column("entity_id", sa.String()),
    sa.column("action", sa.String()),
    sa.column("old_value", _JSON),
    sa.column("new_value", _JSON),
    sa.column("note", sa.Text()),
)


def _same_figures(a: Any, b: Any) -> bool:
    """Equal scales, 80 and 80.0 alike (JSON numbers may come back either way)."""
    if not isinstance(a, list) or len(a) != len(b):
        return False
    return all(
        isinstance(x, dict)
        and x.get("label") == y["label"]
        and isinstance(x.get("minScore"), int | float)
        and float(x["minScore"]) == float(y["minScore"])
        for x, y in zip(a, b, strict=True)
    )


def _stage_names(rows: list[Any], tenant_id: Any) -> set[str]:
    """The stage names this row's tenant sees: its own stages row, else the global one."""
    by_scope = {r.tenant_id: r.value for r in rows if r.key == "stages"}
    stages = by_scope.get(tenant_id, by_scope.get(None))
    if not isinstance(stages, list):
        return {name.casefold() for name in DEFAULT_STAGES}
    return {str(s.get("name", "")).casefold() for s in stages if isinstance(s, dict)}


def _own_words(scale: dict[str, Any], stages: set[str]) -> dict[str, Any]:
    """The scale with every stage-named (or repeated) word replaced by a free word of its level."""
    labels = scale.get("labels") if isinstance(scale.get("labels"), list) else []
    levels: list[tuple[Any, str]] = [
        (item, str(item.get("label", ""))) for item in labels if isinstance(item, dict)
    ]
    levels.append((None, str(scale.get("defaultLabel", ""))))
    taken = {word.casefold() for _, word in levels} | stages
    suggestions = [entry["label"] for entry in NEW_LABELS]
    fixed = copy.deepcopy(scale)
    fixed_items = [i for i in fixed.get("labels", []) if isinstance(i, dict)]
    seen: set[str] = set()
    for rank, (_, word) in enumerate(levels):
        key = word.casefold()
        if key not in stages and key not in seen:
            seen.add(key)
            continue
        is_default = rank == len(levels) - 1
        wanted = [NEW_DEFAULT] if is_default else suggestions[rank : rank + 1]
        candidates = [*wanted, f"Level {rank + 1}", f"Score level {rank + 1}"]
        word = next(c for c in candidates if c.casefold() not in taken | seen)
        seen.add(word.casefold())
        taken.add(word.casefold())
        if is_default:
            fixed["defaultLabel"] = word
        else:
            fixed_items[rank]["label"] = word
    return fixed


def upgrade() -> None:
    bind = op.get_bind()
    rows = list(
        bind.execute(
            sa.select(
                config_entries.c.id,
                config_entries.c.tenant_id,
                config_entries.c.key,
                config_entries.c.value,
            ).where(config_entries.c.key.in_(("scoring", "stages")))
        )
    )
    for row in rows:
        if row.key != "scoring" or not isinstance(row.value, dict):
            continue
        scoring = row.value
        old_scale = {"labels": scoring.get("labels"), "defaultLabel": scoring.get("defaultLabel")}
        if _same_figures(old_scale["labels"], OLD_LABELS) and old_scale["defaultLabel"] == (
            OLD_DEFAULT
        ):
            new_scale = {"labels": copy.deepcopy(NEW_LABELS), "defaultLabel": NEW_DEFAULT}
            note = "the old default label scale, replaced by the new default"
        else:
            new_scale = _own_words(old_scale, _stage_names(rows, row.tenant_id))
            note = "a changed label scale, kept; a stage's name given a word of its own"
        if new_scale == old_scale:
            continue
        value = {**scoring, **new_scale}
        bind.execute(
            sa.update(config_entries)
            .where(config_entries.c.id == row.id)
            .values(value=value, updated_by=ACTOR)
        )
        bind.execute(
            sa.insert(audit_log).values(
                id=uuid.uuid4(),
                tenant_id=row.tenant_id,
                actor_label=ACTOR,
                entity_type="config",
                entity_id="scoring.labels",
                action="set",
                old_value=old_scale,
                new_value=new_scale,
                note=note,
            )
        )


def downgrade() -> None:
    """Data only: the scale stays as it is (the old one would no longer load)."""
