"""Theme, sidebar and compact mode are remembered per user and restored on the next start."""

from __future__ import annotations

from typing import Any

from renubu_tui.services.config.preferences import PreferenceError, checked
from renubu_tui.tui.app import RenubuApp
from tests.tui.conftest import AppFactory, settle

WIDE = (160, 48)


async def _stored(app: RenubuApp) -> dict[str, Any]:
    assert app.session is not None
    return await app.session.services.preferences.get(app.session.user_id)


async def test_choices_survive_a_restart(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert app.main.sidebar_open and not app.main.compact
        await pilot.press("b", "C")
        app.theme = "textual-light"
        await settle(pilot)
        assert await _stored(app) == {"sidebar": False, "compact": True, "theme": "textual-light"}

    again = app_factory()
    async with again.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert again.theme == "textual-light"
        assert not again.main.sidebar_open
        assert again.screen.has_class("-compact", "-sidebar-hidden")
        await pilot.press("C")  # and back
        await settle(pilot)
        assert (await _stored(again))["compact"] is False


async def test_other_users_keep_their_own(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("C")
        await settle(pilot)
    other = app_factory(user="jordan.lee@acmecloud.com")
    async with other.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert not other.main.compact


def test_unknown_or_mistyped_preferences_are_refused() -> None:
    assert checked({"compact": True}) == {"compact": True}
    for bad in ({"colour": "red"}, {"compact": "yes"}, {"sidebar": 1}):
        try:
            checked(bad)
        except PreferenceError as exc:
            assert str(exc).startswith(("unknown preference", "preference"))
        else:
            raise AssertionError(f"{bad} was accepted")
