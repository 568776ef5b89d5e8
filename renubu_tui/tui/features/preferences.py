"""Theme, sidebar and compact mode: restored at start, remembered in the user's preferences.

A plain mixin of MainScreen (the theme is the app's; the sidebar and compact mode are this
screen's). The stored choices arrive
with the day's stored first page when there is one (no flash of the default layout), else from
the services once they are open. A change is written in a worker; one made before the services
are open waits for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work
from textual.binding import Binding, BindingType

from renubu_tui.tui.features import ScreenMixin

if TYPE_CHECKING:
    from textual.theme import Theme

    from renubu_tui.tui.screens.main import MainScreen
    from renubu_tui.tui.session import Session


PREFERENCE_BINDINGS: list[BindingType] = [
    Binding("C", "toggle_compact", "Compact mode", show=False, id="main.compact"),
]


class PreferencesFeature(ScreenMixin):
    _preferences_known = False  # the stored choices were read (and applied)
    _pending_preferences: dict[str, Any] | None = None

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)

    def on_main_screen_peeked(self, message: MainScreen.Peeked) -> None:
        if message.peek is not None:
            self.apply_preferences(message.peek.preferences)

    def on_main_screen_opened(self, message: MainScreen.Opened) -> None:
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
        app = self.app
        self._preferences_known = True
        theme = preferences.get("theme")
        if isinstance(theme, str) and theme in app.available_themes and theme != app.theme:
            app.theme = theme
        if isinstance(preferences.get("sidebar"), bool):
            self.choose_sidebar(preferences["sidebar"])
        if isinstance(preferences.get("compact"), bool):
            self._show_compact(preferences["compact"])

    # --- changes ------------------------------------------------------------------------------

    @property
    def compact(self) -> bool:
        return self.has_class("-compact")

    def action_toggle_compact(self) -> None:
        self._show_compact(not self.compact)
        self.remember(compact=self.compact)
        self.notify(f"Compact mode {'on' if self.compact else 'off'}", timeout=2)

    def _show_compact(self, on: bool) -> None:
        self.set_class(on, "-compact")  # see styles/app.tcss

    def _theme_changed(self, _theme: Theme) -> None:
        if self._preferences_known:  # not the default being replaced by the stored one
            self.remember(theme=self.app.theme)

    def remember(self, **changes: Any) -> None:
        """Store these choices for the next start (after the services open, if they are not)."""
        session = self.session
        if session is None:
            self._pending_preferences = {**(self._pending_preferences or {}), **changes}
            return
        self._store_preferences(session, changes)

    @work(group="preferences-save", exit_on_error=False)
    async def _store_preferences(self, session: Session, changes: dict[str, Any]) -> None:
        await session.services.preferences.update(session.user_id, **changes)
