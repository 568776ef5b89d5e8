"""A startup timing log: milestones in milliseconds since the process started.

With RENUBU_TUI_TIMING=FILE each milestone is appended to FILE as it happens (a benchmark kills
the app rather than quitting it), so `bench/tui_start.py` and a person can see where a slow
start goes. Without it, marks are only kept in memory (`report()`).
"""

from __future__ import annotations

import os
import time


def _process_age() -> float:
    """Seconds since this process started (Linux /proc; elsewhere since this import)."""
    try:
        with open("/proc/self/stat", encoding="ascii") as stat:
            start_ticks = int(stat.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime", encoding="ascii") as uptime:
            up = float(uptime.read().split()[0])
        return max(0.0, up - start_ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return 0.0


_ORIGIN = time.perf_counter() - _process_age()
_FILE = os.environ.get("RENUBU_TUI_TIMING")
marks: list[tuple[str, float]] = []


def mark(name: str) -> float:
    """Record a milestone; returns its time in ms since the process started."""
    ms = (time.perf_counter() - _ORIGIN) * 1000
    marks.append((name, ms))
    if _FILE:
        with open(_FILE, "a", encoding="utf-8") as out:
            out.write(f"{ms:8.1f} ms  {name} [{os.getpid()}]\n")
    return ms


def report() -> str:
    return "\n".join(f"{ms:8.1f} ms  {name}" for name, ms in marks)
