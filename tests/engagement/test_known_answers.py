"""Each metric on hand-made data with answers worked by hand (on SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime
import math
from fractions import Fraction

import pytest

from coopgov.apps.engagement import data as published
from coopgov.apps.engagement import metrics, services
from coopgov.apps.engagement.demo import record_past_election
from coopgov.apps.governance.models import SeatMethod
from coopgov.apps.governance.services import do_add_seat_rule, do_create_body
from coopgov.apps.orgs.models import Organisation

from .conftest import add_member

D = datetime.date
Z = 1.959963984540054  # Φ⁻¹(0.975)


def _sex_members(org: Organisation) -> None:
    for sex, n in (("female", 30), ("male", 10), ("prefer-not", 5), ("", 5)):
        for _ in range(n):
            add_member(org, "care-workers", D(2020, 1, 1), sex=sex)


def _upload(org: Organisation, rows: str) -> None:
    services.do_upload_population(
        actor=None,
        organisation=org,
        name="test",
        data=("geography,dimension,category,count\n" + rows).encode(),
        filename="p.csv",
    )


def test_representation_ratio_interval_and_dissimilarity(care_coop: Organisation) -> None:
    _sex_members(care_coop)
    _upload(care_coop, "Area,sex,Female,500\nArea,sex,Male,500\n")
    (rep,) = [r for r in metrics.all_representation(care_coop.pk) if r.dimension == "sex"]
    rows = {r.category: r for r in rep.rows}
    assert (rep.members_total, rep.members_stated, rep.population_total) == (50, 40, 1000)
    assert rep.response_rate == Fraction(4, 5)
    # female: member share 30/40 = 0.75, population share 0.5, ratio 1.5
    # SE(ln RR) = sqrt(1/30 - 1/40 + 1/500 - 1/1000) = sqrt(0.0093333…)
    f = rows["female"]
    se = math.sqrt(1 / 30 - 1 / 40 + 1 / 500 - 1 / 1000)
    assert f.ratio == pytest.approx(1.5)
    assert f.lower == pytest.approx(1.5 * math.exp(-Z * se)) and f.lower == pytest.approx(1.24125, abs=1e-5)
    assert f.upper == pytest.approx(1.5 * math.exp(Z * se)) and f.upper == pytest.approx(1.81269, abs=1e-5)
    m = rows["male"]
    assert m.ratio == pytest.approx(0.5)
    # D = ½(|0.75 − 0.5| + |0.25 − 0.5|) = ¼, exactly
    assert rep.dissimilarity == Fraction(1, 4)
    # "prefer not to say" and "not given" are reported, not hidden, and not in the shares
    assert (rows["prefer-not"].members, rows["prefer-not"].member_share) == (5, None)
    assert (rows[""].members, rows[""].stated) == (5, False)


def test_representation_suppression_primary_and_secondary(care_coop: Organisation) -> None:
    _sex_members(care_coop)
    for _ in range(3):  # one small age cell: 3 people aged 18-24
        add_member(care_coop, "care-workers", D(2020, 1, 1), age_band="18-24")
    for _ in range(12):
        add_member(care_coop, "care-workers", D(2020, 1, 1), age_band="25-34")
    _upload(care_coop, "Area,sex,Female,500\nArea,sex,Male,500\nArea,age_band,18-24,100\nArea,age_band,25-34,100\n")
    section = published.representation_section(care_coop, None, None)
    dims = {d["dimension"]: d for d in section["dimensions"]}
    sex = {r["category"]: r for r in dims["sex"]["rows"]}
    # sex: female 30, male 10, prefer not 5, not given 5 + the 15 below = 20.  One cell under 10
    # ("prefer not", 5) -> "<10"; the smallest other non-zero cell (male, 10) -> "*" so the total
    # cannot reveal it; the male share and ratio are withheld with it
    assert (sex["prefer-not"]["members"], sex["not-given"]["members"]) == ("<10", "20")
    assert (sex["male"]["members"], sex["male"]["member_share"], sex["male"]["ratio"]) == ("*", "", "")
    assert (sex["female"]["members"], sex["female"]["member_share"], sex["female"]["ratio"]) == ("30", "75.0%", "1.50")
    assert dims["sex"]["members"] == "65"
    assert dims["sex"]["dissimilarity"] == "25.0%"
    age = {r["category"]: r for r in dims["age_band"]["rows"]}
    # 18-24 has 3: "<10", its share and ratio withheld; one primary cell, so the smallest other
    # non-zero cell (25-34, 12) is secondarily suppressed as "*"
    assert (age["18-24"]["members"], age["18-24"]["member_share"], age["18-24"]["ratio"]) == ("<10", "", "")
    assert (age["25-34"]["members"], age["25-34"]["ratio"]) == ("*", "")
    assert age["not-given"]["members"] == "50"
    assert age["35-44"]["members"] == "0"


def test_deprivation_deciles_from_the_lookup(care_coop: Organisation) -> None:
    for district, n in (("EX1", 12), ("EX2", 3), ("ZZ9", 4), ("", 1)):
        for _ in range(n):
            add_member(care_coop, "care-workers", D(2020, 1, 1), postcode_district=district)
    services.do_upload_deprivation(
        actor=None, organisation=care_coop, data=b"postcode_district,decile\nEX1,2\nEX2,9\n", filename="d.csv"
    )
    counts = metrics.member_counts(care_coop.pk, "deprivation_decile")
    # districts missing from the lookup (ZZ9) and blank postcodes count as "not given"
    assert counts == {"2": 12, "9": 3, "": 5}


def _seat(org: Organisation) -> object:
    body = do_create_body(actor=None, organisation=org, kind="council-of-governors", name="Council")
    sc = org.stakeholder_classes.get(slug="care-workers")
    return do_add_seat_rule(
        actor=None, body=body, name="Worker governors", category="staff", method=SeatMethod.ELECTED, seats=3,
        stakeholder_class=sc, term_months=12,
    )  # fmt: skip


def test_election_vitality_known_answer(care_coop: Organisation) -> None:
    sc = care_coop.stakeholder_classes.get(slug="care-workers")
    people = [add_member(care_coop, "care-workers", D(2019, 1, 1)) for _ in range(8)]
    rule = _seat(care_coop)
    common = {"organisation": care_coop, "stakeholder_class": sc, "constituency": None, "seat_rule": rule}
    # 2021: 2 seats, 4 candidates, electorate 200, 50 ballots -> contested, turnout 25%; A and B elected
    record_past_election(title="2021", seats=2, poll_close=D(2021, 6, 1), electorate=200,
                         candidates=people[:4], ballots=50, winners=people[:2], **common)  # fmt: skip
    # 2022: 3 seats, 2 candidates (A again, and E) -> 2 filled unopposed, 1 vacant; A returns, E is new
    record_past_election(title="2022", seats=3, poll_close=D(2022, 6, 1), electorate=210,
                         candidates=[people[0], people[4]], ballots=0, winners=[people[0], people[4]], **common)  # fmt: skip
    # 2022 also: a by-election with 1 seat, 3 candidates, electorate 210, 21 ballots -> turnout 10%
    record_past_election(title="2022 by", seats=1, poll_close=D(2022, 9, 1), electorate=210, is_by_election=True,
                         candidates=people[5:8], ballots=21, winners=[people[5]], **common)  # fmt: skip
    rows = metrics.election_rows(care_coop.pk)
    assert [(r.title, r.seats, r.candidates, r.contested_seats, r.unopposed_seats, r.vacant_seats) for r in rows] == [
        ("2021", 2, 4, 2, 0, 0),
        ("2022", 3, 2, 0, 2, 1),
        ("2022 by", 1, 3, 1, 0, 0),
    ]
    assert rows[0].turnout == pytest.approx(0.25)
    assert rows[1].turnout is None  # no poll
    years = {v.year: v for v in metrics.vitality_by_year(rows, metrics.governor_turnover(care_coop.pk))}
    y21, y22 = years[2021], years[2022]
    assert (y21.seats, y21.candidates_per_seat, y21.contested_share, y21.turnout) == (2, 2.0, 1.0, 0.25)
    assert (y21.new_governors, y21.returning_governors) == (2, 0)
    # 2022: 4 seats, 5 candidates; contested 1 of 4; turnout 21/210 (only the contested election)
    assert (y22.seats, y22.candidates, y22.contested_seats, y22.unopposed_seats, y22.vacant_seats) == (4, 5, 1, 2, 1)
    assert y22.candidates_per_seat == pytest.approx(1.25)
    assert y22.contested_share == pytest.approx(0.25)
    assert y22.turnout == pytest.approx(0.1)
    assert (y22.new_governors, y22.returning_governors) == (2, 1)


def test_decisions_share_and_interval(care_coop: Organisation) -> None:
    services.do_record_decision(actor=None, organisation=care_coop, title="AGM", kind="agm-resolution",
                                held_on=D(2024, 9, 1), eligible=263, participants=81)  # fmt: skip
    services.do_record_decision(actor=None, organisation=care_coop, title="Small vote", kind="member-vote",
                                held_on=D(2024, 10, 1), eligible=40, participants=4)  # fmt: skip
    summary = metrics.decisions(care_coop.pk, D(2024, 1, 1), D(2024, 12, 31))
    assert (summary.eligible, summary.participants) == (303, 85)
    section = published.decisions_section(care_coop, D(2024, 1, 1), D(2024, 12, 31))
    agm, small = section["decisions"]
    # Wilson 95% interval for 81/263 (Newcombe 1998's worked example): 0.2553 to 0.3662
    assert (agm["participants"], agm["share"], agm["interval"]) == ("81", "30.8%", "25.5% to 36.6%")
    assert (small["participants"], small["share"], small["interval"]) == ("<10", "", "")
    assert section["participants"] == "85"


def test_flows_suppressed_in_pairs() -> None:
    assert published._pair(4, 25) == ("<10", "*", False)
    assert published._pair(4, 0) == ("<10", "0", False)
    assert published._pair(12, 30) == ("12", "30", True)
    assert published._pair(3, 5) == ("<10", "<10", False)


def test_constituency_sizes_suppressed_within_their_class(db: None) -> None:
    from coopgov.apps.orgs.services import do_add_constituency, do_create_organisation

    org = do_create_organisation(actor=None, name="Trust", kind="nhs-foundation-trust", legal_form="nhs-foundation-trust",
                                 ownership_model="public", sectors=["health"])  # fmt: skip
    staff = org.stakeholder_classes.get(slug="staff")
    clinical, other = staff.constituencies.order_by("position")
    from coopgov.apps.membership.models import Person
    from coopgov.apps.membership.services import do_add_member

    for c, n in ((clinical, 25), (other, 4)):
        for i in range(n):
            p = Person.objects.create(full_name=f"S{i}")
            do_add_member(actor=None, organisation=org, person=p, stakeholder_class=staff, constituency=c,
                          joined_on=D(2020, 1, 1))  # fmt: skip
    assert do_add_constituency  # (the preset made the two staff constituencies)
    section = published.membership_section(org, D(2024, 1, 1), D(2024, 12, 31), None)
    groups = {g["group"]: g["size"] for g in section["groups"]}
    # staff 29 is published, so non-clinical 4 -> "<10" and clinical 25 -> "*" (else 29 - 25 = 4)
    assert (groups["Staff"], groups["Staff: Non-clinical staff"], groups["Staff: Clinical staff"]) == ("29", "<10", "*")
