"""A CRM export's cells: money, dates, headers (domain/imports.py, pure)."""

from __future__ import annotations

import datetime as dt

import pytest

from renubu_tui.domain.imports import (
    EMPTY_MAPPING,
    MappingError,
    clean_domain,
    match_columns,
    parse_date,
    parse_money,
    read_mapping,
)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("$1,234.50", 1234.5),
        ("1.234,50 €", 1234.5),
        ("EUR 1 234", 1234.0),
        ("CHF 1'234.05", 1234.05),
        ("1\u00a0234,5", 1234.5),
        ("1,250", 1250.0),
        ("1.250", 1250.0),
        ("12,50", 12.5),
        ("1,234,567", 1234567.0),
        ("(500)", -500.0),
        ("-20", -20.0),
        ("USD 250000", 250000.0),
        ("£99", 99.0),
    ],
)
def test_money(text: str, value: float) -> None:
    assert parse_money(text) == value


@pytest.mark.parametrize("text", ["call me", "", "$", "1.2.3,4,5", "12,34,5"])
def test_not_money(text: str) -> None:
    with pytest.raises(ValueError, match="not an amount"):
        parse_money(text)


def test_a_decimal_comma_by_mapping() -> None:
    assert parse_money("1.250", decimal=",") == 1250.0
    assert parse_money("1,250", decimal=",") == 1.25


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2026-03-04", dt.date(2026, 3, 4)),
        ("2026-03-04T10:00:00Z", dt.date(2026, 3, 4)),
        ("2026/3/4", dt.date(2026, 3, 4)),
        ("3/24/2026", dt.date(2026, 3, 24)),
        ("24/3/2026", dt.date(2026, 3, 24)),
        ("04.03.2026", dt.date(2026, 3, 4)),
        ("5/5/2026", dt.date(2026, 5, 5)),
        ("Mar 4, 2026", dt.date(2026, 3, 4)),
        ("4 March 2026", dt.date(2026, 3, 4)),
    ],
)
def test_dates(text: str, day: dt.date) -> None:
    assert parse_date(text) == day


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("3/4/2026", "ambiguous"),
        ("3/4/26", "two-digit year"),
        ("2026-02-30", "not a date"),
        ("soon", "not a date"),
        ("13/13/2026", "not a date"),
    ],
)
def test_refused_dates(text: str, said: str) -> None:
    with pytest.raises(ValueError, match=said):
        parse_date(text)


def test_a_named_format_settles_an_ambiguous_date() -> None:
    assert parse_date("3/4/2026", "%d/%m/%Y") == dt.date(2026, 4, 3)
    assert parse_date("3/4/2026", "%m/%d/%Y") == dt.date(2026, 3, 4)
    # other forms are still read: a US file may hold ISO dates too
    assert parse_date("2026-04-03", "%m/%d/%Y") == dt.date(2026, 4, 3)
    with pytest.raises(ValueError, match="not a date"):
        parse_date("3/44/2026", "%m/%d/%Y")


def test_headers_match_whatever_their_spelling() -> None:
    headers = ["\ufeffaccount_id", "ACCOUNT NAME", "Account-Owner", "Annual Revenue"]
    found = match_columns("customers", headers, EMPTY_MAPPING)
    assert found == {"external_id": 0, "name": 1, "owner": 2, "arr": 3}
    with pytest.raises(MappingError, match="no external id column"):
        match_columns("customers", ["Name"], EMPTY_MAPPING)


def test_domains() -> None:
    assert clean_domain("https://www.Acme.com/about?x=1") == "acme.com"
    with pytest.raises(ValueError):
        clean_domain("n/a")


def test_a_mapping_refuses_what_it_does_not_know() -> None:
    with pytest.raises(MappingError, match="decimal"):
        read_mapping('decimal = ";"')
    with pytest.raises(MappingError, match="unknown_owner"):
        read_mapping('unknown_owner = "guess"')
    with pytest.raises(MappingError, match="kind"):
        read_mapping('kind = "widgets"')


def test_a_salesforce_15_character_id_is_stored_as_its_18_character_form() -> None:
    from renubu_tui.domain.imports import crm_id

    assert crm_id("001A000001HkVAm") == "001A000001HkVAmIAN"
    assert crm_id("001A000001HkVAmIAN") == "001A000001HkVAmIAN"
    assert crm_id(" 9000001 ") == "9000001"  # not Salesforce's: as it is


def _european(amount: float) -> str:
    return f"{amount:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def test_money_reads_back_what_us_and_european_exports_write() -> None:
    from hypothesis import given
    from hypothesis import strategies as st

    @given(st.integers(min_value=0, max_value=10**11))
    def check(cents: int) -> None:
        amount = cents / 100
        assert parse_money(f"${amount:,.2f}") == amount
        assert parse_money(f"{_european(amount)} €") == amount
        assert parse_money(f"USD {amount:.2f}") == amount

    check()
