"""What an install carries, and which layer may import what."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_carries_migrations_and_seeds(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("renubu-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "renubu_tui/_migrations/env.py" in names
    assert "renubu_tui/_migrations/versions/0001_initial_schema.py" in names
    assert "renubu_tui/_seeds/config.json" in names
    assert "renubu_tui/_seeds/demo/bluesoft.json" in names
    assert "renubu_tui/_seeds/workflows/renewal/critical.json" in names
    assert any(n.endswith("entry_points.txt") for n in names)


def _imported_by(statement: str) -> set[str]:
    code = f"import sys; {statement}; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=ROOT
    ).stdout
    return {name.split(".")[0] for name in out.split()}


def test_layers_do_not_leak_upwards() -> None:
    domain = _imported_by(
        "import renubu_tui.domain.scoring, renubu_tui.domain.determination, "
        "renubu_tui.domain.queue_order"
    )
    assert not domain & {"sqlalchemy", "textual", "httpx", "alembic", "pybars"}
    services = _imported_by(
        "import renubu_tui.services.bootstrap, renubu_tui.services.customers.summary"
    )
    assert "textual" not in services


def test_cli_start_does_not_import_heavy_modules() -> None:
    loaded = _imported_by("import renubu_tui.cli")
    assert not loaded & {"sqlalchemy", "alembic", "textual", "pybars", "httpx"}
