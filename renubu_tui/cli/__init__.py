"""The `renubu` command. Heavy modules are imported inside commands so each stays quick."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import click

__all__ = ["cli", "main"]


def __getattr__(name: str) -> click.Group:
    if name == "cli":  # the click group, loaded only when asked for
        from renubu_tui.cli.root import cli

        return cli
    raise AttributeError(name)


def main(argv: list[str] | None = None) -> None:
    """Entry point: every failure a person can cause is one line on stderr and a non-zero exit."""
    from renubu_tui.cli.fast_path import (
        app_flags,
        in_terminal,
        print_queue,
        settings_from,
        start_app,
    )

    args = sys.argv[1:] if argv is None else list(argv)
    try:
        flags = app_flags(args) if in_terminal() else None
        if flags is not None:
            start_app(settings_from(flags))
            return
        if print_queue(args):  # the day's first page, straight from the materialized queue
            return
        from renubu_tui.cli.root import cli

        cli.main(args=args, prog_name="renubu", standalone_mode=False)
    except SystemExit:
        raise
    except BaseException as exc:  # reported as one line below
        sys.exit(_report(exc))


def _report(exc: BaseException) -> int:
    """Print what went wrong as one line; return the exit code."""
    import click

    from renubu_tui.cli.errors import (
        EXIT_PIPE_CLOSED,
        KNOWN_ERRORS,
        OutputClosed,
        exit_code,
        one_line,
        said,
    )

    if isinstance(exc, OutputClosed | BrokenPipeError):
        _silence_stdout()
        return EXIT_PIPE_CLOSED
    if isinstance(exc, click.exceptions.Exit):
        return exc.exit_code
    from renubu_tui.safe_text import printable

    if isinstance(exc, click.exceptions.Abort):
        click.echo("renubu: aborted", err=True)
        return 1
    # a message may quote what a person typed or the database holds (a customer's name): its
    # escape sequences are data, never sent to the terminal as such
    if isinstance(exc, click.ClickException):
        click.echo(f"renubu: {printable(exc.format_message())}", err=True)
        return exc.exit_code
    if isinstance(exc, KNOWN_ERRORS):
        click.echo(f"renubu: {printable(said(exc))}", err=True)
        return exit_code(exc)
    if isinstance(exc, KeyboardInterrupt):
        return 130
    import os
    import traceback

    if os.environ.get("RENUBU_DEBUG"):
        traceback.print_exception(exc)
    click.echo(
        f"renubu: internal error: {printable(one_line(exc))} ({type(exc).__name__}; "
        "set RENUBU_DEBUG=1 for details)",
        err=True,
    )
    return 70


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so the flush at exit does not fail on the closed pipe
    again (and print "Exception ignored … BrokenPipeError")."""
    import os

    # absent, or replaced (tests capture it): nothing to protect
    stdout = sys.__stdout__
    if stdout is None or sys.stdout is not stdout:
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
