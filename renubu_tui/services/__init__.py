"""Use cases: what the CLI and the TUI call. Services never import the TUI."""
