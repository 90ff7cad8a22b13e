"""Dashboard, report and downloads through the test client."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from coopgov.apps.accounts.models import User
from coopgov.apps.engagement import services
from coopgov.apps.orgs.models import Organisation, Role
from coopgov.apps.orgs.services import do_grant_role

from .conftest import add_member

D = datetime.date


@pytest.fixture
def officer(care_coop: Organisation) -> User:
    user = User.objects.create_user("admin@example.org", "correct horse battery staple")
    do_grant_role(actor=None, organisation=care_coop, user=user, role=Role.ADMINISTRATOR)
    return user


@pytest.fixture
def officer_client(officer: User) -> Client:
    c = Client()
    c.force_login(officer)
    return c


def _members(org: Organisation, n: int, start: int = 0) -> None:
    for i in range(n):
        add_member(
            org,
            "care-workers" if i % 3 else "community-members",
            D(2020 + (start + i) % 5, 1 + i % 12, 1),
            sex="female" if i % 2 else "male",
        )


def test_dashboard_needs_a_role(care_coop: Organisation, client: Client) -> None:
    url = reverse("engagement:dashboard", args=[care_coop.slug])
    assert client.get(url).status_code == 302  # sign in first
    stranger = User.objects.create_user("nobody@example.org", "correct horse battery staple")
    client.force_login(stranger)
    assert client.get(url).status_code == 403


def test_computing_the_figures_takes_the_same_queries_at_any_size(
    care_coop: Organisation, django_assert_max_num_queries: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from coopgov.apps.engagement.data import engagement_data

    _members(care_coop, 12)
    with CaptureQueriesContext(connection) as small:
        engagement_data(care_coop, start=D(2024, 1, 1), end=D(2024, 12, 31))
    _members(care_coop, 60, start=12)
    with django_assert_max_num_queries(len(small.captured_queries)):
        engagement_data(care_coop, start=D(2024, 1, 1), end=D(2024, 12, 31))
    assert len(small.captured_queries) <= 30


def test_dashboard_renders_from_its_snapshot(
    care_coop: Organisation, officer_client: Client, django_assert_max_num_queries: Any
) -> None:
    from django.utils import timezone

    from coopgov.apps.engagement.models import Snapshot
    from coopgov.apps.jobs.models import Job

    url = reverse("engagement:dashboard", args=[care_coop.slug])
    _members(care_coop, 15)
    assert officer_client.get(url).status_code == 200  # computes and keeps the snapshot
    _members(care_coop, 40, start=15)
    with django_assert_max_num_queries(8):  # session, user, roles, organisation, snapshot
        r = officer_client.get(url)
    assert r.status_code == 200
    assert r.context["data"]["membership"]["summary"]["size"] == "15"  # the snapshot's figures
    # once older than its lifetime, the snapshot is still shown and a refresh job is queued once
    Snapshot.objects.update(computed_at=timezone.now() - timezone.timedelta(hours=2))
    r = officer_client.get(url)
    assert r.context["refreshing"] is True
    officer_client.get(url)
    assert Job.objects.filter(kind="engagement.refresh").count() == 1
    from coopgov.apps.jobs.runner import run_job

    run_job(Job.objects.get(kind="engagement.refresh").pk)
    r = officer_client.get(url)
    assert (r.context["refreshing"], r.context["data"]["membership"]["summary"]["size"]) == (False, "55")


def test_dashboard_period_and_class_filter(care_coop: Organisation, officer_client: Client) -> None:
    _members(care_coop, 30)
    workers = care_coop.stakeholder_classes.get(slug="care-workers")
    url = reverse("engagement:dashboard", args=[care_coop.slug])
    r = officer_client.get(
        url,
        {
            "start_day": "1",
            "start_month": "1",
            "start_year": "2021",
            "end_day": "31",
            "end_month": "12",
            "end_year": "2021",
            "stakeholder_class": str(workers.pk),
        },
    )
    assert r.status_code == 200
    assert r.context["data"]["period"] == {"start": "2021-01-01", "end": "2021-12-31"}
    assert r.context["data"]["stakeholder_class"] == "Care workers"
    bad = officer_client.get(
        url,
        {
            "start_day": "1",
            "start_month": "1",
            "start_year": "2024",
            "end_day": "1",
            "end_month": "1",
            "end_year": "2023",
        },
    )
    assert bad.status_code == 200
    assert "The start of the period must be on or before its end" in bad.content.decode()


def test_publish_report_and_download_suppressed_data(
    care_coop: Organisation, officer_client: Client, client: Client
) -> None:
    _members(care_coop, 25)
    year = D.today().year - 1
    public_url = reverse("engagement:report", args=[care_coop.slug, year])
    assert client.get(public_url).status_code == 404  # nothing published yet
    edit = reverse("engagement:report-edit", args=[care_coop.slug, year])
    r = officer_client.post(
        edit, {"how_we_engaged": "We held four open meetings.", "what_changed": "Rotas changed.", "publish": "1"}
    )
    assert r.status_code == 302
    page = client.get(public_url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "We held four open meetings." in text and "Rotas changed." in text
    data = json.loads(client.get(reverse("engagement:report-data", args=[care_coop.slug, year, "json"])).content)
    assert data["narrative"]["what_changed"] == "Rotas changed."
    # 25 members: sex split 12/13 shown; prefer-not 0; not given 0
    csv_text = client.get(reverse("engagement:report-data", args=[care_coop.slug, year, "csv"])).content.decode()
    assert csv_text.startswith("section,table,row,column,value\n")
    # no count from 1 to 9 anywhere in the published figures
    for line in csv_text.splitlines()[1:]:
        *_, column, value = line.rsplit(",", 2)
        if column in {
            "members",
            "size",
            "joiners",
            "leavers",
            "count",
            "participants",
            "eligible",
            "electorate",
            "ballots",
            "answered",
            "voting",
        }:
            assert not (value.isdigit() and 0 < int(value) < 10), line


def test_manage_uploads_and_reports_bad_rows(care_coop: Organisation, officer_client: Client) -> None:
    url = reverse("engagement:manage", args=[care_coop.slug])
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile(
        "pop.csv", b"geography,dimension,category,count\nDevon,sex,female,10\nDevon,sex,Martian,5\n"
    )
    r = officer_client.post(url, {"action": "population", "name": "Census", "file": bad})
    assert r.status_code == 400
    assert "pop.csv, line 3: column category: unknown sex category &#x27;Martian&#x27;" in r.content.decode()
    good = SimpleUploadedFile("pop.csv", b"geography,dimension,category,count\nDevon,sex,Female,10\nDevon,sex,Male,5\n")
    r = officer_client.post(url, {"action": "population", "name": "Census", "file": good})
    assert r.status_code == 302
    r = officer_client.post(url, {"action": "benchmark", "share_benchmark": "on"})
    assert r.status_code == 302
    assert care_coop.engagement_settings.share_benchmark
    r = officer_client.post(
        url,
        {
            "action": "decision",
            "title": "Rota consultation",
            "kind": "consultation",
            "held_on_day": "3",
            "held_on_month": "3",
            "held_on_year": "2025",
            "eligible": "40",
            "participants": "50",
        },
    )
    assert r.status_code == 400
    assert services  # imported for the domain actions


def test_refresh_command(care_coop: Organisation) -> None:
    import io

    from django.core.management import CommandError, call_command

    from coopgov.apps.engagement.models import Snapshot

    _members(care_coop, 12)
    out = io.StringIO()
    call_command("refresh_engagement", organisation=care_coop.slug, stdout=out)
    assert "Recomputed 1 snapshot(s)." in out.getvalue()
    assert Snapshot.objects.get(organisation=care_coop).data["membership"]["summary"]["size"] == "12"
    with pytest.raises(CommandError, match="No organisation with the slug 'nope'"):
        call_command("refresh_engagement", organisation="nope")
