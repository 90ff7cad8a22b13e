"""Engagement tests: organisations and members made through the domain actions."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

import pytest

from coopgov.apps.membership.models import Membership, Person
from coopgov.apps.membership.services import do_add_member
from coopgov.apps.orgs.models import Organisation
from coopgov.apps.orgs.services import do_create_organisation

_n = itertools.count(1)


@pytest.fixture
def care_coop(db: Any) -> Organisation:
    return do_create_organisation(
        actor=None,
        name="Riverside Care Co-operative",
        kind="care-co-operative",
        legal_form="co-operative-society",
        ownership_model="multi-stakeholder-co-operative",
        sectors=["social-care"],
    )


def add_member(
    org: Organisation,
    cls: str,
    joined_on: datetime.date,
    *,
    voting: bool = True,
    **demographics: str,
) -> Membership:
    sc = org.stakeholder_classes.get(slug=cls)
    person = Person.objects.create(full_name=f"Member {next(_n)}", **demographics)
    return do_add_member(
        actor=None,
        organisation=org,
        person=person,
        stakeholder_class=sc,
        joined_on=joined_on,
        voting_rights=voting,
    )
