"""Joiners, leavers, size and voting share per year, from the membership log, on hand-made data."""

from __future__ import annotations

import datetime

from coopgov.apps.engagement.metrics import membership_flows, year_periods
from coopgov.apps.membership.models import Person, Status
from coopgov.apps.membership.services import do_admit_member, do_apply_for_membership, do_change_membership
from coopgov.apps.orgs.models import Organisation

from .conftest import add_member

D = datetime.date


def _history(org: Organisation) -> None:
    workers = org.stakeholder_classes.get(slug="care-workers")
    community = org.stakeholder_classes.get(slug="community-members")
    a = add_member(org, "care-workers", D(2020, 3, 1))
    do_change_membership(actor=None, membership=a, status=Status.LAPSED, effective_from=D(2022, 6, 1))
    b = add_member(org, "care-workers", D(2021, 1, 1))
    do_change_membership(actor=None, membership=b, stakeholder_class=community, effective_from=D(2022, 2, 1))
    c = do_apply_for_membership(
        person=Person.objects.create(full_name="Applicant"),
        organisation=org,
        stakeholder_class=community,
        on=D(2021, 5, 1),
    )
    do_admit_member(actor=None, membership=c, on=D(2021, 6, 1))
    do_change_membership(actor=None, membership=c, voting_rights=False, effective_from=D(2023, 1, 1))
    d = add_member(org, "community-members", D(2023, 3, 1))
    do_change_membership(actor=None, membership=d, status=Status.ENDED, effective_from=D(2023, 9, 1))
    do_change_membership(actor=None, membership=d, status=Status.ACTIVE, effective_from=D(2024, 1, 15))
    assert workers.pk != community.pk


def test_yearly_series_known_answer(care_coop: Organisation, django_assert_num_queries: object) -> None:
    _history(care_coop)
    workers = care_coop.stakeholder_classes.get(slug="care-workers").pk
    community = care_coop.stakeholder_classes.get(slug="community-members").pk
    with django_assert_num_queries(1):  # type: ignore[operator]
        series = membership_flows(care_coop.pk, year_periods(2020, 2024))
    got = [
        (p.label, p.organisation.joiners, p.organisation.leavers, p.organisation.size, p.organisation.voting)
        for p in series
    ]
    assert got == [
        ("2020", 1, 0, 1, 1),
        ("2021", 2, 0, 3, 3),
        ("2022", 0, 1, 2, 2),  # A lapsed; B moved class (not a leave for the organisation)
        ("2023", 1, 1, 2, 1),  # D joined and ended; C lost voting rights
        ("2024", 1, 0, 3, 2),  # D rejoined
    ]
    by_year = {p.label: p for p in series}
    # per class: B's move is a leave from workers and a join to community members
    assert (by_year["2022"].classes[workers].leavers, by_year["2022"].classes[workers].size) == (2, 0)
    assert (by_year["2022"].classes[community].joiners, by_year["2022"].classes[community].size) == (1, 2)
    assert by_year["2024"].classes[community].size == 3
    assert by_year["2023"].organisation.voting_share == __import__("fractions").Fraction(1, 2)
    assert by_year["2021"].size_at_start == 1


def test_a_period_inside_a_year(care_coop: Organisation) -> None:
    _history(care_coop)
    (p,) = membership_flows(care_coop.pk, [("spring 2022", D(2022, 1, 1), D(2022, 5, 31))])
    assert (p.organisation.joiners, p.organisation.leavers, p.organisation.size) == (0, 0, 3)
    (p,) = membership_flows(care_coop.pk, [("to June 2022", D(2021, 6, 1), D(2022, 6, 1))])
    assert (p.size_at_start, p.organisation.joiners, p.organisation.leavers, p.organisation.size) == (2, 1, 1, 2)


def test_no_members(care_coop: Organisation) -> None:
    series = membership_flows(care_coop.pk, year_periods(2020, 2021))
    assert [(p.organisation.size, p.organisation.voting_share) for p in series] == [(0, None), (0, None)]
