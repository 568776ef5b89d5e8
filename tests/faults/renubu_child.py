"""A zygote of `renubu` processes for the fault suite (run by path, never collected).

Started once per test database, it imports what every command needs, then forks one child per
command it is sent (a JSON line on standard input: argv, environment, a barrier, a folder).
Each child is a process of its own with its own connections, running `renubu_tui.cli.main` as
the installed `renubu` does, without paying the imports again (about 1.5 s each, on two
cores the difference between a suite of minutes and one of seconds). A child:

- touches `<go>.<pid>.ready` and waits for the file `<go>` before running the command, so that
  many children start at the same instant, or one is killed a chosen time into it;
- writes its standard output and error to `<folder>/<pid>.out|.err`, its exit code to
  `<folder>/<pid>.code` (none when killed);
- writes as a terminal would receive it: click does not strip escape sequences (it does when
  the output is not a terminal), so a raw ESC that would reach a person shows.

RENUBU_FAULTS_SCHEMA names the PostgreSQL schema of the test database (its search path), which
a person's `renubu` has no option for.
"""

from __future__ import annotations

import json
import os
import select
import sys
import time
from pathlib import Path


def _prepare() -> None:
    import importlib

    import click.utils

    # the imports every command pays, once, before any fork (root first: it registers the rest)
    for name in (
        "renubu_tui.cli.root",
        "renubu_tui.services.container",
        "renubu_tui.services.customers.context",
        "renubu_tui.services.workflows.registry",
        "renubu_tui.data.migrate",
    ):
        importlib.import_module(name)
    from renubu_tui.data import engine
    from renubu_tui.services import bootstrap

    click.utils.should_strip_ansi = lambda *_a, **_k: False  # type: ignore[assignment]
    schema = os.environ.get("RENUBU_FAULTS_SCHEMA")
    if schema:
        real = engine.create_database

        def in_schema(url: str, **kwargs: object) -> engine.Database:
            return real(url, schema=schema, **kwargs)  # type: ignore[arg-type]

        bootstrap.create_database = in_schema  # type: ignore[assignment]


def _child(order: dict[str, object]) -> None:
    """In the forked child: become the command, then end with its exit code."""
    folder = Path(str(order["folder"]))
    pid = os.getpid()
    out = os.open(folder / f"{pid}.out", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    err = os.open(folder / f"{pid}.err", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(out, 1)
    os.dup2(err, 2)
    os.environ.update({str(k): str(v) for k, v in dict(order["env"]).items()})  # type: ignore[call-overload]
    go = str(order["go"])
    Path(f"{go}.{pid}.ready").touch()
    while not os.path.exists(go):
        time.sleep(0.002)
    from renubu_tui.cli import main

    code = 0
    try:
        main([str(a) for a in order["argv"]])  # type: ignore[attr-defined]
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        code = 99
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        written = folder / f"{pid}.code.part"
        written.write_text(str(code))
        os.replace(written, folder / f"{pid}.code")  # whole, or not there at all
        os._exit(code)


def _reap() -> None:
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def main() -> None:
    _prepare()
    print("ready", flush=True)
    pending = b""
    while True:
        readable, _, _ = select.select([0], [], [], 0.05)
        _reap()
        if not readable:
            continue
        data = os.read(0, 65536)
        if not data:
            break
        pending += data
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            order = json.loads(line)
            sys.stdout.flush()
            pid = os.fork()
            if pid == 0:
                _child(order)
            print(pid, flush=True)
    while True:  # standard input closed: wait for the last children, then end
        try:
            os.wait()
        except ChildProcessError:
            return


if __name__ == "__main__":
    main()
