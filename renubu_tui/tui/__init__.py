"""The terminal UI (Textual). Imports nothing heavy: `renubu` imports `tui.app` only to run it."""
