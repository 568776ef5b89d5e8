"""Workflow storage: scoped reads, versions, and the one place a workflow's config changes.

A change is one transaction: a compare-and-set update of the workflow row (it only succeeds if
the row is still at the version the edit started from), the new immutable `workflow_versions`
row and an audit entry. A concurrent edit therefore fails loudly (StaleWorkflow) instead of
silently overwriting someone else's work.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import json
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from renubu_tui.data.models import (
    AuditEntry,
    ChatBranch,
    LibraryStep,
    Tenant,
    Workflow,
    WorkflowVersion,
)
from renubu_tui.data.seed.files import workflow_version_id
from renubu_tui.domain.composer import expand
from renubu_tui.domain.workflow_config import (
    Problem,
    is_composition,
    validate_composition,
    validate_config,
)
from renubu_tui.domain.workflow_model import WorkflowConfig
from renubu_tui.handlebars.limits import (
    MAX_WORKFLOW_BYTES,
    MAX_WORKFLOW_DEPTH,
    LimitError,
    check_json_value,
)
from renubu_tui.services.refusals import BadInput, Conflict, NotFound, Refused

if TYPE_CHECKING:
    from sqlalchemy.engine import CursorResult
    from sqlalchemy.sql import ColumnElement

LIMIT_HINT = "the largest shipped workflow is 21 KB and nests 10 levels"


class WorkflowNotFound(NotFound):
    """No such workflow (or version) for this tenant."""


class WorkflowInvalid(BadInput):
    """The config has problems; nothing was saved. `.problems` lists every one."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        first = f": {self.problems[0]}" if self.problems else ""
        super().__init__(f"the workflow is invalid ({len(self.problems)} problems){first}")


class CoreWorkflowReadOnly(Refused):
    """Core workflows change only through the seed; a tenant edits its own clone."""


class StaleWorkflow(Conflict):
    """The workflow changed since the edit started; nothing was saved."""

    def __init__(
        self,
        message: str,
        *,
        current_version: int,
        changed_by: str | None,
        changed_at: dt.datetime | None,
    ) -> None:
        super().__init__(message)
        self.current_version = current_version
        self.changed_by = changed_by
        self.changed_at = changed_at


class WorkflowExists(Conflict):
    """The tenant already has its own workflow with that slug."""


@dataclass(frozen=True)
class VersionInfo:
    version_id: uuid.UUID
    number: int
    semver: str
    created_at: dt.datetime
    created_by: str | None
    note: str | None
    is_current: bool


def problems_for(config: Any, library: dict[str, dict[str, Any]]) -> list[Problem]:
    """Every problem of a config or a composition (and of its expansion, when it is one).

    A config over the limits (1 MB, 64 levels: handlebars.limits) has that one problem
    and is not looked into further.
    """
    try:
        check_json_value(
            config, "workflow", max_bytes=MAX_WORKFLOW_BYTES, max_depth=MAX_WORKFLOW_DEPTH
        )
    except LimitError as exc:
        return [Problem("$", str(exc), LIMIT_HINT)]
    if not is_composition(config):
        return validate_config(config)
    problems = validate_composition(config, set(library))
    if problems:
        return problems
    return [
        Problem(p.path, f"in the expanded workflow: {p.message}", p.hint)
        for p in validate_config(expand(config, library))
    ]


def pretty(config: Any) -> str:
    """Key-sorted, indented JSON: the form versions are compared in."""
    return json.dumps(config, indent=2, sort_keys=True, ensure_ascii=False)


def unified_diff(slug: str, a: int, old: Any, new: Any, b: int) -> str:
    """A readable unified diff between two versions' configs ("" when they are equal)."""
    lines = difflib.unified_diff(
        pretty(old).splitlines(),
        pretty(new).splitlines(),
        fromfile=f"{slug} version {a}",
        tofile=f"{slug} version {b}",
        lineterm="",
    )
    return "\n".join(lines)


def row_fields(config: dict[str, Any]) -> dict[str, Any]:
    """The workflow row's columns that mirror its config (the config itself stored as given)."""
    header = WorkflowConfig.parse(config)
    return {
        "config": config,
        "name": header.name,
        "description": header.description,
        "format": "composition" if is_composition(config) else "config",
        "trigger_min_days": header.trigger.days_min,
        "trigger_max_days": header.trigger.days_max,
    }


def visible(tenant_id: uuid.UUID) -> ColumnElement[bool]:
    return or_(Workflow.tenant_id == tenant_id, Workflow.tenant_id.is_(None))


def effective(rows: list[Workflow]) -> dict[str, Workflow]:
    """slug → the row the tenant uses: its own copy over the core one."""
    out: dict[str, Workflow] = {}
    for row in sorted(rows, key=lambda r: not r.is_core):  # core first, tenant rows replace
        out[row.slug] = row
    return out


async def library_steps(session: AsyncSession, tenant_id: uuid.UUID) -> dict[str, dict[str, Any]]:
    """The step library a tenant sees (slug → definition); its own steps win."""
    rows = (
        await session.scalars(
            select(LibraryStep).where(
                or_(LibraryStep.tenant_id == tenant_id, LibraryStep.tenant_id.is_(None))
            )
        )
    ).all()
    out: dict[str, dict[str, Any]] = {}
    for row in sorted(rows, key=lambda r: r.tenant_id is not None):
        out[row.slug] = row.definition
    return dict(sorted(out.items()))


async def list_versions(session: AsyncSession, workflow: Workflow) -> list[VersionInfo]:
    rows = (
        await session.scalars(
            select(WorkflowVersion)
            .where(WorkflowVersion.workflow_id == workflow.id)
            .order_by(WorkflowVersion.version_number)
        )
    ).all()
    return [
        VersionInfo(
            version_id=v.id,
            number=v.version_number,
            semver=v.semver,
            created_at=v.created_at,
            created_by=v.created_by,
            note=v.change_note,
            is_current=v.version_number == workflow.current_version,
        )
        for v in rows
    ]


async def version_row(
    session: AsyncSession, workflow_id: uuid.UUID, number: int
) -> WorkflowVersion | None:
    return await session.scalar(
        select(WorkflowVersion).where(
            WorkflowVersion.workflow_id == workflow_id, WorkflowVersion.version_number == number
        )
    )


async def stale_error(
    session: AsyncSession, workflow_id: uuid.UUID, slug: str, expected: int
) -> StaleWorkflow:
    current = await session.scalar(
        select(Workflow.current_version).where(Workflow.id == workflow_id)
    )
    number = int(current or expected)
    latest = await version_row(session, workflow_id, number)
    who = (latest.created_by if latest else None) or "someone"
    when = latest.created_at if latest else None
    at = when.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC") if when else "an unknown time"
    return StaleWorkflow(
        f"workflow {slug!r} was changed by {who} at {at} (now version {number}); your edit was "
        f"not saved (it started from version {expected}): reload it and apply your change again",
        current_version=number,
        changed_by=who,
        changed_at=when,
    )


def audit(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    actor: str,
    actor_id: uuid.UUID | None,
    slug: str,
    action: str,
    old: Any,
    new: Any,
    note: str | None,
    at: dt.datetime | None,
) -> None:
    """Record who changed which workflow, from which version to which."""
    entry = AuditEntry(
        tenant_id=tenant_id,
        actor_id=actor_id,
        actor_label=actor,
        entity_type="workflow",
        entity_id=slug,
        action=action,
        old_value=old,
        new_value=new,
        note=note,
    )
    if at is not None:
        entry.created_at = at
    session.add(entry)


async def write_version(
    session: AsyncSession,
    workflow: Workflow,
    config: dict[str, Any],
    *,
    expected_version: int,
    actor: str,
    actor_id: uuid.UUID | None,
    note: str | None,
    action: str,
    at: dt.datetime | None = None,
) -> int | None:
    """Make `config` the workflow's next version, inside the caller's transaction.

    Returns the new version number, or None when `config` equals the current one (nothing to
    save). Raises StaleWorkflow when the row is no longer at `expected_version`.
    """
    slug, wid, tenant_id = workflow.slug, workflow.id, workflow.tenant_id
    if tenant_id is None:  # callers write only a tenant's own workflows; core ones are cloned
        raise ValueError(f"workflow {slug!r} is a core workflow and is not written in place")
    if workflow.current_version != expected_version:
        raise await stale_error(session, wid, slug, expected_version)
    if workflow.config == config:
        return None
    number = expected_version + 1
    values = {**row_fields(config), "current_version": number}
    if at is not None:
        values["updated_at"] = at
    result = cast(  # an UPDATE's result is a CursorResult (typed as Result)
        "CursorResult[Any]",
        await session.execute(
            update(Workflow)
            .where(Workflow.id == wid, Workflow.current_version == expected_version)
            .values(**values)
            .execution_options(synchronize_session=False)
        ),
    )
    if result.rowcount != 1:
        raise await stale_error(session, wid, slug, expected_version)
    semver = WorkflowConfig.parse(config).version
    version = WorkflowVersion(
        id=workflow_version_id(wid, number),
        workflow_id=wid,
        version_number=number,
        semver=semver,
        config=config,
        change_note=note,
        created_by=actor,
    )
    if at is not None:
        version.created_at = at
    session.add(version)
    audit(
        session,
        tenant_id=tenant_id,
        actor=actor,
        actor_id=actor_id,
        slug=slug,
        action=action,
        old={"version": expected_version, "semver": WorkflowConfig.parse(workflow.config).version},
        new={"version": number, "semver": semver},
        note=note,
        at=at,
    )
    await session.flush()
    from renubu_tui.services.changes import publish  # every open app shows the new version

    await publish(session, tenant_id, None, "workflow", actor_id=actor_id, actor_name=actor)
    return number


_BRANCH_COLUMNS = (
    "step_id",
    "branch_key",
    "position",
    "label",
    "branch_type",
    "prompts",
    "response",
    "next_step_id",
    "route",
    "saved_action_slug",
    "return_step_id",
)


async def create_workflow(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    config: dict[str, Any],
    workflow_type: str,
    *,
    source: Workflow | None,
    actor: str,
    actor_id: uuid.UUID | None,
    action: str,
    note: str,
    at: dt.datetime | None = None,
) -> Workflow:
    """The tenant's own workflow at version 1, inside the caller's transaction.

    With a `source` (the core workflow it overrides) its chat branches are copied under new ids,
    so the tenant's copy keeps the suggested replies of the original.
    """
    if await session.get(Tenant, tenant_id) is None:
        raise WorkflowNotFound(f"unknown tenant {tenant_id}")
    header = WorkflowConfig.parse(config)
    slug = header.id
    existing = await session.scalar(
        select(Workflow.current_version).where(
            Workflow.tenant_id == tenant_id, Workflow.slug == slug
        )
    )
    if existing is not None:
        raise WorkflowExists(
            f"this tenant already has its own {slug!r} (version {existing}): edit that copy"
        )
    config = copy.deepcopy(config)
    row = Workflow(
        id=uuid.uuid4(),
        tenant_id=tenant_id,
        is_core=False,
        slug=slug,
        workflow_type=workflow_type,
        is_active=source.is_active if source is not None else True,
        current_version=1,
        **row_fields(config),
    )
    session.add(row)
    await session.flush()
    version = WorkflowVersion(
        id=workflow_version_id(row.id, 1),
        workflow_id=row.id,
        version_number=1,
        semver=header.version,
        config=config,
        change_note=note,
        created_by=actor,
    )
    if at is not None:
        version.created_at = at
    session.add(version)
    if source is not None:
        branches = (
            await session.scalars(
                select(ChatBranch)
                .where(ChatBranch.workflow_id == source.id)
                .order_by(ChatBranch.step_id, ChatBranch.position)
            )
        ).all()
        for b in branches:
            values = {c: copy.deepcopy(getattr(b, c)) for c in _BRANCH_COLUMNS}
            session.add(ChatBranch(id=uuid.uuid4(), workflow_id=row.id, **values))
    audit(
        session,
        tenant_id=tenant_id,
        actor=actor,
        actor_id=actor_id,
        slug=slug,
        action=action,
        old={"coreVersion": source.current_version} if source is not None else None,
        new={"version": 1, "semver": version.semver},
        note=note,
        at=at,
    )
    await session.flush()
    return row
