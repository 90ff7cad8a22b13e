"""An election run end to end through the domain actions, and the guarantees around it."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from coopgov.apps.audit.models import AuditEvent
from coopgov.apps.elections import notifications, services
from coopgov.apps.elections.models import Ballot, ElectorateEntry, VoterMark
from coopgov.apps.governance.models import OfficeHolder
from coopgov.apps.membership.services import do_change_membership
from coopgov.counting import Profile, count

from .conftest import to_close, to_poll

pytestmark = pytest.mark.django_db


def _nominate_all(e, members):
    noms = []
    for m in members:
        noms.append(
            services.do_nominate(actor=None, election=e, nominee=m, nominator=m, statement=f"I am {m.person.full_name}")
        )
    return noms


def test_whole_stv_election_fills_the_board(care_coop, board, make_member, make_election, fake_clock, officer):
    _, seat = board
    workers = [
        make_member(care_coop, "care-workers", n)
        for n in ["Ada Ames", "Bo Bell", "Cy Cole", "Di Dunn", "Ed Eke", "Fay Fox"]
    ]
    e = make_election(care_coop, "care-workers", seats=2, seat_rule=seat)
    # Ada, Bo and Cy stand (Cy nominated by Di, then consents).
    _nominate_all(e, workers[:2])
    n_cy = services.do_nominate(actor=None, election=e, nominee=workers[2], nominator=workers[3])
    assert not n_cy.consented
    assert any("consent" in m.body for m in mail.outbox)
    services.do_consent(nomination=n_cy, statement="Vote Cy", interests="None")
    services.do_freeze_electorate(actor=officer, election=e)
    e.refresh_from_db()
    assert e.electorate_count == 6
    ids = sorted(w.pk for w in workers)
    assert e.electorate_hash == services.fingerprint(e.pk, ids)

    cands = services.candidates(e)
    assert [c.membership.person.full_name for c in cands] == ["Ada Ames", "Bo Bell", "Cy Cole"]
    a, b, c = (n.pk for n in cands)
    to_poll(e, fake_clock)
    assert notifications.poll_cards(e) == 6
    votes = {0: [a, b], 1: [a, c], 2: [c], 3: [a], 4: [b, a], 5: [c, b]}
    receipts = {}
    for i, prefs in votes.items():
        receipts[i] = services.do_cast_vote(election=e, membership_id=workers[i].pk, preferences=prefs)
    assert Ballot.objects.filter(election=e).count() == 6
    assert VoterMark.objects.filter(election=e).count() == 6

    # Paper batch: 3 papers in ballot order (Ada, Bo, Cy): one 2,1 (Bo first), two 1,,2.
    services.do_add_paper_batch(actor=officer, election=e, label="Postal 1", declared_count=3, text="2,1,\n2*1,,2\n")
    with pytest.raises(ValidationError, match="close"):
        services.do_close_poll(actor=officer, election=e)
    to_close(e, fake_clock)
    with pytest.raises(ValidationError):
        services.do_cast_vote(election=e, membership_id=workers[0].pk, preferences=[a])
    services.do_close_poll(actor=officer, election=e)
    services.do_count(actor=officer, election=e)
    e.refresh_from_db()
    # Oracle: the counting engine on the same ballots built by hand.
    names = ["Ada Ames", "Bo Bell", "Cy Cole"]
    pos = {a: 0, b: 1, c: 2}
    ballots = [[pos[x] for x in p] for p in votes.values()] + [[1, 0], [0, 2], [0, 2]]
    expected = count(Profile.from_ballots(names, 2, ballots), "scottish-stv", seed=e.seed)
    assert e.result["elected"] == list(expected.elected_names)
    assert len(e.result["stages"]) == len(expected.stages)
    services.do_declare(actor=officer, election=e)
    e.refresh_from_db()
    assert e.declared_on == timezone.localdate()
    holders = OfficeHolder.objects.filter(seat_rule=seat)
    assert sorted(h.person.full_name for h in holders) == sorted(expected.elected_names)
    assert all(h.start_date == e.term_start for h in holders)
    # They take office at the start of the term, not before.
    assert (
        not OfficeHolder.objects.filter(seat_rule=seat).current_on(e.term_start - datetime.timedelta(days=1)).exists()
    )
    assert OfficeHolder.objects.filter(seat_rule=seat).current_on(e.term_start).count() == 2
    assert mail.outbox[-1].subject.startswith("Result:")
    # Each receipt finds exactly one ballot, with the preferences cast.
    for i, code in receipts.items():
        bal = Ballot.objects.get(election=e, receipt=code)
        assert [int(x) for x in bal.preferences.split()] == votes[i]
    # Every officer action is in the audit log; no vote is.
    actions = set(AuditEvent.objects.filter(object_id=str(e.pk)).values_list("action", flat=True))
    assert {
        "election.create",
        "election.electorate.freeze",
        "election.paper.batch",
        "election.poll.close",
        "election.count",
        "election.declare",
    } <= actions
    assert not any("vote" in a for a in actions)


def test_ballot_table_has_no_link_to_voters():
    fields = {f.name: f for f in Ballot._meta.get_fields()}
    assert set(fields) == {"id", "election", "preferences", "receipt", "batch"}
    for f in fields.values():
        assert not isinstance(f, models.DateTimeField | models.DateField | models.TimeField)
        if f.is_relation:
            assert f.related_model.__name__ in {"Election", "PaperBatch"}
    assert isinstance(fields["id"], models.UUIDField)
    mark_fields = {f.name: f for f in VoterMark._meta.get_fields()}
    assert set(mark_fields) == {"id", "election", "membership"}
    assert isinstance(mark_fields["id"], models.UUIDField)
    assert not any(isinstance(f, models.DateTimeField | models.DateField) for f in mark_fields.values())
    # Paper batches point to the election and the officer, never to voters.
    assert {
        f.related_model.__name__
        for f in Ballot._meta.get_field("batch").related_model._meta.get_fields()
        if f.is_relation and f.many_to_one
    } == {"Election", "User"}


def test_second_vote_is_refused(care_coop, make_member, make_election, fake_clock, officer):
    ms = [make_member(care_coop, "care-workers", n) for n in ["Ann One", "Ben Two"]]
    e = make_election(care_coop, "care-workers", seats=1)
    _nominate_all(e, ms)
    services.do_freeze_electorate(actor=officer, election=e)
    to_poll(e, fake_clock)
    n = services.candidates(e)[0].pk
    services.do_cast_vote(election=e, membership_id=ms[0].pk, preferences=[n])
    with pytest.raises(services.AlreadyVoted, match="already voted"):
        services.do_cast_vote(election=e, membership_id=ms[0].pk, preferences=[n])
    assert Ballot.objects.filter(election=e).count() == 1


def test_refusals_each_have_their_own_message(care_coop, make_member, make_election, fake_clock, officer):
    voter = make_member(care_coop, "care-workers", "Val Voter")
    late = make_member(care_coop, "care-workers", "Lee Late", joined_on=timezone.localdate())
    lapsed = make_member(care_coop, "care-workers", "Lou Lapsed")
    do_change_membership(actor=None, membership=lapsed, status="lapsed", effective_from=datetime.date(2024, 1, 1))
    other_class = make_member(care_coop, "family-carers", "Fran Family")
    e = make_election(care_coop, "care-workers", seats=1)
    services.do_nominate(actor=None, election=e, nominee=voter, nominator=voter)
    services.do_freeze_electorate(actor=officer, election=e)
    assert list(ElectorateEntry.objects.filter(election=e).values_list("membership_id", flat=True)) == [voter.pk]
    to_poll(e, fake_clock)
    n = services.candidates(e)[0].pk

    def refused(mid):
        with pytest.raises(ValidationError) as ei:
            services.do_cast_vote(election=e, membership_id=mid, preferences=[n])
        return " ".join(ei.value.messages)

    assert "not a member on" in refused(late.pk) and "cut-off" in refused(late.pk)
    assert "lapsed" in refused(lapsed.pk)
    assert "your membership is in another class" in refused(other_class.pk)
    assert services.refusal_reason(e, None).startswith("You are not a member of Riverside Care Co-operative")
    assert Ballot.objects.filter(election=e).count() == 0


def test_other_constituency_refused(make_member, fake_clock, officer, make_election):
    from coopgov.apps.orgs.services import do_create_organisation

    ft = do_create_organisation(
        actor=None,
        name="Exe Valley NHS Foundation Trust",
        kind="nhs-foundation-trust",
        legal_form="nhs-foundation-trust",
        ownership_model="public",
        sectors=["health"],
    )
    clinical = make_member(ft, "staff", "Cara Clinical", constituency_slug="clinical-staff")
    other = make_member(ft, "staff", "Nora Nonclinical", constituency_slug="non-clinical-staff")
    e = make_election(
        ft,
        "staff",
        seats=1,
        constituency=ft.stakeholder_classes.get(slug="staff").constituencies.get(slug="clinical-staff"),
    )
    services.do_nominate(actor=None, election=e, nominee=clinical, nominator=clinical)
    with pytest.raises(ValidationError, match="different constituency"):
        services.do_nominate(actor=None, election=e, nominee=other, nominator=other)
    services.do_freeze_electorate(actor=officer, election=e)
    to_poll(e, fake_clock)
    with pytest.raises(ValidationError, match="Clinical staff; you are a member of a different constituency"):
        services.do_cast_vote(election=e, membership_id=other.pk, preferences=[services.candidates(e)[0].pk])


def test_timetable_enforced(care_coop, make_member, make_election, fake_clock, officer):
    m = make_member(care_coop, "care-workers", "Tia Time")
    e = make_election(care_coop, "care-workers", seats=1)
    services.do_nominate(actor=None, election=e, nominee=m, nominator=m)
    # Voting before the poll opens is refused.
    with pytest.raises(ValidationError, match="poll opens"):
        services.do_cast_vote(election=e, membership_id=m.pk, preferences=[1])
    to_poll(e, fake_clock)
    # Voting before the electorate is frozen is refused; freezing after the poll opens is refused too.
    with pytest.raises(ValidationError, match="frozen"):
        services.do_cast_vote(election=e, membership_id=m.pk, preferences=[1])
    with pytest.raises(ValidationError, match="after the poll has opened"):
        services.do_freeze_electorate(actor=officer, election=e)
    with pytest.raises(ValidationError, match="after the poll has opened"):
        services.do_change_timetable(actor=officer, election=e, poll_close=e.poll_close + datetime.timedelta(days=1))
    # Nominations are closed.
    with pytest.raises(ValidationError, match="Nominations are open from"):
        services.do_nominate(actor=None, election=e, nominee=m, nominator=m)
    refused = AuditEvent.objects.filter(object_id=str(e.pk), action__endswith=".refused").count()
    assert refused == 2


def test_statement_limit(care_coop, make_member, make_election):
    m = make_member(care_coop, "care-workers", "Wordy Will")
    e = make_election(care_coop, "care-workers", seats=1)
    with pytest.raises(ValidationError, match="250 words or fewer; it has 251"):
        services.do_nominate(actor=None, election=e, nominee=m, nominator=m, statement="word " * 251)
    services.do_nominate(actor=None, election=e, nominee=m, nominator=m, statement="word " * 250)


def test_uncontested_declared_without_poll(care_coop, board, make_member, make_election, fake_clock, officer):
    _, seat = board
    ms = [make_member(care_coop, "care-workers", n) for n in ["Una One", "Uri Two", "Uma Three"]]
    e = make_election(care_coop, "care-workers", seats=2, seat_rule=seat)
    _nominate_all(e, ms[:2])
    with pytest.raises(ValidationError, match="withdrawal deadline"):
        services.do_declare_uncontested(actor=officer, election=e)
    fake_clock.move_to(e.withdrawal_deadline + datetime.timedelta(minutes=1))
    services.do_declare_uncontested(actor=officer, election=e)
    e.refresh_from_db()
    assert e.uncontested and e.declared_on
    assert sorted(e.result["elected"]) == ["Una One", "Uri Two"]
    assert OfficeHolder.objects.filter(seat_rule=seat).count() == 2


def test_withdrawal_then_contested_check(care_coop, make_member, make_election, fake_clock, officer):
    ms = [make_member(care_coop, "care-workers", n) for n in ["Wes One", "Wim Two", "Wyn Three"]]
    e = make_election(care_coop, "care-workers", seats=2)
    noms = _nominate_all(e, ms)
    fake_clock.move_to(e.withdrawal_deadline + datetime.timedelta(minutes=1))
    with pytest.raises(ValidationError, match="withdraw until"):
        services.do_withdraw(nomination=noms[0])
    with pytest.raises(ValidationError, match="contested"):
        services.do_declare_uncontested(actor=officer, election=e)


def test_by_election_fills_casual_vacancy(care_coop, board, make_member, make_election, fake_clock, officer):
    from coopgov.apps.governance.services import do_end_office, do_take_office

    _, seat = board
    a, b, c = (make_member(care_coop, "care-workers", n) for n in ["Old One", "Old Two", "New Three"])
    start = datetime.date(2025, 1, 1)
    h1 = do_take_office(actor=officer, seat=seat, person=a.person, start_date=start)
    do_take_office(actor=officer, seat=seat, person=b.person, start_date=start)
    do_end_office(actor=officer, holder=h1, on=timezone.localdate(), reason="resigned")
    e = make_election(
        care_coop,
        "care-workers",
        seats=1,
        seat_rule=seat,
        is_by_election=True,
        term_end=h1.start_date.replace(year=2028),
    )
    services.do_nominate(actor=None, election=e, nominee=c, nominator=c)
    fake_clock.move_to(e.withdrawal_deadline + datetime.timedelta(minutes=1))
    services.do_declare_uncontested(actor=officer, election=e)
    new = OfficeHolder.objects.get(seat_rule=seat, person=c.person)
    assert new.how == "elected at a by-election" and new.end_date == datetime.date(2028, 1, 1)


def test_paper_batch_subtotal_and_marked_voters(care_coop, make_member, make_election, fake_clock, officer):
    ms = [make_member(care_coop, "care-workers", f"Paper {i}") for i in range(7)]
    e = make_election(care_coop, "care-workers", seats=1)
    _nominate_all(e, ms[:2])
    services.do_freeze_electorate(actor=officer, election=e)
    to_poll(e, fake_clock)
    with pytest.raises(ValidationError, match="Line 2: expected 2 marks"):
        services.do_add_paper_batch(actor=officer, election=e, label="b", declared_count=2, text="1,2\n1\n")
    with pytest.raises(ValidationError, match=r"lines hold 2 ballot.*subtotal is 3"):
        services.do_add_paper_batch(actor=officer, election=e, label="b", declared_count=3, text="1,2\n2,1\n")
    n0 = services.candidates(e)[0].pk
    services.do_cast_vote(election=e, membership_id=ms[0].pk, preferences=[n0])
    papers = "3*1,2\n2*2,1\n"
    numbers = [m.member_number for m in ms]
    # Too few listed voters for the batch to keep their votes secret.
    with pytest.raises(ValidationError, match="at least 5 papers"):
        services.do_add_paper_batch(
            actor=officer,
            election=e,
            label="b",
            declared_count=2,
            text="1,2\n2,1\n",
            returned_by="\n".join(numbers[1:3]),
        )
    with pytest.raises(ValidationError, match=f"Member {ms[0].member_number} has already voted"):
        services.do_add_paper_batch(
            actor=officer, election=e, label="b", declared_count=5, text=papers, returned_by="\n".join(numbers[:5])
        )
    assert Ballot.objects.filter(election=e).count() == 1
    services.do_add_paper_batch(
        actor=officer, election=e, label="b", declared_count=5, text=papers, returned_by="\n".join(numbers[1:6])
    )
    assert VoterMark.objects.filter(election=e).count() == 6
    with pytest.raises(services.AlreadyVoted):
        services.do_cast_vote(election=e, membership_id=ms[5].pk, preferences=[n0])


def test_database_columns_hold_no_voter_or_time():
    from django.db import connection

    with connection.cursor() as cur:
        ballot_cols = {c.name for c in connection.introspection.get_table_description(cur, Ballot._meta.db_table)}
        mark_cols = {c.name for c in connection.introspection.get_table_description(cur, VoterMark._meta.db_table)}
    assert ballot_cols == {"id", "election_id", "preferences", "receipt", "batch_id"}
    assert mark_cols == {"id", "election_id", "membership_id"}


def test_closing_the_poll_scrambles_storage_order_on_postgresql(
    care_coop, make_member, make_election, fake_clock, officer
):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("storage order is a PostgreSQL matter")
    ms = [make_member(care_coop, "care-workers", f"Order {i}", with_user=False) for i in range(30)]
    e = make_election(care_coop, "care-workers", seats=1)
    services.do_nominate(actor=None, election=e, nominee=ms[0], nominator=ms[0])
    services.do_freeze_electorate(actor=officer, election=e)
    to_poll(e, fake_clock)
    n = services.candidates(e)[0].pk
    for m in ms:
        services.do_cast_vote(election=e, membership_id=m.pk, preferences=[n])
    to_close(e, fake_clock)
    services.do_close_poll(actor=officer, election=e)
    for model in (Ballot, VoterMark):
        with connection.cursor() as cur:
            cur.execute(f"SELECT id FROM {model._meta.db_table} WHERE election_id = %s ORDER BY ctid", [e.pk])
            physical = [r[0] for r in cur.fetchall()]
        assert physical == sorted(physical)  # stored in random-key order, not in voting order


def test_term_limit_checked_at_nomination(care_coop, board, make_member, make_election, officer):
    from coopgov.apps.governance.services import do_take_office

    _, seat = board
    seat.max_consecutive_terms = 1
    seat.save()
    m = make_member(care_coop, "care-workers", "Long Server")
    do_take_office(
        actor=officer,
        seat=seat,
        person=m.person,
        start_date=datetime.date(2024, 1, 1),
        end_date=timezone.localdate() + datetime.timedelta(days=10),
    )
    e = make_election(care_coop, "care-workers", seats=1, seat_rule=seat)
    with pytest.raises(ValidationError, match="served 1 consecutive term"):
        services.do_nominate(actor=None, election=e, nominee=m, nominator=m)


def test_first_past_the_post_ticks(client, care_coop, make_member, make_election, fake_clock, officer):
    from django.urls import reverse

    ms = [make_member(care_coop, "care-workers", n) for n in ["Fay One", "Gus Two", "Hal Three", "Ivy Four"]]
    e = make_election(care_coop, "care-workers", seats=2, method="plurality")
    _nominate_all(e, ms[:3])
    services.do_freeze_electorate(actor=officer, election=e)
    to_poll(e, fake_clock)
    a, b, c = (n.pk for n in services.candidates(e))
    client.force_login(ms[3].person.user)
    url = reverse("elections:vote", args=[e.pk])
    page = client.get(url).content.decode()
    assert 'type="checkbox"' in page and "Choose up to 2 candidates" in page
    assert "up to 2 candidates; you chose 3" in client.post(url, {"choice": [a, b, c]}).content.decode()
    assert "Choose at least one" in client.post(url, {}).content.decode()
    assert "Your vote has been recorded" in client.post(url, {"choice": [a, c]}).content.decode()
    for m, prefs in zip(ms[:3], [[a], [a, b], [b]], strict=True):
        services.do_cast_vote(election=e, membership_id=m.pk, preferences=prefs)
    services.do_add_paper_batch(actor=officer, election=e, label="p", declared_count=2, text="x,,x\nx,x,x\n")
    to_close(e, fake_clock)
    services.do_close_poll(actor=officer, election=e)
    services.do_count(actor=officer, election=e)
    # a: 4 (online 3 + paper 1), b: 2, c: 2 (online 1 + paper 1); the paper with 3 ticks is void.
    votes = e.result["stages"][0]["votes"]
    assert (votes["Fay One"], votes["Gus Two"], votes["Hal Three"]) == ("4", "2", "2")
    assert e.result["invalid"] == 1


def test_staggered_terms_only_vacant_seats_are_elected(care_coop, board, make_member, make_election, officer):
    from coopgov.apps.governance.services import do_take_office

    _, seat = board  # 2 worker seats
    m = make_member(care_coop, "care-workers", "Still Serving")
    do_take_office(
        actor=officer,
        seat=seat,
        person=m.person,
        start_date=datetime.date(2025, 1, 1),
        end_date=datetime.date(2099, 1, 1),
    )
    with pytest.raises(ValidationError, match="Only 1 seat"):
        make_election(care_coop, "care-workers", seats=2, seat_rule=seat)
    assert make_election(care_coop, "care-workers", seats=1, seat_rule=seat).seats == 1


def test_method_must_be_the_one_the_body_rules_name(care_coop, board, make_election):
    _, seat = board
    with pytest.raises(ValidationError, match="The rules of Board name Single transferable vote \\(Scottish STV"):
        make_election(care_coop, "care-workers", seats=1, seat_rule=seat, method="plurality")
