"""One browser tab's app: `renubu` on textual-serve's web driver, as the signed-in person.

The server puts the person (RENUBU_USER, RENUBU_TENANT) and its own settings in this process's
environment; a setting that cannot be used ends the process with one line on stderr.
"""

from __future__ import annotations

import sys


def main() -> None:
    from renubu_tui.cli.fast_path import settings_from, start_app
    from renubu_tui.settings import SettingsError

    try:
        settings = settings_from({})
    except SettingsError as exc:
        print(f"renubu: {exc}", file=sys.stderr)
        sys.exit(2)
    start_app(settings)


if __name__ == "__main__":
    main()
