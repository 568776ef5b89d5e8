"""Demo time-travel benchmark: `python bench/demo.py [--runs 5]`.

Prints how long the demo database takes to: build from the seed up to D−15 (the first
`renubu demo`), seed a fresh database at D−15 (a first install), move forward one milestone
(the script's events applied through the services), move back one milestone (a kept day copied
in) and rejoin the script on the day shown. Medians and 95th percentiles, in ms, on temporary
SQLite files.
"""

from __future__ import annotations

import sys
from pathlib import Path

# keep bench/queue.py from shadowing the standard library's `queue` (asyncio drivers use it)
_HERE = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if str(Path(p or ".").resolve()) != _HERE]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import datetime as dt  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Awaitable  # noqa: E402


def stats(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


async def timed(work: Awaitable[object]) -> float:
    start = time.perf_counter()
    await work
    return (time.perf_counter() - start) * 1000


async def main(runs: int) -> None:
    from renubu_tui.data.engine import create_database
    from renubu_tui.services.bootstrap import prepare
    from renubu_tui.services.demo.store import DemoStore
    from renubu_tui.settings import Settings

    results: dict[str, list[float]] = {}

    def add(name: str, ms: float) -> None:
        results.setdefault(name, []).append(ms)

    for _ in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            store = DemoStore(Path(folder) / "demo.sqlite3")
            d = store.script.renewal
            day = d - dt.timedelta(days=15)
            add("build the demo database to D−15", await timed(store.open_at(day)))
            db = create_database(store.url)
            try:
                add(
                    "forward D−15 → D−10",
                    await timed(store.move(db, day + dt.timedelta(5))),
                )
                add("back D−10 → D−15", await timed(store.move(db, day)))
                add(
                    "rejoin the script at D−15",
                    await timed(store.move(db, day, rejoin=True)),
                )
            finally:
                await db.dispose()
            url = f"sqlite+aiosqlite:///{Path(folder) / 'fresh.sqlite3'}"
            fresh = create_database(url)
            try:
                settings = Settings(database_url=url, auto_seed=True)
                add(
                    "first install (seed at D−15)",
                    await timed(prepare(fresh, settings, day)),
                )
            finally:
                await fresh.dispose()
    print(f"{'demo time travel (SQLite)':<34} {'median ms':>10} {'p95 ms':>10}")
    for name, samples in results.items():
        median, p95 = stats(samples)
        print(f"{name:<34} {median:>10.0f} {p95:>10.0f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    asyncio.run(main(parser.parse_args().runs))
