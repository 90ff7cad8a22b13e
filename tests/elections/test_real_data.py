"""A real election run through the platform: Edinburgh 2017, ward 3 (Drum Brae/Gyle), 3 seats.

The ward's real ballots are entered as paper batches (as marked, in ballot-paper order), counted by
the platform under Scottish STV, and the declared winners compared with the official declaration
and with the counting engine run on the published BLT file directly.
"""

from __future__ import annotations

import datetime

import pytest

from coopgov.apps.elections import services
from coopgov.apps.elections.models import Ballot
from coopgov.counting import count, read_profile
from coopgov.counting._report import to_dict

from .conftest import to_close, to_poll

pytestmark = pytest.mark.django_db

WARD = "elections/edinburgh_2017/edinburgh_2017_ward03_drum_braegyle.blt"
OFFICIAL = {"Claire BRIDGMAN", "Mark BROWN", "Robert Christopher ALDRIDGE"}


def test_edinburgh_ward_3_through_paper_batches(
    shared_data, care_coop, make_member, make_election, fake_clock, officer
):
    profile = read_profile(shared_data / WARD)
    names = list(profile.candidates)
    members = {n: make_member(care_coop, "care-workers", n, with_user=False) for n in names}
    e = make_election(care_coop, "care-workers", seats=profile.seats, title=profile.title)
    for m in members.values():
        services.do_nominate(actor=None, election=e, nominee=m, nominator=m)
    services.do_freeze_electorate(actor=officer, election=e)
    to_poll(e, fake_clock)
    order = [n.membership.person.full_name for n in services.candidates(e)]  # ballot-paper order
    pos = {name: order.index(name) for name in names}
    lines = []
    for ranking, weight in zip(profile.rankings, profile.weights, strict=True):
        marks = [""] * len(order)
        for rank, cand in enumerate(ranking, start=1):
            marks[pos[names[cand]]] = str(rank)
        lines.append(f"{weight}*" + ",".join(marks))
    half = len(lines) // 2
    for label, chunk in (("Batch A", lines[:half]), ("Batch B", lines[half:])):
        subtotal = sum(int(x.split("*")[0]) for x in chunk)
        services.do_add_paper_batch(
            actor=officer, election=e, label=label, declared_count=subtotal, text="\n".join(chunk)
        )
    assert Ballot.objects.filter(election=e).count() == profile.valid_poll
    fake_clock.move_to(e.poll_close + datetime.timedelta(minutes=1))
    to_close(e, fake_clock)
    services.do_close_poll(actor=officer, election=e)
    services.do_count(actor=officer, election=e)
    direct = count(profile, "scottish-stv", seed=e.seed)
    assert set(e.result["elected"]) == OFFICIAL == set(direct.elected_names)
    assert e.result["valid_poll"] == direct.valid_poll
    assert len(e.result["stages"]) == len(direct.stages)
    sheet = to_dict(direct)
    assert e.result["quota"] == sheet["quota"]
    assert e.result["elected"] == sheet["elected"]  # same order of election
    for ours, theirs in zip(e.result["stages"], sheet["stages"], strict=True):
        assert ours["votes"] == theirs["votes"] and ours["action"] == theirs["action"]
