"""One member, one vote, enforced by the database even when requests race (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connection

from coopgov.apps.elections import services
from coopgov.apps.elections.models import Ballot, VoterMark

from .conftest import to_poll


@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="concurrent votes are tested on PostgreSQL (run with DATABASE_URL=postgres://...)",
)
@pytest.mark.django_db(transaction=True)
def test_simultaneous_votes_by_one_member_store_one_ballot(care_coop, make_member, make_election, fake_clock, officer):
    members = [make_member(care_coop, "care-workers", f"Racer {i}", with_user=False) for i in range(4)]
    e = make_election(care_coop, "care-workers", seats=1)
    for m in members[:2]:
        services.do_nominate(actor=None, election=e, nominee=m, nominator=m)
    services.do_freeze_electorate(actor=officer, election=e)
    to_poll(e, fake_clock)
    cand = services.candidates(e)[0].pk
    threads_per_member = 6
    outcomes: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(threads_per_member * len(members))

    def vote(mid: int) -> None:
        try:
            barrier.wait()
            services.do_cast_vote(election=e, membership_id=mid, preferences=[cand])
            result = f"ok {mid}"
        except services.AlreadyVoted:
            result = f"dup {mid}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=vote, args=(m.pk,)) for m in members for _ in range(threads_per_member)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for m in members:
        assert outcomes.count(f"ok {m.pk}") == 1
        assert outcomes.count(f"dup {m.pk}") == threads_per_member - 1
    assert Ballot.objects.filter(election=e).count() == len(members)
    assert VoterMark.objects.filter(election=e).count() == len(members)
