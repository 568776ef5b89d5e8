"""How fast the terminal app starts, and how it behaves at 100 000 customers.

    .venv/bin/python bench/tui_start.py [--runs 7] [--size 160x48] [--skip-100k]

Cold start is measured by the shared tool (../shared/bench/tui_start.py, called, not copied):
`renubu` on a pre-seeded SQLite file with --as-of 2025-09-24, alternating with the bare Textual
app (../shared/bench/hello_app.py), to
  (a) the first frame: the header's "acme-cs · 2025-09-24", painted before any data code loads;
  (b) the populated queue: "Today's One Thing", shown once the first page is read.
The queue of the day is built beforehand (as on any start but the first of a day).

At 100 000 synthetic customers (`renubu db seed --synthetic 100000` into a copy) it also shows
the first start of a new day (the user's own rows are scored at once and shown while the
queue materialization is built), warm starts (first rows after the first frame), the time a
cursor key takes to reach the screen (tmux send-keys → the pane changes), and the app's
resident memory.

Prints a table; asserts nothing. Data lives in --workdir (kept and reused between runs).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "bench"
BIN = Path(sys.executable).parent
RENUBU = BIN / "renubu"
TODAY = dt.date(2025, 9, 24)
FIRST_FRAME = f"acme-cs · {TODAY}"
POPULATED = "Today's One Thing"
BUILT = "showing "  # the status line once the day's queue is built (not while it builds)
TARGETS = {"first frame": 1.5, "populated queue": 2.5}


def url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def renubu(*args: str, db: Path, today: dt.date = TODAY) -> None:
    cmd = [str(RENUBU), "--database-url", url(db), "--as-of", today.isoformat(), *args]
    subprocess.run(cmd, check=True, capture_output=True, text=True)


def app_command(db: Path, today: dt.date = TODAY) -> str:
    return f"env RENUBU_DATABASE_URL={url(db)} {RENUBU} --as-of {today.isoformat()}"


def prepare(workdir: Path, customers: int | None) -> Path:
    """A seeded database (demo, plus `customers` synthetic ones), its queue built for TODAY."""
    name = "demo.sqlite3" if customers is None else f"synthetic-{customers}.sqlite3"
    path = workdir / name
    if not path.exists():
        print(f"seeding {path} …", file=sys.stderr)
        scratch = path.with_suffix(".tmp")
        for leftover in workdir.glob(scratch.name + "*"):
            leftover.unlink()
        renubu("db", "upgrade", db=scratch)
        renubu("db", "seed", db=scratch)
        if customers:
            renubu("db", "seed", "--synthetic", str(customers), db=scratch)
        renubu("queue", "--limit", "1", db=scratch)  # builds today's queue
        scratch.rename(path)
    return path


def forget_day(db: Path, day: dt.date) -> None:
    """Drop the queue materialization of `day` so that opening the app builds it again."""
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM queue_items WHERE as_of = ?", (day.isoformat(),))
        conn.execute("DELETE FROM queue_state WHERE as_of = ?", (day.isoformat(),))


def shared_start(command: str, marker: str, runs: int, size: str) -> dict:
    """Run the shared tool, A = `command` vs B = the bare app; return its JSON result."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
        result_path = out.name
    hello = f"{sys.executable} {SHARED / 'hello_app.py'}"
    subprocess.run(
        [
            sys.executable,
            str(SHARED / "tui_start.py"),
            command,
            marker,
            "--vs",
            hello,
            "--vs-marker",
            "hello-floor",
            "-n",
            str(runs),
            "--size",
            size,
            "--json",
            result_path,
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    result = json.loads(Path(result_path).read_text())
    os.unlink(result_path)
    return result


class Tmux:
    """A private tmux server with one app session, for keys, screens and memory."""

    started = 0

    def __init__(self, command: str, size: str) -> None:
        # A socket of its own each time: a server still shutting down from the previous run
        # would refuse the new session on a shared one.
        Tmux.started += 1
        self.socket = f"renubu-bench-{os.getpid()}-{Tmux.started}"
        cols, rows = size.split("x")
        self.t0 = time.perf_counter()
        self.pid = int(
            self(
                "new-session",
                "-d",
                "-P",
                "-F",
                "#{pane_pid}",
                "-s",
                "app",
                "-x",
                cols,
                "-y",
                rows,
                command,
            ).strip()
        )

    def __call__(self, *args: str) -> str:
        return subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=False
        ).stdout

    def screen(self, colours: bool = False) -> str:
        return self("capture-pane", "-p", *(["-e"] if colours else []), "-t", "app")

    def wait_for(self, marker: str, timeout: float = 60) -> float:
        while time.perf_counter() - self.t0 < timeout:
            if marker in self.screen():
                return time.perf_counter() - self.t0
            time.sleep(0.01)
        raise SystemExit(f"{marker!r} not seen in {timeout}s; screen:\n{self.screen()}")

    def key_latency(self, key: str, timeout: float = 5) -> float:
        """Seconds from sending `key` until the pane looks different."""
        before = self.screen(colours=True)
        start = time.perf_counter()
        self("send-keys", "-t", "app", key)
        while time.perf_counter() - start < timeout:
            if self.screen(colours=True) != before:
                return time.perf_counter() - start
            time.sleep(0.002)
        return float("nan")

    def rss_mb(self) -> float:
        """Resident memory of the app: the pane's process or its newest Python descendant."""
        pids = [self.pid]
        children = subprocess.run(
            ["pgrep", "-P", str(self.pid)], capture_output=True, text=True
        ).stdout.split()
        pids += [int(p) for p in children]
        best = 0.0
        for pid in pids:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmRSS:"):
                    best = max(best, int(line.split()[1]) / 1024)
        return best

    def close(self) -> None:
        self("kill-server")


def cold_start_table(db: Path, runs: int, size: str) -> list[tuple[str, float, float, float]]:
    rows = []
    for label, marker in (("first frame", FIRST_FRAME), ("populated queue", POPULATED)):
        r = shared_start(app_command(db), marker, runs, size)
        rows.append((label, r["A"]["median"], r["B"]["median"], r["ratio_A_over_B"]["median"]))
    return rows


def print_cold(title: str, rows: list[tuple[str, float, float, float]]) -> None:
    print(f"\n{title}")
    print(f"  {'measure':<17}{'renubu':>10}{'bare app':>10}{'ratio':>8}{'target':>8}")
    for label, a, b, ratio in rows:
        target = TARGETS.get(label)
        verdict = "" if target is None else f"{'≤' if ratio <= target else '>'}{target}×"
        print(f"  {label:<17}{a * 1000:>8.0f}ms{b * 1000:>8.0f}ms{ratio:>7.2f}×{verdict:>8}")


def at_scale(db: Path, size: str, keys: int) -> None:
    print(f"\n100 000 customers ({db.name})")
    # A new day: the materialization is built on open (forgotten first, so reruns build too).
    for n in range(1, 3):
        day = TODAY + dt.timedelta(days=n)
        forget_day(db, day)
        tmux = Tmux(app_command(db, day), size)
        try:
            frame = tmux.wait_for(f"acme-cs · {day}")
            populated = tmux.wait_for(POPULATED, timeout=120)  # the user's rows, scored at once
            built = tmux.wait_for(BUILT, timeout=120)  # the whole queue, materialized
        finally:
            tmux.close()
        print(
            f"  new day {day}: first frame {frame * 1000:.0f} ms · your rows "
            f"{populated * 1000:.0f} ms · today's queue built {built * 1000:.0f} ms"
        )
    warm = []
    for _ in range(5):  # warm starts: the day's queue is built; first rows after the first frame
        tmux = Tmux(app_command(db), size)
        try:
            frame = tmux.wait_for(FIRST_FRAME)
            warm.append((frame, tmux.wait_for(POPULATED, timeout=120)))
        finally:
            tmux.close()
    tmux = Tmux(app_command(db), size)
    try:
        populated = tmux.wait_for(POPULATED, timeout=120)
        tmux("send-keys", "-t", "app", "o")  # everyone's work: the whole 100k queue
        tmux.wait_for("owner: everyone")
        tmux.wait_for("showing 100 of")
        time.sleep(1.0)  # let the first customer's panes load
        rss_start = tmux.rss_mb()
        down = [tmux.key_latency("Down") for _ in range(keys)]
        time.sleep(0.3)
        ends = []
        for _ in range(5):  # jump to the last loaded row: fetches the next page each time
            ends.append(tmux.key_latency("End"))
            time.sleep(0.4)
        status = next((ln for ln in tmux.screen().splitlines() if "showing" in ln), "")
        status = status.strip().split("  ")[0]
        rss_end = tmux.rss_mb()
    finally:
        tmux.close()
    ok = [x for x in down if x == x]
    frame_ms = statistics.median(f for f, _ in warm) * 1000
    rows_ms = statistics.median(p - f for f, p in warm) * 1000
    print(
        f"  warm start (n={len(warm)}, medians): first frame {frame_ms:.0f} ms · first rows "
        f"{rows_ms:.0f} ms after it (target 250)"
    )
    print(
        f"  cursor Down: median {statistics.median(ok) * 1000:.1f} ms "
        f"(p90 {sorted(ok)[int(len(ok) * 0.9) - 1] * 1000:.1f}, n={len(ok)})"
    )
    print(f"  End (next page): median {statistics.median(ends) * 1000:.1f} ms · {status}")
    print(f"  RSS: {rss_start:.0f} MB after start, {rss_end:.0f} MB after paging")


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("-n", "--runs", type=int, default=7, help="runs per measure (default 7)")
    ap.add_argument("--size", default="160x48", help="terminal COLSxROWS (default 160x48)")
    ap.add_argument("--keys", type=int, default=40, help="cursor keys timed at 100k")
    ap.add_argument("--skip-100k", action="store_true", help="only the demo data")
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "renubu-bench")
    a = ap.parse_args()
    if not shutil.which("tmux"):
        sys.exit("tmux is needed")
    a.workdir.mkdir(parents=True, exist_ok=True)

    demo = prepare(a.workdir, None)
    print_cold(
        f"Cold start, demo data ({a.size}, n={a.runs}, medians; ratio = per-pair median)",
        cold_start_table(demo, a.runs, a.size),
    )
    if not a.skip_100k:
        big = prepare(a.workdir, 100_000)
        print_cold(
            f"Cold start, 100 000 customers (n={a.runs})", cold_start_table(big, a.runs, a.size)
        )
        at_scale(big, a.size, a.keys)


if __name__ == "__main__":
    main()
