"""Every key, read from the bindings themselves (so remaps and new panes show up for free)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingsMap, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import Static

from renubu_tui.tui.scope import EVERYWHERE

SECTIONS = {
    "app": "Everywhere",
    "screen": "On this screen",
    "queue": "Queue",
    "why": "Why-here window",
    "filters": "Filter window",
    "help": "This window",
    "move": "Moving around",
}


def renubu_bindings(
    nodes: Iterable[DOMNode],
    screens: Iterable[type[DOMNode]] = (),
    keymap: dict[str, str] | None = None,
    hidden: frozenset[str] = frozenset(),
) -> list[tuple[Binding, list[str]]]:
    """The keys of renubu's widgets on `nodes` and of screens not open now.

    Bindings with an id are renubu's own; those without (cursor keys a renubu widget inherits
    from Textual) are listed once per description under "Moving around". Keys are shown as the
    `keymap` (the config file's [keys]) remaps them, as Textual applies it. Bindings of the
    `hidden` actions (the app's keys that are off on the screen on top: `tui/scope.py`) are left
    out.
    """
    maps = [node._bindings.copy() for node in nodes if _ours(type(node))]
    maps += [BindingsMap(s.BINDINGS) for s in screens]
    for bindings_map in maps if keymap else []:
        bindings_map.apply_keymap(keymap or {})
    found: dict[str, tuple[Binding, list[str]]] = {}
    for bindings_map in maps:
        for key, bindings in bindings_map.key_to_bindings.items():
            for b in bindings:
                if b.system or not b.description or _action(b) in hidden:
                    continue
                ident = b.id or f"move.{b.description.casefold()}"
                keys = found.setdefault(ident, (b, []))[1]
                if key not in keys:
                    keys.append(key)
    return list(found.values())


def _action(b: Binding) -> str:
    return b.action.split("(", 1)[0].removeprefix("app.")


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
    if not b.id:
        return "move"
    if _action(b) in EVERYWHERE:
        return "app"
    prefix = b.id.split(".", 1)[0]
    return prefix if prefix in SECTIONS and prefix != "app" else "screen"


class HelpScreen(ModalScreen[None]):
    """The keys of the app and of the panes under it."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen Horizontal { height: auto; }
    HelpScreen .help-column { width: 1fr; height: auto; padding-right: 1; }
    HelpScreen > VerticalScroll {
        width: 150;
        max-width: 95%;
        height: auto;
        max-height: 90%;
        border: round $accent;
        border-title-color: $accent;
        border-title-style: bold;
        background: $panel;
        padding: 1 2;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close", id="help.close")
    ]

    def __init__(self, nodes: Iterable[DOMNode], *, hidden: frozenset[str] = frozenset()) -> None:
        """`nodes`: the app and the screen on top with its widgets; `hidden`: actions off there."""
        super().__init__()
        self._sources = list(nodes)
        self._hidden = hidden

    def compose(self) -> ComposeResult:
        from renubu_tui.tui.screens.filters import FilterScreen
        from renubu_tui.tui.screens.why_here import WhyHereScreen

        keymap = self.app._keymap  # what Screen._binding_chain applies too (no public getter)
        closed = [] if self._hidden else [WhyHereScreen, FilterScreen]  # opened from the queue
        bindings = renubu_bindings([*self._sources, self], closed, keymap, self._hidden)
        with VerticalScroll() as body:
            body.border_title = "Keys"
            with Horizontal():
                for i, column in enumerate(help_columns(self.app, bindings)):
                    yield Static(column, id=f"help-body-{i}", classes="help-column", markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
