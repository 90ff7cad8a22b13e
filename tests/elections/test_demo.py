"""The governance and election demo content loads on top of the lead's demo data."""

from __future__ import annotations

import pytest

from coopgov.apps.elections import clock
from coopgov.apps.elections.demo import load_demo_elections
from coopgov.apps.elections.models import Election
from coopgov.apps.governance.models import GoverningBody, OfficeHolder
from coopgov.apps.governance.services import check_body
from coopgov.apps.site.demo import load_demo

pytestmark = pytest.mark.django_db


def test_demo_bodies_and_declared_election():
    real_now = clock.now
    load_demo(trust_members=30)  # calls load_demo_elections() at the end
    assert clock.now is real_now
    reports = {
        (b.organisation.kind, b.name): check_body(b) for b in GoverningBody.objects.select_related("organisation")
    }
    assert reports[("care-co-operative", "Board of directors")].met
    assert ("co-operative-school", "Student council") in reports
    e = Election.objects.get(declared_on__isnull=False, organisation__kind="care-co-operative")
    assert len(e.result["elected"]) == 2 and e.result["stages"]
    assert OfficeHolder.objects.filter(seat_rule=e.seat_rule).count() == 2
    assert load_demo_elections() == {"bodies": 0, "elections": 0}  # idempotent
