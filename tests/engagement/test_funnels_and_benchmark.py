"""Participation funnels (election and participatory budgeting) and the peer benchmark, on
hand-made data with known answers."""

from __future__ import annotations

import datetime

from django.utils import timezone

from coopgov.apps.accounts.models import User
from coopgov.apps.engagement import data as published
from coopgov.apps.engagement import metrics, services
from coopgov.apps.engagement.benchmark import benchmark
from coopgov.apps.engagement.demo import record_past_election
from coopgov.apps.membership.models import Membership, Person
from coopgov.apps.membership.services import do_add_member
from coopgov.apps.orgs.models import Organisation
from coopgov.apps.orgs.services import do_create_organisation

from .conftest import add_member

D = datetime.date


def _member_with_login(org: Organisation, i: int, last_login: datetime.datetime | None) -> Membership:
    user = User.objects.create_user(f"m{org.pk}-{i}@example.org", "correct horse battery staple")
    if last_login is not None:
        User.objects.filter(pk=user.pk).update(last_login=last_login)
    person = Person.objects.create(full_name=f"Member {i}", user=user)
    sc = org.stakeholder_classes.get(slug="care-workers")
    return do_add_member(actor=None, organisation=org, person=person, stakeholder_class=sc, joined_on=D(2020, 1, 1))


def test_election_funnel(care_coop: Organisation) -> None:
    from coopgov.apps.elections.models import ElectorateEntry

    close = D(2024, 6, 1)
    notice = timezone.make_aware(datetime.datetime(2024, 4, 2, 12))
    members = [
        _member_with_login(care_coop, i, notice + datetime.timedelta(days=3) if i < 14 else notice - datetime.timedelta(days=3))
        for i in range(25)
    ]  # fmt: skip
    sc = care_coop.stakeholder_classes.get(slug="care-workers")
    e = record_past_election(organisation=care_coop, title="Workers 2024", stakeholder_class=sc, constituency=None,
                             seats=1, poll_close=close, electorate=25, candidates=members[:3], ballots=11)  # fmt: skip
    ElectorateEntry.objects.bulk_create([ElectorateEntry(election=e, membership=m) for m in members])
    f = metrics.election_funnel(care_coop.pk)
    assert f is not None
    # 25 eligible; 14 signed in after the notice (2 April 2024); 3 stood; 11 voted
    assert [(s.label, s.count) for s in f.steps] == [
        ("Eligible to vote", 25),
        ("Signed in since the notice of election", 14),
        ("Stood as candidates", 3),
        ("Voted", 11),
    ]
    (shown,) = published.funnel_section(care_coop)
    assert [(s["count"], s["share"]) for s in shown["steps"]] == [
        ("25", "100.0%"),
        ("14", "56.0%"),
        ("<10", ""),
        ("11", "44.0%"),
    ]


def test_pb_funnel(care_coop: Organisation) -> None:
    from coopgov.apps.budgets.models import Ballot, Comment, Idea, Process, Support

    members = [_member_with_login(care_coop, i, timezone.now() if i % 2 else None) for i in range(20)]
    users = [m.person.user for m in members]
    p = Process.objects.create(organisation=care_coop, title="Community pot", slug="pot", pot=10000, phase="voting",
                               ideas_open=D(2020, 1, 1))  # fmt: skip
    ideas = [
        Idea.objects.create(process=p, title=f"Idea {i}", description="x", estimated_cost=100, author=users[i])
        for i in range(3)
    ]
    Comment.objects.create(idea=ideas[0], author=users[3], text="good")
    Comment.objects.create(idea=ideas[1], author=users[0], text="also")  # an author who also commented
    for u in users[4:8]:
        Support.objects.create(idea=ideas[0], user=u)
    for k in range(12):
        Ballot.objects.create(process=p, voter_key=f"k{k}", choices=[ideas[0].pk])
    f = metrics.pb_funnel(care_coop.pk)
    assert f is not None
    # eligible 20; signed in 10 (odd ones); took part = authors 0,1,2 + commenter 3 + supporters 4-7 = 8
    assert [s.count for s in f.steps] == [20, 10, 8, 3, 2, 4, 12]


def _trust(name: str, members: int, share: bool = True) -> Organisation:
    org = do_create_organisation(actor=None, name=name, kind="care-co-operative", legal_form="co-operative-society",
                                 ownership_model="co-operative", sectors=["social-care"])  # fmt: skip
    for _ in range(members):
        add_member(org, "care-workers", D(2020, 1, 1))
    services.do_set_benchmark_sharing(actor=None, organisation=org, share=share)
    return org


def test_benchmark_quartiles_among_sharing_peers(care_coop: Organisation) -> None:
    on = D(2025, 6, 30)
    a, b, c = _trust("A", 20), _trust("B", 30), _trust("C", 40)
    _trust("D, not sharing", 90, share=False)
    for _ in range(10):
        add_member(care_coop, "care-workers", D(2020, 1, 1))
    # not sharing: no benchmark for us
    assert benchmark(care_coop, on)["reason"] == "not-sharing"
    services.do_set_benchmark_sharing(actor=None, organisation=care_coop, share=True)
    result = benchmark(care_coop, on)
    assert result["available"] and result["peers"] == 4
    (members,) = [i for i in result["indicators"] if i["key"] == "members"]
    # members 10, 20, 30, 40 (D does not share): type-7 quartiles 17.5, 25, 32.5; we are in band 1
    assert (members["value"], members["q1"], members["median"], members["q3"], members["band"]) == (
        "10",
        "17.5",
        "25",
        "32.5",
        1,
    )
    # too few peers
    services.do_set_benchmark_sharing(actor=None, organisation=a, share=False)
    assert benchmark(b, on) == {"available": False, "reason": "too-few", "indicators": [], "peers": 3}
    assert c.pk


def test_election_funnel_for_a_historical_record(care_coop: Organisation) -> None:
    sc = care_coop.stakeholder_classes.get(slug="care-workers")
    cands = [add_member(care_coop, "care-workers", D(2020, 1, 1)) for _ in range(3)]
    record_past_election(organisation=care_coop, title="Workers 2019", stakeholder_class=sc, constituency=None,
                         seats=1, poll_close=D(2023, 6, 1), electorate=480, candidates=cands, ballots=120)  # fmt: skip
    f = metrics.election_funnel(care_coop.pk)
    assert f is not None
    # no electorate list kept: the published electorate, and no sign-in step (nothing to match it against)
    assert [(s.label, s.count) for s in f.steps] == [
        ("Eligible to vote", 480),
        ("Stood as candidates", 3),
        ("Voted", 120),
    ]
    assert "not kept" in f.steps[0].note
