"""Large register files are checked and imported by a background job, not inside the request."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from coopgov.apps.jobs.models import Job, JobStatus
from coopgov.apps.jobs.runner import run_pending
from coopgov.apps.membership.models import Membership

from .factories import make_officer, make_org

CSV = b"full_name,stakeholder_class,joined_on\n" + b"".join(
    f"Person {i},Care workers,2024-01-0{i % 9 + 1}\n".encode() for i in range(5)
)


@pytest.mark.django_db
def test_big_upload_runs_as_jobs_with_progress(client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.INLINE_IMPORT_MAX_ROWS = 2
    settings.JOBS_IN_THREAD = False
    org = make_org("Jobs Care")
    client.force_login(make_officer(org))
    response = client.post(reverse("site:import", kwargs={"slug": org.slug}), {"file": SimpleUploadedFile("m.csv", CSV)})
    assert response.status_code == 302
    job = Job.objects.get(kind="membership.check")
    assert job.status == JobStatus.QUEUED
    page = client.get(response["Location"]).content.decode()
    assert "Working on your file" in page
    assert run_pending() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result["ok"] and job.result["rows"] == 5
    page = client.get(response["Location"]).content.decode()
    assert "ready to import" in page
    confirm = client.post(reverse("site:import-confirm", kwargs={"slug": org.slug}), {"token": job.result["token"]})
    assert confirm.status_code == 302 and Membership.objects.filter(organisation=org).count() == 0
    assert run_pending() == 1
    assert Membership.objects.filter(organisation=org).count() == 5
    done = Job.objects.get(kind="membership.import")
    assert done.result["committed"] and done.progress == 5
    assert "Imported 5 members" in client.get(confirm["Location"]).content.decode()


@pytest.mark.django_db
def test_job_pages_are_private_to_the_organisation(client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.JOBS_IN_THREAD = False
    org, other = make_org("Mine"), make_org("Theirs")
    job = Job.objects.create(kind="membership.check", args={}, organisation=other)
    client.force_login(make_officer(org))
    assert client.get(reverse("site:job", kwargs={"slug": other.slug, "job_id": job.pk})).status_code == 403
    assert client.get(reverse("site:job", kwargs={"slug": org.slug, "job_id": job.pk})).status_code == 404


@pytest.mark.django_db
def test_failed_job_is_reported_not_raised(settings) -> None:  # type: ignore[no-untyped-def]
    settings.JOBS_IN_THREAD = False
    job = Job.objects.create(kind="no.such.kind", args={})
    assert run_pending() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "no handler" in job.error
