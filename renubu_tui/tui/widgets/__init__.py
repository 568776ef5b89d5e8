"""Widgets of the main screen. The panes' look is in `tui/styles/main.tcss`; the widgets made to
be reused (QueueTable, MessageBox, Trend, Bell, Banner) keep theirs in DEFAULT_CSS."""
