"""The election pages through Django's test client: ballots with feedback, voting links, JSON
voting, receipts, the published ballot list, officer actions and the result page."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from coopgov.apps.elections import services
from coopgov.apps.elections.models import Ballot, ElectorateEntry

from .conftest import to_close, to_poll

pytestmark = pytest.mark.django_db


@pytest.fixture
def polling(care_coop, board, make_member, make_election, fake_clock, officer):
    _, seat = board
    ms = [make_member(care_coop, "care-workers", n) for n in ["Ada Ames", "Bo Bell", "Cy Cole", "Di Dunn"]]
    e = make_election(care_coop, "care-workers", seats=2, seat_rule=seat)
    for m in ms[:3]:
        services.do_nominate(actor=None, election=e, nominee=m, nominator=m, statement="Hello")
    services.do_freeze_electorate(actor=officer, election=e)
    to_poll(e, fake_clock)
    return e, ms


def _login(client, m):
    client.force_login(m.person.user)


def test_ranked_ballot_feedback_then_cast(client, polling):
    e, ms = polling
    a, b, c = (n.pk for n in services.candidates(e))
    _login(client, ms[3])
    url = reverse("elections:vote", args=[e.pk])
    page = client.get(url)
    assert page.status_code == 200 and b'inputmode="numeric"' in page.content
    cases = [
        ({f"rank-{a}": "1", f"rank-{b}": "1"}, "used the number 1 more than once"),
        ({f"rank-{a}": "1", f"rank-{b}": "3"}, "missing 2"),
        ({f"rank-{a}": "2"}, "has no 1"),
        ({f"rank-{a}": "x"}, "whole number"),
        ({}, "Put the number 1"),
    ]
    for data, message in cases:
        resp = client.post(url, data)
        assert resp.status_code == 200
        assert message in resp.content.decode()
        assert "There is a problem with your ballot" in resp.content.decode()
    assert Ballot.objects.count() == 0
    resp = client.post(url, {f"rank-{a}": "2", f"rank-{c}": "1"})
    assert resp.status_code == 200
    receipt = resp.context["receipt"]
    assert Ballot.objects.get(receipt=receipt).preferences == f"{c} {a}"
    again = client.post(url, {f"rank-{a}": "1"})
    assert "already voted" in again.content.decode()
    assert Ballot.objects.count() == 1
    # Receipt before close: found, contents not shown yet.
    r = client.get(reverse("elections:receipt", args=[e.pk]), {"code": receipt.lower().replace("-", "")})
    assert "is in the ballot box" in r.content.decode() and "published after the poll closes" in r.content.decode()


def test_vote_link_and_json_api(client, polling):
    e, ms = polling
    cands = [n.pk for n in services.candidates(e)]
    entry = ElectorateEntry.objects.get(election=e, membership=ms[0])
    token = services.vote_token(e, entry.pk, ms[0].pk)
    link = reverse("elections:vote-link", args=[e.pk, token])
    assert client.get(link).status_code == 200
    bad = reverse("elections:vote-link", args=[e.pk, f"{entry.pk}-{'0' * 32}"])
    assert "not valid" in client.get(bad).content.decode()
    api = reverse("elections:vote-api", args=[e.pk])
    resp = client.post(
        api, json.dumps({"token": token, "preferences": [cands[1], cands[0]]}), content_type="application/json"
    )
    assert resp.status_code == 201 and len(resp.json()["receipt"]) == 14
    resp = client.post(api, json.dumps({"token": token, "preferences": [cands[0]]}), content_type="application/json")
    assert resp.status_code == 409 and "already voted" in resp.json()["detail"]
    entry2 = ElectorateEntry.objects.get(election=e, membership=ms[1])
    t2 = services.vote_token(e, entry2.pk, ms[1].pk)
    resp = client.post(
        api, json.dumps({"token": t2, "preferences": [cands[0], cands[0]]}), content_type="application/json"
    )
    assert resp.status_code == 400
    assert client.post(api, "nonsense", content_type="application/json").status_code == 400


def test_non_member_sees_refusal(client, polling, django_user_model):
    e, _ = polling
    outsider = django_user_model.objects.create_user(email="out@example.org", password="x-long-password-1")
    client.force_login(outsider)
    resp = client.get(reverse("elections:vote", args=[e.pk]))
    assert "You are not a member of Riverside Care Co-operative" in resp.content.decode()
    assert b"Cast my vote" not in resp.content


def test_officer_runs_close_count_declare_and_result_page(client, polling, officer, fake_clock):
    e, ms = polling
    a, b, c = (n.pk for n in services.candidates(e))
    for m, prefs in zip(ms, [[a, b], [b], [c, a], [a]], strict=True):
        services.do_cast_vote(election=e, membership_id=m.pk, preferences=prefs)
    client.force_login(officer)
    manage = reverse("elections:manage", args=[e.pk])
    resp = client.post(manage, {"action": "paper", "label": "Postal", "declared_count": "2", "ballots": "1,2,\n,1,2\n"})
    assert resp.status_code == 302
    resp = client.post(manage, {"action": "paper", "label": "Bad", "declared_count": "5", "ballots": "1,2,\n"})
    assert "subtotal is 5" in resp.content.decode()
    resp = client.post(manage, {"action": "close"}, follow=True)
    assert "cannot be closed before then" in resp.content.decode()
    to_close(e, fake_clock)
    for action in ["close", "count", "declare"]:
        assert client.post(manage, {"action": action}).status_code == 302
    e.refresh_from_db()
    assert e.declared_on is not None
    client.logout()
    result = client.get(reverse("elections:result", args=[e.pk]))
    html = result.content.decode()
    assert result.status_code == 200
    for name in e.result["elected"]:
        assert name in html
    assert "<svg" in html and 'id="stages"' in html and "Turnout" in html
    for fmt in ["blt", "csv", "json"]:
        dl = client.get(reverse("elections:result-download", args=[e.pk, fmt]))
        assert dl.status_code == 200 and dl.content
    assert (
        json.loads(client.get(reverse("elections:result-download", args=[e.pk, "json"])).content)["elected"]
        == (e.result["elected"])
    )
    ballots = client.get(reverse("elections:ballots", args=[e.pk]), {"format": "csv"}).content.decode()
    assert ballots.count("\n") == 1 + 6 and ballots.count(",paper,") == 2
    audit = client.get(reverse("elections:audit", args=[e.pk]))
    assert audit.status_code == 302  # scrutineers and officers only
    client.force_login(officer)
    assert "election.declare" in client.get(reverse("elections:audit", args=[e.pk])).content.decode()


def test_list_and_detail_pages(client, polling, django_assert_max_num_queries):
    e, _ = polling
    with django_assert_max_num_queries(6):
        assert client.get(reverse("elections:list", args=[e.organisation.slug])).status_code == 200
    page = client.get(reverse("elections:detail", args=[e.pk])).content.decode()
    assert e.electorate_hash in page
    assert client.get(reverse("elections:candidates", args=[e.pk])).status_code == 200


def test_json_api(client, polling, fake_clock):
    e, _ = polling
    data = client.get(f"/api/elections/{e.pk}").json()
    assert data["phase"] == "poll" and data["electorate_sha256"] == e.electorate_hash
    assert data["candidates"] == ["Ada Ames", "Bo Bell", "Cy Cole"]
    assert client.get(f"/api/elections/{e.pk}/result").status_code == 404


def test_published_pages_query_counts(client, polling, officer, fake_clock, django_assert_max_num_queries):
    e, ms = polling
    cands = [n.pk for n in services.candidates(e)]
    for m in ms:
        services.do_cast_vote(election=e, membership_id=m.pk, preferences=cands[:2])
    to_close(e, fake_clock)
    for action in (services.do_close_poll, services.do_count, services.do_declare):
        action(actor=officer, election=e)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("elections:ballots", args=[e.pk])).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("elections:result", args=[e.pk])).status_code == 200
