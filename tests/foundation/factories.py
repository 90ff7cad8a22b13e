"""Test data made through the domain actions, as a user of the platform would make it."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from coopgov.apps.accounts.models import User
from coopgov.apps.membership.models import Membership, Person
from coopgov.apps.membership.services import do_add_member
from coopgov.apps.orgs import services as orgs
from coopgov.apps.orgs.models import Organisation

_n = itertools.count(1)


def make_user(email: str | None = None, **extra: Any) -> User:
    email = email or f"user{next(_n)}@example.org"
    return User.objects.create_user(email, "correct horse battery staple", **extra)


def make_org(
    name: str | None = None, *, kind: str = "care-co-operative", actor: User | None = None, **extra: Any
) -> Organisation:
    fields: dict[str, Any] = {
        "legal_form": "co-operative-society",
        "ownership_model": "multi-stakeholder-co-operative",
        "sectors": ["social-care"],
    }
    fields.update(extra)
    return orgs.do_create_organisation(actor=actor, name=name or f"Org {next(_n)}", kind=kind, **fields)


def make_officer(org: Organisation, role: str = "membership-secretary", email: str | None = None) -> User:
    user = make_user(email)
    orgs.do_grant_role(actor=None, organisation=org, user=user, role=role)
    return user


def make_member(
    org: Organisation,
    *,
    cls: str | None = None,
    name: str | None = None,
    joined_on: datetime.date | None = None,
    email: str = "",
    constituency: str | None = None,
    user: User | None = None,
    actor: Any = None,
) -> Membership:
    sc = org.stakeholder_classes.get(slug=cls) if cls else org.stakeholder_classes.first()
    assert sc is not None
    c = sc.constituencies.get(slug=constituency) if constituency else None
    person = Person.objects.create(full_name=name or f"Member {next(_n)}", email=email, user=user)
    return do_add_member(
        actor=actor,
        organisation=org,
        person=person,
        stakeholder_class=sc,
        constituency=c,
        joined_on=joined_on or datetime.date(2024, 1, 1),
    )
