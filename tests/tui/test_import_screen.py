"""The import screen (palette: Import): pick a file, see the check, confirm; the queue reloads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Button, Checkbox, Input, Static

from renubu_tui.tui.screens.file_picker import ExportTree, FilePicker
from renubu_tui.tui.screens.import_screen import ImportScreen
from tests.tui.conftest import AppFactory, screen_text, settle

WIDE = (160, 48)
ACCOUNTS = (
    "Account ID,Account Name,Account Owner,Annual Revenue,Contract End Date\n"
    'T1,Tern Aerospace,maya.patel@acmecloud.com,"$210,000.00",2025-10-01\n'
    "T2,Teal Robotics,Nobody Known,90000,2026-02-01\n"
)


def write_accounts(folder: Path) -> Path:
    path = folder / "accounts.csv"
    path.write_text(ACCOUNTS, encoding="utf-8")
    return path


async def open_and_check(pilot: Pilot[Any], path: Path) -> ImportScreen:
    await settle(pilot)
    pilot.app.screen.action_import()
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ImportScreen)
    field = screen.query_one("#import-path", Input)
    field.value = str(path)
    field.focus()
    await pilot.press("enter")
    await settle(pilot)
    field.cursor_blink = False
    return screen


async def test_check_then_import_with_refused_rows_skipped(
    app_factory: AppFactory, tmp_path: Path
) -> None:
    path = write_accounts(tmp_path)
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_and_check(pilot, path)
        report = str(screen.query_one("#import-report", Static).render())
        assert "would insert 1" in report and "refused 1" in report
        assert "line 3: Account Owner: no user Nobody Known" in report
        run = screen.query_one("#import-run", Button)
        assert run.disabled  # a refused row: nothing can be imported as it stands
        screen.query_one("#import-skip", Checkbox).value = True
        await settle(pilot)
        await pilot.click("#import-check")
        await settle(pilot)
        assert not run.disabled
        await pilot.click("#import-run")
        await settle(pilot)
        assert not isinstance(app.screen, ImportScreen)
        assert "Tern Aerospace" in screen_text(app)  # the queue reloaded: renewal in 7 days


async def test_a_missing_file_is_a_warning(app_factory: AppFactory, tmp_path: Path) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_and_check(pilot, tmp_path / "nope.csv")
        assert isinstance(app.screen, ImportScreen)
        assert screen.query_one("#import-run", Button).disabled
        notes = [(n.title, str(n.message)) for n in app._notifications]
        assert any(m.endswith("nope.csv: no such file") for _, m in notes), notes


def test_import_screen_snapshot(app_factory: AppFactory, snap_compare: Any, tmp_path: Path) -> None:
    path = write_accounts(tmp_path)

    async def run(pilot: Pilot[Any]) -> None:
        screen = await open_and_check(pilot, path)
        # the path differs per run: show it as a person would have typed it
        screen.query_one("#import-path", Input).value = "~/Downloads/accounts.csv"
        await pilot.pause()

    assert snap_compare(app_factory(), terminal_size=WIDE, run_before=run)


async def test_browse_picks_a_file_from_a_folder_and_checks_it(
    app_factory: AppFactory, tmp_path: Path
) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    write_accounts(folder)
    (folder / "notes.pdf").write_bytes(b"%PDF")  # not an export: not offered
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        pilot.app.screen.action_import()
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, ImportScreen)
        screen.query_one("#import-path", Input).value = str(folder)
        await pilot.click("#import-browse")
        await settle(pilot)
        picker = pilot.app.screen
        assert isinstance(picker, FilePicker)
        shown = screen_text(pilot.app)
        assert "accounts.csv" in shown and "notes.pdf" not in shown
        tree = picker.query_one(ExportTree)
        await pilot.press("down", "enter")  # the first entry under the folder: accounts.csv
        await settle(pilot)
        assert pilot.app.screen is screen and tree is not None
        assert screen.query_one("#import-path", Input).value == str(folder / "accounts.csv")
        report = str(screen.query_one("#import-report", Static).render())
        assert "would insert 1" in report  # checked at once
