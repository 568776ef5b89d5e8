"""Data layer: engine factory, tables, migrations and seeds. Nothing here touches the UI."""
