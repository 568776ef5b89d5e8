"""Allows `python -m renubu_tui`."""

from renubu_tui.cli import main

if __name__ == "__main__":
    main()
