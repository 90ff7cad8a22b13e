"""Membership history is append-only and eligibility can be answered as at any past date."""

from __future__ import annotations

import datetime

import pytest
from django.db import DatabaseError, connection, transaction

from coopgov.apps.audit.models import AppendOnlyError, AuditEvent
from coopgov.apps.membership import eligibility
from coopgov.apps.membership.models import MembershipRecord, Status
from coopgov.apps.membership.services import do_change_membership, do_end_membership

from .factories import make_member, make_org

D = datetime.date


@pytest.fixture
def trust():  # type: ignore[no-untyped-def]
    return make_org(
        "Moor NHS FT",
        kind="nhs-foundation-trust",
        legal_form="nhs-foundation-trust",
        ownership_model="public",
        sectors=["health"],
    )


@pytest.mark.django_db
def test_changes_add_records_and_as_at_answers_the_past(trust) -> None:  # type: ignore[no-untyped-def]
    m = make_member(trust, cls="staff", constituency="clinical-staff", joined_on=D(2020, 1, 1))
    do_change_membership(
        actor=None, membership=m, status=Status.SUSPENDED, effective_from=D(2021, 6, 1), reason="conduct"
    )
    do_change_membership(
        actor=None, membership=m, status=Status.ACTIVE, effective_from=D(2021, 9, 1), reason="reinstated"
    )
    nonclinical = trust.stakeholder_classes.get(slug="staff").constituencies.get(slug="non-clinical-staff")
    do_change_membership(
        actor=None, membership=m, constituency=nonclinical, effective_from=D(2023, 1, 1), reason="moved"
    )
    do_end_membership(actor=None, membership=m, on=D(2025, 3, 31))

    assert MembershipRecord.objects.filter(membership=m).count() == 5
    clinical_id = trust.stakeholder_classes.get(slug="staff").constituencies.get(slug="clinical-staff").pk

    def ok(day: datetime.date, constituency_id: int | None = None) -> bool:
        return eligibility.is_eligible_voter(m, day, constituency_id=constituency_id)[0]

    assert not ok(D(2019, 12, 31))  # before joining
    assert ok(D(2020, 1, 1), clinical_id)
    assert not ok(D(2021, 7, 1))  # suspended
    assert ok(D(2021, 9, 1), clinical_id)
    assert not ok(D(2023, 6, 1), clinical_id)  # moved constituency
    assert ok(D(2023, 6, 1), nonclinical.pk)
    assert not ok(D(2025, 4, 1))  # ended
    reason = eligibility.is_eligible_voter(m, D(2021, 7, 1))[1]
    assert "suspended" in reason
    assert eligibility.eligible_voters_as_at(trust.pk, D(2021, 7, 1)).count() == 0
    assert eligibility.eligible_voters_as_at(trust.pk, D(2022, 1, 1), constituency_id=clinical_id).count() == 1
    assert AuditEvent.objects.filter(action="membership.change", organisation=trust).count() == 4


@pytest.mark.django_db
def test_as_at_counts_a_whole_register(trust) -> None:  # type: ignore[no-untyped-def]
    for year in (2018, 2019, 2020, 2021):
        make_member(trust, cls="public", constituency="area-1", joined_on=D(year, 5, 1))
    lapsed = make_member(trust, cls="public", constituency="area-1", joined_on=D(2018, 1, 1))
    do_change_membership(actor=None, membership=lapsed, status=Status.LAPSED, effective_from=D(2020, 1, 1))
    counts = [eligibility.eligible_voters_as_at(trust.pk, D(y, 12, 31)).count() for y in (2017, 2018, 2019, 2020, 2021)]
    assert counts == [0, 2, 3, 3, 4]


@pytest.mark.django_db
def test_membership_log_refuses_changes_in_python(trust) -> None:  # type: ignore[no-untyped-def]
    m = make_member(trust, cls="patients-and-carers")
    record = MembershipRecord.objects.get(membership=m)
    record.reason = "rewritten"
    with pytest.raises(AppendOnlyError):
        record.save()
    with pytest.raises(AppendOnlyError):
        record.delete()
    event = AuditEvent.objects.first()
    assert event is not None
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().update(summary="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


@pytest.mark.django_db
def test_database_refuses_update_and_delete_of_logs(trust) -> None:  # type: ignore[no-untyped-def]
    make_member(trust, cls="patients-and-carers")
    for table in ("audit_auditevent", "membership_membershiprecord"):
        for sql in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}"):
            with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql)
    assert MembershipRecord.objects.count() == 1


@pytest.mark.django_db
def test_renaming_a_person_keeps_the_register_sorted_and_searchable(trust) -> None:  # type: ignore[no-untyped-def]
    from coopgov.apps.membership.models import Membership

    m = make_member(trust, cls="patients-and-carers", name="Ann Old")
    person = m.person
    person.full_name = "Zed New"
    person.save()
    assert Membership.objects.get(pk=m.pk).sort_name == "zed new"
    assert list(Membership.objects.filter(organisation=trust).search("zed")) == [m]
