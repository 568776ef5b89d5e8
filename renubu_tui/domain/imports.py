"""Reading a CRM export's cells: which column is which, money, dates, the mapping file.

Pure: no I/O. `services/imports` reads the file and writes the rows; this module says what a
header means and what a cell is worth, or why it is refused (ValueError with the reason).

- Columns: each import kind has fields; a field is found by the names real exports use
  (Salesforce Accounts and Opportunities reports, HubSpot companies and contacts exports), or
  by the column a mapping file names. Header matching ignores case, spaces, `_`, `-` and `.`.
- Money: currency symbols and codes, spaces and apostrophes as thousands separators, US
  (`1,234.50`) and European (`1.234,50`) forms. A single separator followed by exactly three
  digits (`1,250` or `1.250`) is a thousands separator; the mapping's `decimal = ","` makes a
  comma the decimal mark instead.
- Dates: ISO (`2025-03-04`, with or without a time), US (`3/4/2025`), European (`4.3.2025`,
  `4/3/2025`), and month names (`Mar 4, 2025`, `4 March 2025`). A slashed or dashed day and
  month that could be either (`3/4/2025`) is refused as ambiguous unless the mapping names the
  format (`date_format = "%m/%d/%Y"`: tried first, the other forms still read); dots are
  European by convention, never ambiguous.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["customers", "contracts", "contacts", "usage", "health"]
KINDS: tuple[Kind, ...] = ("customers", "contracts", "contacts", "usage", "health")
UNKNOWN_OWNER = ("refuse", "unassigned")


@dataclass(frozen=True)
class Field:
    name: str
    aliases: tuple[str, ...]
    what: str  # text, money, date, int, number, owner, email
    required: bool = False
    label: str = ""

    @property
    def said(self) -> str:
        return self.label or self.name.replace("_", " ")


def _f(name: str, what: str, *aliases: str, required: bool = False, label: str = "") -> Field:
    return Field(name, (name, *aliases), what, required, label)


# The account a contract or contact belongs to, as both kinds' exports name it.
ACCOUNT_REF = _f(
    "customer",
    "text",
    "Account ID",
    "Account ID (18)",
    "Company ID",
    "Associated Company ID",
    "Customer ID",
    required=True,
    label="account id",
)

# The columns each kind reads. The first alias lists are the Salesforce and HubSpot headers.
FIELDS: dict[Kind, tuple[Field, ...]] = {
    "customers": (
        _f(
            "external_id",
            "text",
            "Account ID",
            "Account ID (18)",
            "Account ID 18",
            "Record ID",
            "Company ID",
            "HubSpot ID",
            "External ID",
            "ID",
            required=True,
            label="external id",
        ),
        _f("name", "text", "Account Name", "Company name", "Name", "Customer", required=True),
        _f("owner", "owner", "Account Owner", "Company owner", "Owner", "CSM", "Owner Email"),
        _f(
            "arr",
            "money",
            "ARR",
            "Annual Recurring Revenue",
            "Annual Revenue",
            "Annual revenue",
            "Recurring revenue",
            "Contract Value",
            label="ARR",
        ),
        _f(
            "renewal_date",
            "date",
            "Contract End Date",
            "Renewal date",
            "Renewal Date",
            "Next Renewal Date",
            "Contract end date",
            label="renewal date",
        ),
        _f("contract_start", "date", "Contract Start Date", "Contract start date"),
        _f("industry", "text", "Industry"),
        _f("domain", "text", "Website", "Company Domain Name", "Domain", "Website URL"),
    ),
    "contracts": (
        _f(
            "external_id",
            "text",
            "Opportunity ID",
            "Opportunity ID (18)",
            "Deal ID",
            "Contract ID",
            "Record ID",
            required=True,
            label="external id",
        ),
        ACCOUNT_REF,
        _f("arr", "money", "Amount", "ARR", "Annual Contract Value", "Deal amount", label="ARR"),
        _f("start_date", "date", "Contract Start Date", "Start Date", "Service Start Date"),
        _f("end_date", "date", "Contract End Date", "End Date", "Renewal date", "Service End Date"),
        _f("close_date", "date", "Close Date", "Closed Date", "Signed Date"),
        _f("stage", "text", "Stage", "Deal Stage", "Status"),
        _f(
            "term_months", "int", "Term (months)", "Contract Term", "Term", "Contract Term (months)"
        ),
        _f("seats", "int", "Seats", "Quantity", "Licenses"),
    ),
    "contacts": (
        ACCOUNT_REF,
        _f("name", "text", "Full Name", "Contact Name", "Name"),
        _f("first_name", "text", "First Name", "First name"),
        _f("last_name", "text", "Last Name", "Last name"),
        _f("title", "text", "Title", "Job Title", "Job title"),
        _f("email", "email", "Email", "Email Address", "E-mail"),
        _f("role", "text", "Role", "Contact Role", "Contact Roles"),
    ),
    "usage": (
        _f("customer", "text", "Account ID", "Company ID", "Customer ID", required=True),
        _f("as_of", "date", "Date", "As of", "As Of Date", "Week", "Month", required=True),
        _f("active_users", "int", "Active Users", "Active users", "MAU"),
        _f("licensed_users", "int", "Licensed Users", "Licenses", "Seats"),
        _f("last_activity", "date", "Last Activity Date", "Last Activity", "Last login"),
    ),
    "health": (
        _f("customer", "text", "Account ID", "Company ID", "Customer ID", required=True),
        _f("as_of", "date", "Date", "As of", "As Of Date", "Score Date", required=True),
        _f("health_score", "number", "Health Score", "Health", "Customer Health Score"),
        _f("risk_score", "number", "Risk Score", "Churn Risk", "Risk"),
        _f("opportunity_score", "number", "Opportunity Score", "Expansion Score"),
    ),
}

# Salesforce stages that mean a signed term; others are open or lost deals, not contracts.
WON_STAGES = frozenset({"closed won", "closedwon", "won", "signed", "active", "renewed"})
LOST_STAGES = frozenset({"closed lost", "closedlost", "lost", "cancelled", "canceled", "churned"})
ROLES = {
    "decision maker": "decision_maker",
    "economic buyer": "decision_maker",
    "champion": "champion",
    "influencer": "influencer",
    "user": "user",
    "end user": "user",
    "executive sponsor": "executive_sponsor",
    "business user": "user",
    "technical buyer": "influencer",
    "evaluator": "influencer",
}


def header_key(text: str) -> str:
    return re.sub(r"[\s_\-.]+", "", text.strip().lstrip("\ufeff")).casefold()


# --- the mapping file -------------------------------------------------------------------------


class MappingError(ValueError):
    """A mapping file that cannot be used; the message says where and why."""


@dataclass(frozen=True)
class ImportMapping:
    """What a mapping file says (README, "Importing from a CRM")."""

    columns: dict[str, str] = field(default_factory=dict)  # field -> header
    date_format: str | None = None
    decimal: str = "."
    unknown_owner: str = "refuse"
    kind: str | None = None


EMPTY_MAPPING = ImportMapping()
_MAPPING_KEYS = {"columns", "date_format", "decimal", "unknown_owner", "kind"}


def read_mapping(text: str, where: str = "mapping") -> ImportMapping:
    """Parse a mapping file's TOML, checking every key (MappingError says which is wrong)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"{where}: not valid TOML: {exc}") from None
    unknown = sorted(set(data) - _MAPPING_KEYS)
    if unknown:
        raise MappingError(
            f"{where}: unknown key {unknown[0]!r} (known: {', '.join(sorted(_MAPPING_KEYS))})"
        )
    columns = data.get("columns", {})
    if not isinstance(columns, dict) or not all(
        isinstance(v, str) and v.strip() for v in columns.values()
    ):
        raise MappingError(f'{where}: [columns] maps a field to a column name: name = "Client"')
    kind = data.get("kind")
    if kind is not None and kind not in KINDS:
        raise MappingError(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
    date_format = data.get("date_format")
    if date_format is not None:
        if not isinstance(date_format, str) or "%" not in date_format:
            raise MappingError(f'{where}: date_format is a strptime format, e.g. "%d/%m/%Y"')
        try:
            dt.datetime.strptime(dt.date(2024, 12, 31).strftime(date_format), date_format)
        except ValueError:
            raise MappingError(f"{where}: date_format {date_format!r} cannot read a date") from None
    decimal = data.get("decimal", ".")
    if decimal not in (".", ","):
        raise MappingError(f'{where}: decimal is "." or ","')
    unknown_owner = data.get("unknown_owner", "refuse")
    if unknown_owner not in UNKNOWN_OWNER:
        raise MappingError(f'{where}: unknown_owner is "refuse" or "unassigned"')
    return ImportMapping(
        columns={str(k): str(v).strip() for k, v in columns.items()},
        date_format=date_format,
        decimal=decimal,
        unknown_owner=unknown_owner,
        kind=kind,
    )


def check_mapping_fields(mapping: ImportMapping, kind: Kind, where: str = "mapping") -> None:
    known = [f.name for f in FIELDS[kind]]
    for name in mapping.columns:
        if name not in known:
            raise MappingError(
                f"{where}: {kind} have no field {name!r} (fields: {', '.join(known)})"
            )


def match_columns(
    kind: Kind, headers: list[str], mapping: ImportMapping = EMPTY_MAPPING, where: str = "file"
) -> dict[str, int]:
    """field -> column index. A mapped column must exist; required fields must be found."""
    keys = [header_key(h) for h in headers]
    found: dict[str, int] = {}
    taken: set[int] = set()
    for spec in FIELDS[kind]:
        named = mapping.columns.get(spec.name)
        if named is not None:
            if header_key(named) not in keys:
                raise MappingError(f"{where} has no column {named!r} (the mapping's {spec.name})")
            index = keys.index(header_key(named))
            found[spec.name] = index
            taken.add(index)
    for spec in FIELDS[kind]:
        if spec.name in found:
            continue
        for alias in spec.aliases:
            key = header_key(alias)
            if key in keys and keys.index(key) not in taken:
                found[spec.name] = keys.index(key)
                taken.add(found[spec.name])
                break
    for spec in FIELDS[kind]:
        if spec.required and spec.name not in found:
            looked = ", ".join(spec.aliases[1:5])
            raise MappingError(
                f"{where} has no {spec.said} column (looked for {looked} …); "
                f'name it in a mapping file: [columns] {spec.name} = "Your column"'
            )
    if kind == "contacts" and "name" not in found and "last_name" not in found:
        raise MappingError(f"{where} has no contact name column (Full Name, or Last Name)")
    return found


# --- cells ------------------------------------------------------------------------------------

_CURRENCY = re.compile(
    r"(?i)\b(usd|eur|gbp|chf|cad|aud|jpy|sek|nok|dkk|inr|us\$|ca\$|a\$)\b|[$€£¥₹\u00a4]"
)
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")


def parse_money(text: str, decimal: str = ".") -> float:
    """An amount from a cell: `$1,234.50`, `1.234,50 €`, `EUR 1 234`, `(500)`; else ValueError."""
    raw = text.strip()
    s = _SPACES.sub("", _CURRENCY.sub("", raw))
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1]
    if s.startswith("-"):
        negative, s = True, s[1:]
    if not s or not re.fullmatch(r"[0-9.,]+", s) or not re.search(r"[0-9]", s):
        raise ValueError(f"{raw!r} is not an amount")
    if decimal == ",":
        s = s.replace(".", "").replace(",", ".")
    elif "," in s and "." in s:
        if s.rfind(",") > s.rfind("."):  # 1.234,50
            s = s.replace(".", "").replace(",", ".")
        else:  # 1,234.50
            s = s.replace(",", "")
    else:
        sep = "," if "," in s else "." if "." in s else ""
        if sep:
            parts = s.split(sep)
            grouped = all(len(p) == 3 for p in parts[1:]) and 1 <= len(parts[0]) <= 3
            if len(parts) > 2 or grouped:
                if not grouped:
                    raise ValueError(f"{raw!r} is not an amount")
                s = "".join(parts)
            else:
                s = s.replace(",", ".")
    if s.count(".") > 1:
        raise ValueError(f"{raw!r} is not an amount")
    value = float(s)
    return -value if negative else value


_ISO = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ].*)?$")
_DMY = re.compile(r"(\d{1,2})([/.\-])(\d{1,2})\2(\d{2,4})(?:[T ].*)?$")
_NAMED = ("%b %d, %Y", "%B %d, %Y", "%d %b %Y", "%d %B %Y", "%d-%b-%Y", "%d-%b-%y", "%b %d %Y")


def parse_date(text: str, date_format: str | None = None) -> dt.date:
    """A date from a cell (see the module docstring); ValueError says why not."""
    raw = text.strip()
    if date_format is not None:
        # the named format first; a date it cannot read is read as any other (an ISO or a
        # dotted date in a US file), so only what that leaves ambiguous is refused
        with contextlib.suppress(ValueError):
            return dt.datetime.strptime(raw, date_format).date()
    m = _ISO.match(raw)
    if m:
        return _day(raw, int(m[1]), int(m[2]), int(m[3]))
    m = _DMY.match(raw)
    if m:
        a, sep, b, year = int(m[1]), m[2], int(m[3]), m[4]
        if len(year) != 4:
            raise ValueError(f"{raw!r} has a two-digit year; write the year in full")
        y = int(year)
        if sep == ".":  # 4.3.2025: day first, by convention
            return _day(raw, y, b, a)
        if a > 12 and b <= 12:
            return _day(raw, y, b, a)  # European
        if b > 12 and a <= 12:
            return _day(raw, y, a, b)  # US
        if a == b:
            return _day(raw, y, a, b)
        if a > 12 and b > 12:
            raise ValueError(f"{raw!r} is not a date")
        raise ValueError(
            f"{raw!r} is ambiguous (US {a}/{b} or European {b}/{a}); name the format in a "
            f'mapping file: date_format = "%m/%d/%Y" or "%d/%m/%Y"'
        )
    for fmt in _NAMED:
        try:
            return dt.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{raw!r} is not a date")


def _day(raw: str, y: int, m: int, d: int) -> dt.date:
    try:
        return dt.date(y, m, d)
    except ValueError:
        raise ValueError(f"{raw!r} is not a date") from None


def parse_int(text: str) -> int:
    value = parse_money(text)
    if value != int(value):
        raise ValueError(f"{text.strip()!r} is not a whole number")
    return int(value)


def parse_number(text: str) -> float:
    raw = text.strip().removesuffix("%").strip()
    try:
        return float(raw.replace(",", "."))
    except ValueError:
        raise ValueError(f"{text.strip()!r} is not a number") from None


_SALESFORCE_15 = re.compile(r"00[136][a-zA-Z0-9]{12}")  # account 001, contact 003, deal 006
_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def crm_id(text: str) -> str:
    """An external id as stored: a Salesforce 15-character id (case-sensitive) becomes its
    18-character form, so a report that gives one and an export that gives the other name the
    same account. Anything else is kept as it is."""
    raw = text.strip()
    if not _SALESFORCE_15.fullmatch(raw):
        return raw
    suffix = ""
    for chunk in range(3):
        flags = sum(1 << i for i, ch in enumerate(raw[chunk * 5 : chunk * 5 + 5]) if ch.isupper())
        suffix += _SUFFIX[flags]
    return raw + suffix


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def is_email(text: str) -> bool:
    return bool(_EMAIL.fullmatch(text.strip()))


def clean_domain(text: str) -> str:
    """`https://www.Acme.com/about` -> `acme.com` (ValueError when there is no host)."""
    raw = text.strip().casefold()
    host = re.sub(r"^[a-z][a-z0-9+.\-]*://", "", raw).split("/")[0].split("?")[0]
    host = host.split("@")[-1].split(":")[0].removeprefix("www.").strip(".")
    if not re.fullmatch(r"[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?(?:\.[a-z0-9\-]{1,63})+", host):
        raise ValueError(f"{text.strip()!r} is not a web address")
    return host[:253]


def slug_of(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")[:120] or "customer"


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - 28 always exists


@dataclass(frozen=True)
class Problem:
    """A refused row: where (line, column), the cell, and why."""

    line: int
    column: str
    reason: str


def cell(row: list[str], columns: Mapping[str, int], name: str) -> str:
    index = columns.get(name)
    if index is None or index >= len(row):
        return ""
    return row[index].strip()


def headers_for(columns: Mapping[str, int], headers: list[str]) -> dict[str, str]:
    """field -> the header as the file spells it (for messages)."""
    return {name: headers[i] for name, i in columns.items()}


def join_names(values: Iterable[Any]) -> str:
    return ", ".join(str(v) for v in values)
