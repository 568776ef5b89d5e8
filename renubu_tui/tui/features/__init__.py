"""Features of the main screen: each owns its key list, actions and handlers.

They are plain mixins of `MainScreen` (not DOM classes: a DOM class before `Screen` in the bases
would take Screen's place in Textual's CSS type chain, and `Screen { … }` / `App { … }` rules,
the text colour among them, would stop applying). For the type checker they are screens.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.screen import Screen

    ScreenMixin = Screen[None]
else:
    ScreenMixin = object
