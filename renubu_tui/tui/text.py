"""Turning data into screen text: never markup, never control sequences.

Everything the database (or a person) wrote reaches the screen through `plain`, which strips
terminal control sequences (`safe_text.printable`) and returns a `rich.text.Text`, so brackets
are shown as typed and never parsed as Rich/Textual markup. The layout helpers (`bullets`,
`pairs`) turn every `str` into a `Text` too, because a `str` in a Rich table is markup.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from rich.table import Table
from rich.text import Text

from renubu_tui.safe_text import printable

DASH = "–"


def clean(value: object) -> str:
    """The value as one printable line ('' for None)."""
    return "" if value is None else printable(str(value))


def plain(value: object, style: str = "") -> Text:
    """Untrusted text as a Text that is displayed literally."""
    return Text(clean(value), style=style)


def join(parts: Iterable[Text | str], sep: str = " · ") -> Text:
    """Join pieces (plain strings are our own text, Texts may be untrusted) with a separator."""
    return Text(sep).join(p if isinstance(p, Text) else Text(p) for p in parts)


def money(value: float | None) -> str:
    return DASH if value is None else f"${value:,.0f}"


def number(value: float | None, suffix: str = "") -> str:
    """12 → "12", 87.5 → "87.5", None → "–"."""
    if value is None:
        return DASH
    if float(value).is_integer():
        return f"{int(value)}{suffix}"
    return f"{value:.1f}{suffix}"


def days_text(days: int | None) -> str:
    """Days until renewal for people: "in 15 days", "7 days overdue", "today"."""
    if days is None:
        return "no renewal date"
    if days == 0:
        return "renews today"
    if days < 0:
        return f"{-days} day{'s' if days != -1 else ''} overdue"
    return f"in {days} day{'s' if days != 1 else ''}"


def iso(value: str | dt.date | None) -> str:
    if value is None:
        return DASH
    return value.isoformat() if isinstance(value, dt.date) else clean(value)


def one_line(exc: BaseException | str) -> str:
    """An exception (or a message) as one line a person can read (no traceback)."""
    text = printable(str(exc)).strip() or type(exc).__name__
    return " ".join(text.split())


def _text(value: Text | str) -> Text:
    return value if isinstance(value, Text) else Text(value)


def bullets(items: Iterable[Text | str], bullet: str = "•") -> Table:
    """A list whose wrapped lines stay indented under their bullet."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1)
    for item in items:
        grid.add_row(Text(bullet), _text(item))
    return grid


def pairs(rows: Iterable[tuple[str, Text | str]], key_width: int = 8) -> Table:
    """`key  value` lines; long values wrap under the value column."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=key_width, no_wrap=True, style="dim")
    grid.add_column(ratio=1)
    for key, value in rows:
        grid.add_row(Text(key), _text(value))
    return grid


def short_label(label: str, width: int, tag: str = "") -> str:
    """An answer's label (`kind · model @ host`, maybe a note in brackets) and its tag
    ("stopped", "error") in `width` columns. What goes last: the tag, then the host, then the
    kind; the model name gives way first (a path to its file name, then cut in its middle),
    a note is cut at its end.
    """
    suffix = f" · {tag}" if tag else ""
    room = max(1, width - len(suffix))
    text = clean(label)
    if len(text) <= room:
        return text + suffix
    main, bracket, note = text.partition(" (")
    note = f"{bracket}{note}" if bracket else ""
    kind, dot, rest = main.partition(" · ")
    kind = kind.replace("openai-compatible", "openai-compat")
    model, at, host = rest.partition(" @ ")
    model = model.rsplit("/", 1)[-1].removesuffix(".gguf")
    head, tail = f"{kind}{dot}", f"{at}{host}"

    def elided(spare: int) -> str:
        if len(model) <= spare:
            return model
        left = (spare - 1 + 1) // 2
        return model[:left] + "…" + model[len(model) - (spare - 1 - left) :]

    candidates = [f"{head}{model}{tail}{note}"]
    if note:
        keep = room - len(head + model + tail)
        if keep >= 4:
            candidates.append(f"{head}{model}{tail}{note[: keep - 2]}…)")
    spare = room - len(head + tail)
    if model and spare >= 5:
        candidates.append(f"{head}{elided(spare)}{tail}")
    if host:
        candidates += [f"{kind} @ {host}", host]
    for candidate in candidates:
        if len(candidate) <= room:
            return candidate + suffix
    return (candidates[-1][: room - 1] + "…" if room > 1 else "…") + suffix
