"""The stage a renewal is read at when a workflow runs for it.

(A renewal whose next term is signed is no longer "secured at 0 days": the signed successor
governs and the renewal date moves to its end; see test_renewal_successor_rule.py.)"""

from __future__ import annotations

from renubu_tui.domain.config import DomainConfig
from renubu_tui.domain.stages import effective_stage_days, stage_for_days


def test_a_workflow_started_early_sets_the_stage() -> None:
    stages = DomainConfig.default().stages
    # Critical (trigger max 14) started at 15 days because signatures stalled
    assert stage_for_days(effective_stage_days(15, 14), stages).name == "Critical"
    # an Engage workflow still open at 60 days does not hold the renewal back in Engage
    assert stage_for_days(effective_stage_days(60, 119), stages).name == "Finalize"
    assert effective_stage_days(None, None) is None
    assert effective_stage_days(20, None) == 20
    assert effective_stage_days(None, -1) == -1
