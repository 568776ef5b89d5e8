"""What the demo's timeline strip says about a day: the person's inbox and the script's state.

The strip's one read, kept out of the UI (it joins the notifications and the journey script):
the unread count as of the day and the newest unread title, and whether the database is still on
the Bluesoft script or the person took the wheel, or the journey has ended.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from renubu_tui.services.demo.journey import read_state, script_for

if TYPE_CHECKING:
    from renubu_tui.services.container import Services


@dataclass(frozen=True)
class DemoDay:
    """The demo as of a day, for the timeline strip and the header."""

    unread: int
    urgent: int
    newest_unread: str | None  # the title of the first unread notification, if any
    scripted: bool  # the database holds the journey script
    on_script: bool  # nothing the person did has taken it off the script
    ended: str | None  # the last milestone's label, once the journey has ended by the day


async def demo_day(services: Services, today: dt.date) -> DemoDay:
    """The person's inbox and the journey script's state as of `today`."""
    tenant, email = services.tenant.id, services.user.email
    notifications = services.notifications
    items = await notifications.inbox(tenant, email, unread_only=True, limit=1, as_of=today)
    unread, urgent = await notifications.unread_counts(tenant, email, as_of=today)
    newest = items[0].title if items else None
    script = await script_for(services.db)
    if script is None:
        return DemoDay(unread, urgent, newest, scripted=False, on_script=True, ended=None)
    _, on_script = await read_state(services.db, script[1])
    ended = script[0].milestones[-1][1] if today >= script[0].ends() else None
    return DemoDay(unread, urgent, newest, scripted=True, on_script=on_script, ended=ended)
