"""Theme, sidebar and compact mode: restored at start, remembered in the user's preferences.

A mixin of RenubuApp (a DOMNode only so Textual merges its BINDINGS). The stored choices arrive
with the day's stored first page when there is one (no flash of the default layout), else from
the services once they are open. A change is written in a worker; one made before the services
are open waits for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.binding import Binding, BindingType
from textual.dom import DOMNode

if TYPE_CHECKING:
    from renubu_tui.tui.session import Session


class PreferencesFeature(DOMNode):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("C", "toggle_compact", "Compact mode", show=False, id="app.compact"),
    ]

    _preferences_known = False  # the stored choices were read (and applied)
    _pending_preferences: dict[str, Any] | None = None

    def on_mount(self) -> None:
        app: Any = self
        app.theme_changed_signal.subscribe(self, self._theme_changed)

    def on_renubu_app_peeked(self, message: Any) -> None:
        if message.peek is not None:
            self.apply_preferences(message.peek.preferences)

    def on_renubu_app_opened(self, message: Any) -> None:
        session = message.session
        if not self._preferences_known:
            self._load_preferences(session)
        elif self._pending_preferences:
            self._store_preferences(session, self._pending_preferences)
            self._pending_preferences = None

    @work(group="preferences", exit_on_error=False)
    async def _load_preferences(self, session: Session) -> None:
        self.apply_preferences(await session.services.preferences.get(session.user_id))

    def apply_preferences(self, preferences: dict[str, Any]) -> None:
        """Show the stored choices; values of the wrong kind are ignored, not fatal."""
        app: Any = self
        self._preferences_known = True
        theme = preferences.get("theme")
        if isinstance(theme, str) and theme in app.available_themes and theme != app.theme:
            app.theme = theme
        if isinstance(preferences.get("sidebar"), bool):
            app.choose_sidebar(preferences["sidebar"])
        if isinstance(preferences.get("compact"), bool):
            self._show_compact(preferences["compact"])

    # --- changes ------------------------------------------------------------------------------

    @property
    def compact(self) -> bool:
        app: Any = self
        return bool(app.screen_stack and app.screen_stack[0].has_class("-compact"))

    def action_toggle_compact(self) -> None:
        self._show_compact(not self.compact)
        self.remember(compact=self.compact)
        self._app().notify(f"Compact mode {'on' if self.compact else 'off'}", timeout=2)

    def _show_compact(self, on: bool) -> None:
        self._app().screen_stack[0].set_class(on, "-compact")  # see app.tcss

    def _theme_changed(self, _theme: Any) -> None:
        if self._preferences_known:  # not the default being replaced by the stored one
            self.remember(theme=self._app().theme)

    def remember(self, **changes: Any) -> None:
        """Store these choices for the next start (after the services open, if they are not)."""
        session = self._app().session
        if session is None:
            self._pending_preferences = {**(self._pending_preferences or {}), **changes}
            return
        self._store_preferences(session, changes)

    @work(group="preferences-save", exit_on_error=False)
    async def _store_preferences(self, session: Session, changes: dict[str, Any]) -> None:
        await session.services.preferences.update(session.user_id, **changes)

    def _app(self) -> Any:
        return self
