"""After the renewal is signed, the renewal chased is the next one (docs/rules.md, the rule).

The pure rule (`domain.contracts.governing_contract`): of the contracts known on a day (signed
by then, or with no signing day, started by then), the latest-starting one governs; its end is
the renewal date. Built on a Bluesoft-like customer whose term ends on its renewal day E.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from renubu_tui.domain.assessment import CustomerDay, assess
from renubu_tui.domain.config import DomainConfig
from renubu_tui.domain.contracts import governing_contract, known_on, renewal_date
from renubu_tui.domain.determination import CustomerFacts
from renubu_tui.domain.enums import AccountPlan
from renubu_tui.domain.stages import days_until_renewal

E = dt.date(2025, 10, 9)  # the renewal day: the term in force ends that day


def day(n: int) -> dt.date:
    return E + dt.timedelta(days=n)


@dataclass(frozen=True)
class K:
    start_date: dt.date
    end_date: dt.date
    signed_on: dt.date | None = None
    arr: float = 0.0
    status: str = "active"


IN_FORCE = K(day(-365), E, arr=180_000)
OLDER = K(day(-730), day(-366), arr=150_000, status="renewed")


def successor(signed_on: dt.date | None) -> K:
    return K(day(1), day(365), signed_on, arr=198_000, status="pending")


def days(contracts: list[K], today: dt.date) -> int | None:
    return days_until_renewal(renewal_date(contracts, today), today)


def stage(contracts: list[K], today: dt.date) -> str | None:
    facts = CustomerFacts(days_until_renewal=days(contracts, today), plan=AccountPlan.EXPAND)
    return assess(CustomerDay(facts), DomainConfig.default()).stage.name


def test_signed_on_the_renewal_day_the_next_renewal_is_a_year_out() -> None:
    book = [OLDER, IN_FORCE, successor(E)]
    # the day before signing: one day left, Emergency
    assert (days(book, day(-1)), stage(book, day(-1))) == (1, "Emergency")
    # signed on E: the renewal date is the successor's end, 365 days out, Monitor
    assert governing_contract(book, E) == successor(E)
    assert renewal_date(book, E) == day(365)
    assert (days(book, E), stage(book, E)) == (365, "Monitor")
    assert (days(book, day(1)), stage(book, day(1))) == (364, "Monitor")  # now in force


def test_signed_early_the_renewal_date_moves_that_day() -> None:
    book = [IN_FORCE, successor(day(-20))]
    assert (days(book, day(-21)), stage(book, day(-21))) == (21, "Signature")
    assert (days(book, day(-20)), stage(book, day(-20))) == (385, "Monitor")
    assert days(book, day(-1)) == 366


def test_an_unsigned_next_contract_never_counts() -> None:
    book = [IN_FORCE, successor(None)]
    assert (days(book, E), stage(book, E)) == (0, "Emergency")
    assert governing_contract(book, E) == IN_FORCE
    # once it starts it is in force (no signing day recorded: it counts from its start)
    assert days(book, day(1)) == 364


def test_a_contract_signed_later_than_today_never_counts_even_once_started() -> None:
    late = successor(day(3))  # starts on E+1, signed on E+3: overdue in between
    book = [IN_FORCE, late]
    assert not known_on(late, day(2))
    assert (days(book, day(2)), stage(book, day(2))) == (-2, "Overdue")
    assert (days(book, day(3)), stage(book, day(3))) == (362, "Monitor")


def test_an_ended_contract_without_a_successor_is_overdue() -> None:
    assert days([OLDER, IN_FORCE], day(5)) == -5
    assert stage([IN_FORCE], day(5)) == "Overdue"


def test_a_renewed_status_alone_supersedes_nothing() -> None:
    """The status is not dated: the successor's own dates decide."""
    renewed = K(day(-365), E, arr=180_000, status="renewed")
    assert governing_contract([renewed, successor(None)], E) == renewed
    assert governing_contract([renewed, successor(day(-2))], E) == successor(day(-2))


def test_no_known_contract_no_renewal_date() -> None:
    assert renewal_date([], E) is None
    assert renewal_date([successor(None)], E) is None  # unsigned, starts tomorrow
    assert renewal_date([successor(day(1))], E) is None  # signed tomorrow
    assert stage([successor(None)], E) is None


def test_the_renewal_reason_names_the_next_renewal() -> None:
    facts = CustomerFacts(days_until_renewal=days([IN_FORCE, successor(E)], E))
    renewal = assess(CustomerDay(facts)).of("renewal").determination
    assert renewal.qualifies
    assert renewal.reason == "Renewal in 365 days (Monitor stage)."
