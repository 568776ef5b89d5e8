"""`renubu import` as a use case: validated first, one transaction, idempotent, audited, the
queue rebuilt and a change published. Both backends."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from renubu_tui.clock import Clock
from renubu_tui.data.engine import Database
from renubu_tui.data.models import (
    AuditEntry,
    ChangeEvent,
    Contract,
    Customer,
    CustomerIntelligence,
    CustomerStakeholder,
    CustomerUsage,
    QueueItem,
    User,
)
from renubu_tui.data.seed.crm_export import hubspot_companies, salesforce_accounts
from renubu_tui.domain.imports import read_mapping
from renubu_tui.services.container import Services, build_services
from renubu_tui.services.imports.service import ImportRefused, bundle_files, mapping_from
from renubu_tui.settings import Settings
from tests.conftest import TEST_TODAY

MAYA = "maya.patel@acmecloud.com"


async def _services(db: Database) -> Services:
    return await build_services(
        db, Settings(database_url="sqlite+aiosqlite://", user=MAYA), Clock(TEST_TODAY)
    )


async def _owners(db: Database) -> list[tuple[str, str]]:
    async with db.sessions() as s:
        return [(n, e) for n, e in (await s.execute(select(User.name, User.email))).all()]


async def _count(db: Database, model: object, *where: object) -> int:
    async with db.sessions() as s:
        statement = select(func.count()).select_from(model)  # type: ignore[arg-type]
        return int(await s.scalar(statement.where(*where)) or 0)  # type: ignore[arg-type]


async def _imported(db: Database) -> int:
    return await _count(db, Customer, Customer.external_id.is_not(None))


async def test_a_messy_salesforce_export_refuses_its_bad_rows_and_writes_nothing(
    seeded_db: Database, tmp_path: Path
) -> None:
    """2 000 rows: messy money, three date forms, duplicates, unknown owners (the done-when)."""
    services = await _services(seeded_db)
    export = salesforce_accounts(2000, await _owners(seeded_db))
    path = tmp_path / "accounts.csv"
    path.write_text(export.text, encoding="utf-8")
    causes = set(export.refused_lines.values())
    assert {"ambiguous date", "unknown owner", "duplicate account", "bad money"} <= causes
    audits = await _count(seeded_db, AuditEntry)

    result = await services.importer().run("customers", path)
    assert result.stopped and not result.written
    assert {r.line for r in result.refused} == set(export.refused_lines)
    assert await _imported(seeded_db) == 0  # nothing partial
    assert await _count(seeded_db, AuditEntry) == audits
    # every refused row: its line, column and reason, also in accounts.rejects.csv
    rejects = (tmp_path / "accounts.rejects.csv").read_text(encoding="utf-8")
    assert rejects.startswith("line,column,reason,Account ID")
    by_line = {r.line: r for r in result.refused}
    for line, cause in export.refused_lines.items():
        refused = by_line[line]
        column = {
            "ambiguous date": "Contract End Date",
            "unknown owner": "Account Owner",
            "duplicate account": "Account ID",
            "bad money": "Annual Revenue",
        }[cause]
        assert column in refused.columns, (line, cause, refused)

    result = await services.importer().run("customers", path, skip_invalid=True)
    assert result.written and result.inserted == len(export.accounts)
    assert await _imported(seeded_db) == len(export.accounts)
    async with seeded_db.sessions() as s:
        rows = (
            await s.execute(
                select(Customer.external_id, Customer.name, Contract.arr, Contract.end_date)
                .join(Contract, Contract.customer_id == Customer.id)
                .where(Customer.external_id.is_not(None))
            )
        ).all()
    for ext, name, arr, end in rows:
        expected = export.accounts[ext]
        assert (name, arr, end) == (expected["name"], expected["arr"], expected["renewal"])
    # the queue shows them today, and every open app heard of it
    async with seeded_db.sessions() as s:
        queued = await s.scalar(
            select(func.count())
            .select_from(QueueItem)
            .join(Customer, Customer.id == QueueItem.customer_id)
            .where(Customer.external_id.is_not(None), QueueItem.as_of == TEST_TODAY)
        )
        kinds = (await s.scalars(select(ChangeEvent.kind))).all()
    assert queued and "import-customers" in kinds

    # the same file again changes nothing: no write, no audit, no event
    audits, events = await _count(seeded_db, AuditEntry), await _count(seeded_db, ChangeEvent)
    again = await services.importer().run("customers", path, skip_invalid=True)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, len(export.accounts))
    assert await _count(seeded_db, AuditEntry) == audits
    assert await _count(seeded_db, ChangeEvent) == events


async def test_a_changed_row_updates_the_customer_and_is_audited(
    seeded_db: Database, tmp_path: Path
) -> None:
    services = await _services(seeded_db)
    path = tmp_path / "accounts.csv"
    path.write_text(
        "Account ID,Account Name,Account Owner,Annual Revenue,Contract End Date\n"
        f'A1,Acme One,{MAYA},"$120,000.00",2026-03-31\n'
        "A2,Acme Two,,50000,2026-05-31\n",
        encoding="utf-8",
    )
    first = await services.importer().run("customers", path)
    assert (first.inserted, first.updated) == (2, 0)
    path.write_text(
        "Account ID,Account Name,Account Owner,Annual Revenue,Contract End Date\n"
        f'A1,Acme One Inc,{MAYA},"$150,000.00",2026-03-31\n'
        "A2,Acme Two,,50000,2026-05-31\n",
        encoding="utf-8",
    )
    dry = await services.importer().run("customers", path, dry_run=True)
    assert (dry.inserted, dry.updated, dry.unchanged, dry.written) == (0, 1, 1, False)
    second = await services.importer().run("customers", path)
    assert (second.inserted, second.updated, second.unchanged) == (0, 1, 1)
    async with seeded_db.sessions() as s:
        customer = await s.scalar(select(Customer).where(Customer.external_id == "A1"))
        assert customer is not None and customer.name == "Acme One Inc"
        arr = await s.scalar(select(Contract.arr).where(Contract.customer_id == customer.id))
        assert arr == 150000.0
        audit = await s.scalar(
            select(AuditEntry).where(
                AuditEntry.entity_id == str(customer.id), AuditEntry.action == "import-update"
            )
        )
    assert audit is not None and audit.actor_label == MAYA
    assert audit.old_value["name"] == "Acme One" and audit.new_value["name"] == "Acme One Inc"
    assert audit.new_value["contract"]["arr"] == 150000.0


async def test_a_dry_run_writes_nothing(seeded_db: Database, tmp_path: Path) -> None:
    services = await _services(seeded_db)
    path = tmp_path / "hubspot.csv"
    path.write_text(hubspot_companies(50, await _owners(seeded_db)), encoding="utf-8")
    result = await services.importer().run("customers", path, dry_run=True)
    assert (result.inserted, result.refused, result.written) == (50, [], False)
    assert await _imported(seeded_db) == 0
    assert not (tmp_path / "hubspot.rejects.csv").exists()


async def test_a_hubspot_export_imports_out_of_the_box(seeded_db: Database, tmp_path: Path) -> None:
    services = await _services(seeded_db)
    path = tmp_path / "companies.csv"
    path.write_text(hubspot_companies(30, await _owners(seeded_db)), encoding="utf-8")
    result = await services.importer().run("customers", path)
    assert result.written and not result.refused
    assert await _imported(seeded_db) == 30
    async with seeded_db.sessions() as s:
        domain = await s.scalar(select(Customer.domain).where(Customer.external_id == "9000000"))
    assert domain == "hs1.example.org"


async def test_a_mapping_file_names_columns_and_the_date_format(
    seeded_db: Database, tmp_path: Path
) -> None:
    services = await _services(seeded_db)
    path = tmp_path / "book.csv"
    path.write_text(
        "Cust No;Client;CSM;ARR (EUR);Renewal\n"
        "K-1;Müller GmbH;Somebody New;1.250,50;03/04/2026\n"
        "K-2;Dupont SA;;12,5;04/03/2026\n",
        encoding="utf-8",
    )
    mapping_file = tmp_path / "book.toml"
    mapping_file.write_text(
        'date_format = "%d/%m/%Y"\ndecimal = ","\nunknown_owner = "unassigned"\n'
        '[columns]\nexternal_id = "Cust No"\nname = "Client"\nowner = "CSM"\n'
        'arr = "ARR (EUR)"\nrenewal_date = "Renewal"\n',
        encoding="utf-8",
    )
    result = await services.importer().run("customers", path, mapping=mapping_from(mapping_file))
    assert result.written and not result.refused, result.refused
    async with seeded_db.sessions() as s:
        rows = dict(
            (
                await s.execute(
                    select(Customer.external_id, Contract.end_date)
                    .join(Contract, Contract.customer_id == Customer.id)
                    .where(Customer.external_id.is_not(None))
                )
            ).all()
        )
        arr = await s.scalar(
            select(Contract.arr)
            .join(Customer, Customer.id == Contract.customer_id)
            .where(Customer.external_id == "K-1")
        )
        owner = await s.scalar(select(Customer.owner_id).where(Customer.external_id == "K-1"))
    assert rows == {"K-1": dt.date(2026, 4, 3), "K-2": dt.date(2026, 3, 4)}
    assert arr == 1250.5 and owner is None


async def test_bom_semicolons_and_multiline_fields(seeded_db: Database, tmp_path: Path) -> None:
    services = await _services(seeded_db)
    path = tmp_path / "accounts.csv"
    text = (
        "Account ID;Account Name;Description;Annual Revenue;Contract End Date\r\n"
        'B1;"Semi; Colon AG";"two\r\nlines";"1.234,00 €";31.12.2026\r\n'
        'B2;Beta;"";"n/a";2026-12-31\r\n'
    )
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    result = await services.importer().run("customers", path, dry_run=True)
    assert result.inserted == 1
    [refused] = result.refused
    assert (refused.line, refused.columns) == (4, ["Annual Revenue"])  # B2 starts on line 4
    assert "'n/a' is not an amount" in refused.reasons[0]


async def test_a_bundle_imports_customers_then_their_facts(
    seeded_db: Database, tmp_path: Path
) -> None:
    services = await _services(seeded_db)
    (tmp_path / "customers.csv").write_text(
        "Account ID,Account Name,Annual Revenue,Contract End Date\nC1,Cee One,1000,2026-01-31\n",
        encoding="utf-8",
    )
    (tmp_path / "contracts.csv").write_text(
        "Opportunity ID,Account ID,Amount,Close Date,Contract Start Date,Contract End Date,Stage\n"
        'O1,C1,"$2,000",2026-01-20,2026-02-01,2027-01-31,Closed Won\n'
        "O2,C9,100,2026-01-20,2026-02-01,2027-01-31,Closed Won\n",
        encoding="utf-8",
    )
    (tmp_path / "contacts.csv").write_text(
        "Account ID,First Name,Last Name,Title,Email,Contact Role\n"
        "C1,Ada,Lovelace,CTO,ada@cee.example,Decision Maker\n",
        encoding="utf-8",
    )
    (tmp_path / "usage.csv").write_text(
        "Account ID,Date,Active Users,Licensed Users\nC1,2025-09-01,40,50\n", encoding="utf-8"
    )
    (tmp_path / "health.csv").write_text(
        "Account ID,Date,Health Score,Risk Score\nC1,2025-09-01,72,140\n", encoding="utf-8"
    )
    files = bundle_files(tmp_path)
    assert [k for k, _ in files] == ["customers", "contracts", "contacts", "usage", "health"]
    # a dry run of the bundle counts the facts of the customers its first file would add
    to_come: set[str] = set()
    dry = []
    for kind, path in files:
        result = await services.importer().run(
            kind, path, dry_run=True, skip_invalid=True, accounts_to_come=to_come
        )
        to_come |= result.new_accounts
        dry.append((result.inserted, len(result.refused)))
    assert dry == [(1, 0), (1, 1), (1, 0), (1, 0), (0, 1)]
    assert await _imported(seeded_db) == 0
    results = [await services.importer().run(k, p, skip_invalid=True) for k, p in files]
    assert [len(r.refused) for r in results] == [0, 1, 0, 0, 1]
    assert "no customer has account id C9" in results[1].refused[0].reasons[0]
    assert "outside 0–100" in results[4].refused[0].reasons[0]
    async with seeded_db.sessions() as s:
        cid = await s.scalar(select(Customer.id).where(Customer.external_id == "C1"))
        signed = await s.scalar(select(Contract.signed_on).where(Contract.external_id == "O1"))
        contact = await s.scalar(
            select(CustomerStakeholder).where(CustomerStakeholder.customer_id == cid)
        )
        usage = await s.scalar(select(CustomerUsage).where(CustomerUsage.customer_id == cid))
    assert signed == dt.date(2026, 1, 20)
    assert contact is not None
    assert (contact.name, contact.role) == ("Ada Lovelace", "decision_maker")
    assert usage is not None and usage.utilization_rate == 0.8
    health = CustomerIntelligence.customer_id == cid
    assert await _count(seeded_db, CustomerIntelligence, health) == 0  # its one row was refused
    again = [await services.importer().run(k, p, skip_invalid=True) for k, p in files]
    assert [(r.inserted, r.updated) for r in again] == [(0, 0)] * 5


@pytest.mark.parametrize(
    ("mapping", "said"),
    [
        ("[columns\n", "not valid TOML"),
        ("colums = {}\n", "unknown key 'colums'"),
        ('[columns]\nnmae = "Client"\n', "customers have no field 'nmae'"),
        ('[columns]\nname = "Nope"\n', "has no column 'Nope'"),
        ('date_format = "dd/mm/yyyy"\n', "strptime"),
    ],
)
async def test_a_bad_mapping_is_refused_in_words(
    seeded_db: Database, tmp_path: Path, mapping: str, said: str
) -> None:
    services = await _services(seeded_db)
    path = tmp_path / "a.csv"
    path.write_text("Account ID,Account Name\nX,Y\n", encoding="utf-8")
    (tmp_path / "m.toml").write_text(mapping, encoding="utf-8")
    with pytest.raises(ImportRefused, match=said):
        await services.importer().run("customers", path, mapping=mapping_from(tmp_path / "m.toml"))


def test_mapping_reads_its_keys() -> None:
    mapping = read_mapping('decimal = ","\n[columns]\nname = "Client"\n')
    assert (mapping.decimal, mapping.columns) == (",", {"name": "Client"})


async def test_a_deal_takes_over_the_accounts_term_and_both_files_stay_idempotent(
    seeded_db: Database, tmp_path: Path
) -> None:
    """The accounts file and the opportunities describe the same term: one contract, not two,
    and neither file changes anything when imported again (in either order)."""
    services = await _services(seeded_db)
    accounts = tmp_path / "customers.csv"
    accounts.write_text(
        "Account ID,Account Name,Annual Revenue,Contract End Date\nD1,Dee,1000,2026-01-31\n",
        encoding="utf-8",
    )
    deals = tmp_path / "contracts.csv"
    deals.write_text(
        "Opportunity ID,Account ID,Amount,Close Date,Contract Start Date,Contract End Date,Stage\n"
        "O7,D1,1200,2025-01-20,2025-02-01,2026-01-31,Closed Won\n",
        encoding="utf-8",
    )
    importer = services.importer()
    assert (await importer.run("customers", accounts)).inserted == 1
    took = await importer.run("contracts", deals)
    assert (took.inserted, took.updated, took.refused) == (0, 1, [])
    for kind, path in [("customers", accounts), ("contracts", deals), ("customers", accounts)]:
        again = await importer.run(kind, path)  # type: ignore[arg-type]
        assert (again.inserted, again.updated, again.refused) == (0, 0, []), kind
    async with seeded_db.sessions() as s:
        terms = (
            await s.execute(
                select(Contract.external_id, Contract.arr)
                .join(Customer, Customer.id == Contract.customer_id)
                .where(Customer.external_id == "D1")
            )
        ).all()
    assert terms == [("O7", 1200.0)]
    # the account's renewal moves on: a new term of its own, beside the deal's
    accounts.write_text(
        "Account ID,Account Name,Annual Revenue,Contract End Date\nD1,Dee,1300,2027-01-31\n",
        encoding="utf-8",
    )
    moved = await importer.run("customers", accounts)
    assert (moved.inserted, moved.updated) == (0, 1)
    async with seeded_db.sessions() as s:
        ends = sorted(
            (
                await s.scalars(
                    select(Contract.end_date)
                    .join(Customer, Customer.id == Contract.customer_id)
                    .where(Customer.external_id == "D1")
                )
            ).all()
        )
    assert ends == [dt.date(2026, 1, 31), dt.date(2027, 1, 31)]


async def test_a_salesforce_report_footer_is_left_out(seeded_db: Database, tmp_path: Path) -> None:
    services = await _services(seeded_db)
    path = tmp_path / "report.csv"
    path.write_text(
        '"Account ID","Account Name","Annual Revenue","Contract End Date"\n'
        '"F1","Eff","$5,000.00","2026-06-30"\n'
        "\n"
        '"Grand Totals (1 records)"\n'
        "\n"
        '"Confidential Information - Do Not Distribute"\n'
        '"Copyright (c) 2000-2025 salesforce.com, inc. All rights reserved."\n',
        encoding="utf-8",
    )
    result = await services.importer().run("customers", path)
    assert (result.rows, result.inserted, result.refused) == (1, 1, [])
    assert "3 footer line(s)" in result.notes[0]


async def test_a_column_the_file_lacks_leaves_its_field_alone(
    seeded_db: Database, tmp_path: Path
) -> None:
    """A second export with fewer columns (no owner, industry, ARR, contact title) updates only
    what it has; an empty cell of a column it has clears the field."""
    services = await _services(seeded_db)
    importer = services.importer()
    full = tmp_path / "full.csv"
    full.write_text(
        "Account ID,Account Name,Account Owner,Industry,Annual Revenue,Contract End Date\n"
        f"L1,Ell,{MAYA},Retail,5000,2026-06-30\n",
        encoding="utf-8",
    )
    contacts = tmp_path / "contacts.csv"
    contacts.write_text(
        "Account ID,Full Name,Title,Email\nL1,Lee Ell,CEO,lee@ell.example\n", encoding="utf-8"
    )
    await importer.run("customers", full)
    await importer.run("contacts", contacts)
    narrow = tmp_path / "narrow.csv"
    narrow.write_text(
        "Account ID,Account Name,Contract End Date\nL1,Ell,2026-06-30\n", encoding="utf-8"
    )
    same = await importer.run("customers", narrow)
    assert (same.updated, same.unchanged) == (0, 1)
    contacts.write_text("Account ID,Full Name,Email\nL1,Lee Ell,\n", encoding="utf-8")
    cleared = await importer.run("contacts", contacts)
    assert cleared.updated == 1
    async with seeded_db.sessions() as s:
        customer = await s.scalar(select(Customer).where(Customer.external_id == "L1"))
        assert customer is not None and customer.industry == "Retail" and customer.owner_id
        arr = await s.scalar(select(Contract.arr).where(Contract.customer_id == customer.id))
        contact = await s.scalar(
            select(CustomerStakeholder).where(CustomerStakeholder.customer_id == customer.id)
        )
    assert arr == 5000.0
    assert contact is not None and (contact.title, contact.email) == ("CEO", None)


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ('Account ID,Account Name\nA1,"Semi; Colon; Ltd"\nA2,"X; Y; Z"\n', ","),
        ("Account ID;Account Name;Annual Revenue\nA1;Eff;2,5\n", ";"),
        ("Account ID\tAccount Name\nA1\tEff\n", "\t"),
        ("Account ID|Account Name\nA1|Eff\n", "|"),
    ],
)
def test_the_delimiter_is_found(tmp_path: Path, text: str, delimiter: str) -> None:
    from renubu_tui.services.imports.reader import read_table

    path = tmp_path / "a.csv"
    path.write_text(text, encoding="utf-8")
    table = read_table(path)
    assert table.delimiter == delimiter and table.headers[:2] == ["Account ID", "Account Name"]


async def test_a_fixed_file_takes_its_stale_rejects_file_away(
    seeded_db: Database, tmp_path: Path
) -> None:
    services = await _services(seeded_db)
    path = tmp_path / "accounts.csv"
    path.write_text("Account ID,Account Name,Annual Revenue\nR1,Arr,lots\n", encoding="utf-8")
    result = await services.importer().run("customers", path, dry_run=True)
    assert result.rejects_path == tmp_path / "accounts.rejects.csv"
    assert result.rejects_path.read_text(encoding="utf-8").splitlines() == [
        "line,column,reason,Account ID,Account Name,Annual Revenue",
        "2,Annual Revenue,'lots' is not an amount,R1,Arr,lots",
    ]
    path.write_text("Account ID,Account Name,Annual Revenue\nR1,Arr,\n", encoding="utf-8")
    fixed = await services.importer().run("customers", path, dry_run=True)
    assert fixed.rejects_path is None and not (tmp_path / "accounts.rejects.csv").exists()
