"""The demo's own database and its clock: forward applies the script, back restores a day.

`renubu demo` works on a disposable SQLite file. Moving forward seeds the facts known by the
new day and applies the journey's events up to it (services/demo/journey.py); at each milestone
passed on the script a copy of the database is kept beside it (`demo-days/`). Moving back
copies in the latest kept day at or before the target and applies the script from there, so the
database holds exactly what had happened by the day shown. Copies go through SQLite's backup API,
which is safe while the app's own connections are open. Kept days are thrown away when the
shipped seed or the schema changes (a fingerprint says which seed made them).

Once a person acts on the demo database it has left the script: moving forward then writes
nothing (the clock alone moves), and `rejoin` restores the script's state of the current day.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import shutil
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path

from renubu_tui.data.engine import Database, create_database
from renubu_tui.domain.journey import DEMO_ANCHOR
from renubu_tui.domain.journey_script import JourneyEvent
from renubu_tui.services.demo.journey import Progress, Script, advance, load_script, read_state

KEPT = "demo-days"


@dataclass(frozen=True)
class Move:
    """What a move of the demo's clock did to its database."""

    day: dt.date
    applied: Progress | None  # the script's events applied on the way (None: off the script)
    restored_from: dt.date | None = None  # a kept day copied in (moving back)
    rebuilt: bool = False  # built from the seed (nothing kept, or the seed changed)


class DemoStore:
    """The demo database at `path` and its kept days."""

    def __init__(self, path: Path, *, root: Path | None = None) -> None:
        from renubu_tui.resources import seeds_dir

        self.path = path
        self.root = root or seeds_dir()
        self.kept = path.parent / KEPT
        self.script: Script = load_script(self.root, DEMO_ANCHOR)

    @property
    def url(self) -> str:
        return f"sqlite+aiosqlite:///{self.path}"

    # --- kept days ---------------------------------------------------------------------------

    def fingerprint(self) -> str:
        """Which seed (and code) made the kept days: they are useless under another."""
        from renubu_tui import __version__
        from renubu_tui.resources import migrations_dir

        digest = hashlib.sha256(__version__.encode())
        for folder in (self.root, migrations_dir()):
            for file in sorted(folder.rglob("*")):
                if file.is_file() and file.suffix in {".json", ".md", ".py"}:
                    digest.update(file.relative_to(folder).as_posix().encode())
                    digest.update(file.read_bytes())
        return digest.hexdigest()[:16]

    def _kept_file(self, day: dt.date) -> Path:
        return self.kept / f"{day.isoformat()}.sqlite3"

    def kept_days(self) -> list[dt.date]:
        stamp = self.kept / "FINGERPRINT"
        if not stamp.exists() or stamp.read_text().strip() != self.fingerprint():
            return []
        days = []
        for file in self.kept.glob("*.sqlite3"):
            try:
                days.append(dt.date.fromisoformat(file.stem))
            except ValueError:
                continue
        return sorted(days)

    def _reset_kept(self) -> None:
        shutil.rmtree(self.kept, ignore_errors=True)
        self.kept.mkdir(parents=True, exist_ok=True)
        (self.kept / "FINGERPRINT").write_text(self.fingerprint() + "\n")

    async def _keep(self, day: dt.date) -> None:
        if not (self.kept / "FINGERPRINT").exists():
            self._reset_kept()
        await asyncio.to_thread(_copy, self.path, self._kept_file(day))

    def milestone_days(self) -> list[dt.date]:
        renewal = self.script.renewal
        return [renewal + dt.timedelta(days=d) for d, _ in self.script.milestones]

    def discard(self) -> None:
        """Throw the demo database and its kept days away (the next open builds them again)."""
        shutil.rmtree(self.kept, ignore_errors=True)
        for file in _files_of(self.path):
            file.unlink(missing_ok=True)

    # --- moving ------------------------------------------------------------------------------

    async def open_at(self, day: dt.date) -> Move:
        """Make the demo database hold the script's state of `day` (building it if needed)."""
        if not self.path.exists() or not self.kept_days():
            return await self._rebuild(day)
        db = create_database(self.url)
        try:
            return await self.move(db, day)
        finally:
            await db.dispose()

    async def move(self, db: Database, day: dt.date, *, rejoin: bool = False) -> Move:
        """Move the demo database (open in `db`) to `day`: see the module's doc."""
        found = await _tenant(db)
        state, on_script = await read_state(db, found)
        through = state.through
        if on_script and not rejoin and through is not None and day >= through:
            return Move(day, await self._forward(db, day))
        if not on_script and not rejoin and through is not None and day >= through:
            return Move(day, None)  # off the script: only the clock moves
        return await self._back(db, day)

    async def _forward(self, db: Database, day: dt.date) -> Progress:
        """Apply the script up to `day`, keeping each milestone passed."""
        from renubu_tui.services.demo.seeding import seed_facts

        state, _ = await read_state(db, await _tenant(db))
        start = state.through or self.script.begins()
        stops = [m for m in self.milestone_days() if start < m < day] + [day]
        applied: list[JourneyEvent] = []
        progress = None
        for stop in stops:
            await seed_facts(db, today=stop, root=self.root, anchor=DEMO_ANCHOR)
            progress = await advance(db, stop, root=self.root)
            applied.extend(progress.applied)
            if stop in self.milestone_days():
                await self._keep(stop)
        assert progress is not None
        return Progress(applied, progress.on_script, progress.state)

    async def _back(self, db: Database, day: dt.date) -> Move:
        earlier = [d for d in self.kept_days() if d <= day]
        if not earlier:
            await db.dispose()
            move = await self._rebuild(day)
            return move
        source = earlier[-1]
        await db.dispose()  # no pooled connection holds a read across the copy
        await asyncio.to_thread(_copy, self._kept_file(source), self.path)
        progress = await self._forward(db, day) if source < day else None
        return Move(day, progress, restored_from=source)

    async def _rebuild(self, day: dt.date) -> Move:
        """A new demo database from the seed: the journey's first day, then forward to `day`."""
        from renubu_tui.services.bootstrap import prepare
        from renubu_tui.settings import Settings

        self._reset_kept()
        building = self.path.with_name(self.path.name + ".building")
        for leftover in _files_of(building):
            leftover.unlink(missing_ok=True)
        begins = min(self.script.begins(), day)
        db = create_database(f"sqlite+aiosqlite:///{building}")
        try:
            settings = Settings(database_url=f"sqlite+aiosqlite:///{building}", auto_seed=False)
            await prepare(db, settings, begins)
            from renubu_tui.services.demo.seeding import seed_everything

            await seed_everything(db, today=begins, root=self.root, anchor=DEMO_ANCHOR)
            await db.dispose()
            await asyncio.to_thread(_copy, building, self._kept_file(begins))
            self.path.parent.mkdir(parents=True, exist_ok=True)
            await asyncio.to_thread(_copy, building, self.path)
        finally:
            await db.dispose()
            for leftover in _files_of(building):
                leftover.unlink(missing_ok=True)
        if day == begins:
            return Move(day, None, rebuilt=True)
        live = create_database(self.url)
        try:
            progress = await self._forward(live, day)
        finally:
            await live.dispose()
        return Move(day, progress, rebuilt=True)


async def _tenant(db: Database) -> uuid.UUID:
    from renubu_tui.services.demo.journey import script_for

    found = await script_for(db)
    if found is None:
        raise LookupError("the demo tenant is not in this database")
    return found[1]


def _files_of(path: Path) -> list[Path]:
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


def _copy(source: Path, target: Path) -> None:
    """Copy a SQLite database through the backup API (consistent even while it is open)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
