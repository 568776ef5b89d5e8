"""The llm package stands alone: no UI, no database, no template engine, and the default
offline path does not even load httpx."""

from __future__ import annotations

import subprocess
import sys

FORBIDDEN = ("textual", "sqlalchemy", "pybars")

SCRIPT = """
import sys
import renubu_tui.llm
offline_only = "httpx" in sys.modules
import renubu_tui.llm.anthropic, renubu_tui.llm.fallback, renubu_tui.llm.ollama
import renubu_tui.llm.openai_compat, renubu_tui.llm.tools
print(offline_only)
print(",".join(sorted({m.split(".")[0] for m in sys.modules})))
"""


def test_llm_imports_nothing_from_ui_or_database() -> None:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    loaded = set(out[1].split(","))
    assert not loaded & set(FORBIDDEN), loaded & set(FORBIDDEN)
    assert out[0] == "False", "importing renubu_tui.llm should not load httpx"
