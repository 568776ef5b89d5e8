"""Realistic CRM exports, generated: a Salesforce Accounts report as a CSM downloads it, with the
mess real ones carry (money as `$1,234.00`, `1.234,00 €` or `USD 1234`; renewal dates in ISO,
US and European forms; accounts listed twice; owners who are not users; descriptions spanning
lines). For the import tests, `bench/import.py` and trying `renubu import` by hand.

`salesforce_accounts` returns the CSV text and what a correct import must make of it: which
lines are refused, and the customers the others become.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from dataclasses import dataclass, field

SALESFORCE_HEADERS = [
    "Account ID",
    "Account Name",
    "Account Owner",
    "Annual Revenue",
    "Contract End Date",
    "Industry",
    "Website",
    "Type",
    "Description",
]
INDUSTRIES = ["Software", "Healthcare", "Retail", "Finance", "Manufacturing", "Education"]
WORDS = [
    "Blue", "North", "Apex", "Cedar", "Quantum", "Harbor", "Summit", "Pine", "Vertex", "Atlas",
    "Nimbus", "Orbit", "Granite", "Silver", "Maple", "Falcon", "Lumen", "Delta", "Ember", "Nova",
]  # fmt: skip
SUFFIXES = ["Corp", "Labs", "Systems", "Health", "Group", "Analytics", "Logistics", "Bank"]


@dataclass
class Export:
    text: str
    rows: int
    refused_lines: dict[int, str] = field(default_factory=dict)  # line -> the cause
    accounts: dict[str, dict[str, object]] = field(default_factory=dict)  # id -> expected


def account_id(n: int) -> str:
    return f"001{n:012d}AAA"


def salesforce_accounts(
    n: int,
    owners: list[tuple[str, str]],
    *,
    seed: int = 7,
    messy: bool = True,
    start: dt.date = dt.date(2025, 10, 1),
) -> Export:
    """`n` account rows (plus duplicates when messy) owned by `owners` [(name, email)]."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # Salesforce writes CRLF
    writer.writerow(SALESFORCE_HEADERS)
    line = 2
    export = Export(text="", rows=0)
    written: list[list[str]] = []
    for i in range(n):
        ext = account_id(i + 1)
        name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(SUFFIXES)} {i + 1}"
        arr = round(rng.uniform(5_000, 400_000), 2) if rng.random() > 0.02 else 0.0
        renewal = start + dt.timedelta(days=rng.randint(-20, 400))
        owner_name, owner_email = rng.choice(owners)
        owner = owner_email if rng.random() < 0.5 else owner_name
        cause = ""
        money = f"${arr:,.2f}"
        date_text = renewal.isoformat()
        if messy:
            form = rng.random()
            if form < 0.25:
                european = f"{arr:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
                money = f"{european} €"
            elif form < 0.4:
                arr = float(round(arr))
                money = f"USD {arr:.0f}"
            d = rng.random()
            if d < 0.3:  # US, made unambiguous (day > 12) or left ambiguous (refused)
                date_text = f"{renewal.month}/{renewal.day}/{renewal.year}"
                if renewal.day <= 12 and renewal.day != renewal.month:
                    cause = "ambiguous date"
            elif d < 0.55:
                date_text = f"{renewal.day:02d}.{renewal.month:02d}.{renewal.year}"
            if rng.random() < 0.03:
                owner, cause = f"Former Rep {i}", "unknown owner"
            if rng.random() < 0.01:
                money, cause = "call me", "bad money"
        description = "Renewal owner changed.\nSee QBR notes." if rng.random() < 0.05 else ""
        row = [
            ext,
            name,
            owner,
            money,
            date_text,
            rng.choice(INDUSTRIES),
            f"https://www.{name.split()[0].lower()}{i + 1}.example.com",
            "Customer",
            description,
        ]
        writer.writerow(row)
        written.append(row)
        if cause:
            export.refused_lines[line] = cause
        else:
            export.accounts[ext] = {"name": name, "arr": arr, "renewal": renewal}
        line += 1 + description.count("\n")
        export.rows += 1
        if messy and rng.random() < 0.02:  # the same account listed again (a report's join)
            writer.writerow(row)
            export.refused_lines[line] = "duplicate account"
            line += 1 + description.count("\n")
            export.rows += 1
    export.text = out.getvalue()
    return export


HUBSPOT_HEADERS = [
    "Record ID",
    "Company name",
    "Company owner",
    "Annual revenue",
    "Renewal date",
    "Industry",
    "Company Domain Name",
]


def hubspot_companies(n: int, owners: list[tuple[str, str]], *, seed: int = 11) -> str:
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HUBSPOT_HEADERS)
    for i in range(n):
        name = f"{rng.choice(WORDS)} {rng.choice(SUFFIXES)} HS{i + 1}"
        renewal = dt.date(2025, 10, 1) + dt.timedelta(days=rng.randint(0, 365))
        writer.writerow(
            [
                str(9_000_000 + i),
                name,
                rng.choice(owners)[1],
                f"{rng.randint(10, 300) * 1000}",
                renewal.isoformat(),
                rng.choice(INDUSTRIES).upper(),
                f"hs{i + 1}.example.org",
            ]
        )
    return out.getvalue()
