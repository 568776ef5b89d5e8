"""Everything a command or a screen needs, built once from the settings.

The CLI and the TUI get their services from here, so tests can build the same container over a
test database and a fixed clock.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from renubu_tui.clock import Clock
from renubu_tui.data.engine import Database
from renubu_tui.data.models import Tenant, User
from renubu_tui.services.bootstrap import open_database, prepare
from renubu_tui.services.changes import publish
from renubu_tui.services.config.preferences import PreferencesService
from renubu_tui.services.config.service import ConfigService
from renubu_tui.services.customers.lookup import acting_user
from renubu_tui.services.queue.service import QueueService
from renubu_tui.services.workflows.actions import ActionService
from renubu_tui.services.workflows.executions import ExecutionService
from renubu_tui.services.workflows.notifications import NotificationService
from renubu_tui.services.workflows.tasks import ArtifactService, TaskService
from renubu_tui.settings import Settings

if TYPE_CHECKING:  # built on demand: their imports stay off the start-up
    from sqlalchemy.ext.asyncio import AsyncSession

    from renubu_tui.llm.provider import Provider
    from renubu_tui.services.chat.service import ChatService
    from renubu_tui.services.customers.notes import NoteService
    from renubu_tui.services.forecast.service import ForecastService
    from renubu_tui.services.imports.service import ImportService
    from renubu_tui.services.workflows.step_runner import StepRunner


@dataclass
class Services:
    settings: Settings
    db: Database
    clock: Clock
    tenant: Tenant
    user: User
    config: ConfigService
    queue: QueueService
    executions: ExecutionService
    notifications: NotificationService
    actions: ActionService
    tasks: TaskService
    artifacts: ArtifactService
    preferences: PreferencesService

    async def find_customer(self, ref: str) -> tuple[uuid.UUID, str] | None:
        """The customer a person names (id, domain, slug or a unique name prefix), or None."""
        from renubu_tui.services.customers.lookup import customer_by_ref

        async with self.db.sessions() as session:
            try:
                customer = await customer_by_ref(session, self.tenant, ref)
            except LookupError:
                return None
        return customer.id, customer.name

    async def _publish_as_user(
        self, session: AsyncSession, tenant_id: uuid.UUID, customer_id: uuid.UUID | None, kind: str
    ) -> None:
        """A change event in `session`'s transaction, signed by this user."""
        await publish(
            session, tenant_id, customer_id, kind, actor_id=self.user.id, actor_name=self.user.name
        )

    def forecaster(self) -> ForecastService:
        """The renewal forecast and revenue retention (docs/domain.md §14)."""
        from renubu_tui.services.forecast.service import ForecastService

        return ForecastService(self.db, self.config)

    def importer(self) -> ImportService:
        """`renubu import`: validated, one transaction, today's queue rebuilt after it."""
        from renubu_tui.services.imports.service import ImportService

        return ImportService(
            self.db,
            self.clock,
            self.tenant,
            self.user,
            rebuild_queue=self.queue.refresh,
            forget_queue=self.queue.invalidate,
            publish=self._publish_as_user,
        )

    def notes(self) -> NoteService:
        """A customer's notes as this user: added, edited (own only), audited, published."""
        from renubu_tui.services.customers.notes import NoteService

        return NoteService(
            self.db, self.clock, self.tenant, self.user, publish=self._publish_as_user
        )

    def provider_factory(self, *, pace: float = 0.02) -> Callable[[], Provider]:
        """Builds the configured model provider on demand (its import stays off the start-up)."""

        def make() -> Provider:
            from renubu_tui.llm.factory import make_provider

            return make_provider(self.settings, offline_pace=pace)

        return make

    def chat(self, *, pace: float = 0.02) -> ChatService:
        """The chat service (threads, branches, tools) over the configured provider."""
        from renubu_tui.services.chat.service import ChatService

        return ChatService(
            self.db,
            self.clock,
            self.provider_factory(pace=pace),
            self.executions,
            actions=self.actions,
        )

    def step_runner(self, *, pace: float = 0.0) -> StepRunner:
        """Runs a step with the assistant and hands its checked output to the engine."""
        from renubu_tui.services.workflows.step_runner import StepRunner

        return StepRunner(self.db, self.clock, self.provider_factory(pace=pace), self.executions)


async def build_services(db: Database, settings: Settings, clock: Clock) -> Services:
    clock.install()  # rows written from here on are dated by this clock (a demo day, --as-of)
    async with db.sessions() as session:
        tenant, user = await acting_user(session, settings.tenant, settings.user)
    config = ConfigService(db)
    queue = QueueService(db, config)

    async def published(
        session: AsyncSession,
        tenant_id: uuid.UUID,
        customer_id: uuid.UUID | None,
        /,
        *,
        kind: str,
        actor: User | None = None,
    ) -> None:
        """Every open app shows the change (rules.md, "Live updates"), written in its
        transaction: it commits or rolls back with the change."""
        who = actor or user
        await publish(session, tenant_id, customer_id, kind, actor_id=who.id, actor_name=who.name)

    # a workflow that starts, moves or finishes changes the queue (status, workload)
    executions = ExecutionService(
        db, clock, tenant_slug=tenant.slug, on_change=queue.invalidate, on_publish=published
    )
    return Services(
        settings=settings,
        db=db,
        clock=clock,
        tenant=tenant,
        user=user,
        config=config,
        queue=queue,
        executions=executions,
        notifications=NotificationService(db),
        actions=ActionService(
            db,
            clock,
            workflow_actions=executions,
            on_change=queue.invalidate,
            on_publish=published,
        ),
        tasks=TaskService(db, clock),
        artifacts=ArtifactService(db, clock),
        preferences=PreferencesService(db),
    )


@asynccontextmanager
async def open_services(settings: Settings) -> AsyncIterator[Services]:
    """Open (creating the embedded database on first use) and build the services."""
    clock = settings.clock()
    async with open_database(settings) as db:
        await prepare(db, settings, clock.today())
        yield await build_services(db, settings, clock)
