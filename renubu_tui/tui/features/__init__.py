"""Features of the main screen: each owns its key list, actions and handlers.

They are plain mixins of `MainScreen` (not DOM classes: a DOM class before `Screen` in the bases
would take Screen's place in Textual's CSS type chain, and `Screen { … }` / `App { … }` rules,
the text colour among them, would stop applying). For the type checker they are screens of
`RenubuApp`, with the members of MainScreen they use declared below.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from abc import abstractmethod
    from typing import Any

    from textual import getters
    from textual.screen import Screen

    from renubu_tui.settings import Settings
    from renubu_tui.tui.app import RenubuApp
    from renubu_tui.tui.session import Session

    class ScreenMixin(Screen[None]):
        """What a feature may use of MainScreen (which defines, or inherits, each of these)."""

        app = getters.app(RenubuApp)
        settings: Settings

        @property
        @abstractmethod
        def session(self) -> Session | None: ...

        @property
        @abstractmethod
        def demo_mode(self) -> bool: ...

        @abstractmethod
        def choose_sidebar(self, open_: bool) -> None: ...

        @abstractmethod
        def refresh_bell(self) -> None: ...

        @abstractmethod
        def remember(self, **changes: Any) -> None: ...

else:
    ScreenMixin = object
