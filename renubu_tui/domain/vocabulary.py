"""The closed vocabularies of the domain (domain.md §3, §7, §10–§12).

The database enforces these with CHECK constraints and the services validate against them, so a
value is either one of these or refused with a clear message.
"""

from __future__ import annotations

ACCOUNT_PLANS = ("invest", "expand", "manage", "monitor")
WORKFLOW_TYPES = ("renewal", "strategic", "opportunity", "risk")
USER_ROLES = ("csm", "manager", "vp", "ceo")
EXPERIENCE_LEVELS = ("junior", "mid", "senior", "expert")
TRENDS = ("up", "flat", "down")
PAYMENT_STATUSES = ("current", "pending", "late", "failed")
SENTIMENTS = ("positive", "neutral", "negative")
INFLUENCE_LEVELS = ("high", "medium", "low")
STAKEHOLDER_ROLES = ("decision_maker", "champion", "influencer", "user", "executive_sponsor")
CONTRACT_STATUSES = ("active", "renewed", "pending", "cancelled")

WORKFLOW_FORMATS = ("config", "composition")
EXECUTION_STATUSES = (
    "not_started",
    "in_progress",
    "snoozed",
    "escalated",
    "completed",
    "rejected",
    "lost",
    "skipped",
)
OPEN_EXECUTION_STATUSES = ("not_started", "in_progress", "snoozed", "escalated")
STEP_STATUSES = ("pending", "in_progress", "completed", "skipped", "snoozed")
TASK_STATUSES = ("pending", "in_progress", "completed", "skipped", "snoozed", "cancelled")
TASK_PRIORITIES = ("low", "medium", "high", "urgent")
ARTIFACT_STATUSES = ("draft", "approved")

ACTION_TYPES = (
    "snooze",
    "skip",
    "escalate",
    "schedule_meeting",
    "send_email",
    "create_task",
    "workflow_action",
)
ACTION_HANDLERS = (
    "snooze",
    "skip",
    "escalate",
    "schedule_meeting",
    "send_email",
    "create_task",
    "create_war_room",
    "create_slack_channel",
    "manager_acknowledge",
)
SKIP_REASONS = (
    "Not applicable",
    "Already completed",
    "Customer requested skip",
    "Internal decision",
    "Other",
)
ESCALATION_LEVELS = ("manager", "vp_cs", "ceo")

NOTIFICATION_TYPES = (
    "task_requires_decision",
    "task_deadline_approaching",
    "workflow_started",
    "escalation_required",
    "overdue_alert",
    "key_task_pending",
    "recommendation_available",
    "approval_needed",
    "manager_notification",
)

BRANCH_TYPES = ("fixed", "llm", "saved_action", "rag")
THREAD_STATUSES = ("active", "completed", "abandoned")
MESSAGE_ROLES = ("user", "assistant", "system", "tool")
MESSAGE_TYPES = ("text", "chart", "table", "code")
MESSAGE_STATUSES = ("complete", "streaming", "stopped", "error")
TOOL_NAMES = ("rag_search", "database_query", "create_chart")
NOTE_TAGS = ("call", "e-mail", "meeting", "risk")
