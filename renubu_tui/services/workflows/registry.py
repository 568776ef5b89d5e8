"""The workflow registry: which workflows a tenant sees, their versions, and every change to them.

Core workflows have no tenant; a tenant's workflow with the same slug overrides the core one for
that tenant only. Every query is scoped to "this tenant's rows or core rows", so a tenant never
sees, edits or runs another tenant's workflow: to it, they do not exist. Core workflows change
only through the seed; a tenant edits its own clone. Every change validates first (nothing
invalid is ever stored) and is written by `workflow_versions.write_version` in one transaction.
"""

from __future__ import annotations

import builtins
import copy
import uuid
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from renubu_tui.clock import Clock
from renubu_tui.data.engine import Database
from renubu_tui.data.models import Workflow
from renubu_tui.domain.composer import CompositionError, expand
from renubu_tui.domain.vocabulary import WORKFLOW_TYPES
from renubu_tui.domain.workflow_config import Problem, is_composition, parse_json_text
from renubu_tui.domain.workflow_model import WorkflowConfig
from renubu_tui.handlebars.limits import (
    MAX_WORKFLOW_BYTES,
    MAX_WORKFLOW_DEPTH,
    LimitError,
    check_json_text,
)
from renubu_tui.services.workflows import versions as wv
from renubu_tui.services.workflows.versions import (
    CoreWorkflowReadOnly,
    StaleWorkflow,
    VersionInfo,
    WorkflowExists,
    WorkflowInvalid,
    WorkflowNotFound,
    problems_for,
)

if TYPE_CHECKING:
    import datetime as dt

__all__ = [
    "CoreWorkflowReadOnly",
    "LoadedWorkflow",
    "StaleWorkflow",
    "VersionInfo",
    "WorkflowExists",
    "WorkflowInvalid",
    "WorkflowNotFound",
    "WorkflowRegistry",
    "WorkflowSummary",
    "problems_for",
]


@dataclass(frozen=True)
class WorkflowSummary:
    workflow_id: uuid.UUID
    slug: str
    name: str
    workflow_type: str
    format: str
    is_core: bool
    overrides_core: bool  # a tenant copy hiding the core workflow of the same slug
    is_active: bool
    version_number: int
    semver: str
    trigger_min_days: int | None
    trigger_max_days: int | None


@dataclass(frozen=True)
class LoadedWorkflow:
    workflow_id: uuid.UUID
    slug: str
    tenant_id: uuid.UUID | None
    is_core: bool
    workflow_type: str
    format: str
    version_id: uuid.UUID
    version_number: int
    semver: str
    config: dict[str, Any]  # expanded for a composition (when asked), else the stored config
    raw_config: dict[str, Any]
    name: str = ""

    @cached_property
    def workflow(self) -> WorkflowConfig:
        """`config` read once as typed values (what starting and routing read)."""
        return WorkflowConfig.parse(self.config)


class WorkflowRegistry:
    def __init__(self, db: Database, *, clock: Clock | None = None) -> None:
        self._db = db
        self._clock = clock

    def _now(self) -> dt.datetime | None:
        return self._clock.now() if self._clock is not None else None

    # --- reading ----------------------------------------------------------------------------

    async def _find(self, session: AsyncSession, tenant_id: uuid.UUID, slug: str) -> Workflow:
        rows = (
            await session.scalars(
                select(Workflow).where(Workflow.slug == slug, wv.visible(tenant_id))
            )
        ).all()
        found = wv.effective(list(rows)).get(slug)
        if found is None:
            raise WorkflowNotFound(f"no workflow {slug!r} (see `renubu workflows list`)")
        return found

    async def _own(self, session: AsyncSession, tenant_id: uuid.UUID, slug: str) -> Workflow:
        """The tenant's own row, for a change; a core one is refused with what to do instead."""
        row = await self._find(session, tenant_id, slug)
        if row.is_core:
            raise CoreWorkflowReadOnly(
                f"{slug!r} is a core workflow and cannot be changed in place: clone it for "
                f"your tenant first (`renubu workflows clone {slug}`), then edit the copy"
            )
        return row

    async def library(self, tenant_id: uuid.UUID) -> dict[str, dict[str, Any]]:
        """The step library the tenant sees (slug → definition); its own steps win."""
        async with self._db.sessions() as session:
            return await wv.library_steps(session, tenant_id)

    async def _load(
        self,
        session: AsyncSession,
        tenant_id: uuid.UUID,
        row: Workflow,
        number: int,
        expanded: bool,
    ) -> LoadedWorkflow:
        version = await wv.version_row(session, row.id, number)
        if version is None:
            known = ", ".join(str(v.number) for v in await wv.list_versions(session, row))
            raise WorkflowNotFound(f"{row.slug!r} has no version {number} (versions: {known})")
        raw = version.config
        config = raw
        if expanded and is_composition(raw):
            try:
                config = expand(raw, await wv.library_steps(session, tenant_id))
            except CompositionError as exc:
                raise WorkflowInvalid([Problem("$.composition", str(exc))]) from None
        return LoadedWorkflow(
            workflow_id=row.id,
            slug=row.slug,
            tenant_id=row.tenant_id,
            is_core=row.is_core,
            workflow_type=row.workflow_type,
            format="composition" if is_composition(raw) else "config",
            version_id=version.id,
            version_number=version.version_number,
            semver=version.semver,
            config=config,
            raw_config=raw,
            name=row.name,
        )

    async def list(self, tenant_id: uuid.UUID) -> list[WorkflowSummary]:
        """Core and tenant workflows, the tenant's copy in place of a core one of the same slug.

        Ordered by type, then renewal stages from the most overdue, then slug.
        """
        async with self._db.sessions() as session:
            rows = list(
                (await session.scalars(select(Workflow).where(wv.visible(tenant_id)))).all()
            )
        core_slugs = {r.slug for r in rows if r.is_core}
        summaries = [
            WorkflowSummary(
                workflow_id=r.id,
                slug=r.slug,
                name=r.name,
                workflow_type=r.workflow_type,
                format=r.format,
                is_core=r.is_core,
                overrides_core=not r.is_core and r.slug in core_slugs,
                is_active=r.is_active,
                version_number=r.current_version,
                semver=WorkflowConfig.parse(r.config).version,
                trigger_min_days=r.trigger_min_days,
                trigger_max_days=r.trigger_max_days,
            )
            for r in wv.effective(rows).values()
        ]

        def order(s: WorkflowSummary) -> tuple[Any, ...]:
            unbounded = s.trigger_min_days is None and s.trigger_max_days is None
            low = s.trigger_min_days if s.trigger_min_days is not None else -(10**9)
            return (WORKFLOW_TYPES.index(s.workflow_type), unbounded, low, s.slug)

        return sorted(summaries, key=order)

    async def get(
        self, tenant_id: uuid.UUID, slug: str, *, expanded: bool = True
    ) -> LoadedWorkflow:
        """The workflow the tenant uses under `slug`, at its current version."""
        async with self._db.sessions() as session:
            row = await self._find(session, tenant_id, slug)
            return await self._load(session, tenant_id, row, row.current_version, expanded)

    async def renewal_for_days(self, tenant_id: uuid.UUID, days: int) -> LoadedWorkflow | None:
        """The active renewal workflow whose trigger range contains `days` (tenant's first).

        A workflow without `trigger.daysUntilRenewal` (compositions, manual ones) never matches.
        """
        async with self._db.sessions() as session:
            rows = (await session.scalars(select(Workflow).where(wv.visible(tenant_id)))).all()
            matches = [
                r
                for r in wv.effective(list(rows)).values()
                if r.is_active
                and r.workflow_type == "renewal"
                and (r.trigger_min_days is not None or r.trigger_max_days is not None)
                and (r.trigger_min_days is None or r.trigger_min_days <= days)
                and (r.trigger_max_days is None or days <= r.trigger_max_days)
            ]
            if not matches:
                return None
            best = min(matches, key=lambda r: (r.is_core, r.slug))
            return await self._load(session, tenant_id, best, best.current_version, True)

    async def versions(self, tenant_id: uuid.UUID, slug: str) -> builtins.list[VersionInfo]:
        async with self._db.sessions() as session:
            return await wv.list_versions(session, await self._find(session, tenant_id, slug))

    async def version(
        self, tenant_id: uuid.UUID, slug: str, number: int, *, expanded: bool = True
    ) -> LoadedWorkflow:
        async with self._db.sessions() as session:
            row = await self._find(session, tenant_id, slug)
            return await self._load(session, tenant_id, row, number, expanded)

    async def diff(self, tenant_id: uuid.UUID, slug: str, a: int, b: int) -> str:
        """Unified diff of versions a → b (pretty, key-sorted JSON); "" when they are equal."""
        old = await self.version(tenant_id, slug, a, expanded=False)
        new = await self.version(tenant_id, slug, b, expanded=False)
        return wv.unified_diff(slug, a, old.raw_config, new.raw_config, b)

    async def export(self, tenant_id: uuid.UUID, slug: str) -> str:
        """The stored config as pretty JSON (a composition stays a composition): import's input."""
        import json

        loaded = await self.get(tenant_id, slug, expanded=False)
        return json.dumps(loaded.raw_config, indent=2, ensure_ascii=False) + "\n"

    async def validate_all(
        self, tenant_id: uuid.UUID
    ) -> builtins.list[tuple[str, builtins.list[Problem]]]:
        """(slug, problems) of every workflow the tenant uses, compositions checked expanded."""
        library = await self.library(tenant_id)
        out = []
        for summary in await self.list(tenant_id):
            loaded = await self.get(tenant_id, summary.slug, expanded=False)
            out.append((summary.slug, problems_for(loaded.raw_config, library)))
        return out

    # --- changing ---------------------------------------------------------------------------

    async def _checked(self, tenant_id: uuid.UUID, config: Any, slug: str | None) -> dict[str, Any]:
        problems = problems_for(config, await self.library(tenant_id))
        if slug is not None and isinstance(config, dict) and config.get("id") != slug:
            hint = "to make a new workflow, give it a new id and import it"
            problems.insert(0, Problem("$.id", f"the id must stay {slug!r}", hint))
        if problems:
            raise WorkflowInvalid(problems)
        return config

    async def save(
        self,
        tenant_id: uuid.UUID,
        slug: str,
        config: Any,
        *,
        expected_version: int,
        actor: str,
        note: str | None = None,
        actor_id: uuid.UUID | None = None,
        action: str = "save",
    ) -> LoadedWorkflow:
        """Validate and store `config` as the next version of the tenant's own `slug`.

        Refused (nothing changed) when invalid, when the workflow is core, or when it is no
        longer at `expected_version`. Saving the current config again writes nothing.
        """
        async with self._db.sessions() as session:
            await self._own(session, tenant_id, slug)
        checked = await self._checked(tenant_id, config, slug)
        async with self._db.write() as session:
            row = await self._own(session, tenant_id, slug)
            await wv.write_version(
                session,
                row,
                checked,
                expected_version=expected_version,
                actor=actor,
                actor_id=actor_id,
                note=note,
                action=action,
                at=self._now(),
            )
        return await self.get(tenant_id, slug)

    async def rollback(
        self,
        tenant_id: uuid.UUID,
        slug: str,
        to_number: int,
        actor: str,
        *,
        actor_id: uuid.UUID | None = None,
    ) -> LoadedWorkflow:
        """A new version equal to version `to_number` (history is never rewritten)."""
        async with self._db.sessions() as session:
            row = await self._own(session, tenant_id, slug)
            target = await self._load(session, tenant_id, row, to_number, False)
            current = row.current_version
        return await self.save(
            tenant_id,
            slug,
            copy.deepcopy(target.raw_config),
            expected_version=current,
            actor=actor,
            note=f"rollback to version {to_number}",
            actor_id=actor_id,
            action="rollback",
        )

    async def clone(
        self, tenant_id: uuid.UUID, slug: str, actor: str, *, actor_id: uuid.UUID | None = None
    ) -> LoadedWorkflow:
        """Copy the core `slug` to the tenant (same slug, version 1, its chat branches too)."""
        async with self._db.write() as session:
            core = await self._core(session, slug)
            if core is None:
                raise WorkflowNotFound(f"no core workflow {slug!r} to clone")
            await wv.create_workflow(
                session,
                tenant_id,
                core.config,
                core.workflow_type,
                source=core,
                actor=actor,
                actor_id=actor_id,
                action="clone",
                note=f"cloned from core version {core.current_version}",
                at=self._now(),
            )
        return await self.get(tenant_id, slug)

    async def import_config(
        self,
        tenant_id: uuid.UUID,
        config_or_text: dict[str, Any] | str,
        actor: str,
        workflow_type: str | None = None,
        *,
        actor_id: uuid.UUID | None = None,
        note: str | None = None,
    ) -> LoadedWorkflow:
        """Create the tenant's workflow from a config, or store it as its next version.

        Importing a core workflow's id creates the tenant's override of it (with the core chat
        branches). The type defaults to the existing one, else the core one, else renewal.
        """
        config: Any = config_or_text
        if isinstance(config_or_text, str):
            try:  # before parsing: json recurses per level, and megabytes take time to refuse
                check_json_text(
                    config_or_text,
                    "workflow",
                    max_bytes=MAX_WORKFLOW_BYTES,
                    max_depth=MAX_WORKFLOW_DEPTH,
                )
            except LimitError as exc:
                raise WorkflowInvalid([Problem("$", str(exc), wv.LIMIT_HINT)]) from None
            config, problems = parse_json_text(config_or_text)
            if problems:
                raise WorkflowInvalid(problems)
        if workflow_type is not None and workflow_type not in WORKFLOW_TYPES:
            raise WorkflowInvalid([Problem("$", f"unknown workflow type {workflow_type!r}")])
        checked = await self._checked(tenant_id, config, None)
        slug = str(checked["id"])
        async with self._db.write() as session:
            own = await session.scalar(
                select(Workflow).where(Workflow.tenant_id == tenant_id, Workflow.slug == slug)
            )
            if own is not None:
                if workflow_type not in (None, own.workflow_type):
                    wrong = f"{slug!r} is a {own.workflow_type} workflow, not {workflow_type}"
                    raise WorkflowInvalid([Problem("$", wrong, "leave out --type")])
                await wv.write_version(
                    session,
                    own,
                    checked,
                    expected_version=own.current_version,
                    actor=actor,
                    actor_id=actor_id,
                    note=note or "imported",
                    action="import",
                    at=self._now(),
                )
            else:
                core = await self._core(session, slug)
                kind = workflow_type or (core.workflow_type if core else "renewal")
                await wv.create_workflow(
                    session,
                    tenant_id,
                    checked,
                    kind,
                    source=core,
                    actor=actor,
                    actor_id=actor_id,
                    action="import",
                    note=note or "imported",
                    at=self._now(),
                )
        return await self.get(tenant_id, slug)

    async def _core(self, session: AsyncSession, slug: str) -> Workflow | None:
        return await session.scalar(
            select(Workflow).where(Workflow.tenant_id.is_(None), Workflow.slug == slug)
        )
