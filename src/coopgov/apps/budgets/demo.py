"""Demo content: two participatory budgets for the demo's Exeter police PB unit (one with published
results and delivery under way, one collecting ideas).  Call :func:`load_demo_budgets` after the
site's ``load_demo()``; it does nothing if the organisation is missing or the processes exist."""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.contrib.auth import get_user_model

from coopgov.apps.orgs.models import Organisation

from . import services
from .models import IdeaStatus, Process

ORG_SLUG = "exeter-police-participatory-budgeting-unit"

IDEAS = [
    ("Better lighting on the Exe cycle path", "Exeter Central", 18_000, "lighting"),
    ("Youth boxing club evenings", "Exeter Central", 12_000, "young people"),
    ("Shop-watch radios for Sidwell Street", "Exeter Central", 6_000, "crime prevention"),
    ("Safe space for night-time economy", "Exeter Central", 22_000, "night-time"),
    ("Speed indicator signs on Pinhoe Road", "Exeter East", 9_000, "roads"),
    ("Community garden at Whipton", "Exeter East", 7_500, "green spaces"),
    ("Bike marking and secure stands", "Exeter East", 5_000, "crime prevention"),
    ("Detached youth work in Heavitree", "Exeter East", 16_000, "young people"),
]


def load_demo_budgets(seed: int = 2026) -> dict[str, Any]:
    org = Organisation.objects.filter(slug=ORG_SLUG).first()
    if org is None or Process.objects.filter(organisation=org).exists():
        return {"processes": 0}
    rng = random.Random(seed)
    user_model = get_user_model()
    officer = user_model.objects.filter(is_superuser=True).order_by("pk").first()
    resident, _ = user_model.objects.get_or_create(
        email="resident@example.org", defaults={"full_name": "Robin Resident"}
    )
    classes = list(org.stakeholder_classes.all())
    process = services.do_create_process(
        actor=officer,
        organisation=org,
        title="Exeter Safer Streets Fund 2026",
        description="Residents decide how to spend part of the police precept on community safety.",
        pot=60_000,
        funding_source="share of the police precept",
        ring_fence="district",
        areas=[("Exeter Central", 35_000), ("Exeter East", 25_000)],
        ballot_type="approval",
        max_choices=4,
        voter_classes=classes,
        code_postcode_districts="EX1,EX2,EX4",
        minimum_age=16,
        ideas_open=datetime.date(2026, 3, 1),
        voting_open=datetime.date(2026, 5, 1),
        results_date=datetime.date(2026, 6, 15),
    )  # voting_close is set after the demo ballots: a past closing date refuses ballots
    process = services.do_advance_phase(actor=officer, process=process)
    areas = {a.name: a for a in process.areas.all()}
    ideas = []
    for title, area, cost, category in IDEAS:
        idea = services.do_submit_idea(
            actor=resident,
            process=process,
            title=title,
            description=f"{title}. Suggested by a resident at the spring community meeting.",
            estimated_cost=cost,
            area=areas[area],
            category=category,
        )
        services.do_review_idea(
            actor=officer, idea=idea, decision=IdeaStatus.SHORTLISTED, reason="Feasible; cost checked with the council."
        )
        ideas.append(idea)
    process = services.do_advance_phase(actor=officer, process=process)
    process = services.do_advance_phase(actor=officer, process=process)
    central = [i.pk for i in ideas[:4]]
    east = [i.pk for i in ideas[4:]]
    for n in range(400):
        ballot = sorted(set(rng.sample(central, rng.randint(0, 2)) + rng.sample(east, rng.randint(0, 2))))
        if not ballot:
            continue
        spent_c = sum(i.ballot_cost for i in ideas if i.pk in ballot and i.pk in central)
        spent_e = sum(i.ballot_cost for i in ideas if i.pk in ballot and i.pk in east)
        if spent_c > 35_000 or spent_e > 25_000:
            continue
        services.do_cast_ballot(process=process, voter_key=f"demo-{n}", choices=ballot)
    process = services.do_close_and_publish(actor=officer, process=process)
    Process.objects.filter(pk=process.pk).update(voting_close=datetime.date(2026, 5, 31))
    process = services.do_advance_phase(actor=officer, process=process)  # delivery
    first = process.ideas.filter(funded=True).first()
    if first is not None:
        services.do_update_delivery(actor=officer, idea=first, status="in-progress", spend=first.ballot_cost // 3)
        services.do_add_milestone(
            actor=officer, idea=first, title="Contractor appointed", done_on=datetime.date(2026, 7, 1)
        )
    second = services.do_create_process(
        actor=officer,
        organisation=org,
        title="Exeter Youth Safety Budget 2027",
        pot=20_000,
        funding_source="Police and Crime Commissioner's community fund",
        ballot_type="knapsack",
        voter_classes=classes,
        minimum_age=11,
    )
    services.do_advance_phase(actor=officer, process=second)
    return {"processes": 2}
