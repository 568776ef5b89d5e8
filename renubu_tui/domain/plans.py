"""Account plans: derived when nobody has set one, and kept when a person has (domain.md §3)."""

from __future__ import annotations

from renubu_tui.domain import _format as fmt
from renubu_tui.domain._format import Number
from renubu_tui.domain.config import DomainConfig, Thresholds
from renubu_tui.domain.enums import AccountPlan

__all__ = [
    "AccountPlan",
    "derive_plan",
    "derive_plan_explained",
    "effective_plan",
    "parse_plan",
    "war_room_recommended",
]


def parse_plan(value: str | AccountPlan | None) -> AccountPlan | None:
    """A stored or typed plan name (any case, blank = none); ValueError names the choices."""
    if value is None or isinstance(value, AccountPlan):
        return value
    text = value.strip().casefold()
    if not text:
        return None
    try:
        return AccountPlan(text)
    except ValueError:
        known = ", ".join(p.value for p in AccountPlan)
        raise ValueError(f"unknown account plan {value!r} (expected {known})") from None


def derive_plan_explained(
    arr: Number | None, health: Number | None, thresholds: Thresholds | None = None
) -> tuple[AccountPlan, str]:
    """The derived plan and why, first matching rule wins.

    Missing ARR counts as 0; missing health skips every health rule, so the fallback applies.
    """
    rules = (thresholds or DomainConfig.default().thresholds).plan_rules
    arr_value = 0 if arr is None else arr
    if health is None:
        return rules.fallback, "no health score, so no health rule applies"
    arr_text, health_text = fmt.money(arr_value), fmt.num(health)
    if arr_value > rules.expand_arr_above and health > rules.expand_health_above:
        return AccountPlan.EXPAND, (
            f"ARR {arr_text} > {fmt.money(rules.expand_arr_above)} and "
            f"health {health_text} > {fmt.num(rules.expand_health_above)}"
        )
    if arr_value > rules.invest_arr_above and health > rules.invest_health_above:
        return AccountPlan.INVEST, (
            f"ARR {arr_text} > {fmt.money(rules.invest_arr_above)} and "
            f"health {health_text} > {fmt.num(rules.invest_health_above)}"
        )
    if health < rules.monitor_health_below:
        return AccountPlan.MONITOR, f"health {health_text} < {fmt.num(rules.monitor_health_below)}"
    return rules.fallback, f"no rule matched ARR {arr_text} and health {health_text}"


def derive_plan(
    arr: Number | None, health: Number | None, thresholds: Thresholds | None = None
) -> AccountPlan:
    """The plan a customer without one gets (§3)."""
    return derive_plan_explained(arr, health, thresholds)[0]


def effective_plan(
    set_plan: AccountPlan | str | None,
    arr: Number | None,
    health: Number | None,
    thresholds: Thresholds | None = None,
) -> AccountPlan:
    """A plan set by a person is kept; otherwise it is derived."""
    plan = parse_plan(set_plan)
    return plan if plan is not None else derive_plan(arr, health, thresholds)


def war_room_recommended(
    has_plan: bool, arr: Number | None, thresholds: Thresholds | None = None
) -> bool:
    """§8: with an account plan and ARR ≥ 50000, or ARR ≥ 100000 (figures configurable)."""
    war = (thresholds or DomainConfig.default().thresholds).war_room
    value = 0 if arr is None else arr
    return (has_plan and value >= war.with_plan_min_arr) or value >= war.min_arr
