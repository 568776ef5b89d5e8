"""The reference queue order (domain.md §6)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from renubu_tui.domain.queue_order import order, sort_key, todays_one_thing


@dataclass(frozen=True)
class Row:
    customer_id: str
    customer_name: str
    workflow_type: str
    score: int
    days_until_renewal: int | None


def test_order_by_score_then_days_then_name_then_id_then_type() -> None:
    expected = [
        Row("c9", "Zed", "renewal", 337, 90),
        Row("c1", "Acme", "renewal", 120, -3),  # overdue first among equal scores
        Row("c2", "Acme", "strategic", 120, 5),
        Row("c3", "acme", "risk", 120, 40),
        Row("c4", "Bluesoft", "opportunity", 120, 40),  # name after casefold: acme < bluesoft
        Row("c5", "bluesoft", "renewal", 120, 40),  # same casefolded name: by id
        Row("c5", "bluesoft", "strategic", 120, 40),  # same customer: by workflow type order
        Row("c6", "Acme", "opportunity", 120, None),  # no renewal date last
        Row("c7", "Aaron", "risk", 10, None),
    ]
    shuffled = expected[:]
    random.Random(7).shuffle(shuffled)
    assert order(shuffled) == expected
    assert todays_one_thing(shuffled) == expected[0]


def test_casefold_not_case() -> None:
    rows = [Row("1", "beta", "risk", 50, 1), Row("2", "Alpha", "risk", 50, 1)]
    assert [r.customer_name for r in order(rows)] == ["Alpha", "beta"]


def test_empty_queue() -> None:
    assert order([]) == []
    assert todays_one_thing([]) is None


rows = st.builds(
    Row,
    customer_id=st.uuids().map(str),
    customer_name=st.text(min_size=1, max_size=8),
    workflow_type=st.sampled_from(["renewal", "strategic", "opportunity", "risk"]),
    score=st.integers(-20, 400),
    days_until_renewal=st.one_of(st.none(), st.integers(-100, 400)),
)


@given(st.lists(rows, max_size=30))
def test_order_is_sorted_and_stable_under_permutation(items: list[Row]) -> None:
    ordered = order(items)
    assert ordered == order(reversed(items))
    for a, b in pairwise(ordered):
        assert a.score >= b.score
        if a.score == b.score and b.days_until_renewal is not None:
            assert a.days_until_renewal is not None
            assert a.days_until_renewal <= b.days_until_renewal
        assert sort_key(a) <= sort_key(b)
