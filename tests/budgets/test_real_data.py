"""Real past votes run through the platform: the funded projects must be the ones the city funded
(Świecie 2023 used the Method of Equal Shares with add1 completion) and the ones the engine selects
from the platform's own .pb export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from coopgov.apps.budgets import services
from coopgov.apps.budgets.importing import VOTE_TO_BALLOT, import_election
from coopgov.apps.budgets.models import Phase, Process
from coopgov.apps.orgs.models import Organisation
from coopgov.budgeting import Election, allocate
from coopgov.budgeting._pabulib import parse_pabulib, read_pabulib

pytestmark = pytest.mark.django_db


def run_through_platform(org: Organisation, election: Election, **kw: Any) -> tuple[Process, dict[int, str]]:
    budget = election.instance.budget
    assert isinstance(budget, int)
    cons = election.profile.constraints
    process = services.do_create_process(
        actor=None,
        organisation=org,
        title=election.instance.meta.get("description", "Imported"),
        pot=budget,
        currency="PLN",
        ballot_type=VOTE_TO_BALLOT[election.profile.vote_type],
        min_choices=0,
        max_choices=cons.max_length,
        total_points=cons.max_sum_points,
        limit_to_budget=False,
        **kw,
    )
    Process.objects.filter(pk=process.pk).update(phase=Phase.VOTING, rule_fixed_at=timezone.now())
    process.refresh_from_db()
    to_file = import_election(process, election)
    process = services.do_close_and_publish(actor=None, process=process)
    return process, to_file


def test_swiecie_2023_funds_what_the_city_funded(org: Organisation, shared_data: Path) -> None:
    election = read_pabulib(shared_data / "budgets" / "Poland_Swiecie_2023.pb")
    assert election.instance.rule_used is not None
    official = {election.instance.projects[i].id for i in election.instance.selected_by_organiser() or ()}
    process, to_file = run_through_platform(org, election, rule="mes", completion="add1")
    funded = {to_file[pk] for pk in process.ideas.filter(funded=True).values_list("pk", flat=True)}
    assert funded == official
    (area,) = process.result.data["areas"]
    assert area["voters"] == election.profile.num_voters == 2553
    # the exported file, counted by the engine directly, gives the same outcome
    exported = parse_pabulib(process.result.pb_files["all"])
    direct = allocate(exported, "mes", completion="add1")
    assert area["main"]["selected"] == [exported.instance.projects[i].id for i in direct.selected]


def test_cumulative_points_instance_through_the_platform(org: Organisation, shared_data: Path) -> None:
    """Grabówka 2020 (points ballots, greedy): the platform's totals are the file's published
    scores and votes, and it funds what the engine funds on the file."""
    election = read_pabulib(shared_data / "budgets" / "pabutools_tests_poland_czestochowa_2020_grabowka.pb")
    direct = allocate(election, "greedy")
    expected = {election.instance.projects[i].id for i in direct.selected}
    process, to_file = run_through_platform(org, election, rule="greedy", completion="")
    funded = {to_file[pk] for pk in process.ideas.filter(funded=True).values_list("pk", flat=True)}
    assert funded == expected
    (area,) = process.result.data["areas"]
    assert {to_file[int(k)]: v for k, v in area["points"].items()} == {
        p.id: p.score for p in election.instance.projects
    }
    assert {to_file[int(k)]: v for k, v in area["votes"].items()} == {p.id: p.votes for p in election.instance.projects}
