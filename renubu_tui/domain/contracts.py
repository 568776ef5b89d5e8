"""Which contract a customer's renewal is about on a day (domain.md §1, docs/rules.md).

The renewal being chased is the one of the **governing contract**: of the contracts known on
`today`, the one that starts last. A contract is known from the day it was signed (`signed_on`),
or, when no signing day was recorded, from its start. So:

- the contract in force governs until its successor is signed; an ended contract with no signed
  successor still governs, and the renewal is overdue;
- once the successor is signed (on the renewal day, or 20 days early), the successor governs:
  the renewal date is its end, a year out, though it starts later;
- a contract not signed by today (signed later, or unsigned and starting later) never counts,
  even if its start has passed: a future-dated fact must not leak into today.

A contract's `status` ("renewed", "pending" …) is not dated (it says what is true now, not on
`today`), so it never decides: the successor's own dates do.

The queue's SQL applies the same rule (`services.queue_sql.governing_contract_id`), and so do the
template context, the snapshot history and the assistant's `contracts` view.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Protocol, TypeVar

__all__ = ["ContractTerm", "governing_contract", "known_on", "known_since", "renewal_date"]


class ContractTerm(Protocol):
    """What the rule reads of a contract (a `Contract` row, or any object with these)."""

    @property
    def start_date(self) -> dt.date: ...

    @property
    def end_date(self) -> dt.date: ...

    @property
    def signed_on(self) -> dt.date | None: ...


K = TypeVar("K", bound=ContractTerm)


def known_since(contract: ContractTerm) -> dt.date:
    """The day a contract counts from: its signing day, else (none recorded) its start."""
    return contract.signed_on if contract.signed_on is not None else contract.start_date


def known_on(contract: ContractTerm, today: dt.date) -> bool:
    """Whether the contract counts on `today`: signed by then (or, unsigned, started by then)."""
    return known_since(contract) <= today


def governing_contract(contracts: Iterable[K], today: dt.date) -> K | None:
    """The contract whose end is the renewal date on `today`: the latest-starting one known then.

    None when no contract is known yet (no renewal date).
    """
    known = [k for k in contracts if known_on(k, today)]
    return max(known, key=lambda k: k.start_date, default=None)


def renewal_date(contracts: Iterable[ContractTerm], today: dt.date) -> dt.date | None:
    """The customer's renewal date on `today`: the governing contract's end (None without one)."""
    contract = governing_contract(contracts, today)
    return None if contract is None else contract.end_date
