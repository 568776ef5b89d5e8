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
