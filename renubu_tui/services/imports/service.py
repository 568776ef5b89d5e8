"""`renubu import`: a CRM export into the book, validated first, written in one transaction.

1. Read the file (`reader`), find each field's column (`domain.imports.match_columns`: the
   Salesforce and HubSpot headers, or the mapping file).
2. Plan every row against the database as it stands (inside the write transaction on a real
   run, so nothing changes between the check and the write): a row becomes an insert, an update
   (with the fields that differ), nothing (unchanged), or a refusal with its line, column and
   reason. Rows are matched by external id (`customers.external_id`, `contracts.external_id`
   per customer; contacts by name, usage and health by date, per customer).
3. A dry run stops there. A real run with any refused row writes nothing unless
   `skip_invalid`; refused rows go to `<file>.rejects.csv` beside the input either way.
4. The write is bulk (core INSERT/UPDATE executemany, never an ORM object per row), audits each
   updated customer (old and new values) and the import itself, drops the tenant's stale queue
   days and publishes one change event, all in the same transaction; after it commits today's
   queue is rebuilt for the tenant.
"""

from __future__ import annotations

import csv
import datetime as dt
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table as SATable
from sqlalchemy import and_, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from renubu_tui.clock import Clock, stamp
from renubu_tui.data.engine import Database
from renubu_tui.data.models import (
    AuditEntry,
    Contract,
    Customer,
    CustomerIntelligence,
    CustomerStakeholder,
    CustomerUsage,
    Tenant,
    User,
)
from renubu_tui.domain import imports as rules
from renubu_tui.domain.imports import (
    EMPTY_MAPPING,
    FIELDS,
    KINDS,
    ImportMapping,
    Kind,
    MappingError,
    Problem,
)
from renubu_tui.services.imports.reader import ImportFileMissing, Table, read_table
from renubu_tui.services.refusals import BadInput

Publish = Callable[..., Awaitable[Any]]
Progress = Callable[[str, int, int], None]  # (what: checking, writing, queue; done; of)
ACCOUNT_CONTRACT = "account"  # contracts.external_id of the term an accounts file describes
BUNDLE_ORDER: tuple[Kind, ...] = ("customers", "contracts", "contacts", "usage", "health")


class ImportRefused(BadInput):
    """An import that cannot start: a bad mapping, a missing column, an unknown kind."""


@dataclass(frozen=True)
class Rejected:
    line: int
    columns: list[str]
    reasons: list[str]
    cells: list[str]


@dataclass
class ImportResult:
    kind: str
    path: Path
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: list[Rejected] = field(default_factory=list)
    dry_run: bool = False
    written: bool = False
    rejects_path: Path | None = None
    notes: list[str] = field(default_factory=list)
    queue_rows: int | None = None
    seconds: float = 0.0
    new_accounts: set[str] = field(default_factory=set)  # customers: account ids inserted

    @property
    def stopped(self) -> bool:
        """A real run that wrote nothing because rows were refused."""
        return not self.dry_run and not self.written and bool(self.refused)


@dataclass
class _Plan:
    inserts: list[dict[str, Any]] = field(default_factory=list)
    updates: list[tuple[Any, dict[str, Any], dict[str, Any], int]] = field(default_factory=list)
    child_inserts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    child_updates: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    unchanged: int = 0
    problems: dict[int, list[Problem]] = field(default_factory=dict)
    cells: dict[int, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def refuse(self, line: int, cells: list[str], column: str, reason: str) -> None:
        self.problems.setdefault(line, []).append(Problem(line, column, reason))
        self.cells[line] = cells


def mapping_from(path: Path | None) -> ImportMapping:
    if path is None:
        return EMPTY_MAPPING
    if not path.is_file():
        raise ImportFileMissing(f"{path}: no such mapping file")
    try:
        return rules.read_mapping(path.read_text(encoding="utf-8-sig"), str(path))
    except UnicodeDecodeError:
        raise ImportRefused(f"{path}: the mapping file is not UTF-8") from None
    except MappingError as exc:
        raise ImportRefused(str(exc)) from None


def kind_of(name: str) -> Kind:
    if name not in KINDS:
        raise ImportRefused(f"unknown import kind {name!r} (one of {', '.join(KINDS)})")
    return name


def bundle_files(folder: Path) -> list[tuple[Kind, Path]]:
    """The files of a bundle folder, in the order they depend on each other: `customers.csv`
    (or .xlsx), then contracts, contacts, usage, health. Other files are not read."""
    if not folder.is_dir():
        raise ImportFileMissing(f"{folder}: no such folder")
    found: list[tuple[Kind, Path]] = []
    for kind in BUNDLE_ORDER:
        for suffix in (".csv", ".xlsx", ".tsv", ".txt"):
            candidate = folder / f"{kind}{suffix}"
            if candidate.is_file():
                found.append((kind, candidate))
                break
    if not found:
        raise ImportRefused(
            f"{folder}: no import files (name them {', '.join(f'{k}.csv' for k in BUNDLE_ORDER)})"
        )
    return found


def rejects_path_for(path: Path) -> Path:
    return path.with_name(f"{path.stem}.rejects.csv")


class ImportService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        tenant: Tenant,
        user: User,
        *,
        rebuild_queue: Callable[[uuid.UUID, dt.date], Awaitable[int]],
        forget_queue: Callable[..., Awaitable[None]],
        publish: Publish,
    ) -> None:
        self._db = db
        self._clock = clock
        self._tenant = tenant
        self._user = user
        self._rebuild = rebuild_queue
        self._forget = forget_queue
        self._publish = publish

    async def run(
        self,
        kind: Kind,
        path: Path,
        *,
        mapping: ImportMapping = EMPTY_MAPPING,
        dry_run: bool = False,
        skip_invalid: bool = False,
        progress: Progress | None = None,
        rebuild: bool = True,
        accounts_to_come: set[str] | None = None,
    ) -> ImportResult:
        """Import (or with `dry_run` only check) one file. `accounts_to_come`: account ids a
        dry run of a bundle's customers file would insert, so its other files' dry runs count
        their rows as they would go once the customers are in."""
        started = time.perf_counter()
        table = read_table(path)
        if mapping.kind is not None and mapping.kind != kind:
            raise ImportRefused(f"the mapping is for {mapping.kind}, not {kind}")
        try:
            rules.check_mapping_fields(mapping, kind, "the mapping")
            columns = rules.match_columns(kind, table.headers, mapping, str(path))
        except MappingError as exc:
            raise ImportRefused(str(exc)) from None
        result = ImportResult(kind=kind, path=path, rows=len(table.rows), dry_run=dry_run)
        if dry_run:
            async with self._db.sessions() as session:
                plan = await self._plan(
                    session, kind, table, columns, mapping, progress, accounts_to_come or set()
                )
        else:
            async with self._db.write() as session:
                plan = await self._plan(session, kind, table, columns, mapping, progress)
                if not plan.problems or skip_invalid:
                    await self._write(session, kind, plan, path, len(table.rows), progress)
                    result.written = True
        if kind == "customers":  # a customer's term counts with it, as one row of the file
            result.inserted, result.updated = len(plan.inserts), len(plan.updates)
            result.new_accounts = {row["external_id"] for row in plan.inserts}
        else:
            result.inserted = sum(len(v) for v in plan.child_inserts.values())
            result.updated = sum(len(v) for v in plan.child_updates.values())
        result.unchanged = plan.unchanged
        result.notes = plan.notes
        if table.footer:
            first = table.footer[0][:60]
            result.notes.insert(
                0, f"{len(table.footer)} footer line(s) of the report left out ({first!r} …)"
            )
        result.refused = [
            Rejected(
                line=line,
                columns=[p.column for p in problems],
                reasons=[p.reason for p in problems],
                cells=plan.cells[line],
            )
            for line, problems in sorted(plan.problems.items())
        ]
        try:
            result.rejects_path = self._write_rejects(path, table, result.refused)
        except OSError as exc:  # a read-only folder: the report above still lists every row
            result.notes.append(f"the rejects file could not be written: {exc.strerror or exc}")
        if result.written and (result.inserted or result.updated) and rebuild:
            if progress is not None:
                progress("rebuilding today's queue", 0, 0)
            result.queue_rows = await self._rebuild(self._tenant.id, self._clock.today())
        result.seconds = time.perf_counter() - started
        return result

    async def rebuild_queue(self) -> int:
        """Today's queue for the tenant, from scratch (after a bundle's files: once)."""
        return await self._rebuild(self._tenant.id, self._clock.today())

    # --- planning -----------------------------------------------------------------------------

    async def _plan(
        self,
        session: AsyncSession,
        kind: Kind,
        table: Table,
        columns: dict[str, int],
        mapping: ImportMapping,
        progress: Progress | None,
        to_come: set[str] | None = None,
    ) -> _Plan:
        plan = _Plan()
        headers = rules.headers_for(columns, table.headers)
        context = _Cells(columns, headers, mapping, plan)
        if kind == "customers":
            await self._plan_customers(session, table, context, progress)
        else:
            await self._plan_facts(session, kind, table, context, progress, to_come or set())
        return plan

    async def _users(self, session: AsyncSession) -> tuple[dict[str, Any], dict[str, list[Any]]]:
        rows = (
            await session.execute(
                select(User.id, User.email, User.name).where(User.tenant_id == self._tenant.id)
            )
        ).all()
        by_email = {email.casefold(): uid for uid, email, _ in rows}
        by_name: dict[str, list[Any]] = {}
        for uid, _, name in rows:
            by_name.setdefault(" ".join(name.casefold().split()), []).append(uid)
        return by_email, by_name

    async def _plan_customers(
        self, session: AsyncSession, table: Table, c: _Cells, progress: Progress | None
    ) -> None:
        tid = self._tenant.id
        existing = {
            r.external_id: r
            for r in (
                await session.execute(
                    select(
                        Customer.id,
                        Customer.external_id,
                        Customer.name,
                        Customer.industry,
                        Customer.owner_id,
                        Customer.domain,
                    ).where(Customer.tenant_id == tid, Customer.external_id.is_not(None))
                )
            ).all()
        }
        taken = (
            await session.execute(
                select(Customer.slug, Customer.domain, Customer.external_id).where(
                    Customer.tenant_id == tid
                )
            )
        ).all()
        slugs = {slug for slug, _, _ in taken}
        domains: dict[str, str | None] = {d: ext for _, d, ext in taken}
        terms: dict[Any, list[_Term]] = {}
        for row in (
            await session.execute(
                select(
                    Contract.customer_id,
                    Contract.start_date,
                    Contract.end_date,
                    Contract.arr,
                    Contract.term_months,
                    Contract.external_id,
                )
                .join(Customer, Customer.id == Contract.customer_id)
                .where(Customer.tenant_id == tid, Customer.external_id.is_not(None))
            )
        ).all():
            terms.setdefault(row[0], []).append(_Term(*row[1:]))
        by_email, by_name = await self._users(session)
        seen: dict[str, int] = {}
        now = stamp()
        plan = c.plan
        contracts_in: list[dict[str, Any]] = []
        contracts_up: list[dict[str, Any]] = []
        arr_alone = 0
        total = len(table.rows)
        for number, (line, cells) in enumerate(table.rows, start=1):
            if progress is not None and number % 2000 == 0:
                progress("checking", number, total)
            c.start(line, cells)
            ext = rules.crm_id(c.text("external_id", 120))
            name = c.text("name", 200)
            if not ext:
                c.refuse("external_id", "the external id is empty")
            elif ext in seen:
                c.refuse("external_id", f"account {ext} appears again (first on line {seen[ext]})")
            else:
                seen[ext] = line
            if not name:
                c.refuse("name", "the name is empty")
            owner = c.owner(by_email, by_name)
            arr = c.money("arr")
            if arr is not None and arr < 0:
                c.refuse("arr", f"ARR {arr:,.2f} is negative")
            renewal = c.date("renewal_date")
            start = c.date("contract_start")
            if renewal is not None and start is not None and start > renewal:
                c.refuse("contract_start", f"the contract starts ({start}) after it ends")
            industry = c.text("industry", 120) or None
            website = c.text("domain")
            domain: str | None = None
            if website:
                try:
                    domain = rules.clean_domain(website)
                except ValueError as exc:
                    c.refuse("domain", str(exc))
            if domain is not None and domain in domains and domains[domain] != ext:
                holder = domains[domain]
                c.refuse(
                    "domain",
                    f"the website {domain} is already another customer's"
                    + (f" (account {holder})" if holder else ""),
                )
            if c.failed:
                continue
            if domain is not None:
                domains[domain] = ext
            old = existing.get(ext)
            if old is None:
                slug = rules.slug_of(name)
                if slug in slugs:
                    slug = f"{slug}-{rules.slug_of(ext)}"[:200]
                n = 2
                base = slug
                while slug in slugs:
                    slug, n = f"{base}-{n}", n + 1
                slugs.add(slug)
                if domain is None:
                    domain = f"{slug}.invalid"  # RFC 2606: says "no known website"
                    domains[domain] = ext
                cid = uuid.uuid4()
                plan.inserts.append(
                    {
                        "id": cid,
                        "tenant_id": tid,
                        "name": name,
                        "name_key": name.casefold(),
                        "slug": slug,
                        "domain": domain,
                        "industry": industry,
                        "owner_id": owner,
                        "is_synthetic": False,
                        "external_id": ext,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
                if renewal is not None:
                    contracts_in.append(_term(cid, renewal, start, arr))
                elif arr:
                    arr_alone += 1
                continue
            changes: dict[str, Any] = {}
            before: dict[str, Any] = {}
            # a column the file does not have leaves the field as it is (an empty cell of a
            # column it has clears it)
            wanted: dict[str, Any] = {"name": name}
            if "industry" in c.columns:
                wanted["industry"] = industry
            if "owner" in c.columns:
                wanted["owner_id"] = owner
            if domain is not None:
                wanted["domain"] = domain
            for key, value in wanted.items():
                if getattr(old, key) != value:
                    before[key], changes[key] = getattr(old, key), value
            if "name" in changes:
                changes["name_key"] = name.casefold()
            if renewal is not None:
                change = _term_change(
                    terms.get(old.id, []), old.id, renewal, start, arr, "arr" not in c.columns
                )
                if isinstance(change, str):
                    c.refuse("renewal_date", change)
                    continue
                if change is not None:
                    had, new_term, is_new = change
                    (contracts_in if is_new else contracts_up).append(new_term)
                    before["contract"] = None if had is None else had.json()
                    changes["contract"] = _Term.of(new_term).json()
            elif arr:
                arr_alone += 1
            if not changes:
                plan.unchanged += 1
                continue
            plan.updates.append((old.id, before, changes, line))
        if progress is not None:
            progress("checking", total, total)
        plan.child_inserts["contracts"] = contracts_in
        plan.child_updates["contracts"] = contracts_up
        if arr_alone:
            plan.notes.append(
                f"{arr_alone} row(s) give ARR without a renewal date: renubu keeps ARR on a "
                "contract term, so it was not stored (add a renewal date column)"
            )

    async def _plan_facts(
        self,
        session: AsyncSession,
        kind: Kind,
        table: Table,
        c: _Cells,
        progress: Progress | None,
        to_come: set[str],
    ) -> None:
        """contracts, contacts, usage, health: rows of a customer named by its external id
        (or, in a dry run of a bundle, of one its customers file would insert)."""
        tid = self._tenant.id
        customers = dict(
            (
                await session.execute(
                    select(Customer.external_id, Customer.id).where(
                        Customer.tenant_id == tid, Customer.external_id.is_not(None)
                    )
                )
            ).all()
        )
        spec = _FACTS[kind]
        existing = await spec.existing(session, tid)
        plan = c.plan
        seen: dict[tuple[Any, ...], int] = {}
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        total = len(table.rows)
        taken_starts = await _contract_starts(session, tid) if kind == "contracts" else {}
        for number, (line, cells) in enumerate(table.rows, start=1):
            if progress is not None and number % 2000 == 0:
                progress("checking", number, total)
            c.start(line, cells)
            ref = rules.crm_id(c.text("customer"))
            cid = customers.get(ref) or (("to come", ref) if ref in to_come else None)
            if not ref:
                c.refuse("customer", "the account id is empty")
            elif cid is None:
                c.refuse("customer", f"no customer has account id {ref} (import customers first)")
            values = spec.values(c)
            if c.failed or cid is None:
                continue
            key = spec.key(cid, values)
            if key in seen:
                c.refuse(spec.key_field, f"the same row appears again (first on line {seen[key]})")
                continue
            seen[key] = line
            had = existing.get(key)
            if kind == "contracts":
                clash = taken_starts.get((cid, values["start_date"]))
                if clash is not None and clash[1] != values["external_id"]:
                    if had is not None or clash[1] != ACCOUNT_CONTRACT:
                        c.refuse(
                            "start_date",
                            f"the customer already has a contract starting {values['start_date']}",
                        )
                        continue
                    # the account's own term (from an accounts file) is this deal's: the deal
                    # takes it over, with its id and figures
                    had = {"id": clash[0], "external_id": ACCOUNT_CONTRACT}
                taken_starts[(cid, values["start_date"])] = (None, values["external_id"])
            if had is None:
                inserts.append({"id": uuid.uuid4(), "customer_id": cid, **values})
            else:
                # columns the file does not have leave their fields as they are
                given = {k: v for k, v in values.items() if _given(kind, k, c.columns)}
                if any(had.get(k) != v for k, v in given.items()):
                    updates.append({"b_id": had["id"], **given})
                else:
                    plan.unchanged += 1
        if progress is not None:
            progress("checking", total, total)
        plan.child_inserts[spec.table.name] = inserts
        plan.child_updates[spec.table.name] = updates

    # --- writing ------------------------------------------------------------------------------

    async def _write(
        self,
        session: AsyncSession,
        kind: Kind,
        plan: _Plan,
        path: Path,
        rows: int,
        progress: Progress | None = None,
    ) -> None:
        customers = cast(SATable, Customer.__table__)
        total = len(plan.inserts) + len(plan.updates)
        total += sum(len(v) for v in (*plan.child_inserts.values(), *plan.child_updates.values()))
        done = 0

        def wrote(n: int) -> None:
            nonlocal done
            done += n
            if progress is not None:
                progress("writing", done, total)

        for chunk in _chunks(plan.inserts):
            await session.execute(insert(customers), chunk)
            wrote(len(chunk))
        now = stamp()
        by_field: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for cid, before, changes, line in plan.updates:
            plain = {k: v for k, v in changes.items() if k != "contract"}
            if plain:
                by_field.setdefault(tuple(sorted(plain)), []).append(
                    {"b_id": cid, "updated_at": now, **plain}
                )
            session.add(
                AuditEntry(
                    tenant_id=self._tenant.id,
                    actor_id=self._user.id,
                    actor_label=self._user.email,
                    entity_type="customer",
                    entity_id=str(cid),
                    action="import-update",
                    old_value=_jsonable(before),
                    new_value=_jsonable(changes),
                    note=f"{path.name} line {line}",
                )
            )
        for params in by_field.values():
            # executemany, one statement per set of changed columns (the SET clause is the
            # parameters' keys; a bind named like a column is reserved for it)
            statement = update(customers).where(customers.c.id == bindparam("b_id"))
            await session.execute(statement, params)
            wrote(len(params))
        for name, rows_in in plan.child_inserts.items():
            target = _TABLES[name]
            for chunk in _chunks(rows_in):
                await session.execute(insert(target), chunk)
                wrote(len(chunk))
        for name, rows_up in plan.child_updates.items():
            if not rows_up:
                continue
            target = _TABLES[name]
            if name == "contracts" and kind == "customers":
                where = and_(
                    target.c.customer_id == bindparam("b_customer"),
                    target.c.external_id == ACCOUNT_CONTRACT,
                )
            else:
                where = target.c.id == bindparam("b_id")
            await session.execute(update(target).where(where), rows_up)
            wrote(len(rows_up))
        inserted = len(plan.inserts) + sum(len(v) for v in plan.child_inserts.values())
        updated = len(plan.updates) + sum(len(v) for v in plan.child_updates.values())
        if not inserted and not updated:
            return  # the same file again: nothing changed, nothing to audit or announce
        session.add(
            AuditEntry(
                tenant_id=self._tenant.id,
                actor_id=self._user.id,
                actor_label=self._user.email,
                entity_type="import",
                entity_id=path.name[:200],
                action=f"import-{kind}",
                new_value={
                    "rows": rows,
                    "inserted": inserted,
                    "updated": updated,
                    "unchanged": plan.unchanged,
                    "refused": len(plan.problems),
                },
            )
        )
        # the queue's kept days no longer match the book: drop them in this transaction (no
        # reader sees the old queue with the new book); today's is rebuilt after the commit
        await self._forget(self._tenant.id, session=session)
        await self._publish(session, self._tenant.id, None, f"import-{kind}")

    def _write_rejects(self, path: Path, table: Table, refused: list[Rejected]) -> Path | None:
        target = rejects_path_for(path)
        if not refused:
            if target.is_file():
                target.unlink()  # ours, from an earlier run of this file: stale now
            return None
        with target.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["line", "column", "reason", *table.headers])
            for r in refused:
                writer.writerow([r.line, "; ".join(r.columns), "; ".join(r.reasons), *r.cells])
        return target


# --- one row's cells ---------------------------------------------------------------------------


class _Cells:
    """Reads the fields of the current row, noting each refused cell against the row."""

    def __init__(
        self,
        columns: dict[str, int],
        headers: dict[str, str],
        mapping: ImportMapping,
        plan: _Plan,
    ) -> None:
        self.columns = columns
        self.headers = headers
        self.mapping = mapping
        self.plan = plan
        self.line = 0
        self.cells: list[str] = []
        self.failed = False

    def start(self, line: int, cells: list[str]) -> None:
        self.line, self.cells, self.failed = line, cells, False

    def refuse(self, name: str, reason: str) -> None:
        self.failed = True
        self.plan.refuse(self.line, self.cells, self.headers.get(name, name), reason)

    def raw(self, name: str) -> str:
        return rules.cell(self.cells, self.columns, name)

    def text(self, name: str, limit: int | None = None) -> str:
        value = " ".join(self.raw(name).split())
        if limit is not None and len(value) > limit:
            self.refuse(name, f"longer than {limit} characters")
            return value[:limit]
        return value

    def money(self, name: str) -> float | None:
        raw = self.raw(name)
        if not raw:
            return None
        try:
            return round(rules.parse_money(raw, self.mapping.decimal), 2)
        except ValueError as exc:
            self.refuse(name, str(exc))
            return None

    def date(self, name: str) -> dt.date | None:
        raw = self.raw(name)
        if not raw:
            return None
        try:
            return rules.parse_date(raw, self.mapping.date_format)
        except ValueError as exc:
            self.refuse(name, str(exc))
            return None

    def integer(self, name: str) -> int | None:
        raw = self.raw(name)
        if not raw:
            return None
        try:
            value = rules.parse_int(raw)
        except ValueError as exc:
            self.refuse(name, str(exc))
            return None
        if value < 0:
            self.refuse(name, f"{value} is negative")
        return value

    def score(self, name: str) -> float | None:
        raw = self.raw(name)
        if not raw:
            return None
        try:
            value = rules.parse_number(raw)
        except ValueError as exc:
            self.refuse(name, str(exc))
            return None
        if not 0 <= value <= 100:
            self.refuse(name, f"{raw} is outside 0–100")
        return value

    def owner(self, by_email: dict[str, Any], by_name: dict[str, list[Any]]) -> Any:
        raw = self.text("owner")
        if not raw:
            return None
        if rules.is_email(raw):
            found = by_email.get(raw.casefold())
        else:
            named = by_name.get(raw.casefold(), [])
            if len(named) > 1:
                self.refuse("owner", f"{len(named)} users are named {raw}; give the e-mail")
                return None
            found = named[0] if named else None
        if found is None and self.mapping.unknown_owner == "refuse":
            self.refuse(
                "owner",
                f"no user {raw} in this tenant (add the user, or set "
                'unknown_owner = "unassigned" in a mapping file)',
            )
        return found


# --- the facts about a customer ----------------------------------------------------------------


@dataclass(frozen=True)
class _Facts:
    table: SATable
    key_field: str
    key: Callable[[Any, dict[str, Any]], tuple[Any, ...]]
    values: Callable[[_Cells], dict[str, Any]]
    existing: Callable[[AsyncSession, Any], Awaitable[dict[tuple[Any, ...], dict[str, Any]]]]


def _term(cid: Any, renewal: dt.date, start: dt.date | None, arr: float | None) -> dict[str, Any]:
    begins = start or rules.add_months(renewal, -12) + dt.timedelta(days=1)
    months = max(1, round((renewal - begins).days / 30.44))
    return {
        "id": uuid.uuid4(),
        "customer_id": cid,
        "start_date": begins,
        "end_date": renewal,
        "arr": arr or 0.0,
        "term_months": months,
        "status": "active",
        "external_id": ACCOUNT_CONTRACT,
    }


@dataclass(frozen=True)
class _Term:
    start: dt.date
    end: dt.date
    arr: float
    months: int
    external_id: str | None = ACCOUNT_CONTRACT

    @classmethod
    def of(cls, row: dict[str, Any]) -> _Term:
        return cls(row["start_date"], row["end_date"], row["arr"], row["term_months"])

    def json(self) -> dict[str, Any]:
        return {
            "start": str(self.start),
            "end": str(self.end),
            "arr": self.arr,
            "term_months": self.months,
        }


def _term_change(
    had: list[_Term],
    cid: Any,
    renewal: dt.date,
    start: dt.date | None,
    arr: float | None,
    keep_arr: bool = False,
) -> tuple[_Term | None, dict[str, Any], bool] | str | None:
    """What an accounts row's renewal date and ARR do to the customer's terms: nothing (None),
    (old term, the row to write, whether it is new), or why it cannot (str).

    A term already ending on the renewal date is the one the row describes: the account's own
    term (external id `account`) takes the row's ARR and start; a deal's term (imported from the
    opportunities) is left as the deal says, being the more precise. Otherwise the account's term
    moves to the new dates, or one is made; a start that another term already has is refused.
    """
    wanted = _term(cid, renewal, start, arr)
    ending = [t for t in had if t.end == renewal]
    if ending:
        term = next((t for t in ending if t.external_id == ACCOUNT_CONTRACT), None)
        if term is None:
            return None  # a deal's term: it says more than an account's Annual Revenue
        if start is None:
            wanted["start_date"], wanted["term_months"] = term.start, term.months
        if keep_arr:  # the file has no ARR column: the term keeps its own
            wanted["arr"] = term.arr
        if _Term.of(wanted) == term:
            return None
        return term, _term_update(cid, wanted), False
    own = next((t for t in had if t.external_id == ACCOUNT_CONTRACT), None)
    clash = next(
        (t for t in had if t.start == wanted["start_date"] and t is not own),
        None,
    )
    if clash is not None:
        return (
            f"the customer has a contract from {clash.start} to {clash.end}; a renewal on "
            f"{renewal} would start another on the same day (import the contracts, or give "
            "Contract Start Date)"
        )
    if own is None:
        return None, wanted, True
    if keep_arr:
        wanted["arr"] = own.arr
    return own, _term_update(cid, wanted), False


def _term_update(cid: Any, wanted: dict[str, Any]) -> dict[str, Any]:
    keys = ("start_date", "end_date", "arr", "term_months")
    return {"b_customer": cid, **{k: wanted[k] for k in keys}}


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, uuid.UUID | dt.date) else v) for k, v in values.items()}


def _chunks(rows: list[dict[str, Any]], size: int = 5000) -> Iterable[list[dict[str, Any]]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


async def _contract_starts(
    session: AsyncSession, tid: Any
) -> dict[tuple[Any, Any], tuple[Any, str | None]]:
    rows = (
        await session.execute(
            select(Contract.id, Contract.customer_id, Contract.start_date, Contract.external_id)
            .join(Customer, Customer.id == Contract.customer_id)
            .where(Customer.tenant_id == tid)
        )
    ).all()
    return {(cid, start): (rid, ext) for rid, cid, start, ext in rows}


def _existing(
    model: Any, key: tuple[str, ...], fields: tuple[str, ...]
) -> Callable[[AsyncSession, Any], Awaitable[dict[tuple[Any, ...], dict[str, Any]]]]:
    async def read(session: AsyncSession, tid: Any) -> dict[tuple[Any, ...], dict[str, Any]]:
        columns = [getattr(model, n) for n in ("id", "customer_id", *fields)]
        rows = (
            await session.execute(
                select(*columns)
                .join(Customer, Customer.id == model.customer_id)
                .where(Customer.tenant_id == tid)
            )
        ).all()
        found: dict[tuple[Any, ...], dict[str, Any]] = {}
        for row in rows:
            values = dict(row._mapping)
            if any(values.get(k) is None for k in key):
                continue
            found[(values["customer_id"], *(values[k] for k in key))] = values
        return found

    return read


def _contract_values(c: _Cells) -> dict[str, Any]:
    ext = rules.crm_id(c.text("external_id", 120))
    if not ext:
        c.refuse("external_id", "the external id is empty")
    arr = c.money("arr")
    if arr is not None and arr < 0:
        c.refuse("arr", f"ARR {arr:,.2f} is negative")
    start, end, close = c.date("start_date"), c.date("end_date"), c.date("close_date")
    term = c.integer("term_months")
    stage = c.text("stage").casefold()
    status = (
        "active"
        if not stage or stage in rules.WON_STAGES
        else "cancelled"
        if stage in rules.LOST_STAGES
        else "pending"
    )
    begins = start or close
    if begins is None and not c.failed:
        c.refuse("start_date", "no contract start date (nor close date)")
    if begins is not None and end is None:
        end = rules.add_months(begins, term or 12) - dt.timedelta(days=1)
    if begins is not None and end is not None and end < begins:
        c.refuse("end_date", f"the contract ends ({end}) before it starts ({begins})")
    months = term or (max(1, round((end - begins).days / 30.44)) if begins and end else 12)
    return {
        "external_id": ext,
        "start_date": begins,
        "end_date": end,
        "arr": arr or 0.0,
        "term_months": months,
        "seats": c.integer("seats"),
        "status": status,
        "signed_on": close if status == "active" else None,
    }


def _contact_values(c: _Cells) -> dict[str, Any]:
    name = c.text("name", 200) or " ".join(
        p for p in (c.text("first_name"), c.text("last_name")) if p
    )
    if not name:
        c.refuse("name" if "name" in c.columns else "last_name", "the contact has no name")
    if len(name) > 200:
        c.refuse("name", "longer than 200 characters")
    email = c.text("email") or None
    if email is not None and not rules.is_email(email):
        c.refuse("email", f"{email!r} is not an e-mail address")
    role_text = c.text("role").casefold()
    role = rules.ROLES.get(role_text.split(";")[0].strip()) if role_text else None
    return {
        "name": name[:200],
        "title": c.text("title")[:200] or None,
        "email": email,
        "role": role,
    }


def _usage_values(c: _Cells) -> dict[str, Any]:
    day = c.date("as_of")
    active, licensed = c.integer("active_users"), c.integer("licensed_users")
    rate = round(active / licensed, 4) if active is not None and licensed else None
    return {
        "as_of_date": day,
        "active_users": active,
        "licensed_users": licensed,
        "utilization_rate": rate,
        "last_activity_date": c.date("last_activity"),
    }


def _health_values(c: _Cells) -> dict[str, Any]:
    return {
        "as_of_date": c.date("as_of"),
        "health_score": c.score("health_score"),
        "risk_score": c.score("risk_score"),
        "opportunity_score": c.score("opportunity_score"),
    }


# Which of the file's fields each stored column comes from: an update leaves a column alone
# when the file has none of them (its key columns are always given).
SOURCES: dict[str, dict[str, tuple[str, ...]]] = {
    "contracts": {
        "start_date": ("start_date", "close_date"),
        "end_date": ("end_date", "start_date", "close_date", "term_months"),
        "term_months": ("term_months", "end_date", "start_date", "close_date"),
        "status": ("stage",),
        "signed_on": ("close_date", "stage"),
    },
    "contacts": {"name": ("name", "first_name", "last_name")},
    "usage": {
        "as_of_date": ("as_of",),
        "utilization_rate": ("active_users", "licensed_users"),
        "last_activity_date": ("last_activity",),
    },
    "health": {"as_of_date": ("as_of",)},
}


def _given(kind: str, column: str, fields: dict[str, int]) -> bool:
    return column == "external_id" or any(
        f in fields for f in SOURCES.get(kind, {}).get(column, (column,))
    )


_TABLES: dict[str, SATable] = {
    "contracts": cast(SATable, Contract.__table__),
    "customer_stakeholders": cast(SATable, CustomerStakeholder.__table__),
    "customer_usage_metrics": cast(SATable, CustomerUsage.__table__),
    "customer_intelligence": cast(SATable, CustomerIntelligence.__table__),
}

_FACTS: dict[str, _Facts] = {
    "contracts": _Facts(
        _TABLES["contracts"],
        "external_id",
        lambda cid, v: (cid, v["external_id"]),
        _contract_values,
        _existing(
            Contract,
            ("external_id",),
            (
                "external_id",
                "start_date",
                "end_date",
                "arr",
                "term_months",
                "seats",
                "status",
                "signed_on",
            ),
        ),
    ),
    "contacts": _Facts(
        _TABLES["customer_stakeholders"],
        "name",
        lambda cid, v: (cid, v["name"]),
        _contact_values,
        _existing(CustomerStakeholder, ("name",), ("name", "title", "email", "role")),
    ),
    "usage": _Facts(
        _TABLES["customer_usage_metrics"],
        "as_of",
        lambda cid, v: (cid, v["as_of_date"]),
        _usage_values,
        _existing(
            CustomerUsage,
            ("as_of_date",),
            (
                "as_of_date",
                "active_users",
                "licensed_users",
                "utilization_rate",
                "last_activity_date",
            ),
        ),
    ),
    "health": _Facts(
        _TABLES["customer_intelligence"],
        "as_of",
        lambda cid, v: (cid, v["as_of_date"]),
        _health_values,
        _existing(
            CustomerIntelligence,
            ("as_of_date",),
            ("as_of_date", "health_score", "risk_score", "opportunity_score"),
        ),
    ),
}

__all__ = [
    "FIELDS",
    "ImportRefused",
    "ImportResult",
    "ImportService",
    "Rejected",
    "bundle_files",
    "kind_of",
    "mapping_from",
    "rejects_path_for",
]
