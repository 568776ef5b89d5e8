"""The `renubu` command. Heavy modules are imported inside commands so each stays quick."""

from __future__ import annotations

import sys

from renubu_tui.cli.root import cli

__all__ = ["cli", "main"]


def main(argv: list[str] | None = None) -> None:
    """Entry point: every failure a person can cause is one line on stderr and a non-zero exit."""
    import click

    from renubu_tui.cli.errors import KNOWN_ERRORS, exit_code, one_line

    try:
        cli.main(args=argv, prog_name="renubu", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("renubu: aborted", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        click.echo(f"renubu: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    except KNOWN_ERRORS as exc:
        click.echo(f"renubu: {one_line(exc)}", err=True)
        sys.exit(exit_code(exc))
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # a bug: still one line, the traceback only on request
        import os
        import traceback

        if os.environ.get("RENUBU_DEBUG"):
            traceback.print_exc()
        click.echo(
            f"renubu: internal error: {one_line(exc)} ({type(exc).__name__}; "
            "set RENUBU_DEBUG=1 for details)",
            err=True,
        )
        sys.exit(70)
