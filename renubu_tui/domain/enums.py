"""Typed enums for the vocabularies the scoring rules branch on.

`vocabulary.py` holds the plain tuples the database CHECKs use; these StrEnums mirror them so the
rules are type-checked, while still comparing equal to the stored strings ("invest" == INVEST).
"""

from __future__ import annotations

from enum import StrEnum


class AccountPlan(StrEnum):
    """A customer's account plan (domain.md §3)."""

    INVEST = "invest"
    EXPAND = "expand"
    MANAGE = "manage"
    MONITOR = "monitor"


class Experience(StrEnum):
    """A CSM's experience level; it weights the score (domain.md §5)."""

    JUNIOR = "junior"
    MID = "mid"
    SENIOR = "senior"
    EXPERT = "expert"


class WorkflowType(StrEnum):
    """Kinds of work; definition order is the order determinations are reported in (§4)."""

    RENEWAL = "renewal"
    STRATEGIC = "strategic"
    OPPORTUNITY = "opportunity"
    RISK = "risk"


WORKFLOW_TYPE_ORDER: dict[WorkflowType, int] = {t: i for i, t in enumerate(WorkflowType)}


class ExecutionStatus(StrEnum):
    """Where a workflow execution is in its life (domain.md §10; `execution_state` says which
    moves are allowed). The members are the stored strings, so rows keep their values."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    SNOOZED = "snoozed"
    ESCALATED = "escalated"
    COMPLETED = "completed"
    REJECTED = "rejected"
    LOST = "lost"
    SKIPPED = "skipped"


class StepStatus(StrEnum):
    """Where one step of an execution is (a step row's `status`), as stored."""

    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    SKIPPED = "skipped"
    SNOOZED = "snoozed"
