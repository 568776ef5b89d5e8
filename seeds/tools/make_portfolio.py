#!/usr/bin/env python3
"""Generate seeds/demo/portfolio.json (the Acme Cloud demo book of business).

Deterministic: standard library only, one random.Random with a fixed seed, so running it
twice writes byte-identical output. All dates are whole-day offsets from the seed anchor
(see seeds/README.md); a customer's renewal offset is the end of its contract in force.

The table below fixes what the demo and the tests rely on (every renewal stage of domain.md
§2, every account plan including a missing one, ARR and health edges, risk/opportunity
thresholds); everything left as None is filled in by the random generator.

Usage: python3 seeds/tools/make_portfolio.py [output-path]
"""

import json
import random
import sys
from pathlib import Path

SEED = 20251009
OUT = Path(__file__).resolve().parent.parent / "demo" / "portfolio.json"

VENDOR = "acmecloud.com"
CSMS = [
    "maya.patel@acmecloud.com",      # senior — the default current user
    "daniel.okafor@acmecloud.com",   # expert
    "lena.fischer@acmecloud.com",    # senior
    "tom.becker@acmecloud.com",      # mid
    "carlos.mendez@acmecloud.com",   # mid
    "priya.nair@acmecloud.com",      # junior
    "hannah.wright@acmecloud.com",   # junior
]
AES = ["ben.carter", "olivia.grant", "ethan.brooks", "sophia.reyes", "liam.foster"]
SAS = ["isabel.torres", "owen.schmidt", "chloe.nguyen", "ravi.shah"]
SPONSORS = ["victoria.hale", "james.whitaker", "grace.holloway", "robert.kane"]

RANDOM = None   # marker: let the generator choose
NOPLAN = None   # plan null: the app derives it (domain.md §3)

# name, domain, industry, renewal offset, ARR, plan, final health, final risk,
# final opportunity, term months, owner
# plan "?" = chosen at random; plan None = no plan (derived by the app).
CUSTOMERS = [
    # Overdue (< 0): 7 / 8 / 15 / 22 / 30+ days overdue drive the overdue notifications.
    ("Atlas Freight", "atlasfreight.com", "Logistics", -1, RANDOM, "manage", RANDOM, RANDOM, RANDOM, 12, None),
    ("Harborview Insurance", "harborviewins.com", "Insurance", -3, 95000, "invest", RANDOM, RANDOM, RANDOM, 12, None),
    ("Nimbus Telecom", "nimbustelecom.net", "Telecommunications", -7, 72000, NOPLAN, 58, 64, RANDOM, 12, None),
    ("Keystone Biotech", "keystonebio.com", "Biotechnology", -8, 140000, "invest", 63, RANDOM, RANDOM, 12, None),
    ("Summit Legal Partners", "summitlegal.com", "Legal Services", -15, 48000, "manage", 55, RANDOM, RANDOM, 12, None),
    ("Tidewater Shipping", "tidewatershipping.com", "Maritime", -22, 88000, "monitor", 46, 72, RANDOM, 12, None),
    ("Polaris Aerospace", "polarisaero.com", "Aerospace", -30, 320000, "expand", 64, 61, RANDOM, 24, None),
    ("Driftwood Publishing", "driftwoodpub.com", "Publishing", -33, 22000, "monitor", 38, 85, RANDOM, 12, None),
    ("Gemstone Jewelers", "gemstonejewelers.com", "Retail", -38, 15000, NOPLAN, 42, RANDOM, RANDOM, 12, None),
    ("Westfield Municipal Services", "westfieldmunicipal.org", "Public Sector", -40, 61000, "manage", 52, RANDOM, RANDOM, 12, None),
    # Emergency (0–6)
    ("Meridian Energy", "meridianenergy.com", "Energy", 0, 250000, "expand", 79, RANDOM, RANDOM, 12, None),
    ("Halcyon Travel", "halcyontravel.com", "Travel & Hospitality", 1, 34000, NOPLAN, 50, 59, RANDOM, 12, None),
    ("Quarry Data Systems", "quarrydata.com", "Data Infrastructure", 3, 100000, NOPLAN, 60, RANDOM, RANDOM, 12, None),
    ("Cobalt Financial Group", "cobaltfinancial.com", "Financial Services", 4, 180000, "invest", 71, RANDOM, RANDOM, 12, CSMS[0]),
    ("Fathom Robotics", "fathomrobotics.ai", "Robotics", 6, 400000, "expand", 86, RANDOM, 95, 24, None),
    # Critical (7–14)
    ("Redwood Manufacturing", "redwoodmfg.com", "Manufacturing", 7, 150000, NOPLAN, 80, RANDOM, RANDOM, 12, None),
    ("Lumen Retail Co.", "lumenretail.com", "Retail", 8, 56000, "manage", 66, RANDOM, RANDOM, 12, None),
    ("Kestrel Networks", "kestrelnet.com", "Networking", 10, 100000, "invest", 73, RANDOM, RANDOM, 12, CSMS[0]),
    ("Saffron Restaurant Group", "saffrongroup.com", "Restaurants", 12, 42000, NOPLAN, 63, RANDOM, RANDOM, 12, None),
    ("Crescent Payments", "crescentpay.com", "Fintech", 14, 275000, "expand", 77, RANDOM, 82, 24, None),
    # Signature (15–30)
    ("Brightpath Health", "brightpathhealth.com", "Healthcare", 15, 132000, "invest", RANDOM, RANDOM, RANDOM, 12, None),
    ("Mosaic HR", "mosaichr.com", "HR Software", 19, 50000, NOPLAN, 70, RANDOM, RANDOM, 12, None),
    ("Ironclad Security", "ironcladsec.com", "Cybersecurity", 23, RANDOM, "?", RANDOM, RANDOM, RANDOM, 12, None),
    ("Oakridge University", "oakridge.edu", "Higher Education", 27, 68000, "manage", RANDOM, RANDOM, RANDOM, 12, None),
    ("Sable Fashion House", "sablefashion.com", "Apparel", 30, 26000, "monitor", 44, 60, RANDOM, 12, None),
    # Finalize (31–60)
    ("Vantage Marketing Cloud", "vantagemc.io", "Marketing Technology", 31, 200000, NOPLAN, 75, RANDOM, RANDOM, 12, None),
    ("Orchid Pharmaceuticals", "orchidpharma.com", "Pharmaceuticals", 36, 150000, "expand", 83, RANDOM, RANDOM, 24, None),
    ("Granite Builders", "granitebuilders.com", "Construction", 42, RANDOM, "?", RANDOM, RANDOM, RANDOM, 12, None),
    ("Beacon Credit Union", "beaconcu.org", "Banking", 48, 50000, "invest", 74, RANDOM, RANDOM, 12, None),
    ("Evergreen Property Management", "evergreenpm.com", "Real Estate", 55, RANDOM, "?", RANDOM, RANDOM, RANDOM, 12, None),
    ("Trellis Foods", "trellisfoods.com", "Food & Beverage", 60, 38000, "manage", RANDOM, RANDOM, 70, 12, None),
    # Negotiate (61–90)
    ("Quantum Analytics", "quantumanalytics.io", "Data & Analytics", 61, 220000, NOPLAN, 82, RANDOM, RANDOM, 12, None),
    ("Silverline Media", "silverlinemedia.com", "Media", 66, RANDOM, "?", 94, 0, RANDOM, 12, None),
    ("Cascade Water Utilities", "cascadewater.com", "Utilities", 72, RANDOM, "?", RANDOM, RANDOM, RANDOM, 24, None),
    ("Emberline Solar", "emberlinesolar.com", "Renewable Energy", 79, 120000, NOPLAN, 68, RANDOM, 69, 12, None),
    ("Magnolia Bank", "magnoliabank.com", "Banking", 85, 260000, "invest", 81, RANDOM, RANDOM, 12, None),
    ("Northstar Staffing", "northstarstaffing.com", "Staffing", 90, RANDOM, "?", RANDOM, RANDOM, RANDOM, 12, None),
    # Engage (91–119)
    ("Pinnacle Education", "pinnacleedu.org", "Education", 91, 44000, "?", RANDOM, RANDOM, RANDOM, 12, CSMS[0]),
    ("Apex Automotive", "apexauto.com", "Automotive", 97, 175000, "expand", RANDOM, RANDOM, RANDOM, 12, None),
    ("Larkspur Senior Living", "larkspurliving.com", "Senior Care", 104, 40000, NOPLAN, 42, 75, RANDOM, 12, None),
    ("Juniper Home Goods", "juniperhome.com", "E-commerce", 112, RANDOM, "?", RANDOM, RANDOM, RANDOM, 12, None),
    ("Riverbend Medical Devices", "riverbendmed.com", "Medical Devices", 119, 150000, "invest", RANDOM, RANDOM, RANDOM, 12, None),
    # Prepare (120–179)
    ("Verdant Agritech", "verdantagri.com", "Agriculture", 120, 30000, NOPLAN, 65, RANDOM, RANDOM, 12, None),
    ("Blue Heron Hotels", "blueheronhotels.com", "Hospitality", 128, RANDOM, "?", RANDOM, RANDOM, RANDOM, 12, None),
    ("Clearwater Clinics", "clearwaterclinics.com", "Healthcare", 141, 100000, "manage", RANDOM, RANDOM, RANDOM, 12, None),
    ("Falcon Defense Systems", "falcondefense.com", "Defense", 152, 290000, "expand", 84, RANDOM, 74, 24, None),
    ("Indigo Design Studio", "indigodesign.co", "Design", 166, 18000, "?", RANDOM, RANDOM, RANDOM, 12, None),
    ("Stellar Games", "stellargames.gg", "Gaming", 179, RANDOM, "monitor", 35, 91, RANDOM, 12, None),
    # Monitor (>= 180)
    ("Foundry Capital", "foundrycapital.com", "Investment Management", 180, 310000, NOPLAN, 88, RANDOM, RANDOM, 12, None),
    ("Prairie Wind Insurance", "prairiewind.com", "Insurance", 195, RANDOM, "?", RANDOM, RANDOM, RANDOM, 12, None),
    ("Xenon Semiconductors", "xenonsemi.com", "Semiconductors", 214, 240000, "invest", RANDOM, RANDOM, RANDOM, 24, None),
    ("Horizon Nonprofit Alliance", "horizonalliance.org", "Nonprofit", 233, 19000, "manage", RANDOM, RANDOM, RANDOM, 12, None),
    ("Umbra Imaging", "umbraimaging.com", "Healthcare Imaging", 260, RANDOM, "?", RANDOM, RANDOM, RANDOM, 12, None),
    ("Valiant Sports", "valiantsports.com", "Sports & Fitness", 290, RANDOM, "?", RANDOM, RANDOM, RANDOM, 12, None),
    ("Yellowstone Outfitters", "yellowstoneoutfitters.com", "Outdoor Retail", 318, RANDOM, "?", RANDOM, RANDOM, RANDOM, 12, None),
    ("Zephyr Airlines", "zephyrair.com", "Airlines", 347, 385000, "expand", RANDOM, RANDOM, 88, 12, None),
    ("Alder & Finch Accounting", "alderfinch.com", "Accounting", 365, 27000, "manage", RANDOM, RANDOM, RANDOM, 12, CSMS[6]),
    ("Brookstone Telehealth", "brookstonetele.com", "Telehealth", 420, RANDOM, "?", RANDOM, RANDOM, RANDOM, 24, None),
    ("Copperleaf Software", "copperleaf.dev", "SaaS", 530, RANDOM, "?", RANDOM, RANDOM, RANDOM, 24, None),
    ("Thornbury Consulting", "thornbury.co.uk", "Consulting", 690, RANDOM, "?", RANDOM, RANDOM, RANDOM, 24, None),
]

FIRST = ["Aisha", "Brian", "Camila", "Derek", "Elena", "Farid", "Gloria", "Hiro", "Ingrid", "Jamal",
         "Kara", "Luis", "Mei", "Nathan", "Oksana", "Pedro", "Quinn", "Rosa", "Samir", "Tara",
         "Uma", "Victor", "Wendy", "Xavier", "Yusuf", "Zoe", "Adrian", "Bianca", "Colin", "Dana",
         "Esther", "Felix", "Greta", "Hugo", "Ivy", "Joel", "Kenji", "Laila", "Miles", "Nadia"]
LAST = ["Abbott", "Baptiste", "Castillo", "Dunn", "Eriksen", "Ferreira", "Gupta", "Hughes", "Ibrahim",
        "Jensen", "Kowalski", "Lindqvist", "Moreau", "Novak", "O'Brien", "Park", "Quintero", "Rossi",
        "Sato", "Tanaka", "Underwood", "Vasquez", "Walsh", "Xu", "Yamamoto", "Zimmerman", "Almeida",
        "Brennan", "Choi", "Delgado", "Evans", "Fitzgerald", "Greene", "Haddad", "Iqbal", "Jovanovic"]

TITLES = {
    "decision_maker": ["Chief Financial Officer", "Chief Information Officer", "VP Operations",
                       "Chief Technology Officer", "VP Engineering", "Chief Operating Officer",
                       "Director of Procurement"],
    "executive_sponsor": ["Chief Executive Officer", "President", "Chief Digital Officer"],
    "champion": ["Director of Operations", "Head of Platform", "Director of IT",
                 "Head of Analytics", "Director of Customer Experience", "Head of Data"],
    "influencer": ["Senior IT Manager", "Engineering Manager", "Finance Manager",
                   "Security Architect", "Program Manager"],
    "user": ["Team Lead", "Systems Administrator", "Business Analyst", "Operations Analyst",
             "Support Lead"],
}

NOTES_GOOD = [
    "Positive call; happy with the new reporting dashboards.",
    "Asked for a roadmap briefing on SSO and audit logs.",
    "Confirmed budget is approved for next fiscal year.",
    "Shared an internal win story we can use as a reference.",
    "Wants to roll the platform out to a second business unit.",
    "Attended the QBR and praised support response times.",
]
NOTES_MIXED = [
    "Raised questions about the renewal price; wants a seat-by-seat breakdown.",
    "Busy with a reorganisation; asked to push the QBR by a month.",
    "Requested more admin training for new hires.",
    "Mentioned a competitor demo last month; not actively evaluating.",
    "Procurement wants a 24-month option quoted.",
]
NOTES_BAD = [
    "Frustrated by two open P1 tickets; escalated to support leadership.",
    "Usage dropped after their power user left; no replacement yet.",
    "Said the renewal is 'under review' and declined a meeting.",
    "Budget freeze announced; every vendor renewal goes to the CFO.",
    "Complained about slow onboarding of the new region.",
]


def clamp(x, lo, hi):
    return max(lo, min(hi, x))


def trend(prev, cur, tol=1.0):
    if cur - prev > tol:
        return "up"
    if prev - cur > tol:
        return "down"
    return "flat"


def round_to(x, step):
    return int(round(x / step) * step)


def term_days(months):
    return 365 if months == 12 else 730


def make_customer(rng, row, owner, used_people):
    (name, domain, industry, renewal, arr, plan, health, risk, opp, term, _owner) = row

    # -- headline figures -------------------------------------------------
    if arr is None:
        arr = round_to(18000 * (300000 / 18000) ** rng.random(), 1000)
        arr = clamp(arr, 15000, 400000)
    if health is None:
        health = rng.randint(54, 92)
    if risk is None:
        risk = int(clamp(round((100 - health) * rng.uniform(0.5, 0.9)) + rng.randint(0, 6), 2, 55))
    if opp is None:
        opp = int(clamp(round(health * 0.6 + rng.uniform(-10, 12)), 12, 66))
    if plan == "?":
        if health < 50:
            plan = "monitor"
        else:
            weights = [("invest", 3 if arr >= 60000 else 1), ("expand", 3 if arr >= 120000 else 1),
                       ("manage", 4), ("monitor", 1 if health < 65 else 0)]
            plan = rng.choices([p for p, _ in weights], [w for _, w in weights])[0]

    price_per_seat = rng.choice([1200, 1500, 1800, 2400, 3000, 3600, 4500])
    seats = max(5, round(arr / price_per_seat))

    # -- contracts --------------------------------------------------------
    end = renewal
    start = end - term_days(term)
    growing = health >= 60 and rng.random() < 0.75
    if growing:
        previous_arr = round_to(arr / (1 + rng.choice([0.05, 0.08, 0.10, 0.12, 0.15])), 500)
    elif health < 50:
        previous_arr = round_to(arr * (1 + rng.choice([0.05, 0.10, 0.15])), 500)
    else:
        previous_arr = arr if rng.random() < 0.5 else round_to(arr / 1.03, 500)
    contracts = []
    financials = []
    has_history = rng.random() < 0.65
    if has_history:
        p_end = start - 1
        p_start = p_end - 365
        p_seats = max(5, round(previous_arr / price_per_seat))
        contracts.append({"start": p_start, "end": p_end, "arr": previous_arr, "termMonths": 12,
                          "seats": p_seats, "status": "renewed"})
        older = round_to(previous_arr / (1 + rng.choice([0.0, 0.05, 0.08])), 500)
        g = round((previous_arr - older) / older * 100, 2)
        financials.append({"from": p_start, "to": start - 1, "currentArr": previous_arr,
                           "previousArr": older, "projectedArr": arr,
                           "trend": "up" if g > 0 else "flat", "growthRate": g,
                           "paymentStatus": "current"})
    contracts.append({"start": start, "end": end, "arr": arr, "termMonths": term, "seats": seats,
                      "status": "active"})

    growth = round((arr - previous_arr) / previous_arr * 100, 2)
    if risk >= 60:
        projected = round_to(arr * rng.uniform(0.6, 0.95), 500)
    elif opp >= 70:
        projected = round_to(arr * rng.uniform(1.15, 1.35), 500)
    else:
        projected = round_to(arr * rng.uniform(1.0, 1.1), 500)
    if renewal < -20:
        payment = rng.choice(["late", "late", "failed"])
    elif renewal < 0:
        payment = rng.choice(["pending", "late"])
    elif renewal <= 14:
        payment = rng.choice(["current", "pending"])
    else:
        payment = "current" if rng.random() < 0.92 else "late"
    financials.append({"from": start, "to": None, "currentArr": arr, "previousArr": previous_arr,
                       "projectedArr": projected, "trend": trend(previous_arr, arr, 0),
                       "growthRate": growth, "paymentStatus": payment})

    # -- intelligence snapshots (last one at or before day 0) --------------
    n = rng.randint(3, 5)
    last = rng.choice([0, -1, -2, -3, -5, -7])
    days = sorted({last - 30 * i - rng.randint(0, 4) * (i > 0) for i in range(n)})
    drift_h = rng.randint(-12, 12)
    drift_r = rng.randint(-10, 10)
    drift_o = rng.randint(-10, 10)
    intelligence = []
    prev = None
    for i, d in enumerate(days):
        frac = 1 - i / (len(days) - 1)  # 1 at the oldest, 0 at the newest
        if i == len(days) - 1:
            h, r, o = health, risk, opp
        else:
            h = int(clamp(round(health + drift_h * frac + rng.uniform(-3, 3)), 5, 99))
            r = int(clamp(round(risk + drift_r * frac + rng.uniform(-3, 3)), 0, 99))
            o = int(clamp(round(opp + drift_o * frac + rng.uniform(-3, 3)), 0, 99))
        churn = round(clamp(r * 0.55 + rng.uniform(-3, 3), 1, 95), 1)
        expansion = round(clamp(o * 0.9 + rng.uniform(-5, 5), 1, 95), 1)
        snap = {"day": d, "risk": r, "opportunity": o, "health": h, "churn": churn,
                "expansion": expansion, "trends": {}}
        intelligence.append(snap)
        prev_h = prev["health"] if prev else h
        snap["_h"] = (prev_h, h)
        prev = snap

    # -- usage and engagement (2–4 snapshots each, same days) ---------------
    m = rng.randint(2, 4)
    udays = sorted({rng.choice([0, -1, -2, -4, -6]) - 30 * i for i in range(m)})
    usage, engagement = [], []
    base_util = clamp(health * 0.95 + rng.uniform(-10, 8), 15, 100)
    base_adopt = clamp(health * 0.85 + rng.uniform(-10, 10), 10, 98)
    base_nps = clamp(round((health - 10) / 8), 0, 10)
    last_qbr = udays[0] - rng.randint(20, 70)
    for j, d in enumerate(udays):
        frac = 1 - j / max(1, len(udays) - 1)
        util = clamp(base_util + drift_h * 0.6 * frac + rng.uniform(-4, 4), 5, 100)
        active = int(clamp(round(seats * util / 100), 1, seats))
        adopt = round(clamp(base_adopt + drift_h * 0.5 * frac + rng.uniform(-3, 3), 5, 99), 1)
        usage.append({"day": d, "activeUsers": active, "licensedUsers": seats,
                      "utilizationRate": round(active / seats * 100, 1), "trend": "flat",
                      "adoptionRate": adopt, "lastActivity": d - rng.choice([0, 0, 1, 2, 5])})
        while last_qbr + 90 <= d:
            last_qbr += 90
        nps = int(clamp(base_nps + round(drift_h * 0.1 * frac) + rng.choice([-1, 0, 0, 1]), 0, 10))
        csat = round(clamp(1 + nps * 0.4 + rng.uniform(-0.3, 0.3), 1.0, 5.0), 1)
        sentiment = "positive" if nps >= 8 else ("negative" if nps <= 5 else "neutral")
        tickets = max(0, round((100 - health) / 15 + rng.uniform(-1.5, 1.5)))
        escore = int(clamp(round(health + drift_h * frac * 0.8 + rng.uniform(-8, 8)), 5, 99))
        engagement.append({"day": d, "lastContact": d - rng.randint(0, 21), "lastQbr": last_qbr,
                           "nextQbr": last_qbr + 90, "nps": nps, "csat": csat,
                           "sentiment": sentiment, "openTickets": tickets,
                           "engagementScore": escore})
    for j in range(len(usage)):
        if j:
            usage[j]["trend"] = trend(usage[j - 1]["utilizationRate"], usage[j]["utilizationRate"], 2)
    eng_trend = trend(engagement[0]["engagementScore"], engagement[-1]["engagementScore"], 2)
    use_trend = usage[-1]["trend"] if len(usage) > 1 else "flat"
    for snap in intelligence:
        ph, h = snap.pop("_h")
        snap["trends"] = {"health": trend(ph, h, 1), "usage": use_trend, "engagement": eng_trend}

    # -- stakeholders ------------------------------------------------------
    k = rng.randint(2, 5)
    roles = ["decision_maker"]
    if rng.random() < 0.85 or k >= 4:
        roles.append("champion")
    extra = ["influencer", "user", "decision_maker", "executive_sponsor", "user"]
    rng.shuffle(extra)
    while len(roles) < k:
        roles.append(extra.pop())
    people = []
    for role in roles:
        while True:
            first, last_name = rng.choice(FIRST), rng.choice(LAST)
            if (first, last_name) not in used_people:
                used_people.add((first, last_name))
                break
        local = (first + "." + last_name).lower().replace("'", "")
        if health >= 70:
            sentiment = rng.choice(["positive", "positive", "positive", "neutral"])
        elif health >= 50:
            sentiment = rng.choice(["positive", "neutral", "neutral", "negative"])
        else:
            sentiment = rng.choice(["neutral", "negative", "negative"])
        influence = {"decision_maker": "high", "executive_sponsor": "high",
                     "champion": rng.choice(["high", "medium"]), "influencer": "medium",
                     "user": "low"}[role]
        champion = role == "champion" or (role == "influencer" and rng.random() < 0.3)
        notes = []
        if rng.random() < 0.45:
            pool = {"positive": NOTES_GOOD, "neutral": NOTES_MIXED, "negative": NOTES_BAD}[sentiment]
            for nd in sorted(rng.sample(range(-120, 0), rng.randint(1, 2))):
                notes.append({"day": nd, "text": rng.choice(pool)})
        people.append({"name": f"{first} {last_name}", "title": rng.choice(TITLES[role]),
                       "email": f"{local}@{domain}", "role": role, "champion": champion,
                       "decisionMaker": role == "decision_maker", "influence": influence,
                       "sentiment": sentiment, "notes": notes})

    # -- account team ------------------------------------------------------
    team = {"ae": f"{rng.choice(AES)}@{VENDOR}" if arr >= 20000 or rng.random() < 0.5 else None,
            "sa": f"{rng.choice(SAS)}@{VENDOR}" if arr >= 60000 and rng.random() < 0.8 else None,
            "executiveSponsor": (f"{rng.choice(SPONSORS)}@{VENDOR}"
                                 if arr >= 150000 or (arr >= 90000 and rng.random() < 0.4) else None)}

    return {"name": name, "domain": domain, "industry": industry, "owner": owner, "plan": plan,
            "accountTeam": team, "contracts": contracts, "financials": financials,
            "intelligence": intelligence, "usage": usage, "engagement": engagement,
            "stakeholders": people}


def main():
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    rng = random.Random(SEED)
    rows = sorted(CUSTOMERS, key=lambda r: r[3])
    names = [r[0] for r in rows]
    domains = [r[1] for r in rows]
    assert len(set(names)) == len(names) and len(set(domains)) == len(domains)
    used_people = set()
    customers = []
    for i, row in enumerate(rows):
        owner = row[10] or CSMS[i % len(CSMS)]
        customers.append(make_customer(rng, row, owner, used_people))
    out.write_text(json.dumps({"customers": customers}, indent=2, ensure_ascii=False) + "\n",
                   encoding="utf-8")
    print(f"wrote {len(customers)} customers to {out}")


if __name__ == "__main__":
    main()
