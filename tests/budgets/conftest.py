"""Fixtures: data is set up through the domain actions, as a user of the platform would."""

from __future__ import annotations

from typing import Any

import pytest

from coopgov.apps.accounts.models import User
from coopgov.apps.budgets import services
from coopgov.apps.budgets.models import IdeaStatus, Process
from coopgov.apps.membership.models import Person
from coopgov.apps.membership.services import do_add_member
from coopgov.apps.orgs.models import Organisation, Role
from coopgov.apps.orgs.services import do_create_organisation, do_grant_role


@pytest.fixture
def org(db: Any) -> Organisation:
    return do_create_organisation(
        actor=None,
        name="Northshire Community Safety Partnership",
        kind="community-safety-partnership",
        legal_form="partnership",
        ownership_model="public",
        sectors=["policing"],
    )


@pytest.fixture
def officer(org: Organisation) -> User:
    user = User.objects.create_user("officer@example.org", "correct horse battery", full_name="Olu Officer")
    do_grant_role(actor=None, organisation=org, user=user, role=Role.ADMINISTRATOR)
    return user


@pytest.fixture
def resident(db: Any) -> User:
    return User.objects.create_user("resident@example.org", "correct horse battery", full_name="Rita Resident")


@pytest.fixture
def member(org: Organisation) -> tuple[User, Any]:
    user = User.objects.create_user("member@example.org", "correct horse battery", full_name="Mo Member")
    person = Person.objects.create(full_name="Mo Member", email=user.email, user=user)
    sc = org.stakeholder_classes.first()
    assert sc is not None
    m = do_add_member(actor=None, organisation=org, person=person, stakeholder_class=sc, voting_rights=True)
    return user, m


def make_process(org: Organisation, officer: User, **kw: Any) -> Process:
    args: dict[str, Any] = {
        "title": "Safer Streets Fund 2026",
        "pot": 100_000,
        "funding_source": "share of the police precept",
        "ring_fence": "district",
        "areas": [("Northfield", 60_000), ("Southbank", 40_000)],
        "ballot_type": "approval",
        "max_choices": 3,
        "voter_classes": list(org.stakeholder_classes.all()),
    }
    args.update(kw)
    return services.do_create_process(actor=officer, organisation=org, **args)


IDEAS = [
    # (title, area index, cost)
    ("Street lights on Mill Lane", 0, 30_000),
    ("Youth club evenings", 0, 25_000),
    ("CCTV at the station", 0, 20_000),
    ("Riverside path lighting", 1, 22_000),
    ("Neighbourhood watch signs", 1, 5_000),
    ("Safe route to school", 1, 30_000),
]


def voting_process(org: Organisation, officer: User, resident: User, **kw: Any) -> Process:
    """A process with six shortlisted ideas (three per district), in the voting phase."""
    process = make_process(org, officer, **kw)
    process = services.do_advance_phase(actor=officer, process=process)  # ideas
    areas = list(process.areas.all())
    for title, a, cost in IDEAS:
        area = areas[a] if process.ring_fence != "none" else None
        idea = services.do_submit_idea(
            actor=resident,
            process=process,
            title=title,
            description=title,
            estimated_cost=cost,
            area=area,
            category="lighting" if "light" in title.lower() else "community",
        )
        services.do_review_idea(actor=officer, idea=idea, decision=IdeaStatus.SHORTLISTED, reason="Feasible")
    process = services.do_advance_phase(actor=officer, process=process)  # review
    return services.do_advance_phase(actor=officer, process=process)  # voting


@pytest.fixture
def voting(org: Organisation, officer: User, resident: User) -> Process:
    return voting_process(org, officer, resident)
