"""The fault suite's fixtures: the seeded test database as separate clients reach it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from renubu_tui.data.engine import Database
from renubu_tui.services.config.service import ConfigService
from renubu_tui.services.queue.service import QueueService
from tests.conftest import TEST_TODAY
from tests.faults.faultkit import TENANT, Target


@pytest.fixture
async def target(seeded_db: Database, tmp_path: Path) -> AsyncIterator[Target]:
    """The seeded database (today's queue built), reachable by children and fresh engines."""
    await QueueService(seeded_db, ConfigService(seeded_db)).ensure_fresh(TENANT, TEST_TODAY)
    found = await Target.of(seeded_db, tmp_path)
    yield found
    found.close()
