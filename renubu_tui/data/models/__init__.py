"""Every table of domain.md §12, as SQLAlchemy 2 declarative models."""

from renubu_tui.data.models.activity import (
    ActionExecution,
    ChatBranch,
    ChatMessage,
    ChatThread,
    KnowledgeDocument,
    LlmContext,
    Notification,
    SavedAction,
    SweepState,
    ToolCall,
)
from renubu_tui.data.models.base import Base
from renubu_tui.data.models.customers import (
    ConfigEntry,
    Contract,
    Customer,
    CustomerEngagement,
    CustomerFinancials,
    CustomerIntelligence,
    CustomerStakeholder,
    CustomerUsage,
)
from renubu_tui.data.models.notes import CustomerNote, CustomerNoteRevision
from renubu_tui.data.models.queue import QueueItem, QueueState
from renubu_tui.data.models.tenancy import (
    AuditEntry,
    ChangeEvent,
    CompanySettings,
    Tenant,
    User,
    UserPreferences,
)
from renubu_tui.data.models.workflows import (
    LibraryStep,
    StepExecution,
    TaskArtifact,
    Workflow,
    WorkflowExecution,
    WorkflowTask,
    WorkflowVersion,
)

__all__ = [
    "ActionExecution",
    "AuditEntry",
    "Base",
    "ChangeEvent",
    "ChatBranch",
    "ChatMessage",
    "ChatThread",
    "CompanySettings",
    "ConfigEntry",
    "Contract",
    "Customer",
    "CustomerEngagement",
    "CustomerFinancials",
    "CustomerIntelligence",
    "CustomerNote",
    "CustomerNoteRevision",
    "CustomerStakeholder",
    "CustomerUsage",
    "KnowledgeDocument",
    "LibraryStep",
    "LlmContext",
    "Notification",
    "QueueItem",
    "QueueState",
    "SavedAction",
    "StepExecution",
    "SweepState",
    "TaskArtifact",
    "Tenant",
    "ToolCall",
    "User",
    "UserPreferences",
    "Workflow",
    "WorkflowExecution",
    "WorkflowTask",
    "WorkflowVersion",
]
