"""`renubu import` and `renubu export` as a person runs them: one-line errors, the report of
refused rows, a closed pipe that ends quietly, an export that imports back unchanged."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import sys
from pathlib import Path
from subprocess import PIPE, Popen

import pytest

from renubu_tui.data.seed.crm_export import hubspot_companies, salesforce_accounts
from tests.cli.conftest import Run, child_env


def _owners(db_file: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(db_file) as con:
        return con.execute("SELECT name, email FROM users").fetchall()


@pytest.fixture
def hubspot(tmp_path: Path, db_file: Path) -> Path:
    path = tmp_path / "companies.csv"
    path.write_text(hubspot_companies(40, _owners(db_file)), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("args", "said", "code"),
    [
        (["customers", "{tmp}/missing.csv"], "missing.csv: no such file", 2),
        (["widgets", "{tmp}/companies.csv"], "unknown import kind 'widgets'", 1),
        (["customers", "{tmp}/companies.csv", "--mapping", "{tmp}/bad.toml"], "not valid TOML", 1),
        (["customers", "{tmp}/companies.csv", "--mapping", "{tmp}/no.toml"], "no such mapping", 2),
        (["customers", "{tmp}/empty.csv"], "the file is empty", 1),
        (["customers", "{tmp}/sheet.xlsx"], "not a readable XLSX workbook", 1),
        (["customers"], "give KIND FILE", 2),
        (["--bundle", "{tmp}/nowhere"], "no such folder", 2),
    ],
)
def test_a_bad_import_is_one_line(
    cli: Run, tmp_path: Path, hubspot: Path, args: list[str], said: str, code: int
) -> None:
    (tmp_path / "bad.toml").write_text("[columns\n", encoding="utf-8")
    (tmp_path / "empty.csv").write_text("", encoding="utf-8")
    (tmp_path / "sheet.xlsx").write_text("not a zip", encoding="utf-8")
    exit_code, out, err = cli("import", *[a.format(tmp=tmp_path) for a in args])
    assert exit_code == code, (out, err)
    assert said in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_refused_rows_are_reported_and_stop_the_import(
    cli: Run, tmp_path: Path, db_file: Path
) -> None:
    export = salesforce_accounts(300, _owners(db_file), seed=3)
    path = tmp_path / "sf.csv"
    path.write_text(export.text, encoding="utf-8")
    code, out, _ = cli("import", "customers", str(path))
    assert code == 1
    assert "nothing written" in out and f"refused {len(export.refused_lines)}" in out
    for line in export.refused_lines:
        assert f"  line {line}: " in out
    rejects = list(csv.reader((tmp_path / "sf.rejects.csv").open(encoding="utf-8")))
    assert len(rejects) == 1 + len(export.refused_lines)
    code, out, _ = cli("import", "customers", str(path), "--dry-run")
    assert code == 1 and "would insert" in out and "dry run: nothing written" in out
    code, out, _ = cli("import", "customers", str(path), "--dry-run", "--skip-invalid")
    assert code == 0 and f"would insert {len(export.accounts)}" in out
    code, out, err = cli("import", "customers", str(path), "--skip-invalid")
    assert code == 0 and f"inserted {len(export.accounts)}" in out
    assert err == ""  # no progress bar when stderr is not a terminal
    assert "today's queue rebuilt" in out


def test_an_export_imports_back_unchanged(cli: Run, hubspot: Path, tmp_path: Path) -> None:
    code, out, _ = cli("import", "customers", str(hubspot))
    assert code == 0, out
    code, out, _ = cli("export", "customers")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    ours = [r for r in rows if r["External ID"]]
    assert len(ours) == 40 and all(r["Renewal Date"] and r["ARR"] for r in ours)
    back = tmp_path / "back.csv"
    with back.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(ours)
    code, out, _ = cli("import", "customers", str(back))
    assert code == 0 and "inserted 0, updated 0, unchanged 40, refused 0" in out, out
    code, out, _ = cli("export", "queue", "--format", "json")
    queue = json.loads(out)
    assert queue[0]["Rank"] == 1 and {"Customer", "Score", "Owner"} <= set(queue[0])
    assert isinstance(queue[0]["ARR"], float) and isinstance(queue[0]["Days"], int)
    code, out, _ = cli("export", "tasks")
    assert code == 0 and out.startswith("Due,Customer,Title")


def test_an_xlsx_export_imports(cli: Run, tmp_path: Path, db_file: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Record ID", "Company name", "Annual revenue", "Renewal date"])
    import datetime as dt

    sheet.append([77, "Sheet Co", 125000, dt.datetime(2026, 2, 28)])
    book.save(tmp_path / "companies.xlsx")
    code, out, err = cli("import", "customers", str(tmp_path / "companies.xlsx"))
    assert code == 0 and "inserted 1" in out, (out, err)


def test_xlsx_without_openpyxl_says_how_to_get_it(
    cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    (tmp_path / "a.xlsx").write_bytes(b"PK")
    code, _, err = cli("import", "customers", str(tmp_path / "a.xlsx"))
    assert code == 1 and "pip install 'renubu[xlsx]'" in err


@pytest.mark.parametrize("args", [["export", "customers"], ["export", "queue", "--format", "json"]])
def test_export_into_a_closed_pipe_ends_quietly(cli_env: dict[str, str], args: list[str]) -> None:
    """`renubu export … | head -1`: no BrokenPipeError, no traceback, nothing on stderr."""
    with Popen(
        [sys.executable, "-m", "renubu_tui", *args],
        env=child_env(cli_env),
        stdout=PIPE,
        stderr=PIPE,
    ) as child:
        assert child.stdout is not None and child.stderr is not None
        child.stdout.readline()
        child.stdout.close()  # `head -1` exits
        err = child.stderr.read().decode()
        child.wait(timeout=60)
    assert "Traceback" not in err and "Error" not in err, err
    assert child.returncode in (0, 141), err


def test_a_bundle_dry_run_counts_what_its_customers_file_would_add(
    cli: Run, tmp_path: Path
) -> None:
    folder = tmp_path / "crm"
    folder.mkdir()
    (folder / "customers.csv").write_text(
        "Account ID;Account Name;Annual Revenue;Contract End Date\n"
        'A1;"Müller & Söhne";"1.250,00 €";31.03.2026\n',
        encoding="utf-8",
    )
    (folder / "contracts.tsv").write_text(
        "Opportunity ID\tAccount ID\tStage\tAmount\tClose Date\tContract Start Date\n"
        "O1\tA1\tClosed Won\t$1,300.00\t3/25/2025\t4/1/2025\n",
        encoding="utf-8",
    )
    us = tmp_path / "us.toml"
    us.write_text('date_format = "%m/%d/%Y"\n', encoding="utf-8")
    code, out, _ = cli("import", "--bundle", str(folder), "--dry-run", "--mapping", str(us))
    assert code == 0, out
    assert "contracts.tsv: 1 row (contracts): would insert 0, would update 0" not in out
    assert "contracts.tsv: 1 row (contracts): would insert 1" in out
    assert "(contracts): would insert 1" in out
    code, out, _ = cli("import", "--bundle", str(folder), "--mapping", str(us))
    assert code == 0 and out.count("today's queue rebuilt") == 1, out
    assert "(contracts): inserted 0, updated 1" in out  # the deal took over the account's term
