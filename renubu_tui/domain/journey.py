"""Where the Bluesoft journey (domain.md §13) sits in time: its renewal day D follows the anchor.

The demo portfolio's dates are offsets from the anchor (the today of a database's first seed) and
the journey's are offsets from D. With D = anchor + `renewalDayAfterAnchor` days (15 in the seed),
Bluesoft stands at D−15 — the day its Critical workflow starts — on the day any database is first
seeded, as current as the rest of the book. `renubu demo` anchors its own database on
DEMO_ANCHOR, which puts D on 2025-10-09, the specification's default.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

DEMO_ANCHOR = dt.date(2025, 9, 24)


def renewal_day(anchor: dt.date, journey: Mapping[str, Any]) -> dt.date:
    """D for a database anchored on `anchor`, from the journey's seed file."""
    return anchor + dt.timedelta(days=int(journey["renewalDayAfterAnchor"]))
