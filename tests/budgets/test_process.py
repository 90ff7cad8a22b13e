"""Codes, ballots, rule fixing, results against the engine run on the exported .pb file."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from coopgov.apps.accounts.models import User
from coopgov.apps.audit.models import AuditEvent
from coopgov.apps.budgets import services
from coopgov.apps.budgets.models import Ballot, IdeaStatus, Phase, Process, VotingCode
from coopgov.apps.budgets.services import PBError
from coopgov.apps.orgs.models import Organisation
from coopgov.budgeting import allocate
from coopgov.budgeting._pabulib import parse_pabulib

from .conftest import make_process, voting_process

pytestmark = pytest.mark.django_db


def ids(process: Process) -> dict[str, int]:
    return {i.title: i.pk for i in process.ideas.all()}


# --------------------------------------------------------------------------------------- codes


def test_codes_are_stored_hashed_and_work_once(voting: Process, officer: User) -> None:
    made = services.do_generate_codes(actor=officer, process=voting, count=3, postcode_district="NS1")
    assert len(made) == 3 and len({c for _, c in made}) == 3
    stored = list(VotingCode.objects.filter(process=voting).values_list("code_hash", flat=True))
    for _, code in made:
        assert all(services.normalise_code(code) not in h for h in stored)
    key = services.redeem_code(voting, made[0][1].lower().replace("-", " "))  # forgiving of case/spacing
    assert key == services.code_voter_key(voting, made[0][1])
    with pytest.raises(PBError, match="already been used"):
        services.redeem_code(voting, made[0][1])
    assert VotingCode.objects.filter(process=voting, used_on__isnull=False).count() == 1


def test_unknown_code_is_refused(voting: Process, officer: User) -> None:
    services.do_generate_codes(actor=officer, process=voting, count=1)
    with pytest.raises(PBError, match="not recognised"):
        services.redeem_code(voting, "ABCD-EFGH-JKLM")


def test_code_of_another_process_is_refused(org: Organisation, officer: User, resident: User, voting: Process) -> None:
    other = voting_process(org, officer, resident, title="Other fund")
    ((_, code),) = services.do_generate_codes(actor=officer, process=other, count=1)
    with pytest.raises(PBError, match="not recognised"):
        services.redeem_code(voting, code)


def test_code_row_does_not_lead_to_its_ballot(voting: Process, officer: User) -> None:
    ((_, code),) = services.do_generate_codes(actor=officer, process=voting, count=1)
    key = services.redeem_code(voting, code)
    north = ids(voting)["Youth club evenings"]
    services.do_cast_ballot(process=voting, voter_key=key, choices=[north])
    row = VotingCode.objects.get(process=voting)
    ballot = Ballot.objects.get(process=voting)
    assert row.code_hash != ballot.voter_key
    assert not hasattr(ballot, "code") and not hasattr(ballot, "user")


def test_codes_csv_for_mail_merge(voting: Process, officer: User) -> None:
    made = services.do_generate_codes(actor=officer, process=voting, count=2, postcode_district="ns1")
    text = services.codes_csv(voting, made, "ns1")
    lines = text.strip().splitlines()
    assert lines[0] == "serial,code,postcode_district,process,vote_at"
    assert lines[1].startswith(f"1,{made[0][1]},NS1,")


# -------------------------------------------------------------------------------------- ballots


def test_ballot_over_the_budget_is_refused_with_a_clear_message(voting: Process) -> None:
    i = ids(voting)
    choices = [i["Street lights on Mill Lane"], i["Youth club evenings"], i["CCTV at the station"]]  # 75k of 60k
    with pytest.raises(PBError) as exc:
        services.do_cast_ballot(process=voting, voter_key="k", choices=choices)
    assert exc.value.message == (
        "You have chosen £75,000 of £60,000 in Northfield: remove a project to stay within the budget"
    )
    assert exc.value.field == "area_northfield"
    assert not Ballot.objects.exists()


def test_ballot_over_the_max_length_is_refused(voting: Process) -> None:
    i = ids(voting)
    choices = [
        i["Street lights on Mill Lane"],
        i["Youth club evenings"],
        i["Neighbourhood watch signs"],
        i["Riverside path lighting"],
    ]
    with pytest.raises(PBError, match="You have chosen 4 projects: you can choose at most 3"):
        services.do_cast_ballot(process=voting, voter_key="k", choices=choices)


def test_ballot_with_an_idea_not_on_the_ballot_is_refused(voting: Process, officer: User) -> None:
    with pytest.raises(PBError, match="not on the ballot"):
        services.do_cast_ballot(process=voting, voter_key="k", choices=[999_999])


def test_second_ballot_replaces_the_first_and_is_counted_once(voting: Process, officer: User) -> None:
    i = ids(voting)
    assert services.do_cast_ballot(process=voting, voter_key="k1", choices=[i["Youth club evenings"]]) is False
    assert services.do_cast_ballot(process=voting, voter_key="k1", choices=[i["CCTV at the station"]]) is True
    services.do_cast_ballot(process=voting, voter_key="k2", choices=[i["CCTV at the station"]])
    assert Ballot.objects.filter(process=voting).count() == 2
    services.do_advance_phase(actor=officer, process=voting)
    result = services.do_compute_results(actor=officer, process=voting)
    north = next(a for a in result.data["areas"] if a["slug"] == "northfield")
    assert north["votes"][str(i["CCTV at the station"])] == 2
    assert north["votes"][str(i["Youth club evenings"])] == 0
    assert north["voters"] == 2 and result.data["ballots"] == 2


def test_one_ballot_per_voter_is_a_database_constraint(voting: Process) -> None:
    Ballot.objects.create(process=voting, voter_key="same", choices="")
    with pytest.raises(IntegrityError), transaction.atomic():
        Ballot.objects.create(process=voting, voter_key="same", choices="")


def test_member_votes_under_a_key_that_is_not_their_id(voting: Process, member: tuple[User, Any]) -> None:
    user, membership = member
    m, reason = services.member_voter(voting, user)
    assert m == membership, reason
    key = services.member_voter_key(voting, membership)
    assert len(key) == 64 and key != str(membership.pk)
    assert key != services.member_voter_key(voting, type(membership)(pk=membership.pk + 1))


def test_non_member_cannot_vote_as_member(voting: Process, resident: User) -> None:
    m, reason = services.member_voter(voting, resident)
    assert m is None and "not a member" in reason


def test_voting_closed_refuses_ballots_and_codes(voting: Process, officer: User) -> None:
    ((_, code),) = services.do_generate_codes(actor=officer, process=voting, count=1)
    services.do_advance_phase(actor=officer, process=voting)
    with pytest.raises(PBError, match="Voting is not open"):
        services.redeem_code(voting, code)
    with pytest.raises(PBError, match="Voting is not open"):
        services.do_cast_ballot(process=voting, voter_key="k", choices=[])


def test_points_ballot_over_the_points_is_refused(org: Organisation, officer: User, resident: User) -> None:
    process = voting_process(
        org, officer, resident, title="Points fund", ballot_type="points", total_points=10, max_choices=None
    )
    i = ids(process)
    with pytest.raises(PBError, match="You have given 12 points: you have 10 to give"):
        services.do_cast_ballot(
            process=process, voter_key="k", choices=[[i["Youth club evenings"], 7], [i["CCTV at the station"], 5]]
        )


# ------------------------------------------------------------------------------- rule and phases


def test_rule_cannot_change_after_voting_opens(org: Organisation, officer: User, voting: Process) -> None:
    assert voting.rule_fixed_at is not None
    with pytest.raises(PBError, match="cannot be changed after voting has opened"):
        services.do_set_rule(actor=officer, process=voting, rule="greedy", completion="")
    draft = make_process(org, officer, title="Draft fund")
    services.do_set_rule(actor=officer, process=draft, rule="greedy", completion="")
    draft.refresh_from_db()
    assert draft.rule == "greedy"


def test_voting_cannot_open_with_ideas_waiting(org: Organisation, officer: User, resident: User) -> None:
    process = make_process(org, officer, title="Waiting fund")
    process = services.do_advance_phase(actor=officer, process=process)
    services.do_submit_idea(
        actor=resident,
        process=process,
        title="Benches",
        description="Benches",
        estimated_cost=1000,
        area=process.areas.first(),
    )
    process = services.do_advance_phase(actor=officer, process=process)
    with pytest.raises(PBError, match="Shortlist at least one idea"):
        services.do_advance_phase(actor=officer, process=process)


def test_ring_fenced_budgets_cannot_exceed_the_pot(org: Organisation, officer: User) -> None:
    with pytest.raises(PBError, match="add up to £110,000, more than the pot of £100,000"):
        make_process(org, officer, areas=[("A", 60_000), ("B", 50_000)])


def test_review_merge_moves_supporters(voting: Process, org: Organisation, officer: User, resident: User) -> None:
    process = make_process(org, officer, title="Merge fund")
    process = services.do_advance_phase(actor=officer, process=process)
    area = process.areas.first()
    a = services.do_submit_idea(
        actor=resident, process=process, title="Lights", description="x", estimated_cost=100, area=area
    )
    b = services.do_submit_idea(
        actor=resident, process=process, title="More lights", description="x", estimated_cost=100, area=area
    )
    other = User.objects.create_user("o@example.org", "correct horse battery")
    services.do_support(actor=other, idea=b)
    services.do_review_idea(actor=officer, idea=b, decision=IdeaStatus.MERGED, reason="Same idea", merge_into=a)
    b.refresh_from_db()
    assert b.merged_into == a and a.supports.count() == 1
    assert AuditEvent.objects.filter(action="budget.review").exists()


# -------------------------------------------------------------------------------------- results


def cast_some(process: Process) -> None:
    i = ids(process)
    ballots = [
        ["Street lights on Mill Lane", "Riverside path lighting"],
        ["Street lights on Mill Lane", "Youth club evenings"],
        ["Youth club evenings", "CCTV at the station", "Neighbourhood watch signs"],
        ["CCTV at the station", "Safe route to school"],
        ["Safe route to school", "Neighbourhood watch signs"],
        ["Street lights on Mill Lane"],
        ["Riverside path lighting", "Neighbourhood watch signs"],
    ]
    for n, b in enumerate(ballots):
        services.do_cast_ballot(process=process, voter_key=f"voter{n}", choices=sorted(i[t] for t in b))


def test_results_equal_the_engine_run_on_the_exported_pb(voting: Process, officer: User) -> None:
    cast_some(voting)
    services.do_advance_phase(actor=officer, process=voting)
    result = services.do_compute_results(actor=officer, process=voting)
    assert set(result.pb_files) == {"northfield", "southbank"}
    for area in result.data["areas"]:
        election = parse_pabulib(result.pb_files[area["slug"]], f"{area['slug']}.pb")
        direct = allocate(election, "mes", completion="add1")
        projects = election.instance.projects
        assert area["main"]["selected"] == [projects[k].id for k in direct.selected]
        assert area["main"]["explanations"] == {
            projects[k].id: {"funded": e.funded, "text": e.text} for k, e in sorted(direct.explanations.items())
        }
        greedy = allocate(election, "greedy")
        assert area["greedy"]["selected"] == [projects[k].id for k in greedy.selected]
        # the .pb file marks the projects the platform funded
        assert {p.id for p in projects if p.selected} == set(area["main"]["selected"])
    process = services.do_publish_results(actor=officer, process=voting)
    assert process.phase == Phase.RESULTS
    funded = set(process.ideas.filter(funded=True).values_list("pk", flat=True))
    assert funded == {int(x) for a in result.data["areas"] for x in a["main"]["selected"]}
    assert funded  # something was funded


def test_unfenced_process_counts_the_whole_pot(org: Organisation, officer: User, resident: User) -> None:
    process = voting_process(
        org, officer, resident, title="Whole pot", ring_fence="none", areas=[], max_choices=None, limit_to_budget=False
    )
    cast_some(process)
    services.do_advance_phase(actor=officer, process=process)
    result = services.do_compute_results(actor=officer, process=process)
    (area,) = result.data["areas"]
    assert area["slug"] == "all" and area["budget"] == 100_000
    election = parse_pabulib(result.pb_files["all"])
    direct = allocate(election, "mes", completion="add1")
    assert area["main"]["selected"] == [election.instance.projects[k].id for k in direct.selected]


def test_phase_notifications_are_emailed(
    voting: Process, officer: User, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.do_advance_phase(actor=officer, process=voting)
    assert [m.to for m in mailoutbox] == [["resident@example.org"]]
    assert "Voting closed" in mailoutbox[0].subject


def test_officer_actions_are_audited(voting: Process) -> None:
    actions = set(AuditEvent.objects.filter(organisation=voting.organisation).values_list("action", flat=True))
    assert {"budget.create", "budget.phase", "budget.review", "budget.idea"} <= actions


def test_tally_module_does_not_import_django() -> None:
    code = "import sys, coopgov.apps.budgets.tally; print('django' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_an_engine_fault_gives_the_officer_a_message(voting: Process, officer: User, monkeypatch: Any) -> None:
    from coopgov.apps.budgets import tally

    def broken(*a: Any, **k: Any) -> Any:
        raise RuntimeError("bug")

    monkeypatch.setattr(tally, "count", broken)
    services.do_advance_phase(actor=officer, process=voting)
    with pytest.raises(PBError, match=r"fault in the budgeting engine\. The ballots are safe"):
        services.do_compute_results(actor=officer, process=voting)


def test_idea_author_hears_the_review_decision(
    org: Organisation, officer: User, resident: User, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    process = make_process(org, officer, title="Review fund")
    process = services.do_advance_phase(actor=officer, process=process)
    idea = services.do_submit_idea(
        actor=resident,
        process=process,
        title="Bandstand",
        description="x",
        estimated_cost=1000,
        area=process.areas.first(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.do_review_idea(actor=officer, idea=idea, decision=IdeaStatus.REJECTED, reason="No space for it.")
    (mail,) = mailoutbox
    assert mail.to == ["resident@example.org"] and "No space for it." in mail.body


def test_process_settings_are_checked(org: Organisation, officer: User) -> None:
    with pytest.raises(PBError, match="how many points"):
        make_process(org, officer, ballot_type="points", max_choices=None)
    with pytest.raises(PBError, match="less than the fewest"):
        make_process(org, officer, min_choices=3, max_choices=2)


def test_announced_close_binds(voting: Process, officer: User) -> None:
    import datetime

    from django.core.management import call_command

    ((_, code),) = services.do_generate_codes(actor=officer, process=voting, count=1)
    Process.objects.filter(pk=voting.pk).update(voting_close=datetime.date(2020, 1, 31))
    voting.refresh_from_db()
    with pytest.raises(PBError, match="Voting closed on 31 January 2020"):
        services.redeem_code(voting, code)
    with pytest.raises(PBError, match="Voting closed on 31 January 2020"):
        services.do_cast_ballot(process=voting, voter_key="k", choices=[])
    call_command("close_pb_voting")
    voting.refresh_from_db()
    assert voting.phase == Phase.CLOSED
