"""Deterministic primary keys for seeded rows.

A seeded row's UUID is derived from its natural key, so seeding again finds the same rows and an
upsert by primary key is all idempotence needs (and references need no lookups).
"""

from __future__ import annotations

import uuid

NAMESPACE = uuid.UUID("6f1c1f1e-5b0b-4c55-9d8e-2b7a6a0f0b11")


def key_id(kind: str, *parts: object) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, "/".join([kind, *(str(p) for p in parts)]))
