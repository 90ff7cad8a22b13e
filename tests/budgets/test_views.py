"""The pages, without JavaScript (Django test client): voting with a code, the budget-aware ballot,
results and downloads, delivery."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from coopgov.apps.accounts.models import User
from coopgov.apps.budgets import services
from coopgov.apps.budgets.models import Ballot, Process
from coopgov.apps.orgs.models import Organisation

from .conftest import make_process, voting_process
from .test_process import cast_some, ids

pytestmark = pytest.mark.django_db


def code_client(process: Process, officer: User) -> Client:
    ((_, code),) = services.do_generate_codes(actor=officer, process=process, count=1)
    c = Client()
    r = c.post(f"/budgets/{process.slug}/vote/", {"code": code})
    assert r.status_code == 302
    return c


def test_vote_with_code_and_check_choices_without_js(voting: Process, officer: User) -> None:
    c = code_client(voting, officer)
    i = ids(voting)
    r = c.get(f"/budgets/{voting.slug}/vote/")
    assert "You have chosen <strong>£0</strong> of £60,000 in Northfield" in r.content.decode()
    r = c.post(
        f"/budgets/{voting.slug}/vote/", {"area_northfield": [i["Street lights on Mill Lane"]], "action": "check"}
    )
    assert "You have chosen <strong>£30,000</strong> of £60,000 in Northfield" in r.content.decode()
    assert not Ballot.objects.exists()
    r = c.post(
        f"/budgets/{voting.slug}/vote/", {"area_northfield": [i["Street lights on Mill Lane"]], "action": "vote"}
    )
    assert "Your vote has been recorded" in r.content.decode()
    r = c.post(f"/budgets/{voting.slug}/vote/", {"area_southbank": [i["Safe route to school"]], "action": "vote"})
    assert "Your vote has been changed" in r.content.decode()
    assert list(Ballot.objects.values_list("choices", flat=True)) == [str(i["Safe route to school"])]


def test_over_budget_ballot_shows_the_error_beside_the_district(voting: Process, officer: User) -> None:
    c = code_client(voting, officer)
    i = ids(voting)
    r = c.post(
        f"/budgets/{voting.slug}/vote/",
        {
            "area_northfield": [i["Street lights on Mill Lane"], i["Youth club evenings"], i["CCTV at the station"]],
            "action": "vote",
        },
    )
    html = r.content.decode()
    assert "<title>Error: " in html
    assert "You have chosen £75,000 of £60,000 in Northfield: remove a project to stay within the budget" in html
    assert "govuk-error-summary" in html
    assert not Ballot.objects.exists()


def test_unknown_and_used_codes_are_refused_on_the_page(voting: Process, officer: User) -> None:
    ((_, code),) = services.do_generate_codes(actor=officer, process=voting, count=1)
    r = Client().post(f"/budgets/{voting.slug}/vote/", {"code": "XXXX-XXXX-XXXX"})
    assert "This voting code is not recognised" in r.content.decode()
    assert Client().post(f"/budgets/{voting.slug}/vote/", {"code": code}).status_code == 302
    r = Client().post(f"/budgets/{voting.slug}/vote/", {"code": code})
    assert "This voting code has already been used" in r.content.decode()


def test_member_votes_when_signed_in(voting: Process, member: tuple[User, Any]) -> None:
    user, _ = member
    c = Client()
    c.force_login(user)
    i = ids(voting)
    r = c.post(f"/budgets/{voting.slug}/vote/", {"area_southbank": [i["Neighbourhood watch signs"]], "action": "vote"})
    assert "Your vote has been recorded" in r.content.decode()
    assert Ballot.objects.count() == 1


def test_codes_page_gives_csv_and_sheet(voting: Process, officer: User) -> None:
    c = Client()
    c.force_login(officer)
    r = c.post(f"/budgets/{voting.slug}/codes/", {"count": 3, "postcode_district": "NS1", "output": "csv"})
    assert r["Content-Type"].startswith("text/csv")
    assert len(r.content.decode().strip().splitlines()) == 4
    r = c.post(f"/budgets/{voting.slug}/codes/", {"count": 2, "postcode_district": "", "output": "sheet"})
    assert r.content.decode().count('class="pb-code"') == 2
    assert Client().get(f"/budgets/{voting.slug}/codes/").status_code == 302  # sign-in needed


def test_results_page_and_downloads(voting: Process, officer: User) -> None:
    cast_some(voting)
    services.do_close_and_publish(actor=officer, process=voting)
    c = Client()
    html = c.get(f"/budgets/{voting.slug}/results/").content.decode()
    result = Process.objects.get(pk=voting.pk).result
    for area in result.data["areas"]:
        for pid, expl in area["main"]["explanations"].items():
            assert f'data-project="{pid}" data-funded="{int(pid in area["main"]["selected"])}"' in html
            from django.utils.html import escape

            assert escape(expl["text"]) in html
    assert 'role="img"' in html and "<caption" in html
    pb = c.get(f"/budgets/{voting.slug}/results/northfield.pb")
    assert pb.content.decode() == result.pb_files["northfield"]
    data = json.loads(c.get(f"/budgets/{voting.slug}/results.json").content)
    assert data["areas"][0]["main"]["selected"] == result.data["areas"][0]["main"]["selected"]
    csv_text = c.get(f"/budgets/{voting.slug}/results.csv").content.decode()
    assert csv_text.startswith("area,project_id,title,cost,votes,funded,funded_by_greedy,explanation")


def test_results_hidden_until_published(voting: Process, officer: User) -> None:
    cast_some(voting)
    services.do_advance_phase(actor=officer, process=voting)
    services.do_compute_results(actor=officer, process=voting)
    assert "not published yet" in Client().get(f"/budgets/{voting.slug}/results/").content.decode()
    assert Client().get(f"/budgets/{voting.slug}/results.json").status_code == 404


def test_idea_list_query_count(voting: Process, django_assert_max_num_queries: Any) -> None:
    c = Client()
    with django_assert_max_num_queries(8):
        r = c.get(f"/budgets/{voting.slug}/ideas/")
    assert r.content.decode().count("govuk-table__row") == 7


def test_delivery_tracking_page(voting: Process, officer: User) -> None:
    cast_some(voting)
    process = services.do_close_and_publish(actor=officer, process=voting)
    idea = process.ideas.filter(funded=True).first()
    assert idea is not None
    c = Client()
    c.force_login(officer)
    r = c.post(
        f"/budgets/{voting.slug}/ideas/{idea.pk}/delivery/",
        {"action": "status", "delivery_status": "in-progress", "spend": "1200"},
    )
    assert r.status_code == 302
    c.post(
        f"/budgets/{voting.slug}/ideas/{idea.pk}/delivery/",
        {"action": "milestone", "title": "Contractor appointed", "due-day": "1", "due-month": "3", "due-year": "2027"},
    )
    html = Client().get(f"/budgets/{voting.slug}/ideas/{idea.pk}/").content.decode()
    assert "In progress" in html and "£1,200" in html and "Contractor appointed" in html
    assert idea.title in Client().get(f"/budgets/{voting.slug}/delivery/").content.decode()


def test_create_process_form(org: Organisation, officer: User) -> None:
    c = Client()
    c.force_login(officer)
    r = c.post(
        f"/budgets/new/{org.slug}/",
        {
            "title": "Ward budget",
            "pot": "50000",
            "ring_fence": "district",
            "areas": "East: 20000\nWest = 30,000",
            "ballot_type": "approval",
            "min_choices": "1",
            "rule": "mes",
            "completion": "add1",
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    p = Process.objects.get(title="Ward budget")
    assert [(a.name, a.budget) for a in p.areas.all()] == [("East", 20000), ("West", 30000)]
    r = c.post(
        f"/budgets/new/{org.slug}/",
        {
            "title": "Bad",
            "pot": "100",
            "ring_fence": "district",
            "areas": "East: 200",
            "ballot_type": "approval",
            "min_choices": "1",
            "rule": "mes",
            "completion": "add1",
        },
    )
    assert "more than the pot" in r.content.decode()


def test_draft_is_private(org: Organisation, officer: User) -> None:
    p = make_process(org, officer)
    assert Client().get(f"/budgets/{p.slug}/").status_code == 404


def test_points_ballot_without_js(org: Organisation, officer: User, resident: User) -> None:
    process = voting_process(
        org,
        officer,
        resident,
        title="Points fund",
        ballot_type="points",
        total_points=10,
        max_choices=None,
        ring_fence="none",
        areas=[],
        limit_to_budget=False,
    )
    c = code_client(process, officer)
    i = ids(process)
    r = c.post(
        f"/budgets/{process.slug}/vote/",
        {f"points_{i['Youth club evenings']}": "7", f"points_{i['CCTV at the station']}": "5", "action": "vote"},
    )
    assert "You have given 12 points: you have 10 to give" in r.content.decode()
    r = c.post(
        f"/budgets/{process.slug}/vote/",
        {f"points_{i['Youth club evenings']}": "7", f"points_{i['CCTV at the station']}": "3", "action": "vote"},
    )
    assert "Your vote has been recorded" in r.content.decode()
    assert Ballot.objects.get().choices == ",".join(
        f"{k}:{v}" for k, v in sorted([(i["Youth club evenings"], 7), (i["CCTV at the station"], 3)])
    )


def test_ranked_ballot_without_js(org: Organisation, officer: User, resident: User) -> None:
    process = voting_process(
        org,
        officer,
        resident,
        title="Ranked fund",
        ballot_type="ranked",
        max_choices=3,
        ring_fence="none",
        areas=[],
        limit_to_budget=False,
    )
    c = code_client(process, officer)
    i = ids(process)
    order = [i["Safe route to school"], i["Youth club evenings"]]
    r = c.post(f"/budgets/{process.slug}/vote/", {"rank_1": str(order[0]), "rank_2": str(order[1]), "action": "vote"})
    assert "Your vote has been recorded" in r.content.decode()
    assert Ballot.objects.get().choices == f"{order[0]},{order[1]}"  # preference order kept
    r = c.post(f"/budgets/{process.slug}/vote/", {"rank_1": str(order[0]), "rank_2": str(order[0]), "action": "vote"})
    assert "A project is chosen twice" in r.content.decode()


def test_minimum_age_must_be_confirmed(org: Organisation, officer: User, resident: User) -> None:
    process = voting_process(org, officer, resident, title="Youth fund", minimum_age=16)
    c = code_client(process, officer)
    i = ids(process)
    r = c.post(f"/budgets/{process.slug}/vote/", {"area_southbank": [i["Neighbourhood watch signs"]], "action": "vote"})
    assert "<title>Error: " in r.content.decode() and not Ballot.objects.exists()
    r = c.post(
        f"/budgets/{process.slug}/vote/",
        {"area_southbank": [i["Neighbourhood watch signs"]], "age_ok": "on", "action": "vote"},
    )
    assert "Your vote has been recorded" in r.content.decode()


def test_idea_with_picture(voting: Process, org: Organisation, officer: User, resident: User) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    process = make_process(org, officer, title="Picture fund")
    services.do_advance_phase(actor=officer, process=process)
    c = Client()
    c.force_login(resident)
    png = SimpleUploadedFile("lane.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, content_type="image/png")
    r = c.post(
        f"/budgets/{process.slug}/ideas/new/",
        {
            "title": "Lights",
            "description": "Dark lane",
            "area": process.areas.first().pk,  # type: ignore[union-attr]
            "estimated_cost": "1000",
            "image": png,
        },
    )
    assert "Say what the picture shows" in r.content.decode()


def test_json_api(voting: Process, officer: User) -> None:
    c = Client()
    assert [p["slug"] for p in c.get("/api/budgets/").json()] == [voting.slug]
    detail = c.get(f"/api/budgets/{voting.slug}/").json()
    assert [a["slug"] for a in detail["areas"]] == ["northfield", "southbank"] and len(detail["projects"]) == 6
    assert c.get(f"/api/budgets/{voting.slug}/results").status_code == 404
    cast_some(voting)
    services.do_close_and_publish(actor=officer, process=voting)
    data = c.get(f"/api/budgets/{voting.slug}/results").json()
    assert (
        data["areas"][0]["main"]["selected"]
        == Process.objects.get(pk=voting.pk).result.data["areas"][0]["main"]["selected"]
    )


def test_idea_picture_is_served(org: Organisation, officer: User, resident: User, tmp_path: Any, settings: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    process = make_process(org, officer, title="Picture fund 2")
    services.do_advance_phase(actor=officer, process=process)
    c = Client()
    c.force_login(resident)
    data = b"\x89PNG\r\n\x1a\n" + b"0" * 64
    r = c.post(
        f"/budgets/{process.slug}/ideas/new/",
        {
            "title": "Lights",
            "description": "Dark lane",
            "area": process.areas.first().pk,  # type: ignore[union-attr]
            "estimated_cost": "1000",
            "image": SimpleUploadedFile("lane.png", data, content_type="image/png"),
            "image_alt": "The dark lane at night",
        },
    )
    assert r.status_code == 302
    html = Client().get(r["Location"]).content.decode()
    assert 'alt="The dark lane at night"' in html
    idea = process.ideas.get()
    assert b"".join(Client().get(f"/budgets/{process.slug}/ideas/{idea.pk}/image").streaming_content) == data


def test_results_page_query_count(voting: Process, officer: User, django_assert_max_num_queries: Any) -> None:
    cast_some(voting)
    services.do_close_and_publish(actor=officer, process=voting)
    with django_assert_max_num_queries(8):
        assert Client().get(f"/budgets/{voting.slug}/results/").status_code == 200
    with django_assert_max_num_queries(8):
        assert Client().get(f"/budgets/{voting.slug}/delivery/").status_code == 200
