"""Features mixed into the app: each owns its bindings, actions and handlers."""
