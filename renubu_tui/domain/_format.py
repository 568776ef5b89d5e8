"""Number formatting shared by explanations, so every sentence shows figures the same way."""

from __future__ import annotations

from decimal import Decimal

Number = int | float


def dec(x: Number | Decimal) -> Decimal:
    """The decimal a person wrote: via str(), so 1.1 stays 1.1 (not 1.100000000000000088…)."""
    return x if isinstance(x, Decimal) else Decimal(str(x))


def num(x: Number | Decimal) -> str:
    """Minimal form: 90, 72.5, -10 (no trailing zeros, no exponent)."""
    text = format(dec(x).normalize(), "f")
    return "0" if text in ("-0", "") else text


def mult(x: Number | Decimal) -> str:
    """A multiplier, always with a decimal point so it reads as a factor: 2.0, 1.5, 1.25."""
    text = num(x)
    return text if "." in text else f"{text}.0"


def money(x: Number | Decimal) -> str:
    """Dollars with thousands separators; cents only when there are any: $180,000, $1,234.50."""
    d = dec(x)
    if d == d.to_integral_value():
        return f"${d:,.0f}"
    return f"${d:,.2f}"


def days(n: int) -> str:
    """Count of days with the right noun: 1 day, 12 days."""
    return f"{n} day" if abs(n) == 1 else f"{n} days"
