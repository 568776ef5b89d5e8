"""`renubu template render|check`: an oversized template or context is one line, never a crash.

Before: a context nested 2 000 levels deep was "internal error: maximum recursion depth
exceeded" (exit 70), and a 1 MB template took 46 s and 800 MB to render.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def _run(args: list[str], stdin: bytes, tmp_path: Path) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path)}
    env.pop("RENUBU_CONFIG", None)
    return subprocess.run(
        [sys.executable, "-m", "renubu_tui", "template", *args],
        input=stdin,
        capture_output=True,
        env=env,
        check=False,
        timeout=60,
    )


def _context(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "context.json"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_megabyte_template_is_refused_in_one_line(tmp_path: Path) -> None:
    big = b"Dear {{customer.name}},\n" * (1024 * 1024 // 24 + 1)
    context = _context(tmp_path, '{"customer": {"name": "Bluesoft"}}')
    for args in (["check"], ["render", "--context", str(context)]):
        result = _run(args, big, tmp_path)
        assert (result.returncode, result.stdout) == (1, b"")
        assert result.stderr == b"renubu: template is 1.0 MB; the limit is 64 KB\n"


def test_a_context_nested_2000_levels_is_refused_before_parsing(tmp_path: Path) -> None:
    deep = _context(tmp_path, '{"a": ' + "[" * 2000 + "]" * 2000 + "}")
    result = _run(["render", "--context", str(deep)], b"{{a}}", tmp_path)
    assert (result.returncode, result.stdout) == (2, b"")
    err = result.stderr.decode()
    assert err.count("\n") == 1 and "internal error" not in err
    assert err.endswith(f"{deep}: context nests 2001 levels; the limit is 64\n")


def test_a_context_over_a_megabyte_is_refused(tmp_path: Path) -> None:
    big = _context(tmp_path, json.dumps({"notes": "x" * (2 * 1024 * 1024)}))
    result = _run(["render", "--context", str(big)], b"{{notes}}", tmp_path)
    assert result.returncode == 2
    assert result.stderr.decode().endswith("context is 2.0 MB; the limit is 1.0 MB\n")


def test_an_unclosed_mustache_says_so(tmp_path: Path) -> None:
    result = _run(["check"], b"Hello\n  {{customer.name\n", tmp_path)
    assert result.returncode == 1
    assert result.stderr == (
        b"renubu: unclosed {{ at line 2, column 3: '{{customer.name' has no }} before the end "
        b"of the template\n"
    )
