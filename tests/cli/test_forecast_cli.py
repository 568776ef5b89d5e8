"""`renubu forecast` over a handmade book (tests/forecast_book.py), figures computed by hand.

Today is 2025-09-24; by month the periods run 2025-09 … 2026-08, the closed ones 2024-09 …
2025-08. Likelihood: secured 1.0, likely 0.9, at risk 0.5, churned 0.0.

  Alpha    2025-09-30  100 000  secured (next term signed)          × 1.0 = 100 000
  Echo     2025-08-31   30 000  at risk (24 days overdue), carried
                                into the first period, 2025-09      × 0.5 =  15 000
  Bravo    2025-10-31   50 000  at risk (risk score 70 ≥ 60)        × 0.5 =  25 000
  Delta    2025-11-30   40 000  churned (contract cancelled)        × 0.0 =       0
  Charlie  2025-12-31   80 000  likely                              × 0.9 =  72 000
  Golf     2026-02-28   28 000  at risk (churn probability 35 ≥ 30;
                                ARR from the financial record)      × 0.5 =  14 000
  Foxtrot  2026-05-31   54 000  likely                              × 0.9 =  48 600
  up for renewal 382 000; weighted 274 600.

Retention (terms that ended in a closed month):
  2025-02  Golf    20 000 → 26 000: expansion 6 000; GRR 20/20 = 1.0, NRR 26/20 = 1.3
  2025-05  Foxtrot 60 000 → 54 000: contraction 6 000; GRR 54/60 = 0.9, NRR 0.9
  2025-08  Echo    30 000, nothing signed: unresolved 30 000; GRR 0, NRR 0
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from renubu_tui.data.engine import create_database
from tests.cli.conftest import Run, child_env
from tests.forecast_book import OWNER, add_book


def _with_book(db_file: Path) -> None:
    async def go() -> None:
        database = create_database(f"sqlite+aiosqlite:///{db_file}")
        try:
            await add_book(database)
        finally:
            await database.dispose()

    asyncio.run(go())


def _period(data: dict[str, Any], label: str) -> dict[str, Any]:
    return next(p for p in data["periods"] if p["period"] == label)


def test_json_matches_the_hand_computed_book(cli: Run, db_file: Path) -> None:
    _with_book(db_file)
    code, out, err = cli("forecast", "--owner", OWNER, "--json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert data["today"] == "2025-09-24"
    assert data["owner"] == OWNER
    assert [p["period"] for p in data["periods"]][:2] == ["2025-09", "2025-10"]
    assert len(data["periods"]) == 12 and data["periods"][-1]["period"] == "2026-08"
    assert data["up_for_renewal"] == 382_000
    assert data["weighted"] == 274_600

    def figures(label: str) -> tuple[float, ...]:
        p = _period(data, label)
        keys = ("up_for_renewal", "secured", "likely", "at_risk", "churned", "weighted")
        return tuple(p[k] for k in keys)

    assert figures("2025-09") == (130_000, 100_000, 0, 30_000, 0, 115_000)
    assert figures("2025-10") == (50_000, 0, 0, 50_000, 0, 25_000)
    assert figures("2025-11") == (40_000, 0, 0, 0, 40_000, 0)
    assert figures("2025-12") == (80_000, 0, 80_000, 0, 0, 72_000)
    assert figures("2026-01") == (0, 0, 0, 0, 0, 0)
    assert figures("2026-02") == (28_000, 0, 0, 28_000, 0, 14_000)
    assert figures("2026-05") == (54_000, 0, 54_000, 0, 0, 48_600)
    september = _period(data, "2025-09")
    assert [c["customer"] for c in september["customers"]] == ["Alpha", "Echo"]
    assert [(r["customer"], r["why"]) for r in september["largest_risks"]] == [
        ("Echo", ["24 days overdue, nothing signed"])
    ]
    assert _period(data, "2025-10")["largest_risks"][0]["why"] == ["risk score 70 ≥ 60"]
    assert _period(data, "2025-11")["largest_risks"][0]["why"] == ["contract cancelled"]
    assert _period(data, "2026-02")["largest_risks"][0]["why"] == ["churn probability 35% ≥ 30%"]

    kept = {r["period"]: r for r in data["retention"] if r["renewals"]}
    assert set(kept) == {"2025-02", "2025-05", "2025-08"}
    golf, foxtrot, echo = kept["2025-02"], kept["2025-05"], kept["2025-08"]
    assert (golf["up_for_renewal"], golf["renewed"], golf["expansion"]) == (20_000, 26_000, 6_000)
    assert (golf["grr"], golf["nrr"]) == (1.0, 1.3)
    assert (foxtrot["contraction"], foxtrot["grr"], foxtrot["nrr"]) == (6_000, 0.9, 0.9)
    assert (echo["unresolved"], echo["churned"], echo["grr"], echo["nrr"]) == (30_000, 0, 0, 0)


def test_text_report_by_quarter(cli: Run, db_file: Path) -> None:
    _with_book(db_file)
    code, out, err = cli("forecast", "--owner", OWNER, "--by", "quarter")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == f"Renewal forecast · {OWNER} · as of 2025-09-24 · by quarter"
    # Q3: Alpha 100 000 secured + Echo 30 000 at risk (ended in Q3 itself) → 115 000 weighted
    assert any(line.split()[:3] == ["2025", "Q3", "2"] and "$115,000" in line for line in lines)
    assert any("Bravo" in line and "risk score 70 ≥ 60" in line for line in lines)


def test_unknown_owner_is_one_line(cli: Run) -> None:
    code, out, err = cli("forecast", "--owner", "nobody-owns-this@acmecloud.com", "--json")
    assert code == 2 and out == ""
    assert (
        err.strip() == "renubu: unknown owner 'nobody-owns-this@acmecloud.com' in tenant 'acme-cs'"
    )


def test_no_renewals_for_an_owner_without_a_book(cli: Run, db_file: Path) -> None:
    _with_book(db_file)

    # a second user with nothing: the report says so in one line, JSON has zero everywhere
    async def go() -> None:
        from sqlalchemy import select

        from renubu_tui.data.models import Tenant, User

        database = create_database(f"sqlite+aiosqlite:///{db_file}")
        async with database.sessions() as session, session.begin():
            tenant = await session.scalar(select(Tenant).where(Tenant.slug == "acme-cs"))
            assert tenant is not None
            session.add(
                User(tenant_id=tenant.id, email="empty@forecast.test", name="E", role="csm")
            )
        await database.dispose()

    asyncio.run(go())
    code, out, _ = cli("forecast", "--owner", "empty@forecast.test")
    assert code == 0
    assert "No renewals in the next 12 months for empty@forecast.test." in out
    code, out, _ = cli("forecast", "--owner", "empty@forecast.test", "--json")
    data = json.loads(out)
    assert data["up_for_renewal"] == 0 and all(not p["customers"] for p in data["periods"])


def test_bad_by_is_one_line(cli: Run) -> None:
    code, out, err = cli("forecast", "--by", "year")
    assert code == 1 and out == ""
    assert err.strip() == "renubu: unknown period 'year' (month or quarter)"


def test_owner_and_all_together_refused(cli: Run) -> None:
    code, _, err = cli("forecast", "--owner", OWNER, "--all")
    assert code != 0 and "--owner and --all cannot be used together" in err


def test_piped_into_head_ends_quietly(cli_env: dict[str, str]) -> None:
    shell = subprocess.run(
        f"{sys.executable} -m renubu_tui forecast --all | head -3",
        shell=True,
        env=child_env(cli_env),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shell.returncode == 0
    assert len(shell.stdout.splitlines()) == 3
    assert shell.stderr == ""
