"""Governing bodies through the domain actions: seats, office holders, term limits, compliance pages."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from coopgov.apps.accounts.models import User
from coopgov.apps.governance import services as gov
from coopgov.apps.governance.models import OfficeHolder
from coopgov.apps.membership.models import Person
from coopgov.apps.orgs.services import do_create_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return do_create_organisation(
        actor=None,
        name="Hilltop Care",
        kind="care-co-operative",
        legal_form="co-operative-society",
        ownership_model="multi-stakeholder-co-operative",
        sectors=["social-care"],
    )


def test_board_compliance_changes_as_seats_are_added(org):
    body = gov.do_create_body(
        actor=None, organisation=org, kind="board-of-directors", name="Board", presets=["right-to-run"]
    )
    assert not gov.check_body(body).met
    workers = org.stakeholder_classes.get(slug="care-workers")
    gov.do_add_seat_rule(
        actor=None, body=body, name="Workers", category="worker", method="elected", seats=2, stakeholder_class=workers
    )
    gov.do_add_seat_rule(
        actor=None,
        body=body,
        name="Clients",
        category="care-recipient",
        method="elected",
        seats=2,
        stakeholder_class=org.stakeholder_classes.get(slug="people-receiving-care"),
    )
    report = gov.check_body(body)
    assert [c.met for c in report.checks] == [True, True, False]
    gov.do_add_seat_rule(
        actor=None,
        body=body,
        name="Community",
        category="community",
        method="appointed",
        seats=1,
        appointed_by="Town council",
    )
    report = gov.check_body(body)
    assert report.met and report.composition.vacancies == 5


def test_seat_rule_validation(org):
    body = gov.do_create_body(actor=None, organisation=org, kind="board-of-directors", name="Board")
    with pytest.raises(ValidationError, match="stakeholder class that elects"):
        gov.do_add_seat_rule(actor=None, body=body, name="x", category="worker", method="elected")
    with pytest.raises(ValidationError, match="body that appoints"):
        gov.do_add_seat_rule(actor=None, body=body, name="x", category="community", method="appointed")


def test_terms_history_and_limits(org):
    body = gov.do_create_body(actor=None, organisation=org, kind="board-of-directors", name="Board")
    seat = gov.do_add_seat_rule(
        actor=None,
        body=body,
        name="Co-opted",
        category="independent",
        method="co-opted",
        seats=1,
        term_months=12,
        max_consecutive_terms=2,
    )
    p = Person.objects.create(full_name="Terry Term")
    q = Person.objects.create(full_name="Quinn Queue")
    t1 = gov.do_take_office(actor=None, seat=seat, person=p, start_date=datetime.date(2023, 1, 31))
    assert t1.end_date == datetime.date(2024, 1, 31)
    with pytest.raises(ValidationError, match="All 1 seat"):
        gov.do_take_office(actor=None, seat=seat, person=q, start_date=datetime.date(2023, 6, 1))
    gov.do_take_office(actor=None, seat=seat, person=p, start_date=datetime.date(2024, 1, 31))
    with pytest.raises(ValidationError, match="2 consecutive term"):
        gov.do_take_office(actor=None, seat=seat, person=p, start_date=datetime.date(2025, 1, 31))
    gov.do_take_office(actor=None, seat=seat, person=q, start_date=datetime.date(2025, 1, 31))
    assert OfficeHolder.objects.filter(seat_rule=seat).count() == 3
    assert [h.person.full_name for h in OfficeHolder.objects.current_on(datetime.date(2025, 6, 1))] == ["Quinn Queue"]
    assert gov.add_months(datetime.date(2024, 1, 31), 1) == datetime.date(2024, 2, 29)


def test_compliance_pages(client, org, django_assert_max_num_queries):
    for i in range(3):
        gov.do_create_body(
            actor=None,
            organisation=org,
            kind="board-of-directors",
            name=f"Board {i}",
            presets=["right-to-run", "maintained-school"],
        )
    url = reverse("governance:compliance", args=[org.slug])
    with django_assert_max_num_queries(8):
        resp = client.get(url)
    assert resp.status_code == 200
    assert b"Not met" in resp.content and b"At least seven governors" in resp.content
    overview = reverse("governance:overview")
    assert client.get(overview).status_code == 302  # sign in first
    member = User.objects.create_user(email="m@example.org", password="x-long-password-1")
    client.force_login(member)
    assert client.get(overview).status_code == 403
    regulator = User.objects.create_user(email="r@example.org", password="x-long-password-1", platform_role="regulator")
    client.force_login(regulator)
    with django_assert_max_num_queries(12):
        resp = client.get(overview)
    assert resp.status_code == 200 and b"Hilltop Care" in resp.content


def test_body_page_adds_rules_with_clear_errors(client, org):
    from coopgov.apps.orgs.models import Role
    from coopgov.apps.orgs.services import do_grant_role

    admin = User.objects.create_user(email="admin@example.org", password="x-long-password-1")
    do_grant_role(actor=None, organisation=org, user=admin, role=Role.ADMINISTRATOR)
    body = gov.do_create_body(actor=None, organisation=org, kind="board-of-directors", name="Board")
    url = reverse("governance:body", args=[org.slug, body.slug])
    assert client.post(url, {"action": "rule", "kind": "min-seats", "category": "worker", "n": "2"}).status_code == 403
    client.force_login(admin)
    resp = client.post(url, {"action": "rule", "kind": "min-seats", "category": "wizard", "n": "2"})
    assert "Select a valid choice" in resp.content.decode()
    resp = client.post(url, {"action": "rule", "kind": "min-seats", "category": "worker"})
    assert "Give the minimum number of seats" in resp.content.decode()
    assert client.post(url, {"action": "rule", "kind": "min-seats", "category": "worker", "n": "2"}).status_code == 302
    resp = client.post(url, {"action": "rule", "kind": "preset"})
    assert "Choose a preset" in resp.content.decode()
    client.post(url, {"action": "rule", "kind": "preset", "preset": "right-to-run"})
    report = gov.check_body(body)
    assert len(report.checks) == 4 and not report.met
    page = client.get(url).content.decode()
    assert "Workers: 0 seats, but at least 2 are needed." in page


def test_private_organisation_pages_hidden(client, org):
    from coopgov.apps.orgs.services import do_update_organisation

    body = gov.do_create_body(actor=None, organisation=org, kind="board-of-directors", name="Board")
    do_update_organisation(actor=None, organisation=org, is_public=False)
    assert client.get(reverse("governance:compliance", args=[org.slug])).status_code == 404
    assert client.get(reverse("governance:body", args=[org.slug, body.slug])).status_code == 404
    assert client.get(reverse("elections:list", args=[org.slug])).status_code == 404
