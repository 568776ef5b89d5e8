"""Reading the seed folder: JSON and Markdown files in, plain row dictionaries out.

Relative day offsets become dates here (portfolio: from the anchor; Bluesoft: from its renewal
day). Every row carries its deterministic `id`; nothing touches the database.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

from renubu_tui.data.seed.ids import key_id


class SeedFileError(ValueError):
    """A seed file is missing or malformed; the message names the file."""


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SeedFileError(f"seed file missing: {path}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SeedFileError(f"{path}: invalid JSON: {exc}") from None


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


@overload
def day(anchor: dt.date, offset: int) -> dt.date: ...
@overload
def day(anchor: dt.date, offset: None) -> None: ...
@overload
def day(anchor: dt.date, offset: int | None) -> dt.date | None: ...
def day(anchor: dt.date, offset: int | None) -> dt.date | None:
    return None if offset is None else anchor + dt.timedelta(days=int(offset))


def at_nine(anchor: dt.date, offset: int | None) -> dt.datetime | None:
    """A timestamp for a day offset: 09:00 UTC, a plausible working hour."""
    d = day(anchor, offset)
    return None if d is None else dt.datetime.combine(d, dt.time(9, 0), tzinfo=dt.UTC)


@dataclass(frozen=True)
class TenantKeys:
    """How rows of one tenant derive their ids."""

    tenant_slug: str

    @property
    def tenant_id(self) -> uuid.UUID:
        return key_id("tenant", self.tenant_slug)

    def user(self, email: str | None) -> uuid.UUID | None:
        return None if not email else key_id("user", self.tenant_slug, email.lower())

    def customer(self, domain: str) -> uuid.UUID:
        return key_id("customer", self.tenant_slug, domain.lower())


def core_workflow_id(slug: str) -> uuid.UUID:
    return key_id("workflow", "core", slug)


def workflow_version_id(workflow_id: uuid.UUID, number: int) -> uuid.UUID:
    return key_id("workflow-version", workflow_id, number)


# --- configuration and core content -------------------------------------------------------


def config_rows(root: Path) -> list[dict[str, Any]]:
    from renubu_tui.domain.config import DomainConfig

    data = read_json(root / "config.json")
    try:  # the ranges every other way in is held to (docs/rules.md, "Configuration ranges")
        DomainConfig.from_dict(data)
    except ValueError as exc:
        raise SeedFileError(f"{root / 'config.json'}: {exc}") from None
    return [
        {"id": key_id("config", "global", key), "tenant_id": None, "key": key, "value": data[key]}
        for key in ("stages", "scoring", "thresholds")
        if key in data
    ]


def saved_action_rows(root: Path) -> list[dict[str, Any]]:
    return [
        {
            "id": key_id("saved-action", "core", a["slug"]),
            "tenant_id": None,
            "slug": a["slug"],
            "name": a["name"],
            "action_type": a["actionType"],
            "handler": a["handler"],
            "description": a.get("description", ""),
            "params_schema": a.get("paramsSchema", {}),
            "defaults": a.get("defaults", {}),
            "is_active": True,
        }
        for a in read_json(root / "saved_actions.json")
    ]


def library_rows(root: Path) -> list[dict[str, Any]]:
    return [
        {
            "id": key_id("library-step", "core", s["id"]),
            "tenant_id": None,
            "slug": s["id"],
            "name": s["name"],
            "step_type": s["type"],
            "description": s.get("description", ""),
            "definition": s,
            "data_required": s.get("dataRequired", []),
            "collects": s.get("collects", []),
        }
        for s in read_json(root / "step_library.json")
    ]


@dataclass(frozen=True)
class WorkflowFile:
    slug: str
    workflow_type: str
    fmt: str
    config: dict[str, Any]


def workflow_files(root: Path) -> Iterator[WorkflowFile]:
    for path in sorted((root / "workflows").glob("*/*.json")):
        config = read_json(path)
        yield WorkflowFile(config.get("id", path.stem), path.parent.name, "config", config)
    for path in sorted((root / "compositions").glob("*.json")):
        config = read_json(path)
        yield WorkflowFile(config.get("id", path.stem), "renewal", "composition", config)


def workflow_row(wf: WorkflowFile) -> dict[str, Any]:
    bounds = (wf.config.get("trigger") or {}).get("daysUntilRenewal") or {}
    return {
        "id": core_workflow_id(wf.slug),
        "tenant_id": None,
        "is_core": True,
        "slug": wf.slug,
        "name": wf.config.get("name", wf.slug),
        "description": wf.config.get("description", ""),
        "workflow_type": wf.workflow_type,
        "format": wf.fmt,
        "is_active": True,
        "trigger_min_days": bounds.get("min"),
        "trigger_max_days": bounds.get("max"),
        "config": wf.config,
    }


def branch_rows(root: Path) -> list[dict[str, Any]]:
    rows = []
    for path in sorted((root / "chat_branches").glob("*.json")):
        workflow_id = core_workflow_id(path.stem)
        for step_id, branches in read_json(path).items():
            for position, b in enumerate(branches):
                rows.append(
                    {
                        "id": key_id("branch", workflow_id, step_id, b["key"]),
                        "workflow_id": workflow_id,
                        "step_id": step_id,
                        "branch_key": b["key"],
                        "position": position,
                        "label": b["label"],
                        "branch_type": b["type"],
                        "prompts": b.get("prompts", []),
                        "response": b.get("response"),
                        "next_step_id": b.get("nextStepId"),
                        "route": b.get("route"),
                        "saved_action_slug": b.get("savedAction"),
                        "return_step_id": b.get("returnStepId"),
                    }
                )
    return rows


_HEADER = re.compile(r"^category:\s*(?P<category>[^;]*?)\s*(?:;\s*tags:\s*(?P<tags>.*))?$")


def knowledge_rows(root: Path) -> list[dict[str, Any]]:
    rows = []
    for path in sorted((root / "knowledge").glob("*.md")):
        lines = path.read_text(encoding="utf-8").splitlines()
        if not lines or not lines[0].startswith("# "):
            raise SeedFileError(f"{path}: the first line must be '# Title'")
        title = lines[0][2:].strip()
        category, tags, body_start = None, [], 1
        if len(lines) > 1 and (m := _HEADER.match(lines[1].strip())):
            category = m["category"] or None
            tags = [t.strip() for t in (m["tags"] or "").split(",") if t.strip()]
            body_start = 2
        rows.append(
            {
                "id": key_id("knowledge", "core", path.stem),
                "tenant_id": None,
                "slug": path.stem,
                "title": title,
                "category": category,
                "tags": tags,
                "body": "\n".join(lines[body_start:]).strip() + "\n",
            }
        )
    return rows


# --- the demo tenant -----------------------------------------------------------------------


def tenant_rows(data: dict[str, Any]) -> tuple[TenantKeys, dict[str, list[dict[str, Any]]]]:
    keys = TenantKeys(data["tenant"]["slug"])
    company = data["company"]
    users = data["users"]
    by_email = {u["email"].lower(): u for u in users}

    def depth(u: dict[str, Any]) -> int:
        d, seen = 0, set()
        while u.get("manager") and u["manager"].lower() in by_email and u["email"] not in seen:
            seen.add(u["email"])
            u = by_email[u["manager"].lower()]
            d += 1
        return d

    first_csm = next((u["email"] for u in users if u["role"] == "csm"), users[0]["email"])
    rows = {
        "tenants": [
            {"id": keys.tenant_id, "slug": keys.tenant_slug, "name": data["tenant"]["name"]}
        ],
        "users": [
            {
                "id": keys.user(u["email"]),
                "tenant_id": keys.tenant_id,
                "email": u["email"].lower(),
                "name": u["name"],
                "title": u.get("title"),
                "role": u["role"],
                "experience_level": u.get("experience"),
                "manager_id": keys.user(u.get("manager")),
                "is_active": True,
            }
            for u in sorted(users, key=depth)
        ],
        "company_settings": [
            {
                "tenant_id": keys.tenant_id,
                "company_name": company["name"],
                "vp_customer_success_email": company.get("vpCustomerSuccess"),
                "ceo_email": company.get("ceo"),
                "cs_team_email": company.get("csTeamEmail"),
                "settings": {"defaultUser": first_csm.lower()},
            }
        ],
    }
    return keys, rows


CUSTOMER_TABLES = (
    "customers",
    "contracts",
    "customer_financials",
    "customer_intelligence",
    "customer_usage_metrics",
    "customer_engagement",
    "customer_stakeholders",
)


def _known(when: dt.date | None, upto: dt.date | None) -> bool:
    return upto is None or when is None or when <= upto


def customer_rows(
    keys: TenantKeys, c: dict[str, Any], anchor: dt.date, *, upto: dt.date | None = None
) -> dict[str, list[dict[str, Any]]]:
    """The rows of one customer, its day offsets resolved against `anchor`.

    With `upto`, only what was known on that day: snapshots dated later are left out, a
    contract counts from when it was signed (else from its start), a financial period still
    running has no end yet, and stakeholder notes written later are not there.
    """
    cid = keys.customer(c["domain"])
    team = c.get("accountTeam") or {}
    out: dict[str, list[dict[str, Any]]] = {t: [] for t in CUSTOMER_TABLES}
    out["customers"].append(
        {
            "id": cid,
            "tenant_id": keys.tenant_id,
            "name": c["name"],
            "name_key": c["name"].casefold(),
            "slug": c.get("slug") or slugify(c["name"]),
            "domain": c["domain"].lower(),
            "industry": c.get("industry"),
            "owner_id": keys.user(c.get("owner")),
            "account_plan": c.get("plan"),
            "ae_email": team.get("ae"),
            "sa_email": team.get("sa"),
            "executive_sponsor_email": team.get("executiveSponsor"),
            "is_synthetic": False,
        }
    )
    for k in c.get("contracts", []):
        start = day(anchor, k["start"])
        signed = day(anchor, k.get("signed"))
        if not _known(signed or start, upto):
            continue
        out["contracts"].append(
            {
                "id": key_id("contract", cid, start),
                "customer_id": cid,
                "start_date": start,
                "end_date": day(anchor, k["end"]),
                "arr": k["arr"],
                "term_months": k.get("termMonths", 12),
                "seats": k.get("seats"),
                "status": k.get("status", "active"),
                "signed_on": signed,
            }
        )
    for f in c.get("financials", []):
        start = day(anchor, f["from"])
        if not _known(start, upto):
            continue
        until = day(anchor, f.get("to"))
        out["customer_financials"].append(
            {
                "id": key_id("financials", cid, start),
                "customer_id": cid,
                "valid_from": start,
                "valid_to": until if _known(until, upto) else None,
                "current_arr": f["currentArr"],
                "previous_arr": f.get("previousArr"),
                "projected_arr": f.get("projectedArr"),
                "trend": f.get("trend"),
                "growth_rate": f.get("growthRate"),
                "payment_status": f.get("paymentStatus"),
            }
        )
    for s in c.get("intelligence", []):
        when = day(anchor, s["day"])
        if not _known(when, upto):
            continue
        trends = s.get("trends") or {}
        out["customer_intelligence"].append(
            {
                "id": key_id("intelligence", cid, when),
                "customer_id": cid,
                "as_of_date": when,
                "risk_score": s.get("risk"),
                "opportunity_score": s.get("opportunity"),
                "health_score": s.get("health"),
                "churn_probability": s.get("churn"),
                "expansion_probability": s.get("expansion"),
                "health_trend": trends.get("health"),
                "usage_trend": trends.get("usage"),
                "engagement_trend": trends.get("engagement"),
            }
        )
    for u in c.get("usage", []):
        when = day(anchor, u["day"])
        if not _known(when, upto):
            continue
        out["customer_usage_metrics"].append(
            {
                "id": key_id("usage", cid, when),
                "customer_id": cid,
                "as_of_date": when,
                "active_users": u.get("activeUsers"),
                "licensed_users": u.get("licensedUsers"),
                "utilization_rate": u.get("utilizationRate"),
                "trend": u.get("trend"),
                "adoption_rate": u.get("adoptionRate"),
                "last_activity_date": day(anchor, u.get("lastActivity")),
            }
        )
    for e in c.get("engagement", []):
        when = day(anchor, e["day"])
        if not _known(when, upto):
            continue
        out["customer_engagement"].append(
            {
                "id": key_id("engagement", cid, when),
                "customer_id": cid,
                "as_of_date": when,
                "last_contact_date": day(anchor, e.get("lastContact")),
                "last_qbr_date": day(anchor, e.get("lastQbr")),
                "next_qbr_date": day(anchor, e.get("nextQbr")),
                "nps_score": e.get("nps"),
                "csat_score": e.get("csat"),
                "sentiment": e.get("sentiment"),
                "open_tickets": e.get("openTickets"),
                "engagement_score": e.get("engagementScore"),
            }
        )
    for p in c.get("stakeholders", []):
        out["customer_stakeholders"].append(
            {
                "id": key_id("stakeholder", cid, p["name"]),
                "customer_id": cid,
                "name": p["name"],
                "title": p.get("title"),
                "email": p.get("email"),
                "role": p.get("role"),
                "is_champion": bool(p.get("champion")),
                "is_decision_maker": bool(p.get("decisionMaker")),
                "influence": p.get("influence"),
                "sentiment": p.get("sentiment"),
                "notes": [
                    {"date": day(anchor, n["day"]).isoformat(), "text": n["text"]}
                    for n in p.get("notes", [])
                    if _known(day(anchor, n["day"]), upto)
                ],
                "description": p.get("description"),
            }
        )
    return out
