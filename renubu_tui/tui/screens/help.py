"""Every key, read from the bindings themselves (so remaps and new panes show up for free)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import Static

from renubu_tui.tui.screens.modal import Modal

SECTIONS = {
    "app": "Everywhere",
    "main": "Main screen",
    "focus": "Panes",
    "queue": "Queue",
    "step": "Workflow step",
    "chat": "Chat",
    "actions": "Selected customer",
    "demo": "Demo (time travel)",
    "screen": "This window",
    "move": "Moving around",
}

MOVING = [
    ("↑ ↓ PgUp PgDn", "move in a list or a text"),
    ("Home End", "first / last row"),
    ("Tab, shift+Tab", "next / previous field or pane"),
    ("Enter", "open, choose, send"),
]
"""Textual's own keys, said once: its widgets' many bindings (text editing among them) are not
listed one by one."""


def renubu_bindings(
    nodes: Iterable[DOMNode], keymap: Mapping[str, str] | None = None
) -> list[tuple[Binding, list[str]]]:
    """renubu's keys on `nodes` (each once, under its id), as the `keymap` remaps them.

    Only bindings with an id count (renubu's own: bindings a widget inherits from Textual have
    none), and only those the node would run now (`check_action`: the demo's keys outside the
    demo are not listed).
    """
    found: dict[str, tuple[Binding, list[str]]] = {}
    for node in nodes:
        if not _ours(type(node)):
            continue
        bindings_map = node._bindings.copy()
        if keymap:
            bindings_map.apply_keymap(keymap)
        for key, bindings in bindings_map.key_to_bindings.items():
            for b in bindings:
                if b.system or not b.description or not b.id:
                    continue
                action, params = _action(b), _params(b)
                if node.check_action(action, params) is False:
                    continue
                keys = found.setdefault(b.id, (b, []))[1]
                if key not in keys:
                    keys.append(key)
    return list(found.values())


def _action(b: Binding) -> str:
    return b.action.split("(", 1)[0].removeprefix("app.").removeprefix("screen.")


def _params(b: Binding) -> tuple[object, ...]:
    if "(" not in b.action:
        return ()
    inside = b.action.split("(", 1)[1].rstrip(")")
    return tuple(p.strip().strip("'\"") for p in inside.split(",") if p.strip())


def _ours(cls: type) -> bool:
    return cls.__module__.startswith("renubu_tui.")


def _blocks(app: App[object], bindings: list[tuple[Binding, list[str]]]) -> list[list[Text]]:
    """One block of lines per section, in section order."""
    blocks: list[list[Text]] = []
    section = None
    order = list(SECTIONS)
    for b, keys in sorted(bindings, key=lambda item: order.index(_section(item[0]))):
        if _section(b) != section:
            section = _section(b)
            blocks.append([Text(SECTIONS[section], style="bold underline")])
        if len(keys) > 2 and all(k.isdigit() for k in keys):
            shown = f"{keys[0]}…{keys[-1]}"  # a numbered family (suggested replies)
        else:
            shown = ", ".join(app.get_key_display(b.with_key(k)) for k in keys)
        blocks[-1].append(Text.assemble((f"  {shown:<18}", "bold"), b.description))
    blocks.append([Text(SECTIONS["move"], style="bold underline")])
    blocks[-1] += [Text.assemble((f"  {keys:<18}", "bold"), what) for keys, what in MOVING]
    return blocks


def _join(blocks: list[list[Text]]) -> Text:
    return Text("\n").join(
        [line for i, block in enumerate(blocks) for line in ([Text("")] if i else []) + block]
    )


def help_text(app: App[object], bindings: list[tuple[Binding, list[str]]]) -> Text:
    return _join(_blocks(app, bindings))


def help_columns(
    app: App[object], bindings: list[tuple[Binding, list[str]]], columns: int = 3
) -> list[Text]:
    """The sections flowed into columns of equal height, so every key fits on one screen."""
    lines = [
        line
        for i, block in enumerate(_blocks(app, bindings))
        for line in ([Text("")] if i else []) + block
    ]
    per = -(-len(lines) // columns)
    return [Text("\n").join(lines[i : i + per]) for i in range(0, len(lines), per)]


def _section(b: Binding) -> str:
    prefix = (b.id or "").split(".", 1)[0]
    return prefix if prefix in SECTIONS and prefix != "move" else "screen"


class HelpScreen(Modal[None]):
    """The keys of the app and of the screen under it (its own and its panes'), grouped."""

    CSS_PATH = "../styles/help.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close", id="help.close")
    ]

    def __init__(self, under: Screen[object]) -> None:
        super().__init__()
        self._under = under

    def compose(self) -> ComposeResult:
        keymap = self.app._keymap  # what Screen._binding_chain applies too (no public getter)
        nodes = [self.app, self._under, *self._under.walk_children()]
        bindings = renubu_bindings(nodes, keymap)
        with VerticalScroll() as body:
            body.border_title = "Keys"
            with Horizontal():
                for i, column in enumerate(help_columns(self.app, bindings)):
                    yield Static(column, id=f"help-body-{i}", classes="help-column", markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
