"""Messages the panes post for the app to route (the app owns no data, only the wiring)."""

from __future__ import annotations

import uuid

from textual.message import Message


class CustomerChosen(Message):
    """A customer became the current one (queue cursor, Enter, or the command palette).

    `open` is True when the person asked to work on it (Enter), not just moved the cursor.
    """

    def __init__(
        self, customer_id: uuid.UUID, name: str, workflow_type: str | None, *, open: bool = False
    ) -> None:
        super().__init__()
        self.customer_id = customer_id
        self.name = name
        self.workflow_type = workflow_type
        self.open = open
