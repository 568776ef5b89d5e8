"""Where the migrations and seeds that ship with renubu are.

In a wheel they travel inside the package (`_migrations`, `_seeds`); in a source checkout or an
editable install they are the top-level `migrations/` and `seeds/` folders.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _find(packaged: str, top_level: str) -> Path:
    for candidate in (_PACKAGE / packaged, _PACKAGE.parent / top_level):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"renubu is installed without its {top_level}/ folder")


def migrations_dir() -> Path:
    return _find("_migrations", "migrations")


def seeds_dir() -> Path:
    return _find("_seeds", "seeds")
