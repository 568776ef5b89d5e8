"""Small field forms: schedule a meeting, draft an e-mail, create a task, one-line prompts.

A form is a list of `Field`s; it returns the entered values (dates checked, required fields
present) as a dict, or None when cancelled.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static, TextArea

from renubu_tui.tui.screens.dialog import Dialog, parse_day


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: str = "text"  # text | date | choice | area | list (comma separated)
    required: bool = False
    choices: tuple[str, ...] = ()
    default: str = ""


class FormScreen(Dialog[dict[str, Any] | None]):
    DEFAULT_CSS = """
    FormScreen TextArea { height: 8; }
    """

    def __init__(self, title: str, fields: list[Field], ok: str = "OK") -> None:
        super().__init__()
        self.form_title = title
        self.fields = fields
        self.ok = ok

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):
            yield Static(self.form_title, classes="dialog-title", markup=False)
            for field in self.fields:
                yield Label(field.label + (" *" if field.required else ""), markup=False)
                wid = f"field-{field.key}"
                if field.kind == "choice":
                    with RadioSet(id=wid):
                        for choice in field.choices:
                            yield RadioButton(choice, value=choice == field.default)
                elif field.kind == "area":
                    yield TextArea(field.default, id=wid)
                else:
                    hint = "YYYY-MM-DD" if field.kind == "date" else ""
                    yield Input(field.default, placeholder=hint, id=wid)
            yield Static("", classes="dialog-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button(self.ok, id="ok", variant="primary")

    def on_mount(self) -> None:
        """The first field has the focus (Tab then goes through them in order)."""
        if self.fields:
            self.query_one(f"#field-{self.fields[0].key}").focus()

    @on(Button.Pressed, "#ok")
    @on(Input.Submitted)
    def action_submit(self) -> None:
        values: dict[str, Any] = {}
        for field in self.fields:
            wid = f"#field-{field.key}"
            value: Any
            if field.kind == "choice":
                radios = self.query_one(wid, RadioSet)
                index = radios.pressed_index
                value = field.choices[index] if index >= 0 else ""
            elif field.kind == "area":
                value = self.query_one(wid, TextArea).text.strip()
            else:
                value = self.query_one(wid, Input).value.strip()
            if not value:
                if field.required:
                    self.fail(f"{field.label} is required.")
                    return
                continue
            if field.kind == "date":
                day = parse_day(value)
                if day is None:
                    self.fail(f"{field.label}: enter the date as YYYY-MM-DD.")
                    return
                value = day.isoformat()
            elif field.kind == "list":
                value = [part.strip() for part in value.split(",") if part.strip()]
            values[field.key] = value
        self.dismiss(values)


def meeting_form(customer: str, today: dt.date) -> FormScreen:
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    return FormScreen(
        f"Schedule a meeting with {customer}",
        [
            Field("title", "Title", default=f"Renewal call with {customer}"),
            Field("day", "Day", kind="date", required=True, default=tomorrow),
            Field("time", "Time (HH:MM)", default="10:00"),
            Field(
                "duration", "Minutes", kind="choice", choices=("15", "30", "45", "60"), default="30"
            ),
            Field("attendees", "Attendees (e-mails, comma separated)", kind="list"),
            Field("agenda", "Agenda", kind="area"),
        ],
        ok="Schedule",
    )


def email_form(customer: str) -> FormScreen:
    return FormScreen(
        f"Draft an e-mail to {customer}",
        [
            Field("to", "To (comma separated)", kind="list", required=True),
            Field("cc", "Cc", kind="list"),
            Field("subject", "Subject", required=True),
            Field("body", "Body", kind="area"),
        ],
        ok="Save draft",
    )


def task_form(customer: str, today: dt.date) -> FormScreen:
    return FormScreen(
        f"New task for {customer}",
        [
            Field("title", "Title", required=True),
            Field(
                "dueDate",
                "Due",
                kind="date",
                required=True,
                default=(today + dt.timedelta(days=3)).isoformat(),
            ),
            Field(
                "priority",
                "Priority",
                kind="choice",
                choices=("low", "medium", "high", "urgent"),
                default="medium",
            ),
            Field("description", "Description", kind="area"),
        ],
        ok="Create",
    )


def note_form(title: str, *, body: str = "", tag: str | None = None) -> FormScreen:
    """A note: Markdown text and an optional tag (call, e-mail, meeting, risk)."""
    from renubu_tui.domain.vocabulary import NOTE_TAGS

    return FormScreen(
        title,
        [
            Field("body", "Note (Markdown)", kind="area", required=True, default=body),
            Field("tag", "Tag", kind="choice", choices=("none", *NOTE_TAGS), default=tag or "none"),
        ],
        ok="Save",
    )


def prompt(title: str, label: str, *, kind: str = "text", default: str = "") -> FormScreen:
    return FormScreen(title, [Field("value", label, kind=kind, required=True, default=default)])
