"""The services the app works with, open for as long as the app runs.

Opening imports SQLAlchemy and the database driver, so it only ever happens inside a worker,
after the first frame. Nothing here is imported eagerly by the widgets.
"""

from __future__ import annotations

import datetime as dt
import uuid
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from renubu_tui.domain.config import DomainConfig
    from renubu_tui.services.chat.service import ChatService
    from renubu_tui.services.container import Services
    from renubu_tui.settings import Settings


@dataclass
class Session:
    """Open services plus what every pane needs to know about who and when."""

    services: Services
    config: DomainConfig
    _stack: AsyncExitStack
    _chats: dict[float, ChatService] = field(default_factory=dict, repr=False)

    @property
    def today(self) -> dt.date:
        return self.services.clock.today()

    @property
    def tenant_id(self) -> uuid.UUID:
        return self.services.tenant.id

    @property
    def user_id(self) -> uuid.UUID:
        return self.services.user.id

    @property
    def stage_names(self) -> list[str]:
        return [stage.name for stage in self.config.stages]

    def chat(self, pace: float) -> ChatService:
        """The app's chat service at a streaming pace, built once per pace (it holds no
        connection of its own; the step pane reads with the one the chat streams with)."""
        if pace not in self._chats:
            self._chats[pace] = self.services.chat(pace=pace)
        return self._chats[pace]

    async def close(self) -> None:
        await self._stack.aclose()


async def open_session(settings: Settings) -> Session:
    """Open (creating, migrating and seeding the embedded database on first use) the services."""
    from renubu_tui.services.container import open_services

    stack = AsyncExitStack()
    try:
        services = await stack.enter_async_context(open_services(settings))
        config = await services.config.get(services.tenant.id)
    except BaseException:
        await stack.aclose()
        raise
    return Session(services=services, config=config, _stack=stack)
