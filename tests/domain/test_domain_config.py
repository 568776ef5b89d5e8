"""Configuration parsing and validation (domain.md §2, §5, seeds/config.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from renubu_tui.domain import vocabulary
from renubu_tui.domain.config import (
    DEFAULT_CONFIG,
    ConfigError,
    DomainConfig,
    Stage,
    default_config_dict,
)
from renubu_tui.domain.enums import AccountPlan, Experience, WorkflowType

SEED_CONFIG = Path(__file__).resolve().parents[2] / "seeds" / "config.json"


def _error(data: dict[str, Any]) -> str:
    with pytest.raises(ConfigError) as info:
        DomainConfig.from_dict(data)
    return str(info.value)


def test_default_round_trips() -> None:
    cfg = DomainConfig.default()
    assert cfg.to_dict() == default_config_dict()
    assert DomainConfig.from_dict(cfg.to_dict()) == cfg
    assert json.loads(json.dumps(cfg.to_dict())) == cfg.to_dict()


def test_default_figures_match_domain() -> None:
    cfg = DomainConfig.default()
    assert [(s.name, s.min_days, s.max_days, s.urgency, s.bonus) for s in cfg.stages] == [
        ("Overdue", None, -1, 100, 20),
        ("Emergency", 0, 6, 90, 15),
        ("Critical", 7, 14, 80, 10),
        ("Signature", 15, 30, 70, 0),
        ("Finalize", 31, 60, 60, 0),
        ("Negotiate", 61, 90, 50, 0),
        ("Engage", 91, 119, 40, 0),
        ("Prepare", 120, 179, 30, 0),
        ("Monitor", 180, None, 20, 0),
    ]
    assert cfg.scoring.plan_multipliers[AccountPlan.MONITOR] == 0.8
    assert cfg.scoring.experience_multipliers[Experience.EXPERT] == 1.2
    assert cfg.thresholds.strategic_account_plans == (AccountPlan.INVEST, AccountPlan.EXPAND)


def test_default_copy_is_independent() -> None:
    copy = default_config_dict()
    copy["stages"].clear()
    assert DEFAULT_CONFIG["stages"]


def test_enums_match_vocabulary() -> None:
    assert tuple(AccountPlan) == vocabulary.ACCOUNT_PLANS
    assert set(Experience) == set(vocabulary.EXPERIENCE_LEVELS)
    assert tuple(WorkflowType) == vocabulary.WORKFLOW_TYPES


@pytest.mark.skipif(not SEED_CONFIG.exists(), reason="seeds/config.json not written yet")
def test_seed_file_is_the_default() -> None:
    data = json.loads(SEED_CONFIG.read_text(encoding="utf-8"))
    assert DomainConfig.from_dict(data) == DomainConfig.default()


def test_stages_given_out_of_order_are_sorted() -> None:
    data = default_config_dict()
    data["stages"].reverse()
    cfg = DomainConfig.from_dict(data)
    assert [s.name for s in cfg.stages][:2] == ["Overdue", "Emergency"]


def test_single_open_stage_tiles_the_axis() -> None:
    data = default_config_dict()
    data["stages"] = [{"name": "All", "minDays": None, "maxDays": None, "urgency": 1, "bonus": 0}]
    assert DomainConfig.from_dict(data).stages == (Stage("All", None, None, 1, 0),)


def test_bonus_defaults_to_zero() -> None:
    data = default_config_dict()
    del data["stages"][3]["bonus"]
    assert DomainConfig.from_dict(data).stages[3].bonus == 0


def test_gap_between_stages() -> None:
    data = default_config_dict()
    data["stages"][2]["minDays"] = 8
    assert _error(data) == (
        "stages[2].minDays: gap: day 7 belongs to no stage "
        "(Emergency ends at 6, Critical starts at 8)"
    )


def test_wider_gap_names_the_range() -> None:
    data = default_config_dict()
    data["stages"][2]["minDays"] = 10
    assert "gap: days 7–9 belong to no stage" in _error(data)


def test_overlapping_stages() -> None:
    data = default_config_dict()
    data["stages"][2]["minDays"] = 6
    assert _error(data) == (
        "stages[2].minDays: overlap: Critical starts at 6 but Emergency ends at 6"
    )


def test_two_stages_open_below_overlap() -> None:
    data = default_config_dict()
    data["stages"][1]["minDays"] = None
    assert "overlap" in _error(data)


def test_first_stage_must_be_open_below() -> None:
    data = default_config_dict()
    data["stages"][0]["minDays"] = -400
    assert _error(data).startswith("stages[0].minDays: gap: no stage covers days before -400")


def test_last_stage_must_be_open_above() -> None:
    data = default_config_dict()
    data["stages"][8]["maxDays"] = 365
    assert _error(data).startswith("stages[8].maxDays: gap: no stage covers days after 365")


def test_inverted_stage_range() -> None:
    data = default_config_dict()
    data["stages"][2]["maxDays"] = 5
    assert _error(data) == "stages[2]: minDays 7 is after maxDays 5"


def test_duplicate_stage_name() -> None:
    data = default_config_dict()
    data["stages"][2]["name"] = "emergency"
    assert _error(data) == "stages[2].name: duplicate stage name 'emergency'"


def test_empty_stages() -> None:
    data = default_config_dict()
    data["stages"] = []
    assert _error(data) == "stages: must list at least one stage"


@pytest.mark.parametrize("bad", [0, -1.5])
def test_plan_multiplier_must_be_positive(bad: float) -> None:
    data = default_config_dict()
    data["scoring"]["planMultipliers"]["monitor"] = bad
    assert _error(data) == f"scoring.planMultipliers.monitor: must be positive, got {bad}"


def test_experience_multiplier_must_be_a_number() -> None:
    data = default_config_dict()
    data["scoring"]["experienceMultipliers"]["senior"] = "1.1"
    assert _error(data) == (
        "scoring.experienceMultipliers.senior: must be a number, got the string '1.1'"
    )


def test_boolean_is_not_a_number() -> None:
    data = default_config_dict()
    data["scoring"]["arrMultipliers"][0]["multiplier"] = True
    assert _error(data) == "scoring.arrMultipliers[0].multiplier: must be a number, got a boolean"


def test_arr_multiplier_must_be_positive() -> None:
    data = default_config_dict()
    data["scoring"]["arrMultipliers"][1]["multiplier"] = 0
    assert _error(data) == "scoring.arrMultipliers[1].multiplier: must be positive, got 0"


def test_missing_multiplier_key() -> None:
    data = default_config_dict()
    del data["scoring"]["planMultipliers"]["expand"]
    assert _error(data) == "scoring.planMultipliers.expand: is required"


def test_unknown_key_is_refused() -> None:
    data = default_config_dict()
    data["scoring"]["planMultipliers"]["grow"] = 1.2
    assert _error(data).startswith("scoring.planMultipliers.grow: unknown key")


def test_labels_must_be_sorted() -> None:
    data = default_config_dict()
    data["scoring"]["labels"].reverse()
    assert _error(data) == (
        "scoring.labels[1].minScore: labels must be sorted by minScore, highest first, "
        "without repeats"
    )


def test_arr_tiers_must_be_sorted() -> None:
    data = default_config_dict()
    data["scoring"]["arrMultipliers"].reverse()
    assert _error(data).startswith("scoring.arrMultipliers[1].minArr: tiers must be sorted")


def test_positive_workload_penalty_is_refused() -> None:
    data = default_config_dict()
    data["scoring"]["workloadPenaltyPerWorkflow"] = 2
    assert _error(data).startswith("scoring.workloadPenaltyPerWorkflow: must be ≤ 0")


def test_unknown_strategic_plan() -> None:
    data = default_config_dict()
    data["thresholds"]["strategicAccountPlans"] = ["invest", "grow"]
    assert _error(data).startswith(
        "thresholds.strategicAccountPlans[1]: unknown account plan 'grow'"
    )


def test_unknown_fallback_plan() -> None:
    data = default_config_dict()
    data["thresholds"]["planRules"]["fallback"] = "none"
    assert _error(data).startswith("thresholds.planRules.fallback: unknown account plan")


def test_score_threshold_range() -> None:
    data = default_config_dict()
    data["thresholds"]["riskScoreMin"] = 101
    assert _error(data) == "thresholds.riskScoreMin: must be ≤ 100, got 101"


def test_missing_section() -> None:
    data = default_config_dict()
    del data["thresholds"]
    assert _error(data) == "thresholds: is required"


def test_not_an_object() -> None:
    with pytest.raises(ConfigError, match="must be an object, got a list"):
        DomainConfig.from_dict([])  # type: ignore[arg-type]


def test_error_exposes_path() -> None:
    data = default_config_dict()
    data["scoring"]["planMultipliers"]["invest"] = -1
    with pytest.raises(ConfigError) as info:
        DomainConfig.from_dict(data)
    assert info.value.path == "scoring.planMultipliers.invest"
    assert isinstance(info.value, ValueError)
