"""renubu in a browser (`renubu serve`): textual-serve behind a sign-in; never imported by the
terminal app or the other commands."""
