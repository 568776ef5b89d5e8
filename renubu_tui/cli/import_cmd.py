"""`renubu import KIND FILE` / `renubu import --bundle DIR`, and `renubu export KIND`.

Import prints what it did (or, with --dry-run, would do) and every refused row with its line,
column and reason; a real run with refused rows writes nothing and exits 1 unless
--skip-invalid (a dry run exits as that real run would). A progress bar goes to stderr, and
only when stderr is a terminal. Export writes CSV or JSON to stdout, a page at a time
(`renubu export queue | head` ends quietly).
"""

from __future__ import annotations

import contextlib
import csv
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from renubu_tui.cli.root import Context, command_options, pass_context
from renubu_tui.safe_text import printable

if TYPE_CHECKING:
    from renubu_tui.services.container import Services
    from renubu_tui.services.imports.service import ImportResult

KIND_NAMES = ("customers", "contracts", "contacts", "usage", "health")
PROGRESS_FROM = 5000  # rows: a shorter file is done before a bar would be worth drawing


@click.command("import")
@click.argument("kind", required=False, metavar="KIND")
@click.argument("file", required=False, type=click.Path(path_type=Path), metavar="FILE")
@click.option(
    "--bundle",
    type=click.Path(path_type=Path),
    metavar="DIR",
    help="Import a folder: customers.csv, contracts.csv, contacts.csv, usage.csv, health.csv.",
)
@click.option("--dry-run", is_flag=True, help="Check and count; write nothing.")
@click.option(
    "--mapping",
    type=click.Path(path_type=Path),
    metavar="FILE.toml",
    help="Which column is which, the date format, the decimal mark (README).",
)
@click.option("--skip-invalid", is_flag=True, help="Import the valid rows though some are refused.")
@command_options
@pass_context
def import_(
    ctx: Context,
    kind: str | None,
    file: Path | None,
    bundle: Path | None,
    dry_run: bool,
    mapping: Path | None,
    skip_invalid: bool,
) -> None:
    """Import KIND (customers, contracts, contacts, usage, health) from a CSV or XLSX export.

    Salesforce and HubSpot column names are recognised; anything else through --mapping. Rows
    are matched by the CRM's id: importing the same file twice changes nothing.
    """
    from renubu_tui.services.imports.service import bundle_files, kind_of, mapping_from

    if bundle is not None:
        if kind is not None or file is not None:
            raise click.UsageError("give either KIND FILE or --bundle DIR, not both")
        jobs = bundle_files(bundle)
    else:
        if kind is None or file is None:
            raise click.UsageError(
                "give KIND FILE (KIND: customers, contracts, contacts, usage, health) "
                "or --bundle DIR"
            )
        jobs = [(kind_of(kind), file)]
    the_mapping = mapping_from(mapping)

    async def body(s: Services) -> int:
        failed, changed = 0, False
        importer = s.importer()
        to_come: set[str] = set()  # a bundle's dry run: the customers its first file would add
        for job_kind, path in jobs:
            with _progress(path) as progress:
                result = await importer.run(
                    job_kind,
                    path,
                    mapping=the_mapping,
                    dry_run=dry_run,
                    skip_invalid=skip_invalid,
                    progress=progress,
                    accounts_to_come=to_come,
                    rebuild=bundle is None,  # a bundle's queue is rebuilt once, at the end
                )
            to_come |= result.new_accounts
            changed = changed or (result.written and bool(result.inserted or result.updated))
            _report(result)
            # a dry run exits as the real run would: 1 when refused rows would stop it
            if result.stopped or (result.dry_run and result.refused and not skip_invalid):
                failed += 1
                if bundle is not None:
                    click.echo("the bundle stops here: the files after it were not imported")
                    break
        if bundle is not None and changed:
            click.echo(f"today's queue rebuilt: {await importer.rebuild_queue():,} rows")
        return failed

    if ctx.with_services(body):
        sys.exit(1)


def _report(r: ImportResult) -> None:
    name = printable(str(r.path))
    verb = ("would insert", "would update") if r.dry_run else ("inserted", "updated")
    if r.stopped:
        verb = ("would insert", "would update")
    click.echo(
        f"{name}: {r.rows:,} row{'' if r.rows == 1 else 's'} ({r.kind}): "
        f"{verb[0]} {r.inserted:,}, {verb[1]} {r.updated:,}, unchanged {r.unchanged:,}, "
        f"refused {len(r.refused):,}"
    )
    for rejected in r.refused:
        for column, reason in zip(rejected.columns, rejected.reasons, strict=True):
            click.echo(f"  line {rejected.line}: {printable(column)}: {printable(reason)}")
    for note in r.notes:
        click.echo(f"note: {note}")
    if r.rejects_path is not None:
        click.echo(f"refused rows written to {printable(str(r.rejects_path))}")
    if r.stopped:
        click.echo(
            f"nothing written: {len(r.refused):,} row(s) refused; fix them, or import the "
            "others with --skip-invalid"
        )
    elif r.dry_run:
        click.echo("dry run: nothing written")
    elif r.queue_rows is not None:
        click.echo(f"today's queue rebuilt: {r.queue_rows:,} rows ({r.seconds:.1f} s in all)")


class _progress:
    """A rich progress bar on stderr for a long file (checking, writing, the queue); nothing
    when stderr is not a terminal (a pipe, a log, a test)."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._bar: Any = None
        self._task: Any = None
        self._phase = ""

    def __enter__(self) -> Callable[[str, int, int], None] | None:
        if not sys.stderr.isatty():
            return None
        return self._update

    def _update(self, phase: str, done: int, total: int) -> None:
        if self._bar is None:
            if total < PROGRESS_FROM:
                return
            from rich.console import Console
            from rich.progress import Progress

            self._bar = Progress(console=Console(stderr=True), transient=True)
            self._bar.start()
        if phase != self._phase:
            if self._task is not None:
                self._bar.remove_task(self._task)
            self._phase = phase
            label = f"{phase} {self._path.name}" if total else phase
            self._task = self._bar.add_task(label, total=total or None)
        self._bar.update(self._task, completed=done)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()


@click.command("export")
@click.argument("kind", metavar="KIND")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json"]),
    default="csv",
    show_default=True,
)
@command_options
@pass_context
def export(ctx: Context, kind: str, fmt: str) -> None:
    """Print KIND (customers, queue, tasks) as CSV or JSON on stdout."""
    from renubu_tui.services.imports.export import columns_of, records

    columns = columns_of(kind)

    async def body(s: Services) -> None:
        out = sys.stdout
        if fmt == "csv":
            writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            async with contextlib.aclosing(records(s, kind)) as rows:
                async for record in rows:
                    writer.writerow(record)
            return
        out.write("[")
        first = True
        async with contextlib.aclosing(records(s, kind)) as rows:
            async for record in rows:
                out.write(("\n  " if first else ",\n  ") + json.dumps(record, ensure_ascii=False))
                first = False
        out.write("\n]\n" if not first else "]\n")

    ctx.with_services(body)
    sys.stdout.flush()
