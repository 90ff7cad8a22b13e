"""Emails at each step, and the background count and mailing jobs."""

from __future__ import annotations

import pytest
from django.core import mail

from coopgov.apps.elections import jobs, notifications, services
from coopgov.apps.jobs.models import Job, JobStatus
from coopgov.apps.jobs.runner import run_job

from .conftest import to_close, to_poll

pytestmark = pytest.mark.django_db


def test_emails_at_each_step(care_coop, make_member, make_election, fake_clock, officer, settings):
    settings.SITE_URL = "https://vote.example.org"
    ms = [make_member(care_coop, "care-workers", n) for n in ["Ann Ash", "Bob Birch", "Cat Cedar"]]
    e = make_election(care_coop, "care-workers", seats=1)
    assert notifications.notice(e) == 3
    assert "Notice of election" in mail.outbox[-1].subject and "Nominations open" in mail.outbox[-1].body
    services.do_nominate(actor=None, election=e, nominee=ms[0], nominator=ms[1])
    assert mail.outbox[-1].to == [ms[0].person.email] and "/consent/" in mail.outbox[-1].body
    services.do_nominate(actor=None, election=e, nominee=ms[1], nominator=ms[1])
    assert "has been received" in mail.outbox[-1].body
    services.do_freeze_electorate(actor=officer, election=e)
    to_poll(e, fake_clock)
    mail.outbox.clear()
    assert notifications.poll_cards(e) == 3
    card = mail.outbox[0]
    assert "https://vote.example.org/elections/" in card.body and "/vote/" in card.body
    token = card.body.split("/vote/")[1].split("/")[0]
    assert services.membership_for_token(e, token) in {m.pk for m in ms}
    services.do_cast_vote(election=e, membership_id=ms[2].pk, preferences=[services.candidates(e)[0].pk])
    mail.outbox.clear()
    assert notifications.reminder(e) == 2
    assert ms[2].person.email not in {m.to[0] for m in mail.outbox}


def test_background_count_and_mailing(care_coop, make_member, make_election, fake_clock, officer, settings):
    settings.JOBS_IN_THREAD = False
    ms = [make_member(care_coop, "care-workers", n) for n in ["Dee Dale", "Eve Elm"]]
    e = make_election(care_coop, "care-workers", seats=1)
    for m in ms:
        services.do_nominate(actor=None, election=e, nominee=m, nominator=m)
    services.do_freeze_electorate(actor=officer, election=e)
    to_poll(e, fake_clock)
    c = services.candidates(e)
    for m in ms:
        services.do_cast_vote(election=e, membership_id=m.pk, preferences=[c[0].pk])
    to_close(e, fake_clock)
    services.do_close_poll(actor=officer, election=e)
    job = Job.objects.create(kind="elections.count", args={"election": str(e.pk)}, created_by=officer)
    job = run_job(job.pk)
    assert job.status == JobStatus.DONE, job.error
    assert job.result == {"elected": [c[0].membership.person.full_name]}
    mail_job = Job.objects.create(kind="elections.mail", args={"election": str(e.pk), "kind": "notice"})
    assert run_job(mail_job.pk).result == {"sent": 2}
    bad = Job.objects.create(kind="elections.mail", args={"election": str(e.pk), "kind": "spam"})
    assert run_job(bad.pk).status == JobStatus.FAILED
    assert jobs.INLINE_MAX >= 10_000
