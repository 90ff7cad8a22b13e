"""Fixtures for election tests: organisations, members and elections set up through the domain
actions, and a movable clock for the timetable."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from coopgov.apps.accounts.models import User
from coopgov.apps.elections import clock, services
from coopgov.apps.elections.models import Election
from coopgov.apps.governance import services as gov
from coopgov.apps.membership.models import Membership, Person
from coopgov.apps.membership.services import do_add_member
from coopgov.apps.orgs.models import Organisation, Role
from coopgov.apps.orgs.services import do_create_organisation, do_grant_role

TODAY = datetime.date.today


class Clock:
    def __init__(self) -> None:
        self.at = timezone.now()

    def __call__(self) -> datetime.datetime:
        return self.at

    def move_to(self, t: datetime.datetime) -> None:
        self.at = t


@pytest.fixture
def fake_clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    c = Clock()
    monkeypatch.setattr(clock, "now", c)
    return c


@pytest.fixture
def officer(db: Any) -> User:
    return User.objects.create_user(email="ro@example.org", password="x-long-password-1")


@pytest.fixture
def care_coop(db: Any, officer: User) -> Organisation:
    org = do_create_organisation(
        actor=None,
        name="Riverside Care Co-operative",
        kind="care-co-operative",
        legal_form="co-operative-society",
        ownership_model="multi-stakeholder-co-operative",
        sectors=["social-care"],
    )
    do_grant_role(actor=None, organisation=org, user=officer, role=Role.RETURNING_OFFICER)
    do_grant_role(actor=None, organisation=org, user=officer, role=Role.ADMINISTRATOR)
    return org


MakeMember = Callable[..., Membership]


@pytest.fixture
def make_member(db: Any) -> MakeMember:
    counter = {"n": 0}

    def make(
        org: Organisation,
        class_slug: str,
        name: str,
        *,
        joined_on: datetime.date | None = None,
        constituency_slug: str | None = None,
        with_user: bool = True,
    ) -> Membership:
        counter["n"] += 1
        email = f"{name.lower().replace(' ', '.')}@example.org"
        user = User.objects.create_user(email=email, password="x-long-password-1") if with_user else None
        person = Person.objects.create(full_name=name, email=email, user=user)
        sc = org.stakeholder_classes.get(slug=class_slug)
        con = sc.constituencies.get(slug=constituency_slug) if constituency_slug else None
        return do_add_member(
            actor=None,
            organisation=org,
            person=person,
            stakeholder_class=sc,
            constituency=con,
            joined_on=joined_on or datetime.date(2020, 1, 1),
            member_number=f"M{counter['n']:05d}",
        )

    return make


def timetable(now: datetime.datetime) -> dict[str, Any]:
    h = datetime.timedelta(hours=1)
    d = datetime.timedelta(days=1)
    return {
        "cutoff_date": timezone.localdate() - d,
        "notice_at": now - 2 * h,
        "nominations_open": now - h,
        "nominations_close": now + d,
        "withdrawal_deadline": now + 2 * d,
        "poll_open": now + 3 * d,
        "poll_close": now + 5 * d,
    }


@pytest.fixture
def board(care_coop: Organisation, officer: User) -> Any:
    body = gov.do_create_body(
        actor=officer, organisation=care_coop, kind="board-of-directors", name="Board", presets=["right-to-run"]
    )
    workers = care_coop.stakeholder_classes.get(slug="care-workers")
    seat = gov.do_add_seat_rule(
        actor=officer,
        body=body,
        name="Worker directors",
        category="worker",
        method="elected",
        seats=2,
        stakeholder_class=workers,
        term_months=36,
    )
    return body, seat


@pytest.fixture
def make_election(officer: User, fake_clock: Clock) -> Callable[..., Election]:
    def make(
        org: Organisation, class_slug: str, *, seats: int = 2, method: str = "scottish-stv", **kw: Any
    ) -> Election:
        sc = org.stakeholder_classes.get(slug=class_slug)
        t = timetable(fake_clock.at)
        t.update(kw.pop("timetable", {}))
        return services.do_create_election(
            actor=officer,
            organisation=org,
            title=kw.pop("title", "Election of worker directors"),
            stakeholder_class=sc,
            seats=seats,
            method=method,
            term_start=kw.pop("term_start", timezone.localdate() + datetime.timedelta(days=10)),
            **kw,
            **t,
        )

    return make


def to_poll(e: Election, c: Clock) -> None:
    c.move_to(e.poll_open + datetime.timedelta(minutes=1))


def to_close(e: Election, c: Clock) -> None:
    c.move_to(e.poll_close + datetime.timedelta(minutes=1))
